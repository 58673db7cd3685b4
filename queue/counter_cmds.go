package queue

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// counterCmd runs fn for a counter the principal may operate, with the
// counter's configuration and live state.
func (e *Engine) counterCmd(ctx context.Context, p Principal, counterID string, fn func(tx *txn, c Counter, cs *CounterState) (*Ticket, error)) (*Ticket, error) {
	c, ok := e.hall.Counter(counterID)
	if !ok {
		return nil, Errorf(ENOTFOUND, "没有这个窗口：%q (unknown counter)", counterID)
	}
	if !p.CanOperate(counterID) {
		return nil, Errorf(EFORBIDDEN, "您没有操作%s的权限 (not your counter)", c.Name)
	}
	v, err := e.exec(ctx, func(tx *txn) (any, error) {
		return fn(tx, c, tx.st.counters[c.ID])
	})
	if err != nil {
		return nil, err
	}
	t, _ := v.(*Ticket)
	return t, nil
}

// current returns the ticket the counter has called or is serving.
func current(tx *txn, c Counter, cs *CounterState) (*Ticket, error) {
	t := tx.st.ticket(cs.Current)
	if cs.Current == 0 || t == nil {
		return nil, Errorf(ECONFLICT, "%s当前没有正在办理的号 (no current ticket at this counter)", c.Name)
	}
	return t, nil
}

func checkReason(reason string, required bool) error {
	reason = strings.TrimSpace(reason)
	if required && reason == "" {
		return Errorf(EINVALID, "请填写原因 (a reason is required)")
	}
	if utf8.RuneCountInString(reason) > 200 {
		return Errorf(EINVALID, "原因太长，最多200字 (reason too long)")
	}
	return nil
}

func copyOf(t *Ticket) *Ticket {
	if t == nil {
		return nil
	}
	cp := *t
	return &cp
}

// call makes t the counter's current ticket.
func call(tx *txn, t *Ticket, c Counter, cs *CounterState, actor, reason string, typ EventType) {
	tx.st.dequeue(t)
	t.Status = StatusCalled
	t.CalledAt = tx.now
	if t.FirstCall.IsZero() {
		t.FirstCall = tx.now
	}
	t.DoneAt = time.Time{}
	t.CounterID = c.ID
	t.StaffID = actor
	t.TargetCounter = ""
	if reason != "" {
		t.Note = reason
	}
	cs.Current = t.ID
	tx.emit(typ, actor, reason, t, cs)
}

// CallNext calls the next ticket for the counter by the rules of
// pickNext. It returns nil and no error when nobody waits. The counter
// must be open and have no current ticket.
func (e *Engine) CallNext(ctx context.Context, p Principal, counterID string) (*Ticket, error) {
	return e.counterCmd(ctx, p, counterID, func(tx *txn, c Counter, cs *CounterState) (*Ticket, error) {
		if err := ready(tx, c, cs); err != nil {
			return nil, err
		}
		t := nextAppointment(tx.st, c, tx.now)
		if t == nil {
			if t = pickNext(tx.st, c, cs, e.hall.Priority); t == nil {
				// Nobody else waits: an early appointment fills the idle
				// counter rather than nobody (it jumps no one).
				t = nextAppointment(tx.st, c, time.Time{})
			}
			if t == nil {
				return nil, nil
			}
		}
		switch {
		case !t.Appointment.IsZero(): // neither a priority nor a normal call
		case t.Priority != "":
			cs.Streak++
		default:
			cs.Streak = 0
		}
		call(tx, t, c, cs, p.Actor(), "", EventCalled)
		return copyOf(t), nil
	})
}

