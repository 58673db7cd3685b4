package booking_test

import (
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/booking"
	"yiting/queue/cases"
)

var admin = queue.Principal{ID: "root", Role: queue.RoleAdmin}

func nov(day int) cases.Date { return cases.MakeDate(2026, 11, day) }

// values is a plan's values as the page sends them back unchanged.
func values(p booking.Plan) booking.PlanValues {
	return booking.PlanValues{Weekdays: p.Weekdays, Periods: p.Periods, Length: p.Length, Capacity: p.Capacity, WalkIn: p.WalkIn}
}

func (f *fixture) plan(id string) booking.PlanInfo {
	f.t.Helper()
	for _, pi := range f.Diary.Plans() {
		if pi.ID == id {
			return pi
		}
	}
	f.t.Fatalf("no plan %q among %+v", id, f.Diary.Plans())
	return booking.PlanInfo{}
}

func (f *fixture) slots(plan string, day cases.Date) ([]booking.Slot, string) {
	f.t.Helper()
	s, why, err := f.Diary.Slots(bg, plan, day)
	if err != nil {
		f.t.Fatal(err)
	}
	return s, why
}

// reopen is the diary after a restart: a new one over the same store.
func (f *fixture) reopen(t *testing.T) *booking.Diary {
	t.Helper()
	d, err := booking.New(booking.Options{Hall: f.Config, Engine: f.Engine, Store: f.Store, Keys: f.Keys, Desk: f.Book, Cases: f.Book,
		Config: *testConfig(), Calendar: f.Book.Calendar, Duty: f.Rota, Now: f.Clock.Now, Logger: slogTo(io.Discard)})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A supervisor lowers a plan's capacity on the page: the slots and the
// bookings follow at once, the page says the value is its own and the
// file's is kept beside it, the change is an event with who and what,
// and it survives a restart; sending the file's value back follows the
// file again.
func TestSetPlanTakesEffectAndSurvivesRestart(t *testing.T) {
	f := newFixture(t)
	pl := f.plan("legal")
	if pl.File == nil || pl.Edited != nil || pl.Capacity != 22 {
		t.Fatalf("before any edit: %+v", pl)
	}
	v := values(pl.Plan)
	v.Capacity, v.WalkIn = 4, 1 // 3 bookable
	got, err := f.Diary.SetPlan(bg, supervisor, "legal", v)
	if err != nil {
		t.Fatal(err)
	}
	if got.Capacity != 4 || got.WalkIn != 1 || !slices.Equal(got.Edited, []string{booking.FieldCapacity, booking.FieldWalkIn}) ||
		got.File.Capacity != 22 || got.By != supervisor.Actor() {
		t.Fatalf("after the edit: %+v", got)
	}
	slots, _ := f.slots("legal", nov(27))
	if slots[0].Capacity != 4 || slots[0].Bookable != 3 || slots[0].Free != 3 {
		t.Fatalf("slot after the edit: %+v", slots[0])
	}
	start := f.at(27, 9, 0)
	for range 3 {
		f.book(staff("win-06"), "legal", start, booking.ChannelDesk, f.person())
	}
	if _, err := f.Diary.Book(bg, visitor, booking.BookRequest{Plan: "legal", Start: start, Persons: []cases.Person{f.person()},
		Channel: booking.ChannelPublic, IdempotencyKey: f.key()}); !errors.Is(err, queue.ErrFull) {
		t.Fatalf("a fourth booking of 3 places: %v", err)
	}
	evs, err := f.Store.Events(bg, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var change *queue.Event
	for i := range evs {
		if evs[i].Type == queue.BookingEvent("plan_changed") {
			change = &evs[i]
		}
	}
	if change == nil || change.Actor != supervisor.Actor() || change.Booking.Plan != "legal" || change.Booking.Change != "名额 22→4；现场名额 2→1" {
		t.Fatalf("the change's event: %+v", change)
	}

	d := f.reopen(t) // a restart
	if p, _ := d.Config().Plan("legal"); p.Capacity != 4 || p.WalkIn != 1 {
		t.Fatalf("after a restart: %+v", p)
	}
	v.Capacity, v.WalkIn = 22, 2 // the file's
	got, err = d.SetPlan(bg, admin, "legal", v)
	if err != nil || got.Edited != nil || got.Capacity != 22 {
		t.Fatalf("back to the file's values: %+v, %v", got, err)
	}
	if _, err := d.SetPlan(bg, admin, "legal", v); queue.ErrorCode(err) != queue.EINVALID || !strings.Contains(queue.ErrorMessage(err), "没有更改") {
		t.Fatalf("the same values again: %v", err)
	}
	v.WalkIn = 22
	if _, err := d.SetPlan(bg, admin, "legal", v); queue.ErrorCode(err) != queue.EINVALID || !strings.Contains(queue.ErrorMessage(err), "留给现场的名额") {
		t.Fatalf("walk-in places of all: %v", err)
	}
}

// Who manages the plans: admins and supervisors; staff, devices and
// visitors are refused every change.
func TestOnlyAdminsAndSupervisorsManagePlans(t *testing.T) {
	f := newFixture(t)
	v := values(f.plan("legal").Plan)
	v.Capacity = 30
	for _, p := range []queue.Principal{staff("win-06"), kiosk, visitor, {ID: "pad1", Role: queue.RolePad, Counters: []string{"win-06"}}} {
		_, err1 := f.Diary.SetPlan(bg, p, "legal", v)
		_, err2 := f.Diary.CloseDay(bg, p, "legal", nov(27), "外出")
		_, err3 := f.Diary.RemovePlan(bg, p, "legal")
		for _, err := range []error{err1, err2, err3} {
			if !errors.Is(err, queue.ErrForbidden) {
				t.Errorf("%s: %v", p.Role, err)
			}
		}
	}
	if f.plan("legal").Capacity != 22 {
		t.Fatal("a refused principal changed the plan")
	}
}

// A change never strands a booking: lowering the places below the
// bookings of a slot, moving the hours away from a booked slot, closing a
// day with bookings and removing a plan with bookings are refused with
// how many and where; once staff have moved the booking, the same change
// goes through.
func TestPlanChangesNeverStrandBookings(t *testing.T) {
	f := newFixture(t)
	start := f.at(27, 10, 30) // Friday, the legal plan's last slot
	var ids []string
	for range 3 {
		ids = append(ids, f.book(staff("win-06"), "legal", start, booking.ChannelDesk, f.person()).Booking.ID)
	}
	base := values(f.plan("legal").Plan)
	fewer := base
	fewer.Capacity, fewer.WalkIn = 2, 0
	shorter := base
	shorter.Periods = []booking.Period{{From: 9 * time.Hour, To: 10*time.Hour + 30*time.Minute}}
	noFriday := base
	noFriday.Weekdays = []time.Weekday{time.Monday, time.Tuesday}
	longer := base
	longer.Length = time.Hour // slots at 09:00 and 10:00: 10:30 is none
	for _, c := range []struct {
		name    string
		do      func() error
		strands int
	}{
		{"fewer places", func() error { _, err := f.Diary.SetPlan(bg, supervisor, "legal", fewer); return err }, 1},
		{"shorter hours", func() error { _, err := f.Diary.SetPlan(bg, supervisor, "legal", shorter); return err }, 3},
		{"no Fridays", func() error { _, err := f.Diary.SetPlan(bg, supervisor, "legal", noFriday); return err }, 3},
		{"longer slots", func() error { _, err := f.Diary.SetPlan(bg, supervisor, "legal", longer); return err }, 3},
		{"close the day", func() error {
			_, err := f.Diary.CloseDay(bg, supervisor, "legal", nov(27), "律师外出培训")
			return err
		}, 3},
		{"remove the plan", func() error { _, err := f.Diary.RemovePlan(bg, admin, "legal"); return err }, 3},
	} {
		err := c.do()
		var se *booking.StrandedError
		if queue.ErrorCode(err) != queue.ECONFLICT || !errors.As(err, &se) || se.Bookings != c.strands || se.Slots != 1 ||
			!strings.Contains(queue.ErrorMessage(err), "11月27日 10:30") || !strings.Contains(queue.ErrorMessage(err), "请先为这些预约改约或取消") {
			t.Errorf("%s: %v (%+v)", c.name, err, se)
		}
	}
	if p := f.plan("legal"); p.Edited != nil || p.Closed != nil {
		t.Fatalf("a refused change was kept: %+v", p)
	}
	// Closing another day, with no booking, goes through.
	if _, err := f.Diary.CloseDay(bg, supervisor, "legal", nov(30), "律师外出培训"); err != nil {
		t.Fatal(err)
	}
	// Staff move two bookings and cancel one: the day can close.
	for _, id := range ids[:2] {
		if _, err := f.Diary.Move(bg, staff("win-06"), booking.Ref{ID: id}, f.at(26, 10, 30)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.Diary.Cancel(bg, supervisor, booking.Ref{ID: ids[2]}, "领导外出，电话通知改期"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Diary.CloseDay(bg, supervisor, "legal", nov(27), "律师外出培训"); err != nil {
		t.Fatal(err)
	}
	// A past slot's bookings are not stranded: its time has come.
	f.Clock.Set(f.at(26, 10, 45))
	if _, err := f.Diary.SetPlan(bg, supervisor, "legal", shorter); err != nil {
		t.Fatalf("hours away from a slot already begun: %v", err)
	}
}

// Closing a day: its slots go with the reason shown; a booking for it is
// refused; reopening brings them back. Each is an event; a past day or
// one without a reason is refused.
func TestCloseAndReopenADay(t *testing.T) {
	f := newFixture(t)
	if _, err := f.Diary.CloseDay(bg, supervisor, "session", nov(27), "调解员外出"); err != nil {
		t.Fatal(err)
	}
	slots, why := f.slots("session", nov(27))
	if len(slots) != 0 || why != "该日暂停预约：调解员外出" {
		t.Fatalf("a closed day: %v %q", slots, why)
	}
	if s, _ := f.slots("session", nov(30)); len(s) != 3 {
		t.Fatalf("another day: %v", s)
	}
	_, err := f.Diary.Book(bg, supervisor, booking.BookRequest{Plan: "session", Start: f.at(27, 9, 0), Persons: []cases.Person{f.person()},
		Channel: booking.ChannelPhone, IdempotencyKey: f.key()})
	if queue.ErrorCode(err) != queue.EINVALID || !strings.Contains(queue.ErrorMessage(err), "调解员外出") {
		t.Fatalf("booking a closed day: %v", err)
	}
	if pi := f.plan("session"); len(pi.Closed) != 1 || pi.Closed[0].Day != nov(27) || pi.Closed[0].By != supervisor.Actor() {
		t.Fatalf("the plan's closed days: %+v", pi.Closed)
	}
	if _, err := f.Diary.CloseDay(bg, supervisor, "session", nov(27), "再次"); queue.ErrorCode(err) != queue.ECONFLICT {
		t.Fatalf("closing it twice: %v", err)
	}
	for _, c := range []struct {
		day    cases.Date
		reason string
	}{{nov(25), "昨天"}, {nov(28), ""}} {
		if _, err := f.Diary.CloseDay(bg, supervisor, "session", c.day, c.reason); queue.ErrorCode(err) != queue.EINVALID {
			t.Errorf("close %s %q: %v", c.day, c.reason, err)
		}
	}
	if _, err := f.Diary.ReopenDay(bg, admin, "session", nov(27)); err != nil {
		t.Fatal(err)
	}
	if s, why := f.slots("session", nov(27)); len(s) != 3 || why != "" {
		t.Fatalf("reopened: %v %q", s, why)
	}
	if _, err := f.Diary.ReopenDay(bg, admin, "session", nov(27)); queue.ErrorCode(err) != queue.ENOTFOUND {
		t.Fatalf("reopening an open day: %v", err)
	}
	f.book(supervisor, "session", f.at(27, 9, 0), booking.ChannelPhone, f.person())
	evs, err := f.Store.Events(bg, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, ev := range evs {
		if ev.Booking != nil && ev.Booking.Plan == "session" {
			steps = append(steps, ev.Booking.Step+" "+ev.Booking.Change)
		}
	}
	if want := []string{"day_closed 暂停 2026-11-27：调解员外出", "day_reopened 恢复 2026-11-27", "booked "}; !slices.Equal(steps, want) {
		t.Fatalf("events %q, want %q", steps, want)
	}
}

// A plan added on the page takes bookings at once, is listed as the
// page's, survives a restart, is refused removal while it has bookings,
// and once removed can be restored; a plan of the file removed on the
// page stays removed after a restart.
func TestAddRemoveAndRestorePlans(t *testing.T) {
	f := newFixture(t)
	add := booking.Plan{ID: "consult-am", Name: "咨询预约（上午）", ServiceID: "consult", CounterID: "win-06",
		Weekdays: []time.Weekday{time.Friday, time.Monday, time.Friday}, Periods: []booking.Period{{From: 9 * time.Hour, To: 10 * time.Hour}},
		Length: 20 * time.Minute, Capacity: 2, Public: true}
	got, err := f.Diary.AddPlan(bg, supervisor, add)
	if err != nil {
		t.Fatal(err)
	}
	if got.File != nil || !slices.Equal(got.Weekdays, []time.Weekday{time.Monday, time.Friday}) {
		t.Fatalf("added: %+v", got)
	}
	if _, err := f.Diary.AddPlan(bg, supervisor, add); queue.ErrorCode(err) != queue.ECONFLICT {
		t.Fatalf("the same id again: %v", err)
	}
	bad := add
	bad.ID, bad.ServiceID = "bad", "mediation" // win-06 does not mediate
	if _, err := f.Diary.AddPlan(bg, supervisor, bad); queue.ErrorCode(err) != queue.EINVALID || !strings.Contains(queue.ErrorMessage(err), "不办理这项服务") {
		t.Fatalf("a room that does not serve the service: %v", err)
	}
	b, err := f.Diary.Book(bg, visitor, booking.BookRequest{Plan: "consult-am", Start: f.at(27, 9, 20), Persons: []cases.Person{f.person()},
		Channel: booking.ChannelPublic, IdempotencyKey: f.key()})
	if err != nil || b.Booking.PlanName != "咨询预约（上午）" {
		t.Fatalf("booking the added plan: %+v, %v", b, err)
	}
	if _, err := f.Diary.RemovePlan(bg, supervisor, "consult-am"); queue.ErrorCode(err) != queue.ECONFLICT {
		t.Fatalf("removing a plan with a booking: %v", err)
	}
	if _, err := f.Diary.Cancel(bg, supervisor, booking.Ref{ID: b.Booking.ID}, "项目调整"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"consult-am", "session"} {
		if _, err := f.Diary.RemovePlan(bg, supervisor, id); err != nil {
			t.Fatal(err)
		}
	}
	d := f.reopen(t)
	var ids []string
	for _, p := range d.Config().Plans {
		ids = append(ids, p.ID)
	}
	if !slices.Equal(ids, []string{"legal"}) {
		t.Fatalf("plans after a restart: %v", ids)
	}
	if v, err := d.Lookup(bg, supervisor, booking.Ref{ID: b.Booking.ID}); err != nil || v.PlanName != "咨询预约（上午）" {
		t.Fatalf("a removed plan's booking: %+v, %v", v, err)
	}
	if _, _, err := d.Slots(bg, "session", nov(27)); queue.ErrorCode(err) != queue.ENOTFOUND {
		t.Fatalf("a removed plan's slots: %v", err)
	}
	if _, err := d.RestorePlan(bg, admin, "session"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.RestorePlan(bg, admin, "session"); queue.ErrorCode(err) != queue.ENOTFOUND {
		t.Fatalf("restoring a plan in effect: %v", err)
	}
	if s, _, err := d.Slots(bg, "session", nov(27)); err != nil || len(s) != 3 {
		t.Fatalf("restored: %v %v", s, err)
	}
}

// A diary whose memory lags a change committed by another (the moment
// between a change's commit and its diary publishing it) still books with
// the new capacity: a command reads the plans of the store's version.
func TestBookingsCountWithTheCommittedPlan(t *testing.T) {
	f := newFixture(t)
	other := f.reopen(t)
	v := values(f.plan("legal").Plan)
	v.Capacity, v.WalkIn = 2, 1 // one bookable place
	if _, err := other.SetPlan(bg, supervisor, "legal", v); err != nil {
		t.Fatal(err)
	}
	start := f.at(27, 9, 0)
	f.book(staff("win-06"), "legal", start, booking.ChannelDesk, f.person())
	_, err := f.Diary.Book(bg, staff("win-06"), booking.BookRequest{Plan: "legal", Start: start, Persons: []cases.Person{f.person()},
		Channel: booking.ChannelDesk, IdempotencyKey: f.key()})
	if !errors.Is(err, queue.ErrFull) {
		t.Fatalf("a second booking of one place, by a diary that had not seen the change: %v", err)
	}
}

// Changes of capacity while visitors book the same slot: whatever the
// order the writer takes them in, a slot never holds more bookings than
// the places of the plan in effect, every booking that succeeded is
// counted, and a change refused is refused for the bookings it would
// strand.
func TestPlanChangesUnderConcurrentBookings(t *testing.T) {
	f := newFixture(t)
	base := values(f.plan("legal").Plan) // 20 bookable
	applied := 0
	for round, start := range []time.Time{f.at(27, 9, 0), f.at(27, 9, 30), f.at(27, 10, 0), f.at(27, 10, 30), f.at(30, 9, 0), f.at(30, 9, 30)} {
		persons := make([]cases.Person, 40)
		for i := range persons {
			persons[i] = f.person()
		}
		v := base
		v.Capacity, v.WalkIn = 12-round%2, 2 // 10 or 9 bookable
		var (
			wg        sync.WaitGroup
			mu        sync.Mutex
			booked    int
			changeErr error
			go1       = make(chan struct{})
		)
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-go1
			_, changeErr = f.Diary.SetPlan(bg, supervisor, "legal", v)
		}()
		for i := range persons {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-go1
				_, err := f.Diary.Book(bg, visitor, booking.BookRequest{Plan: "legal", Start: start, Persons: persons[i : i+1],
					Channel: booking.ChannelPublic, IdempotencyKey: f.key()})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					booked++
				case !errors.Is(err, queue.ErrFull):
					t.Errorf("round %d: booking: %v", round, err)
				}
			}()
		}
		close(go1)
		wg.Wait()
		var se *booking.StrandedError
		switch {
		case changeErr == nil:
			applied++
		case !errors.As(changeErr, &se):
			t.Fatalf("round %d: the change: %v", round, changeErr)
		}
		pl, _ := f.Diary.Config().Plan("legal")
		n, err := f.Store.Taken(bg, "legal", start)
		if err != nil {
			t.Fatal(err)
		}
		if n != booked || n > pl.Bookable() {
			t.Fatalf("round %d: %d booked, the slot counts %d, the plan in effect has %d places (change: %v)", round, booked, n, pl.Bookable(), changeErr)
		}
		if changeErr == nil && n > v.Capacity-v.WalkIn {
			t.Fatalf("round %d: the change went through and the slot holds %d of %d places", round, n, v.Capacity-v.WalkIn)
		}
		if _, err := f.Diary.SetPlan(bg, supervisor, "legal", base); err != nil && changeErr == nil {
			t.Fatal(err)
		}
	}
	t.Logf("the change went through in %d of 6 rounds", applied)
}

// Moving a booking checks the one-booking-a-day rule again: a visitor who
// holds a booking of the plan on a day cannot have another moved onto it;
// moving within the same day is no second booking.
func TestMoveKeepsOneBookingAPlanADay(t *testing.T) {
	f := newFixture(t)
	ps := f.person()
	f.book(staff("win-06"), "legal", f.at(27, 9, 0), booking.ChannelDesk, ps)
	other := f.book(staff("win-06"), "legal", f.at(30, 9, 0), booking.ChannelDesk, ps)
	_, err := f.Diary.Move(bg, supervisor, booking.Ref{ID: other.Booking.ID}, f.at(27, 10, 0))
	if queue.ErrorCode(err) != queue.ECONFLICT || !strings.Contains(queue.ErrorMessage(err), "当天已有") {
		t.Fatalf("moving onto a day with the visitor's booking of the plan: %v", err)
	}
	if _, err := f.Diary.Move(bg, supervisor, booking.Ref{ID: other.Booking.ID}, f.at(30, 10, 0)); err != nil {
		t.Fatalf("moving within its own day: %v", err)
	}
	if _, err := f.Diary.Move(bg, visitor, booking.Ref{Code: other.Codes[0]}, f.at(27, 10, 30)); queue.ErrorCode(err) != queue.ECONFLICT {
		t.Fatalf("the visitor moving onto that day: %v", err)
	}
	// Staff move it to half an hour from now: no cut-off for staff.
	if _, err := f.Diary.Move(bg, staff("win-06"), booking.Ref{ID: other.Booking.ID}, f.at(26, 9, 30)); err != nil {
		t.Fatalf("staff moving it to a slot past the visitors' cut-off: %v", err)
	}
}

// A hall whose file sets no appointment tickets' prefix takes no plan
// from the page: its tickets would have no prefix of their own.
func TestNoPlanWithoutAPrefix(t *testing.T) {
	h := testHall(t)
	h.AppointmentPrefix = ""
	f := newFixtureWith(t, h, &booking.Config{Policy: booking.DefaultPolicy()})
	_, err := f.Diary.AddPlan(bg, supervisor, booking.Plan{ID: "consult", Name: "咨询预约", ServiceID: "consult", Weekdays: weekdays(),
		Periods: []booking.Period{{From: 9 * time.Hour, To: 10 * time.Hour}}, Length: 30 * time.Minute, Capacity: 1})
	if queue.ErrorCode(err) != queue.ECONFLICT || !strings.Contains(queue.ErrorMessage(err), "prefix") || len(f.Diary.Config().Plans) != 0 {
		t.Fatalf("adding a plan without a prefix: %v", err)
	}
}
