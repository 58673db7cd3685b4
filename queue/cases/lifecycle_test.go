package cases_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"yiting/queue/queuetest"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/personal"
)

var ctx = context.Background()

func TestRegister(t *testing.T) {
	f := newFixture(t)
	p1, p2 := synthPerson(1), synthPerson(2)
	r := f.register("petition", p1, p2)
	v := r.Case
	if !strings.HasPrefix(v.Code, "421224-20261126-0001-") || v.Status != cases.StatusRegistered || v.Unit != "信访局" || v.TypeName != "信访接待" {
		t.Fatalf("case %+v", v)
	}
	if _, err := cases.ParseCode(v.Code); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.URL, "http://yiting.local/c/") || len(r.URL) != len("http://yiting.local/c/")+cases.TokenLen {
		t.Fatalf("url %q", r.URL)
	}
	if len(v.Persons) != 2 || v.Persons[0].Name != personal.MaskName(p1.Name) || v.Persons[0].ID != personal.MaskID(p1.IDNumber) ||
		v.Persons[1].Phone != personal.MaskPhone(p2.Phone) || !strings.Contains(v.Persons[0].Name, "*") {
		t.Fatalf("persons %+v", v.Persons)
	}
	// Petition: accept within 15 days of Thu 2026-11-26 → Fri 12-11; the
	// 60 days of handling count from acceptance, so not set yet.
	if v.AcceptDue != d(2026, 12, 11) || v.HandleDue != 0 || v.Due == nil || v.Due.Which != "accept" || v.Due.State != "ok" {
		t.Fatalf("deadlines %s %s %+v", v.AcceptDue, v.HandleDue, v.Due)
	}
	if len(v.Visits) != 1 || v.Visits[0].Persons != 2 {
		t.Fatalf("visits %+v", v.Visits)
	}
	if r2 := f.register("mediation-labour", synthPerson(3)); !strings.HasPrefix(r2.Case.Code, "421224-20261126-0002-") ||
		r2.Case.HandleDue != d(2026, 12, 11) || r2.Case.AcceptDue != 0 {
		// labour mediation: 15 days from the application.
		t.Fatalf("second case %s, handle due %s", r2.Case.Code, r2.Case.HandleDue)
	}
	// The next day numbering starts again at 1.
	f.clock.Advance(24 * time.Hour)
	if r3 := f.register("petition", synthPerson(4)); !strings.HasPrefix(r3.Case.Code, "421224-20261127-0001-") {
		t.Fatalf("next day %s", r3.Case.Code)
	}
}

func TestRegisterIsIdempotent(t *testing.T) {
	f := newFixture(t)
	req := cases.RegisterRequest{ServiceID: "petition", Persons: []cases.Person{synthPerson(1)}, IdempotencyKey: "tap-1"}
	a := must[cases.Registered](t)(f.book.Register(ctx, clerk1, req))
	b := must[cases.Registered](t)(f.book.Register(ctx, clerk1, req))
	if !b.Replayed || a.Replayed || a.Case.Code != b.Case.Code || a.URL != b.URL {
		t.Fatalf("first %s %s, retry %s %s replayed %v", a.Case.Code, a.URL, b.Case.Code, b.URL, b.Replayed)
	}
	// Another clerk's key of the same text is another request.
	c := must[cases.Registered](t)(f.book.Register(ctx, clerk2, req))
	if c.Case.Code == a.Case.Code {
		t.Fatal("keys are not per principal")
	}
	req.ServiceID = "housing"
	_, err := f.book.Register(ctx, clerk1, req)
	wantCode(t, err, queue.ECONFLICT)
}

