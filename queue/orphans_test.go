package queue_test

import (
	"context"
	"testing"

	"yiting/queue"
)

// An admin removes a service and a counter while tickets of them are
// open: the next start settles them with events — a ticket sent to the
// removed counter queues for its service again, the removed service's
// and the one called at the removed counter expire — and the hall works
// on (no panic, no 500).
func TestStartWithRemovedServiceAndCounter(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	consult := f.issue("consult").Ticket
	directed := f.issue("petition", func(r *queue.IssueRequest) { r.TargetCounter = "w2" }).Ticket
	f.issue("petition") // waits on, untouched
	if _, err := f.eng.OpenCounter(ctx, supervisor, "r1"); err != nil {
		t.Fatal(err)
	}
	medical := f.issue("medical").Ticket
	if c, err := f.eng.CallNext(ctx, supervisor, "r1"); err != nil || c.ID != medical.ID {
		t.Fatalf("call at r1: %v %v", c, err)
	}

	// The new hall file: no 咨询, no 2号窗口, no 医患纠纷调解室 (its service
	// moves to w1).
	h := testHall()
	h.Services = []queue.Service{h.Services[0], h.Services[2], h.Services[3]}
	h.Counters = []queue.Counter{h.Counters[0], h.Counters[3]}
	h.Counters[0].Services = []queue.CounterService{{ServiceID: "petition", Weight: 2}, {ServiceID: "medical", Weight: 1}}
	f.close()
	f.hall = h
	f.open()

	for _, c := range []struct {
		id     uint64
		status queue.Status
		target string
	}{{consult.ID, queue.StatusExpired, ""}, {directed.ID, queue.StatusWaiting, ""}, {medical.ID, queue.StatusExpired, ""}} {
		tv, err := f.eng.Ticket(ctx, c.id)
		if err != nil || tv.Ticket.Status != c.status || tv.Ticket.TargetCounter != c.target {
			t.Errorf("ticket %d: %+v %v, want %s", c.id, tv.Ticket, err, c.status)
		}
	}
	evs, err := f.store.Events(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	got := map[uint64]queue.EventType{}
	for _, e := range evs {
		if e.Ticket != nil && e.Actor == "system" {
			got[e.Ticket.ID] = e.Type
		}
	}
	if got[consult.ID] != queue.EventExpired || got[medical.ID] != queue.EventExpired || got[directed.ID] != queue.EventTransferred {
		t.Errorf("the settling events: %v", got)
	}
	_ = f.eng.State() // the queue state reads every ticket: no panic
	if _, err := f.eng.OpenCounter(ctx, supervisor, "w1"); err != nil {
		t.Fatal(err)
	}
	if n := f.next("w1"); n == "" {
		t.Error("w1 has nothing to call")
	}
	if _, err := f.eng.Issue(ctx, kiosk, queue.IssueRequest{ServiceID: "consult", IdempotencyKey: "after"}); queue.ErrorCode(err) != queue.ENOTFOUND && queue.ErrorCode(err) != queue.EINVALID {
		t.Errorf("a ticket of the removed service: %v", err)
	}
	// A second start finds nothing to settle.
	n := len(evs)
	f.restart()
	if evs, _ := f.store.Events(ctx, 0, 1000); len(evs) != n+3 { // the opening, the call and the completion above
		t.Errorf("the second start wrote %d events", len(evs)-n-3)
	}
}
