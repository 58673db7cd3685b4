package boltstore

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"

	"yiting/queue/cases"
)

// The case statistics of each registration day (cases.StatsDay), so that
// a year's indicators merge 250 stored days instead of reading 150,000
// facts records (issue 15). Two buckets:
//
//	case_day_stats  registration day (4 bytes) → the day's StatsDay, or
//	                nothing when it must be counted again
//	case_regs       visitor key | day | code → nothing: each visitor's
//	                cases in order, where a registration finds the one
//	                before and after it (cases.VisitorReg)
//
// putCase marks the case's day to count again, and, when the case's
// visitor keys change, the days of the same visitor's cases before and
// after it, in the transaction that writes the case. StatsDays counts the
// marked days in the write transaction that stores them. A stored day
// therefore always equals a recount from the facts records, whatever the
// point a crash interrupts (TestCaseStatsSurviveCrash).
var (
	bucketCaseDayStats = []byte("case_day_stats")
	bucketCaseRegs     = []byte("case_regs")
)

// caseStatsFormat is the first byte of a stored day; another is counted
// again.
const caseStatsFormat = 1

// StatsDays implements cases.CaseStore.
func (s *Store) StatsDays(ctx context.Context, from, to cases.Date) ([]cases.StatsDay, error) {
	var out []cases.StatsDay
	stale := false
	err := s.view(ctx, "case statistics", func(tx *bolt.Tx) error {
		var err error
		out, stale, err = statsDays(ctx, tx, from, to, false)
		return err
	})
	if err != nil || !stale {
		return out, err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		var err error
		out, _, err = statsDays(ctx, tx, from, to, true)
		return err
	})
	if err != nil {
		return nil, unavailable("case statistics", err)
	}
	return out, nil
}

// statsDays reads the stored days from..to; a day marked to count again
// is counted and stored when the transaction is writable, else reported
// as stale.
func statsDays(ctx context.Context, tx *bolt.Tx, from, to cases.Date, write bool) (out []cases.StatsDay, stale bool, err error) {
	sb := tx.Bucket(bucketCaseDayStats)
	c := sb.Cursor()
	var recount []cases.Date
	for k, v := c.Seek(dayKey(max(from, 0), "")); k != nil && dayOf(k) <= to; k, v = c.Next() {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		d, ok, err := decodeStatsDay(v)
		if err != nil {
			return nil, false, fmt.Errorf("boltstore: case statistics of %s: %w", dayOf(k), err)
		}
		if !ok {
			if !write {
				return nil, true, nil
			}
			recount = append(recount, dayOf(k))
			continue
		}
		d.Day = dayOf(k)
		out = append(out, *d)
	}
	for _, day := range recount {
		d, err := countCaseDay(tx, day)
		if err != nil {
			return nil, false, err
		}
		if err := sb.Put(dayKey(day, ""), encodeStatsDay(d)); err != nil {
			return nil, false, err
		}
		out = append(out, *d)
	}
	slices.SortFunc(out, func(x, y cases.StatsDay) int { return cmp.Compare(x.Day, y.Day) })
	return out, false, nil
}

// countCaseDay counts the cases registered on a day from their facts.
func countCaseDay(tx *bolt.Tx, day cases.Date) (*cases.StatsDay, error) {
	d := cases.NewStatsDay(day)
	dec := newFactsDecoder()
	regs := tx.Bucket(bucketCaseRegs).Cursor()
	prefix := dayKey(day, "")
	c := tx.Bucket(bucketCaseFacts).Cursor()
	var places []cases.VisitorReg
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		f, err := dec.decode(v)
		if err != nil {
			return nil, fmt.Errorf("boltstore: case %s: %w", k[4:], err)
		}
		places = places[:0]
		for _, key := range cases.DistinctKeys(f.VisitorKeys) {
			prev, next := neighbours(regs, key, day, f.Code)
			places = append(places, cases.VisitorReg{Prev: prev, Next: next})
		}
		d.Add(f, places)
	}
	d.Sort()
	return d, nil
}

func regKey(key string, day cases.Date, code string) []byte {
	return append([]byte(key+"|"), dayKey(day, code)...)
}

// neighbours returns the days of a visitor's cases just before and after
// one of theirs (0: none), in the order of day and code.
func neighbours(c *bolt.Cursor, key string, day cases.Date, code string) (prev, next cases.Date) {
	prefix := []byte(key + "|")
	at := regKey(key, day, code)
	k, _ := c.Seek(at)
	if k != nil && bytes.Equal(k, at) {
		if n, _ := c.Next(); n != nil && bytes.HasPrefix(n, prefix) {
			next = dayOf(n[len(prefix):])
		}
		c.Seek(at)
	} else if k != nil && bytes.HasPrefix(k, prefix) {
		next = dayOf(k[len(prefix):])
	}
	var p []byte
	if k == nil {
		p, _ = c.Last()
	} else {
		p, _ = c.Prev()
	}
	if p != nil && bytes.HasPrefix(p, prefix) {
		prev = dayOf(p[len(prefix):])
	}
	return prev, next
}