func TestRegisterRefuses(t *testing.T) {
	f := newFixture(t)
	six := []cases.Person{synthPerson(1), synthPerson(2), synthPerson(3), synthPerson(4), synthPerson(5), synthPerson(6)}
	badCheck := synthPerson(7)
	last := badCheck.IDNumber[17]
	badCheck.IDNumber = badCheck.IDNumber[:17] + map[bool]string{true: "1", false: "0"}[last == '0']
	for _, c := range []struct {
		name string
		p    queue.Principal
		req  cases.RegisterRequest
		code string
		frag []string
	}{
		{"six persons", boss, cases.RegisterRequest{ServiceID: "petition", Persons: six, IdempotencyKey: "k"}, queue.EINVALID, []string{"第二十条", "Art. 20", "5"}},
		{"pad", pad, cases.RegisterRequest{ServiceID: "petition", IdempotencyKey: "k"}, queue.EFORBIDDEN, nil},
		{"kiosk: only with a ticket", kiosk, cases.RegisterRequest{ServiceID: "petition", Persons: []cases.Person{synthPerson(1)}, IdempotencyKey: "k"}, queue.EFORBIDDEN, nil},
		{"no person", boss, cases.RegisterRequest{ServiceID: "petition", IdempotencyKey: "k"}, queue.EINVALID, []string{"来访人"}},
		{"a name of digits", boss, cases.RegisterRequest{ServiceID: "petition", Persons: []cases.Person{{Name: "*421224198506150013"}}, IdempotencyKey: "k"}, queue.EINVALID, []string{"姓名"}},
		{"a bidi override in a name", boss, cases.RegisterRequest{ServiceID: "petition", Persons: []cases.Person{{Name: "张\u202e三"}}, IdempotencyKey: "k"}, queue.EINVALID, []string{"姓名"}},
		{"no case type", boss, cases.RegisterRequest{ServiceID: "consult", Persons: []cases.Person{synthPerson(1)}, IdempotencyKey: "k"}, queue.EINVALID, []string{"不登记案件"}},
		{"unknown service", boss, cases.RegisterRequest{ServiceID: "nope", IdempotencyKey: "k"}, queue.ENOTFOUND, nil},
		{"check character", boss, cases.RegisterRequest{ServiceID: "petition", Persons: []cases.Person{badCheck}, IdempotencyKey: "k"}, queue.EINVALID, []string{"校验码"}},
		{"no name", boss, cases.RegisterRequest{ServiceID: "petition", Persons: []cases.Person{{IDNumber: synthID(1)}}, IdempotencyKey: "k"}, queue.EINVALID, []string{"姓名"}},
		{"twice the same person", boss, cases.RegisterRequest{ServiceID: "petition", Persons: []cases.Person{synthPerson(1), synthPerson(1)}, IdempotencyKey: "k"}, queue.EINVALID, []string{"相同"}},
		{"no key", boss, cases.RegisterRequest{ServiceID: "petition", Persons: []cases.Person{synthPerson(1)}}, queue.EINVALID, nil},
		{"bad channel", boss, cases.RegisterRequest{ServiceID: "petition", Channel: "pigeon", Persons: []cases.Person{synthPerson(1)}, IdempotencyKey: "k"}, queue.EINVALID, nil},
		{"not my counter", clerk1, cases.RegisterRequest{ServiceID: "petition", CounterID: "win-02", Persons: []cases.Person{synthPerson(1)}, IdempotencyKey: "k"}, queue.EFORBIDDEN, nil},
	} {
		_, err := f.book.Register(ctx, c.p, c.req)
		if queue.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
			continue
		}
		for _, fr := range c.frag {
			if !strings.Contains(queue.ErrorMessage(err), fr) {
				t.Errorf("%s: message %q lacks %q", c.name, queue.ErrorMessage(err), fr)
			}
		}
	}
	// Five is allowed: a group visit of five representatives, one case.
	r := f.register("petition", six[:5]...)
	if len(r.Case.Persons) != 5 || r.Case.Visits[0].Persons != 5 {
		t.Fatalf("group %+v", r.Case.Visits)
	}
	// A phone petition without an ID number, registered by a clerk.
	ph, err := f.book.Register(ctx, clerk1, cases.RegisterRequest{ServiceID: "petition", CounterID: "win-01", Channel: cases.ChannelPhone,
		Persons: []cases.Person{{Name: "赵测试"}}, IdempotencyKey: "phone-1"})
	if err != nil || ph.Case.ChannelName != "来电" || ph.Case.Persons[0].ID != "" {
		t.Fatalf("phone petition %+v %v", ph.Case, err)
	}
}

