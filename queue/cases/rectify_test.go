package cases_test

import (
	"context"
	"sync"
	"testing"
	"time"
	"yiting/queue/queuetest"

	"yiting/queue"
	"yiting/queue/cases"
)

func ratedEvent(seq, ticket uint64, counter string, level queue.Level, at time.Time) queue.Event {
	return queue.Event{Seq: seq, Time: at, Type: queue.EventRated, Actor: "pad:p1", Ticket: &queue.Ticket{
		ID: ticket, Number: "A012", Day: at.Format(time.DateOnly), ServiceID: "petition", Status: queue.StatusDone,
		CounterID: counter, StaffID: "clerk1", Rating: &queue.Rating{Level: level, Reasons: []string{"态度差"}, At: at, By: "pad:p1"},
	}}
}

func TestRectificationFromBadRating(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now() // Thu 2026-11-26
	if err := f.book.OnRated(ctx, ratedEvent(1, 10, "win-01", queue.Satisfied, now)); err != nil {
		t.Fatal(err)
	}
	if err := f.book.OnRated(ctx, queue.Event{Seq: 2, Type: queue.EventCalled, Ticket: &queue.Ticket{ID: 11}}); err != nil {
		t.Fatal(err)
	}
	if len(f.store.rects) != 0 {
		t.Fatal("a good rating or another event opened an item")
	}
	for range 2 { // the same rating twice: one item
		if err := f.book.OnRated(ctx, ratedEvent(3, 12, "win-01", queue.VeryDissatisfied, now)); err != nil {
			t.Fatal(err)
		}
	}
	items := must[[]cases.Rectification](t)(f.book.Rectifications(ctx, boss, true))
	// 15 working days from Thu 2026-11-26 → Thu 12-17.
	if len(items) != 1 || items[0].Unit != "信访局" || items[0].Due != d(2026, 12, 17) || items[0].LevelName != "非常不满意" || items[0].Overdue {
		t.Fatalf("items %+v", items)
	}
	// The unit's clerks see it; another unit's do not; pads never.
	if l := must[[]cases.Rectification](t)(f.book.Rectifications(ctx, clerk2, true)); len(l) != 1 {
		t.Fatal("the unit's other clerk does not see it")
	}
	if l := must[[]cases.Rectification](t)(f.book.Rectifications(ctx, mediator, true)); len(l) != 0 {
		t.Fatal("another unit sees it")
	}
	if _, err := f.book.Rectifications(ctx, pad, true); queue.ErrorCode(err) != queue.EFORBIDDEN {
		t.Fatal(err)
	}
	f.clock.Set(time.Date(2026, 12, 18, 9, 0, 0, 0, queuetest.Shanghai(t)))
	if l := must[[]cases.Rectification](t)(f.book.Rectifications(ctx, boss, true)); !l[0].Overdue {
		t.Fatal("not overdue after the due day")
	}
	_, err := f.book.CloseRectification(ctx, mediator, 12, "已回访")
	wantCode(t, err, queue.EFORBIDDEN)
	_, err = f.book.CloseRectification(ctx, clerk2, 12, "")
	wantCode(t, err, queue.EINVALID)
	r := must[cases.Rectification](t)(f.book.CloseRectification(ctx, clerk2, 12, "已电话回访，当事窗口人员已批评教育"))
	if r.Open() || r.ClosedBy != "clerk2" {
		t.Fatalf("%+v", r)
	}
	_, err = f.book.CloseRectification(ctx, boss, 12, "again")
	wantCode(t, err, queue.ECONFLICT)
	if l := must[[]cases.Rectification](t)(f.book.Rectifications(ctx, boss, true)); len(l) != 0 {
		t.Fatal("closed item still listed as open")
	}
}

// fakeFeed serves a fixed event log like queue.Feed: Wait blocks when
// nothing is after the cursor.
type fakeFeed struct {
	mu    sync.Mutex
	evs   []queue.Event
	waits []uint64
}

func (f *fakeFeed) Wait(ctx context.Context, after uint64, limit int) ([]queue.Event, error) {
	f.mu.Lock()
	f.waits = append(f.waits, after)
	var out []queue.Event
	for _, ev := range f.evs {
		if ev.Seq > after && len(out) < limit {
			out = append(out, ev)
		}
	}
	f.mu.Unlock()
	if len(out) > 0 {
		return out, nil
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestFollowRatingsResumes: the follower opens items from the feed, keeps
// its cursor in the store, and after a restart starts from there.
func TestFollowRatingsResumes(t *testing.T) {
	f := newFixture(t)
	now := f.clock.Now()
	feed := &fakeFeed{evs: []queue.Event{
		ratedEvent(1, 1, "win-01", queue.Dissatisfied, now),
		ratedEvent(2, 2, "win-02", queue.VerySatisfied, now),
		ratedEvent(3, 3, "win-11", queue.VeryDissatisfied, now),
	}}
	run := func() {
		c, cancel := context.WithCancel(ctx)
		done := make(chan error)
		go func() { done <- f.book.FollowRatings(c, feed) }()
		deadline := time.Now().Add(5 * time.Second)
		for {
			cur, _ := f.store.RatingCursor(ctx)
			if cur == feed.evs[len(feed.evs)-1].Seq {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("cursor stuck at %d", cur)
			}
			time.Sleep(time.Millisecond)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	run()
	if len(f.store.rects) != 2 {
		t.Fatalf("%d items", len(f.store.rects))
	}
	feed.evs = append(feed.evs, ratedEvent(4, 4, "room-medical", queue.Dissatisfied, now))
	feed.waits = nil
	run()
	if len(f.store.rects) != 3 || feed.waits[0] != 3 {
		t.Fatalf("%d items; restarted at %v", len(f.store.rects), feed.waits)
	}
}
