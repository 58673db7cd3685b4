package cases

import (
	"encoding/binary"
	"slices"
	"sort"
)

// Days is a multiset of days kept as the table of its distinct days in
// order, each with how many of the set fall on or after it: 8 bytes an
// entry, two big-endian numbers. A store keeps it as it is, and how many
// of its days fall on or after a day is a binary search without decoding
// it: a year's statistics count the visitors of 12 months this way
// (StatsDay.Prev). A month's thousands of registrations look back at a
// few hundred distinct days, so the table stays small.
type Days []byte

// DaysEntrySize is the bytes of one entry of a Days table.
const DaysEntrySize = 8

func (s Days) entries() int     { return len(s) / DaysEntrySize }
func (s Days) day(i int) Date   { return Date(binary.BigEndian.Uint32(s[DaysEntrySize*i:])) }
func (s Days) onward(i int) int { return int(binary.BigEndian.Uint32(s[DaysEntrySize*i+4:])) }

// Len is how many days it holds, each as often as it was added.
func (s Days) Len() int {
	if len(s) < DaysEntrySize {
		return 0
	}
	return s.onward(0)
}

// CountFrom is how many of its days are on or after d.
func (s Days) CountFrom(d Date) int {
	n := s.entries()
	i := sort.Search(n, func(i int) bool { return s.day(i) >= d })
	if i == n {
		return 0
	}
	return s.onward(i)
}

// Valid says whether s is a table Days makes: whole entries, days rising,
// counts falling to at least 1. A store checks what it reads.
func (s Days) Valid() bool {
	if len(s)%DaysEntrySize != 0 {
		return false
	}
	for i := range s.entries() {
		if s.onward(i) < 1 || i > 0 && (s.day(i) <= s.day(i-1) || s.onward(i) >= s.onward(i-1)) {
			return false
		}
	}
	return true
}

// DaysOf makes the table of ds (which it sorts); nil for none.
func DaysOf(ds []Date) Days {
	if len(ds) == 0 {
		return nil
	}
	slices.Sort(ds)
	var out Days
	for i := 0; i < len(ds); {
		j := i
		for j < len(ds) && ds[j] == ds[i] {
			j++
		}
		out = binary.BigEndian.AppendUint32(out, uint32(ds[i]))
		out = binary.BigEndian.AppendUint32(out, uint32(len(ds)-i))
		i = j
	}
	return out
}

// mergeDays returns the table of the days of a and b.
func mergeDays(a, b Days) Days {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	// Each day's own count is the difference of its count onward and
	// the next's; walk both from the end, summing.
	type entry struct {
		day Date
		n   int
	}
	own := func(s Days, i int) int {
		if i+1 < s.entries() {
			return s.onward(i) - s.onward(i+1)
		}
		return s.onward(i)
	}
	var rev []entry
	i, j := a.entries()-1, b.entries()-1
	for i >= 0 || j >= 0 {
		switch {
		case j < 0 || i >= 0 && a.day(i) > b.day(j):
			rev = append(rev, entry{a.day(i), own(a, i)})
			i--
		case i < 0 || b.day(j) > a.day(i):
			rev = append(rev, entry{b.day(j), own(b, j)})
			j--
		default:
			rev = append(rev, entry{a.day(i), own(a, i) + own(b, j)})
			i--
			j--
		}
	}
	out := make(Days, DaysEntrySize*len(rev))
	onward := 0
	for k, e := range rev {
		onward += e.n
		at := DaysEntrySize * (len(rev) - 1 - k)
		binary.BigEndian.PutUint32(out[at:], uint32(e.day))
		binary.BigEndian.PutUint32(out[at+4:], uint32(onward))
	}
	return out
}
