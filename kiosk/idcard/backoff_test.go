package idcard

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	for _, tc := range []struct {
		name string
		rand func(int64) int64
	}{
		{"lowest jitter", func(int64) int64 { return 0 }},
		{"highest jitter", func(n int64) int64 { return n - 1 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackoff(100*time.Millisecond, time.Second)
			b.rand = tc.rand
			caps := []time.Duration{100, 200, 400, 800, 1000, 1000, 1000}
			for i, c := range caps {
				c *= time.Millisecond
				d := b.next()
				if d < c/2 || d > c {
					t.Errorf("wait %d: %v, want within [%v, %v]", i, d, c/2, c)
				}
			}
			b.reset()
			if d := b.next(); d > 100*time.Millisecond {
				t.Errorf("after reset: %v", d)
			}
		})
	}
	// Real randomness stays within bounds too.
	b := newBackoff(10*time.Millisecond, 80*time.Millisecond)
	for i := range 100 {
		if d := b.next(); d < 5*time.Millisecond || d > 80*time.Millisecond {
			t.Fatalf("wait %d: %v", i, d)
		}
	}
}
