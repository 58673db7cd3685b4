package queue_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"yiting/queue"
)

func TestNumberingPerServicePerDay(t *testing.T) {
	f := newFixture(t)
	got := []string{
		f.issue("petition").Ticket.Number,
		f.issue("petition").Ticket.Number,
		f.issue("consult").Ticket.Number,
		f.issue("petition").Ticket.Number,
	}
	want := []string{"A001", "A002", "Z001", "A003"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("numbers %v, want %v", got, want)
	}
	// 23:59:59 the same day in Shanghai is still the same business day…
	f.clock.Set(time.Date(2026, 11, 26, 23, 59, 59, 0, shanghai))
	if n := f.issue("petition").Ticket.Number; n != "A004" {
		t.Fatalf("before midnight: %s, want A004", n)
	}
	// …and local midnight starts a new one (16:00 UTC).
	f.clock.Set(time.Date(2026, 11, 26, 16, 0, 0, 0, time.UTC))
	is := f.issue("petition")
	if is.Ticket.Number != "A001" || is.Ticket.Day != "2026-11-27" {
		t.Fatalf("after midnight: %s on %s, want A001 on 2026-11-27", is.Ticket.Number, is.Ticket.Day)
	}
	if tv, err := f.eng.TicketByNumber("A001"); err != nil || tv.ID != is.Ticket.ID {
		t.Fatalf("A001 of the new day: %+v, %v", tv.Ticket, err)
	}
	if _, err := f.eng.TicketByNumber("A004"); !errors.Is(err, queue.ErrNotFound) {
		t.Fatalf("yesterday's A004 is not today's: %v", err)
	}
}

func TestNumberingPast999(t *testing.T) {
	f := newFixture(t)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	for i := 0; i < 999; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func(i int) {
			defer wg.Done()
			defer func() { <-sem }()
			_, err := f.eng.Issue(context.Background(), kiosk, queue.IssueRequest{ServiceID: "consult", IdempotencyKey: fmt.Sprint("bulk", i)})
			if err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	if n := f.issue("consult").Ticket.Number; n != "Z1000" {
		t.Fatalf("ticket 1000 is %s, want Z1000", n)
	}
}

func TestRestartKeepsNumberingAndQueue(t *testing.T) {
	f := newFixture(t)
	f.issue("petition")
	second := f.issue("petition")
	f.restart()
	if n := f.issue("petition").Ticket.Number; n != "A003" {
		t.Fatalf("after restart: %s, want A003", n)
	}
	tv, err := f.eng.TicketByNumber("A002")
	if err != nil || tv.ID != second.Ticket.ID || tv.Ahead != 1 {
		t.Fatalf("A002 after restart: %+v, %v (want ahead 1)", tv, err)
	}
	f.openCounters("w1")
	if got := f.next("w1"); got != "A001" {
		t.Fatalf("first call after restart: %s", got)
	}
}

// The Pi has no real-time clock: after a reboot without NTP it may think
// it is an earlier day. Numbering must not return to that day.
func TestClockJumpBackAfterReboot(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(time.Date(2026, 11, 27, 10, 0, 0, 0, shanghai))
	f.issue("petition")
	f.issue("petition")
	f.close()
	f.clock.Set(time.Date(2026, 11, 26, 8, 0, 0, 0, shanghai)) // a day behind
	f.open()
	is := f.issue("petition")
	if is.Ticket.Number != "A003" || is.Ticket.Day != "2026-11-27" {
		t.Fatalf("after the clock went back: %s on %s, want A003 on 2026-11-27", is.Ticket.Number, is.Ticket.Day)
	}
	if is.Ticket.IssuedAt.Before(time.Date(2026, 11, 27, 10, 0, 0, 0, shanghai)) {
		t.Fatalf("issue time %v is before the latest time seen", is.Ticket.IssuedAt)
	}
	// Once the clock is right again, the next midnight starts a day as usual.
	f.clock.Set(time.Date(2026, 11, 28, 8, 0, 0, 0, shanghai))
	if is := f.issue("petition"); is.Ticket.Number != "A001" || is.Ticket.Day != "2026-11-28" {
		t.Fatalf("next day: %s on %s", is.Ticket.Number, is.Ticket.Day)
	}
}

func TestDayRolloverExpiresUnfinished(t *testing.T) {
	f := newFixture(t)
	left := f.issue("petition")
	f.clock.Set(time.Date(2026, 11, 27, 8, 0, 0, 0, shanghai))
	f.issue("consult") // any command starts the new day
	tv, err := f.eng.Ticket(context.Background(), left.Ticket.ID)
	if err != nil {
		t.Fatal(err)
	}
	if tv.Status != queue.StatusExpired {
		t.Fatalf("yesterday's waiting ticket is %s, want expired", tv.Status)
	}
	if st := f.eng.State(); st.Day != "2026-11-27" || st.Services[0].Waiting != 0 {
		t.Fatalf("state after rollover: %+v", st)
	}
}

func TestIdempotentIssue(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	req := queue.IssueRequest{ServiceID: "petition", IdempotencyKey: "tap-1"}
	a, err := f.eng.Issue(ctx, kiosk, req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.eng.Issue(ctx, kiosk, req)
	if err != nil {
		t.Fatal(err)
	}
	if a.Ticket.ID != b.Ticket.ID || !b.Replayed || a.Replayed {
		t.Fatalf("retry issued a second ticket: %+v then %+v", a.Ticket, b.Ticket)
	}
	f.restart()
	c, err := f.eng.Issue(ctx, kiosk, req)
	if err != nil || c.Ticket.ID != a.Ticket.ID {
		t.Fatalf("retry after restart: %+v, %v", c.Ticket, err)
	}
	// Another kiosk may use the same key for its own tap.
	other := queue.Principal{ID: "k2", Role: queue.RoleKiosk}
	d, err := f.eng.Issue(ctx, other, req)
	if err != nil || d.Ticket.ID == a.Ticket.ID {
		t.Fatalf("other kiosk: %+v, %v", d.Ticket, err)
	}
	req.ServiceID = "consult"
	if _, err := f.eng.Issue(ctx, kiosk, req); !errors.Is(err, queue.ErrConflict) {
		t.Fatalf("key reused for another service: %v, want conflict", err)
	}
}

func TestIssueRefusals(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cases := []struct {
		name string
		p    queue.Principal
		req  queue.IssueRequest
		want error
	}{
		{"unknown service", kiosk, queue.IssueRequest{ServiceID: "nope", IdempotencyKey: "1"}, queue.ErrNotFound},
		{"no key", kiosk, queue.IssueRequest{ServiceID: "petition"}, queue.ErrInvalid},
		{"unknown priority", kiosk, queue.IssueRequest{ServiceID: "petition", Priority: "vip", IdempotencyKey: "2"}, queue.ErrInvalid},
		{"counter not serving", kiosk, queue.IssueRequest{ServiceID: "medical", TargetCounter: "w1", IdempotencyKey: "3"}, queue.ErrInvalid},
		{"display cannot issue", queue.Principal{ID: "d", Role: queue.RoleDisplay}, queue.IssueRequest{ServiceID: "petition", IdempotencyKey: "4"}, queue.ErrForbidden},
	}
	for _, c := range cases {
		if _, err := f.eng.Issue(ctx, c.p, c.req); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}
