package cases_test

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/queuetest"
)

var clerk11 = queue.Principal{ID: "clerk11", Role: queue.RoleStaff, Counters: []string{"win-11"}}

// 交办 to a unit: the unit signs for it or sends it back within five
// working days (Art. 23); sent back, the case returns to the centre's
// unit and is listed as to be assigned again.
func TestAssignmentAckAndObjection(t *testing.T) {
	f := newFixture(t)
	code := f.register("petition", synthPerson(1)).Case.Code
	must[cases.View](t)(f.book.Receive(ctx, clerk1, code, "win-01"))
	_, err := f.book.Route(ctx, clerk1, code, cases.RouteTo{Kind: cases.RouteUnit, Unit: "市场监督管理局", ReplyBy: d(2026, 11, 20)})
	wantCode(t, err, queue.EINVALID, "早于今天")
	_, err = f.book.Route(ctx, clerk1, code, cases.RouteTo{Kind: cases.RouteUnit, Unit: "市场监督管理局", ReplyBy: d(2027, 6, 1)})
	wantCode(t, err, queue.EINVALID, "不能晚于办理期限")
	v := must[cases.View](t)(f.book.Route(ctx, clerk1, code, cases.RouteTo{Kind: cases.RouteUnit, Unit: "市场监督管理局", ReplyBy: d(2026, 12, 18)}))
	if v.Unit != "市场监督管理局" || v.Routes[0].ReplyBy != d(2026, 12, 18) {
		t.Fatalf("assigned: %q %+v", v.Unit, v.Routes)
	}
	_, err = f.book.Acknowledge(ctx, clerk2, code) // 信访局 is not the assignee
	wantCode(t, err, queue.EFORBIDDEN, "市场监督管理局")
	v, a, err := f.book.CaseFor(ctx, clerk11, code)
	if err != nil || !a.Ack || !a.Object {
		t.Fatalf("the assignee may: %+v %v", a, err)
	}
	must[cases.View](t)(f.book.Acknowledge(ctx, clerk11, code))
	_, err = f.book.Acknowledge(ctx, clerk11, code)
	wantCode(t, err, queue.ECONFLICT)

	late := f.register("petition", synthPerson(5)).Case.Code
	must[cases.View](t)(f.book.Receive(ctx, clerk1, late, "win-01"))
	must[cases.View](t)(f.book.Route(ctx, clerk1, late, cases.RouteTo{Kind: cases.RouteUnit, Unit: "市场监督管理局"}))

	// Within five working days of Thu 11-26 (Thu 12-03), the case goes
	// back to 信访局 and waits for a new assignment.
	f.clock.Set(time.Date(2026, 12, 3, 10, 0, 0, 0, queuetest.Shanghai(t)))
	_, err = f.book.Object(ctx, clerk11, code, " ")
	wantCode(t, err, queue.EINVALID, "退回理由")
	v = must[cases.View](t)(f.book.Object(ctx, clerk11, code, "不属于本局职权，应由住建部门办理"))
	if v.Unit != "信访局" || v.Routes[0].ObjectReason == "" {
		t.Fatalf("sent back: unit %q %+v", v.Unit, v.Routes[0])
	}
	l := must[cases.Listing](t)(f.book.Find(ctx, boss, cases.Query{Objected: true}))
	if l.Counts.Objected != 1 || !slices.Equal(codes(l), []string{code}) {
		t.Errorf("to assign again: %v %+v", codes(l), l.Counts)
	}
	must[cases.View](t)(f.book.Route(ctx, clerk1, code, cases.RouteTo{Kind: cases.RouteUnit, Unit: "信访局"}))
	if l := must[cases.Listing](t)(f.book.Find(ctx, boss, cases.Query{Objected: true})); l.Total != 0 {
		t.Error("assigned again, still listed as sent back")
	}

	// The sixth working day (Fri 12-04) is too late.
	f.clock.Set(time.Date(2026, 12, 4, 10, 0, 0, 0, queuetest.Shanghai(t)))
	_, err = f.book.Object(ctx, clerk11, late, "不属于本局职权")
	wantCode(t, err, queue.ECONFLICT, "第二十三条")
	if _, a, _ := f.book.CaseFor(ctx, clerk11, late); a.Object || !a.Ack {
		t.Errorf("on the sixth working day the unit is offered: %+v", a)
	}
}

