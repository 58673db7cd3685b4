package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/booking"
	"yiting/queue/cases"
	"yiting/queue/queuetest"
	"yiting/queue/web"
)

// apptFixture: the case fixture's hall with the appointment diary: the
// medical room takes sessions (staff only), the windows take petitions
// from the public page, 2 places a half hour and one of them for walk-ins.
type apptFixture struct {
	*caseFixture
	diary *booking.Diary
}

func newApptFixture(t testing.TB) *apptFixture {
	t.Helper()
	loc := queuetest.Shanghai(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := caseHall(t)
	h.AppointmentPrefix = "Q"
	wd := []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
	cfg := &booking.Config{Policy: booking.DefaultPolicy(), Plans: []booking.Plan{
		{ID: "session", Name: "调解预约", ServiceID: "medical", CounterID: "r1", Weekdays: wd, Periods: []booking.Period{{From: 9 * time.Hour, To: 11 * time.Hour}},
			Length: time.Hour, Capacity: 1},
		{ID: "petition", Name: "信访预约", ServiceID: "petition", Weekdays: wd, Periods: []booking.Period{{From: 14 * time.Hour, To: 15 * time.Hour}},
			Length: 30 * time.Minute, Capacity: 2, WalkIn: 1, Public: true},
	}}
	x := queuetest.NewHall(t, h, queuetest.HallOptions{Now: time.Date(2026, 11, 2, 9, 0, 0, 0, loc), Logger: log, Appointments: cfg})
	pages, err := web.New(web.Options{Engine: x.Engine, Auth: fakeAuth{}, Tickets: x.Store, Cases: x.Book, Diary: x.Diary, Logger: log, Now: x.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, clock: x.Clock, store: x.Store, eng: x.Engine, pages: pages, mux: http.NewServeMux()}
	pages.Register(f.mux)
	return &apptFixture{caseFixture: &caseFixture{fixture: f, book: x.Book}, diary: x.Diary}
}

// post sends a public form from an address.
func (f *apptFixture) post(path, ip string, form url.Values) *httptest.ResponseRecorder {
	f.t.Helper()
	r := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.RemoteAddr = ip + ":40000"
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, r)
	return w
}

var codeRE = regexp.MustCompile(`id="booked-code">([2-9A-Z]{4}-[2-9A-Z]{4})<`)

// The public page: the public plans only, their days and free slots; a
// booking shows its code once; the code looks it up, moves it and cancels
// it; an address that keeps posting is stopped; the page sends the
// inquiry page's headers and never puts a code in an address.
func TestPublicBookingPage(t *testing.T) {
	f := newApptFixture(t)
	w := f.get("/book", "")
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	if !strings.Contains(body, "信访预约") || strings.Contains(body, "调解预约") {
		t.Fatalf("the plans offered: %s", body)
	}
	if csp := w.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || w.Header().Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("headers %v", w.Header())
	}
	w = f.get("/book?plan=petition", "")
	if !strings.Contains(w.Body.String(), "day=2026-11-02") || strings.Contains(w.Body.String(), "day=2026-11-07") {
		t.Fatalf("days: a Monday with slots, never the Saturday: %s", w.Body.String())
	}
	w = f.get("/book?plan=session&day=2026-11-03", "")
	if strings.Contains(w.Body.String(), "name=\"start\"") {
		t.Fatal("a staff-only plan offers slots on the public page")
	}
	// A day it does not run says so once.
	w = f.get("/book?plan=petition&day=2026-11-07", "")
	if body := w.Body.String(); !strings.Contains(body, "该日不开放预约") || strings.Contains(body, "该日没有可预约的时段：") {
		t.Errorf("a Saturday: %s", body)
	}
	w = f.get("/book?plan=petition&day=2026-11-03", "")
	key := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(w.Body.String())
	if len(key) != 2 || !strings.Contains(w.Body.String(), "14:00–14:30（余 1）") {
		t.Fatalf("slots form: %s", w.Body.String())
	}
	p := synthPerson(1)
	start := time.Date(2026, 11, 3, 14, 0, 0, 0, queuetest.Shanghai(t)).Format(time.RFC3339)
	form := url.Values{"plan": {"petition"}, "start": {start}, "key": {key[1]}, "name": {p.Name}, "id_number": {p.IDNumber}, "phone": {p.Phone}}
	w = f.post("/book", "198.51.100.7", form)
	wantStatus(t, w, http.StatusOK)
	m := codeRE.FindStringSubmatch(w.Body.String())
	if m == nil || strings.Contains(w.Body.String(), p.Name) || strings.Contains(w.Body.String(), p.IDNumber) {
		t.Fatalf("booked page: %s", w.Body.String())
	}
	code := m[1]
	// The slot's one bookable place is taken: another visitor is refused.
	q := synthPerson(2)
	form2 := url.Values{"plan": {"petition"}, "start": {start}, "key": {"other"}, "name": {q.Name}, "id_number": {q.IDNumber}}
	w = f.post("/book", "198.51.100.8", form2)
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "已约满") {
		t.Fatalf("full slot: %d %s", w.Code, w.Body.String())
	}
	// My booking: look up, move, cancel.
	w = f.post("/book/mine", "198.51.100.7", url.Values{"code": {code}, "action": {"view"}})
	if !strings.Contains(w.Body.String(), "信访预约") || !strings.Contains(w.Body.String(), "14:00") || !strings.Contains(w.Body.String(), "14:30–15:00") {
		t.Fatalf("mine: %s", w.Body.String())
	}
	moveTo := time.Date(2026, 11, 3, 14, 30, 0, 0, queuetest.Shanghai(t)).Format(time.RFC3339)
	w = f.post("/book/mine", "198.51.100.7", url.Values{"code": {code}, "action": {"move"}, "start": {moveTo}})
	if !strings.Contains(w.Body.String(), "已改约") || !strings.Contains(w.Body.String(), "14:30") {
		t.Fatalf("moved: %s", w.Body.String())
	}
	w = f.post("/book/mine", "198.51.100.7", url.Values{"code": {code}, "action": {"cancel"}})
	if !strings.Contains(w.Body.String(), "预约已取消") {
		t.Fatalf("cancelled: %s", w.Body.String())
	}
	// A wrong code is not found; an address guessing codes is stopped.
	for i := 0; i < booking.MaxMisses; i++ {
		f.post("/book/mine", "203.0.113.9", url.Values{"code": {"2345-6789"}, "action": {"view"}})
	}
	if w = f.post("/book/mine", "203.0.113.9", url.Values{"code": {code}, "action": {"view"}}); w.Code != http.StatusTooManyRequests {
		t.Fatalf("a guesser: %d", w.Code)
	}
	// An address that keeps booking is stopped.
	for i := 0; i < web.MaxPublicBookings; i++ {
		f.post("/book", "192.0.2.44", url.Values{"plan": {"petition"}, "start": {"x"}})
	}
	if w = f.post("/book", "192.0.2.44", form2); w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Fatalf("a flood: %d", w.Code)
	}
}

