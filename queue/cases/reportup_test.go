package cases_test

import (
	"encoding/json"
	"strings"
	"testing"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/personal"
)

// county is the county centre applying a command at the site, as
// cmd/yiting's applyCommand does.
var county = queue.Principal{ID: "county:cmd-1", Name: "县综治中心（county-boss）", Role: queue.RoleSupervisor}

func siteFixture(t *testing.T) *fixture {
	return newFixture(t, func(o *cases.Options) { o.County = true })
}

// TestReportUpPermissions: a supervisor reports a received case up with
// a reason naming the party; from then on the site's staff still see it
// and add records, but neither they nor the site's supervisors route,
// extend, conclude or close it; the county routes it down (交办) and the
// site works it again; reported up a second time, the county concludes
// it and the site follows up and closes it.
func TestReportUpPermissions(t *testing.T) {
	f := siteFixture(t)
	person := synthPerson(1)
	code := f.register("petition", person).Case.Code
	must[cases.View](t)(f.book.Receive(ctx, clerk1, code, "win-01"))

	_, err := f.book.ReportUp(ctx, clerk1, code, "本镇无法协调")
	wantCode(t, err, queue.EFORBIDDEN, "督导人员")
	_, err = f.book.ReportUp(ctx, boss, code, " ")
	wantCode(t, err, queue.EINVALID, "上报理由")
	if _, a, _ := f.book.CaseFor(ctx, clerk1, code); a.ReportUp {
		t.Fatal("a clerk is offered to report up")
	}
	if _, a, _ := f.book.CaseFor(ctx, boss, code); !a.ReportUp || !a.Route {
		t.Fatalf("a supervisor is not offered to report up or route: %+v", a)
	}

	reason := "涉及县住建局与" + person.Name + "（" + person.IDNumber + "，" + person.Phone + "）的历史遗留问题，本镇无法协调"
	v := must[cases.View](t)(f.book.ReportUp(ctx, boss, code, reason))
	if !v.CountyOwns || v.Escalation == nil || v.Escalation.By != "boss" || v.NextStep != "已上报县综治中心，等待县级交办或办结" {
		t.Fatalf("after reporting up: owns %v, escalation %+v, next %q", v.CountyOwns, v.Escalation, v.NextStep)
	}
	if last := v.History[len(v.History)-1]; last.Kind != cases.StepReportedUp || last.Kind.Name() != "上报县综治中心" {
		t.Fatalf("last step %+v", last)
	}
	_, err = f.book.ReportUp(ctx, boss, code, "再报一次")
	wantCode(t, err, queue.ECONFLICT, "已上报县综治中心")

	// The event carries the reason with the party's identifiers masked.
	evs := f.store.caseEvents()
	ev := evs[len(evs)-1]
	if ev.Type != queue.CaseEvent("reported_up") || ev.Case.Facts == nil || ev.Case.Facts.ReportedUp == nil {
		t.Fatalf("the last event %+v", ev)
	}
	rep := ev.Case.Facts.ReportedUp
	raw, _ := json.Marshal(ev)
	for _, secret := range []string{person.Name, person.IDNumber, person.Phone} {
		if strings.Contains(string(raw), secret) {
			t.Fatalf("the event carries %q: %s", secret, raw)
		}
	}
	if !strings.Contains(rep.Reason, personal.MaskName(person.Name)) || !strings.Contains(rep.Reason, "本镇无法协调") || rep.Settled != "" {
		t.Fatalf("reported reason %q settled %q", rep.Reason, rep.Settled)
	}

	// The site may look and record, not decide.
	_, a, err := f.book.CaseFor(ctx, clerk1, code)
	if err != nil || !a.Record || a.Route || a.Conclude || a.Close || a.Withdraw || a.NotAccept || a.Extend || a.ReportUp {
		t.Fatalf("the clerk may %+v (%v)", a, err)
	}
	if _, a, _ := f.book.CaseFor(ctx, boss, code); a.Route || a.Withdraw || a.ReportUp || !a.Supervise {
		t.Fatalf("the supervisor may %+v", a)
	}
	must[cases.View](t)(f.book.AddRecord(ctx, clerk1, code, cases.RecordInvestigation, "走访住建局了解情况"))
	for name, try := range map[string]func(p queue.Principal) error{
		"route": func(p queue.Principal) error {
			_, err := f.book.Route(ctx, p, code, cases.RouteTo{Kind: cases.RouteUnit, Unit: "住建局"})
			return err
		},
		"withdraw": func(p queue.Principal) error {
			_, err := f.book.Close(ctx, p, code, cases.CloseRequest{Outcome: cases.OutcomeWithdrawn, Note: "来访人撤回"})
			return err
		},
		"not accepted": func(p queue.Principal) error {
			_, err := f.book.Close(ctx, p, code, cases.CloseRequest{Outcome: cases.OutcomeNotAccepted, Note: "不属于受理范围"})
			return err
		},
	} {
		t.Run(name, func(t *testing.T) {
			for _, p := range []queue.Principal{clerk1, boss} {
				wantCode(t, try(p), queue.EFORBIDDEN, "已上报县综治中心")
			}
		})
	}

	// The county assigns it down: the site works it again.
	v = must[cases.View](t)(f.book.Route(ctx, county, code, cases.RouteTo{Kind: cases.RouteUnit, Unit: "信访局", Note: "请信访局牵头办理", Superior: true}))
	if v.CountyOwns || v.Escalation.Settled != cases.SettledAssigned || v.Escalation.SettledBy != county.ID || v.Status != cases.StatusRouted {
		t.Fatalf("after the county's assignment: owns %v, %+v, %s", v.CountyOwns, v.Escalation, v.Status)
	}
	if evs := f.store.caseEvents(); evs[len(evs)-1].Case.Facts.ReportedUp.Settled != "assigned" {
		t.Fatalf("the routing's event says %+v", evs[len(evs)-1].Case.Facts.ReportedUp)
	}
	must[cases.View](t)(f.book.StartHandling(ctx, clerk1, code))
	_, a, _ = f.book.CaseFor(ctx, clerk1, code)
	if !a.Conclude || !a.Route {
		t.Fatalf("after the county's assignment the clerk may %+v", a)
	}
	// The county concludes only what is its own.
	_, err = f.book.Conclude(ctx, county, code, cases.Result{Outcome: cases.OutcomeAnswered, Note: "县级答复", Superior: true})
	wantCode(t, err, queue.ECONFLICT, "未上报县综治中心或县级已交办")

	// Reported up again, the county concludes it; the site follows up
	// and closes it.
	must[cases.View](t)(f.book.ReportUp(ctx, boss, code, "住建局仍未解决"))
	_, err = f.book.Conclude(ctx, boss, code, cases.Result{Outcome: cases.OutcomeAnswered, Note: "已答复"})
	wantCode(t, err, queue.EFORBIDDEN, "办结由县级决定")
	_, err = f.book.Extend(ctx, clerk1, code, cases.ExtendRequest{Reason: "情况复杂"})
	wantCode(t, err, queue.EFORBIDDEN, "延期由县级决定")
	v = must[cases.View](t)(f.book.Conclude(ctx, county, code, cases.Result{Outcome: cases.OutcomeAnswered, Note: "县住建局出具处理意见", Superior: true}))
	if v.Status != cases.StatusFollowUp || v.Outcome != cases.OutcomeAnswered || v.Escalation.Settled != cases.SettledConcluded || v.CountyOwns {
		t.Fatalf("after the county's conclusion: %s %s %+v", v.Status, v.Outcome, v.Escalation)
	}
	v = must[cases.View](t)(f.book.Close(ctx, clerk1, code, cases.CloseRequest{Note: "电话回访，来访人表示理解"}))
	if v.Status != cases.StatusClosed {
		t.Fatalf("status %s", v.Status)
	}
	_, err = f.book.ReportUp(ctx, boss, code, "已终结")
	wantCode(t, err, queue.ECONFLICT, "办结前")
}