// 研判, 预警 and the major flag: who may, what the list counts.
func TestAnalysisWarningsAndMajor(t *testing.T) {
	f := newFixture(t)
	r, err := f.book.Register(ctx, boss, cases.RegisterRequest{ServiceID: "petition", Persons: []cases.Person{synthPerson(2)},
		IdempotencyKey: "major-1", Major: "群体性事件苗头"})
	if err != nil || r.Case.Major == nil || r.Case.Major.Reason != "群体性事件苗头" {
		t.Fatalf("registered major: %+v %v", r.Case.Major, err)
	}
	code := r.Case.Code
	other := f.register("petition", synthPerson(3)).Case.Code

	_, err = f.book.Assess(ctx, boss, code, "severe", "")
	wantCode(t, err, queue.EINVALID, "风险等级")
	_, err = f.book.Assess(ctx, clerk11, code, cases.RiskHigh, "")
	wantCode(t, err, queue.EFORBIDDEN)
	must[cases.View](t)(f.book.Assess(ctx, clerk1, code, cases.RiskHigh, "多次越级上访"))
	_, err = f.book.AddMeeting(ctx, boss, code, cases.Meeting{Date: d(2026, 12, 1), Participants: "a", Conclusion: "b"})
	wantCode(t, err, queue.EINVALID, "晚于今天")
	must[cases.View](t)(f.book.AddMeeting(ctx, boss, code, cases.Meeting{Participants: "中心主任、信访局、住建局", Conclusion: "联合化解，住建局牵头"}))
	_, err = f.book.Warn(ctx, clerk1, code, "住建局", "x")
	wantCode(t, err, queue.EFORBIDDEN, "督导")
	v := must[cases.View](t)(f.book.Warn(ctx, boss, code, "市场监督管理局", "注意群体聚集风险"))
	if len(v.Warnings) != 1 || len(v.Meetings) != 1 || v.Risk != cases.RiskHigh || v.Meetings[0].Date != d(2026, 11, 26) {
		t.Fatalf("after analysis: %+v %+v %q", v.Warnings, v.Meetings, v.Risk)
	}
	_, err = f.book.AckWarning(ctx, clerk1, code, 1)
	wantCode(t, err, queue.EFORBIDDEN, "市场监督管理局")
	v = must[cases.View](t)(f.book.AckWarning(ctx, clerk11, code, 1))
	if v.Warnings[0].AckBy != "clerk11" {
		t.Errorf("acknowledged: %+v", v.Warnings[0])
	}
	_, err = f.book.FlagMajor(ctx, boss, code, "再次")
	wantCode(t, err, queue.ECONFLICT)

	l := must[cases.Listing](t)(f.book.Find(ctx, boss, cases.Query{Major: true}))
	if !slices.Equal(codes(l), []string{code}) || l.Counts.Major != 1 || l.Counts.HighRisk != 1 || !l.Rows[0].Major || l.Rows[0].RiskName != "高风险" {
		t.Errorf("major: %v %+v", codes(l), l.Counts)
	}
	if l := must[cases.Listing](t)(f.book.Find(ctx, boss, cases.Query{Risk: cases.RiskHigh})); slices.Contains(codes(l), other) {
		t.Error("an unassessed case listed as high risk")
	}
	var steps []string
	for _, e := range f.store.caseEvents() {
		if e.Case.Code == code {
			steps = append(steps, e.Case.Step)
		}
	}
	if got := strings.Join(steps, " "); got != "registered major assessed meeting warned warning_acknowledged" {
		t.Errorf("events: %s", got)
	}
}

