package queue_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"yiting/queue"
)

func TestLifecycleAndDurations(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	clerk := staffOf("w1")
	if _, err := f.eng.OpenCounter(ctx, clerk, "w1"); err != nil {
		t.Fatal(err)
	}
	is := f.issue("petition")
	f.clock.Advance(10 * time.Minute)
	called, err := f.eng.CallNext(ctx, clerk, "w1")
	if err != nil || called.ID != is.Ticket.ID || called.Status != queue.StatusCalled || called.CounterID != "w1" {
		t.Fatalf("call next: %+v, %v", called, err)
	}
	f.clock.Advance(time.Minute)
	if _, err := f.eng.Start(ctx, clerk, "w1"); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(5 * time.Minute)
	done, err := f.eng.Complete(ctx, clerk, "w1")
	if err != nil || done.Status != queue.StatusDone {
		t.Fatalf("complete: %+v, %v", done, err)
	}
	d := done.Durations()
	if d.Wait != 10*time.Minute || d.Walk != time.Minute || d.Service != 5*time.Minute {
		t.Fatalf("durations %+v, want wait 10m walk 1m service 5m", d)
	}
	cs, _ := f.eng.Counter("w1")
	if cs.Served != 1 || cs.Current != 0 {
		t.Fatalf("counter after complete: %+v", cs)
	}
}

func TestWrongStateRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.eng.CallNext(ctx, supervisor, "w1"); !errors.Is(err, queue.ErrConflict) || !strings.Contains(err.Error(), "未开启") {
		t.Fatalf("call at a closed counter: %v", err)
	}
	f.openCounters("w1")
	for name, cmd := range map[string]func() (*queue.Ticket, error){
		"start":    func() (*queue.Ticket, error) { return f.eng.Start(ctx, supervisor, "w1") },
		"complete": func() (*queue.Ticket, error) { return f.eng.Complete(ctx, supervisor, "w1") },
		"recall":   func() (*queue.Ticket, error) { return f.eng.Recall(ctx, supervisor, "w1") },
		"no-show":  func() (*queue.Ticket, error) { return f.eng.NoShow(ctx, supervisor, "w1") },
		"park":     func() (*queue.Ticket, error) { return f.eng.Park(ctx, supervisor, "w1", "取材料") },
	} {
		if _, err := cmd(); !errors.Is(err, queue.ErrConflict) {
			t.Errorf("%s with no current ticket: %v, want conflict", name, err)
		}
	}
	if tk, err := f.eng.CallNext(ctx, supervisor, "w1"); err != nil || tk != nil {
		t.Fatalf("call next with nobody waiting: %v, %v; want nil, nil", tk, err)
	}
	f.issue("petition")
	f.issue("petition")
	if _, err := f.eng.CallNext(ctx, supervisor, "w1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.CallNext(ctx, supervisor, "w1"); !errors.Is(err, queue.ErrConflict) {
		t.Fatalf("call next while A001 is current: %v, want conflict", err)
	}
	if _, err := f.eng.Start(ctx, supervisor, "w1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.NoShow(ctx, supervisor, "w1"); !errors.Is(err, queue.ErrConflict) {
		t.Fatalf("no-show of a ticket being served: %v", err)
	}
	if _, err := f.eng.PauseCounter(ctx, supervisor, "w1", "午休"); !errors.Is(err, queue.ErrConflict) {
		t.Fatalf("pause while serving: %v", err)
	}
	if _, err := f.eng.Cancel(ctx, supervisor, "w1", "A001", "误取"); !errors.Is(err, queue.ErrConflict) {
		t.Fatalf("cancel a ticket being served: %v", err)
	}
	if _, err := f.eng.Park(ctx, supervisor, "w1", ""); !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("park without reason: %v", err)
	}
}

func TestStaffOnlyAtTheirCounters(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.eng.OpenCounter(ctx, staffOf("w1"), "w2"); !errors.Is(err, queue.ErrForbidden) {
		t.Fatalf("staff of w1 opening w2: %v", err)
	}
	if _, err := f.eng.CallNext(ctx, kiosk, "w1"); !errors.Is(err, queue.ErrForbidden) {
		t.Fatalf("kiosk calling: %v", err)
	}
	if _, err := f.eng.CallNext(ctx, supervisor, "w9"); !errors.Is(err, queue.ErrNotFound) {
		t.Fatalf("unknown counter: %v", err)
	}
}

func TestRecallLimitBecomesNoShowAndReactivate(t *testing.T) {
	f := newFixture(t) // RecallLimit 2
	ctx := context.Background()
	f.openCounters("w1")
	f.issue("petition")
	f.issue("petition")
	f.eng.CallNext(ctx, supervisor, "w1")
	for i := 1; i <= 2; i++ {
		tk, err := f.eng.Recall(ctx, supervisor, "w1")
		if err != nil || tk.Recalls != i || tk.Status != queue.StatusCalled {
			t.Fatalf("recall %d: %+v, %v", i, tk, err)
		}
	}
	tk, err := f.eng.Recall(ctx, supervisor, "w1")
	if err != nil || tk.Status != queue.StatusNoShow {
		t.Fatalf("third recall: %+v, %v; want no-show", tk, err)
	}
	// The visitor comes back: reactivated, A001 is called before A002
	// because it keeps its place.
	if _, err := f.eng.Reactivate(ctx, supervisor, "w1", "a001"); err != nil {
		t.Fatal(err)
	}
	if got := f.next("w1"); got != "A001" {
		t.Fatalf("after reactivation the next call is %s, want A001", got)
	}
}

