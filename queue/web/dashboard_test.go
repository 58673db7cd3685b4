package web_test

import (
	"context"
	"encoding/csv"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"yiting/queue"
)

var (
	clerk1 = queue.Principal{ID: "zhangsan", Role: queue.RoleStaff, Counters: []string{"w1"}}
	clerk2 = queue.Principal{ID: "lisi", Role: queue.RoleStaff, Counters: []string{"w2"}}
	pad1   = queue.Principal{ID: "p1", Role: queue.RolePad, Counters: []string{"w1"}}
	pad2   = queue.Principal{ID: "p2", Role: queue.RolePad, Counters: []string{"w2"}}
	boss   = queue.Principal{ID: "boss", Role: queue.RoleSupervisor}
)

// today runs a small day: four visitors, one no-show, three served,
// three rated (one badly, with a reason that looks like a formula).
func (f *fixture) today() {
	f.t.Helper()
	ctx := context.Background()
	for _, c := range []string{"w1", "w2"} {
		if _, err := f.eng.OpenCounter(ctx, boss, c); err != nil {
			f.t.Fatal(err)
		}
	}
	f.issue("petition")
	f.issue("petition")
	f.issue("consult")
	f.issue("consult")
	a := f.serve("w1", clerk1, 10*time.Minute, 20*time.Minute)   // A001: waited 10, served 20
	b := f.serve("w2", clerk2, 0, 10*time.Minute)                // A002: waited 30, served 10
	if _, err := f.eng.CallNext(ctx, clerk1, "w1"); err != nil { // Z001: waited 40, no-show
		f.t.Fatal(err)
	}
	if _, err := f.eng.NoShow(ctx, clerk1, "w1"); err != nil {
		f.t.Fatal(err)
	}
	c := f.serve("w1", clerk1, 0, 5*time.Minute) // Z002: waited 40, served 5
	for _, r := range []struct {
		p      queue.Principal
		t      *queue.Ticket
		l      queue.Level
		reason []string
	}{{pad1, a, queue.VerySatisfied, nil}, {pad2, b, queue.Dissatisfied, []string{"=HYPERLINK(\"http://x\")"}}, {pad1, c, queue.Satisfied, nil}} {
		if _, err := f.eng.Rate(ctx, r.p, r.t.ID, r.l, r.reason); err != nil {
			f.t.Fatal(err)
		}
	}
}

