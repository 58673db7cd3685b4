package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/personal"
	"yiting/queue/web"
)

// caseFixture is the API fixture on a hall whose petitions and medical
// mediations open cases.
type caseFixture struct {
	*fixture
	book *cases.Book
	keys *personal.Keys
}

func newCaseFixture(t testing.TB, opts ...func(*setup)) *caseFixture {
	t.Helper()
	f := newFixture(t, append([]func(*setup){func(s *setup) {
		s.hall = func(h *queue.Hall) {
			for i := range h.Services {
				switch h.Services[i].ID {
				case "petition":
					h.Services[i].CaseType = "petition"
				case "medical":
					h.Services[i].CaseType = "mediation.medical"
				}
			}
		}
	}}, opts...)...)
	return &caseFixture{fixture: f, book: f.book, keys: f.pkeys}
}

// synthPerson is an invented person with a valid MOD 11-2 check character.
func synthPerson(n int) map[string]string {
	body := fmt.Sprintf("421224%04d0%d1%d%03d", 1950+n%50, 1+n%9, n%9, n%1000)
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	s := 0
	for i := range 17 {
		s += int(body[i]-'0') * w[i]
	}
	names := []string{"王测明", "李试华", "张样英", "刘例强", "陈虚梅", "杨拟军", "赵设兰", "吴假涛"}
	return map[string]string{
		"id_number": body + string("10X98765432"[s%11]),
		"name":      names[n%len(names)] + string([]rune("甲乙丙丁")[n%4]),
		"address":   fmt.Sprintf("湖北省咸宁市通山县测试镇样例村%d组", n),
		"phone":     fmt.Sprintf("1380000%04d", n),
		"card_type": "居民身份证",
	}
}

type registered struct {
	Case cases.View `json:"case"`
	URL  string     `json:"url"`
}

type caseAnswer struct {
	Case cases.View `json:"case"`
}

func (f *caseFixture) registerCase(secret, service, caseType, key string, persons ...map[string]string) registered {
	f.t.Helper()
	var out registered
	want(f.t, f.do("POST", "/api/v1/cases", secret, map[string]any{"service": service, "case_type": caseType, "persons": persons, "summary": "要求处理"},
		"Idempotency-Key", key), http.StatusCreated, &out)
	return out
}

func (f *caseFixture) caseCmd(secret, code, cmd string, body any) cases.View {
	f.t.Helper()
	var out caseAnswer
	want(f.t, f.do("POST", "/api/v1/cases/"+code+"/"+cmd, secret, body), http.StatusOK, &out)
	return out.Case
}