// TestReportUpCountyConcludesEarly: a case reported up before anyone
// received it is concluded by the county: accepted and concluded at
// once, its acceptance deadline met.
func TestReportUpCountyConcludesEarly(t *testing.T) {
	f := siteFixture(t)
	code := f.register("petition", synthPerson(2)).Case.Code
	must[cases.View](t)(f.book.ReportUp(ctx, boss, code, "跨乡镇纠纷"))
	_, err := f.book.Conclude(ctx, county, code, cases.Result{Outcome: cases.OutcomeMediated, Superior: true})
	wantCode(t, err, queue.ECONFLICT, "调解协议")
	v := must[cases.View](t)(f.book.Conclude(ctx, county, code, cases.Result{Outcome: cases.OutcomeFailed, Referral: cases.ReferLitigation, Superior: true}))
	if v.Status != cases.StatusFollowUp || v.AcceptedAt.IsZero() || v.HandledAt.IsZero() || v.HandleDue == 0 || v.Referral != cases.ReferLitigation {
		t.Fatalf("concluded by the county: %+v", v)
	}
}

// TestReportUpNotACountySite: a hall without [county] has nobody to
// report to.
func TestReportUpNotACountySite(t *testing.T) {
	f := newFixture(t)
	code := f.register("petition", synthPerson(3)).Case.Code
	if _, a, _ := f.book.CaseFor(ctx, boss, code); a.ReportUp {
		t.Fatal("offered to report up without a county")
	}
	_, err := f.book.ReportUp(ctx, boss, code, "无法协调")
	wantCode(t, err, queue.ECONFLICT, "未接入县级平台")
}

// TestReportUpHallLeavesTheCounty: a hall taken out of the county network
// (its [county] section removed) decides the cases it had reported up
// again: nobody else would.
func TestReportUpHallLeavesTheCounty(t *testing.T) {
	f := siteFixture(t)
	code := f.register("petition", synthPerson(4)).Case.Code
	must[cases.View](t)(f.book.Receive(ctx, clerk1, code, "win-01"))
	must[cases.View](t)(f.book.ReportUp(ctx, boss, code, "跨乡镇纠纷"))
	alone, err := cases.New(cases.Options{Hall: f.eng.Hall(), Engine: f.eng, Store: f.store, Keys: f.keys, PublicURL: "http://yiting.local",
		Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	v, a, err := alone.CaseFor(ctx, boss, code)
	if err != nil || v.CountyOwns || !a.Route || a.ReportUp {
		t.Fatalf("alone: owns %v, may %+v (%v)", v.CountyOwns, a, err)
	}
	must[cases.View](t)(alone.Route(ctx, boss, code, cases.RouteTo{Kind: cases.RouteUnit, Unit: "信访局"}))
}
