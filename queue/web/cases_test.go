package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
	"yiting/queue/queuetest"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/web"
)

// caseHall is the test hall with case types: w1 belongs to 信访局, w2 to
// 公安局 (the rectification of a bad rating at w2 is not w1's clerk's).
func caseHall(tb testing.TB) *queue.Hall {
	h := testHall(tb)
	h.Services[0].CaseType = "petition"
	h.Services = append(h.Services,
		queue.Service{ID: "labour", Name: "劳动争议调解", Prefix: "L", Category: queue.CategoryMediation, CaseType: "mediation.labour"},
		queue.Service{ID: "consumer", Name: "消费投诉", Prefix: "X", Category: queue.CategoryOther, CaseType: "complaint.consumer"},
		queue.Service{ID: "law", Name: "涉法涉诉", Prefix: "B", Category: queue.CategoryPetition, CaseType: "petition.law_related"})
	h.Services[2].CaseType = "mediation.medical"
	h.Counters[0].Unit = "信访局"
	h.Counters[1].Unit = "公安局"
	h.Counters[0].Services = append(h.Counters[0].Services, queue.CounterService{ServiceID: "labour", Weight: 1},
		queue.CounterService{ServiceID: "consumer", Weight: 1}, queue.CounterService{ServiceID: "law", Weight: 1})
	return h
}

// synthPerson is an invented party: a Tongshan ID number with a valid
// MOD 11-2 check character and an invented three-character name.
func synthPerson(n int) cases.Person {
	body := fmt.Sprintf("421224%04d0315%03d", 1940+n%60, n%1000)
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	s := 0
	for i := range 17 {
		s += int(body[i]-'0') * w[i]
	}
	names := []string{"欧阳明", "司马青", "上官云", "诸葛亮", "慕容雪", "东方白", "令狐远", "独孤松"}
	return cases.Person{IDNumber: body + string("10X98765432"[s%11]), Name: names[n%len(names)], Phone: "13900000000"}
}

// caseFixture: the engine, the case book and the pages over one bbolt
// file, all on one injected clock.
type caseFixture struct {
	*fixture
	book *cases.Book
}

func newCaseFixture(t testing.TB, opts ...func(*cases.Options)) *caseFixture {
	t.Helper()
	loc := queuetest.Shanghai(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	h := queuetest.NewHall(t, caseHall(t), queuetest.HallOptions{Now: time.Date(2026, 11, 2, 9, 0, 0, 0, loc), Logger: log, // a Monday
		Cases: func(o *cases.Options) {
			for _, f := range opts {
				f(o)
			}
		}})
	clk, st, eng, book := h.Clock, h.Store, h.Engine, h.Book
	pages, err := web.New(web.Options{Engine: eng, Auth: fakeAuth{}, Tickets: st, Cases: book, Logger: log, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, clock: clk, store: st, eng: eng, pages: pages, mux: http.NewServeMux()}
	pages.Register(f.mux)
	return &caseFixture{fixture: f, book: book}
}

func (f *caseFixture) register(service string, n int) string {
	f.t.Helper()
	r, err := f.book.Register(context.Background(), queue.Principal{ID: "boss", Role: queue.RoleSupervisor}, cases.RegisterRequest{
		ServiceID: service, Persons: []cases.Person{synthPerson(n)}, IdempotencyKey: fmt.Sprintf("case-%d", n)})
	if err != nil {
		f.t.Fatal(err)
	}
	return r.Case.Code
}

// receive: the clerk of 1号窗口 receives the visitor of a case.
func (f *caseFixture) receive(code string) {
	f.t.Helper()
	if _, err := f.book.Receive(context.Background(), clerk1, code, "w1"); err != nil {
		f.t.Fatal(err)
	}
}

func (f *caseFixture) setDay(y int, m time.Month, d int) {
	f.clock.Set(time.Date(y, m, d, 9, 0, 0, 0, f.clock.Now().Location()))
}

// rows returns the data-code (or data-ticket) values of a table's rows,
// in order.
func rows(t testing.TB, body, table, attr string) []string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<table[^>]*id="` + table + `".*?</table>`).FindString(body)
	if m == "" {
		t.Fatalf("no table %s on the page", table)
	}
	var out []string
	for _, r := range regexp.MustCompile(`<tr `+attr+`="([^"]+)"`).FindAllStringSubmatch(m, -1) {
		out = append(out, r[1])
	}
	return out
}

func rowOf(t testing.TB, body, attr, key string) string {
	t.Helper()
	m := regexp.MustCompile(`<tr ` + attr + `="` + regexp.QuoteMeta(key) + `".*?</tr>`).FindString(body)
	if m == "" {
		t.Fatalf("no row %s", key)
	}
	return m
}

