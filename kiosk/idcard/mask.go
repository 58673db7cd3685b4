package idcard

import "strings"

// MaskID masks an ID or permit number as first 6 + last 4 characters,
// "421224********1234". A number of 10 characters or fewer is masked whole.
func MaskID(s string) string {
	r := []rune(s)
	n := len(r)
	if n <= 10 {
		return strings.Repeat("*", n)
	}
	return string(r[:6]) + strings.Repeat("*", n-10) + string(r[n-4:])
}

// MaskName masks a name as 张*三 (three characters or more: first and last
// kept) or 张* (two). A one-character name becomes "*".
func MaskName(s string) string {
	r := []rune(s)
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

// MaskAddress keeps the first 6 characters of an address (about province
// and county) and replaces the rest with "****". A shorter address keeps
// its first half.
func MaskAddress(s string) string {
	r := []rune(s)
	n := len(r)
	if n == 0 {
		return ""
	}
	keep := 6
	if n <= keep {
		keep = n / 2
	}
	return string(r[:keep]) + "****"
}
