package httpapi_test

import (
	"net/http"
	"testing"

	"yiting/queue"
)

// TestCounterCommands runs every counter command through HTTP and checks
// what the engine then holds.
func TestCounterCommands(t *testing.T) {
	f := newFixture(t)

	var open struct {
		Counter queue.CounterState `json:"counter"`
	}
	want(t, f.do("POST", "/api/v1/counters/w1/open", secStaffW1, nil), http.StatusOK, &open)
	if open.Counter.Status != queue.CounterOpen || open.Counter.ID != "w1" {
		t.Fatalf("open answered %+v", open.Counter)
	}
	f.open("w2")

	// Nobody waits: 200 with a null ticket, not an error.
	w := f.do("POST", "/api/v1/counters/w1/call-next", secStaffW1, nil)
	want(t, w, http.StatusOK, nil)
	if got := w.Body.String(); got != "{\"ticket\":null}\n" {
		t.Fatalf("call-next with nobody waiting answered %q", got)
	}

	a1 := f.issue("petition")
	a2 := f.issue("petition")
	a3 := f.issue("petition")
	z1 := f.issue("consult")

	check := func(step string, got *queue.Ticket, number string, status queue.Status) {
		t.Helper()
		if got == nil || got.Number != number || got.Status != status {
			t.Fatalf("%s: ticket %+v, want %s %s", step, got, number, status)
		}
		tv, err := f.eng.TicketByNumber(number)
		if err != nil || tv.Status != status {
			t.Fatalf("%s: the engine holds %s as %s (%v), want %s", step, number, tv.Status, err, status)
		}
	}

	check("call-next", f.cmd(secStaffW1, "w1", "call-next", nil), a1.Ticket.Number, queue.StatusCalled)
	tk := f.cmd(secStaffW1, "w1", "recall", nil)
	check("recall", tk, "A001", queue.StatusCalled)
	if tk.Recalls != 1 {
		t.Errorf("recalls %d after one recall", tk.Recalls)
	}
	check("start", f.cmd(secStaffW1, "w1", "start", map[string]any{}), "A001", queue.StatusServing)
	check("complete", f.cmd(secStaffW1, "w1", "complete", nil), "A001", queue.StatusDone)

	check("call-next", f.cmd(secStaffW1, "w1", "call-next", nil), a2.Ticket.Number, queue.StatusCalled)
	check("no-show", f.cmd(secStaffW1, "w1", "no-show", nil), "A002", queue.StatusNoShow)
	check("reactivate", f.cmd(secStaffW1, "w1", "reactivate", map[string]string{"number": "A002"}), "A002", queue.StatusWaiting)

	check("call out of order", f.cmd(secStaffW1, "w1", "call", map[string]string{"number": a3.Ticket.Number, "reason": "预约"}), "A003", queue.StatusCalled)
	tk = f.cmd(secStaffW1, "w1", "park", map[string]string{"reason": "回去取材料"})
	check("park", tk, "A003", queue.StatusParked)
	if tk.Note != "回去取材料" {
		t.Errorf("park reason %q not kept", tk.Note)
	}
	tk = f.cmd(secStaffW1, "w1", "unpark", map[string]string{"number": "a003"})
	check("unpark", tk, "A003", queue.StatusWaiting)
	if tk.TargetCounter != "w1" {
		t.Errorf("unparked ticket directed to %q, want w1", tk.TargetCounter)
	}

	check("call z1", f.cmd(secStaffW1, "w1", "call", map[string]string{"number": z1.Ticket.Number, "reason": "咨询"}), "Z001", queue.StatusCalled)
	tk = f.cmd(secStaffW1, "w1", "transfer", map[string]string{"counter": "w2", "reason": "请2号窗口办理"})
	check("transfer", tk, "Z001", queue.StatusWaiting)
	if tk.TargetCounter != "w2" || tk.Transfers != 1 {
		t.Errorf("transferred ticket %+v, want directed to w2 with one transfer", tk)
	}
	check("w2 calls the transferred ticket", f.cmd(secStaffW2, "w2", "call-next", nil), "Z001", queue.StatusCalled)

	check("cancel", f.cmd(secStaffW1, "w1", "cancel", map[string]string{"number": "A002", "reason": "访客离开"}), "A002", queue.StatusCancelled)

	var st struct {
		Counter queue.CounterState `json:"counter"`
	}
	want(t, f.do("POST", "/api/v1/counters/w1/pause", secStaffW1, map[string]string{"reason": "午休"}), http.StatusOK, &st)
	if st.Counter.Status != queue.CounterPaused || st.Counter.PauseReason != "午休" {
		t.Fatalf("pause answered %+v", st.Counter)
	}
	want(t, f.do("POST", "/api/v1/counters/w1/close", secStaffW1, nil), http.StatusOK, &st)
	if st.Counter.Status != queue.CounterClosed {
		t.Fatalf("close answered %+v", st.Counter)
	}
	// Closing w1 sent its directed ticket (A003) back to the petition queue.
	if tv, _ := f.eng.TicketByNumber("A003"); tv.TargetCounter != "" || tv.Status != queue.StatusWaiting {
		t.Errorf("A003 after closing w1: %+v", tv.Ticket)
	}
	if cs, _ := f.eng.Counter("w1"); cs.Status != queue.CounterClosed || cs.Served != 1 {
		t.Errorf("w1 now %+v, want closed with 1 served", cs)
	}
}