// A 不满意 of a closed case's result opens a review for the supervisors.
func TestDissatisfiedResultOpensAReview(t *testing.T) {
	f := newFixture(t)
	r := f.register("petition", synthPerson(4))
	code, token := r.Case.Code, r.URL[strings.LastIndex(r.URL, "/")+1:]
	must[cases.View](t)(f.book.Close(ctx, boss, code, cases.CloseRequest{Outcome: cases.OutcomeNotAccepted, Note: "不属于受理范围"}))
	if _, err := f.book.RateResult(ctx, token, false); err != nil {
		t.Fatal(err)
	}
	l := must[cases.Listing](t)(f.book.Find(ctx, boss, cases.Query{Stage: "all", Review: true}))
	if !slices.Equal(codes(l), []string{code}) || l.Counts.Review != 1 {
		t.Fatalf("reviews: %v %+v", codes(l), l.Counts)
	}
	_, a, _ := f.book.CaseFor(ctx, boss, code)
	if !a.CloseReview {
		t.Error("the supervisor is not offered the review")
	}
	_, err := f.book.CloseReview(ctx, clerk1, code, "已回访")
	wantCode(t, err, queue.EFORBIDDEN)
	v := must[cases.View](t)(f.book.CloseReview(ctx, boss, code, "电话回访，解释不予受理的理由，告知复查途径"))
	if v.Review.Open() || v.Review.ClosedBy != "boss" {
		t.Errorf("closed review: %+v", v.Review)
	}
	_, err = f.book.CloseReview(ctx, boss, code, "again")
	wantCode(t, err, queue.ECONFLICT)
}

// The units' assessment ranks by 按期办结率, then 满意率; a group of five
// or more is a 集体访; the centre's 研判 and 预警 are counted.
func TestUnitAssessment(t *testing.T) {
	f := newFixture(t)
	// 信访局: one petition concluded on time and rated 满意.
	r := f.register("petition", synthPerson(1))
	good, token := r.Case.Code, r.URL[strings.LastIndex(r.URL, "/")+1:]
	must[cases.View](t)(f.book.Receive(ctx, clerk1, good, "win-01"))
	must[cases.View](t)(f.book.Route(ctx, clerk1, good, cases.RouteTo{Kind: cases.RouteCounter, CounterID: "win-01"}))
	must[cases.View](t)(f.book.StartHandling(ctx, clerk1, good))
	must[cases.View](t)(f.book.Conclude(ctx, clerk1, good, cases.Result{Outcome: cases.OutcomeAnswered, Note: "已答复"}))
	must[cases.View](t)(f.book.Close(ctx, clerk1, good, cases.CloseRequest{Note: "回访满意"}))
	if _, err := f.book.RateResult(ctx, token, true); err != nil {
		t.Fatal(err)
	}
	// 市场监督管理局: a consumer complaint routed and left to run over.
	late := f.register("consumer", synthPerson(2)).Case.Code
	must[cases.View](t)(f.book.Receive(ctx, clerk11, late, "win-11"))
	must[cases.View](t)(f.book.Route(ctx, clerk11, late, cases.RouteTo{Kind: cases.RouteCounter, CounterID: "win-11"}))
	must[cases.View](t)(f.book.Warn(ctx, boss, late, "市场监督管理局", "投诉人情绪激动"))
	must[cases.View](t)(f.book.AddMeeting(ctx, boss, late, cases.Meeting{Participants: "中心、市场监督管理局", Conclusion: "限期调处"}))
	// A group of six at the kiosk's desk: one 集体访.
	if _, err := f.book.Issue(ctx, boss, cases.IssueRequest{ServiceID: "petition", Persons: []cases.Person{synthPerson(3)}, GroupSize: 6,
		IdempotencyKey: "group-6"}); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(time.Date(2027, 6, 1, 9, 0, 0, 0, queuetest.Shanghai(t)))

	_, err := f.book.UnitAssessment(ctx, clerk1, d(2026, 1, 1), d(2026, 12, 31))
	wantCode(t, err, queue.EFORBIDDEN)
	a := must[*cases.Assessment](t)(f.book.UnitAssessment(ctx, boss, d(2026, 1, 1), d(2026, 12, 31)))
	if len(a.Units) < 2 || a.Units[0].Unit != "信访局" || a.Units[0].Rank != 1 || a.Units[0].OnTime.Rate != 100 || a.Units[0].Satisfaction.Rate != 100 {
		t.Fatalf("first: %+v", a.Units)
	}
	var market cases.UnitScore
	for _, u := range a.Units {
		if u.Unit == "市场监督管理局" {
			market = u
		}
	}
	if market.Rank != 2 || market.Overdue != 1 || market.OnTime.Num != 0 || market.OnTime.Den != 1 || market.Warnings != 1 {
		t.Errorf("市场监督管理局: %+v", market)
	}
	if a.Meetings != 1 || a.Warnings != 1 || a.Collective != 1 || a.Centre.Cases != 3 {
		t.Errorf("centre: meetings %d warnings %d collective %d cases %d", a.Meetings, a.Warnings, a.Collective, a.Centre.Cases)
	}

	// The county's hub sees the cases through their events only: the
	// facts of each case's last event are its stored facts (without the
	// names, visitor keys and handlers), and the assessment made from
	// them is the hall's own.
	last := map[string]*queue.CaseStep{}
	for _, ev := range f.store.caseEvents() {
		if ev.Case.Facts != nil {
			last[ev.Case.Code] = ev.Case
		}
	}
	if len(last) != 3 {
		t.Fatalf("the events carry the facts of %d cases, want 3", len(last))
	}
	var fromEvents []cases.Facts
	for code, step := range last {
		got, err := cases.FactsOf(step)
		if err != nil {
			t.Fatal(err)
		}
		want := *must[*cases.Facts](t)(f.store.CaseFacts(ctx, code))
		want.Names, want.VisitorKeys, want.Listed, want.HandlerCounter, want.HandlerStaff = nil, nil, false, "", ""
		want.RouteCounter, want.RouteStaff = "", ""
		if !reflect.DeepEqual(got, want) {
			t.Errorf("case %s: the event's facts\n%+v\nthe stored ones\n%+v", code, got, want)
		}
		fromEvents = append(fromEvents, got)
	}
	hub := must[*cases.Assessment](t)(cases.Assess(d(2026, 1, 1), d(2026, 12, 31), d(2027, 6, 1), f.eng.Hall().UnitNames(),
		func(fn func(*cases.Facts) error) error {
			for i := range fromEvents {
				if err := fn(&fromEvents[i]); err != nil {
					return err
				}
			}
			return nil
		}))
	if !reflect.DeepEqual(hub, a) {
		t.Errorf("the assessment from the events\n%+v\nthe hall's\n%+v", hub, a)
	}
}

