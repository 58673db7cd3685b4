package cases_test

import (
	"strings"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/queuetest"
)

func (f *fixture) at(y int, m time.Month, day int) {
	f.clock.Set(time.Date(y, m, day, 10, 0, 0, 0, queuetest.Shanghai(f.t)))
}

func hasStep(v cases.View, kind cases.StepKind, fragment string) bool {
	for _, s := range v.History {
		if s.Kind == kind && strings.Contains(s.Note, fragment) {
			return true
		}
	}
	return false
}

// 复查 (信访工作条例 Art. 35): answered within 30 days of receiving the
// request — the registration, not the routing a few days later; the time
// a hearing takes is not counted (Art. 36); the 复查 opinion opens the
// 30-day window to ask for a 复核, and a petition's opinion the one to
// ask for a 复查; the 复核 opinion is final.
func TestReviewCountsFromTheRequestWithoutTheHearing(t *testing.T) {
	f := newFixture(t)
	code := f.register("review", synthPerson(1)).Case.Code
	v := must[cases.View](t)(f.book.Case(ctx, boss, code))
	// Received Thu 2026-11-26: 30 days → Sat 2026-12-26 → Mon 2026-12-28.
	if v.HandleDue != d(2026, 12, 28) || v.Due == nil || v.Due.Which != "handle" {
		t.Fatalf("registered: handle due %s, %+v", v.HandleDue, v.Due)
	}
	must[cases.View](t)(f.book.Receive(ctx, clerk1, code, "win-01"))
	f.at(2026, 11, 30)
	v = must[cases.View](t)(f.book.Route(ctx, clerk1, code, cases.RouteTo{Kind: cases.RouteUnit, Unit: "县政府"}))
	if v.HandleDue != d(2026, 12, 28) {
		t.Fatalf("routing moved the limit to %s", v.HandleDue)
	}
	f.at(2026, 12, 1)
	_, err := f.book.PauseClock(ctx, clerk1, code, "")
	wantCode(t, err, queue.EINVALID, "事由")
	v = must[cases.View](t)(f.book.PauseClock(ctx, clerk1, code, "召开听证会"))
	if !v.Paused || v.HandleDue != 0 || v.Due != nil || len(v.Pauses) != 1 || v.Pauses[0].Kind != cases.PauseHearing {
		t.Fatalf("paused: %+v due %s %+v", v.Pauses, v.HandleDue, v.Due)
	}
	_, err = f.book.PauseClock(ctx, clerk1, code, "再停")
	wantCode(t, err, queue.ECONFLICT, "已暂停")
	// Nothing falls due while the clock is stopped: no automatic notice
	// after the old due day.
	f.at(2026, 12, 29)
	if n := must[int](t)(f.book.Sweep(ctx)); n != 0 {
		t.Fatalf("%d automatic notices while paused", n)
	}
	f.at(2026, 12, 11)
	v = must[cases.View](t)(f.book.ResumeClock(ctx, clerk1, code))
	// Ten days not counted: 2026-12-26 + 10 = Tue 2027-01-05.
	if v.Paused || v.HandleDue != d(2027, 1, 5) || v.Pauses[0].To != d(2026, 12, 11) || !hasStep(v, cases.StepResumed, "2027-01-05") {
		t.Fatalf("resumed: due %s %+v", v.HandleDue, v.Pauses)
	}
	_, err = f.book.ResumeClock(ctx, clerk1, code)
	wantCode(t, err, queue.ECONFLICT, "没有暂停")
	must[cases.View](t)(f.book.StartHandling(ctx, clerk1, code))
	f.at(2026, 12, 14)
	v = must[cases.View](t)(f.book.Conclude(ctx, clerk1, code, cases.Result{Outcome: cases.OutcomeAnswered, Note: "维持原处理意见"}))
	// The 复核 window: 30 days from Mon 2026-12-14 → Wed 2027-01-13.
	if v.ReviewBy != d(2027, 1, 13) || v.ReviewName != "复核" {
		t.Fatalf("复核 window %s %q", v.ReviewBy, v.ReviewName)
	}

	// A petition's answer opens the 复查 window; a 复核's opens none.
	pet := f.register("petition", synthPerson(2)).Case.Code
	must[cases.View](t)(f.book.Receive(ctx, clerk1, pet, "win-01"))
	must[cases.View](t)(f.book.Route(ctx, clerk1, pet, cases.RouteTo{Kind: cases.RouteUnit, Unit: "住建局"}))
	if v := must[cases.View](t)(f.book.Case(ctx, boss, pet)); v.ReviewBy != 0 {
		t.Fatalf("a window before the answer: %s", v.ReviewBy)
	}
	must[cases.View](t)(f.book.StartHandling(ctx, clerk1, pet))
	v = must[cases.View](t)(f.book.Conclude(ctx, clerk1, pet, cases.Result{Outcome: cases.OutcomeAnswered}))
	if v.ReviewBy != d(2027, 1, 13) || v.ReviewName != "复查" {
		t.Fatalf("复查 window %s %q", v.ReviewBy, v.ReviewName)
	}
	re := f.register("rereview", synthPerson(3)).Case.Code
	must[cases.View](t)(f.book.Receive(ctx, clerk1, re, "win-01"))
	must[cases.View](t)(f.book.Route(ctx, clerk1, re, cases.RouteTo{Kind: cases.RouteUnit, Unit: "市政府"}))
	must[cases.View](t)(f.book.StartHandling(ctx, clerk1, re))
	if v = must[cases.View](t)(f.book.Conclude(ctx, clerk1, re, cases.Result{Outcome: cases.OutcomeAnswered})); v.ReviewBy != 0 {
		t.Fatalf("a window after the 复核: %s", v.ReviewBy)
	}
	// A petition's clock has no pause.
	_, err = f.book.PauseClock(ctx, clerk1, f.register("petition", synthPerson(4)).Case.Code, "听证")
	wantCode(t, err, queue.ECONFLICT, "没有不计入的期间")
}

