package boltstore

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"yiting/queue/cases"
)

// The case statistics of each registration day, month and year
// (cases.StatsDay), so that a year's indicators read one stored year, and
// any period a few months and days, instead of 150,000 facts records
// (issue 15). Four buckets:
//
//	case_day_stats    registration day (4 bytes) → the day's StatsDay, or
//	                  nothing when it must be counted again
//	case_month_stats  a month's first day → its days merged, or nothing
//	                  when it must be merged again
//	case_year_stats   a year's first day → its months merged, or nothing
//	case_regs         visitor key | day | code → nothing: each visitor's
//	                  cases in order, where a registration finds the two
//	                  before it (cases.VisitorReg)
//
// putCase marks the case's day, month and year to count again, and, when
// the case's visitor keys change, those of the same visitor's two cases
// after it, whose registrations look back at it, in the transaction that
// writes the case. StatsDays counts what is marked in the write
// transaction that stores it. A stored day, month or year therefore always
// equals a recount from the facts records, whatever the point a crash
// interrupts (TestCaseStatsSurviveCrash).
var (
	bucketCaseDayStats   = []byte("case_day_stats")
	bucketCaseMonthStats = []byte("case_month_stats")
	bucketCaseYearStats  = []byte("case_year_stats")
	bucketCaseRegs       = []byte("case_regs")
)

// A span is how long a stored piece is: a day, a month or a year, each
// merged from the spans one shorter.
type span int

const (
	spanDay span = iota
	spanMonth
	spanYear
)

var spanBuckets = [...][]byte{bucketCaseDayStats, bucketCaseMonthStats, bucketCaseYearStats}

// bounds are the first day of the span of sp around d and the first day
// after it.
func (sp span) bounds(d cases.Date) (first, next cases.Date) {
	switch sp {
	case spanYear:
		return cases.MakeDate(d.Year(), time.January, 1), cases.MakeDate(d.Year()+1, time.January, 1)
	case spanMonth:
		return d.MonthStart(), d.NextMonth()
	}
	return d, d + 1
}

// caseStatsFormat is the first byte of a stored piece; another is counted
// again. Format 1 placed registrations by their next case; 2 had no
// units' parts.
const caseStatsFormat = 3

// StatsDays implements cases.CaseStore: the whole years and months of the
// period as one piece each, its other days one by one.
func (s *Store) StatsDays(ctx context.Context, from, to cases.Date) ([]cases.StatsDay, error) {
	var out []cases.StatsDay
	stale := false
	err := s.view(ctx, "case statistics", func(tx *bolt.Tx) error {
		var err error
		out, stale, err = statsDays(ctx, tx, from, to, spanYear, false)
		return err
	})
	if err != nil || !stale {
		return out, err
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		var err error
		out, _, err = statsDays(ctx, tx, from, to, spanYear, true)
		return err
	})
	if err != nil {
		return nil, unavailable("case statistics", err)
	}
	return out, nil
}

// statsDays reads the stored pieces of from..to, each as long as it can be
// up to longest; a piece marked to count again is counted and stored when
// the transaction is writable, else reported as stale.
func statsDays(ctx context.Context, tx *bolt.Tx, from, to cases.Date, longest span, write bool) (out []cases.StatsDay, stale bool, err error) {
	type piece struct {
		first cases.Date
		span  span
	}
	var recount []piece
	names := map[string]string{}
	c := tx.Bucket(bucketCaseDayStats).Cursor()
	for k, v := c.Seek(dayKey(max(from, 0), "")); k != nil && dayOf(k) <= to; {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		p, next := piece{first: dayOf(k)}, dayOf(k)+1
		for sp := longest; sp > spanDay; sp-- {
			if first, after := sp.bounds(p.first); first >= from && after-1 <= to {
				p, next = piece{first, sp}, after
				v = tx.Bucket(spanBuckets[sp]).Get(dayKey(first, ""))
				break
			}
		}
		d, ok, err := decodeStatsDay(v, names)
		if err != nil {
			return nil, false, fmt.Errorf("boltstore: case statistics of %s: %w", p.first, err)
		}
		switch {
		case ok:
			d.Day = p.first
			out = append(out, *d)
		case !write:
			return nil, true, nil
		default:
			recount = append(recount, p)
		}
		if p.span == spanDay {
			k, v = c.Next()
		} else {
			k, v = c.Seek(dayKey(next, ""))
		}
	}
	for _, p := range recount {
		var d *cases.StatsDay
		if p.span == spanDay {
			d, err = countCaseDay(tx, p.first)
		} else {
			d, err = mergeCaseSpan(ctx, tx, p.first, p.span)
		}
		if err != nil {
			return nil, false, err
		}
		out = append(out, *d)
	}
	slices.SortFunc(out, func(x, y cases.StatsDay) int { return cmp.Compare(x.Day, y.Day) })
	return out, false, nil
}

