package booking_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"yiting/queue"
	"yiting/queue/booking"
	"yiting/queue/cases"
)

// registerCase registers a mediation case with two parties.
func (f *fixture) registerCase(a, b cases.Person) string {
	f.t.Helper()
	r, err := f.Book.Register(bg, supervisor, cases.RegisterRequest{ServiceID: "mediation", Persons: []cases.Person{a, b},
		Channel: cases.ChannelPhone, Summary: "邻里纠纷", IdempotencyKey: f.key()})
	if err != nil {
		f.t.Fatal(err)
	}
	return r.Case.Code
}

// A mediator's session books every party of the case in the room, one
// place; each party checks in with their own card within the window and
// gets an appointment ticket for the room, linked to the case; the room
// calls them at the booked time before the walk-ins. A party that never
// comes is a no-show after the late window.
func TestSessionArrivalCallAndNoShow(t *testing.T) {
	f := newFixture(t)
	a, b := f.person(), f.person()
	code := f.registerCase(a, b)
	ten := f.at(26, 10, 0)
	s, err := f.Diary.Book(bg, supervisor, booking.BookRequest{Plan: "session", Start: ten, CaseCode: code, Channel: booking.ChannelSession, IdempotencyKey: f.key()})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Booking.Parties) != 2 || len(s.Codes) != 2 || s.Codes[0] == s.Codes[1] {
		t.Fatalf("session: %+v", s)
	}
	if _, err := f.Diary.Book(bg, supervisor, booking.BookRequest{Plan: "session", Start: ten, Persons: []cases.Person{f.person()},
		Channel: booking.ChannelDesk, IdempotencyKey: f.key()}); !errors.Is(err, queue.ErrFull) {
		t.Fatalf("a second booking of the session's hour: %v, want EFULL", err)
	}
	// A second session for the full hour opens no personal data: the
	// audit keeps the one view of the first.
	if _, err := f.Diary.Book(bg, supervisor, booking.BookRequest{Plan: "session", Start: ten, CaseCode: code, Channel: booking.ChannelSession,
		IdempotencyKey: f.key()}); !errors.Is(err, queue.ErrFull) {
		t.Fatalf("a second session of the hour: %v, want EFULL", err)
	}
	if au, err := f.Book.Audit(bg, supervisor, 0, 100, code); err != nil || len(au) != 1 || !strings.Contains(au[0].Reason, "调解预约") {
		t.Fatalf("audit of the case: %+v %v", au, err)
	}
	// Walk-ins wait in the room's queue since 09:00.
	if _, err := f.Engine.OpenCounter(bg, supervisor, "room-multi"); err != nil {
		t.Fatal(err)
	}
	walkin := func() string {
		is, err := f.Book.Issue(bg, kiosk, cases.IssueRequest{ServiceID: "mediation", Persons: []cases.Person{f.person()}, IdempotencyKey: f.key()})
		if err != nil {
			t.Fatal(err)
		}
		return is.Ticket.Number
	}
	w1, w2 := walkin(), walkin()
	// Party a is too early at 09:00 (window opens 09:30).
	ar, err := f.Diary.Arrive(bg, kiosk, booking.ArriveRequest{Person: &a, IdempotencyKey: f.key()})
	if err != nil || ar.Outcome != booking.OutcomeEarly || !strings.Contains(ar.Message, "09:30以后签到") {
		t.Fatalf("early: %+v %v", ar, err)
	}
	f.Clock.Set(f.at(26, 9, 40))
	ar, err = f.Diary.Arrive(bg, kiosk, booking.ArriveRequest{Person: &a, IdempotencyKey: "tap-a"})
	if err != nil || ar.Outcome != booking.OutcomeIssued {
		t.Fatalf("party a at 09:40: %+v %v", ar, err)
	}
	tk := ar.Issued.Ticket
	if tk.Number != "Q001" || tk.TargetCounter != "room-multi" || !tk.Appointment.Equal(ten) || tk.CaseCode != code || !ar.Issued.Linked {
		t.Fatalf("appointment ticket: %+v (linked %v)", tk, ar.Issued.Linked)
	}
	// The retried tap gets the same ticket; another tap is told it is done.
	if again, err := f.Diary.Arrive(bg, kiosk, booking.ArriveRequest{Person: &a, IdempotencyKey: "tap-a"}); err != nil || again.Issued.Ticket.ID != tk.ID {
		t.Fatalf("retry: %+v %v", again, err)
	}
	if _, err := f.Diary.Arrive(bg, kiosk, booking.ArriveRequest{Person: &a, IdempotencyKey: f.key()}); !errors.Is(err, queue.ErrConflict) {
		t.Fatalf("second tap: %v", err)
	}
	// Before 10:00 the room calls walk-ins; at 10:00 the appointment.
	call := func() string {
		t.Helper()
		tk, err := f.Engine.CallNext(bg, supervisor, "room-multi")
		if err != nil || tk == nil {
			t.Fatalf("call next: %v %v", tk, err)
		}
		if _, err := f.Engine.Complete(bg, supervisor, "room-multi"); err != nil {
			t.Fatal(err)
		}
		return tk.Number
	}
	if got := call(); got != w1 {
		t.Fatalf("09:40 the room called %s, want the walk-in %s", got, w1)
	}
	f.Clock.Set(ten)
	if got := call(); got != "Q001" {
		t.Fatalf("10:00 the room called %s, want Q001 before the walk-in %s", got, w2)
	}
	// Party b never comes: at 10:16 the sweep makes them a no-show.
	f.Clock.Set(f.at(26, 10, 15))
	if n, err := f.Diary.NoShows(bg); err != nil || n != 0 {
		t.Fatalf("no-shows within the window: %d %v", n, err)
	}
	f.Clock.Set(f.at(26, 10, 16))
	if n, err := f.Diary.NoShows(bg); err != nil || n != 1 {
		t.Fatalf("no-shows after the window: %d %v, want 1", n, err)
	}
	if n, _ := f.Diary.NoShows(bg); n != 0 {
		t.Fatalf("a second sweep marked %d again", n)
	}
	vs, err := f.Diary.OfCase(bg, code)
	if err != nil || len(vs) != 1 || vs[0].Parties[0].Status != booking.PartyArrived || vs[0].Parties[1].Status != booking.PartyNoShow {
		t.Fatalf("the case's session: %+v %v", vs, err)
	}
	// Late beyond the window: the booking lapses, a walk-in ticket is offered.
	c := f.person()
	f.book(staff("win-06"), "legal", f.at(26, 10, 30), booking.ChannelPhone, c)
	f.Clock.Set(f.at(26, 10, 46))
	ar, err = f.Diary.Arrive(bg, kiosk, booking.ArriveRequest{Person: &c, IdempotencyKey: f.key()})
	if err != nil || ar.Outcome != booking.OutcomeLapsed || !strings.Contains(ar.Message, "普通号") || ar.Booking.Parties[0].Status != booking.PartyLapsed {
		t.Fatalf("late: %+v %v", ar, err)
	}
	// No event names a person or carries a code.
	evs, err := f.Store.Events(bg, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Type.IsBooking() {
			for _, secret := range append([]string{a.Name, b.Name, a.IDNumber, c.Name}, s.Codes...) {
				if strings.Contains(string(mustJSON(t, ev)), secret) {
					t.Fatalf("event %s carries %q", ev.Type, secret)
				}
			}
		}
	}
}

