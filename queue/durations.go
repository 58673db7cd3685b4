package queue

import (
	"maps"
	"slices"
	"time"
)

// durations is a distribution of durations at one-second resolution: the
// count of each whole second, with the exact sum and maximum in
// milliseconds. It gives the same mean, maximum and nearest-rank 90th
// percentile (to the second) whether it was filled one ticket at a time
// or merged from the stored days of a year (DayStats), and it costs the
// seconds seen, not the tickets.
type durations struct {
	n     int
	sumMs uint64
	maxMs uint32
	dense []uint32          // dense[s]: durations of s whole seconds, s < denseSeconds
	over  map[uint32]uint32 // seconds ≥ denseSeconds (a wait of over four hours)
}

// denseSeconds bounds the dense part: four hours, 56 KiB at most.
const denseSeconds = 4 * 3600

func (d *durations) add(ms uint32) { d.addCount(ms/1000, 1, uint64(ms), ms) }

func (d *durations) addCount(sec, n uint32, sumMs uint64, maxMs uint32) {
	d.n += int(n)
	d.sumMs += sumMs
	d.maxMs = max(d.maxMs, maxMs)
	if sec >= denseSeconds {
		if d.over == nil {
			d.over = map[uint32]uint32{}
		}
		d.over[sec] += n
		return
	}
	if int(sec) >= len(d.dense) {
		d.dense = slices.Grow(d.dense, int(sec)+1-len(d.dense))[:sec+1]
	}
	d.dense[sec] += n
}

// merge adds a stored distribution.
func (d *durations) merge(c DurationCounts) {
	if c.Count == 0 {
		return
	}
	d.n += c.Count
	d.sumMs += c.SumMs
	d.maxMs = max(d.maxMs, c.MaxMs)
	// The seconds are in order: grow the dense part once, to the last
	// one it holds.
	for i := len(c.Seconds) - 1; i >= 0; i-- {
		if last := c.Seconds[i].Second; last < denseSeconds {
			if int(last) >= len(d.dense) {
				d.dense = slices.Grow(d.dense, int(last)+1-len(d.dense))[:last+1]
			}
			break
		}
	}
	for _, s := range c.Seconds {
		if s.Second < denseSeconds {
			d.dense[s.Second] += s.N
			continue
		}
		if d.over == nil {
			d.over = map[uint32]uint32{}
		}
		d.over[s.Second] += s.N
	}
}

// counts is the stored form.
func (d *durations) counts() DurationCounts {
	c := DurationCounts{Count: d.n, SumMs: d.sumMs, MaxMs: d.maxMs}
	for s, n := range d.dense {
		if n > 0 {
			c.Seconds = append(c.Seconds, SecondCount{Second: uint32(s), N: n})
		}
	}
	for _, s := range slices.Sorted(maps.Keys(d.over)) {
		c.Seconds = append(c.Seconds, SecondCount{Second: s, N: d.over[s]})
	}
	return c
}

// summary is count, mean, nearest-rank 90th percentile (to the second)
// and maximum.
func (d *durations) summary() DurationStats {
	if d.n == 0 {
		return DurationStats{}
	}
	s := DurationStats{Count: d.n, Mean: time.Duration(d.sumMs/uint64(d.n)) * time.Millisecond,
		Max: time.Duration(d.maxMs) * time.Millisecond}
	rank := uint64((d.n*90 + 99) / 100) // ceil(0.9 n), 1-based
	var seen uint64
	for sec, n := range d.dense {
		if seen += uint64(n); seen >= rank {
			s.P90 = time.Duration(sec) * time.Second
			return s
		}
	}
	for _, sec := range slices.Sorted(maps.Keys(d.over)) {
		if seen += uint64(d.over[sec]); seen >= rank {
			s.P90 = time.Duration(sec) * time.Second
			return s
		}
	}
	return s
}

// DurationCounts is a stored distribution of durations: how many, their
// exact sum and maximum in milliseconds, and the count of each whole
// second, in order.
type DurationCounts struct {
	Count   int
	SumMs   uint64
	MaxMs   uint32
	Seconds []SecondCount
}

// SecondCount is how many durations lasted Second whole seconds.
type SecondCount struct{ Second, N uint32 }
