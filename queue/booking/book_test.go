package booking_test

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/booking"
	"yiting/queue/cases"
	"yiting/queue/rota"
)

// The concurrency test: 200 visitors book the same 20-place slot
// at once; exactly 20 get a booking and 180 a clear refusal (EFULL, in
// Chinese), and the store counts 20.
func TestConcurrentBookingsNeverExceedPlaces(t *testing.T) {
	f := newFixture(t)
	start := f.at(27, 9, 0) // Friday; the legal plan's slot: 22 places, 2 for walk-ins
	var (
		wg              sync.WaitGroup
		mu              sync.Mutex
		ok, full, other int
		codes           = map[string]bool{}
	)
	persons := make([]cases.Person, 200)
	for i := range persons {
		persons[i] = f.person()
	}
	for i := 0; i < 200; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := f.Diary.Book(bg, visitor, booking.BookRequest{Plan: "legal", Start: start, Persons: persons[i : i+1],
				Channel: booking.ChannelPublic, IdempotencyKey: f.key()})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
				codes[b.Codes[0]] = true
			case errors.Is(err, queue.ErrFull) && strings.Contains(queue.ErrorMessage(err), "已约满"):
				full++
			default:
				other++
				t.Errorf("booking %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if ok != 20 || full != 180 || other != 0 {
		t.Fatalf("%d booked, %d refused as full, %d other errors; want 20, 180, 0", ok, full, other)
	}
	if len(codes) != 20 {
		t.Fatalf("%d distinct codes for 20 bookings", len(codes))
	}
	slots, _, err := f.Diary.Slots(bg, "legal", 27+cases.MakeDate(2026, 11, 0))
	if err != nil {
		t.Fatal(err)
	}
	if slots[0].Taken != 20 || slots[0].Free != 0 || slots[1].Taken != 0 {
		t.Fatalf("slots after the rush: %+v", slots[:2])
	}
}

// Slots follow the plan and the calendar: none on a weekend or a holiday
// of the holiday file (with why), a made-up working day (调休) is open,
// and a booking for a closed day, a time that is no slot or a past slot is
// refused.
func TestSlotsFollowTheCalendar(t *testing.T) {
	cal := cases.NewCalendar()
	if err := cal.AddYear(2026, []cases.Date{cases.MakeDate(2026, 12, 1)}, []cases.Date{cases.MakeDate(2026, 11, 29)}, "test"); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, func(o *booking.Options) { o.Calendar = func() *cases.Calendar { return cal } })
	for _, c := range []struct {
		day  cases.Date
		n    int
		why  string
		name string
	}{
		{cases.MakeDate(2026, 11, 27), 3, "", "Friday"},
		{cases.MakeDate(2026, 11, 28), 0, "该日不开放预约", "Saturday"},
		{cases.MakeDate(2026, 11, 29), 0, "该日不开放预约", "Sunday made a working day: not one of the plan's weekdays"},
		{cases.MakeDate(2026, 12, 1), 0, "节假日不办公", "a holiday on a Tuesday"},
	} {
		slots, why, err := f.Diary.Slots(bg, "session", c.day)
		if err != nil || len(slots) != c.n || why != c.why {
			t.Errorf("%s: %d slots, %q, %v; want %d, %q", c.name, len(slots), why, err, c.n, c.why)
		}
	}
	p := supervisor
	for _, c := range []struct {
		start time.Time
		want  string
	}{
		{time.Date(2026, 12, 1, 9, 0, 0, 0, f.Config.Location), "节假日"},
		{f.at(27, 9, 30), "不是调解预约的预约时段"},
		{f.at(26, 8, 0), "已过"},
		{f.at(26, 9, 0).AddDate(0, 2, 0), "天以内"},
	} {
		_, err := f.Diary.Book(bg, p, booking.BookRequest{Plan: "session", Start: c.start, Persons: []cases.Person{f.person()},
			Channel: booking.ChannelDesk, IdempotencyKey: f.key()})
		if !errors.Is(err, queue.ErrInvalid) || !strings.Contains(queue.ErrorMessage(err), c.want) {
			t.Errorf("booking %s: %v, want EINVALID saying %q", c.start, err, c.want)
		}
	}
}

