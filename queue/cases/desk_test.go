package cases_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/personal"
)

// open opens a counter for the tests' supervisor.
func (f *fixture) open(counter string) {
	f.t.Helper()
	if _, err := f.eng.OpenCounter(ctx, boss, counter); err != nil {
		f.t.Fatal(err)
	}
}

// serve calls the next ticket at the counter and starts serving it.
func (f *fixture) serve(p queue.Principal, counter string) *queue.Ticket {
	f.t.Helper()
	if _, err := f.eng.CallNext(ctx, p, counter); err != nil {
		f.t.Fatal(err)
	}
	t, err := f.eng.Start(ctx, p, counter)
	if err != nil {
		f.t.Fatal(err)
	}
	return t
}

func (f *fixture) tap(p queue.Principal, key, service string, persons ...cases.Person) cases.Issued {
	f.t.Helper()
	is, err := f.book.Issue(ctx, p, cases.IssueRequest{ServiceID: service, Persons: persons, IdempotencyKey: key})
	if err != nil {
		f.t.Fatal(err)
	}
	return is
}

// TestDesk: a tap registers the case and numbers its ticket together; a
// retry gets the same ticket and case; serving the ticket receives the
// case at that counter; the visitor returning is sent back to it and the
// visit joins the case; a group of three is one ticket, one case, three
// 人次; a consultation ticket has no case.
func TestDesk(t *testing.T) {
	f := newFixture(t)
	ps := synthPerson(21)
	first := f.tap(kiosk, "t1", "petition", ps)
	if first.CaseCode == "" || !strings.HasPrefix(first.CaseURL, "http://yiting.local/c/") || first.Ticket.CaseCode != first.CaseCode ||
		first.Ticket.Number != "A001" || first.Linked || first.Ticket.TargetCounter != "" {
		t.Fatalf("first tap %+v", first)
	}
	if first.Ticket.Visitor.MaskedName != personal.MaskName(ps.Name) || first.Ticket.Visitor.Key != f.keys.VisitorKey(ps.IDNumber) {
		t.Fatalf("masked name %q", first.Ticket.Visitor.MaskedName)
	}
	again := f.tap(kiosk, "t1", "petition", ps)
	if !again.Replayed || again.Ticket.ID != first.Ticket.ID || again.CaseCode != first.CaseCode || again.CaseURL != first.CaseURL {
		t.Fatalf("retried tap %+v", again)
	}
	v := must[cases.View](t)(f.book.Case(ctx, boss, first.CaseCode))
	if v.Status != cases.StatusRegistered || len(v.Visits) != 1 || v.Visits[0].Ticket != "A001" {
		t.Fatalf("case %+v", v)
	}

	// Serving the ticket moves the case: received at 2号窗口 by clerk2.
	f.open("win-02")
	served := f.serve(clerk2, "win-02")
	if served.ID != first.Ticket.ID {
		t.Fatalf("served %s", served.Number)
	}
	v = must[cases.View](t)(f.book.Case(ctx, boss, first.CaseCode))
	if v.Status != cases.StatusReceived || v.Unit != "信访局" {
		t.Fatalf("after start: %s %s", v.Status, v.Unit)
	}
	if _, err := f.eng.Complete(ctx, clerk2, "win-02"); err != nil {
		t.Fatal(err)
	}

	// The next day the visitor comes back with a neighbour: the visit
	// joins the open case and the ticket goes to 2号窗口 only.
	f.clock.Advance(24 * time.Hour)
	back := f.tap(kiosk, "t2", "petition", ps, synthPerson(22))
	if !back.Linked || back.CaseCode != first.CaseCode || back.Ticket.TargetCounter != "win-02" || back.CaseURL != first.CaseURL ||
		!strings.HasSuffix(back.Ticket.Visitor.MaskedName, "等2人") {
		t.Fatalf("return visit %+v", back)
	}
	v = must[cases.View](t)(f.book.Case(ctx, boss, first.CaseCode))
	if len(v.Visits) != 2 || v.Visits[1].Persons != 2 || len(v.Persons) != 1 {
		t.Fatalf("visits %+v, persons %d", v.Visits, len(v.Persons))
	}
	// Another kind of matter is another case.
	other := f.tap(kiosk, "t3", "legal-aid", ps)
	if other.Linked || other.CaseCode == first.CaseCode || other.Ticket.TargetCounter != "" {
		t.Fatalf("legal aid %+v", other)
	}
	// A group of three representatives: one ticket, one case, three.
	group := f.tap(kiosk, "t4", "mediation-general", synthPerson(31), synthPerson(32), synthPerson(33))
	g := must[cases.View](t)(f.book.Case(ctx, boss, group.CaseCode))
	if len(g.Persons) != 3 || g.Visits[0].Persons != 3 || !strings.HasSuffix(group.Ticket.Visitor.MaskedName, "等3人") {
		t.Fatalf("group %+v", g)
	}
	// A consultation: a ticket, no case, no QR.
	if c := f.tap(kiosk, "t5", "consult"); c.CaseCode != "" || c.CaseURL != "" || c.Ticket.Number != "C001" {
		t.Fatalf("consultation %+v", c)
	}
	// The same visitor twice in one batch of commands: the second tap
	// joins the case the first made. (Both go to the writer at once.)
	ps2 := synthPerson(41)
	res := make(chan cases.Issued, 2)
	for i := range 2 {
		go func() {
			is, err := f.book.Issue(ctx, kiosk, cases.IssueRequest{ServiceID: "housing", Persons: []cases.Person{ps2}, IdempotencyKey: fmt.Sprint("same-", i)})
			if err != nil {
				t.Error(err)
			}
			res <- is
		}()
	}
	a, b := <-res, <-res
	if a.CaseCode != b.CaseCode || a.Ticket.ID == b.Ticket.ID || a.Linked == b.Linked {
		t.Fatalf("two taps of one visitor: %s/%v and %s/%v", a.CaseCode, a.Linked, b.CaseCode, b.Linked)
	}
}

