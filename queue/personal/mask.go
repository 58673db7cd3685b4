package personal

import (
	"fmt"
	"strings"
)

// The one masking pattern of the hall (docs/domain.md): ID numbers keep
// the region (first 6) and the last 4 — 421224********1234; names keep
// the first character and, from three characters on, the last — 张*,
// 张*三, 欧**华; addresses keep the first 6 characters. Screens, tickets,
// logs and exports show only these forms.

// NormalizeID trims an ID number and makes a trailing x upper case.
func NormalizeID(id string) string {
	return strings.ToUpper(strings.TrimSpace(id))
}

// MaskID masks an ID or permit number: first 6 and last 4 characters,
// 421224********1234. A value of 10 characters or fewer is masked whole.
func MaskID(id string) string {
	r := []rune(NormalizeID(id))
	if len(r) <= 10 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:6]) + strings.Repeat("*", len(r)-10) + string(r[len(r)-4:])
}

// MaskName masks a name: 张* (two characters), 张*三 (three or more: the
// first and last kept, 欧**华). A one-character name becomes "*".
func MaskName(name string) string {
	r := []rune(strings.TrimSpace(name))
	switch n := len(r); n {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	default:
		return string(r[0]) + strings.Repeat("*", n-2) + string(r[n-1])
	}
}

// MaskAddress keeps the first 6 characters (province and county) and
// hides the rest; a shorter address keeps its first half.
func MaskAddress(addr string) string {
	r := []rune(strings.TrimSpace(addr))
	if len(r) == 0 {
		return ""
	}
	keep := 6
	if len(r) <= keep {
		keep = len(r) / 2
	}
	return string(r[:keep]) + "****"
}

// MaskPhone keeps the first 3 and last 4 digits: 138****5678.
func MaskPhone(phone string) string {
	r := []rune(strings.TrimSpace(phone))
	if len(r) < 8 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// maxShownName is the longest masked name a ticket carries, in runes (the
// engine's limit).
const maxShownName = 32

// GroupName is the masked name a ticket of a visit of n persons carries:
// the holder's masked name, with 等N人 when more came (王*明等3人), at
// most 32 runes (a long name is shortened).
func GroupName(masked string, n int) string {
	if masked == "" {
		return ""
	}
	if n <= 1 {
		return clip(masked, maxShownName)
	}
	suffix := fmt.Sprintf("等%d人", n)
	return clip(masked, maxShownName-len([]rune(suffix))) + suffix
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}
