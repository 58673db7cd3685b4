package idcard

import (
	"math/rand/v2"
	"time"
)

// backoff is the wait before reopening a port that failed: it doubles from
// lo up to hi, and each wait is a random point in its upper half, so that
// kiosks restarted together do not hammer their readers in step.
type backoff struct {
	lo, hi time.Duration
	cur    time.Duration
	rand   func(n int64) int64 // uniform in [0, n); rand.Int64N by default
}

func newBackoff(lo, hi time.Duration) *backoff {
	return &backoff{lo: lo, hi: hi, cur: lo, rand: rand.Int64N}
}

// next returns the wait before the next attempt and doubles the following
// one, up to hi.
func (b *backoff) next() time.Duration {
	half := b.cur / 2
	d := b.cur - half + time.Duration(b.rand(int64(half)+1))
	b.cur = min(2*b.cur, b.hi)
	return d
}

// reset starts over from lo, after the port worked for a while.
func (b *backoff) reset() { b.cur = b.lo }