// scenario: the cases of TestCasesPage, on Thu 2026-12-03.
type scenario struct {
	overdue, overdue2, soon2, fine, supervised, soon3, accepted string
	bad                                                         *queue.Ticket
}

func (f *caseFixture) scenario() scenario {
	f.t.Helper()
	var sc scenario
	ctx := context.Background()
	// Mon 11-02: a labour dispute, due to be mediated in 15 days (11-17).
	sc.overdue = f.register("labour", 1)
	// Mon 11-16: another, due 12-01.
	f.setDay(2026, 11, 16)
	sc.overdue2 = f.register("labour", 7)
	// Thu 11-26: a consumer complaint, to be accepted in 7 working days
	// (Mon 12-07); a petition to accept in 15 days (12-11); another
	// petition a supervisor will supervise.
	f.setDay(2026, 11, 26)
	sc.soon2 = f.register("consumer", 2)
	sc.fine = f.register("petition", 3)
	sc.supervised = f.register("petition", 4)
	// Fri 11-27: a consumer complaint due Tue 12-08.
	f.setDay(2026, 11, 27)
	sc.soon3 = f.register("consumer", 5)
	sc.accepted = f.register("consumer", 6)
	// Tue 12-01: the last complaint is accepted (routed) in time.
	f.setDay(2026, 12, 1)
	f.receive(sc.accepted)
	if _, err := f.book.Route(ctx, boss, sc.accepted, cases.RouteTo{Kind: cases.RouteUnit, Unit: "市场监管局"}); err != nil {
		f.t.Fatal(err)
	}

	// Thu 12-03: the labour cases are 12 and 2 working days overdue; the
	// complaints are due in 2 and 3 working days; the first petition has 6.
	f.setDay(2026, 12, 3)
	if _, err := f.book.Sweep(ctx); err != nil { // what the book's Run does every minute
		f.t.Fatal(err)
	}
	if _, err := f.book.Supervise(ctx, boss, sc.supervised, "yellow", "群众多次来电催办"); err != nil {
		f.t.Fatal(err)
	}
	f.receive(sc.overdue)
	f.receive(sc.supervised)
	if _, err := f.book.Route(ctx, boss, sc.overdue, cases.RouteTo{Kind: cases.RouteUnit, Unit: "劳动人事争议仲裁院"}); err != nil {
		f.t.Fatal(err)
	}
	// A bad rating at 2号窗口 (公安局) opens a rectification item.
	sc.bad = f.rateBadly(queue.Dissatisfied, "等候时间太长")
	return sc
}

// rateBadly serves a visitor at 2号窗口 (公安局), rates the service
// badly on its pad and gives the book the engine's events, as its Run
// does.
func (f *caseFixture) rateBadly(level queue.Level, reasons ...string) *queue.Ticket {
	f.t.Helper()
	ctx := context.Background()
	if _, err := f.eng.OpenCounter(ctx, boss, "w2"); err != nil {
		f.t.Fatal(err)
	}
	f.issue("petition")
	tk := f.serve("w2", clerk2, 5*time.Minute, 10*time.Minute)
	if _, err := f.eng.Rate(ctx, pad2, tk.ID, level, reasons); err != nil {
		f.t.Fatal(err)
	}
	evs, err := f.eng.Events().Wait(ctx, 0, 1000)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, ev := range evs {
		if err := f.book.OnRated(ctx, ev); err != nil {
			f.t.Fatal(err)
		}
	}
	return tk
}

