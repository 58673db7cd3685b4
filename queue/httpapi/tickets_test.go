package httpapi_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"yiting/queue"
	"yiting/queue/personal"
)

func TestIssueAndReplay(t *testing.T) {
	f := newFixture(t)
	p := synthPerson(1)
	body := map[string]any{"service": "petition", "persons": []any{p}}

	w := f.do("POST", "/api/v1/tickets", secKiosk, body, "Idempotency-Key", "tap-1")
	var first issued
	want(t, w, http.StatusCreated, &first)
	if first.Ticket.Number != "A001" || first.Ticket.Status != queue.StatusWaiting || first.Ahead != 0 {
		t.Fatalf("first ticket %+v ahead %d, want A001 waiting with nobody ahead", first.Ticket, first.Ahead)
	}
	if got, wantLoc := w.Header().Get("Location"), "/api/v1/tickets/"+strconv.FormatUint(first.Ticket.ID, 10); got != wantLoc {
		t.Errorf("Location %q, want %q", got, wantLoc)
	}
	if w.Header().Get("Idempotent-Replayed") != "" {
		t.Error("a new ticket is marked as replayed")
	}
	if first.Ticket.Visitor.MaskedName != personal.MaskName(p["name"]) {
		t.Errorf("masked name %q, want the server's mask of the card's name", first.Ticket.Visitor.MaskedName)
	}
	for _, secret := range []string{f.pkeys.VisitorKey(p["id_number"]), p["id_number"][6:14], p["name"], p["address"]} {
		if strings.Contains(w.Body.String(), secret) {
			t.Errorf("the answer carries %q: %s", secret, w.Body)
		}
	}

	// The kiosk's answer was lost; it retries with the same key.
	w = f.do("POST", "/api/v1/tickets", secKiosk, body, "Idempotency-Key", "tap-1")
	var again issued
	want(t, w, http.StatusOK, &again)
	if w.Header().Get("Idempotent-Replayed") != "true" {
		t.Error("replay not marked with Idempotent-Replayed: true")
	}
	if again.Ticket.ID != first.Ticket.ID || again.Ticket.Number != "A001" {
		t.Fatalf("replay returned %s (id %d), want the first ticket A001 (id %d)", again.Ticket.Number, again.Ticket.ID, first.Ticket.ID)
	}

	// A different tap gets the next number, with one ahead.
	w = f.do("POST", "/api/v1/tickets", secKiosk, body, "Idempotency-Key", "tap-2")
	var second issued
	want(t, w, http.StatusCreated, &second)
	if second.Ticket.Number != "A002" || second.Ahead != 1 {
		t.Fatalf("second ticket %s ahead %d, want A002 ahead 1", second.Ticket.Number, second.Ahead)
	}
	// The same key from another kiosk is another tap.
	w = f.do("POST", "/api/v1/tickets", secKiosk2, body, "Idempotency-Key", "tap-1")
	var other issued
	want(t, w, http.StatusCreated, &other)
	if other.Ticket.Number != "A003" {
		t.Fatalf("other kiosk's ticket %s, want A003", other.Ticket.Number)
	}

	// The same key for another service is a client bug, not a replay.
	wantError(t, f.do("POST", "/api/v1/tickets", secKiosk, map[string]any{"service": "consult"}, "Idempotency-Key", "tap-1"),
		http.StatusConflict, queue.ECONFLICT, "idempotency key")
	// No key: refused, so a retry can never make a second ticket.
	wantError(t, f.do("POST", "/api/v1/tickets", secKiosk, body), http.StatusBadRequest, queue.EINVALID, "Idempotency-Key")

	if n := len(f.eng.Tickets(nil)); n != 3 {
		t.Errorf("%d tickets exist, want 3", n)
	}
}

func TestIssueRefuses(t *testing.T) {
	f := newFixture(t)
	key := func(k string) []string { return []string{"Idempotency-Key", k} }
	cases := []struct {
		name   string
		secret string
		body   any
		status int
		code   string
		msg    string
	}{
		{"unknown service", secKiosk, map[string]any{"service": "divorce"}, 404, queue.ENOTFOUND, "没有这项服务"},
		{"no service", secKiosk, map[string]any{}, 400, queue.EINVALID, "service"},
		{"a device chooses a priority", secKiosk, map[string]any{"service": "consult", "priority": "elderly"}, 403, queue.EFORBIDDEN, "优先类别"},
		{"unknown priority at the desk", secStaffW1, map[string]any{"service": "consult", "priority": "vip"}, 400, queue.EINVALID, "优先类别"},
		{"a device routes to a counter", secKiosk, map[string]any{"service": "petition", "target_counter": "w1"}, 400, queue.EINVALID, "target_counter"},
		{"a client's mask", secKiosk, map[string]any{"service": "petition", "visitor": map[string]string{"masked_name": "*421224198506150013"}}, 400, queue.EINVALID, "visitor"},
		{"a name of digits", secKiosk, map[string]any{"service": "petition", "persons": []any{map[string]string{"id_number": synthPerson(1)["id_number"], "name": "*421224198506150013"}}}, 400, queue.EINVALID, "姓名"},
		{"a card that is not a date", secKiosk, map[string]any{"service": "petition", "persons": []any{map[string]string{"name": "张三", "birth": "1985-13-45"}}}, 400, queue.EINVALID, "birth"},
		{"a petition without a card", secKiosk, map[string]any{"service": "petition"}, 400, queue.EINVALID, "身份证"},
		{"display may not issue", secDisplay, map[string]any{"service": "consult"}, 403, queue.EFORBIDDEN, "无权取号"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantError(t, f.do("POST", "/api/v1/tickets", c.secret, c.body, key("k"+strconv.Itoa(i))...), c.status, c.code, c.msg)
		})
	}
	if n := len(f.eng.Tickets(nil)); n != 0 {
		t.Errorf("%d tickets issued by refused requests", n)
	}
}