func TestCounterCommandsRefuse(t *testing.T) {
	f := newFixture(t)
	f.issue("petition")

	// Wrong state: 409 with a message that says why and what to do.
	wantError(t, f.do("POST", "/api/v1/counters/w1/call-next", secStaffW1, nil), http.StatusConflict, queue.ECONFLICT, "未开启", "counter closed")
	f.open("w1")
	wantError(t, f.do("POST", "/api/v1/counters/w1/complete", secStaffW1, nil), http.StatusConflict, queue.ECONFLICT, "当前没有正在办理的号")
	f.cmd(secStaffW1, "w1", "call-next", nil)
	wantError(t, f.do("POST", "/api/v1/counters/w1/call-next", secStaffW1, nil), http.StatusConflict, queue.ECONFLICT, "正在办理A001", "finish the current ticket first")
	wantError(t, f.do("POST", "/api/v1/counters/w1/close", secStaffW1, nil), http.StatusConflict, queue.ECONFLICT, "A001")
	wantError(t, f.do("POST", "/api/v1/counters/w1/reactivate", secStaffW1, map[string]string{"number": "A001"}), http.StatusConflict, queue.ECONFLICT, "不是过号状态")

	// Unknown counter or ticket: 404.
	wantError(t, f.do("POST", "/api/v1/counters/w9/call-next", secSuper, nil), http.StatusNotFound, queue.ENOTFOUND, "w9")
	wantError(t, f.do("POST", "/api/v1/counters/w1/cancel", secStaffW1, map[string]string{"number": "A404", "reason": "x"}), http.StatusNotFound, queue.ENOTFOUND, "A404")
	wantError(t, f.do("POST", "/api/v1/counters/w1/transfer", secStaffW1, map[string]string{"service": "divorce"}), http.StatusNotFound, queue.ENOTFOUND, "divorce")

	// Missing parameters: 400.
	wantError(t, f.do("POST", "/api/v1/counters/w1/park", secStaffW1, nil), http.StatusBadRequest, queue.EINVALID, "原因")
	wantError(t, f.do("POST", "/api/v1/counters/w1/unpark", secStaffW1, map[string]string{}), http.StatusBadRequest, queue.EINVALID, "number")
	wantError(t, f.do("POST", "/api/v1/counters/w1/transfer", secStaffW1, map[string]string{}), http.StatusBadRequest, queue.EINVALID, "transfer needs")
	// A field the command does not take is refused, not ignored.
	wantError(t, f.do("POST", "/api/v1/counters/w1/recall", secStaffW1, map[string]string{"reason": "x"}), http.StatusBadRequest, queue.EINVALID, `"reason"`)

	// Staff of w1 at w2, and a display at any counter: 403.
	wantError(t, f.do("POST", "/api/v1/counters/w2/open", secStaffW1, nil), http.StatusForbidden, queue.EFORBIDDEN, "2号窗口")
	wantError(t, f.do("POST", "/api/v1/counters/w2/call-next", secStaffW1, nil), http.StatusForbidden, queue.EFORBIDDEN, "not your counter")
	wantError(t, f.do("POST", "/api/v1/counters/w1/complete", secDisplay, nil), http.StatusForbidden, queue.EFORBIDDEN)

	if tv, _ := f.eng.TicketByNumber("A001"); tv.Status != queue.StatusCalled || tv.CounterID != "w1" {
		t.Errorf("refused commands changed A001: %+v", tv.Ticket)
	}
}
