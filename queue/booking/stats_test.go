package booking_test

import (
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/booking"
	"yiting/queue/cases"
)

// The figures of a day: bookings, arrivals and lateness, no-shows and
// their rate, and the wait of appointment tickets against walk-ins (the
// queue's, from the later of issue and booked time for an appointment
// ticket), per service and in total, from the real store after a real
// day.
func TestStats(t *testing.T) {
	f := newFixture(t)
	sup := supervisor
	a, b, c, d := f.person(), f.person(), f.person(), f.person()
	f.book(sup, "legal", f.at(26, 10, 0), booking.ChannelPhone, a)       // arrives 10:05: late 5 min
	f.book(sup, "legal", f.at(26, 10, 0), booking.ChannelPhone, b)       // never comes
	f.book(sup, "legal", f.at(26, 9, 30), booking.ChannelPhone, c)       // comes 09:50: lapsed
	x := f.book(sup, "legal", f.at(26, 10, 30), booking.ChannelPhone, d) // cancelled
	if _, err := f.Diary.Cancel(bg, sup, booking.Ref{ID: x.Booking.ID}, "来电取消"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Engine.OpenCounter(bg, sup, "win-06"); err != nil {
		t.Fatal(err)
	}
	walk, err := f.Book.Issue(bg, kiosk, cases.IssueRequest{ServiceID: "legal-aid", Persons: []cases.Person{f.person()}, IdempotencyKey: f.key()})
	if err != nil {
		t.Fatal(err)
	}
	f.Clock.Set(f.at(26, 9, 50))
	if ar, err := f.Diary.Arrive(bg, kiosk, booking.ArriveRequest{Person: &c, IdempotencyKey: f.key()}); err != nil || ar.Outcome != booking.OutcomeLapsed {
		t.Fatalf("c: %+v %v", ar, err)
	}
	call := func() *queue.Ticket {
		tk, err := f.Engine.CallNext(bg, sup, "win-06")
		if err != nil || tk == nil {
			t.Fatalf("call: %v %v", tk, err)
		}
		if _, err := f.Engine.Complete(bg, sup, "win-06"); err != nil {
			t.Fatal(err)
		}
		return tk
	}
	if tk := call(); tk.ID != walk.Ticket.ID { // 09:50: the walk-in waited 50 minutes
		t.Fatalf("called %s", tk.Number)
	}
	f.Clock.Set(f.at(26, 10, 5))
	if ar, err := f.Diary.Arrive(bg, kiosk, booking.ArriveRequest{Person: &a, IdempotencyKey: f.key()}); err != nil || ar.Outcome != booking.OutcomeIssued {
		t.Fatalf("a: %+v %v", ar, err)
	}
	f.Clock.Set(f.at(26, 10, 8))
	call() // the appointment ticket: 3 minutes after its issue (which is after its time)
	f.Clock.Set(f.at(26, 10, 20))
	if n, err := f.Diary.NoShows(bg); err != nil || n != 1 {
		t.Fatalf("no-shows %d %v", n, err)
	}
	sb := booking.NewStatsBuilder("2026-11-26", "2026-11-26", f.Config.Location)
	qb := queue.NewStatsBuilder("2026-11-26", "2026-11-26", f.Config.Location) // the queue's waits, split
	if err := f.Store.TicketsBetween(bg, "2026-11-26", "2026-11-26", func(tk *queue.Ticket) error { qb.Add(tk); return nil }); err != nil {
		t.Fatal(err)
	}
	day := cases.MakeDate(2026, 11, 26)
	if err := f.Diary.EachBooking(bg, day, day, func(bk *booking.Booking) error { sb.AddBooking(bk); return nil }); err != nil {
		t.Fatal(err)
	}
	s := sb.Stats()
	qs := qb.Stats()
	s.SetWaits(func(day, service string) (queue.DurationStats, queue.DurationStats) {
		if service == "" {
			return qs.AppointmentWait, qs.WalkInWait
		}
		return qs.ByService[0].AppointmentWait, qs.ByService[0].WalkInWait
	})
	want := booking.StatsRow{ServiceID: "legal-aid", Booked: 3, Cancelled: 1, Persons: 3, Arrived: 1, Late: 1, NoShows: 1, Lapsed: 1}
	for _, r := range []booking.StatsRow{s.ByService[0], s.ByServiceDay[0], s.Total} {
		if r.Booked != want.Booked || r.Cancelled != want.Cancelled || r.Persons != want.Persons || r.Arrived != want.Arrived ||
			r.Late != want.Late || r.NoShows != want.NoShows || r.Lapsed != want.Lapsed {
			t.Errorf("row %+v, want the counts of %+v", r, want)
		}
		if r.Lateness.Mean != 5*time.Minute || r.ApptWait.Count != 1 || r.ApptWait.Mean != 3*time.Minute ||
			r.WalkInWait.Count != 1 || r.WalkInWait.Mean != 50*time.Minute || r.NoShowRate < 0.33 || r.NoShowRate > 0.34 {
			t.Errorf("row %s/%s: lateness %v, appointment wait %+v, walk-in wait %+v, no-show rate %v", r.Day, r.ServiceID,
				r.Lateness, r.ApptWait, r.WalkInWait, r.NoShowRate)
		}
	}
	if s.ByServiceDay[0].Day != "2026-11-26" {
		t.Errorf("day row %+v", s.ByServiceDay[0])
	}
}