// TestCaseLifecycleAPI runs a case from the kiosk to closing through the
// API, with the refusals a clerk would meet on the way.
func TestCaseLifecycleAPI(t *testing.T) {
	f := newCaseFixture(t)
	p1, p2 := synthPerson(1), synthPerson(2)
	r := f.registerCase(secSuper, "petition", "petition", "tap-1", p1, p2)
	code := r.Case.Code
	if !strings.HasPrefix(code, "421224-20261126-0001-") || r.Case.Status != cases.StatusRegistered || len(r.Case.Persons) != 2 ||
		!strings.HasPrefix(r.URL, "http://yiting.local/c/") {
		t.Fatalf("registered %+v %s", r.Case, r.URL)
	}
	// The retry of the same tap: the same case, 200.
	w := f.do("POST", "/api/v1/cases", secSuper, map[string]any{"service": "petition", "case_type": "petition", "persons": []any{p1, p2}}, "Idempotency-Key", "tap-1")
	var again registered
	want(t, w, http.StatusOK, &again)
	if again.Case.Code != code || again.URL != r.URL || w.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay %s %s", again.Case.Code, w.Header())
	}
	// Refusals at registration.
	six := []any{synthPerson(1), synthPerson(2), synthPerson(3), synthPerson(4), synthPerson(5), synthPerson(6)}
	wantError(t, f.do("POST", "/api/v1/cases", secSuper, map[string]any{"service": "petition", "case_type": "petition", "persons": six}, "Idempotency-Key", "x"),
		http.StatusBadRequest, queue.EINVALID, "第二十条")
	wantError(t, f.do("POST", "/api/v1/cases", secSuper, map[string]any{"service": "consult", "persons": []any{p1}}, "Idempotency-Key", "y"),
		http.StatusBadRequest, queue.EINVALID, "不登记案件")
	// A device registers only with a ticket, at the desk, and cannot
	// choose a case type.
	wantError(t, f.do("POST", "/api/v1/cases", secKiosk, map[string]any{"service": "petition", "case_type": "complaint", "persons": []any{p1}}, "Idempotency-Key", "y"),
		http.StatusForbidden, queue.EFORBIDDEN)
	wantError(t, f.do("POST", "/api/v1/tickets", secKiosk, map[string]any{"service": "petition", "case_type": "complaint", "persons": []any{p1}}, "Idempotency-Key", "y"),
		http.StatusBadRequest, queue.EINVALID, "case_type")
	wantError(t, f.do("POST", "/api/v1/cases", secPadW1, map[string]any{"service": "petition", "case_type": "petition"}, "Idempotency-Key", "z"),
		http.StatusForbidden, queue.EFORBIDDEN)
	wantError(t, f.do("POST", "/api/v1/cases", secSuper, map[string]any{"service": "petition", "case_type": "petition", "color": "red"}, "Idempotency-Key", "z"),
		http.StatusBadRequest, queue.EINVALID, "color")

	// A device reads no case and cannot add a visit to one: the routes
	// that let a kiosk token read any case file are gone.
	wantError(t, f.do("GET", "/api/v1/cases/"+code, secKiosk, nil), http.StatusForbidden, queue.EFORBIDDEN)
	for _, path := range []string{"/api/v1/cases/" + code + "/visits", "/api/v1/cases/first-visit"} {
		if w := f.do("POST", path, secKiosk, map[string]any{"id_number": p2["id_number"]}); w.Code != http.StatusNotFound && w.Code != http.StatusMethodNotAllowed {
			t.Fatalf("POST %s: %d %s", path, w.Code, w.Body)
		}
	}

	wantError(t, f.do("POST", "/api/v1/cases/"+code+"/route", secSuper, map[string]string{"kind": "counter", "counter": "w1"}),
		http.StatusConflict, queue.ECONFLICT, "须先接待")
	wantError(t, f.do("POST", "/api/v1/cases/"+code+"/route", secStaffW1, map[string]string{"kind": "counter", "counter": "w1"}),
		http.StatusForbidden, queue.EFORBIDDEN) // not involved until received
	wantError(t, f.do("POST", "/api/v1/cases/"+code+"/receive", secStaffW1, map[string]string{"counter": "w2"}),
		http.StatusForbidden, queue.EFORBIDDEN)
	v := f.caseCmd(secStaffW1, code, "receive", map[string]string{"counter": "w1"})
	if v.Handler.CounterID != "w1" || v.Handler.StaffID != "clerk1" {
		t.Fatalf("handler %+v", v.Handler)
	}
	// The visitor comes back: the kiosk's ticket goes to w1, the visit
	// joins the case.
	var back issued
	want(t, f.do("POST", "/api/v1/tickets", secKiosk, map[string]any{"service": "petition", "persons": []any{p1}}, "Idempotency-Key", "back"), http.StatusCreated, &back)
	if !back.Linked || back.CaseCode != code || back.Ticket.TargetCounter != "w1" || back.CaseURL != r.URL {
		t.Fatalf("return visit %+v", back)
	}
	v = f.caseCmd(secStaffW1, code, "route", map[string]string{"kind": "counter", "counter": "w1", "note": "本窗口办理"})
	if v.Status != cases.StatusRouted || v.HandleDue != cases.MakeDate(2027, 1, 25) {
		t.Fatalf("routed %s %s", v.Status, v.HandleDue)
	}
	// clerk2 at w2 has no unit in this hall and is not involved.
	wantError(t, f.do("POST", "/api/v1/cases/"+code+"/handle", secStaffW2, nil), http.StatusForbidden, queue.EFORBIDDEN)
	f.caseCmd(secStaffW1, code, "handle", nil)
	f.caseCmd(secStaffW1, code, "records", map[string]string{"kind": "investigation", "text": "已调取相关材料"})
	wantError(t, f.do("POST", "/api/v1/cases/"+code+"/records", secStaffW1, map[string]string{"kind": "video", "text": "x"}),
		http.StatusBadRequest, queue.EINVALID)
	f.caseCmd(secStaffW1, code, "extend", map[string]string{"reason": "涉及多个部门"})
	wantError(t, f.do("POST", "/api/v1/cases/"+code+"/extend", secStaffW1, map[string]string{"reason": "再延"}), http.StatusConflict, queue.ECONFLICT, "一次")
	f.caseCmd(secStaffW1, code, "conclude", map[string]string{"outcome": "answered", "note": "已书面答复"})
	wantError(t, f.do("POST", "/api/v1/cases/"+code+"/close", secStaffW1, nil), http.StatusBadRequest, queue.EINVALID, "回访记录")
	v = f.caseCmd(secStaffW1, code, "close", map[string]string{"note": "电话回访，来访人认可答复"})
	if v.Status != cases.StatusClosed || v.OutcomeName != "办结答复" || len(v.History) < 9 {
		t.Fatalf("closed %+v", v)
	}
	var got caseAnswer
	want(t, f.do("GET", "/api/v1/cases/"+strings.ReplaceAll(code, "-", ""), secSuper, nil), http.StatusOK, &got)
	if got.Case.Code != code {
		t.Fatalf("get by the undashed code: %s", got.Case.Code)
	}
	bad := code[:len(code)-1] + map[bool]string{true: "1", false: "2"}[code[len(code)-1] != '1']
	wantError(t, f.do("GET", "/api/v1/cases/"+bad, secSuper, nil), http.StatusBadRequest, queue.EINVALID, "校验码")
	wantError(t, f.do("GET", "/api/v1/cases/"+code, secDisplay, nil), http.StatusForbidden, queue.EFORBIDDEN)
	other := cases.Code{Region: "421224", Day: cases.MakeDate(2026, 11, 26), Seq: 99}.String()
	wantError(t, f.do("GET", "/api/v1/cases/"+other, secSuper, nil), http.StatusNotFound, queue.ENOTFOUND)
	var qr struct {
		URL string `json:"url"`
	}
	want(t, f.do("GET", "/api/v1/cases/"+code+"/qr", secStaffW1, nil), http.StatusOK, &qr)
	if qr.URL != r.URL {
		t.Fatalf("reprint url %q", qr.URL)
	}
}

