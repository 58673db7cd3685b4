package queue

import (
	"context"
	"sync"
)

// Feed hands committed events to live subscribers: displays, consoles,
// pads. Recent events are kept in memory; a subscriber that fell further
// behind (a board that lost Wi-Fi for an hour) is served from the store's
// event log, so it misses nothing.
type Feed struct {
	store Store

	mu     sync.Mutex
	ring   []Event // the latest events, oldest first, between size and 2×size
	size   int
	last   uint64
	wake   chan struct{} // closed and replaced on every publish
	closed bool
}

func newFeed(store Store, last uint64, size int) *Feed {
	return &Feed{store: store, last: last, size: size, wake: make(chan struct{})}
}

func (f *Feed) publish(evs []Event) {
	if len(evs) == 0 {
		return
	}
	f.mu.Lock()
	f.ring = append(f.ring, evs...)
	if over := len(f.ring) - f.size; over > f.size { // trim seldom: amortised O(1)
		f.ring = append(f.ring[:0:0], f.ring[over:]...)
	}
	f.last = evs[len(evs)-1].Seq
	close(f.wake)
	f.wake = make(chan struct{})
	f.mu.Unlock()
}

func (f *Feed) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		f.closed = true
		close(f.wake)
	}
}

// Last is the sequence number of the latest committed event.
func (f *Feed) Last() uint64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

// Wait returns up to limit events after the given sequence number,
// blocking until there is at least one. It returns ctx.Err() when ctx
// ends and ErrUnavailable when the engine stops.
func (f *Feed) Wait(ctx context.Context, after uint64, limit int) ([]Event, error) {
	for {
		f.mu.Lock()
		last, wake, closed := f.last, f.wake, f.closed
		if after < last {
			if len(f.ring) > 0 && f.ring[0].Seq <= after+1 {
				i := int(after + 1 - f.ring[0].Seq)
				j := min(len(f.ring), i+limit)
				out := append([]Event(nil), f.ring[i:j]...)
				f.mu.Unlock()
				return out, nil
			}
			f.mu.Unlock()
			return f.store.Events(ctx, after, limit)
		}
		f.mu.Unlock()
		if closed {
			return nil, Errorf(EUNAVAILABLE, "系统正在停止 (shutting down)")
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
