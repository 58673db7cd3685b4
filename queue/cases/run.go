package cases

import (
	"context"
	"sync"
	"time"
)

// SweepEvery is how often Run sweeps for automatic supervision; the
// anonymisation of expired cases runs on the first sweep of each day.
const SweepEvery = time.Minute

// Run does the book's background work until ctx ends: it follows the
// engine's event feed for bad ratings (FollowRatings; skipped if feed is
// nil), sweeps for automatic supervision every SweepEvery, and anonymises
// expired cases once a day. Errors of a sweep are logged and retried on
// the next; an error of the rating follower is logged and the follower
// restarted after a pause. Run returns when ctx ends and everything it
// started has stopped. The caller (cmd/yiting) starts it in one goroutine
// and waits for it before closing the store.
func (b *Book) Run(ctx context.Context, feed EventWaiter) {
	var wg sync.WaitGroup
	if feed != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if err := b.FollowRatings(ctx, feed); err != nil {
					b.log.Error("following ratings for rectification failed; retrying", "err", err)
					select {
					case <-ctx.Done():
					case <-time.After(5 * time.Second):
					}
				}
			}
		}()
	}
	tick := time.NewTicker(SweepEvery)
	defer tick.Stop()
	var lastAnon Date
	for {
		if n, err := b.Sweep(ctx); err != nil && ctx.Err() == nil {
			b.log.Error("supervision sweep failed", "err", err)
		} else if n > 0 {
			b.log.Info("automatic supervision opened", "notices", n)
		}
		if today := b.today(); today != lastAnon {
			if n, err := b.Anonymise(ctx); err != nil && ctx.Err() == nil {
				b.log.Error("anonymising expired cases failed", "err", err)
			} else {
				lastAnon = today
				if n > 0 {
					b.log.Info("expired cases anonymised", "cases", n)
				}
			}
		}
		select {
		case <-ctx.Done():
			wg.Wait()
			return
		case <-tick.C:
		}
	}
}