// The appointments page: staff see their counters' bookings of the day
// and the slots; admins the slots and no booking; devices nothing. The
// case page lists the case's sessions and offers the scheduling form.
func TestAppointmentsPages(t *testing.T) {
	f := newApptFixture(t)
	ctx := context.Background()
	code := f.register("medical", 3)
	if _, err := f.diary.Book(ctx, queue.Principal{ID: "boss", Role: queue.RoleSupervisor}, booking.BookRequest{Plan: "session",
		Start: time.Date(2026, 11, 2, 10, 0, 0, 0, queuetest.Shanghai(t)), CaseCode: code, Channel: booking.ChannelSession, IdempotencyKey: "s"}); err != nil {
		t.Fatal(err)
	}
	w := f.get("/dashboard/appointments", secSuper)
	wantStatus(t, w, http.StatusOK)
	if b := w.Body.String(); !strings.Contains(b, "10:00–11:00 1/1") || !strings.Contains(b, "调解员安排") || strings.Contains(b, synthPerson(3).Name) {
		t.Fatalf("supervisor's page: %s", b)
	}
	w = f.get("/dashboard/appointments", secAdmin)
	if b := w.Body.String(); !strings.Contains(b, "10:00–11:00 1/1") || strings.Contains(b, `id="bookings"`) {
		t.Fatalf("admin's page: %s", b)
	}
	w = f.get("/dashboard/appointments", secStaff) // 1号窗口: not the room's
	if b := w.Body.String(); strings.Contains(b, "调解员安排") || !strings.Contains(b, "当天没有预约") {
		t.Fatalf("a window's clerk sees the room's booking: %s", b)
	}
	if w = f.get("/dashboard/appointments", secDisplay); w.Code != http.StatusSeeOther {
		t.Fatalf("a device: %d", w.Code)
	}
	w = f.get("/cases/"+code, secSuper)
	if b := w.Body.String(); !strings.Contains(b, `id="sessions"`) || !strings.Contains(b, `id="schedule"`) || !strings.Contains(b, "调解预约") ||
		!strings.Contains(b, `class="appt-change"`) || !strings.Contains(b, `id="move-day"`) || !strings.Contains(b, `data-day="2026-11-02"`) {
		t.Fatalf("case page (its session to move or cancel): %s", b)
	}
}

// The dashboard shows the appointments' figures and the CSV has them per
// service and day.
func TestAppointmentFigures(t *testing.T) {
	f := newApptFixture(t)
	ctx := context.Background()
	p := synthPerson(4)
	if _, err := f.diary.Book(ctx, queue.Principal{ID: "boss", Role: queue.RoleSupervisor}, booking.BookRequest{Plan: "petition",
		Start: time.Date(2026, 11, 2, 14, 0, 0, 0, queuetest.Shanghai(t)), Persons: []cases.Person{p}, Channel: booking.ChannelPhone, IdempotencyKey: "p"}); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(time.Date(2026, 11, 2, 14, 20, 0, 0, queuetest.Shanghai(t)))
	if n, err := f.diary.NoShows(ctx); err != nil || n != 1 {
		t.Fatalf("no-shows %d %v", n, err)
	}
	w := f.get("/dashboard", secSuper)
	if b := w.Body.String(); !strings.Contains(b, `id="appointments"`) || !strings.Contains(b, "100.0%") {
		t.Fatalf("dashboard: %s", b)
	}
	w = f.get("/dashboard/export.csv?table=appointments", secSuper)
	wantStatus(t, w, http.StatusOK)
	lines := strings.Split(strings.TrimSpace(w.Body.String()), "\r\n")
	if len(lines) != 4 || !strings.Contains(lines[1], "2026-11-02,信访接待,1,0,1,0,0,") || !strings.HasPrefix(lines[3], "合计,全部业务,1") {
		t.Fatalf("csv: %q", lines)
	}
}