// ready checks that a counter may call a ticket.
func ready(tx *txn, c Counter, cs *CounterState) error {
	switch cs.Status {
	case CounterClosed:
		return Errorf(ECONFLICT, "%s未开启，请先开启窗口 (counter closed)", c.Name)
	case CounterPaused:
		return Errorf(ECONFLICT, "%s已暂停，请先恢复 (counter paused)", c.Name)
	}
	if t := tx.st.ticket(cs.Current); cs.Current != 0 && t != nil {
		return Errorf(ECONFLICT, "%s正在办理%s，请先完成、过号或挂起 (finish the current ticket first)", c.Name, t.Number)
	}
	return nil
}

// CallTicket calls a ticket out of order by its number today — a waiting
// ticket of a service the counter serves, a parked one, or a no-show
// coming back. The reason is recorded with who called it.
func (e *Engine) CallTicket(ctx context.Context, p Principal, counterID, number, reason string) (*Ticket, error) {
	if err := checkReason(reason, true); err != nil {
		return nil, err
	}
	return e.counterCmd(ctx, p, counterID, func(tx *txn, c Counter, cs *CounterState) (*Ticket, error) {
		if err := ready(tx, c, cs); err != nil {
			return nil, err
		}
		t, err := today(tx, number)
		if err != nil {
			return nil, err
		}
		if _, ok := c.Serves(t.ServiceID); !ok && t.TargetCounter != c.ID {
			return nil, Errorf(ECONFLICT, "%s不办理%s的业务，请转移 (counter does not serve this ticket's service)", c.Name, t.Number)
		}
		switch t.Status {
		case StatusWaiting, StatusParked, StatusNoShow:
		default:
			return nil, Errorf(ECONFLICT, "%s当前状态为%s，不能呼叫 (ticket cannot be called now)", t.Number, statusName(t.Status))
		}
		call(tx, t, c, cs, p.Actor(), strings.TrimSpace(reason), EventCalled)
		return copyOf(t), nil
	})
}

// Recall calls the current ticket again. Past the hall's recall limit
// the ticket becomes a no-show instead.
func (e *Engine) Recall(ctx context.Context, p Principal, counterID string) (*Ticket, error) {
	return e.counterCmd(ctx, p, counterID, func(tx *txn, c Counter, cs *CounterState) (*Ticket, error) {
		t, err := current(tx, c, cs)
		if err != nil {
			return nil, err
		}
		if t.Status != StatusCalled {
			return nil, Errorf(ECONFLICT, "%s已开始办理，无需重呼 (already being served)", t.Number)
		}
		if lim := e.hall.RecallLimit; lim > 0 && t.Recalls >= lim {
			t.Status = StatusNoShow
			t.DoneAt = tx.now
			cs.Current = 0
			tx.emit(EventNoShow, p.Actor(), "重呼次数已满 (recall limit reached)", t, cs)
			return copyOf(t), nil
		}
		t.Recalls++
		t.CalledAt = tx.now
		tx.emit(EventRecalled, p.Actor(), "", t, cs)
		return copyOf(t), nil
	})
}

// Start records that the called visitor has arrived at the counter.
func (e *Engine) Start(ctx context.Context, p Principal, counterID string) (*Ticket, error) {
	return e.counterCmd(ctx, p, counterID, func(tx *txn, c Counter, cs *CounterState) (*Ticket, error) {
		t, err := current(tx, c, cs)
		if err != nil {
			return nil, err
		}
		if t.Status != StatusCalled {
			return nil, Errorf(ECONFLICT, "%s已在办理中 (already being served)", t.Number)
		}
		t.Status = StatusServing
		t.StartedAt = tx.now
		t.StaffID = p.Actor()
		tx.emit(EventStarted, p.Actor(), "", t, cs)
		return copyOf(t), nil
	})
}