// A code typed at the kiosk checks in the party it belongs to; a
// kiosk typing wrong codes is stopped.
func TestArriveByCode(t *testing.T) {
	f := newFixture(t)
	p := f.person()
	bk := f.book(staff("win-06"), "legal", f.at(26, 9, 30), booking.ChannelDesk, p)
	ar, err := f.Diary.Arrive(bg, kiosk, booking.ArriveRequest{Code: strings.ReplaceAll(bk.Codes[0], "-", " "), IdempotencyKey: f.key()})
	if err != nil || ar.Outcome != booking.OutcomeIssued || ar.Issued.Ticket.Number != "Q001" || ar.Issued.CaseCode == "" {
		t.Fatalf("by code: %+v %v (legal aid opens a case at the desk)", ar, err)
	}
	if ar.Issued.Ticket.Visitor.Key != f.Keys.VisitorKey(p.IDNumber) {
		t.Fatal("the ticket of a typed code does not carry the booked visitor's key")
	}
	for i := 0; i < booking.MaxMisses; i++ {
		f.Diary.Arrive(bg, kiosk, booking.ArriveRequest{Code: "3333-3333", IdempotencyKey: f.key()})
	}
	if _, err := f.Diary.Arrive(bg, kiosk, booking.ArriveRequest{Code: "3333-3333", IdempotencyKey: f.key()}); !errors.Is(err, queue.ErrTooMany) {
		t.Fatalf("a kiosk guessing codes: %v", err)
	}
}

