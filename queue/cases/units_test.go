package cases_test

import (
	"slices"
	"testing"

	"yiting/queue"
	"yiting/queue/cases"
)

// hallWithSharedWindow is the test hall with the 综合受理 window where
// dispatched units without a window of their own take turns: the window
// has no unit, and the hall names its units, two of them windowless.
func hallWithSharedWindow(tb testing.TB) *queue.Hall {
	h := testHall(tb)
	h.Services = append(h.Services, queue.Service{ID: "other-dept", Name: "其他部门事项", Prefix: "Z",
		Category: queue.CategoryPetition, NeedsID: true, CaseType: "petition.department"})
	h.Counters = append(h.Counters, queue.Counter{ID: "win-12", Name: "12号窗口", Kind: queue.KindWindow, Location: "一楼大厅",
		Services: []queue.CounterService{{ServiceID: "other-dept", Weight: 1}}})
	for _, u := range h.UnitNames() {
		h.Units = append(h.Units, queue.Unit{Name: u, Kind: queue.UnitResident})
	}
	h.Units = append(h.Units, queue.Unit{Name: "自然资源和规划局", Kind: queue.UnitDispatched}, queue.Unit{Name: "农业农村局", Kind: queue.UnitDispatched})
	if err := h.Validate(); err != nil {
		tb.Fatal(err)
	}
	return h
}

// TestDispatchedUnits: each dispatched unit is a unit of its own even
// without a window. A case received at the shared window goes to the unit
// of the clerk on duty there; that unit's liaison, bound to the unit and
// no counter, sees and works it; the other windowless unit does not; and
// the assessment counts every unit on its own, one with no case too.
func TestDispatchedUnits(t *testing.T) {
	direct := map[string][]string{"duty12": {"自然资源和规划局"}, "nr-liaison": {"自然资源和规划局"}, "ag-liaison": {"农业农村局"}}
	f := newFixtureOn(t, hallWithSharedWindow(t), func(o *cases.Options) {
		o.StaffUnits = func(id string) []string { return direct[id] }
	})
	onDuty := queue.Principal{ID: "duty12", Role: queue.RoleStaff, Counters: []string{"win-12"}, Units: direct["duty12"]}
	liaison := queue.Principal{ID: "nr-liaison", Role: queue.RoleStaff, Units: direct["nr-liaison"]}
	other := queue.Principal{ID: "ag-liaison", Role: queue.RoleStaff, Units: direct["ag-liaison"]}

	// Through the queue: the ticket served at 12号窗口 receives the case.
	f.open("win-12")
	is := f.tap(kiosk, "z1", "other-dept", synthPerson(41))
	if tk := f.serve(onDuty, "win-12"); tk.CaseCode != is.CaseCode {
		t.Fatalf("served %s, want the case's ticket", tk.Number)
	}
	v := must[cases.View](t)(f.book.Case(ctx, liaison, is.CaseCode))
	if v.Unit != "自然资源和规划局" || v.Handler.Unit != "自然资源和规划局" || v.Handler.CounterID != "win-12" {
		t.Fatalf("received at the shared window: unit %q, handler %+v", v.Unit, v.Handler)
	}
	if _, err := f.book.Case(ctx, other, is.CaseCode); queue.ErrorCode(err) != queue.EFORBIDDEN {
		t.Errorf("another windowless unit's liaison reads the case: %v", err)
	}
	must[cases.View](t)(f.book.Route(ctx, liaison, is.CaseCode, cases.RouteTo{Kind: cases.RouteUnit, Unit: "自然资源和规划局"}))
	must[cases.View](t)(f.book.StartHandling(ctx, liaison, is.CaseCode))

	// A clerk at the shared window who belongs to no unit directly leaves
	// the case without one, to be assigned.
	r := f.register("other-dept", synthPerson(42))
	anyone := queue.Principal{ID: "temp", Role: queue.RoleStaff, Counters: []string{"win-12"}}
	if v := must[cases.View](t)(f.book.Receive(ctx, anyone, r.Case.Code, "win-12")); v.Unit != "" {
		t.Errorf("received by a clerk of no unit: unit %q", v.Unit)
	}
	must[cases.View](t)(f.book.Route(ctx, boss, r.Case.Code, cases.RouteTo{Kind: cases.RouteUnit, Unit: "农业农村局"}))
	must[cases.View](t)(f.book.Case(ctx, other, r.Case.Code))

	a := must[*cases.Assessment](t)(f.book.UnitAssessment(ctx, boss, d(2026, 1, 1), d(2026, 12, 31)))
	got := map[string]int{}
	var names []string
	for _, u := range a.Units {
		got[u.Unit] = u.Cases
		names = append(names, u.Unit)
	}
	if got["自然资源和规划局"] != 1 || got["农业农村局"] != 1 {
		t.Errorf("dispatched units not counted on their own: %v", got)
	}
	if c, ok := got["心理咨询师"]; !ok || c != 0 {
		t.Errorf("a unit with no case is not listed with 0: %v", names)
	}
	if slices.Contains(names, "（未定）") {
		t.Errorf("a case without a unit left in the assessment: %v", names)
	}
}