// Complete finishes the current ticket. A called ticket may be completed
// directly (the visitor came and was served in one go).
func (e *Engine) Complete(ctx context.Context, p Principal, counterID string) (*Ticket, error) {
	return e.counterCmd(ctx, p, counterID, func(tx *txn, c Counter, cs *CounterState) (*Ticket, error) {
		t, err := current(tx, c, cs)
		if err != nil {
			return nil, err
		}
		if t.StartedAt.IsZero() {
			t.StartedAt = tx.now
		}
		t.Status = StatusDone
		t.DoneAt = tx.now
		t.StaffID = p.Actor()
		cs.Current = 0
		if cs.Day == tx.meta.Day {
			cs.Served++
		} else {
			cs.Day, cs.Served = tx.meta.Day, 1
		}
		tx.emit(EventCompleted, p.Actor(), "", t, cs)
		return copyOf(t), nil
	})
}

// NoShow marks the called visitor as not having come. A clerk may
// reactivate the ticket later the same day.
func (e *Engine) NoShow(ctx context.Context, p Principal, counterID string) (*Ticket, error) {
	return e.counterCmd(ctx, p, counterID, func(tx *txn, c Counter, cs *CounterState) (*Ticket, error) {
		t, err := current(tx, c, cs)
		if err != nil {
			return nil, err
		}
		if t.Status != StatusCalled {
			return nil, Errorf(ECONFLICT, "%s已在办理中，不能记为过号 (already being served)", t.Number)
		}
		t.Status = StatusNoShow
		t.DoneAt = tx.now
		cs.Current = 0
		tx.emit(EventNoShow, p.Actor(), "", t, cs)
		return copyOf(t), nil
	})
}

// Park holds the current ticket with a reason (the visitor went to fetch
// a document); Unpark returns it to this counter's queue, at its original
// place.
func (e *Engine) Park(ctx context.Context, p Principal, counterID, reason string) (*Ticket, error) {
	if err := checkReason(reason, true); err != nil {
		return nil, err
	}
	return e.counterCmd(ctx, p, counterID, func(tx *txn, c Counter, cs *CounterState) (*Ticket, error) {
		t, err := current(tx, c, cs)
		if err != nil {
			return nil, err
		}
		t.Status = StatusParked
		t.Note = strings.TrimSpace(reason)
		t.CounterID = c.ID
		cs.Current = 0
		tx.emit(EventParked, p.Actor(), t.Note, t, cs)
		return copyOf(t), nil
	})
}

// Unpark puts a ticket parked at this counter back in its queue, directed
// to this counter, at its original place.
func (e *Engine) Unpark(ctx context.Context, p Principal, counterID, number string) (*Ticket, error) {
	return e.counterCmd(ctx, p, counterID, func(tx *txn, c Counter, cs *CounterState) (*Ticket, error) {
		t, err := today(tx, number)
		if err != nil {
			return nil, err
		}
		if t.Status != StatusParked {
			return nil, Errorf(ECONFLICT, "%s没有被挂起 (ticket is not parked)", t.Number)
		}
		t.Status = StatusWaiting
		t.TargetCounter = c.ID
		tx.st.enqueue(t)
		tx.emit(EventUnparked, p.Actor(), "", t, nil)
		return copyOf(t), nil
	})
}

// Reactivate puts a no-show ticket of today back in its service's queue
// at its original place: the visitor stepped out and came back.
func (e *Engine) Reactivate(ctx context.Context, p Principal, counterID, number string) (*Ticket, error) {
	return e.counterCmd(ctx, p, counterID, func(tx *txn, c Counter, cs *CounterState) (*Ticket, error) {
		t, err := today(tx, number)
		if err != nil {
			return nil, err
		}
		if t.Status != StatusNoShow {
			return nil, Errorf(ECONFLICT, "%s不是过号状态 (ticket is not a no-show)", t.Number)
		}
		t.Status = StatusWaiting
		t.DoneAt = time.Time{}
		t.Recalls = 0
		tx.st.enqueue(t)
		tx.emit(EventReactivated, p.Actor(), "", t, nil)
		return copyOf(t), nil
	})
}

// TransferTo says where a ticket goes: another service, a named counter,
// or both (the counter must serve the service).
type TransferTo struct {
	ServiceID string
	CounterID string
	Reason    string
}