// TestDeskRefuses: what a device may not do at the desk, and what a clerk
// must say.
func TestDeskRefuses(t *testing.T) {
	f := newFixture(t)
	old := synthPerson(1)
	for _, c := range []struct {
		name string
		p    queue.Principal
		req  cases.IssueRequest
		code string
		frag string
	}{
		{"pad", pad, cases.IssueRequest{ServiceID: "consult", IdempotencyKey: "k"}, queue.EFORBIDDEN, ""},
		{"device chooses a priority", kiosk, cases.IssueRequest{ServiceID: "petition", Persons: []cases.Person{old}, Priority: "disabled", IdempotencyKey: "k"}, queue.EFORBIDDEN, ""},
		{"device claims a group", kiosk, cases.IssueRequest{ServiceID: "petition", Persons: []cases.Person{old}, GroupSize: 40, IdempotencyKey: "k"}, queue.EFORBIDDEN, ""},
		{"no card for a petition", kiosk, cases.IssueRequest{ServiceID: "petition", IdempotencyKey: "k"}, queue.EINVALID, "身份证"},
		{"a name that is an ID number", kiosk, cases.IssueRequest{ServiceID: "petition", Persons: []cases.Person{{IDNumber: synthID(2), Name: "*421224198506150013"}}, IdempotencyKey: "k"}, queue.EINVALID, "姓名"},
		{"six representatives", kiosk, cases.IssueRequest{ServiceID: "petition", Persons: []cases.Person{synthPerson(1), synthPerson(2), synthPerson(3), synthPerson(4), synthPerson(5), synthPerson(6)}, IdempotencyKey: "k"}, queue.EINVALID, "第二十条"},
		{"desk: no ID number without a reason", clerk1, cases.IssueRequest{ServiceID: "petition", Persons: []cases.Person{{Name: "赵测试"}}, IdempotencyKey: "k"}, queue.EINVALID, "原因"},
		{"desk: nobody", clerk1, cases.IssueRequest{ServiceID: "petition", IdempotencyKey: "k"}, queue.EINVALID, "来访人"},
		{"desk: unknown priority", clerk1, cases.IssueRequest{ServiceID: "consult", Priority: "vip", IdempotencyKey: "k"}, queue.EINVALID, ""},
	} {
		_, err := f.book.Issue(ctx, c.p, c.req)
		if queue.ErrorCode(err) != c.code || !strings.Contains(queue.ErrorMessage(err), c.frag) {
			t.Errorf("%s: %v, want %s with %q", c.name, err, c.code, c.frag)
		}
	}
	// Nothing of the refused requests was written.
	if n := len(f.store.cases); n != 0 {
		t.Fatalf("%d cases after refusals", n)
	}
	// The desk helps a visitor without a card: a name, the reason, a
	// group of 12 of whom one is registered.
	is, err := f.book.Issue(ctx, clerk1, cases.IssueRequest{ServiceID: "petition", Persons: []cases.Person{{Name: "赵测试", Phone: "13900000000"}},
		NoID: "身份证遗失", GroupSize: 12, Summary: "工资拖欠", IdempotencyKey: "desk-1"})
	if err != nil || is.CaseCode == "" || !strings.HasSuffix(is.Ticket.Visitor.MaskedName, "等12人") || is.Ticket.Kiosk != "clerk1" {
		t.Fatalf("desk issue %+v %v", is, err)
	}
	v := must[cases.View](t)(f.book.Case(ctx, boss, is.CaseCode))
	if v.Visits[0].Persons != 12 || v.Channel != cases.ChannelInPerson || !strings.Contains(v.History[len(v.History)-1].Note, "身份证遗失") {
		t.Fatalf("desk case %+v", v)
	}
}

