package cases_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/queuetest"
)

func codes(l cases.Listing) []string {
	var out []string
	for _, r := range l.Rows {
		out = append(out, r.Code)
	}
	return out
}

// Staff see the cases of their units and those they handle, nothing else;
// a protected case is received only at a counter of its service and stays
// with its unit.
func TestWhoSeesWhichCase(t *testing.T) {
	f := newFixture(t)
	pet := f.register("petition", synthPerson(1)).Case.Code
	con := f.register("consumer", synthPerson(2)).Case.Code
	med := f.register("mediation-medical", synthPerson(3)).Case.Code
	cou := f.register("counselling", synthPerson(4)).Case.Code

	clerk11 := queue.Principal{ID: "clerk11", Role: queue.RoleStaff, Counters: []string{"win-11"}}
	for _, tc := range []struct {
		who  queue.Principal
		want []string
	}{
		{clerk1, []string{pet}},
		{clerk11, []string{con}},
		{mediator, []string{med}},
		{multiClerk, []string{med}}, // waits for reception at the shared room, which serves it
		{boss, []string{pet, con, med, cou}},
	} {
		l := must[cases.Listing](t)(f.book.Find(ctx, tc.who, cases.Query{}))
		got := codes(l)
		slices.Sort(got)
		want := slices.Clone(tc.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s sees %v, want %v", tc.who.ID, got, want)
		}
	}
	_, err := f.book.Case(ctx, clerk1, con)
	wantCode(t, err, queue.EFORBIDDEN, "不由您")
	_, err = f.book.Find(ctx, kiosk, cases.Query{})
	wantCode(t, err, queue.EFORBIDDEN)

	// 信访局 cannot receive the counselling case at its own window, nor
	// open its parties.
	_, err = f.book.Receive(ctx, clerk1, cou, "win-01")
	wantCode(t, err, queue.EFORBIDDEN)
	_, err = f.book.Personal(ctx, clerk1, cou, "查看")
	wantCode(t, err, queue.EFORBIDDEN)

	// Its own committee's mediator, also bound to a window, receives it
	// only in the room.
	both := queue.Principal{ID: "med2", Role: queue.RoleStaff, Counters: []string{"win-01", "room-medical"}}
	_, err = f.book.Receive(ctx, both, med, "win-01")
	wantCode(t, err, queue.EFORBIDDEN, "健康")

	// The shared mediation room of 司法局 receives the medical case: it is
	// its first receiver, the case stays with the medical committee.
	v := must[cases.View](t)(f.book.Receive(ctx, multiClerk, med, "room-multi"))
	if v.Unit != "医患纠纷人民调解委员会" || v.Handler.CounterID != "room-multi" {
		t.Fatalf("received: unit %q handler %+v", v.Unit, v.Handler)
	}
	for _, who := range []queue.Principal{multiClerk, mediator} {
		if l := must[cases.Listing](t)(f.book.Find(ctx, who, cases.Query{})); !slices.Contains(codes(l), med) {
			t.Errorf("%s lost the medical case", who.ID)
		}
	}
	// A petition received at 1号窗口 becomes 信访局's and clerk1's.
	must[cases.View](t)(f.book.Receive(ctx, clerk1, pet, "win-01"))
	if l := must[cases.Listing](t)(f.book.Find(ctx, clerk1, cases.Query{Mine: true})); !slices.Equal(codes(l), []string{pet}) {
		t.Errorf("clerk1's own: %v", codes(l))
	}
}

