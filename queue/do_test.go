package queue_test

import (
	"context"
	"errors"
	"testing"

	"yiting/queue"
)

// TestDoCommitsOrDropsWithItsBatch: what a command given to Do emits goes
// into the log with the batch; a command that fails leaves nothing, and
// the log has no gap for it.
func TestDoCommitsOrDropsWithItsBatch(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	step := func(code string) queue.CaseStep {
		return queue.CaseStep{Code: code, Type: "petition", Step: "registered", Status: "registered"}
	}
	boom := errors.New("refused")
	_, err := f.eng.Do(ctx, func(tx *queue.Tx) (any, error) {
		tx.Emit("clerk", step("dropped"))
		return nil, boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Do: %v", err)
	}
	v, err := f.eng.Do(ctx, func(tx *queue.Tx) (any, error) {
		tx.Emit("clerk", step("kept"))
		return tx.Now(), nil
	})
	if err != nil || v == nil {
		t.Fatalf("Do: %v %v", v, err)
	}
	evs, err := f.store.Events(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var cases []queue.Event
	for i, ev := range evs {
		if ev.Seq != uint64(i+1) {
			t.Fatalf("a gap in the log at %d: seq %d", i, ev.Seq)
		}
		if ev.Type.IsCase() {
			cases = append(cases, ev)
		}
	}
	if len(cases) != 1 || cases[0].Case.Code != "kept" || cases[0].Type != queue.CaseEvent("registered") || cases[0].Actor != "clerk" {
		t.Fatalf("case events %+v", cases)
	}
}

// follower records the ticket steps it is told of, and answers each start
// with a case step in the same transaction.
type follower struct{ seen []queue.EventType }

func (fl *follower) Follow(tx *queue.Tx, ev *queue.Event) {
	fl.seen = append(fl.seen, ev.Type)
	if ev.Type == queue.EventStarted {
		tx.Emit(ev.Actor, queue.CaseStep{Code: ev.Ticket.CaseCode, Step: "received", Counter: ev.Ticket.CounterID, Ticket: ev.Ticket.ID})
	}
}

// TestFollowerSeesTicketStepsOfCases: the follower is told of the steps
// of tickets with a case, in their transaction; its events follow the
// ticket's own.
func TestFollowerSeesTicketStepsOfCases(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	fl := &follower{}
	f.eng.SetFollower(fl)
	f.issue("consult") // no case: not followed
	with := f.issue("petition", func(r *queue.IssueRequest) { r.CaseCode = "421224-20261126-0001-9" })
	f.openCounters("w1")
	clerk := staffOf("w1")
	for {
		tk, err := f.eng.CallNext(ctx, clerk, "w1")
		if err != nil {
			t.Fatal(err)
		}
		if tk.ID == with.Ticket.ID {
			break
		}
		if _, err := f.eng.Complete(ctx, clerk, "w1"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.eng.Start(ctx, clerk, "w1"); err != nil {
		t.Fatal(err)
	}
	want := []queue.EventType{queue.EventIssued, queue.EventCalled, queue.EventStarted}
	if len(fl.seen) != len(want) {
		t.Fatalf("followed %v, want %v", fl.seen, want)
	}
	for i := range want {
		if fl.seen[i] != want[i] {
			t.Fatalf("followed %v, want %v", fl.seen, want)
		}
	}
	evs, _ := f.store.Events(ctx, 0, 100)
	last, prev := evs[len(evs)-1], evs[len(evs)-2]
	if prev.Type != queue.EventStarted || last.Type != queue.CaseEvent("received") || last.Case.Ticket != with.Ticket.ID || last.Case.Counter != "w1" {
		t.Fatalf("the last events: %s then %s %+v", prev.Type, last.Type, last.Case)
	}
}