// Who may book how: a visitor only public plans on public channels; staff
// and supervisors the others; devices and admins never. A visitor cannot
// book one plan twice a day.
func TestWhoMayBook(t *testing.T) {
	f := newFixture(t)
	start := f.at(27, 10, 0)
	for _, c := range []struct {
		p    queue.Principal
		plan string
		ch   booking.Channel
		want error
	}{
		{visitor, "session", booking.ChannelPublic, queue.ErrForbidden},
		{kiosk, "legal", booking.ChannelDesk, queue.ErrForbidden},
		{queue.Principal{ID: "admin", Role: queue.RoleAdmin}, "legal", booking.ChannelPhone, queue.ErrForbidden},
		{staff("win-06"), "legal", booking.ChannelPublic, queue.ErrInvalid},
		{visitor, "legal", booking.ChannelDesk, queue.ErrForbidden},
	} {
		_, err := f.Diary.Book(bg, c.p, booking.BookRequest{Plan: c.plan, Start: start, Persons: []cases.Person{f.person()}, Channel: c.ch, IdempotencyKey: f.key()})
		if !errors.Is(err, c.want) {
			t.Errorf("%s on %s by %s: %v, want %v", c.plan, c.ch, c.p.Role, err, c.want)
		}
	}
	ps := f.person()
	f.book(visitor, "legal", start, booking.ChannelPublic, ps)
	_, err := f.Diary.Book(bg, visitor, booking.BookRequest{Plan: "legal", Start: start.Add(30 * time.Minute), Persons: []cases.Person{ps},
		Channel: booking.ChannelPublic, IdempotencyKey: f.key()})
	if !errors.Is(err, queue.ErrConflict) {
		t.Fatalf("second booking of the plan the same day: %v, want ECONFLICT", err)
	}
	// A retry with the same key returns the first booking and its code.
	req := booking.BookRequest{Plan: "legal", Start: start, Persons: []cases.Person{f.person()}, Channel: booking.ChannelPhone, IdempotencyKey: "same"}
	a, err := f.Diary.Book(bg, staff("win-06"), req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.Diary.Book(bg, staff("win-06"), req)
	if err != nil || !b.Replayed || b.Booking.ID != a.Booking.ID || b.Codes[0] != a.Codes[0] {
		t.Fatalf("retry: %+v, %v; want the first booking %s replayed", b, err, a.Booking.ID)
	}
}

// The visitor moves or cancels with their code until the cut-off (2 h),
// never a session; staff always; a cancelled place is free again.
func TestMoveAndCancel(t *testing.T) {
	f := newFixture(t)
	bk := f.book(visitor, "legal", f.at(27, 10, 30), booking.ChannelPublic, f.person())
	code := bk.Codes[0]
	v, err := f.Diary.Move(bg, visitor, booking.Ref{Code: strings.ToLower(code)}, f.at(27, 9, 0))
	if err != nil || !v.Start.Equal(f.at(27, 9, 0)) {
		t.Fatalf("visitor moving it earlier: %+v %v", v, err)
	}
	if n, _ := f.Store.Taken(bg, "legal", f.at(27, 10, 30)); n != 0 {
		t.Fatalf("the place left is still taken (%d)", n)
	}
	f.Clock.Set(f.at(27, 7, 30)) // 1.5 h before: past the cut-off
	if _, err := f.Diary.Cancel(bg, visitor, booking.Ref{Code: code}, ""); !errors.Is(err, queue.ErrConflict) ||
		!strings.Contains(queue.ErrorMessage(err), "不足2小时") {
		t.Fatalf("visitor cancelling past the cut-off: %v", err)
	}
	if _, err := f.Diary.Cancel(bg, staff("win-06"), booking.Ref{ID: bk.Booking.ID}, ""); !errors.Is(err, queue.ErrInvalid) {
		t.Fatalf("staff cancelling without a reason: %v", err)
	}
	if _, err := f.Diary.Cancel(bg, staff("room-multi"), booking.Ref{ID: bk.Booking.ID}, "来电取消"); !errors.Is(err, queue.ErrForbidden) {
		t.Fatalf("staff of another counter cancelling: %v", err)
	}
	v, err = f.Diary.Cancel(bg, staff("win-06"), booking.Ref{ID: bk.Booking.ID}, "来电取消")
	if err != nil || !v.Cancelled {
		t.Fatalf("staff cancelling: %+v %v", v, err)
	}
	if n, _ := f.Store.Taken(bg, "legal", f.at(27, 9, 0)); n != 0 {
		t.Fatalf("the cancelled place is still taken (%d)", n)
	}
	if _, err := f.Diary.Move(bg, visitor, booking.Ref{Code: "ZZZZ-ZZZZ"}, f.at(27, 10, 0)); !errors.Is(err, queue.ErrNotFound) {
		t.Fatalf("unknown code: %v", err)
	}
}

// A code that finds nothing counts; a client that keeps guessing is
// stopped (ETOOMANY) even when it then types a right one.
func TestGuessingCodesIsStopped(t *testing.T) {
	f := newFixture(t)
	bk := f.book(visitor, "legal", f.at(27, 10, 0), booking.ChannelPublic, f.person())
	for i := 0; i < booking.MaxMisses; i++ {
		if _, err := f.Diary.Lookup(bg, visitor, booking.Ref{Code: "2222-2222"}); !errors.Is(err, queue.ErrNotFound) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	if _, err := f.Diary.Lookup(bg, visitor, booking.Ref{Code: bk.Codes[0]}); !errors.Is(err, queue.ErrTooMany) {
		t.Fatalf("after %d misses: %v, want ETOOMANY", booking.MaxMisses, err)
	}
	other := queue.Principal{ID: "ip:198.51.100.1"}
	if v, err := f.Diary.Lookup(bg, other, booking.Ref{Code: bk.Codes[0]}); err != nil || v.ID != bk.Booking.ID || v.Parties[0].MaskedName == "" {
		t.Fatalf("another client with the right code: %+v %v", v, err)
	}
	f.Clock.Advance(booking.MissWindow)
	if _, err := f.Diary.Lookup(bg, visitor, booking.Ref{Code: bk.Codes[0]}); err != nil {
		t.Fatalf("after the window: %v", err)
	}
}

// Names, ID numbers, phone numbers and codes are sealed in the file; the
// staff's view shows them masked.
func TestPersonalDataSealedAtRest(t *testing.T) {
	f := newFixture(t)
	p := f.person()
	bk := f.book(staff("win-06"), "legal", f.at(27, 9, 0), booking.ChannelPhone, p)
	raw, err := os.ReadFile(f.Store.Path())
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{p.Name, p.IDNumber, p.Phone, strings.ReplaceAll(bk.Codes[0], "-", "")} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Fatalf("the database holds %q in clear", secret)
		}
	}
	pv := bk.Booking.Parties[0]
	if pv.MaskedName == p.Name || !strings.Contains(pv.MaskedName, "*") || !strings.Contains(pv.MaskedID, "****") || strings.Contains(pv.MaskedPhone, p.Phone) {
		t.Fatalf("the view is not masked: %+v", pv)
	}
}

