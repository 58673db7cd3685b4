package queue_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"yiting/queue"
)

func TestRateOncePerTicketAtItsCounter(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.openCounters("w1", "w2")
	is := f.issue("petition")
	f.eng.CallNext(ctx, supervisor, "w1")
	pad1 := queue.Principal{ID: "pad-w1", Role: queue.RolePad, Counters: []string{"w1"}}
	pad2 := queue.Principal{ID: "pad-w2", Role: queue.RolePad, Counters: []string{"w2"}}
	if _, err := f.eng.Rate(ctx, pad1, is.Ticket.ID, queue.Satisfied, nil); !errors.Is(err, queue.ErrConflict) {
		t.Fatalf("rating before completion: %v", err)
	}
	f.eng.Complete(ctx, supervisor, "w1")
	if _, err := f.eng.Rate(ctx, pad2, is.Ticket.ID, queue.Satisfied, nil); !errors.Is(err, queue.ErrForbidden) {
		t.Fatalf("the pad of another counter: %v", err)
	}
	if _, err := f.eng.Rate(ctx, pad1, is.Ticket.ID, queue.Level(9), nil); !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("level 9: %v", err)
	}
	tk, err := f.eng.Rate(ctx, pad1, is.Ticket.ID, queue.Dissatisfied, []string{" 等待太久 "})
	if err != nil || tk.Rating == nil || tk.Rating.Level != queue.Dissatisfied || tk.Rating.Reasons[0] != "等待太久" || !tk.Rating.Level.Bad() {
		t.Fatalf("rate: %+v, %v", tk, err)
	}
	if _, err := f.eng.Rate(ctx, pad1, is.Ticket.ID, queue.VerySatisfied, nil); !errors.Is(err, queue.ErrConflict) {
		t.Fatalf("second rating: %v", err)
	}
	f.restart()
	tv, _ := f.eng.Ticket(ctx, is.Ticket.ID)
	if tv.Rating == nil || tv.Rating.By != pad1.Actor() {
		t.Fatalf("rating after restart: %+v", tv.Rating)
	}
	// Too late: the window closes.
	is2 := f.issue("petition")
	f.openCounters("w1")
	f.eng.CallNext(ctx, supervisor, "w1")
	f.eng.Complete(ctx, supervisor, "w1")
	f.clock.Advance(queue.RateWindow + time.Minute)
	if _, err := f.eng.Rate(ctx, pad1, is2.Ticket.ID, queue.Satisfied, nil); !errors.Is(err, queue.ErrConflict) {
		t.Fatalf("rating after the window: %v", err)
	}
}
