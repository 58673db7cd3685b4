package cases

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

// A table of days counts as a list does, merges as the lists joined, and
// a damaged table is told apart.
func TestDays(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 200 {
		var a, b []Date
		for range r.IntN(40) {
			a = append(a, Date(20000+r.IntN(30)))
		}
		for range r.IntN(40) {
			b = append(b, Date(20000+r.IntN(30)))
		}
		all := append(slices.Clone(a), b...)
		ta, tb, tall := DaysOf(slices.Clone(a)), DaysOf(slices.Clone(b)), DaysOf(slices.Clone(all))
		if m := mergeDays(ta, tb); !bytes.Equal(m, tall) {
			t.Fatalf("merge of %v and %v: %x, want %x", a, b, m, tall)
		}
		if tall.Len() != len(all) || !tall.Valid() {
			t.Fatalf("%v: len %d, valid %v", all, tall.Len(), tall.Valid())
		}
		for d := Date(19998); d < 20032; d++ {
			want := 0
			for _, x := range all {
				if x >= d {
					want++
				}
			}
			if got := tall.CountFrom(d); got != want {
				t.Fatalf("%v from %d: %d, want %d", all, d, got, want)
			}
		}
	}
	good := DaysOf([]Date{5, 7, 7, 9})
	for _, bad := range []Days{good[:len(good)-1], append(slices.Clone(good[8:]), good[:8]...), DaysOf([]Date{5})[:4]} {
		if bad.Valid() {
			t.Errorf("%x is valid", bad)
		}
	}
	if !good.Valid() || Days(nil).Len() != 0 || Days(nil).CountFrom(1) != 0 {
		t.Error("the good or the empty table")
	}
}
