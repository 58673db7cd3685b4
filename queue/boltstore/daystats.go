package boltstore

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
)

// The statistics of each business day, month and year (queue.DayStats),
// so that a year's dashboard reads one stored year, and any period a few
// months and days, instead of 250,000 tickets (issue 15). A record is
// computed the first time it is asked for — a day from its tickets, a
// month from its days, a year from its months — inside the write
// transaction that stores it, and deleted by every commit that writes one
// of its tickets (Commit): bbolt serialises the two, so a stored record
// always equals a recount of its tickets, whatever the point a crash
// interrupts (TestDayStatsSurviveCrash). Only the caller's closed days are
// asked for: today's tickets change at every commit and are counted from
// the tickets themselves.
//
//	day_stats  "2006-01-02", "2006-01" or "2006" → encodeDayStats
var bucketDayStats = []byte("day_stats")

// dayStatsFormat is the first byte of a record; a record of another format
// or of another time zone is recomputed. 2: the wait split between
// appointment tickets and walk-ins; 3: the days of a month or year.
const dayStatsFormat = 3

// DayStats returns the statistics of from..to (inclusive, "2006-01-02")
// as the store keeps them: each whole year and month of the period as one
// piece, its other days with tickets one by one, in order; it computes and
// stores those not stored yet. Hours of the day count in loc.
func (s *Store) DayStats(ctx context.Context, from, to string, loc *time.Location) ([]queue.DayStats, error) {
	var out []queue.DayStats
	stale := false
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		out, stale, err = dayPieces(ctx, tx, from, to, loc, len("2006"), false)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: day statistics: %w", err)
	}
	if !stale {
		return out, nil
	}
	err = s.db.Update(func(tx *bolt.Tx) error {
		var err error
		out, _, err = dayPieces(ctx, tx, from, to, loc, len("2006"), true)
		return err
	})
	if err != nil {
		return nil, unavailable("day statistics", err)
	}
	return out, nil
}

// dayPieces reads the stored pieces of from..to, each as long as it can be
// down to the key length shortest (4: years, 7: months, 10: days only); a
// piece not stored is counted and stored when the transaction is writable,
// else reported as stale.
func dayPieces(ctx context.Context, tx *bolt.Tx, from, to string, loc *time.Location, shortest int, write bool) (out []queue.DayStats, stale bool, err error) {
	sb := tx.Bucket(bucketDayStats)
	var missing []string
	c := tx.Bucket(bucketDays).Cursor()
	for k, _ := c.Seek([]byte(from)); k != nil && string(k) <= to; {
		if err := ctx.Err(); err != nil {
			return nil, false, err
		}
		key, next := string(k), ""
		for _, n := range []int{len("2006"), len("2006-01")} {
			if len(k) != len("2006-01-02") {
				break
			}
			if first, last, after := pieceBounds(string(k[:n])); n >= shortest && first >= from && last <= to {
				key, next = string(k[:n]), after
				break
			}
		}
		d, ok, err := decodeDayStats(sb.Get([]byte(key)), loc)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", key, err)
		}
		switch {
		case ok:
			d.Day = key
			out = append(out, d)
		case !write:
			return nil, true, nil
		default:
			missing = append(missing, key)
		}
		if next == "" {
			k, _ = c.Next()
		} else {
			k, _ = c.Seek([]byte(next))
		}
	}
	for _, key := range missing {
		var d queue.DayStats
		if len(key) == len("2006-01-02") {
			d, err = countDay(tx, key, loc)
		} else {
			first, last, _ := pieceBounds(key)
			var parts []queue.DayStats
			parts, _, err = dayPieces(ctx, tx, first, last, loc, len(key)+3, true)
			d = queue.MergeDayStats(key, first, last, loc, parts)
		}
		if err != nil {
			return nil, false, err
		}
		if err := sb.Put([]byte(key), encodeDayStats(&d, loc)); err != nil {
			return nil, false, err
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(x, y queue.DayStats) int { return cmp.Compare(x.Day, y.Day) })
	return out, false, nil
}

