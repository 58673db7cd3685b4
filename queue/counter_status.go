package queue

import (
	"context"
	"strings"
)

// OpenCounter opens (or resumes) a counter for calls.
func (e *Engine) OpenCounter(ctx context.Context, p Principal, counterID string) (*CounterState, error) {
	return e.setCounter(ctx, p, counterID, CounterOpen, "")
}

// PauseCounter stops calls at a counter for a while, with a reason that
// the console and the supervisor see ("午休", "外出调查").
func (e *Engine) PauseCounter(ctx context.Context, p Principal, counterID, reason string) (*CounterState, error) {
	if err := checkReason(reason, true); err != nil {
		return nil, err
	}
	return e.setCounter(ctx, p, counterID, CounterPaused, strings.TrimSpace(reason))
}

// CloseCounter closes a counter. Tickets directed to it go back to their
// service's queue at their original place, so nobody waits for a counter
// that will not call them.
func (e *Engine) CloseCounter(ctx context.Context, p Principal, counterID string) (*CounterState, error) {
	return e.setCounter(ctx, p, counterID, CounterClosed, "")
}

func (e *Engine) setCounter(ctx context.Context, p Principal, counterID string, to CounterStatus, reason string) (*CounterState, error) {
	var out CounterState
	_, err := e.counterCmd(ctx, p, counterID, func(tx *txn, c Counter, cs *CounterState) (*Ticket, error) {
		if to != CounterOpen && cs.Current != 0 {
			if t := tx.st.ticket(cs.Current); t != nil {
				return nil, Errorf(ECONFLICT, "%s正在办理%s，请先完成、过号或挂起 (finish the current ticket first)", c.Name, t.Number)
			}
		}
		if cs.Status == to && cs.PauseReason == reason {
			out = *cs
			return nil, nil // nothing changes: no event
		}
		cs.Status = to
		cs.PauseReason = reason
		if to == CounterOpen {
			cs.StaffID = p.Actor()
		}
		if to == CounterClosed {
			q := tx.st.directed[c.ID]
			for q.Len() > 0 {
				t := q.head()
				q.remove(t)
				t.TargetCounter = ""
				tx.st.enqueue(t)
				tx.emit(EventTransferred, p.Actor(), c.Name+"已关闭 (counter closed)", t, nil)
			}
			// Appointment tickets booked for it wait for any counter of
			// their service, still by their booked time.
			for q := tx.st.appts[c.ID]; q.Len() > 0; {
				t := q.head()
				q.remove(t)
				t.TargetCounter = ""
				tx.st.enqueue(t)
				tx.emit(EventTransferred, p.Actor(), c.Name+"已关闭 (counter closed)", t, nil)
			}
		}
		tx.emit(EventCounter, p.Actor(), reason, nil, cs)
		out = *cs
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// rollover starts a new business day: whatever was left unfinished
// yesterday expires (the hall closed; the visitor takes a new number and
// the ticket stays findable), counters close, numbering restarts.
func (e *Engine) rollover(tx *txn, day string) {
	st := tx.st
	st.each(func(t *Ticket) {
		if !t.Status.Finished() {
			st.dequeue(t)
			t.Status = StatusExpired
			t.DoneAt = tx.now
			tx.emit(EventExpired, "system", "营业日结束 (business day ended)", t, nil)
		}
	})
	for _, cs := range st.counters {
		*cs = CounterState{ID: cs.ID, Status: CounterClosed, Day: day}
		tx.emit(EventCounter, "system", "", nil, cs)
	}
	tx.dropDay = tx.meta.Day
	tx.meta.Day = day
	tx.meta.DayStartID = tx.meta.LastTicketID + 1
	st.newDay(tx.meta.DayStartID)
	tx.numbers = true
	ev := len(tx.events)
	tx.emit(EventDay, "system", "", nil, nil)
	tx.events[ev].Day = day
}