// An accusation never reaches the accused unit or clerk (Art. 30), and a
// clerk who steps aside (Art. 28) is out of the case, whatever else would
// let them in.
func TestAccusedAndRecusedAreKeptOut(t *testing.T) {
	f := newFixture(t)
	r, err := f.book.Register(ctx, boss, cases.RegisterRequest{ServiceID: "petition", Persons: []cases.Person{synthPerson(1)},
		IdempotencyKey: "acc-1", AccusedUnit: "信访局", Summary: "检举某工作人员"})
	if err != nil {
		t.Fatal(err)
	}
	code := r.Case.Code
	if r.Case.Unit != "" {
		t.Errorf("an accusation of 信访局 stays with 信访局: %q", r.Case.Unit)
	}
	for _, who := range []queue.Principal{clerk1, clerk2} { // 信访局's windows serve petitions
		if _, err := f.book.Case(ctx, who, code); queue.ErrorCode(err) != queue.EFORBIDDEN {
			t.Errorf("%s of the accused unit reads the case: %v", who.ID, err)
		}
		if l := must[cases.Listing](t)(f.book.Find(ctx, who, cases.Query{Stage: "all"})); slices.Contains(codes(l), code) {
			t.Errorf("%s lists it", who.ID)
		}
		_, err := f.book.Receive(ctx, who, code, who.Counters[0])
		wantCode(t, err, queue.EFORBIDDEN, "回避")
	}
	for _, e := range f.store.caseEvents() {
		if e.Case.Code == code && (f.book.CanWatch(clerk1, e.Case) || !f.book.CanWatch(boss, e.Case)) {
			t.Errorf("event %s: clerk1 watches %v", e.Case.Step, f.book.CanWatch(clerk1, e.Case))
		}
	}
	must[cases.View](t)(f.book.Receive(ctx, boss, code, "win-11"))
	_, err = f.book.Route(ctx, boss, code, cases.RouteTo{Kind: cases.RouteUnit, Unit: "信访局"})
	wantCode(t, err, queue.ECONFLICT, "第三十条")
	must[cases.View](t)(f.book.Route(ctx, boss, code, cases.RouteTo{Kind: cases.RouteUnit, Unit: "市场监督管理局"}))

	// clerk11 of 市场监督管理局 steps aside: out of it from then on.
	must[cases.View](t)(f.book.Case(ctx, clerk11, code))
	_, err = f.book.Recuse(ctx, clerk11, code, "clerk1", "x")
	wantCode(t, err, queue.EFORBIDDEN, "本人")
	must[cases.View](t)(f.book.Recuse(ctx, clerk11, code, "", "与来访人系亲属"))
	_, err = f.book.Case(ctx, clerk11, code)
	wantCode(t, err, queue.EFORBIDDEN, "回避")
	_, err = f.book.Personal(ctx, clerk11, code, "查看")
	wantCode(t, err, queue.EFORBIDDEN)
	if l := must[cases.Listing](t)(f.book.Find(ctx, clerk11, cases.Query{})); slices.Contains(codes(l), code) {
		t.Error("the recused clerk lists it")
	}
	other := queue.Principal{ID: "clerk11b", Role: queue.RoleStaff, Counters: []string{"win-11"}}
	must[cases.View](t)(f.book.Case(ctx, other, code)) // the unit's other clerk works on
}