// TestDeskPriorityFromCard: the desk gives the age-based class the card's
// birth date entitles to; a clerk may give another.
func TestDeskPriorityFromCard(t *testing.T) {
	f := newFixture(t, func(o *cases.Options) {
		o.Hall.Priority.Classes = []queue.PriorityClass{{ID: "elderly", Name: "老年人", MinAge: 60}, {ID: "disabled", Name: "残疾人"}}
	})
	// synthID(0) is born 1960-01-01: 66 on 2026-11-26.
	if is := f.tap(kiosk, "a", "petition", synthPerson(0)); is.Ticket.Priority != "elderly" {
		t.Fatalf("66 years: priority %q", is.Ticket.Priority)
	}
	young := synthPerson(12000) // born 1992
	if is := f.tap(kiosk, "b", "petition", young); is.Ticket.Priority != "" {
		t.Fatalf("34 years: priority %q", is.Ticket.Priority)
	}
	is, err := f.book.Issue(ctx, clerk1, cases.IssueRequest{ServiceID: "consult", Priority: "disabled", IdempotencyKey: "c"})
	if err != nil || is.Ticket.Priority != "disabled" {
		t.Fatalf("desk priority %+v %v", is.Ticket, err)
	}
}

// TestDeskLimitsDevices: a kiosk taps cards no faster than a kiosk can; a
// clerk is not limited; a refused tap leaves no ticket.
func TestDeskLimitsDevices(t *testing.T) {
	f := newFixture(t)
	n := 0
	var err error
	for ; n < 100; n++ {
		_, err = f.book.Issue(ctx, kiosk, cases.IssueRequest{ServiceID: "petition", Persons: []cases.Person{synthPerson(100 + n)}, IdempotencyKey: fmt.Sprint("k", n)})
		if err != nil {
			break
		}
	}
	if queue.ErrorCode(err) != queue.ETOOMANY || n < 5 || n > 30 {
		t.Fatalf("after %d registrations: %v", n, err)
	}
	if st := f.eng.State(); st.Services[0].Waiting != n {
		t.Fatalf("%d tickets waiting after %d registrations", st.Services[0].Waiting, n)
	}
	if _, err := f.book.Issue(ctx, clerk1, cases.IssueRequest{ServiceID: "petition", Persons: []cases.Person{synthPerson(300)}, IdempotencyKey: "desk"}); err != nil {
		t.Fatal(err)
	}
	// Another kiosk is not held up; this one recovers after a while.
	k2 := queue.Principal{ID: "k2", Role: queue.RoleKiosk}
	f.tap(k2, "x", "petition", synthPerson(400))
	// Taps that join an open case count too: a stolen token cannot
	// probe ID numbers for open cases at speed either.
	probes := 0
	for ; probes < 100; probes++ {
		_, err = f.book.Issue(ctx, k2, cases.IssueRequest{ServiceID: "petition", Persons: []cases.Person{synthPerson(400)}, IdempotencyKey: fmt.Sprint("probe", probes)})
		if err != nil {
			break
		}
	}
	if queue.ErrorCode(err) != queue.ETOOMANY || probes > 30 {
		t.Fatalf("%d return taps of one visitor before %v", probes, err)
	}
	f.clock.Advance(time.Minute)
	f.tap(kiosk, "later", "petition", synthPerson(401))
	// But a day's codes are never one device's: it stops at its daily
	// share even when it taps slowly.
	m := 0
	for ; m < 1000; m++ {
		f.clock.Advance(10 * time.Second)
		_, err = f.book.Issue(ctx, kiosk, cases.IssueRequest{ServiceID: "petition", Persons: []cases.Person{synthPerson(1000 + m)}, IdempotencyKey: fmt.Sprint("slow", m)})
		if err != nil {
			break
		}
	}
	if queue.ErrorCode(err) != queue.ETOOMANY || n+1+m >= cases.MaxSeq/10 {
		t.Fatalf("a slow device registered %d cases today: %v", n+1+m, err)
	}
}