func TestFindFiltersCountsAndSearch(t *testing.T) {
	f := newFixture(t)
	var all []string
	for i := range 6 {
		all = append(all, f.register("petition", synthPerson(10+i)).Case.Code)
	}
	must[cases.View](t)(f.book.Receive(ctx, clerk1, all[0], "win-01"))
	must[cases.View](t)(f.book.Receive(ctx, clerk1, all[1], "win-01"))
	must[cases.View](t)(f.book.Supervise(ctx, boss, all[2], "red", "群众反映强烈"))

	l := must[cases.Listing](t)(f.book.Find(ctx, boss, cases.Query{}))
	if l.Total != 6 || l.Counts.Open != 6 || l.Counts.Stages[cases.StatusReceived] != 2 || l.Counts.Stages[cases.StatusRegistered] != 4 || l.Counts.Supervised != 1 {
		t.Fatalf("counts %+v total %d", l.Counts, l.Total)
	}
	if l := must[cases.Listing](t)(f.book.Find(ctx, boss, cases.Query{Stage: "received"})); !slices.Equal(codes(l), all[:2]) {
		t.Errorf("received: %v", codes(l))
	}
	l = must[cases.Listing](t)(f.book.Find(ctx, boss, cases.Query{Supervised: true}))
	if len(l.Rows) != 1 || l.Rows[0].Code != all[2] || l.Rows[0].LevelName == "" {
		t.Errorf("supervised: %+v", l.Rows)
	}
	// The accept limit (petition: 15 days) runs out: all six are overdue
	// three weeks later, the ones received too (receiving is not accepting).
	f.clock.Set(time.Date(2026, 12, 21, 9, 0, 0, 0, queuetest.Shanghai(t)))
	l = must[cases.Listing](t)(f.book.Find(ctx, boss, cases.Query{Due: "overdue"}))
	if l.Total != 6 || l.Counts.Overdue != 6 || l.Rows[0].Due == nil || l.Rows[0].Due.State != "overdue" {
		t.Fatalf("overdue: %d %+v", l.Total, l.Counts)
	}
	// A code fragment, a masked name, an ID number.
	if l := must[cases.Listing](t)(f.book.Find(ctx, boss, cases.Query{Text: all[3][len(all[3])-8:]})); !slices.Equal(codes(l), all[3:4]) {
		t.Errorf("by code: %v", codes(l))
	}
	v := must[cases.View](t)(f.book.Case(ctx, boss, all[4]))
	if l := must[cases.Listing](t)(f.book.Find(ctx, boss, cases.Query{Text: v.Persons[0].Name})); !slices.Contains(codes(l), all[4]) {
		t.Errorf("by masked name %q: %v", v.Persons[0].Name, codes(l))
	}
	if l := must[cases.Listing](t)(f.book.Find(ctx, boss, cases.Query{IDNumber: synthPerson(15).IDNumber})); !slices.Equal(codes(l), all[5:6]) {
		t.Errorf("by ID: %v", codes(l))
	}
	audit := must[[]cases.AuditEntry](t)(f.book.Audit(ctx, boss, 0, 100, ""))
	if n := len(audit); n == 0 || audit[n-1].Action != "search" || strings.Contains(audit[n-1].Reason, synthPerson(15).IDNumber) {
		t.Errorf("the ID search is not audited as it should be: %+v", audit)
	}
	_, err := f.book.Find(ctx, boss, cases.Query{IDNumber: "123"})
	wantCode(t, err, queue.EINVALID, "证件号码")
	_, err = f.book.Find(ctx, boss, cases.Query{Stage: "lost"})
	wantCode(t, err, queue.EINVALID)

	// A closed case is listed with "all" and "closed", not by default.
	must[cases.View](t)(f.book.Close(ctx, boss, all[0], cases.CloseRequest{Outcome: cases.OutcomeWithdrawn, Note: "来访人撤回"}))
	if l := must[cases.Listing](t)(f.book.Find(ctx, boss, cases.Query{})); slices.Contains(codes(l), all[0]) {
		t.Error("a closed case among the open ones")
	}
	l = must[cases.Listing](t)(f.book.Find(ctx, boss, cases.Query{Stage: "all"}))
	if l.Total != 6 || l.Rows[5].Code != all[0] || l.Counts.Stages[cases.StatusClosed] != 1 {
		t.Errorf("all: %v %+v", codes(l), l.Counts)
	}
}