// A mediation's session record and agreement hold what 人民调解法 Art. 29
// asks; the agreement starts the parties' 30 days for 司法确认 (Art. 33).
func TestMediationRecordsAndConfirmationWindow(t *testing.T) {
	f := newFixture(t)
	code := f.register("mediation-general", synthPerson(1), synthPerson(2)).Case.Code
	must[cases.View](t)(f.book.Receive(ctx, multiClerk, code, "room-multi"))
	must[cases.View](t)(f.book.Route(ctx, multiClerk, code, cases.RouteTo{Kind: cases.RouteCounter, CounterID: "room-multi"}))
	_, err := f.book.AddAgreement(ctx, multiClerk, code, cases.Agreement{Facts: "a", Terms: "b", Performance: "c"})
	wantCode(t, err, queue.ECONFLICT, "调处中")
	must[cases.View](t)(f.book.StartHandling(ctx, multiClerk, code))
	_, err = f.book.AddSession(ctx, multiClerk, code, cases.Session{When: "2026年11月26日上午", Place: "矛盾纠纷多元调解室", Participants: "双方当事人"})
	wantCode(t, err, queue.EINVALID, "调解情况")
	v := must[cases.View](t)(f.book.AddSession(ctx, multiClerk, code, cases.Session{When: "2026年11月26日上午", Place: "矛盾纠纷多元调解室",
		Participants: "双方当事人、调解员", Content: "双方陈述邻里通道纠纷的经过"}))
	if r := v.Records[len(v.Records)-1]; r.Kind != cases.RecordSession || !strings.Contains(r.Text, "地点：矛盾纠纷多元调解室") {
		t.Errorf("the session record: %+v", r)
	}
	if v.ConfirmBy != 0 {
		t.Error("a window before any agreement")
	}
	_, err = f.book.AddAgreement(ctx, multiClerk, code, cases.Agreement{Facts: "通道权属争议", Terms: "甲方拆除围挡"})
	wantCode(t, err, queue.EINVALID, "履行方式")
	v = must[cases.View](t)(f.book.AddAgreement(ctx, multiClerk, code, cases.Agreement{Facts: "通道权属争议，甲方擅自设围挡",
		Terms: "甲方拆除围挡，通道共用", Performance: "2026年12月10日前拆除", Oral: true}))
	r := v.Records[len(v.Records)-1]
	for _, want := range []string{"口头协议", "各方当事人的责任", "甲方拆除围挡", "履行方式、时限"} {
		if !strings.Contains(r.Text, want) {
			t.Errorf("the agreement lacks %q: %s", want, r.Text)
		}
	}
	if v.ConfirmBy != d(2026, 12, 26) { // Thu 11-26 + 30 days
		t.Errorf("司法确认 by %s", v.ConfirmBy)
	}
	must[cases.View](t)(f.book.Conclude(ctx, multiClerk, code, cases.Result{Outcome: cases.OutcomeMediated}))
}