// mergeCaseSpan merges a month's days or a year's months, counting those
// marked, and stores it.
func mergeCaseSpan(ctx context.Context, tx *bolt.Tx, first cases.Date, sp span) (*cases.StatsDay, error) {
	_, after := sp.bounds(first)
	parts, _, err := statsDays(ctx, tx, first, after-1, sp-1, true)
	if err != nil {
		return nil, err
	}
	m := cases.MergeStatsDays(first, parts)
	return m, tx.Bucket(spanBuckets[sp]).Put(dayKey(first, ""), encodeStatsDay(m))
}

// countCaseDay counts the cases registered on a day from their facts, and
// stores it.
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
			prev, prev2, _, _ := around(regs, key, day, f.Code)
			places = append(places, cases.VisitorReg{Prev: prev, Prev2: prev2})
		}
		d.Add(f, places)
	}
	d.Sort()
	return d, tx.Bucket(bucketCaseDayStats).Put(dayKey(day, ""), encodeStatsDay(d))
}

func regKey(key string, day cases.Date, code string) []byte {
	return append([]byte(key+"|"), dayKey(day, code)...)
}

// around returns the days of a visitor's two cases just before one of
// theirs and the two just after it (0: none), in the order of day and
// code; the case itself may or may not be in the index.
func around(c *bolt.Cursor, key string, day cases.Date, code string) (prev, prev2, next, next2 cases.Date) {
	prefix := []byte(key + "|")
	at := regKey(key, day, code)
	step := func(k []byte) cases.Date {
		if k == nil || !bytes.HasPrefix(k, prefix) {
			return 0
		}
		return dayOf(k[len(prefix):])
	}
	k, _ := c.Seek(at)
	exact := k != nil && bytes.Equal(k, at)
	if exact {
		k, _ = c.Next()
	}
	if next = step(k); next != 0 {
		n, _ := c.Next()
		next2 = step(n)
	}
	k, _ = c.Seek(at)
	var p []byte
	if k == nil {
		p, _ = c.Last()
	} else {
		p, _ = c.Prev()
	}
	if prev = step(p); prev != 0 {
		p, _ = c.Prev()
		prev2 = step(p)
	}
	return prev, prev2, next, next2
}