// TestPersonalDataSealed: the stored case has no ID number, name, address
// or phone in the clear; opening them takes a reason and leaves an audit
// entry; sealed values are bound to their case and field.
func TestPersonalDataSealed(t *testing.T) {
	f := newFixture(t)
	ps := synthPerson(42)
	r := f.register("petition", ps)
	raw := f.store.cases[r.Case.Code]
	for _, secret := range []string{ps.IDNumber, ps.Name, ps.Address, ps.Phone, ps.IDNumber[6:14]} {
		if strings.Contains(string(raw), secret) {
			t.Fatalf("stored case contains %q", secret)
		}
	}
	var stored cases.Case
	json.Unmarshal(raw, &stored)
	if stored.Persons[0].VisitorKey != f.keys.VisitorKey(ps.IDNumber) || len(stored.Persons[0].SealedName) == 0 {
		t.Fatal("visitor key or sealed name missing")
	}
	// The view is masked.
	v, _ := json.Marshal(r.Case)
	if strings.Contains(string(v), ps.Name) || strings.Contains(string(v), ps.IDNumber) || strings.Contains(string(v), stored.Persons[0].VisitorKey) || strings.Contains(string(v), stored.TokenHash) {
		t.Fatalf("view leaks: %s", v)
	}

	consumerClerk := queue.Principal{ID: "mkt1", Role: queue.RoleStaff, Counters: []string{"win-11"}}
	_, err := f.book.Personal(ctx, clerk1, r.Case.Code, "")
	wantCode(t, err, queue.EINVALID, "理由")
	_, err = f.book.Personal(ctx, consumerClerk, r.Case.Code, "好奇")
	wantCode(t, err, queue.EFORBIDDEN)
	_, err = f.book.Personal(ctx, admin, r.Case.Code, "维护")
	wantCode(t, err, queue.EFORBIDDEN)
	if len(f.store.audit) != 0 {
		t.Fatal("a refused view was audited")
	}
	got, err := f.book.Personal(ctx, clerk1, r.Case.Code, "电话回访")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].IDNumber != ps.IDNumber || got[0].Name != ps.Name || got[0].Address != ps.Address || got[0].Phone != ps.Phone {
		t.Fatalf("opened %+v", got)
	}
	a := f.store.audit
	if len(a) != 1 || a[0].Actor != "clerk1" || a[0].Case != r.Case.Code || a[0].Reason != "电话回访" || a[0].Action != "view" || a[0].At.IsZero() {
		t.Fatalf("audit %+v", a)
	}
	entries, err := f.book.Audit(ctx, boss, 0, 0, r.Case.Code)
	if err != nil || len(entries) != 1 {
		t.Fatalf("audit read %v %v", entries, err)
	}
	if _, err := f.book.Audit(ctx, clerk1, 0, 0, ""); queue.ErrorCode(err) != queue.EFORBIDDEN {
		t.Fatalf("staff read the audit log: %v", err)
	}

	// A sealed name copied into another case does not open there.
	other := f.register("petition", synthPerson(43))
	var oc cases.Case
	json.Unmarshal(f.store.cases[other.Case.Code], &oc)
	oc.Persons[0].SealedName = stored.Persons[0].SealedName
	b, _ := json.Marshal(&oc)
	f.store.cases[other.Case.Code] = b
	if _, err := f.book.Personal(ctx, boss, other.Case.Code, "核对"); err == nil || !strings.Contains(err.Error(), "cannot open") {
		t.Fatalf("a moved sealed value opened: %v", err)
	}
}

