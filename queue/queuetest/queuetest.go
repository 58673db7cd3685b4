// Package queuetest holds what the hall's tests share, as httptest does
// for net/http: a settable clock, the hall's time zone, a log buffer safe
// for concurrent writers, and a real hall (store, engine, case book) to
// run against (NewHall). The domain's own internal tests cannot import it.
package queuetest

import (
	"bytes"
	"sync"
	"testing"
	"time"
)

// Clock is a clock a test sets and advances; its Now is safe for
// concurrent use and fits every `now func() time.Time` the code injects.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock that reads t until it is set or advanced.
func NewClock(t time.Time) *Clock { return &Clock{t: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Set moves the clock to t, backwards too (a Pi booting without NTP).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Shanghai is the hall's default time zone, Asia/Shanghai.
func Shanghai(tb testing.TB) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

// Buffer collects what a logger writes from several goroutines, for a
// test to search: "no full ID number reached the log".
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

// String returns everything written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
