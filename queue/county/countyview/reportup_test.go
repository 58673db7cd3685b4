package countyview_test

import (
	"path/filepath"
	"strings"
	"testing"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/county"
	"yiting/queue/county/countytest"
	"yiting/queue/county/countyview"
	"yiting/queue/queuetest"
)

// TestReportedUpAtTheCounty: a case a township reports up reaches the
// county marked so, with its reason (the party's name masked) and time;
// the county's list filters it and its counts and the site's summary
// count it; once the county assigns it down it is no longer waiting, and
// the list says so.
func TestReportedUpAtTheCounty(t *testing.T) {
	c := newCounty(t)
	s := c.sites[0]
	person := queuetest.Person(7777)
	up, err := s.Hall.Book.Register(ctx, boss, cases.RegisterRequest{ServiceID: "petition", Channel: cases.ChannelLetter,
		Persons: []cases.Person{person}, Summary: "要求解决问题", IdempotencyKey: "up-1"})
	if err != nil {
		t.Fatal(err)
	}
	other := s.Issue("petition")
	v, err := s.Hall.Book.ReportUp(ctx, boss, up.Case.Code, "涉及县住建局，本镇无法协调；当事人"+person.Name+"情绪激动")
	if err != nil {
		t.Fatal(err)
	}
	c.hub.Relay(s, nil, nil)
	m := openModel(t, c)

	list, err := m.Cases(ctx, countyview.CaseQuery{Reported: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Rows) != 1 || list.Rows[0].Code != up.Case.Code || !list.Rows[0].Reported || list.Counts.Reported != 1 {
		t.Fatalf("reported cases: %+v, counts %+v", list.Rows, list.Counts)
	}
	all, err := m.Cases(ctx, countyview.CaseQuery{Site: s.ID})
	if err != nil {
		t.Fatal(err)
	}
	if all.Total != 2 || all.Counts.Reported != 1 || all.Counts.Open != 2 {
		t.Fatalf("all of %s: total %d, counts %+v", s.ID, all.Total, all.Counts)
	}
	for _, r := range all.Rows {
		if r.Code == other.CaseCode && r.Reported {
			t.Fatal("a case not reported up is marked reported")
		}
	}
	sites, err := m.Sites(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sites[0].Cases.Reported != 1 || sites[1].Cases.Reported != 0 {
		t.Fatalf("the sites count %d and %d reported", sites[0].Cases.Reported, sites[1].Cases.Reported)
	}
	d, err := m.Case(ctx, s.ID, up.Case.Code)
	if err != nil {
		t.Fatal(err)
	}
	rep := d.Facts.ReportedUp
	if rep == nil || !rep.At.Equal(v.Escalation.At) || strings.Contains(rep.Reason, person.Name) || !strings.Contains(rep.Reason, "本镇无法协调") {
		t.Fatalf("the county's record of the report: %+v", rep)
	}
	if last := d.Timeline[len(d.Timeline)-1]; last.Kind != string(cases.StepReportedUp) || last.Name != "上报县综治中心" {
		t.Fatalf("the timeline ends with %+v", last)
	}

	// The county assigns it down: it waits no more.
	apply := county.Apply(s.Hall.Engine, s.Hall.Book)
	if err := apply(ctx, &county.Command{ID: "a1", Site: s.ID, Case: up.Case.Code, Kind: county.CommandAssign, Unit: "住建局",
		Text: "请住建局牵头办理", By: "county-boss"}); err != nil {
		t.Fatal(err)
	}
	c.hub.Relay(s, nil, nil)
	countytest.CaughtUp(t, m, c.hub)
	if list, _ = m.Cases(ctx, countyview.CaseQuery{Reported: true}); len(list.Rows) != 0 || list.Counts.Reported != 0 {
		t.Fatalf("after the county's assignment: %+v", list)
	}
	if d, _ = m.Case(ctx, s.ID, up.Case.Code); d.Facts.ReportedUp.Settled != cases.SettledAssigned || d.Unit != "住建局" {
		t.Fatalf("after the county's assignment: %+v, unit %s", d.Facts.ReportedUp, d.Unit)
	}
}

// TestRefusalReachesTheCounty: a command the site cannot apply — a unit
// it does not have, a conclusion of a case it did not report up — is
// refused at the site, and its reason comes up the site's stream to the
// county, beside the command on the case's list; the commands it applied
// show when.
func TestRefusalReachesTheCounty(t *testing.T) {
	c := newCounty(t)
	s := c.sites[1]
	code := s.Issue("petition").CaseCode
	c.hub.Relay(s, nil, nil)
	m := openModel(t, c)
	at := c.clock.Now()
	cmds := []*county.Command{
		{ID: "r1", Site: s.ID, Case: code, Kind: county.CommandAssign, Unit: "月球管理局", Text: "请办理", By: "county-boss", At: at},
		{ID: "r2", Site: s.ID, Case: code, Kind: county.CommandConclude, Outcome: "answered", Text: "县级已答复", By: "county-boss", At: at},
		{ID: "r3", Site: s.ID, Case: code, Kind: county.CommandSupervise, Text: "请加快办理", By: "county-boss", At: at},
	}
	apply := county.Apply(s.Hall.Engine, s.Hall.Book)
	for i, cmd := range cmds {
		if err := m.RecordCommand(ctx, s.ID, code, countyview.SentCommand{ID: cmd.ID, Kind: string(cmd.Kind), Text: cmd.Text, By: cmd.By, At: cmd.At}); err != nil {
			t.Fatal(err)
		}
		err := apply(ctx, cmd)
		if refused := i < 2; refused != (queue.ErrorCode(err) != "") {
			t.Fatalf("command %s: %v", cmd.ID, err)
		}
	}
	c.hub.Relay(s, nil, nil)
	countytest.CaughtUp(t, m, c.hub)
	d, err := m.Case(ctx, s.ID, code)
	if err != nil {
		t.Fatal(err)
	}
	sent, err := m.Commands(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 3 {
		t.Fatalf("commands: %+v", sent)
	}
	for _, sc := range sent {
		switch sc.ID {
		case "r1":
			if sc.Refused.IsZero() || !sc.Applied.IsZero() || !strings.Contains(sc.RefusedWhy, "本站点没有单位“月球管理局”") {
				t.Errorf("r1: %+v", sc)
			}
		case "r2":
			if sc.Refused.IsZero() || !strings.Contains(sc.RefusedWhy, "未上报县综治中心") {
				t.Errorf("r2: %+v", sc)
			}
		case "r3":
			if !sc.Refused.IsZero() || sc.Applied.IsZero() {
				t.Errorf("r3: %+v", sc)
			}
		}
	}
}

// openModel opens a read model on the hub's stream and waits until
// it holds it all; it runs until the test ends.
func openModel(t *testing.T, c *countyFixture) *countyview.Model {
	t.Helper()
	m := countytest.OpenModel(t, filepath.Join(t.TempDir(), "county.db"), c.clock, 0, named...)
	stop := countytest.Running(t, m, c.hub)
	t.Cleanup(func() { stop(); m.Close() })
	countytest.CaughtUp(t, m, c.hub)
	return m
}