func TestParkAndUnparkReturnsToSameCounter(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.openCounters("w1", "w2")
	f.issue("petition")
	f.issue("petition")
	f.eng.CallNext(ctx, supervisor, "w1")
	if tk, err := f.eng.Park(ctx, supervisor, "w1", "回家取材料"); err != nil || tk.Status != queue.StatusParked || tk.Note != "回家取材料" {
		t.Fatalf("park: %+v, %v", tk, err)
	}
	if _, err := f.eng.Unpark(ctx, supervisor, "w1", "A001"); err != nil {
		t.Fatal(err)
	}
	// w2 must not take the visitor w1 parked; w1 gets them back first.
	if got := f.next("w2"); got != "A002" {
		t.Fatalf("w2 called %s, want A002", got)
	}
	if got := f.next("w1"); got != "A001" {
		t.Fatalf("w1 called %s, want its parked A001", got)
	}
}

func TestTransferKeepsArrival(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.openCounters("w1", "r1")
	f.issue("petition") // A001 will be transferred to mediation
	f.clock.Advance(time.Minute)
	f.issue("medical") // D001 arrived after A001
	f.eng.CallNext(ctx, supervisor, "w1")
	tk, err := f.eng.Transfer(ctx, supervisor, "w1", queue.TransferTo{ServiceID: "medical", Reason: "医疗纠纷"})
	if err != nil || tk.ServiceID != "medical" || tk.Status != queue.StatusWaiting || tk.Transfers != 1 {
		t.Fatalf("transfer: %+v, %v", tk, err)
	}
	if got := f.next("r1"); got != "A001" {
		t.Fatalf("mediation room called %s first; the transferred A001 arrived earlier", got)
	}
	// To a named counter: only that counter calls it.
	f.issue("petition")
	f.eng.CallNext(ctx, supervisor, "w1")
	if _, err := f.eng.Transfer(ctx, supervisor, "w1", queue.TransferTo{CounterID: "r1"}); !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("transfer to a room that does not serve petitions: %v", err)
	}
	if _, err := f.eng.Transfer(ctx, supervisor, "w1", queue.TransferTo{CounterID: "w2"}); err != nil {
		t.Fatal(err)
	}
	if got := f.next("w1"); got != "" {
		t.Fatalf("w1 called %s, a ticket transferred to w2", got)
	}
	f.openCounters("w2")
	if got := f.next("w2"); got != "A002" {
		t.Fatalf("w2 called %q, want A002", got)
	}
}

func TestCallSpecificTicketRecordsWhoAndWhy(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	clerk := staffOf("w1")
	f.eng.OpenCounter(ctx, clerk, "w1")
	f.issue("petition")
	f.issue("petition")
	f.issue("petition")
	if _, err := f.eng.CallTicket(ctx, clerk, "w1", "A003", ""); !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("call specific without reason: %v", err)
	}
	tk, err := f.eng.CallTicket(ctx, clerk, "w1", "A003", "行动不便")
	if err != nil || tk.Number != "A003" || tk.StaffID != clerk.Actor() || tk.Note != "行动不便" {
		t.Fatalf("call specific: %+v, %v", tk, err)
	}
	evs, err := f.store.Events(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	last := evs[len(evs)-1]
	if last.Type != queue.EventCalled || last.Actor != clerk.Actor() || last.Reason != "行动不便" {
		t.Fatalf("event of the out-of-order call: %+v", last)
	}
	if _, err := f.eng.CallTicket(ctx, supervisor, "r1", "A001", "x"); !errors.Is(err, queue.ErrConflict) {
		t.Fatalf("mediation room calling a petition ticket: %v", err)
	}
}

func TestCloseCounterReleasesDirectedTickets(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.openCounters("w1", "w2")
	f.issue("petition", func(r *queue.IssueRequest) { r.TargetCounter = "w2" }) // first-visit bound to w2
	if got := f.next("w1"); got != "" {
		t.Fatalf("w1 called %s, bound to w2", got)
	}
	if _, err := f.eng.CloseCounter(ctx, supervisor, "w2"); err != nil {
		t.Fatal(err)
	}
	if got := f.next("w1"); got != "A001" {
		t.Fatalf("after w2 closed, w1 called %q, want A001", got)
	}
}

func TestCancel(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.openCounters("w1")
	f.issue("petition")
	f.issue("petition")
	if _, err := f.eng.Cancel(ctx, supervisor, "w1", "A001", "群众离开"); err != nil {
		t.Fatal(err)
	}
	if got := f.next("w1"); got != "A002" {
		t.Fatalf("next after cancel: %s", got)
	}
}