// From a case's inquiry page the visitor books a visit for the case: the
// page links to the booking page with the case's token, which books on
// the channel "case" with the case's code; a wrong token finds nothing.
func TestBookingFromTheCasePage(t *testing.T) {
	f := newApptFixture(t)
	p := synthPerson(5)
	r, err := f.book.Register(context.Background(), queue.Principal{ID: "boss", Role: queue.RoleSupervisor}, cases.RegisterRequest{
		ServiceID: "petition", Persons: []cases.Person{p}, IdempotencyKey: "c5"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(r.URL)
	token := strings.TrimPrefix(u.Path, "/c/")
	if w := f.get(u.Path, ""); !strings.Contains(w.Body.String(), "/book?case="+token) {
		t.Fatalf("the inquiry page does not offer to book: %s", w.Body.String())
	}
	w := f.get("/book?case="+token+"&plan=petition&day=2026-11-03", "")
	key := regexp.MustCompile(`name="key" value="([^"]+)"`).FindStringSubmatch(w.Body.String())
	if len(key) != 2 || !strings.Contains(w.Body.String(), r.Case.Code) || !strings.Contains(w.Body.String(), `name="case" value="`+token+`"`) {
		t.Fatalf("booking page from the case: %s", w.Body.String())
	}
	start := time.Date(2026, 11, 3, 14, 0, 0, 0, queuetest.Shanghai(t)).Format(time.RFC3339)
	w = f.post("/book", "198.51.100.20", url.Values{"case": {token}, "plan": {"petition"}, "start": {start}, "key": {key[1]},
		"name": {p.Name}, "id_number": {p.IDNumber}})
	if codeRE.FindStringSubmatch(w.Body.String()) == nil {
		t.Fatalf("booked from the case: %d %s", w.Code, w.Body.String())
	}
	vs, err := f.diary.OfCase(context.Background(), r.Case.Code)
	if err != nil || len(vs) != 1 || vs[0].Channel != booking.ChannelCase {
		t.Fatalf("the case's bookings: %+v %v", vs, err)
	}
	if w := f.get("/book?case=nosuchtoken", ""); w.Code != http.StatusNotFound {
		t.Fatalf("a wrong token: %d", w.Code)
	}
}

// The page that manages the plans: admins and supervisors see each plan
// with a week of its slots (how full each is), each value marked as the
// hall file's or the page's with the file's beside it, and a closed day
// with its reason; clerks get 403, devices the login.
func TestAppointmentPlansPage(t *testing.T) {
	f := newApptFixture(t)
	ctx := context.Background()
	boss := queue.Principal{ID: "boss", Role: queue.RoleSupervisor}
	pl, _ := f.diary.Config().Plan("petition")
	if _, err := f.diary.SetPlan(ctx, boss, "petition", booking.PlanValues{Weekdays: pl.Weekdays, Periods: pl.Periods, Length: pl.Length,
		Capacity: 3, WalkIn: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.diary.Book(ctx, boss, booking.BookRequest{Plan: "petition", Start: time.Date(2026, 11, 3, 14, 30, 0, 0, queuetest.Shanghai(t)),
		Persons: []cases.Person{synthPerson(5)}, Channel: booking.ChannelPhone, IdempotencyKey: "p"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.diary.CloseDay(ctx, boss, "session", cases.MakeDate(2026, 11, 4), "调解员外出"); err != nil {
		t.Fatal(err)
	}
	for _, sec := range []string{secSuper, secAdmin} {
		w := f.get("/dashboard/appointments/plans", sec)
		wantStatus(t, w, http.StatusOK)
		b := w.Body.String()
		for _, want := range []string{"11-03 周二", "14:30 1/2", "本页修改（配置文件：2）", `value="3"`, "11-04 周三</th>", "该日暂停预约：调解员外出",
			`data-day="2026-11-04"`, "11-07 周六", "该日不开放预约", "配置文件中的项目"} {
			if !strings.Contains(b, want) {
				t.Errorf("%s: the page lacks %q", sec, want)
			}
		}
		if strings.Contains(b, synthPerson(5).Name) {
			t.Fatalf("a visitor's name on the page")
		}
	}
	w := f.get("/dashboard/appointments/plans", secStaff)
	wantStatus(t, w, http.StatusForbidden)
	if w = f.get("/dashboard/appointments/plans", secPad); w.Code != http.StatusSeeOther {
		t.Fatalf("a device: %d", w.Code)
	}
}
