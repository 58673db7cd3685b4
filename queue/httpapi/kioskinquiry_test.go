package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"yiting/queue"
)

// POST /api/v1/kiosk/inquiry (issue 13, item 18): a kiosk finds the
// visitor's cases by the card, or one case by code and the ID number's
// last four; a display may not ask; the answer carries the masked name
// only.
func TestKioskInquiry(t *testing.T) {
	f := newCaseFixture(t)
	f.issue("petition") // synthetic person 1
	id := synthPerson(1)["id_number"]
	codes := f.eng.Tickets(nil) // the device's answer carries no case code; the engine has it
	if len(codes) != 1 || codes[0].CaseCode == "" {
		t.Fatalf("tickets %+v", codes)
	}
	is := struct{ CaseCode string }{codes[0].CaseCode}
	var out struct {
		Cases []struct {
			Code       string `json:"code"`
			StatusName string `json:"status_name"`
			MaskedName string `json:"masked_name"`
		} `json:"cases"`
	}
	w := f.do("POST", "/api/v1/kiosk/inquiry", secKiosk, map[string]string{"id_number": id})
	want(t, w, http.StatusOK, &out)
	if len(out.Cases) != 1 || out.Cases[0].Code != is.CaseCode || out.Cases[0].StatusName == "" || !strings.Contains(out.Cases[0].MaskedName, "*") {
		t.Errorf("by card: %s", w.Body)
	}
	if strings.Contains(w.Body.String(), id) || strings.Contains(w.Body.String(), synthPerson(1)["name"]) {
		t.Errorf("the answer carries personal data: %s", w.Body)
	}
	want(t, f.do("POST", "/api/v1/kiosk/inquiry", secKiosk, map[string]string{"case_code": is.CaseCode, "id_last4": id[len(id)-4:]}), http.StatusOK, &out)
	if len(out.Cases) != 1 || out.Cases[0].Code != is.CaseCode {
		t.Errorf("by code: %+v", out)
	}
	wantError(t, f.do("POST", "/api/v1/kiosk/inquiry", secKiosk, map[string]string{"case_code": is.CaseCode}), http.StatusBadRequest, queue.EINVALID)
	wantError(t, f.do("POST", "/api/v1/kiosk/inquiry", secDisplay, map[string]string{"id_number": id}), http.StatusForbidden, queue.EFORBIDDEN)
	wantError(t, f.do("POST", "/api/v1/kiosk/inquiry", "", map[string]string{"id_number": id}), http.StatusUnauthorized, queue.EUNAUTH)
}