func TestCaseSupervisionAndListAPI(t *testing.T) {
	f := newCaseFixture(t)
	code := f.registerCase(secSuper, "medical", "mediation.medical", "t1", synthPerson(3)).Case.Code
	f.registerCase(secSuper, "petition", "petition", "t2", synthPerson(4))
	wantError(t, f.do("POST", "/api/v1/cases/"+code+"/supervisions", secStaffW1, map[string]string{"level": "red", "reason": "x"}), http.StatusForbidden, queue.EFORBIDDEN)
	v := f.caseCmd(secSuper, code, "supervisions", map[string]string{"level": "red", "reason": "群众多次来电催办"})
	if len(v.Supervisions) != 1 || v.Supervisions[0].ReplyDue != cases.MakeDate(2026, 11, 26) || !v.Supervisions[0].Open {
		t.Fatalf("supervision %+v", v.Supervisions)
	}
	var list struct {
		Cases []cases.View `json:"cases"`
	}
	want(t, f.do("GET", "/api/v1/cases?supervised=true", secSuper, nil), http.StatusOK, &list)
	if len(list.Cases) != 1 || list.Cases[0].Code != code {
		t.Fatalf("supervised list %+v", list.Cases)
	}
	// The health matter is not listed for an uninvolved clerk.
	want(t, f.do("GET", "/api/v1/cases", secStaffW1, nil), http.StatusOK, &list)
	if len(list.Cases) != 1 || list.Cases[0].Type != "petition" {
		t.Fatalf("clerk sees %d cases", len(list.Cases))
	}
	wantError(t, f.do("GET", "/api/v1/cases/"+code, secStaffW1, nil), http.StatusForbidden, queue.EFORBIDDEN, "健康")
	wantError(t, f.do("GET", "/api/v1/cases?due=later", secSuper, nil), http.StatusBadRequest, queue.EINVALID)
	f.clock.Advance(24 * time.Hour)
	v = f.caseCmd(secSuper, code, "supervisions/1/reply", map[string]string{"reply": "已安排调解员"})
	if !v.Supervisions[0].Late || v.Supervisions[0].Open {
		t.Fatalf("late reply %+v", v.Supervisions[0])
	}
	var rules struct {
		Limits       map[string]cases.Limit `json:"limits"`
		HolidayYears []int                  `json:"holiday_years"`
		Warnings     []string               `json:"warnings"`
	}
	want(t, f.do("GET", "/api/v1/case-rules", secStaffW1, nil), http.StatusOK, &rules)
	if rules.Limits["petition"].Handle.Days != 60 || len(rules.HolidayYears) != 2 || len(rules.Warnings) != 1 || !strings.Contains(rules.Warnings[0], "2027") {
		t.Fatalf("rules %+v", rules)
	}
}