func TestCasesPage(t *testing.T) {
	f := newCaseFixture(t)
	sc := f.scenario()
	overdue, overdue2, soon2, fine, supervised, soon3, accepted, tk := sc.overdue, sc.overdue2, sc.soon2, sc.fine, sc.supervised, sc.soon3, sc.accepted, sc.bad
	w := f.get("/dashboard/cases", secSuper)
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()

	// Overdue first, the longest overdue first, then the supervised by the urgency of the notice
	// (yellow before blue); the fine petition nowhere.
	if got, want := rows(t, body, "urgent", "data-code"), []string{overdue, overdue2, supervised, soon2}; !equal(got, want) {
		t.Errorf("overdue and supervised: %v, want %v", got, want)
	}
	if got, want := rows(t, body, "due-soon", "data-code"), []string{soon3}; !equal(got, want) {
		t.Errorf("due soon: %v, want %v", got, want)
	}
	if strings.Contains(body, fine) || strings.Contains(body, accepted) {
		t.Errorf("a case with 6 working days left, or an accepted one with 44, is listed")
	}
	if got := rows(t, body, "rectifications", "data-ticket"); len(got) != 1 || got[0] != tk.Number {
		t.Errorf("rectifications %v, want [%s]", got, tk.Number)
	}
	for id, want := range map[string]string{"kpi-overdue": "2", "kpi-supervised": "4", "kpi-soon": "2", "kpi-rects": "1"} {
		if got := kpi(t, body, id); got != want {
			t.Errorf("%s = %s, want %s", id, got, want)
		}
	}

	// The overdue row: its deadline, how late, the automatic red notice
	// (5 working days overdue) in red, the masked name.
	row := rowOf(t, body, "data-code", overdue)
	for _, want := range []string{"劳动争议调解", "办理期限 2026-11-17", "逾期 12 个工作日（16 天）", `notice notice-red`, "红色督办", "司*青", "劳动人事争议仲裁院"} {
		if !strings.Contains(row, want) {
			t.Errorf("overdue row lacks %q: %s", want, row)
		}
	}
	row = rowOf(t, body, "data-code", supervised)
	for _, want := range []string{"notice notice-yellow", "黄色督办", "还剩 6 个工作日", "慕*雪", "1号窗口 · zhangsan", "已接待"} {
		if !strings.Contains(row, want) {
			t.Errorf("supervised row lacks %q: %s", want, row)
		}
	}
	if row := rowOf(t, body, "data-code", overdue2); !strings.Contains(row, "逾期 2 个工作日（2 天）") || !strings.Contains(row, "notice-yellow") {
		t.Errorf("overdue-by-2 row: %s", row)
	}
	if row := rowOf(t, body, "data-code", soon2); !strings.Contains(row, "notice notice-blue") || !strings.Contains(row, "受理期限 2026-12-07") {
		t.Errorf("due-in-2 row: %s", row)
	}
	if row := rowOf(t, body, "data-code", soon3); !strings.Contains(row, "还剩 3 个工作日") || !strings.Contains(row, "受理期限 2026-12-08") {
		t.Errorf("due-in-3 row: %s", row)
	}
	row = rowOf(t, body, "data-ticket", tk.Number)
	// 15 working days from Thu 12-03: Thu 12-24.
	for _, want := range []string{"2号窗口", "公安局", "不满意", "等候时间太长", "2026-12-24"} {
		if !strings.Contains(row, want) {
			t.Errorf("rectification row lacks %q: %s", want, row)
		}
	}

	// The year's indicators with their definitions: one complaint
	// accepted in time and none late (1 of 1); nothing concluded and the
	// two labour cases past their deadline (0 of 2); no mediation ended.
	if got := kpi(t, body, "ind-accept"); got != "100.0%" {
		t.Errorf("及时受理率 %s", got)
	}
	if got := kpi(t, body, "ind-complete"); got != "0.0%" {
		t.Errorf("按期办结率 %s", got)
	}
	if got := kpi(t, body, "ind-mediation"); got != "—" {
		t.Errorf("调解成功率 without a mediation %s", got)
	}
	for _, want := range []string{"按期受理 1 / 应受理 1", "按期办结 0 / 应办结 2", "及时受理率 = ", "按期办结率 = ", "调解成功率 = ", `data-refresh="60"`, `href="/dashboard/cases"`} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}

	// Masked names only: no full name, no ID number, not even its birth date.
	for n := 1; n <= 7; n++ {
		p := synthPerson(n)
		if strings.Contains(body, p.Name) || strings.Contains(body, p.IDNumber) || strings.Contains(body, p.IDNumber[6:14]) {
			t.Errorf("the page shows person %d's name or ID number", n)
		}
	}
}