// TestLifecycle walks a medical mediation through every step, checking the
// deadline (30 working days from acceptance), the records, the history
// and the refusals of steps out of order.
func TestLifecycle(t *testing.T) {
	f := newFixture(t)
	r := f.register("mediation-medical", synthPerson(1), synthPerson(2))
	code := r.Case.Code
	if r.Case.Unit != "医患纠纷人民调解委员会" || r.Case.HandleDue != 0 || !r.Case.Sensitive {
		t.Fatalf("registered %+v", r.Case)
	}
	// Out of order: nothing but receive (or an early close) fits now.
	_, err := f.book.Route(ctx, boss, code, cases.RouteTo{Kind: cases.RouteCounter, CounterID: "room-medical"})
	wantCode(t, err, queue.ECONFLICT, "须先接待")
	_, err = f.book.StartHandling(ctx, boss, code)
	wantCode(t, err, queue.ECONFLICT, "已登记")
	_, err = f.book.Close(ctx, boss, code, cases.CloseRequest{Note: "x"})
	wantCode(t, err, queue.ECONFLICT, "回访")
	_, err = f.book.Receive(ctx, clerk1, code, "room-medical")
	wantCode(t, err, queue.EFORBIDDEN) // not clerk1's counter

	v := must[cases.View](t)(f.book.Receive(ctx, mediator, code, "room-medical"))
	if v.Status != cases.StatusReceived || v.Handler.CounterID != "room-medical" || v.Handler.StaffID != "med1" {
		t.Fatalf("received %+v", v.Handler)
	}
	_, err = f.book.Receive(ctx, mediator, code, "room-medical")
	wantCode(t, err, queue.ECONFLICT, "已接待")

	// A clerk of another unit neither sees this health matter nor acts on it.
	_, err = f.book.Case(ctx, clerk1, code)
	wantCode(t, err, queue.EFORBIDDEN, "健康")
	_, err = f.book.Route(ctx, clerk1, code, cases.RouteTo{Kind: cases.RouteCounter, CounterID: "room-medical"})
	wantCode(t, err, queue.EFORBIDDEN)

	// Accepted on Mon 2026-11-30: 30 working days → Mon 2027-01-11
	// (2027 has no file in the test: weekends only; the 2026 file has no
	// holiday in December).
	f.clock.Set(time.Date(2026, 11, 30, 10, 0, 0, 0, queuetest.Shanghai(t)))
	v = must[cases.View](t)(f.book.Route(ctx, mediator, code, cases.RouteTo{Kind: cases.RouteCounter, CounterID: "room-medical", Note: "专业调解"}))
	if v.Status != cases.StatusRouted || v.AcceptedAt.IsZero() || v.HandleDue != d(2027, 1, 11) || v.Due.Which != "handle" {
		t.Fatalf("routed %s due %s %+v", v.Status, v.HandleDue, v.Due)
	}
	_, err = f.book.AddRecord(ctx, mediator, code, cases.RecordAgreement, "协议")
	wantCode(t, err, queue.ECONFLICT, "调处中")
	_, err = f.book.Conclude(ctx, mediator, code, cases.Result{Outcome: cases.OutcomeMediated})
	wantCode(t, err, queue.ECONFLICT, "调处中")

	must[cases.View](t)(f.book.StartHandling(ctx, mediator, code))
	for _, rec := range []struct {
		kind cases.RecordKind
		text string
	}{{cases.RecordInvestigation, "调取病历"}, {cases.RecordSession, "第一次调解"}, {cases.RecordSession, "第二次调解"}} {
		must[cases.View](t)(f.book.AddRecord(ctx, mediator, code, rec.kind, rec.text))
	}
	_, err = f.book.AddRecord(ctx, mediator, code, "photo", "x")
	wantCode(t, err, queue.EINVALID)
	_, err = f.book.Conclude(ctx, mediator, code, cases.Result{Outcome: cases.OutcomeMediated})
	wantCode(t, err, queue.ECONFLICT, "调解协议")
	_, err = f.book.Conclude(ctx, mediator, code, cases.Result{Outcome: cases.OutcomeFailed})
	wantCode(t, err, queue.EINVALID, "诉讼")
	_, err = f.book.Extend(ctx, mediator, code, cases.ExtendRequest{Reason: "鉴定"})
	wantCode(t, err, queue.EINVALID, "双方当事人同意")
	must[cases.View](t)(f.book.AddRecord(ctx, mediator, code, cases.RecordAgreement, "双方达成协议，医院赔偿"))
	f.clock.Advance(24 * time.Hour)
	v = must[cases.View](t)(f.book.Conclude(ctx, mediator, code, cases.Result{Outcome: cases.OutcomeMediated, Note: "当场履行"}))
	if v.Status != cases.StatusFollowUp || v.Outcome != cases.OutcomeMediated || v.HandledAt.IsZero() || v.Due != nil {
		t.Fatalf("concluded %+v", v)
	}
	_, err = f.book.Close(ctx, mediator, code, cases.CloseRequest{})
	wantCode(t, err, queue.EINVALID, "回访记录")
	_, err = f.book.Close(ctx, mediator, code, cases.CloseRequest{Outcome: cases.OutcomeWithdrawn, Note: "x"})
	wantCode(t, err, queue.ECONFLICT, "不能撤回")
	must[cases.View](t)(f.book.AddRecord(ctx, mediator, code, cases.RecordFollowUp, "电话回访，协议已履行"))
	v = must[cases.View](t)(f.book.Close(ctx, mediator, code, cases.CloseRequest{}))
	if v.Status != cases.StatusClosed || v.ClosedAt.IsZero() || v.OutcomeName != "调解成功" {
		t.Fatalf("closed %+v", v)
	}
	_, err = f.book.AddRecord(ctx, mediator, code, cases.RecordNote, "x")
	wantCode(t, err, queue.ECONFLICT, "已终结")
	var kinds []string
	for _, s := range v.History {
		kinds = append(kinds, string(s.Kind))
		if s.At.IsZero() || s.Actor == "" {
			t.Errorf("step %+v lacks who or when", s)
		}
	}
	want := "registered received routed handling record record record record concluded record closed"
	if strings.Join(kinds, " ") != want {
		t.Fatalf("history %s\nwant    %s", strings.Join(kinds, " "), want)
	}
	if len(v.Records) != 5 || v.Records[4].Kind != cases.RecordFollowUp || v.Records[4].Seq != 5 {
		t.Fatalf("records %+v", v.Records)
	}
	// The log names the case and steps, never a person.
	if !strings.Contains(f.logs.String(), code) || strings.Contains(f.logs.String(), synthPerson(1).Name) {
		t.Fatalf("log:\n%s", f.logs)
	}
}

