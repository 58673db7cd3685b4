package httpapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"yiting/queue"
)

// A board that reloads reads today's latest calls (issue 13, item 17):
// newest first, each ticket once at its latest call, numbers and counters
// only — no visitor, no case code — and nothing of an earlier day.
func TestRecentCalls(t *testing.T) {
	f := newFixture(t)
	f.open("w1", "w2")
	var issued []issued
	for _, s := range []string{"petition", "consult", "petition"} {
		issued = append(issued, f.issue(s))
	}
	a := f.cmd(secStaffW1, "w1", "call-next", nil)
	f.clock.Advance(time.Minute)
	b := f.cmd(secStaffW2, "w2", "call-next", nil)
	f.clock.Advance(time.Minute)
	f.cmd(secStaffW1, "w1", "complete", nil)
	c := f.cmd(secStaffW1, "w1", "call-next", nil)
	f.clock.Advance(time.Minute)
	f.cmd(secStaffW2, "w2", "recall", nil) // b again, now the latest
	type callsOut struct {
		Day   string `json:"day"`
		Calls []struct {
			ID       uint64    `json:"id"`
			Number   string    `json:"number"`
			Counter  string    `json:"counter"`
			CalledAt time.Time `json:"called_at"`
		} `json:"calls"`
	}
	var out callsOut
	w := f.do("GET", "/api/v1/calls", secDisplay, nil)
	want(t, w, http.StatusOK, &out)
	var got []string
	for _, c := range out.Calls {
		got = append(got, c.Number+"@"+c.Counter)
	}
	wantCalls := []string{b.Number + "@w2", c.Number + "@w1", a.Number + "@w1"}
	if !slices.Equal(got, wantCalls) {
		t.Errorf("calls %v, want %v", got, wantCalls)
	}
	leaks := []string{"case_code", "visitor", "masked_name"}
	for _, is := range issued {
		leaks = append(leaks, is.CaseCode)
	}
	for _, leak := range leaks {
		if leak != "" && strings.Contains(w.Body.String(), leak) {
			t.Errorf("the calls carry %q: %s", leak, w.Body)
		}
	}
	want(t, f.do("GET", "/api/v1/calls?limit=2", secDisplay, nil), http.StatusOK, &out)
	if len(out.Calls) != 2 || out.Calls[0].Number != b.Number {
		t.Errorf("limit=2: %+v", out.Calls)
	}
	for _, bad := range []string{"0", "21", "x"} {
		wantError(t, f.do("GET", "/api/v1/calls?limit="+bad, secDisplay, nil), http.StatusBadRequest, queue.EINVALID)
	}
	wantError(t, f.do("GET", "/api/v1/calls", "", nil), http.StatusUnauthorized, queue.EUNAUTH)

	// The next business day starts with none.
	f.clock.Advance(24 * time.Hour)
	f.issue("consult") // the engine moves to the new day on its next command
	want(t, f.do("GET", "/api/v1/calls", secDisplay, nil), http.StatusOK, &out)
	if len(out.Calls) != 0 {
		t.Errorf("the next day shows yesterday's calls: %+v", out.Calls)
	}
}