// 督办: a supervision is listed (挂牌督办) by supervisors, once, while open;
// a 约谈 is a record of the case.
func TestPostedSupervisionAndInterview(t *testing.T) {
	f := newFixture(t)
	code := f.register("petition", synthPerson(1)).Case.Code
	must[cases.View](t)(f.book.Receive(ctx, clerk1, code, "win-01"))
	v := must[cases.View](t)(f.book.Supervise(ctx, boss, code, "yellow", "久拖未决"))
	if _, a, _ := f.book.CaseFor(ctx, boss, code); len(a.Post) != 1 || a.Post[0] != v.Supervisions[0].ID {
		t.Fatalf("the supervisor may list: %+v", a.Post)
	}
	_, err := f.book.Post(ctx, clerk1, code, 1)
	wantCode(t, err, queue.EFORBIDDEN)
	_, err = f.book.Post(ctx, boss, code, 2)
	wantCode(t, err, queue.ENOTFOUND)
	v = must[cases.View](t)(f.book.Post(ctx, boss, code, 1))
	if v.Supervisions[0].PostedAt.IsZero() || v.Supervisions[0].PostedBy != "boss" {
		t.Errorf("posted: %+v", v.Supervisions[0])
	}
	_, err = f.book.Post(ctx, boss, code, 1)
	wantCode(t, err, queue.ECONFLICT, "已挂牌")
	must[cases.View](t)(f.book.Reply(ctx, clerk1, code, 1, "已处理"))
	if _, a, _ := f.book.CaseFor(ctx, boss, code); len(a.Post) != 0 {
		t.Error("an answered supervision is offered for listing")
	}
	v = must[cases.View](t)(f.book.AddRecord(ctx, boss, code, cases.RecordInterview, "约谈信访局分管负责人，要求五日内化解"))
	if r := v.Records[len(v.Records)-1]; r.Kind != cases.RecordInterview || r.Kind.Name() != "约谈记录" {
		t.Errorf("the interview: %+v", r)
	}
}

// The five-representative cap is Art. 20's, for petitions made in person:
// a mediation between six parties and a joint letter of six register.
func TestRepresentativeCapIsForPetitionsInPerson(t *testing.T) {
	f := newFixture(t)
	six := []cases.Person{synthPerson(1), synthPerson(2), synthPerson(3), synthPerson(4), synthPerson(5), synthPerson(6)}
	reg := func(key, service string, ch cases.Channel, ps []cases.Person) error {
		_, err := f.book.Register(ctx, boss, cases.RegisterRequest{ServiceID: service, Channel: ch, Persons: ps, IdempotencyKey: key})
		return err
	}
	wantCode(t, reg("a", "petition", cases.ChannelInPerson, six), queue.EINVALID, "第二十条")
	if err := reg("b", "petition", cases.ChannelLetter, six); err != nil {
		t.Errorf("a joint letter of six: %v", err)
	}
	if err := reg("c", "mediation-general", cases.ChannelInPerson, six); err != nil {
		t.Errorf("a mediation of six parties: %v", err)
	}
	var many []cases.Person
	for i := range cases.MaxParties + 1 {
		many = append(many, synthPerson(100+i))
	}
	wantCode(t, reg("d", "mediation-general", cases.ChannelInPerson, many), queue.EINVALID, "最多登记")
}
