package access

import (
	"sync"
	"time"
)

// Limit is a login rate limit for one key (a user name or a client
// address). Failures count while they come less than Window apart; once
// there have been Failures of them, each further failure locks the key for
// Delay, doubling with every failure after that up to MaxDelay. A key is
// forgotten after Window passes with no failure and no lock.
type Limit struct {
	Failures int           // failures before the first lock
	Window   time.Duration // quiet time after which failures are forgotten
	Delay    time.Duration // the first lock
	MaxDelay time.Duration // the longest lock
}

// DefaultUserLimit is the limit per user name: 5 failures within 15
// minutes lock the name for 1 minute, then 2, 4, … up to an hour.
func DefaultUserLimit() Limit {
	return Limit{Failures: 5, Window: 15 * time.Minute, Delay: time.Minute, MaxDelay: time.Hour}
}

// DefaultIPLimit is the limit per client address. It is more generous than
// the per-user one because a hall's consoles may reach the server through
// one address (a NAT or reverse proxy); guessing one account is bounded by
// the per-user limit anyway.
func DefaultIPLimit() Limit {
	return Limit{Failures: 20, Window: 15 * time.Minute, Delay: time.Minute, MaxDelay: time.Hour}
}

func (l Limit) valid() bool {
	return l.Failures > 0 && l.Window > 0 && l.Delay > 0 && l.MaxDelay >= l.Delay
}

// delay is the lock after the count-th failure (count ≥ Failures).
func (l Limit) delay(count int) time.Duration {
	d := l.Delay
	for i := l.Failures; i < count && d < l.MaxDelay; i++ {
		d *= 2
	}
	return min(d, l.MaxDelay)
}

// strikes is the state of one key.
type strikes struct {
	lim      Limit
	count    int       // failures not yet forgotten
	inflight int       // admitted attempts not yet done
	last     time.Time // last failure
	until    time.Time // locked before this
}

// forget resets the count after a quiet Window.
func (s *strikes) forget(now time.Time) {
	quietSince := s.last
	if s.until.After(quietSince) {
		quietSince = s.until
	}
	if s.count > 0 && now.Sub(quietSince) >= s.lim.Window {
		s.count, s.until = 0, time.Time{}
	}
}

// allowed is how many attempts may be in flight at once: while below the
// threshold, as many as failures remain before it; past it, one at a time,
// so a burst of parallel guesses cannot slip in before the lock is set.
func (s *strikes) allowed() int { return max(1, s.lim.Failures-s.count) }

// limiter counts login failures per key. Attempts are admitted before the
// password is checked and reported done after, so parallel attempts are
// counted while bcrypt runs.
type limiter struct {
	mu        sync.Mutex
	keys      map[string]*strikes
	nextSweep int
}

const minSweep = 1024

func newLimiter() *limiter {
	return &limiter{keys: make(map[string]*strikes), nextSweep: minSweep}
}

// limitKey names a key and its limit.
type limitKey struct {
	name string
	lim  Limit
}

// admit reserves an attempt on every key, or reserves none and reports
// the earliest time to try again (now when only the in-flight bound was
// hit).
func (l *limiter) admit(now time.Time, keys ...limitKey) (retry time.Time, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ok = true
	for _, k := range keys {
		s := l.keys[k.name]
		if s == nil {
			continue
		}
		s.forget(now)
		switch {
		case now.Before(s.until):
			ok = false
			if s.until.After(retry) {
				retry = s.until
			}
		case s.inflight >= s.allowed():
			ok = false
			if now.After(retry) {
				retry = now
			}
		}
	}
	if !ok {
		return retry, false
	}
	for _, k := range keys {
		s := l.keys[k.name]
		if s == nil {
			s = &strikes{lim: k.lim}
			l.keys[k.name] = s
		}
		s.inflight++
	}
	l.sweep(now)
	return time.Time{}, true
}

// fail ends admitted attempts on keys as failures.
func (l *limiter) fail(now time.Time, keys ...limitKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		s := l.keys[k.name]
		if s == nil { // admitted attempts are never swept
			continue
		}
		s.inflight--
		s.forget(now)
		s.count++
		s.last = now
		if s.count >= s.lim.Failures {
			s.until = now.Add(s.lim.delay(s.count))
		}
	}
}

// done ends admitted attempts on keys without a failure (the password was
// right); the keys in clear lose their failures too.
func (l *limiter) done(keys []limitKey, clear ...limitKey) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if s := l.keys[k.name]; s != nil {
			s.inflight--
		}
	}
	for _, k := range clear {
		if s := l.keys[k.name]; s != nil {
			s.count, s.until = 0, time.Time{}
			if s.inflight == 0 {
				delete(l.keys, k.name)
			}
		}
	}
}

// sweep drops forgotten keys once the map has doubled since the last
// sweep, so keys from a spray of made-up user names do not pile up. The
// cost is amortised over the insertions. Called with mu held.
func (l *limiter) sweep(now time.Time) {
	if len(l.keys) < l.nextSweep {
		return
	}
	for name, s := range l.keys {
		s.forget(now)
		if s.count == 0 && s.inflight == 0 {
			delete(l.keys, name)
		}
	}
	l.nextSweep = max(minSweep, 2*len(l.keys))
}