// The supervision page lists the anonymised cases past their archive
// period for appraisal, and says the system destroys none; with records
// kept permanently (the default) there is no such section.
func TestCasesPageArchiveDue(t *testing.T) {
	f := newCaseFixture(t, func(o *cases.Options) { o.RetentionYears, o.ArchiveYears = 1, 2 })
	code := f.register("petition", 1)
	if _, err := f.book.Close(context.Background(), boss, code, cases.CloseRequest{Outcome: cases.OutcomeWithdrawn, Note: "来访人撤回"}); err != nil {
		t.Fatal(err)
	}
	if body := f.get("/dashboard/cases", secSuper).Body.String(); strings.Contains(body, "保管期满") {
		t.Fatal("listed before its period ran out")
	}
	f.clock.Set(time.Date(2028, 11, 3, 9, 0, 0, 0, queuetest.Shanghai(t)))
	if _, err := f.book.Anonymise(context.Background()); err != nil {
		t.Fatal(err)
	}
	w := f.get("/dashboard/cases", secSuper)
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	for _, want := range []string{"保管期满待鉴定", `id="archive-due">1<`, `href="/cases/` + code + `"`, "本系统不销毁档案", "档案法"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if body := newCaseFixture(t).get("/dashboard/cases", secSuper).Body.String(); strings.Contains(body, "保管期满") {
		t.Error("records kept permanently, yet a section of due ones")
	}
}

func TestCasesPageAccess(t *testing.T) {
	f := newCaseFixture(t)
	f.register("labour", 1)
	f.setDay(2026, 12, 3)
	f.rateBadly(queue.VeryDissatisfied)
	// No session, a display, a pad: sent to the login, nothing shown.
	for _, secret := range []string{"", secDisplay, secPad, "forged"} {
		w := f.get("/dashboard/cases", secret)
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login?next=%2Fdashboard%2Fcases") {
			t.Errorf("secret %q: status %d, location %q", secret, w.Code, w.Header().Get("Location"))
		}
		if strings.Contains(w.Body.String(), "劳动争议") {
			t.Errorf("secret %q: the answer shows a case", secret)
		}
	}
	// The admin sees everything.
	w := f.get("/dashboard/cases", secAdmin)
	wantStatus(t, w, http.StatusOK)
	if got := rows(t, w.Body.String(), "rectifications", "data-ticket"); len(got) != 1 {
		t.Errorf("admin sees rectifications %v", got)
	}
	// A clerk of 信访局 (w1): the cases the book shows them, not 公安局's
	// rectification, no yearly indicators.
	w = f.get("/dashboard/cases", secStaff)
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	if got := rows(t, body, "urgent", "data-code"); len(got) != 1 {
		t.Errorf("clerk's overdue cases %v", got)
	}
	if got := rows(t, body, "rectifications", "data-ticket"); len(got) != 0 {
		t.Errorf("a clerk of another unit sees rectifications %v", got)
	}
	if strings.Contains(body, `id="ind-accept"`) || !strings.Contains(body, "年度指标仅督导人员和管理员可见") {
		t.Error("a clerk sees the yearly indicators")
	}

	// Without a case book: 503 with a page that says so.
	g := f.pagesWith(f.store)
	w = g.get("/dashboard/cases", secSuper)
	wantStatus(t, w, http.StatusServiceUnavailable)
	if !strings.Contains(w.Body.String(), "未接入案件登记簿") {
		t.Errorf("503 page: %.300s", w.Body)
	}
}

func equal(a, b []string) bool {
	return strings.Join(a, "|") == strings.Join(b, "|")
}

// BenchmarkCasesPage: the supervision page over 600 open cases registered
// in the last 60 days (Tongshan registers ~2,200 a year), after the
// automatic supervision sweep, read from bbolt and rendered:
//
//	go test -run XXX -bench CasesPage -benchtime 20x ./queue/web
func BenchmarkCasesPage(b *testing.B) {
	f := newCaseFixture(b)
	services := []string{"petition", "labour", "consumer"}
	start := time.Now()
	for i := range 600 {
		f.setDay(2026, 10, 1+i/10) // time.Date normalises: 60 days from 10-01
		f.register(services[i%len(services)], 100+i)
	}
	f.setDay(2026, 12, 3)
	if _, err := f.book.Sweep(context.Background()); err != nil {
		b.Fatal(err)
	}
	b.Logf("registered and swept 600 cases in %v", time.Since(start).Round(time.Millisecond))
	var body string
	for b.Loop() {
		w := f.get("/dashboard/cases", secSuper)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %.300s", w.Code, w.Body)
		}
		body = w.Body.String()
	}
	n := len(rows(b, body, "urgent", "data-code"))
	if n < 100 {
		b.Fatalf("only %d overdue or supervised cases listed: the benchmark is not measuring a busy page", n)
	}
	b.Logf("%d overdue or supervised cases listed, %d bytes", n, len(body))
	b.ReportMetric(600, "cases/op")
}

// TestCaseExports: the supervision page's downloads — the case list and
// the indicators as CSV for Excel, the printable report — for supervisors
// and admins; this year when no dates are chosen; a clerk is refused.
func TestCaseExports(t *testing.T) {
	f := newCaseFixture(t)
	code := f.register("petition", 1)
	if w := f.get("/dashboard/cases", secSuper); !strings.Contains(w.Body.String(), `formaction="/dashboard/cases.csv"`) {
		t.Error("the supervision page offers no export")
	}
	for _, file := range []string{"cases.csv?from=&to=", "case-stats.csv", "case-report.html?from=2026-01-01&to=2026-12-31"} {
		w := f.get("/dashboard/"+file, secSuper)
		wantStatus(t, w, http.StatusOK)
		body := w.Body.String()
		switch {
		case strings.HasPrefix(file, "cases.csv"):
			if !strings.HasPrefix(body, "\ufeff") || !strings.Contains(body, code) || strings.Contains(body, synthPerson(1).Name) {
				t.Errorf("cases.csv:\n%s", body)
			}
		case strings.HasPrefix(file, "case-report"):
			if !strings.Contains(body, "<html") {
				t.Errorf("report:\n%.200s", body)
			}
		}
	}
	if w := f.get("/dashboard/cases.csv", secStaff); w.Code != http.StatusForbidden {
		t.Errorf("a clerk exported the cases: %d", w.Code)
	}
}