func TestPetitionExtensionOnce(t *testing.T) {
	f := newFixture(t)
	code := f.register("petition", synthPerson(1)).Case.Code
	must[cases.View](t)(f.book.Receive(ctx, clerk1, code, "win-01"))
	// Accepted Thu 2026-11-26: 60 days → Mon 2027-01-25.
	v := must[cases.View](t)(f.book.Route(ctx, clerk1, code, cases.RouteTo{Kind: cases.RouteUnit, Unit: "住建局"}))
	if v.HandleDue != d(2027, 1, 25) || v.Unit != "住建局" {
		t.Fatalf("due %s unit %s", v.HandleDue, v.Unit)
	}
	_, err := f.book.Extend(ctx, clerk1, code, cases.ExtendRequest{})
	wantCode(t, err, queue.EINVALID, "理由")
	v = must[cases.View](t)(f.book.Extend(ctx, clerk1, code, cases.ExtendRequest{Reason: "涉及多部门，需进一步调查"}))
	// + 30 days from 2027-01-25 → Wed 2027-02-24.
	if v.HandleDue != d(2027, 2, 24) || v.Extension == nil || v.Extension.From != d(2027, 1, 25) {
		t.Fatalf("extended to %s %+v", v.HandleDue, v.Extension)
	}
	_, err = f.book.Extend(ctx, clerk1, code, cases.ExtendRequest{Reason: "再延"})
	wantCode(t, err, queue.ECONFLICT, "只能延长一次")
}