func kpi(t *testing.T, body, id string) string {
	t.Helper()
	m := regexp.MustCompile(`id="` + id + `">([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s on the page", id)
	}
	return strings.TrimSpace(m[1])
}

func TestDashboardToday(t *testing.T) {
	f := newFixture(t)
	f.today()
	w := f.get("/dashboard", secSuper)
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	for id, want := range map[string]string{
		"kpi-visitors": "4", "kpi-visits": "4", "kpi-served": "3", "kpi-noshows": "1", "kpi-bad": "1",
		"kpi-rate": "100.0%", "kpi-satisfaction": "66.7%",
		"kpi-wait":    "30.0", // (10 + 30 + 40 + 40) / 4 minutes
		"kpi-service": "11.7", // (20 + 10 + 5) / 3
	} {
		if got := kpi(t, body, id); got != want {
			t.Errorf("%s = %q, want %q", id, got, want)
		}
	}
	for _, s := range []string{
		"2026-11-26 统计",
		"满意率 =（非常满意 + 满意 + 基本满意）÷ 已评价", // the definition is on the page
		"每张号视为一人一批次",
		"<svg", // charts, drawn here
		"不满意", "lisi", "2号窗口",
		"data-refresh=\"60\"", // today refreshes itself
	} {
		if !strings.Contains(body, s) {
			t.Errorf("the dashboard lacks %q", s)
		}
	}
	if strings.Contains(body, "张*三") {
		t.Error("the dashboard shows a visitor's name")
	}
	if !strings.Contains(body, `class="active" aria-current="true">今天<`) {
		t.Error("today's preset is not marked")
	}
	// Yesterday had nothing, and does not refresh.
	body = f.get("/dashboard?range=yesterday", secSuper).Body.String()
	if kpi(t, body, "kpi-visitors") != "0" || strings.Contains(body, "data-refresh") || !strings.Contains(body, "所选时间内没有差评") {
		t.Errorf("yesterday: visitors %s", kpi(t, body, "kpi-visitors"))
	}
}

func TestDashboardPeriodErrors(t *testing.T) {
	f := newFixture(t)
	for q, msg := range map[string]string{
		"from=2026-11-26&to=2026-11-01": "早于",
		"from=2026-13-01":               "日期格式",
		"from=2024-01-01&to=2026-01-01": "最长",
		"range=decade":                  "未知的时间范围",
	} {
		w := f.get("/dashboard?"+q, secSuper)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), msg) {
			t.Errorf("%s: %d %.300s", q, w.Code, w.Body)
		}
	}
	nf := newFixture(t, func(o *fixtureOpts) { o.noTickets = true })
	w := nf.get("/dashboard", secSuper)
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "统计不可用") {
		t.Errorf("without a ticket source: %d", w.Code)
	}
}

// The presets are computed in the hall's zone: 2026-11-26 is a Thursday.
func TestPresets(t *testing.T) {
	f := newFixture(t)
	for preset, want := range map[string]string{
		"today": "2026-11-26 统计", "yesterday": "2026-11-25 统计", "week": "2026-11-23 至 2026-11-26 统计",
		"month": "2026-11-01 至 2026-11-26 统计", "30d": "2026-10-28 至 2026-11-26 统计", "year": "2026-01-01 至 2026-11-26 统计",
	} {
		body := f.get("/dashboard?range="+preset, secSuper).Body.String()
		if !strings.Contains(body, want) {
			t.Errorf("%s: no %q", preset, want)
		}
	}
	// Just before midnight UTC it is already tomorrow in Shanghai.
	f.clock.Advance(15 * time.Hour) // 2026-11-27 00:00 Shanghai, 16:00 UTC the day before
	if body := f.get("/dashboard", secSuper).Body.String(); !strings.Contains(body, "2026-11-27 统计") {
		t.Error("today is not the hall's today")
	}
}

func readCSV(t *testing.T, f *fixture, query string) ([][]string, http.Header) {
	t.Helper()
	w := f.get("/dashboard/export.csv?"+query, secSuper)
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	if !strings.HasPrefix(body, "\ufeff") {
		t.Fatalf("%s: no UTF-8 BOM: Excel would garble the Chinese", query)
	}
	if !strings.Contains(body, "\r\n") {
		t.Errorf("%s: lines do not end in CRLF", query)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return rows, w.Header()
}

func TestExportCSV(t *testing.T) {
	f := newFixture(t)
	f.today()
	rows, h := readCSV(t, f, "range=today")
	if ct := h.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := h.Get("Content-Disposition"); !strings.Contains(cd, `filename="yiting-tickets-2026-11-26_2026-11-26.csv"`) || !strings.Contains(cd, "filename*=UTF-8''") {
		t.Errorf("Content-Disposition %q", cd)
	}
	if len(rows) != 5 || rows[0][1] != "票号" {
		t.Fatalf("tickets: %d rows: %q", len(rows), rows)
	}
	byNumber := map[string][]string{}
	for _, r := range rows[1:] {
		byNumber[r[1]] = r
	}
	if r := byNumber["A001"]; r[2] != "信访接待" || r[4] != "已办结" || r[9] != "10.0" || r[10] != "20.0" || r[11] != "1号窗口" || r[12] != "zhangsan" || r[15] != "非常满意" {
		t.Errorf("A001: %q", r)
	}
	if r := byNumber["A002"]; r[16] != `'=HYPERLINK("http://x")` {
		t.Errorf("a reason that looks like a formula must stay text: %q", r[16])
	}
	if r := byNumber["Z001"]; r[4] != "过号" || r[10] != "" {
		t.Errorf("Z001: %q", r)
	}
	for _, r := range rows {
		for _, c := range r {
			if strings.Contains(c, "张") {
				t.Fatalf("the export carries a name: %q", r)
			}
		}
	}

	rows, _ = readCSV(t, f, "range=today&table=services")
	if len(rows) != 4 || rows[1][0] != "信访接待" || rows[1][1] != "2" || rows[1][2] != "2" {
		t.Errorf("services: %q", rows)
	}
	rows, _ = readCSV(t, f, "range=today&table=staff")
	if len(rows) != 3 || rows[1][0] != "zhangsan" || rows[1][2] != "2" || rows[1][3] != "1" {
		t.Errorf("staff: %q", rows)
	}
	rows, _ = readCSV(t, f, "from=2026-11-26&to=2026-11-26&table=bad")
	if len(rows) != 2 || rows[1][2] != "A002" || rows[1][6] != "不满意" || rows[1][4] != "2号窗口" {
		t.Errorf("bad: %q", rows)
	}
	rows, _ = readCSV(t, f, "range=today&table=counters")
	if len(rows) != 3 {
		t.Errorf("counters: %q", rows)
	}
	wantStatus(t, f.get("/dashboard/export.csv?table=secrets", secSuper), http.StatusBadRequest)
}

// countingSource records the reads: the pages ask for the stored
// statistics of closed days, and read today's tickets one day at a time.
type countingSource struct {
	days   []string // days whose tickets were read
	closed []string // periods of stored day statistics asked for
	err    error
}

func (c *countingSource) TicketsBetween(ctx context.Context, from, to string, fn func(*queue.Ticket) error) error {
	if from != to {
		return errors.New("a read spans several days")
	}
	c.days = append(c.days, from)
	return c.err
}

func (c *countingSource) DayStats(ctx context.Context, from, to string, loc *time.Location) ([]queue.DayStats, error) {
	c.closed = append(c.closed, from+".."+to)
	return nil, c.err
}

func TestStatisticsReadOneDayAtATime(t *testing.T) {
	f := newFixture(t) // today is 2026-11-26
	src := &countingSource{}
	p := f.pagesWith(src)
	w := p.get("/dashboard?from=2026-11-23&to=2026-11-27", secSuper)
	wantStatus(t, w, http.StatusOK)
	if got := strings.Join(src.closed, " "); got != "2026-11-23..2026-11-25" {
		t.Errorf("stored days asked for: %s", got)
	}
	if got := strings.Join(src.days, " "); got != "2026-11-26 2026-11-27" {
		t.Errorf("days read ticket by ticket: %s", got)
	}
	src.days, src.closed = nil, nil
	wantStatus(t, p.get("/dashboard?from=2026-02-27&to=2026-03-02", secSuper), http.StatusOK)
	if len(src.days) != 0 || strings.Join(src.closed, " ") != "2026-02-27..2026-03-02" {
		t.Errorf("a closed period: read %v, stored %v", src.days, src.closed)
	}
	src.err = errors.New("disk on fire")
	for _, q := range []string{"range=today", "range=yesterday"} {
		w = p.get("/dashboard?"+q, secSuper)
		if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "disk on fire") {
			t.Errorf("%s: a read error: %d %s (the detail belongs in the log)", q, w.Code, w.Body)
		}
	}
}
