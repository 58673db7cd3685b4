package cases

import (
	"fmt"
	"unicode/utf8"
)

// HolidayFile is one year's holiday file: a small subset of TOML, so that
// an admin edits it with any text editor and the domain needs no TOML
// library:
//
//	# 2027 — verify against the 国务院办公厅 notice before use
//	source = "国办发明电〔2026〕N号"
//	holidays = [
//	  "2027-01-01", # 元旦
//	]
//	workdays = ["2027-02-06"] # 调休上班
//
// Keys: holidays and workdays (arrays of "YYYY-MM-DD" strings) and source
// and note (strings). Lines are key = value; arrays may span lines and end
// with a comma; # starts a comment outside strings. Anything else is an
// error naming the file and line.
type HolidayFile struct {
	Holidays []Date
	Workdays []Date
	Source   string
	Note     string
}

// HolidayFileError says where a holiday file is wrong.
type HolidayFileError struct {
	File string
	Line int
	Msg  string
}

func (e *HolidayFileError) Error() string {
	return fmt.Sprintf("cases: holiday file %s:%d: %s", e.File, e.Line, e.Msg)
}

type htok struct {
	kind byte // 'i' ident, 's' string, '=' '[' ']' ',' 'n' newline
	text string
	line int
}

// ParseHolidayFile parses a holiday file; name is used in errors.
func ParseHolidayFile(name string, b []byte) (*HolidayFile, error) {
	if !utf8.Valid(b) {
		return nil, &HolidayFileError{name, 1, "not UTF-8: save the file as UTF-8"}
	}
	toks, err := lexHoliday(name, string(b))
	if err != nil {
		return nil, err
	}
	hf := &HolidayFile{}
	seen := map[string]bool{}
	i := 0
	next := func() htok {
		if i < len(toks) {
			i++
			return toks[i-1]
		}
		last := 1
		if len(toks) > 0 {
			last = toks[len(toks)-1].line
		}
		return htok{kind: 0, line: last}
	}
	bad := func(t htok, format string, args ...any) error {
		return &HolidayFileError{name, t.line, fmt.Sprintf(format, args...)}
	}
	for i < len(toks) {
		t := next()
		if t.kind == 'n' {
			continue
		}
		if t.kind != 'i' {
			return nil, bad(t, "expected a key (holidays, workdays, source, note), found %s", t.describe())
		}
		key := t.text
		if seen[key] {
			return nil, bad(t, "key %s is given twice", key)
		}
		seen[key] = true
		if eq := next(); eq.kind != '=' {
			return nil, bad(eq, "expected = after %s, found %s", key, eq.describe())
		}
		switch key {
		case "source", "note":
			v := next()
			if v.kind != 's' {
				return nil, bad(v, "%s must be a string in double quotes, found %s", key, v.describe())
			}
			if key == "source" {
				hf.Source = v.text
			} else {
				hf.Note = v.text
			}
		case "holidays", "workdays":
			open := next()
			if open.kind != '[' {
				return nil, bad(open, "%s must be an array such as [\"2027-01-01\"], found %s", key, open.describe())
			}
			var dates []Date
			for {
				v := next()
				for v.kind == 'n' {
					v = next()
				}
				if v.kind == ']' {
					break
				}
				if v.kind != 's' {
					return nil, bad(v, "expected a date in double quotes or ], found %s", v.describe())
				}
				d, err := ParseDate(v.text)
				if err != nil {
					return nil, bad(v, "%q is not a date like \"2027-01-01\"", v.text)
				}
				dates = append(dates, d)
				sep := next()
				for sep.kind == 'n' {
					sep = next()
				}
				if sep.kind == ']' {
					break
				}
				if sep.kind != ',' {
					return nil, bad(sep, "expected , or ] after a date, found %s", sep.describe())
				}
			}
			if key == "holidays" {
				hf.Holidays = dates
			} else {
				hf.Workdays = dates
			}
		default:
			return nil, bad(t, "unknown key %s (the keys are holidays, workdays, source and note)", key)
		}
		if end := next(); end.kind != 'n' && end.kind != 0 {
			return nil, bad(end, "expected the end of the line after the value of %s, found %s", key, end.describe())
		}
	}
	if !seen["holidays"] {
		return nil, &HolidayFileError{name, 1, "the file has no holidays = [...] list"}
	}
	return hf, nil
}

func (t htok) describe() string {
	switch t.kind {
	case 0:
		return "the end of the file"
	case 'n':
		return "the end of the line"
	case 's':
		return fmt.Sprintf("the string %q", t.text)
	case 'i':
		return "the word " + t.text
	}
	return "'" + string(t.kind) + "'"
}

func lexHoliday(name, s string) ([]htok, error) {
	var toks []htok
	line := 1
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\n':
			toks = append(toks, htok{kind: 'n', line: line})
			line++
			i++
		case c == ' ' || c == '\t' || c == '\r':
			i++
		case c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c == '=' || c == '[' || c == ']' || c == ',':
			toks = append(toks, htok{kind: c, line: line})
			i++
		case c == '"':
			j := i + 1
			for j < len(s) && s[j] != '"' && s[j] != '\n' && s[j] != '\\' {
				j++
			}
			if j >= len(s) || s[j] != '"' {
				return nil, &HolidayFileError{name, line, "a string is not closed with \" on the same line (escapes are not supported)"}
			}
			toks = append(toks, htok{kind: 's', text: s[i+1 : j], line: line})
			i = j + 1
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_':
			j := i
			for j < len(s) && (s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] == '_' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			toks = append(toks, htok{kind: 'i', text: s[i:j], line: line})
			i = j
		default:
			r, _ := utf8.DecodeRuneInString(s[i:])
			return nil, &HolidayFileError{name, line, fmt.Sprintf("unexpected character %q", r)}
		}
	}
	return toks, nil
}
