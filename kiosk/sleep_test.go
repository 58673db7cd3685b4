package kiosk

import (
	"context"
	"testing"
)

// A retry's wait that ends as the visitor leaves must not start another
// attempt: with both the timer and the context ready, select alone would
// pick either.
func TestSleepEndsWithItsContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for i := range 200 {
		if sleep(ctx, 0) {
			t.Fatalf("sleep %d reported a full wait on an ended context", i)
		}
	}
}