// markCaseStats is putCase's part: the case's day, month and year are
// counted again, and the visitor index follows the case's keys, marking the days
// of the same visitor's two next cases, which look back at this one.
func markCaseStats(tx *bolt.Tx, day cases.Date, code string, oldKeys, newKeys []string) error {
	markDay := func(d cases.Date) error {
		for sp, b := range spanBuckets {
			first, _ := span(sp).bounds(d)
			if err := tx.Bucket(b).Put(dayKey(first, ""), nil); err != nil {
				return err
			}
		}
		return nil
	}
	if err := markDay(day); err != nil {
		return err
	}
	rb := tx.Bucket(bucketCaseRegs)
	mark := func(key string) error {
		_, _, next, next2 := around(rb.Cursor(), key, day, code)
		for _, d := range []cases.Date{next, next2} {
			if d != 0 {
				if err := markDay(d); err != nil {
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

// migrateCaseSpans marks every month and year with a day of cases to be
// merged (schema 11); the days themselves are counted again, their format
// having changed.
func migrateCaseSpans(tx *bolt.Tx) error {
	var days []cases.Date
	err := tx.Bucket(bucketCaseDayStats).ForEach(func(k, _ []byte) error {
		days = append(days, dayOf(k))
		return nil
	})
	if err != nil {
		return err
	}
	for _, sp := range []span{spanMonth, spanYear} {
		b, err := tx.CreateBucketIfNotExists(spanBuckets[sp])
		if err != nil {
			return err
		}
		for _, d := range days {
			first, _ := sp.bounds(d)
			if err := b.Put(dayKey(first, ""), nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// encodeStatsDay writes a sorted day: counts as varints, then each tally.
func encodeStatsDay(d *cases.StatsDay) []byte {
	e := dayEncoder{buf: []byte{caseStatsFormat}}
	encodeCounts(&e, d)
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
	for _, days := range []cases.Days{d.Prev, d.Prev2} {
		e.int(len(days) / cases.DaysEntrySize)
		e.buf = append(e.buf, days...)
	}
	e.int(len(d.ByUnit))
	for i := range d.ByUnit {
		e.str(d.ByUnit[i].Unit)
		encodeCounts(&e, &d.ByUnit[i].StatsDay)
	}
	return e.buf
}

// encodeCounts writes what a unit's part has too: the plain counts and
// the due days.
func encodeCounts(e *dayEncoder, d *cases.StatsDay) {
	for _, n := range d.Counters() {
		e.int(*n)
	}
	for _, s := range [][]cases.Tally[cases.Date]{d.AcceptPending, d.HandlePending, d.OverdueFrom} {
		e.int(len(s))
		for _, t := range s {
			e.uint(uint64(t.Key))
			e.int(t.N)
		}
	}
}

func decodeCounts(r *dayDecoder, d *cases.StatsDay) {
	for _, p := range d.Counters() {
		*p = r.int()
	}
	for _, s := range []*[]cases.Tally[cases.Date]{&d.AcceptPending, &d.HandlePending, &d.OverdueFrom} {
		*s = tallies(r, func() cases.Date { return cases.Date(r.uint()) })
	}
}

// decodeStatsDay reads a stored day; ok is false when it must be counted
// again (marked, or of another format). An empty tally stays nil, as
// counting leaves it.
func decodeStatsDay(v []byte, names map[string]string) (d *cases.StatsDay, ok bool, err error) {
	if len(v) == 0 || v[0] != caseStatsFormat {
		return nil, false, nil
	}
	r := dayDecoder{buf: v[1:], names: names}
	d = cases.NewStatsDay(0)
	decodeCounts(&r, d)
	d.Types = tallies(&r, func() cases.TypeKey { return cases.TypeKey{Type: r.str(), Service: r.str()} })
	for _, s := range []*[]cases.Tally[string]{&d.Units, &d.Outcomes, &d.Channels, &d.Statuses} {
		*s = tallies(&r, r.str)
	}
	for _, days := range []*cases.Days{&d.Prev, &d.Prev2} {
		n := cases.DaysEntrySize * r.len()
		if r.err == nil && n > len(r.buf) {
			r.err = errDayStatsShort
		}
		if r.err == nil && n > 0 {
			*days = bytes.Clone(r.buf[:n]) // the transaction's memory is not ours
			r.buf = r.buf[n:]
			if !days.Valid() {
				r.err = errors.New("a table of days out of order")
			}
		}
	}
	if n := r.len(); n > 0 {
		d.ByUnit = make([]cases.UnitDay, n)
		for i := range d.ByUnit {
			d.ByUnit[i].Unit = r.str()
			decodeCounts(&r, &d.ByUnit[i].StatsDay)
		}
	}
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
