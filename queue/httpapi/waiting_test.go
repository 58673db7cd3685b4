package httpapi_test

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

type waitingTicket struct {
	ID        uint64 `json:"id"`
	Number    string `json:"number"`
	Service   string `json:"service"`
	Priority  string `json:"priority"`
	Status    string `json:"status"`
	Directed  bool   `json:"directed"`
	Transfers int    `json:"transfers"`
	Note      string `json:"note"`
}

type waitingAnswer struct {
	Counter      string          `json:"counter"`
	Waiting      []waitingTicket `json:"waiting"`
	WaitingTotal int             `json:"waiting_total"`
	Parked       []waitingTicket `json:"parked"`
	NoShows      []waitingTicket `json:"no_shows"`
	NoShowsTotal int             `json:"no_shows_total"`
}

func numbers(ts []waitingTicket) string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Number)
	}
	return strings.Join(out, " ")
}

// TestCounterWaiting: the console's list holds what this counter may
// call — its services' tickets in arrival order and those directed to it,
// not another counter's directed tickets nor other services — plus what it
// parked and today's no-shows of its services; never a visitor's name.
func TestCounterWaiting(t *testing.T) {
	f := newFixture(t)
	f.open("w1", "w2")
	var w waitingAnswer
	want(t, f.do("GET", "/api/v1/counters/w1/waiting", secStaffW1, nil), http.StatusOK, &w)
	if w.Counter != "w1" || w.Waiting == nil || w.Parked == nil || w.NoShows == nil || w.WaitingTotal != 0 {
		t.Fatalf("empty hall: %+v (lists must be [] not null)", w)
	}

	// w1 serves petition and consult; w2 the same; r1 medical.
	want(t, f.do("POST", "/api/v1/tickets", secKiosk, map[string]any{"service": "petition",
		"persons": []any{map[string]string{"id_number": synthPerson(1)["id_number"], "name": "张小三"}}}, "Idempotency-Key", "named"), http.StatusCreated, nil) // A001
	f.issue("petition") // A002
	f.clock.Advance(time.Minute)
	f.issue("consult") // Z001
	f.issue("medical") // D001
	f.clock.Advance(time.Minute)
	f.issue("petition") // A003

	// w2 calls A001 and parks it; w1 calls A002, it is a no-show.
	f.cmd(secStaffW2, "w2", "call", map[string]string{"number": "A001", "reason": "测试"})
	f.cmd(secStaffW2, "w2", "park", map[string]string{"reason": "回去取材料"})
	f.cmd(secStaffW1, "w1", "call", map[string]string{"number": "A002", "reason": "测试"})
	f.cmd(secStaffW1, "w1", "no-show", nil)
	// A001 is put back, directed to w2: only w2 may call it now.
	f.cmd(secStaffW2, "w2", "unpark", map[string]string{"number": "A001"})

	want(t, f.do("GET", "/api/v1/counters/w1/waiting", secStaffW1, nil), http.StatusOK, &w)
	if got := numbers(w.Waiting); got != "Z001 A003" || w.WaitingTotal != 2 {
		t.Errorf("w1 waiting %q (total %d), want Z001 A003 in arrival order", got, w.WaitingTotal)
	}
	if got := numbers(w.NoShows); got != "A002" || w.NoShowsTotal != 1 {
		t.Errorf("w1 no-shows %q", got)
	}
	if len(w.Parked) != 0 {
		t.Errorf("w1 parked %q", numbers(w.Parked))
	}

	var w2 waitingAnswer
	want(t, f.do("GET", "/api/v1/counters/w2/waiting", secStaffW2, nil), http.StatusOK, &w2)
	if got := numbers(w2.Waiting); got != "A001 Z001 A003" {
		t.Errorf("w2 waiting %q, want its directed A001 first (arrived first), then Z001 A003", got)
	}
	if !w2.Waiting[0].Directed || w2.Waiting[1].Directed {
		t.Errorf("directed flags: %+v", w2.Waiting)
	}

	// Park at w1 and read the reason back; a pad never sees reasons and
	// may not read the list at all.
	f.cmd(secStaffW1, "w1", "call", map[string]string{"number": "A003", "reason": "预约"})
	f.cmd(secStaffW1, "w1", "park", map[string]string{"reason": "去复印身份证"})
	w = waitingAnswer{}
	raw := f.do("GET", "/api/v1/counters/w1/waiting", secSuper, nil)
	want(t, raw, http.StatusOK, &w)
	if len(w.Parked) != 1 || w.Parked[0].Number != "A003" || w.Parked[0].Note != "去复印身份证" {
		t.Errorf("w1 parked: %+v", w.Parked)
	}
	if strings.Contains(raw.Body.String(), "张") || strings.Contains(raw.Body.String(), "masked_name") {
		t.Errorf("the waiting list shows a visitor's name: %s", raw.Body)
	}

	wantError(t, f.do("GET", "/api/v1/counters/w2/waiting", secStaffW1, nil), http.StatusForbidden, "forbidden", "2号窗口")
	wantError(t, f.do("GET", "/api/v1/counters/w1/waiting", secPadW1, nil), http.StatusForbidden, "forbidden")
	wantError(t, f.do("GET", "/api/v1/counters/w1/waiting", secDisplay, nil), http.StatusForbidden, "forbidden")
	wantError(t, f.do("GET", "/api/v1/counters/nope/waiting", secSuper, nil), http.StatusNotFound, "not_found")
	wantError(t, f.do("GET", "/api/v1/counters/w1/waiting", "", nil), http.StatusUnauthorized, "unauthorized")
}