// Medical mediation (医疗纠纷预防和处理条例 Art. 38): 30 working days from
// acceptance, the appraisal not counted, longer when the parties agree —
// the extension records their agreement and is refused without it.
func TestMedicalAppraisalPauseAndAgreedExtension(t *testing.T) {
	f := newFixture(t)
	code := f.register("mediation-medical", synthPerson(1)).Case.Code
	must[cases.View](t)(f.book.Receive(ctx, mediator, code, "room-medical"))
	// Accepted Thu 2026-11-26: 30 working days → Thu 2027-01-07 (2027
	// has no holiday file in the build: 1 January counts).
	v := must[cases.View](t)(f.book.Route(ctx, mediator, code, cases.RouteTo{Kind: cases.RouteCounter, CounterID: "room-medical"}))
	if v.HandleDue != d(2027, 1, 7) {
		t.Fatalf("due %s", v.HandleDue)
	}
	must[cases.View](t)(f.book.StartHandling(ctx, mediator, code))
	f.at(2026, 12, 1)
	v = must[cases.View](t)(f.book.PauseClock(ctx, mediator, code, "委托医疗损害鉴定"))
	if !v.Paused || v.Pauses[0].Kind != cases.PauseAppraisal || !hasStep(v, cases.StepPaused, "鉴定") {
		t.Fatalf("paused %+v", v.Pauses)
	}
	_, err := f.book.Extend(ctx, mediator, code, cases.ExtendRequest{Reason: "鉴定", Consent: "双方同意"})
	wantCode(t, err, queue.ECONFLICT, "恢复计时")
	f.at(2026, 12, 15)
	// Ten working days (12-02 … 12-15) not counted → Thu 2027-01-21.
	v = must[cases.View](t)(f.book.ResumeClock(ctx, mediator, code))
	if v.HandleDue != d(2027, 1, 21) {
		t.Fatalf("resumed: due %s", v.HandleDue)
	}
	_, err = f.book.Extend(ctx, mediator, code, cases.ExtendRequest{Reason: "需补充调查"})
	wantCode(t, err, queue.EINVALID, "双方当事人同意")
	if a := must[cases.Allowed](t)(allowed(f, mediator, code)); !a.Extend || !a.Pause || a.Resume {
		t.Fatalf("allowed %+v", a)
	}
	v = must[cases.View](t)(f.book.Extend(ctx, mediator, code, cases.ExtendRequest{Reason: "需补充调查", Consent: "双方当事人于2026年12月15日书面同意延长"}))
	// 30 more working days from 2027-01-21 → Thu 2027-03-04.
	if e := v.Extension; e == nil || e.From != d(2027, 1, 21) || e.To != d(2027, 3, 4) || v.HandleDue != e.To ||
		e.Consent != "双方当事人于2026年12月15日书面同意延长" || !hasStep(v, cases.StepExtended, "书面同意") {
		t.Fatalf("extended to %s %+v", v.HandleDue, v.Extension)
	}
	// Concluded during a second appraisal: the pause ends with it and the
	// case keeps a due day to be judged by (six working days not counted).
	f.at(2027, 1, 4)
	must[cases.View](t)(f.book.PauseClock(ctx, mediator, code, "补充鉴定"))
	f.at(2027, 1, 12)
	must[cases.View](t)(f.book.AddRecord(ctx, mediator, code, cases.RecordAgreement, "双方达成协议"))
	v = must[cases.View](t)(f.book.Conclude(ctx, mediator, code, cases.Result{Outcome: cases.OutcomeMediated}))
	if v.Paused || v.HandleDue != d(2027, 3, 12) || v.Pauses[1].To != d(2027, 1, 12) {
		t.Fatalf("concluded while paused: due %s %+v", v.HandleDue, v.Pauses)
	}
}

