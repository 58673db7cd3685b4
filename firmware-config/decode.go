package hallconfig

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/pelletier/go-toml/v2"
)

// decodeFile decodes doc strictly into the file schema. Its errors are
// *Error with the line and the key path; the file name is added by Parse.
func decodeFile(doc []byte) (*fileConfig, error) {
	var f fileConfig
	dec := toml.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	err := dec.Decode(&f)
	if err == nil {
		return &f, nil
	}
	var strict *toml.StrictMissingError
	var de *toml.DecodeError
	switch {
	case errors.As(err, &strict) && len(strict.Errors) > 0:
		return nil, unknownKeyError(doc, strict)
	case errors.As(err, &de):
		return nil, decodeError(doc, de)
	}
	return nil, &Error{Problem: err.Error(), Err: err}
}

// unknownKeyError reports the first unknown key and lists the keys its
// table accepts: a misspelt key must not be silently ignored, or the
// installer would believe a setting was applied.
func unknownKeyError(doc []byte, strict *toml.StrictMissingError) *Error {
	first := &strict.Errors[0]
	line, col := first.Position()
	key := []string(first.Key())
	field := scanPositions(doc).find(line, col, key)
	table, keys := knownKeys(key)
	where := "at the top level"
	if table != "" {
		where = "in " + table
	}
	problem := fmt.Sprintf("unknown key %q (the keys %s are: %s)", key[len(key)-1], where, strings.Join(keys, ", "))
	if len(key) > 3 && key[0] == "cases" && key[1] == "limits" {
		// [cases.limits.petition.review] nests tables: the installer
		// meant the case type "petition.review".
		if m := dottedLimitRE.FindSubmatch(lineAt(doc, line)); m != nil {
			problem += fmt.Sprintf("; a case type with dots is written in quotes: [cases.limits.%s]", quote(string(m[1])))
		}
	}
	if n := len(strict.Errors) - 1; n > 0 {
		problem += fmt.Sprintf("; %d more unknown key(s) after this one", n)
	}
	return &Error{Line: line, Column: col, Field: field, Problem: problem, Err: strict}
}

// go-toml's type-mismatch messages; the group is the TOML type found.
var mismatch = regexp.MustCompile(`^toml: (?:cannot decode TOML (.+?) into |cannot store an? (.+?) in )`)

// decodeError turns go-toml's syntax and type errors into the file's
// words: go-toml names the Go struct field and type, which mean nothing
// to the person editing the file.
func decodeError(doc []byte, de *toml.DecodeError) *Error {
	line, col := de.Position()
	key := []string(de.Key())
	e := &Error{Line: line, Column: col, Err: de}
	if len(key) > 0 {
		e.Field = scanPositions(doc).find(line, col, key)
	}
	msg := de.Error()
	switch m := mismatch.FindStringSubmatch(msg); {
	case m != nil:
		e.Problem = "wrong type: found " + article(m[1]+m[2])
		if want := expected(key); want != "" {
			e.Problem += ", expected " + want
		}
	case strings.Contains(msg, "struct field") || strings.Contains(msg, "of type"):
		// Another message naming Go types: keep the position, drop the Go.
		e.Problem = "wrong type"
		if want := expected(key); want != "" {
			e.Problem += ": expected " + want
		}
	default:
		e.Problem = "TOML syntax: " + strings.TrimPrefix(msg, "toml: ")
	}
	return e
}

func article(tomlType string) string {
	if strings.ContainsAny(tomlType[:1], "aeiou") {
		return "an " + tomlType
	}
	return "a " + tomlType
}

var dottedLimitRE = regexp.MustCompile(`^\s*\[\s*cases\.limits\.([a-z0-9_]+(?:\.[a-z0-9_]+)+)\s*\]\s*(?:#.*)?$`)

// lineAt returns the 1-based line of doc, without its line feed.
func lineAt(doc []byte, line int) []byte {
	for i := 1; i < line; i++ {
		j := bytes.IndexByte(doc, '\n')
		if j < 0 {
			return nil
		}
		doc = doc[j+1:]
	}
	if j := bytes.IndexByte(doc, '\n'); j >= 0 {
		doc = doc[:j]
	}
	return doc
}