// recorder is a Notifier that keeps what it is given and fails when told.
type recorder struct {
	mu   sync.Mutex
	got  []booking.Reminder
	fail error
}

func (r *recorder) Remind(_ context.Context, m booking.Reminder) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.got = append(r.got, m)
	return nil
}

// Reminders go the day before from RemindAt, once each, even across a
// restart; a failed hand-over is tried again; the shipped notifier logs
// the masked name only.
func TestRemindersOnceAcrossRestart(t *testing.T) {
	rec := &recorder{fail: errors.New("gateway down")}
	f := newFixture(t, func(o *booking.Options) { o.Notifier = rec })
	p := f.person()
	bk := f.book(staff("win-06"), "legal", f.at(27, 9, 0), booking.ChannelPhone, p)
	if n, _ := f.Diary.Remind(bg); n != 0 {
		t.Fatalf("%d reminders at 09:00, before 18:00", n)
	}
	f.Clock.Set(f.at(26, 18, 0))
	if n, _ := f.Diary.Remind(bg); n != 0 {
		t.Fatalf("%d reminders sent while the gateway fails", n)
	}
	rec.fail = nil
	if n, err := f.Diary.Remind(bg); n != 1 || err != nil {
		t.Fatalf("after the gateway is back: %d %v", n, err)
	}
	if n, _ := f.Diary.Remind(bg); n != 0 {
		t.Fatalf("a second sweep sent %d again", n)
	}
	r := rec.got[0]
	if r.Phone != p.Phone || r.Code != bk.Codes[0] || !strings.Contains(r.Text, bk.Codes[0]) || strings.Contains(r.Text, p.Name) {
		t.Fatalf("reminder: %+v", r)
	}
	// The shipped notifier: masked name, no phone, no code, no name.
	var buf strings.Builder
	if err := (booking.LogNotifier{Log: slogTo(&buf)}).Remind(bg, r); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{p.Phone, bk.Codes[0], p.Name} {
		if strings.Contains(buf.String(), secret) {
			t.Fatalf("the log notifier wrote %q: %s", secret, buf.String())
		}
	}
	if !strings.Contains(buf.String(), r.MaskedName) {
		t.Fatalf("the log notifier did not name the masked visitor: %s", buf.String())
	}
	// A diary started again on the same file (a restart: the diary keeps
	// nothing in memory) does not send it again.
	rec2 := &recorder{}
	d2, err := booking.New(booking.Options{Hall: f.Config, Engine: f.Engine, Store: f.Store, Keys: f.Keys, Desk: f.Book,
		Config: *testConfig(), Now: f.Clock.Now, Notifier: rec2, Logger: slogTo(io.Discard)})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := d2.Remind(bg); n != 0 || len(rec2.got) != 0 {
		t.Fatalf("after a restart %d reminders went again", n)
	}
	// Moving the booking to another day makes a new reminder due.
	if _, err := f.Diary.Move(bg, staff("win-06"), booking.Ref{ID: bk.Booking.ID}, f.at(27, 10, 0)); err != nil {
		t.Fatal(err)
	}
	if n, _ := d2.Remind(bg); n != 1 {
		t.Fatalf("after a move %d reminders, want 1", n)
	}
}