func TestQueries(t *testing.T) {
	f := newFixture(t)
	f.open("w1")
	a1 := f.issue("petition")
	f.issue("petition")
	f.issue("consult")
	f.cmd(secStaffW1, "w1", "call-next", nil) // A001

	var sv struct {
		Day      string `json:"day"`
		Services []struct {
			ID         string `json:"id"`
			Name       string `json:"name"`
			Prefix     string `json:"prefix"`
			Waiting    int    `json:"waiting"`
			LastIssued string `json:"last_issued"`
		} `json:"services"`
		PriorityClasses []struct {
			ID string `json:"id"`
		} `json:"priority_classes"`
	}
	want(t, f.do("GET", "/api/v1/services", secKiosk, nil), 200, &sv)
	if sv.Day != "2026-11-26" || len(sv.Services) != 3 || len(sv.PriorityClasses) != 1 {
		t.Fatalf("services answer %+v", sv)
	}
	if s := sv.Services[0]; s.ID != "petition" || s.Name != "信访接待" || s.Prefix != "A" || s.Waiting != 1 || s.LastIssued != "A002" {
		t.Errorf("petition %+v, want 1 waiting, last A002", s)
	}
	if s := sv.Services[1]; s.ID != "consult" || s.Waiting != 1 {
		t.Errorf("consult %+v, want 1 waiting", s)
	}

	var cs struct {
		Counters []struct {
			ID     string             `json:"id"`
			Name   string             `json:"name"`
			State  queue.CounterState `json:"state"`
			Ticket *queue.Ticket      `json:"ticket"`
		} `json:"counters"`
	}
	want(t, f.do("GET", "/api/v1/counters", secDisplay, nil), 200, &cs)
	if len(cs.Counters) != 3 {
		t.Fatalf("%d counters", len(cs.Counters))
	}
	if c := cs.Counters[0]; c.ID != "w1" || c.State.Status != queue.CounterOpen || c.Ticket == nil || c.Ticket.Number != "A001" || c.Ticket.Status != queue.StatusCalled {
		t.Errorf("w1 %+v, want open with A001 called", c)
	}
	if c := cs.Counters[1]; c.ID != "w2" || c.State.Status != queue.CounterClosed || c.Ticket != nil {
		t.Errorf("w2 %+v, want closed with no ticket", c)
	}

	var qs queue.QueueState
	want(t, f.do("GET", "/api/v1/queue", secDisplay, nil), 200, &qs)
	if qs.LastSeq != f.eng.State().LastSeq || qs.LastSeq == 0 || len(qs.Counters) != 3 {
		t.Errorf("queue state %+v", qs)
	}

	var tv queue.TicketView
	want(t, f.do("GET", "/api/v1/tickets/"+strconv.FormatUint(a1.Ticket.ID, 10), secStaffW1, nil), 200, &tv)
	if tv.Number != "A001" || tv.Status != queue.StatusCalled || tv.CounterID != "w1" {
		t.Errorf("ticket by id %+v", tv.Ticket)
	}
	want(t, f.do("GET", "/api/v1/tickets/by-number/a002", secStaffW1, nil), 200, &tv)
	if tv.Number != "A002" || tv.Ahead != 0 || tv.Status != queue.StatusWaiting {
		t.Errorf("ticket by number %+v ahead %d", tv.Ticket, tv.Ahead)
	}

	wantError(t, f.do("GET", "/api/v1/tickets/by-number/A999", secStaffW1, nil), 404, queue.ENOTFOUND, "A999")
	wantError(t, f.do("GET", "/api/v1/tickets/424242", secStaffW1, nil), 404, queue.ENOTFOUND)
	wantError(t, f.do("GET", "/api/v1/tickets/A001", secStaffW1, nil), 400, queue.EINVALID, "id")
	wantError(t, f.do("GET", "/api/v1/nothing", secStaffW1, nil), 404, queue.ENOTFOUND)
	wantError(t, f.do("DELETE", "/api/v1/tickets", secStaffW1, nil), 405, "method_not_allowed")
}

// TestNotesHiddenFromDevices: a clerk's reason is for staff; the board
// in the public hall gets the number and the masked name only.
func TestNotesHiddenFromDevices(t *testing.T) {
	f := newFixture(t)
	f.open("w1")
	a := f.issue("petition")
	f.cmd(secStaffW1, "w1", "call-next", nil)
	f.cmd(secStaffW1, "w1", "park", map[string]string{"reason": "去复印材料"})
	path := "/api/v1/tickets/" + strconv.FormatUint(a.Ticket.ID, 10)
	var tv queue.TicketView
	want(t, f.do("GET", path, secStaffW1, nil), 200, &tv)
	if tv.Note != "去复印材料" {
		t.Errorf("staff see note %q", tv.Note)
	}
	w := f.do("GET", path, secDisplay, nil)
	var dv queue.TicketView
	want(t, w, 200, &dv)
	if dv.Number != "A001" || dv.Note != "" || strings.Contains(w.Body.String(), "复印") {
		t.Errorf("the display sees the clerk's note: %s", w.Body)
	}
}