// pieceBounds are the first and last business days of a year ("2006") or
// month ("2006-01") and the first day after it.
func pieceBounds(key string) (first, last, after string) {
	t, err := time.Parse("2006-01"[:len(key)], key)
	if err != nil {
		return "", "", "" // never whole
	}
	next := t.AddDate(1, 0, 0)
	if len(key) == len("2006-01") {
		next = t.AddDate(0, 1, 0)
	}
	return t.Format(time.DateOnly), next.AddDate(0, 0, -1).Format(time.DateOnly), next.Format(time.DateOnly)
}

// countDay counts the tickets of one business day from the tickets
// bucket.
func countDay(tx *bolt.Tx, day string, loc *time.Location) (queue.DayStats, error) {
	b := queue.NewStatsBuilder(day, day, loc)
	first := tx.Bucket(bucketDays).Get([]byte(day))
	if first == nil {
		return b.DayStats(), nil
	}
	c := tx.Bucket(bucketTickets).Cursor()
	for k, v := c.Seek(first); k != nil; k, v = c.Next() {
		t, err := decodeTicket(v)
		if err != nil {
			return queue.DayStats{}, fmt.Errorf("ticket %d: %w", btoi(k), err)
		}
		if t.Day > day {
			break
		}
		if t.Day == day {
			b.Add(t)
		}
	}
	return b.DayStats(), nil
}

// dropDayStats deletes the stored statistics of the days whose tickets a
// commit writes.
func dropDayStats(tx *bolt.Tx, tickets []*queue.Ticket) error {
	sb := tx.Bucket(bucketDayStats)
	last := ""
	for _, t := range tickets {
		if t.Day == last {
			continue
		}
		last = t.Day
		for _, key := range []string{t.Day, t.Day[:min(len(t.Day), len("2006-01"))], t.Day[:min(len(t.Day), len("2006"))]} {
			if err := sb.Delete([]byte(key)); err != nil {
				return err
			}
		}
	}
	return nil
}

// encodeDayStats writes a day compactly: varints, strings with their
// length, the distributions as (second, count) pairs.
func encodeDayStats(d *queue.DayStats, loc *time.Location) []byte {
	e := dayEncoder{buf: []byte{dayStatsFormat}}
	e.str(loc.String())
	for _, n := range []int{d.Tickets, d.Served, d.NoShows, d.Cancelled, d.Expired, d.Unfinished} {
		e.int(n)
	}
	for _, n := range d.ByHour {
		e.int(n)
	}
	e.group(&d.All)
	for _, gs := range [][]queue.DayGroup{d.ByService, d.ByCounter, d.ByStaff} {
		e.int(len(gs))
		for i := range gs {
			e.group(&gs[i])
		}
	}
	e.int(len(d.BadRatings))
	for _, b := range d.BadRatings {
		e.uint(b.TicketID)
		for _, s := range []string{b.Number, b.Day, b.ServiceID, b.CounterID, b.StaffID} {
			e.str(s)
		}
		e.int(int(b.Level))
		e.int(len(b.Reasons))
		for _, r := range b.Reasons {
			e.str(r)
		}
		at := uint64(0) // no time
		if !b.At.IsZero() {
			at = uint64(b.At.UnixNano())
		}
		e.uint(at)
	}
	e.int(len(d.ByDay))
	for _, c := range d.ByDay {
		e.str(c.Day)
		e.int(c.Issued)
		e.int(c.Served)
	}
	return e.buf
}

type dayEncoder struct{ buf []byte }

func (e *dayEncoder) uint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }
func (e *dayEncoder) int(v int)     { e.uint(uint64(v)) }
func (e *dayEncoder) str(s string) {
	e.int(len(s))
	e.buf = append(e.buf, s...)
}

func (e *dayEncoder) group(g *queue.DayGroup) {
	e.str(g.ID)
	for _, n := range []int{g.Issued, g.Served, g.NoShows, g.Ratings.Completed, g.Ratings.Rated, g.Ratings.Satisfied, g.Ratings.Bad} {
		e.int(n)
	}
	for _, n := range g.Ratings.Levels {
		e.int(n)
	}
	for _, c := range []*queue.DurationCounts{&g.Wait, &g.Service, &g.AppointmentWait, &g.WalkInWait} {
		e.int(c.Count)
		e.uint(c.SumMs)
		e.uint(uint64(c.MaxMs))
		e.int(len(c.Seconds))
		prev := uint32(0)
		for _, s := range c.Seconds {
			e.uint(uint64(s.Second - prev)) // in order: the gap is small
			e.uint(uint64(s.N))
			prev = s.Second
		}
	}
}

