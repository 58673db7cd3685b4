package idcard

import "yiting/queue/personal"

// The masks are the hall's one pattern (queue/personal): the reader's
// tools and the kiosk show exactly what every other screen shows.

// MaskID masks an ID or permit number as first 6 + last 4 characters,
// "421224********1234". A number of 10 characters or fewer is masked whole.
func MaskID(s string) string { return personal.MaskID(s) }

// MaskName masks a name as 张*三 (three characters or more: first and last
// kept) or 张* (two). A one-character name becomes "*".
func MaskName(s string) string { return personal.MaskName(s) }

// MaskAddress keeps the first 6 characters of an address (about province
// and county) and replaces the rest with "****". A shorter address keeps
// its first half.
func MaskAddress(s string) string { return personal.MaskAddress(s) }
