package httpapi_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"yiting/queue"
	"yiting/queue/cases"
)

// TestReportUpAPI: on a county site a supervisor reports a case up with a
// reason (a clerk may not, a reason is required); the case then says the
// county owns it, and the site's routing of it is refused with why.
func TestReportUpAPI(t *testing.T) {
	f := newCaseFixture(t, func(s *setup) { s.cases = func(o *cases.Options) { o.County = true } })
	code := f.registerCase(secSuper, "petition", "petition", "r1", synthPerson(5)).Case.Code
	path := "/api/v1/cases/" + code + "/report-up"
	wantError(t, f.do("POST", path, secStaffW1, map[string]string{"reason": "本镇无法协调"}), http.StatusForbidden, queue.EFORBIDDEN)
	wantError(t, f.do("POST", path, secSuper, map[string]string{"reason": ""}), http.StatusBadRequest, queue.EINVALID)
	v := f.caseCmd(secSuper, code, "report-up", map[string]string{"reason": "涉及县直部门，本镇无法协调"})
	if !v.CountyOwns || v.Escalation == nil || v.Escalation.Reason != "涉及县直部门，本镇无法协调" {
		t.Fatalf("reported up: owns %v, %+v", v.CountyOwns, v.Escalation)
	}
	wantError(t, f.do("POST", path, secSuper, map[string]string{"reason": "再报"}), http.StatusConflict, queue.ECONFLICT)
	wantError(t, f.do("POST", "/api/v1/cases/"+code+"/route", secSuper, map[string]string{"kind": "unit", "unit": "信访局"}),
		http.StatusForbidden, queue.EFORBIDDEN, "已上报县综治中心")
}

// TestRefusalOnTheStream: a county command the hall refused is an event
// for its supervisors and admins, not for a board in the public hall.
func TestRefusalOnTheStream(t *testing.T) {
	f := newFixture(t)
	srv := f.server()
	from := f.eng.State().LastSeq
	if _, err := f.eng.Do(context.Background(), func(tx *queue.Tx) (any, error) {
		tx.EmitRefusal("county:c1", queue.Refusal{Command: "c1", Kind: "assign", Case: "421224-20261126-0001-5", Reason: "本站点没有单位“月球管理局”"})
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	f.issue("consult")
	after := "after=" + strconv.FormatUint(from, 10)
	// types reads a stream's events up to the ticket's issue.
	types := func(secret string) []queue.EventType {
		s := openStream(t, srv.URL+"/api/v1/events?"+after, "Authorization", "Bearer "+secret)
		var out []queue.EventType
		for {
			ev := decodeEvent(t, s.next())
			out = append(out, ev.Type)
			if ev.Type == queue.EventIssued {
				return out
			}
			if ev.Type == queue.EventCommandRefused && (ev.Refusal == nil || ev.Refusal.Command != "c1" || ev.Refusal.Reason == "") {
				t.Fatalf("the refusal's event: %+v", ev)
			}
		}
	}
	if got := types(secDisplay); slices.Contains(got, queue.EventCommandRefused) {
		t.Fatalf("the board got %v", got)
	}
	if got := types(secSuper); !slices.Contains(got, queue.EventCommandRefused) {
		t.Fatalf("the supervisor got %v", got)
	}
}
