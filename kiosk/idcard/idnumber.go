package idcard

import (
	"errors"
	"fmt"
	"time"
)

// ErrInvalid is matched (errors.Is) by every *FieldError: a card text that
// does not parse, or an ID number that does not validate.
var ErrInvalid = errors.New("idcard: invalid card data")

// FieldError says which field of a card text or ID number is wrong and why.
// It never carries the field's value: errors end up in logs.
type FieldError struct {
	Field  string // e.g. "ID number", "birth date"
	Reason string
}

// Error describes the fault.
func (e *FieldError) Error() string {
	return fmt.Sprintf("idcard: %s: %s", e.Field, e.Reason)
}

// Unwrap returns ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// CheckChar returns the check character of an ID number whose first 17
// characters are body: GB 11643-1999, ISO 7064 MOD 11-2. S = Σ digit×weight
// mod 11 with weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; S = 0..10 maps to
// 1 0 X 9 8 7 6 5 4 3 2.
func CheckChar(body string) (byte, error) {
	if len(body) != 17 {
		return 0, fieldErr("ID number", "the body must be 17 digits, not %d characters", len(body))
	}
	s, err := checkSum(body)
	if err != nil {
		return 0, err
	}
	return "10X98765432"[s%11], nil
}

// checkSum returns Σ digit×weight over the 17 digits of body.
func checkSum(body string) (int, error) {
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i := range 17 {
		c := body[i]
		if c < '0' || c > '9' {
			return 0, fieldErr("ID number", "character %d is not a digit", i+1)
		}
		sum += int(c-'0') * weights[i]
	}
	return sum, nil
}

// ValidateIDNumber checks an 18-character ID number: 17 digits and a check
// character (0–9 or upper-case X) that is right, a province code of
// GB/T 2260 in digits 1–2 (digits 2–3 for the 2023 foreign permanent
// resident card, whose numbers begin with 9), and a real date in digits
// 7–14. Only the province level of the region is checked: the county table
// of GB/T 2260 changes every year and is not carried here. It returns a
// *FieldError.
func ValidateIDNumber(s string) error {
	if len(s) != 18 {
		return fieldErr("ID number", "must be 18 characters, not %d", len(s))
	}
	want, err := CheckChar(s[:17])
	if err != nil {
		return err
	}
	if s[17] != want {
		return fieldErr("ID number", "the check character is wrong")
	}
	prov := s[:2]
	if s[0] == '9' {
		prov = s[1:3]
	}
	if !isProvince(prov) {
		return fieldErr("ID number", "region code does not begin with a province code")
	}
	if _, err := parseDate(s[6:14]); err != nil {
		return fieldErr("ID number", "digits 7–14 are not a birth date")
	}
	return nil
}

// isProvince reports whether code is a province-level code of GB/T 2260
// (71 Taiwan, 81 Hong Kong, 82 Macau, 83 for Taiwan residents' permits).
func isProvince(code string) bool {
	switch code {
	case "11", "12", "13", "14", "15",
		"21", "22", "23",
		"31", "32", "33", "34", "35", "36", "37",
		"41", "42", "43", "44", "45", "46",
		"50", "51", "52", "53", "54",
		"61", "62", "63", "64", "65",
		"71", "81", "82", "83":
		return true
	}
	return false
}

// ChinaTime is the zone in which card dates are days: China Standard Time,
// UTC+8, without daylight saving. It is built here rather than loaded, as
// the Pi may have no zoneinfo.
func ChinaTime() *time.Location {
	return time.FixedZone("CST", 8*60*60)
}

// parseDate parses YYYYMMDD into midnight China time. Years before 1800 are
// refused; 1880 occurs in the standard's own examples.
func parseDate(s string) (time.Time, error) {
	if len(s) != 8 {
		return time.Time{}, errors.New("not 8 digits")
	}
	n := [3]int{}
	parts := [3]string{s[:4], s[4:6], s[6:]}
	for i, p := range parts {
		for _, c := range []byte(p) {
			if c < '0' || c > '9' {
				return time.Time{}, errors.New("not digits")
			}
			n[i] = n[i]*10 + int(c-'0')
		}
	}
	y, m, d := n[0], n[1], n[2]
	if y < 1800 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, errors.New("not a date")
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, ChinaTime())
	if t.Day() != d { // 31 February and the like
		return time.Time{}, errors.New("not a date")
	}
	return t, nil
}