// TestRectificationFromPadRating: a bad rating at the pad reaches the
// book through the engine's feed and lists as an item to rectify.
func TestRectificationFromPadRating(t *testing.T) {
	f := newCaseFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); f.book.Run(ctx, f.eng.Events()) }()
	t.Cleanup(func() { cancel(); <-done })
	f.open("w1")
	tk := f.issue("petition")
	f.cmd(secStaffW1, "w1", "call-next", nil)
	f.cmd(secStaffW1, "w1", "start", nil)
	f.cmd(secStaffW1, "w1", "complete", nil)
	want(t, f.do("POST", fmt.Sprintf("/api/v1/tickets/%d/rating", tk.Ticket.ID), secPadW1, map[string]any{"level": 1, "reasons": []string{"态度生硬"}}), http.StatusOK, nil)
	var items struct {
		Items []cases.Rectification `json:"items"`
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		want(t, f.do("GET", "/api/v1/rectifications?open=true", secSuper, nil), http.StatusOK, &items)
		if len(items.Items) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if len(items.Items) != 1 || items.Items[0].Ticket != tk.Ticket.Number || items.Items[0].CounterID != "w1" || items.Items[0].LevelName != "非常不满意" {
		t.Fatalf("items %+v", items.Items)
	}
	wantError(t, f.do("POST", fmt.Sprintf("/api/v1/rectifications/%d/close", tk.Ticket.ID), secStaffW2, map[string]string{"action": "x"}), http.StatusForbidden, queue.EFORBIDDEN)
	var closed struct {
		Item cases.Rectification `json:"item"`
	}
	want(t, f.do("POST", fmt.Sprintf("/api/v1/rectifications/%d/close", tk.Ticket.ID), secStaffW1, map[string]string{"action": "已回访致歉"}), http.StatusOK, &closed)
	if closed.Item.ClosedBy != "clerk1" {
		t.Fatalf("%+v", closed.Item)
	}
	want(t, f.do("GET", "/api/v1/rectifications?open=true", secSuper, nil), http.StatusOK, &items)
	if len(items.Items) != 0 {
		t.Fatal("closed item listed as open")
	}
}

