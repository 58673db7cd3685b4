package httpapi_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"yiting/queue"
)

// TestRating: the pad at the counter rates the service just given, once.
func TestRating(t *testing.T) {
	f := newFixture(t)
	f.open("w1")
	a := f.issue("petition")
	path := "/api/v1/tickets/" + strconv.FormatUint(a.Ticket.ID, 10) + "/rating"

	f.cmd(secStaffW1, "w1", "call-next", nil)
	wantError(t, f.do("POST", path, secPadW1, map[string]any{"level": 5}), http.StatusConflict, queue.ECONFLICT, "尚未办结")
	f.cmd(secStaffW1, "w1", "complete", nil)

	wantError(t, f.do("POST", path, secPadW2, map[string]any{"level": 5}), http.StatusForbidden, queue.EFORBIDDEN, "本窗口")
	wantError(t, f.do("POST", path, secStaffW1, map[string]any{"level": 5}), http.StatusForbidden, queue.EFORBIDDEN)
	wantError(t, f.do("POST", path, secPadW1, map[string]any{"level": 9}), http.StatusBadRequest, queue.EINVALID, "1..5")
	wantError(t, f.do("POST", path, secPadW1, map[string]any{"level": 2, "comment": "x"}), http.StatusBadRequest, queue.EINVALID, `"comment"`)
	wantError(t, f.do("POST", "/api/v1/tickets/987654/rating", secPadW1, map[string]any{"level": 5}), http.StatusNotFound, queue.ENOTFOUND)

	var out ticketAnswer
	want(t, f.do("POST", path, secPadW1, map[string]any{"level": 2, "reasons": []string{"等候时间长"}}), http.StatusOK, &out)
	if r := out.Ticket.Rating; r == nil || r.Level != queue.Dissatisfied || len(r.Reasons) != 1 || r.By != "pad:p1" {
		t.Fatalf("rating %+v", out.Ticket.Rating)
	}
	wantError(t, f.do("POST", path, secPadW1, map[string]any{"level": 5}), http.StatusConflict, queue.ECONFLICT, "已评价过")

	// The rating window closes 30 minutes after completion.
	b := f.issue("petition")
	f.cmd(secStaffW1, "w1", "call-next", nil)
	f.cmd(secStaffW1, "w1", "complete", nil)
	f.clock.Advance(queue.RateWindow + time.Minute)
	wantError(t, f.do("POST", "/api/v1/tickets/"+strconv.FormatUint(b.Ticket.ID, 10)+"/rating", secPadW1, map[string]any{"level": 4}),
		http.StatusConflict, queue.ECONFLICT, "超过评价时间")
}
