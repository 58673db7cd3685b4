package personal

import (
	"strings"
	"unicode/utf8"
)

// The one masking pattern of the hall (docs/domain.md): ID numbers keep
// the region (first 6) and the last 4 — 421224********1234; names keep
// the first character and, from three characters on, the last — 张*,
// 张*三, 欧阳**; addresses keep the first 6 characters. Screens, tickets,
// logs and exports show only these forms.

// NormalizeID trims an ID number and makes a trailing x upper case.
func NormalizeID(id string) string {
	return strings.ToUpper(strings.TrimSpace(id))
}

// MaskID masks an ID or permit number: first 6 and last 4 characters.
// Shorter values are masked whole but for the last character.
func MaskID(id string) string {
	r := []rune(NormalizeID(id))
	switch {
	case len(r) == 0:
		return ""
	case len(r) <= 10:
		return strings.Repeat("*", len(r)-1) + string(r[len(r)-1])
	}
	return string(r[:6]) + strings.Repeat("*", len(r)-10) + string(r[len(r)-4:])
}

// MaskName masks a name: 张* (two characters), 张*三 (three), 欧阳** →
// first and last kept for longer names: 欧**华. A Latin name keeps its
// first letter and the initial of its last word: "J*** S.".
func MaskName(name string) string {
	name = strings.TrimSpace(name)
	if name == "" {
		return ""
	}
	if words := strings.Fields(name); len(words) > 1 && isLatin(name) {
		first, _ := utf8.DecodeRuneInString(words[0])
		last, _ := utf8.DecodeRuneInString(words[len(words)-1])
		return string(first) + "*** " + string(last) + "."
	}
	r := []rune(name)
	switch len(r) {
	case 1:
		return string(r)
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}

// MaskAddress keeps the first 6 characters (province and county) and
// hides the rest.
func MaskAddress(addr string) string {
	r := []rune(strings.TrimSpace(addr))
	if len(r) <= 6 {
		return string(r)
	}
	return string(r[:6]) + "****"
}

// MaskPhone keeps the first 3 and last 4 digits: 138****5678.
func MaskPhone(phone string) string {
	r := []rune(strings.TrimSpace(phone))
	if len(r) < 8 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

func isLatin(s string) bool {
	for _, r := range s {
		if r > 0x24F && r != '·' {
			return false
		}
	}
	return true
}
