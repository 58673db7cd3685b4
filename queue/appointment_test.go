package queue_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"yiting/queue"
)

func appointmentHall() *queue.Hall {
	h := testHall()
	h.AppointmentPrefix = "Q"
	return h
}

func appointment(at time.Time, counter string) func(*queue.IssueRequest) {
	return func(r *queue.IssueRequest) {
		r.Appointment = queue.Appointment{At: at, Booking: "b-" + at.Format("1504")}
		r.TargetCounter = counter
	}
}

// An appointment ticket waits, jumping nobody, until its booked time;
// from then on the counter calls it before every walk-in, priority ones
// included; appointments among themselves go by booked time.
func TestAppointmentCalledAtItsTimeBeforeWalkIns(t *testing.T) {
	f := newFixtureOn(t, appointmentHall())
	f.openCounters("r1")
	ten := time.Date(2026, 11, 26, 10, 0, 0, 0, shanghai)
	f.issue("medical")                                                 // D001, walk-in at 09:00
	a := f.issue("medical", appointment(ten, "r1"))                    // Q001, booked for 10:00, arrived 09:00
	f.issue("medical", priority("elderly"))                            // D002, priority walk-in
	b := f.issue("medical", appointment(ten.Add(-30*time.Minute), "")) // Q002, 09:30 booked for the service
	if a.Ticket.Number != "Q001" || b.Ticket.Number != "Q002" {
		t.Fatalf("appointment tickets numbered %s, %s; want Q001, Q002 (their own prefix)", a.Ticket.Number, b.Ticket.Number)
	}
	if got := f.next("r1"); got != "D002" {
		t.Fatalf("09:00: called %s, want the priority walk-in D002 (no appointment is due)", got)
	}
	f.clock.Advance(30 * time.Minute) // 09:30: Q002's time
	f.issue("medical")                // D003
	if got := f.next("r1"); got != "Q002" {
		t.Fatalf("09:30: called %s, want Q002, whose time has come", got)
	}
	if got := f.next("r1"); got != "D001" {
		t.Fatalf("09:30: called %s, want D001 (Q001 is booked for 10:00: it never jumps walk-ins before its time)", got)
	}
	f.clock.Advance(30 * time.Minute) // 10:00
	if got := f.next("r1"); got != "Q001" {
		t.Fatalf("10:00: called %s, want Q001 before the walk-in D003", got)
	}
	if got := f.next("r1"); got != "D003" {
		t.Fatalf("then %s, want D003", got)
	}
}

// An idle counter with nobody else waiting calls an early appointment
// rather than nobody; a counter that serves none of it does not.
func TestEarlyAppointmentFillsAnIdleCounter(t *testing.T) {
	f := newFixtureOn(t, appointmentHall())
	f.openCounters("r1", "w1")
	f.issue("medical", appointment(time.Date(2026, 11, 26, 11, 0, 0, 0, shanghai), "r1"))
	if got := f.next("w1"); got != "" {
		t.Fatalf("w1 called %s, a ticket booked for the room", got)
	}
	if got := f.next("r1"); got != "Q001" {
		t.Fatalf("idle room called %q, want the early Q001", got)
	}
}

// The appointment series survives a restart, and a hall without a prefix
// refuses appointment tickets.
func TestAppointmentNumberingAndRefusal(t *testing.T) {
	f := newFixtureOn(t, appointmentHall())
	at := time.Date(2026, 11, 26, 10, 0, 0, 0, shanghai)
	f.issue("medical")                        // D001, walk-in
	f.issue("medical", appointment(at, "r1")) // Q001, booked for 10:00
	f.restart()
	if got := f.issue("petition", appointment(at, "")).Ticket.Number; got != "Q002" {
		t.Fatalf("after a restart the next appointment ticket is %s, want Q002", got)
	}
	if got := f.issue("petition").Ticket.Number; got != "A001" {
		t.Fatalf("walk-in numbered %s, want A001 (its own series)", got)
	}
	f.openCounters("r1")
	f.clock.Advance(time.Hour)
	if got := f.next("r1"); got != "Q001" {
		t.Fatalf("after a restart, at 10:00 the room called %s, want Q001 (the booked time is kept)", got)
	}
	g := newFixture(t)
	_, err := g.eng.Issue(context.Background(), kiosk, queue.IssueRequest{ServiceID: "medical", IdempotencyKey: "x",
		Appointment: queue.Appointment{At: at}})
	if !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("appointment ticket in a hall without appointments: %v, want EINVALID", err)
	}
	h := appointmentHall()
	h.AppointmentPrefix = "A"
	if err := h.Validate(); err == nil {
		t.Fatal("an appointment prefix used by a service was accepted")
	}
}

// The fairness ratio is not disturbed by appointment calls in between.
func TestAppointmentKeepsPriorityRatio(t *testing.T) {
	f := newFixtureOn(t, appointmentHall())
	f.openCounters("w1")
	f.issue("petition") // A001
	for i := 0; i < 3; i++ {
		f.issue("petition", priority("elderly")) // A002..A004
	}
	f.issue("petition", appointment(time.Date(2026, 11, 26, 9, 0, 0, 0, shanghai), "w1")) // Q001, due now
	var got []string
	for n := f.next("w1"); n != ""; n = f.next("w1") {
		got = append(got, n)
	}
	if want := "[Q001 A002 A003 A001 A004]"; fmt.Sprint(got) != want {
		t.Fatalf("order %v, want %s", got, want)
	}
}

// A room that closes leaves its appointment tickets to the other counters
// of their service, still first at their time.
func TestClosedRoomHandsOverItsAppointments(t *testing.T) {
	h := appointmentHall()
	h.Counters = append(h.Counters, queue.Counter{ID: "r2", Name: "二号调解室", Kind: queue.KindRoom, Services: []queue.CounterService{{ServiceID: "medical", Weight: 1}}})
	f := newFixtureOn(t, h)
	f.openCounters("r1", "r2")
	f.issue("medical") // D001
	f.issue("medical", appointment(time.Date(2026, 11, 26, 9, 0, 0, 0, shanghai), "r1"))
	if _, err := f.eng.CloseCounter(context.Background(), supervisor, "r1"); err != nil {
		t.Fatal(err)
	}
	if got := f.next("r2"); got != "Q001" {
		t.Fatalf("the other room called %s, want the closed room's Q001 due now", got)
	}
}