// decodeDayStats reads a record; ok is false when there is none or it must
// be recomputed (another format, another zone).
func decodeDayStats(v []byte, loc *time.Location) (d queue.DayStats, ok bool, err error) {
	if len(v) == 0 || v[0] != dayStatsFormat {
		return d, false, nil
	}
	r := dayDecoder{buf: v[1:]}
	if r.str() != loc.String() {
		return d, false, nil
	}
	for _, p := range []*int{&d.Tickets, &d.Served, &d.NoShows, &d.Cancelled, &d.Expired, &d.Unfinished} {
		*p = r.int()
	}
	for h := range d.ByHour {
		d.ByHour[h] = r.int()
	}
	r.group(&d.All)
	for _, gs := range []*[]queue.DayGroup{&d.ByService, &d.ByCounter, &d.ByStaff} {
		n := r.len()
		*gs = make([]queue.DayGroup, n)
		for i := range n {
			r.group(&(*gs)[i])
		}
	}
	n := r.len()
	for range n {
		b := queue.BadRating{TicketID: r.uint()}
		for _, p := range []*string{&b.Number, &b.Day, &b.ServiceID, &b.CounterID, &b.StaffID} {
			*p = r.str()
		}
		b.Level = queue.Level(r.int())
		if m := r.len(); m > 0 {
			b.Reasons = make([]string, m)
			for i := range m {
				b.Reasons[i] = r.str()
			}
		}
		if at := r.uint(); at != 0 {
			b.At = time.Unix(0, int64(at))
		}
		d.BadRatings = append(d.BadRatings, b)
	}
	if n := r.len(); n > 0 {
		d.ByDay = make([]queue.DayCount, n)
		for i := range d.ByDay {
			d.ByDay[i] = queue.DayCount{Day: r.str(), Issued: r.int(), Served: r.int()}
		}
	}
	if r.err != nil {
		return queue.DayStats{}, false, r.err
	}
	if len(r.buf) != 0 {
		return queue.DayStats{}, false, errors.New("trailing bytes in the day's statistics")
	}
	return d, true, nil
}

type dayDecoder struct {
	buf []byte
	err error
	// names, when set, holds the strings read so far: the many pieces of
	// a period name the same few units and types, read once each.
	names map[string]string
}

var errDayStatsShort = errors.New("the day's statistics are cut short")

func (r *dayDecoder) uint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.buf)
	if n <= 0 {
		r.err = errDayStatsShort
		return 0
	}
	r.buf = r.buf[n:]
	return v
}

func (r *dayDecoder) int() int { return int(r.uint()) }

// len reads a count, bounded by the bytes left (each item takes one at
// least), so a damaged record never allocates beyond its own size.
func (r *dayDecoder) len() int {
	n := r.uint()
	if n > uint64(len(r.buf)) {
		r.err = errDayStatsShort
		return 0
	}
	return int(n)
}

func (r *dayDecoder) str() string {
	n := r.len()
	if r.err != nil {
		return ""
	}
	b := r.buf[:n]
	r.buf = r.buf[n:]
	if r.names == nil {
		return string(b)
	}
	s, ok := r.names[string(b)]
	if !ok {
		s = string(b)
		r.names[s] = s
	}
	return s
}

func (r *dayDecoder) group(g *queue.DayGroup) {
	g.ID = r.str()
	for _, p := range []*int{&g.Issued, &g.Served, &g.NoShows, &g.Ratings.Completed, &g.Ratings.Rated, &g.Ratings.Satisfied, &g.Ratings.Bad} {
		*p = r.int()
	}
	for l := range g.Ratings.Levels {
		g.Ratings.Levels[l] = r.int()
	}
	for _, c := range []*queue.DurationCounts{&g.Wait, &g.Service, &g.AppointmentWait, &g.WalkInWait} {
		c.Count = r.int()
		c.SumMs = r.uint()
		c.MaxMs = uint32(r.uint())
		n := r.len()
		if n > 0 {
			c.Seconds = make([]queue.SecondCount, n)
		}
		sec := uint32(0)
		for i := range n {
			sec += uint32(r.uint())
			c.Seconds[i] = queue.SecondCount{Second: sec, N: uint32(r.uint())}
		}
	}
}