// A duty-only service (领导接访) is booked only by a duty plan in its room,
// and a duty plan books only such a service: otherwise a booking would be
// taken for a day the desk then refuses to issue for.
func TestDutyPlansCheck(t *testing.T) {
	h := testHall(t)
	h.Services = append(h.Services, queue.Service{ID: "leader", Name: "领导接访", Prefix: "T", Category: queue.CategoryPetition, DutyOnly: true})
	h.Counters = append(h.Counters, queue.Counter{ID: "room-leader", Name: "领导接访室", Kind: queue.KindRoom, Services: []queue.CounterService{{ServiceID: "leader", Weight: 1}}})
	base := booking.Plan{ID: "p", Name: "领导接访预约", ServiceID: "leader", CounterID: "room-leader", Weekdays: weekdays(),
		Periods: []booking.Period{{From: 9 * time.Hour, To: 10 * time.Hour}}, Length: 30 * time.Minute, Capacity: 2, Duty: true}
	for _, c := range []struct {
		change func(*booking.Plan)
		ok     bool
	}{
		{func(*booking.Plan) {}, true},
		{func(p *booking.Plan) { p.Duty = false }, false},
		{func(p *booking.Plan) { p.CounterID = "" }, false},
		{func(p *booking.Plan) { p.ServiceID, p.CounterID = "mediation", "room-multi" }, false},
	} {
		p := base
		c.change(&p)
		cfg := booking.Config{Policy: booking.DefaultPolicy(), Plans: []booking.Plan{p}}
		if err := cfg.Validate(h); (err == nil) != c.ok {
			t.Errorf("plan %+v: %v", p, err)
		}
	}
	// The leader's reception is bookable on the days the rota names a
	// leader in the room, and only then.
	f := newFixtureWith(t, h, &booking.Config{Policy: booking.DefaultPolicy(), Plans: []booking.Plan{base}})
	fri := cases.MakeDate(2026, 11, 27)
	if slots, why, err := f.Diary.Slots(bg, "p", fri); err != nil || len(slots) != 0 || why != "该日没有安排领导接访" {
		t.Fatalf("without a duty: %v %q %v", slots, why, err)
	}
	if _, err := f.Rota.Set(bg, supervisor, rota.Entry{Day: "2026-11-27", Kind: rota.KindLeader, Who: "县委副书记 某某", CounterID: "room-leader", ServiceID: "leader"}); err != nil {
		t.Fatal(err)
	}
	if slots, _, err := f.Diary.Slots(bg, "p", fri); err != nil || len(slots) != 2 || slots[0].Bookable != 2 {
		t.Fatalf("on the duty day: %+v %v", slots, err)
	}
}