// Court-delegated mediation (特邀调解规定 Art. 27): extended when both
// parties agree, never without their agreement stated.
func TestCourtDelegatedMediationExtendsWithAgreement(t *testing.T) {
	f := newFixture(t)
	code := f.register("court-pre", synthPerson(1)).Case.Code
	must[cases.View](t)(f.book.Receive(ctx, clerk1, code, "win-01"))
	v := must[cases.View](t)(f.book.Route(ctx, clerk1, code, cases.RouteTo{Kind: cases.RouteCounter, CounterID: "win-01"}))
	if v.HandleDue != d(2026, 12, 28) || !must[cases.Allowed](t)(allowed(f, clerk1, code)).Extend {
		t.Fatalf("due %s", v.HandleDue)
	}
	_, err := f.book.Extend(ctx, clerk1, code, cases.ExtendRequest{Reason: "双方希望继续调解"})
	wantCode(t, err, queue.EINVALID, "双方当事人同意")
	v = must[cases.View](t)(f.book.Extend(ctx, clerk1, code, cases.ExtendRequest{Reason: "双方希望继续调解", Consent: "双方当庭签字同意"}))
	if v.HandleDue != d(2027, 1, 27) || v.Extension.Consent != "双方当庭签字同意" {
		t.Fatalf("extended to %s %+v", v.HandleDue, v.Extension)
	}
}

func allowed(f *fixture, p queue.Principal, code string) (cases.Allowed, error) {
	_, a, err := f.book.CaseFor(ctx, p, code)
	return a, err
}

// 涉法涉诉 (信访工作条例 Art. 22 ¶2, 31(1)) is routed to the body whose legal
// procedure handles it: no petition clock runs, and the case says where
// it went.
func TestLawRelatedHasNoPetitionClock(t *testing.T) {
	f := newFixture(t)
	code := f.register("law-petition", synthPerson(1)).Case.Code
	must[cases.View](t)(f.book.Receive(ctx, clerk1, code, "win-01"))
	v := must[cases.View](t)(f.book.Route(ctx, clerk1, code, cases.RouteTo{Kind: cases.RouteUnit, Unit: "县人民法院"}))
	if v.AcceptDue != 0 || v.HandleDue != 0 || v.Due != nil || v.Limit.Procedure == "" || v.Limit.Extension.Days != 0 {
		t.Fatalf("a petition clock: accept %s handle %s %+v", v.AcceptDue, v.HandleDue, v.Limit)
	}
	if v.NextStep != "已导入法定程序，交县人民法院依法办理" || !strings.Contains(v.Limit.Source, "第三十一条") {
		t.Fatalf("next step %q, source %q", v.NextStep, v.Limit.Source)
	}
	must[cases.View](t)(f.book.StartHandling(ctx, clerk1, code))
	if v = must[cases.View](t)(f.book.Conclude(ctx, clerk1, code, cases.Result{Outcome: cases.OutcomeAnswered})); v.ReviewBy != 0 {
		t.Fatalf("a 复查 window for a matter of the courts: %s", v.ReviewBy)
	}
}

// Labour-security complaints (劳动保障监察条例 Art. 17): 60 working days
// from filing, 30 more with the head's approval stated; the type older
// hall files give them takes the same limit.
func TestLabourSecurityComplaintLimit(t *testing.T) {
	f := newFixture(t)
	code := f.register("labour-security", synthPerson(1)).Case.Code
	must[cases.View](t)(f.book.Receive(ctx, clerk1, code, "win-01"))
	v := must[cases.View](t)(f.book.Route(ctx, clerk1, code, cases.RouteTo{Kind: cases.RouteUnit, Unit: "人社局"}))
	// 60 working days from Thu 2026-11-26 (1 January 2027 counted: no
	// file) → Thu 2027-02-18.
	if v.HandleDue != d(2027, 2, 18) || v.AcceptDue != 0 || !strings.Contains(v.Limit.Source, "劳动保障监察条例 第十七条") {
		t.Fatalf("due %s accept %s %+v", v.HandleDue, v.AcceptDue, v.Limit)
	}
	_, err := f.book.Extend(ctx, clerk1, code, cases.ExtendRequest{Reason: "情况复杂"})
	wantCode(t, err, queue.EINVALID, "负责人批准")
	v = must[cases.View](t)(f.book.Extend(ctx, clerk1, code, cases.ExtendRequest{Reason: "情况复杂", Consent: "局长张某于2026-11-27批准"}))
	// 30 more working days → Thu 2027-04-01.
	if v.HandleDue != d(2027, 4, 1) {
		t.Fatalf("extended to %s", v.HandleDue)
	}
	old, key := cases.DefaultLimits().For("petition.labour_security")
	if key != "petition.labour_security" || old != v.Limit {
		t.Fatalf("the older type's limit %q %+v", key, old)
	}
}