// TestCaseSteps: every step of a case is an event of the engine's log,
// committed with it, carrying no personal data.
func TestCaseSteps(t *testing.T) {
	f := newFixture(t)
	ps := synthPerson(51)
	is := f.tap(kiosk, "t1", "mediation-medical", ps)
	f.open("room-medical")
	f.serve(mediator, "room-medical")
	must[cases.View](t)(f.book.Route(ctx, mediator, is.CaseCode, cases.RouteTo{Kind: cases.RouteCounter, CounterID: "room-medical", Note: ps.Name + "的诉求"}))
	must[[]cases.PersonDetail](t)(f.book.Personal(ctx, mediator, is.CaseCode, "电话回访"))
	must[cases.View](t)(f.book.AddRecord(ctx, mediator, is.CaseCode, cases.RecordSession, ps.Name+"陈述了病情"))
	var steps []string
	for _, ev := range f.store.caseEvents() {
		if ev.Case == nil || ev.Case.Code != is.CaseCode || ev.Type != queue.CaseEvent(ev.Case.Step) {
			t.Fatalf("event %+v", ev)
		}
		if !ev.Case.Sensitive {
			t.Errorf("a medical case's event is not marked sensitive: %+v", ev.Case)
		}
		steps = append(steps, ev.Case.Step)
		j, _ := json.Marshal(ev)
		for _, secret := range []string{ps.Name, ps.IDNumber, ps.IDNumber[6:14], ps.Phone, "病情", "诉求", "电话回访"} {
			if strings.Contains(string(j), secret) {
				t.Errorf("event %s carries %q", j, secret)
			}
		}
	}
	want := "registered received routed personal_viewed record"
	if got := strings.Join(steps, " "); got != want {
		t.Fatalf("steps %q, want %q", got, want)
	}
	// The registration's event names its ticket and persons, and comes
	// after the ticket's own in the same commit.
	evs, _ := f.store.Events(ctx, 0, 100)
	i := 0
	for i < len(evs) && evs[i].Type != queue.EventIssued {
		i++
	}
	if i+1 >= len(evs) || evs[i+1].Type != queue.CaseEvent("registered") || evs[i+1].Case.Ticket != is.Ticket.ID || evs[i+1].Case.Persons != 1 {
		t.Fatalf("events from the issue: %+v", evs[i:])
	}
	// Who may watch them: supervisors; staff of its unit or counter, and
	// of the shared room that serves medical mediation and may receive it
	// (a registration); not other staff, not devices.
	ev := evs[i+1].Case
	for _, c := range []struct {
		p    queue.Principal
		want bool
	}{{boss, true}, {admin, true}, {mediator, true}, {multiClerk, true}, {clerk1, false}, {kiosk, false}, {pad, false}} {
		if got := f.book.CanWatch(c.p, ev); got != c.want {
			t.Errorf("%s watches a medical case's step: %v", c.p.ID, got)
		}
	}
}

