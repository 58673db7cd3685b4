package access

import (
	"fmt"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 9, 8, 30, 0, 0, time.UTC)

func TestLimitDelayGrowsToCap(t *testing.T) {
	l := Limit{Failures: 5, Window: 15 * time.Minute, Delay: time.Minute, MaxDelay: time.Hour}
	want := map[int]time.Duration{5: time.Minute, 6: 2 * time.Minute, 7: 4 * time.Minute, 10: 32 * time.Minute, 11: time.Hour, 1000: time.Hour}
	for count, d := range want {
		if got := l.delay(count); got != d {
			t.Errorf("delay after %d failures = %v, want %v", count, got, d)
		}
	}
}

// TestLimiterBoundsParallelAttempts: attempts admitted but not yet done
// (bcrypt still running) count, so a burst cannot exceed the limit.
func TestLimiterBoundsParallelAttempts(t *testing.T) {
	lim := newLimiter()
	k := limitKey{name: "user:zhangsan", lim: Limit{Failures: 5, Window: time.Minute, Delay: time.Minute, MaxDelay: time.Hour}}
	for i := range 5 {
		if _, ok := lim.admit(t0, k); !ok {
			t.Fatalf("attempt %d refused", i+1)
		}
	}
	if _, ok := lim.admit(t0, k); ok {
		t.Fatalf("a sixth parallel attempt was admitted")
	}
	for range 5 {
		lim.fail(t0, k)
	}
	retry, ok := lim.admit(t0, k)
	if ok || !retry.Equal(t0.Add(time.Minute)) {
		t.Fatalf("after five failures: admit = %v, %v", retry, ok)
	}
	// Past the threshold, one attempt at a time once the lock lifts.
	t1 := t0.Add(time.Minute)
	if _, ok := lim.admit(t1, k); !ok {
		t.Fatal("refused after the lock lifted")
	}
	if _, ok := lim.admit(t1, k); ok {
		t.Fatal("two parallel attempts admitted past the threshold")
	}
	lim.done([]limitKey{k}, k)
	if _, ok := lim.admit(t1, k); !ok {
		t.Fatal("refused after a success cleared the key")
	}
}

func TestLimiterRefusesAllKeysOrNone(t *testing.T) {
	lim := newLimiter()
	l := Limit{Failures: 1, Window: time.Minute, Delay: time.Minute, MaxDelay: time.Minute}
	user, ip := limitKey{"user:a", l}, limitKey{"ip:x", l}
	lim.admit(t0, ip)
	lim.fail(t0, ip)
	if _, ok := lim.admit(t0, user, ip); ok {
		t.Fatal("admitted with a locked address")
	}
	if s := lim.keys["user:a"]; s != nil && s.inflight != 0 {
		t.Fatalf("a refused attempt reserved the user key: %+v", s)
	}
}

func TestLimiterSweepsForgottenKeys(t *testing.T) {
	lim := newLimiter()
	l := Limit{Failures: 5, Window: time.Minute, Delay: time.Minute, MaxDelay: time.Hour}
	for i := range 3 * minSweep {
		k := limitKey{fmt.Sprintf("user:spray%d", i), l}
		now := t0.Add(time.Duration(i) * time.Millisecond)
		lim.admit(now, k)
		lim.fail(now, k)
	}
	later := t0.Add(time.Hour)
	for i := range minSweep {
		k := limitKey{fmt.Sprintf("user:late%d", i), l}
		lim.admit(later, k)
		lim.fail(later, k)
	}
	if n := len(lim.keys); n > 2*minSweep {
		t.Errorf("%d keys kept; forgotten ones were not swept", n)
	}
}