// TestNoPersonalDataLeaks is the grep test: synthetic persons go through
// registration, the lifecycle, an audited view of their data, supervision,
// the inquiry page, statistics and every export; neither the log nor an
// export nor any answer but the audited one holds a full ID number, name,
// address or phone.
func TestNoPersonalDataLeaks(t *testing.T) {
	f := newCaseFixture(t)
	pages, err := web.New(web.Options{Engine: f.eng, Auth: f.auth, Cases: f.book})
	if err != nil {
		t.Fatal(err)
	}
	var persons []map[string]string
	var answers bytes.Buffer
	record := func(w *httptest.ResponseRecorder) *httptest.ResponseRecorder {
		answers.Write(w.Body.Bytes())
		return w
	}
	for i := range 12 {
		group := []map[string]string{synthPerson(100 + 3*i)}
		if i%3 == 0 {
			group = append(group, synthPerson(101+3*i), synthPerson(102+3*i))
		}
		persons = append(persons, group...)
		service, typ := "petition", "petition"
		if i%2 == 1 {
			service, typ = "medical", "mediation.medical"
		}
		// The kiosk's tap registers the case at the desk; the first
		// person returns and the visit joins it. (A kiosk's pace: a
		// minute a visitor.)
		f.clock.Advance(time.Minute)
		w := record(f.do("POST", "/api/v1/tickets", secKiosk, map[string]any{"service": service, "persons": group}, "Idempotency-Key", fmt.Sprintf("k%d", i)))
		var r issued
		want(t, w, http.StatusCreated, &r)
		code := r.CaseCode
		var back issued
		want(t, record(f.do("POST", "/api/v1/tickets", secKiosk, map[string]any{"service": service, "persons": group[:1]}, "Idempotency-Key", fmt.Sprintf("b%d", i))), http.StatusCreated, &back)
		if !back.Linked || back.CaseCode != code || r.Ticket.Kiosk == "" || typ == "" {
			t.Fatalf("return visit %+v", back)
		}
		counter := "w1"
		if service == "medical" {
			counter = "r1"
		}
		sec := secSuper
		record(f.do("POST", "/api/v1/cases/"+code+"/receive", sec, map[string]string{"counter": counter}))
		record(f.do("POST", "/api/v1/cases/"+code+"/route", sec, map[string]string{"kind": "counter", "counter": counter}))
		record(f.do("POST", "/api/v1/cases/"+code+"/supervisions", sec, map[string]string{"level": "yellow", "reason": "催办"}))
		record(f.do("POST", "/api/v1/cases/"+code+"/handle", sec, nil))
		if i%4 != 3 {
			if service == "medical" {
				record(f.do("POST", "/api/v1/cases/"+code+"/records", sec, map[string]string{"kind": "agreement", "text": "达成协议"}))
				record(f.do("POST", "/api/v1/cases/"+code+"/conclude", sec, map[string]string{"outcome": "mediated"}))
			} else {
				record(f.do("POST", "/api/v1/cases/"+code+"/conclude", sec, map[string]string{"outcome": "answered"}))
			}
			record(f.do("POST", "/api/v1/cases/"+code+"/close", sec, map[string]string{"note": "已回访"}))
		}
		record(f.do("GET", "/api/v1/cases/"+code, sec, nil))
		page := httptest.NewRequest("GET", strings.TrimPrefix(r.CaseURL, "http://yiting.local"), nil)
		pw := httptest.NewRecorder()
		pages.Inquiry(web.InquiryOptions{}).ServeHTTP(pw, page)
		answers.Write(pw.Body.Bytes())
		if i == 0 {
			// The one audited opening: its answer holds the data, the
			// log only that it happened.
			w := f.do("POST", "/api/v1/cases/"+code+"/personal", secSuper, map[string]string{"reason": "电话回访"})
			want(t, w, http.StatusOK, nil)
			if !strings.Contains(w.Body.String(), group[0]["id_number"]) {
				t.Fatal("the audited view does not show the data")
			}
		}
	}
	record(f.do("GET", "/api/v1/cases", secSuper, nil))
	record(f.do("GET", "/api/v1/case-stats?from=2026-01-01&to=2026-12-31", secSuper, nil))
	record(f.do("GET", "/api/v1/case-audit", secSuper, nil))
	// The exports are the supervision page's downloads.
	pm := http.NewServeMux()
	pages.Register(pm)
	export := func(secret, file string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/dashboard/"+file+"?from=2026-01-01&to=2026-12-31", nil)
		r.Header.Set("Authorization", "Bearer "+secret)
		w := httptest.NewRecorder()
		pm.ServeHTTP(w, r)
		return w
	}
	var exports bytes.Buffer
	for _, p := range []string{"cases.csv", "case-stats.csv", "case-report.html"} {
		w := export(secSuper, p)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", p, w.Code, w.Body)
		}
		if p != "case-report.html" && !bytes.HasPrefix(w.Body.Bytes(), []byte("\xEF\xBB\xBF")) {
			t.Errorf("%s has no BOM", p)
		}
		exports.Write(w.Body.Bytes())
	}
	if n := strings.Count(exports.String(), "421224-20261126-"); n < 12 {
		t.Fatalf("the exports list %d cases", n)
	}
	var audit struct {
		Entries []cases.AuditEntry `json:"entries"`
	}
	want(t, f.do("GET", "/api/v1/case-audit", secSuper, nil), http.StatusOK, &audit)
	if len(audit.Entries) != 1 || audit.Entries[0].Reason != "电话回访" || audit.Entries[0].Actor != "boss" {
		t.Fatalf("audit %+v", audit.Entries)
	}
	// The event log: every ticket and case step, as the county would get it.
	var events bytes.Buffer
	evs, err := f.store.Events(context.Background(), 0, 10000)
	if err != nil || len(evs) < 12*8 {
		t.Fatalf("%d events, %v", len(evs), err)
	}
	for _, ev := range evs {
		j, _ := json.Marshal(ev)
		events.Write(j)
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "ticket issued with its case") || !strings.Contains(logs, "personal_viewed") {
		t.Fatalf("the log did not capture the run:\n%s", logs)
	}
	for _, p := range persons {
		for _, field := range []string{"id_number", "name", "address", "phone"} {
			secret := p[field]
			for where, text := range map[string]string{"log": logs, "exports": exports.String(), "answers": answers.String(), "events": events.String()} {
				if strings.Contains(text, secret) {
					t.Errorf("%s holds a full %s %q", where, field, secret)
				}
			}
		}
		// The birth date inside the ID number neither.
		if strings.Contains(logs, p["id_number"][6:14]) || strings.Contains(exports.String(), p["id_number"][6:14]) || strings.Contains(events.String(), p["id_number"][6:14]) {
			t.Errorf("a birth date from an ID number leaked")
		}
	}
	// Export and statistics are for supervisors.
	if w := export(secStaffW1, "cases.csv"); w.Code != http.StatusForbidden {
		t.Errorf("a clerk exports the cases: %d", w.Code)
	}
	wantError(t, f.do("GET", "/api/v1/case-stats", secStaffW1, nil), http.StatusForbidden, queue.EFORBIDDEN)
	wantError(t, f.do("GET", "/api/v1/case-stats?from=2026-13-01", secSuper, nil), http.StatusBadRequest, queue.EINVALID)
	var stats struct {
		Stats cases.Stats `json:"stats"`
	}
	want(t, f.do("GET", "/api/v1/case-stats?from=2026-01-01&to=2026-12-31", secAdmin, nil), http.StatusOK, &stats)
	// 12 cases of 20 persons, each visited twice: the first person came
	// back alone (24 visits, 20 + 12 人次).
	if stats.Stats.Cases != 12 || stats.Stats.Persons != 32 || stats.Stats.Visits != 24 || stats.Stats.MediationSuccess.Num != 3 {
		b, _ := json.Marshal(stats.Stats)
		t.Fatalf("stats %s", b)
	}
}