// markCaseStats is putCase's part: the case's day is counted again, and
// the visitor index follows the case's keys, marking the days of the
// same visitor's neighbouring cases, whose place among theirs changed.
func markCaseStats(tx *bolt.Tx, day cases.Date, code string, oldKeys, newKeys []string) error {
	sb := tx.Bucket(bucketCaseDayStats)
	if err := sb.Put(dayKey(day, ""), nil); err != nil {
		return err
	}
	rb := tx.Bucket(bucketCaseRegs)
	mark := func(key string) error {
		prev, next := neighbours(rb.Cursor(), key, day, code)
		for _, d := range []cases.Date{prev, next} {
			if d != 0 {
				if err := sb.Put(dayKey(d, ""), nil); err != nil {
					return err
				}
			}
		}
		return nil
	}
	oldKeys, newKeys = cases.DistinctKeys(oldKeys), cases.DistinctKeys(newKeys)
	for _, k := range oldKeys {
		if slices.Contains(newKeys, k) {
			continue
		}
		if err := mark(k); err != nil {
			return err
		}
		if err := rb.Delete(regKey(k, day, code)); err != nil {
			return err
		}
	}
	for _, k := range newKeys {
		if slices.Contains(oldKeys, k) {
			continue
		}
		if err := rb.Put(regKey(k, day, code), nil); err != nil {
			return err
		}
		if err := mark(k); err != nil {
			return err
		}
	}
	return nil
}

// migrateCaseStats builds the visitor index and marks every day with
// cases to be counted (schema 8).
func migrateCaseStats(tx *bolt.Tx) error {
	sb, err := tx.CreateBucketIfNotExists(bucketCaseDayStats)
	if err != nil {
		return err
	}
	rb, err := tx.CreateBucketIfNotExists(bucketCaseRegs)
	if err != nil {
		return err
	}
	dec := newFactsDecoder()
	return tx.Bucket(bucketCaseFacts).ForEach(func(k, v []byte) error {
		f, err := dec.decode(v)
		if err != nil {
			return fmt.Errorf("case %s: %w", k[4:], err)
		}
		day := dayOf(k)
		if err := sb.Put(dayKey(day, ""), nil); err != nil {
			return err
		}
		for _, key := range cases.DistinctKeys(f.VisitorKeys) {
			if err := rb.Put(regKey(key, day, f.Code), nil); err != nil {
				return err
			}
		}
		return nil
	})
}

// encodeStatsDay writes a sorted day: counts as varints, then each tally.
func encodeStatsDay(d *cases.StatsDay) []byte {
	e := dayEncoder{buf: []byte{caseStatsFormat}}
	for _, n := range d.Counters() {
		e.int(*n)
	}
	e.int(len(d.Types))
	for _, t := range d.Types {
		e.str(t.Key.Type)
		e.str(t.Key.Service)
		e.int(t.N)
	}
	for _, s := range [][]cases.Tally[string]{d.Units, d.Outcomes, d.Channels, d.Statuses} {
		e.int(len(s))
		for _, t := range s {
			e.str(t.Key)
			e.int(t.N)
		}
	}
	for _, s := range [][]cases.Tally[cases.Date]{d.AcceptPending, d.HandlePending, d.OverdueFrom} {
		e.int(len(s))
		for _, t := range s {
			e.uint(uint64(t.Key))
			e.int(t.N)
		}
	}
	e.int(len(d.Regs))
	for _, t := range d.Regs {
		e.uint(uint64(t.Key.Prev))
		e.uint(uint64(t.Key.Next))
		e.int(t.N)
	}
	return e.buf
}

// decodeStatsDay reads a stored day; ok is false when it must be counted
// again (marked, or of another format). An empty tally stays nil, as
// counting leaves it.
func decodeStatsDay(v []byte) (d *cases.StatsDay, ok bool, err error) {
	if len(v) == 0 || v[0] != caseStatsFormat {
		return nil, false, nil
	}
	r := dayDecoder{buf: v[1:]}
	d = cases.NewStatsDay(0)
	for _, p := range d.Counters() {
		*p = r.int()
	}
	d.Types = tallies(&r, func() cases.TypeKey { return cases.TypeKey{Type: r.str(), Service: r.str()} })
	for _, s := range []*[]cases.Tally[string]{&d.Units, &d.Outcomes, &d.Channels, &d.Statuses} {
		*s = tallies(&r, r.str)
	}
	for _, s := range []*[]cases.Tally[cases.Date]{&d.AcceptPending, &d.HandlePending, &d.OverdueFrom} {
		*s = tallies(&r, func() cases.Date { return cases.Date(r.uint()) })
	}
	d.Regs = tallies(&r, func() cases.VisitorReg {
		return cases.VisitorReg{Prev: cases.Date(r.uint()), Next: cases.Date(r.uint())}
	})
	if r.err != nil {
		return nil, false, r.err
	}
	if len(r.buf) != 0 {
		return nil, false, fmt.Errorf("trailing bytes in a day's case statistics")
	}
	return d, true, nil
}

// tallies reads a count and as many keys, each with its number.
func tallies[K comparable](r *dayDecoder, key func() K) []cases.Tally[K] {
	n := r.len()
	if n == 0 {
		return nil
	}
	out := make([]cases.Tally[K], n)
	for i := range out {
		k := key()
		out[i] = cases.Tally[K]{Key: k, N: r.int()}
	}
	return out
}
