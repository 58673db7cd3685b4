package httpapi_test

import (
	"net/http"
	"slices"
	"testing"
	"time"
)

type planAnswer struct {
	Plan struct {
		ID       string   `json:"id"`
		Capacity int      `json:"capacity"`
		Hours    []string `json:"hours"`
		Edited   []string `json:"edited"`
		File     *struct {
			Capacity int `json:"capacity"`
		} `json:"file"`
		Closed []struct {
			Day    string `json:"day"`
			Reason string `json:"reason"`
		} `json:"closed"`
		Removed bool `json:"removed"`
	} `json:"plan"`
}

// Managing the plans: every route refuses devices and clerks (403) and
// changes nothing; a supervisor changes a plan's capacity (the answer says
// which value is the page's and what the file's is), closes and reopens
// a day, and is refused (409) a day with a booking; an admin adds,
// removes and restores a plan; bad values are 400 in Chinese.
func TestAppointmentPlanRoutes(t *testing.T) {
	f := newFixture(t, withAppointments)
	values := map[string]any{"days": []string{"Thu", "Fri"}, "hours": []string{"09:00-12:00"}, "length_minutes": 60, "capacity": 2, "walk_in": 0}
	newPlan := map[string]any{"id": "room2", "name": "医患调解（下午）", "service": "medical", "counter": "r1", "days": []string{"Mon"},
		"hours": []string{"14:00-16:00"}, "length_minutes": 60, "capacity": 1, "walk_in": 0}
	day := map[string]any{"day": "2026-11-27", "reason": "调解员外出"}
	routes := []struct {
		method, path string
		body         any
	}{
		{"POST", "/api/v1/appointments/plans", newPlan},
		{"PUT", "/api/v1/appointments/plans/session", values},
		{"DELETE", "/api/v1/appointments/plans/session", nil},
		{"POST", "/api/v1/appointments/plans/session/restore", nil},
		{"POST", "/api/v1/appointments/plans/session/close", day},
		{"POST", "/api/v1/appointments/plans/session/reopen", day},
	}
	for _, r := range routes {
		for _, sec := range []string{secKiosk, secDisplay, secPadW1, secStaffW1} {
			wantError(t, f.do(r.method, r.path, sec, r.body), http.StatusForbidden, "forbidden")
		}
	}
	var plans struct {
		Plans []struct {
			ID       string   `json:"id"`
			Capacity int      `json:"capacity"`
			Edited   []string `json:"edited"`
		} `json:"plans"`
		Removed []struct {
			ID string `json:"id"`
		} `json:"removed_plans"`
	}
	want(t, f.do("GET", "/api/v1/appointments/plans", secStaffW1, nil), http.StatusOK, &plans)
	if len(plans.Plans) != 1 || plans.Plans[0].Capacity != 1 || plans.Plans[0].Edited != nil || len(plans.Removed) != 0 {
		t.Fatalf("plans after the refusals: %+v", plans)
	}

	var pa planAnswer
	want(t, f.do("PUT", "/api/v1/appointments/plans/session", secSuper, values), http.StatusOK, &pa)
	if pa.Plan.Capacity != 2 || !slices.Equal(pa.Plan.Edited, []string{"capacity"}) || pa.Plan.File == nil || pa.Plan.File.Capacity != 1 {
		t.Fatalf("after the change: %+v", pa.Plan)
	}
	bad := map[string]any{"days": []string{"Thu"}, "hours": []string{"9点到12点"}, "length_minutes": 60, "capacity": 2, "walk_in": 0}
	wantError(t, f.do("PUT", "/api/v1/appointments/plans/session", secSuper, bad), http.StatusBadRequest, "invalid", "开放时间")
	bad["hours"], bad["walk_in"] = []string{"09:00-12:00"}, 2
	wantError(t, f.do("PUT", "/api/v1/appointments/plans/session", secSuper, bad), http.StatusBadRequest, "invalid", "留给现场的名额")
	wantError(t, f.do("PUT", "/api/v1/appointments/plans/nothing", secSuper, values), http.StatusNotFound, "not_found")

	// A booking on Friday: the day cannot close until it is moved.
	friday := time.Date(2026, 11, 27, 10, 0, 0, 0, f.hall.Location)
	body := map[string]any{"plan": "session", "start": friday, "channel": "phone", "persons": []any{synthPerson(1)}}
	var b bookedAnswer
	want(t, f.do("POST", "/api/v1/appointments", secSuper, body, "Idempotency-Key", "b1"), http.StatusCreated, &b)
	wantError(t, f.do("POST", "/api/v1/appointments/plans/session/close", secSuper, day), http.StatusConflict, "conflict", "1个已有预约", "11月27日 10:00")
	// Staff move and cancel bookings; devices never.
	for _, sec := range []string{secKiosk, secDisplay, secPadW1} {
		wantError(t, f.do("POST", "/api/v1/appointments/"+b.Booking.ID+"/move", sec, map[string]any{"start": friday.AddDate(0, 0, 6)}), http.StatusForbidden, "forbidden")
		wantError(t, f.do("POST", "/api/v1/appointments/"+b.Booking.ID+"/cancel", sec, map[string]any{"reason": "设备"}), http.StatusForbidden, "forbidden")
	}
	wantError(t, f.do("DELETE", "/api/v1/appointments/plans/session", secAdmin, nil), http.StatusConflict, "conflict", "1个已有预约")
	want(t, f.do("POST", "/api/v1/appointments/"+b.Booking.ID+"/move", secSuper, map[string]any{"start": friday.AddDate(0, 0, 6)}), http.StatusOK, nil)
	want(t, f.do("POST", "/api/v1/appointments/plans/session/close", secSuper, day), http.StatusOK, &pa)
	if len(pa.Plan.Closed) != 1 || pa.Plan.Closed[0].Day != "2026-11-27" || pa.Plan.Closed[0].Reason != "调解员外出" {
		t.Fatalf("closed: %+v", pa.Plan)
	}
	var slots struct {
		Closed string `json:"closed"`
	}
	want(t, f.do("GET", "/api/v1/appointments/slots?plan=session&day=2026-11-27", secStaffW1, nil), http.StatusOK, &slots)
	if slots.Closed != "该日暂停预约：调解员外出" {
		t.Fatalf("a closed day's slots: %+v", slots)
	}
	wantError(t, f.do("POST", "/api/v1/appointments/plans/session/close", secSuper, map[string]any{"day": "2026-11-30"}), http.StatusBadRequest, "invalid", "暂停原因")
	want(t, f.do("POST", "/api/v1/appointments/plans/session/reopen", secAdmin, day), http.StatusOK, nil)
	wantError(t, f.do("POST", "/api/v1/appointments/plans/session/reopen", secAdmin, day), http.StatusNotFound, "not_found")

	pa = planAnswer{}
	want(t, f.do("POST", "/api/v1/appointments/plans", secAdmin, newPlan), http.StatusCreated, &pa)
	if pa.Plan.ID != "room2" || pa.Plan.File != nil {
		t.Fatalf("added: %+v", pa.Plan)
	}
	wantError(t, f.do("POST", "/api/v1/appointments/plans", secAdmin, newPlan), http.StatusConflict, "conflict")
	want(t, f.do("DELETE", "/api/v1/appointments/plans/room2", secSuper, nil), http.StatusOK, &pa)
	plans.Plans, plans.Removed = nil, nil
	want(t, f.do("GET", "/api/v1/appointments/plans", secAdmin, nil), http.StatusOK, &plans)
	if len(plans.Plans) != 1 || len(plans.Removed) != 1 || plans.Removed[0].ID != "room2" {
		t.Fatalf("plans after removing one: %+v", plans)
	}
	pa = planAnswer{}
	want(t, f.do("POST", "/api/v1/appointments/plans/room2/restore", secSuper, nil), http.StatusOK, &pa)
	if pa.Plan.Removed || !slices.Equal(pa.Plan.Hours, []string{"14:00-16:00"}) {
		t.Fatalf("restored: %+v", pa.Plan)
	}
}