func TestEarlyClose(t *testing.T) {
	f := newFixture(t)
	a := f.register("consumer", synthPerson(1)).Case.Code
	must[cases.View](t)(f.book.Receive(ctx, boss, a, "win-11"))
	_, err := f.book.Close(ctx, boss, a, cases.CloseRequest{Outcome: cases.OutcomeNotAccepted})
	wantCode(t, err, queue.EINVALID, "理由")
	_, err = f.book.Close(ctx, boss, a, cases.CloseRequest{Outcome: cases.OutcomeMediated, Note: "x"})
	wantCode(t, err, queue.EINVALID)
	v := must[cases.View](t)(f.book.Close(ctx, boss, a, cases.CloseRequest{Outcome: cases.OutcomeNotAccepted, Note: "不属于市场监管部门职责"}))
	if v.Status != cases.StatusClosed || v.Outcome != cases.OutcomeNotAccepted {
		t.Fatalf("%+v", v)
	}
	b := f.register("petition", synthPerson(2)).Case.Code
	must[cases.View](t)(f.book.Receive(ctx, clerk1, b, "win-01"))
	must[cases.View](t)(f.book.Route(ctx, clerk1, b, cases.RouteTo{Kind: cases.RouteCounter, CounterID: "win-01"}))
	_, err = f.book.Close(ctx, clerk1, b, cases.CloseRequest{Outcome: cases.OutcomeNotAccepted, Note: "x"})
	wantCode(t, err, queue.ECONFLICT, "已受理")
	v = must[cases.View](t)(f.book.Close(ctx, clerk1, b, cases.CloseRequest{Outcome: cases.OutcomeWithdrawn, Note: "来访人撤回"}))
	if v.OutcomeName != "撤回" {
		t.Fatal(v.OutcomeName)
	}
}

// TestInquiryAndRating: the token finds the case, a wrong one nothing; the
// page shows no personal data beyond a masked name; a closed case is
// rated once.
func TestInquiryAndRating(t *testing.T) {
	f := newFixture(t)
	ps := synthPerson(8)
	r := f.register("petition", ps)
	token := r.URL[strings.LastIndex(r.URL, "/")+1:]
	if !cases.WellFormedToken(token) {
		t.Fatalf("token %q", token)
	}
	pv, err := f.book.Inquire(ctx, token)
	if err != nil || pv.Code != r.Case.Code || pv.MaskedName != personal.MaskName(ps.Name) || pv.CanRate {
		t.Fatalf("inquiry %+v %v", pv, err)
	}
	j, _ := json.Marshal(pv)
	if strings.Contains(string(j), ps.Name) || strings.Contains(string(j), ps.IDNumber[6:]) || strings.Contains(string(j), "要求解决问题") {
		t.Fatalf("public view leaks: %s", j)
	}
	for _, wrong := range []string{token[:21] + "A", "", "x", strings.Repeat("A", cases.TokenLen)} {
		if wrong == token {
			continue
		}
		_, err := f.book.Inquire(ctx, wrong)
		wantCode(t, err, queue.ENOTFOUND)
	}
	_, err = f.book.RateResult(ctx, token, true)
	wantCode(t, err, queue.ECONFLICT, "办结")
	code := r.Case.Code
	must[cases.View](t)(f.book.Receive(ctx, clerk1, code, "win-01"))
	must[cases.View](t)(f.book.Route(ctx, clerk1, code, cases.RouteTo{Kind: cases.RouteCounter, CounterID: "win-01"}))
	pv, _ = f.book.Inquire(ctx, token)
	if pv.Contact != "1号窗口" || pv.Location != "一楼大厅" || pv.Due == nil || pv.Due.Which != "handle" {
		t.Fatalf("routed inquiry %+v", pv)
	}
	must[cases.View](t)(f.book.StartHandling(ctx, clerk1, code))
	must[cases.View](t)(f.book.Conclude(ctx, clerk1, code, cases.Result{Outcome: cases.OutcomeAnswered}))
	must[cases.View](t)(f.book.Close(ctx, clerk1, code, cases.CloseRequest{Note: "已电话告知处理结果"}))
	pv, _ = f.book.Inquire(ctx, token)
	if !pv.CanRate || pv.OutcomeName != "办结答复" {
		t.Fatalf("closed inquiry %+v", pv)
	}
	pv, err = f.book.RateResult(ctx, token, false)
	if err != nil || pv.CanRate || pv.Satisfaction == nil || pv.Satisfaction.Satisfied {
		t.Fatalf("rated %+v %v", pv, err)
	}
	_, err = f.book.RateResult(ctx, token, true)
	wantCode(t, err, queue.ECONFLICT, "只评一次")
}