// Devices read what they need: no case code of a ticket (on the stream or
// by id), no ticket of another day; staff do.
func TestDevicesReadTodayWithoutCaseCodes(t *testing.T) {
	f := newCaseFixture(t)
	srv := f.server()
	board := openStream(t, srv.URL+"/api/v1/events?token="+secDisplay)
	var is issued
	want(t, f.do("POST", "/api/v1/tickets", secKiosk, ticketBody(f.hall, "petition", 1), "Idempotency-Key", "dev-1"), http.StatusCreated, &is)
	if is.CaseCode == "" || is.Ticket.CaseCode != is.CaseCode {
		t.Fatalf("the kiosk's own ticket lacks its case: %+v", is)
	}
	if sev, ev := board.nextOf(queue.EventIssued); ev.Ticket.CaseCode != "" || strings.Contains(sev.data, is.CaseCode) {
		t.Errorf("the board got the case code: %s", sev.data)
	}
	path := "/api/v1/tickets/" + strconv.FormatUint(is.Ticket.ID, 10)
	var byDisplay, bySuper queue.Ticket // GET /tickets/{id} answers the ticket's fields at the top
	want(t, f.do("GET", path, secDisplay, nil), http.StatusOK, &byDisplay)
	want(t, f.do("GET", path, secSuper, nil), http.StatusOK, &bySuper)
	if byDisplay.Number != is.Ticket.Number || byDisplay.CaseCode != "" || bySuper.CaseCode != is.CaseCode {
		t.Errorf("by id: the display reads %q (%s), the supervisor %q", byDisplay.CaseCode, byDisplay.Number, bySuper.CaseCode)
	}
	f.clock.Set(f.clock.Now().Add(24 * time.Hour))
	f.do("GET", "/api/v1/queue", secSuper, nil) // any command starts the new day
	want(t, f.do("POST", "/api/v1/tickets", secKiosk, ticketBody(f.hall, "petition", 2), "Idempotency-Key", "dev-2"), http.StatusCreated, nil)
	wantError(t, f.do("GET", path, secDisplay, nil), http.StatusNotFound, queue.ENOTFOUND)
	want(t, f.do("GET", path, secSuper, nil), http.StatusOK, nil)
}