// Transfer sends the current ticket on, keeping its original arrival so
// the visitor does not start again at the back (只跑一次).
func (e *Engine) Transfer(ctx context.Context, p Principal, counterID string, to TransferTo) (*Ticket, error) {
	if to.ServiceID == "" && to.CounterID == "" {
		return nil, Errorf(EINVALID, "请选择转往的业务或窗口 (transfer needs a service or a counter)")
	}
	if err := checkReason(to.Reason, false); err != nil {
		return nil, err
	}
	var target Counter
	if to.CounterID != "" {
		var ok bool
		if target, ok = e.hall.Counter(to.CounterID); !ok {
			return nil, Errorf(ENOTFOUND, "没有这个窗口：%q (unknown counter)", to.CounterID)
		}
	}
	if to.ServiceID != "" {
		if _, ok := e.hall.Service(to.ServiceID); !ok {
			return nil, Errorf(ENOTFOUND, "没有这项服务：%q (unknown service)", to.ServiceID)
		}
	}
	return e.counterCmd(ctx, p, counterID, func(tx *txn, c Counter, cs *CounterState) (*Ticket, error) {
		t, err := current(tx, c, cs)
		if err != nil {
			return nil, err
		}
		service := t.ServiceID
		if to.ServiceID != "" {
			service = to.ServiceID
		}
		if to.CounterID != "" {
			if _, ok := target.Serves(service); !ok {
				return nil, Errorf(EINVALID, "%s不办理该业务 (target counter does not serve the service)", target.Name)
			}
		}
		if to.CounterID == c.ID {
			return nil, Errorf(EINVALID, "不能转给本窗口 (cannot transfer to the same counter)")
		}
		t.Status = StatusWaiting
		t.ServiceID = service
		t.TargetCounter = to.CounterID
		t.Transfers++
		t.StartedAt = time.Time{}
		t.Recalls = 0
		cs.Current = 0
		tx.st.enqueue(t)
		tx.emit(EventTransferred, p.Actor(), strings.TrimSpace(to.Reason), t, cs)
		return copyOf(t), nil
	})
}

// Cancel withdraws a waiting or parked ticket (the visitor left, or it
// was issued by mistake).
func (e *Engine) Cancel(ctx context.Context, p Principal, counterID, number, reason string) (*Ticket, error) {
	if err := checkReason(reason, true); err != nil {
		return nil, err
	}
	return e.counterCmd(ctx, p, counterID, func(tx *txn, c Counter, cs *CounterState) (*Ticket, error) {
		t, err := today(tx, number)
		if err != nil {
			return nil, err
		}
		if t.Status != StatusWaiting && t.Status != StatusParked {
			return nil, Errorf(ECONFLICT, "%s当前状态为%s，不能取消 (only waiting or parked tickets can be cancelled)", t.Number, statusName(t.Status))
		}
		tx.st.dequeue(t)
		t.Status = StatusCancelled
		t.DoneAt = tx.now
		t.Note = strings.TrimSpace(reason)
		tx.emit(EventCancelled, p.Actor(), t.Note, t, nil)
		return copyOf(t), nil
	})
}

// today finds a ticket of the current business day by its number.
func today(tx *txn, number string) (*Ticket, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	if t := tx.st.byNumber(number); t != nil {
		return t, nil
	}
	return nil, Errorf(ENOTFOUND, "今天没有%s号 (no such ticket today)", number)
}

func statusName(s Status) string {
	switch s {
	case StatusWaiting:
		return "等候中"
	case StatusCalled:
		return "已呼叫"
	case StatusServing:
		return "办理中"
	case StatusDone:
		return "已办结"
	case StatusNoShow:
		return "过号"
	case StatusParked:
		return "挂起"
	case StatusCancelled:
		return "已取消"
	case StatusExpired:
		return "已过期"
	}
	return string(s)
}
