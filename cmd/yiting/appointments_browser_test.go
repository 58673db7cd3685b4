package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	hallconfig "yiting/firmware-config"
	"yiting/kiosk/idcard/idcardsim"
	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/queuetest"
)

// The issue's test (issue 16): in Chromium, a mediator schedules a
// session for a case with two parties from the case page; a clerk books a
// third visitor by phone on the appointments page. On the day, both
// parties check in at the kiosk with their cards (the simulated reader on
// a pseudo-terminal, through the demo panel), get appointment tickets for
// the room, and the room calls them at the booked time ahead of the
// walk-ins who came earlier — and not before it; the third booking, never
// kept, becomes a no-show after its window and the appointments page says
// so. The hall runs in process on the default hall file with a clock the
// test moves (there is no flag to set a server's clock).
func TestAppointmentsInChromium(t *testing.T) {
	loc := queuetest.Shanghai(t)
	clock := queuetest.NewClock(time.Date(2026, 12, 3, 8, 50, 0, 0, loc)) // a Thursday
	const adminPW = "appointments-admin-pw"
	s, base := clockedHall(t, clock, adminPW)
	admin := newHallClient(t, base, "admin", adminPW)
	admin.user("mediator", "调解员", "mediator-password", "room-multi")
	mediator := queue.Principal{ID: "mediator", Role: queue.RoleStaff, Counters: []string{"room-multi"}}

	// The case: a dispute between the holders of two of the simulator's
	// cards, received in the mediation room by the mediator.
	resident, _ := idcardsim.CardByLabel(idcardsim.LabelResident)
	elderly, _ := idcardsim.CardByLabel(idcardsim.LabelElderly)
	bg := testCtx(t)
	reg, err := s.book.Register(bg, mediator, cases.RegisterRequest{ServiceID: "mediation-general", Channel: cases.ChannelPhone,
		Summary: "相邻关系纠纷", CounterID: "room-multi", IdempotencyKey: "case-1", Persons: []cases.Person{
			{Name: resident.Identity.Name, IDNumber: resident.Identity.Number}, {Name: elderly.Identity.Name, IDNumber: elderly.Identity.Number}}})
	if err != nil {
		t.Fatal(err)
	}
	code := reg.Case.Code
	if _, err := s.book.Receive(bg, mediator, code, "room-multi"); err != nil {
		t.Fatal(err)
	}

	browser := newBrowser(t)
	// The mediator schedules the session at 10:00 from the case page.
	room := loginTab(t, browser, base, "mediator", "mediator", "mediator-password", "/cases/"+code)
	wait[bool](room, `document.querySelector('#session-start option[value$="T10:00:00+08:00"]') !== null`, 15*time.Second)
	room.do(chromedp.SetValue(chromedp.CSS(`#session-start`), "2026-12-03T10:00:00+08:00"), chromedp.Click(chromedp.CSS(`#schedule button[type=submit]`)))
	done := wait[string](room, `(!document.getElementById('session-done').hidden && document.getElementById('session-done').textContent) ||
		(!document.getElementById('session-error').hidden && 'error: ' + document.getElementById('session-error').textContent)`, 15*time.Second)
	if !strings.Contains(done, "王*明") || !strings.Contains(done, "张*试") || strings.Count(done, "-") < 2 {
		t.Fatalf("scheduled: %q", done)
	}
	// A clerk (the mediator here) books a third visitor by phone for 10:00.
	room.open(base+"/dashboard/appointments", 1440, 900)
	wait[bool](room, `document.querySelectorAll('#book-start option').length > 0`, 15*time.Second)
	room.do(chromedp.SetValue(chromedp.CSS(`#book-plan`), "legal-aid"))
	eval[chromedp.Void](room, `document.getElementById('book-plan').dispatchEvent(new Event('change'))`)
	wait[bool](room, `document.querySelector('#book-start option[value$="T10:00:00+08:00"]:not([disabled])') !== null`, 15*time.Second)
	room.do(
		chromedp.SetValue(chromedp.CSS(`#book-start`), "2026-12-03T10:00:00+08:00"),
		chromedp.SetValue(chromedp.CSS(`#book select[name=channel]`), "phone"),
		chromedp.SendKeys(chromedp.CSS(`#book input[name=name]`), "周测试"),
		chromedp.SendKeys(chromedp.CSS(`#book input[name=id_number]`), withCheckChar("42122419800101003")),
		chromedp.Click(chromedp.CSS(`#book button[type=submit]`)),
	)
	booked := wait[string](room, `(!document.getElementById('book-done').hidden && document.getElementById('book-done').textContent) ||
		(!document.getElementById('appt-error').hidden && 'error: ' + document.getElementById('appt-error').textContent)`, 15*time.Second)
	if !strings.Contains(booked, "周*试") || !strings.Contains(booked, "预约码") {
		t.Fatalf("booked by phone: %q", booked)
	}

	// 09:10: two walk-ins wait for the room's service.
	clock.Set(time.Date(2026, 12, 3, 9, 10, 0, 0, loc))
	desk := queue.Principal{ID: "desk", Role: queue.RoleStaff, Counters: []string{"win-12"}}
	var walkIns []string
	for i, name := range []string{"赵测试", "钱测试"} {
		is, err := s.book.Issue(bg, desk, cases.IssueRequest{ServiceID: "mediation-general", Persons: []cases.Person{{Name: name}},
			NoID: "身份证遗忘未带", IdempotencyKey: "walk-in-" + string(rune('a'+i))})
		if err != nil {
			t.Fatal(err)
		}
		walkIns = append(walkIns, is.Ticket.Number)
	}

	// 09:40: the two parties check in at the kiosk with their cards.
	clock.Set(time.Date(2026, 12, 3, 9, 40, 0, 0, loc))
	kiosk := kioskBrowser(t)
	step, cancel := context.WithTimeout(kiosk, 90*time.Second)
	defer cancel()
	checkIn := func(card string) (number, where string) {
		t.Helper()
		err := chromedp.Do(step,
			chromedp.Navigate(base+"/kiosk"),
			chromedp.WaitVisible(chromedp.CSS(`button[data-category="checkin"]`)),
			chromedp.Click(chromedp.CSS(`button[data-category="checkin"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#s-checkin.on`)),
			chromedp.WaitVisible(chromedp.CSS(`button[data-card="`+card+`"]`)),
			chromedp.Click(chromedp.CSS(`button[data-card="`+card+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#s-ticket.on`)),
		)
		if err != nil {
			t.Fatalf("checking in with the %s card: %v", card, err)
		}
		number, _ = chromedp.Run(step, chromedp.Text(chromedp.CSS(`#t-number`)))
		where, _ = chromedp.Run(step, chromedp.Text(chromedp.CSS(`#t-where`)))
		note, _ := chromedp.Run(step, chromedp.Text(chromedp.CSS(`#t-note`)))
		if !strings.Contains(note, "预约时间 10:00") {
			t.Errorf("the ticket of the %s card says %q", card, note)
		}
		if err := chromedp.Do(step, chromedp.Click(chromedp.CSS(`#demo-remove`)), chromedp.Click(chromedp.CSS(`#back`)),
			chromedp.WaitVisible(chromedp.CSS(`#s-menu.on`))); err != nil {
			t.Fatal(err)
		}
		return number, where
	}
	first, where1 := checkIn("resident")
	second, where2 := checkIn("elderly")
	if !strings.HasPrefix(first, "Q") || !strings.HasPrefix(second, "Q") || first == second ||
		where1 != "请到：矛盾纠纷多元调解室" || where2 != where1 {
		t.Fatalf("appointment tickets %s (%s), %s (%s)", first, where1, second, where2)
	}

	// The room calls: before 10:00 a walk-in; at 10:00 the two parties,
	// then the other walk-in.
	api := newHallClient(t, base, "mediator", "mediator-password")
	api.do("POST", "/api/v1/counters/room-multi/open", nil, nil)
	callNext := func() string {
		t.Helper()
		var out struct {
			Ticket *apiTicket `json:"ticket"`
		}
		api.do("POST", "/api/v1/counters/room-multi/call-next", nil, &out)
		if out.Ticket == nil {
			t.Fatal("nobody was called")
		}
		api.do("POST", "/api/v1/counters/room-multi/complete", nil, nil)
		return out.Ticket.Number
	}
	clock.Set(time.Date(2026, 12, 3, 9, 45, 0, 0, loc))
	if got := callNext(); got != walkIns[0] {
		t.Fatalf("09:45 the room called %s, want the walk-in %s (the session is at 10:00)", got, walkIns[0])
	}
	clock.Set(time.Date(2026, 12, 3, 10, 0, 0, 0, loc))
	var calls []string
	for range 3 {
		calls = append(calls, callNext())
	}
	if strings.Join(calls, " ") != first+" "+second+" "+walkIns[1] {
		t.Fatalf("10:00 the room called %v, want %s %s before the walk-in %s", calls, first, second, walkIns[1])
	}

	// 10:16: the phone booking was never kept: a no-show.
	clock.Set(time.Date(2026, 12, 3, 10, 16, 0, 0, loc))
	if n, err := s.diary.NoShows(bg); err != nil || n != 1 {
		t.Fatalf("no-shows: %d %v", n, err)
	}
	room.open(base+"/dashboard/appointments", 1440, 900)
	rowsText := wait[string](room, `document.getElementById('bookings') && document.getElementById('bookings').textContent`, 15*time.Second)
	if !strings.Contains(rowsText, "周*试（未到（爽约））") || !strings.Contains(rowsText, "王*明（已到达 "+first+"）") ||
		!strings.Contains(rowsText, "张*试（已到达 "+second+"）") {
		t.Fatalf("the day's bookings: %s", rowsText)
	}
}

// withCheckChar completes 17 digits of an invented ID number with its
// MOD 11-2 check character (GB 11643).
func withCheckChar(digits string) string {
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(digits[i]-'0') * w
	}
	return digits + string("10X98765432"[sum%11])
}

// clockedHall runs the hall in process on the default hall file with a
// clock the test moves (there is no flag to set a server's clock), and
// an admin of that password; it returns the server and its address.
func clockedHall(t *testing.T, clock *queuetest.Clock, adminPW string) (*server, string) {
	t.Helper()
	cfg, err := hallconfig.Default()
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	o, err := parseFlags([]string{"-data", t.TempDir(), "-addr", addr}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	o.now = clock.Now
	t.Setenv("YITING_ADMIN_PASSWORD", adminPW)
	ctx, stop := context.WithCancel(context.Background())
	s, err := openServer(ctx, o, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), io.Discard)
	if err != nil {
		stop()
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.serve(ctx, io.Discard) }()
	t.Cleanup(func() { stop(); <-served; s.close() })
	base := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if r, err := http.Get(base + "/healthz"); err == nil {
			r.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the hall did not start serving in 30 s")
		}
	}
	return s, base
}