// TestTransferProposesARoute: a ticket transferred to another service
// leaves the proposal on its case; served there, the case is received by
// that unit.
func TestTransferProposesARoute(t *testing.T) {
	f := newFixture(t)
	is := f.tap(kiosk, "t1", "petition", synthPerson(61))
	f.open("win-01")
	if _, err := f.eng.CallNext(ctx, clerk1, "win-01"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.eng.Transfer(ctx, clerk1, "win-01", queue.TransferTo{ServiceID: "mediation-general", Reason: "家庭纠纷"}); err != nil {
		t.Fatal(err)
	}
	v := must[cases.View](t)(f.book.Case(ctx, boss, is.CaseCode))
	last := v.History[len(v.History)-1]
	if v.Status != cases.StatusRegistered || last.Kind != cases.StepRouteProposed || !strings.Contains(last.Note, "其他矛盾纠纷调解") {
		t.Fatalf("after transfer: %s %+v", v.Status, last)
	}
	f.open("room-multi")
	f.serve(multiClerk, "room-multi")
	v = must[cases.View](t)(f.book.Case(ctx, boss, is.CaseCode))
	if v.Status != cases.StatusReceived || v.Unit != "司法局" {
		t.Fatalf("served after transfer: %s %s", v.Status, v.Unit)
	}
}

// TestLogExisting: a data directory from before case steps were events
// brings every case into the log once, as it stands.
func TestLogExisting(t *testing.T) {
	f := newFixture(t)
	// Two cases written as the old book wrote them: no events.
	for i := range 2 {
		c := &cases.Case{Code: cases.Code{Region: "421224", Day: cases.MakeDate(2026, 10, 8), Seq: i + 1}.String(), Type: "mediation.medical",
			Status: cases.StatusReceived, Unit: "医患纠纷人民调解委员会", Day: cases.MakeDate(2026, 10, 8), Persons: []cases.Party{{MaskedName: "王*"}},
			Registered: time.Date(2026, 10, 8, 9, 0, 0, 0, time.UTC)}
		f.store.mu.Lock()
		if err := f.store.putCase(&cases.Write{Case: c, Facts: c.Facts(time.UTC), New: true}); err != nil {
			t.Fatal(err)
		}
		f.store.mu.Unlock()
	}
	n, err := f.book.LogExisting(ctx)
	if err != nil || n != 2 {
		t.Fatalf("logged %d, %v", n, err)
	}
	evs := f.store.caseEvents()
	if len(evs) != 2 || evs[0].Type != queue.CaseEvent("logged") || evs[0].Case.Status != "received" || !evs[0].Case.Sensitive || evs[0].Case.Persons != 1 {
		t.Fatalf("events %+v", evs)
	}
	if n, err := f.book.LogExisting(ctx); n != 0 || err != nil {
		t.Fatalf("a second run logged %d, %v", n, err)
	}
}