// TestRegisterRetriedConcurrently: the same request sent again while the
// first is still in the engine's batch gets the same case, not a second.
func TestRegisterRetriedConcurrently(t *testing.T) {
	f := newFixture(t)
	req := cases.RegisterRequest{ServiceID: "petition", Persons: []cases.Person{synthPerson(9)}, IdempotencyKey: "letter-1", Channel: cases.ChannelLetter}
	codes := make(chan string, 20)
	for range 20 {
		go func() {
			r, err := f.book.Register(ctx, clerk1, req)
			if err != nil {
				t.Error(err)
			}
			codes <- r.Case.Code
		}()
	}
	first := <-codes
	for range 19 {
		if c := <-codes; c != first {
			t.Fatalf("one request, cases %s and %s", first, c)
		}
	}
	f.store.mu.Lock()
	n := len(f.store.cases)
	f.store.mu.Unlock()
	if n != 1 {
		t.Fatalf("%d cases", n)
	}
}

// The county's 交办 (issue 14) routes a case the site registered but has
// not received yet: the assignment from above is its acceptance. A
// site's own routing of it still needs the reception first.
func TestSuperiorRoutesARegisteredCase(t *testing.T) {
	f := newFixture(t)
	r, err := f.book.Register(ctx, boss, cases.RegisterRequest{ServiceID: "petition", Persons: []cases.Person{synthPerson(11)},
		IdempotencyKey: "letter-2", Channel: cases.ChannelLetter})
	if err != nil || r.Case.Status != cases.StatusRegistered {
		t.Fatal(r.Case.Status, err)
	}
	_, err = f.book.Route(ctx, boss, r.Case.Code, cases.RouteTo{Kind: cases.RouteUnit, Unit: "信访局"})
	if queue.ErrorCode(err) != queue.ECONFLICT {
		t.Fatalf("a registered case routed without reception: %v", err)
	}
	county := queue.Principal{ID: "county:c1", Role: queue.RoleSupervisor}
	v, err := f.book.Route(ctx, county, r.Case.Code, cases.RouteTo{Kind: cases.RouteUnit, Unit: "信访局", Note: "县综治中心交办", Superior: true})
	if err != nil {
		t.Fatal(err)
	}
	if v.Status == cases.StatusRegistered || v.Unit != "信访局" || v.History[len(v.History)-1].Actor != "county:c1" {
		t.Fatalf("after the county's assignment: %s %s %+v", v.Status, v.Unit, v.History[len(v.History)-1])
	}
}
