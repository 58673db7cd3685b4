package queue

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"time"
)

// ServiceQueue is the waiting count of one service.
type ServiceQueue struct {
	ServiceID  string `json:"service"`
	Waiting    int    `json:"waiting"`
	Priority   int    `json:"priority"` // of which priority tickets
	LastIssued string `json:"last_issued,omitempty"`
}

// QueueState is what boards and kiosks show: the business day, waiting
// per service, and every counter's state.
type QueueState struct {
	Day      string         `json:"day"`
	LastSeq  uint64         `json:"last_event"` // resume the event stream from here
	Services []ServiceQueue `json:"services"`
	Counters []CounterState `json:"counters"`
}

// State returns the committed queue state.
func (e *Engine) State() QueueState {
	var qs QueueState
	e.view(func(st *state) {
		qs.Day = st.meta.Day
		qs.LastSeq = st.meta.LastEventSeq
		for _, sv := range e.hall.Services {
			q := ServiceQueue{ServiceID: sv.ID, Waiting: st.waiting(sv.ID), Priority: st.queues[qkey{sv.ID, true}].Len()}
			if n := st.numbers[sv.ID]; n > 0 {
				q.LastIssued = FormatNumber(sv.Prefix, n)
			}
			qs.Services = append(qs.Services, q)
		}
		for _, c := range e.hall.Counters {
			qs.Counters = append(qs.Counters, *st.counters[c.ID])
		}
	})
	return qs
}

// TicketView is a ticket with how many stand before it.
type TicketView struct {
	Ticket
	Ahead     int       `json:"ahead"`
	Durations Durations `json:"durations"`
}

// Ticket returns a ticket by id, from memory for today and from the
// store for earlier days.
func (e *Engine) Ticket(ctx context.Context, id uint64) (TicketView, error) {
	var tv TicketView
	found := false
	e.view(func(st *state) {
		if t := st.ticket(id); t != nil {
			tv = TicketView{Ticket: *t, Ahead: st.ahead(t)}
			found = true
		}
	})
	if !found {
		t, err := e.store.Ticket(ctx, id)
		if err != nil {
			return TicketView{}, err
		}
		tv = TicketView{Ticket: *t}
	}
	tv.Durations = tv.Ticket.Durations()
	return tv, nil
}

// TicketByNumber returns today's ticket of that number ("A012").
func (e *Engine) TicketByNumber(number string) (TicketView, error) {
	number = strings.ToUpper(strings.TrimSpace(number))
	var tv TicketView
	found := false
	e.view(func(st *state) {
		if t := st.byNumber(number); t != nil {
			tv = TicketView{Ticket: *t, Ahead: st.ahead(t), Durations: t.Durations()}
			found = true
		}
	})
	if !found {
		return TicketView{}, Errorf(ENOTFOUND, "今天没有%s号 (no such ticket today)", number)
	}
	return tv, nil
}

// Tickets returns today's tickets that match, in issue order.
func (e *Engine) Tickets(match func(*Ticket) bool) []Ticket {
	var out []Ticket
	e.view(func(st *state) {
		st.each(func(t *Ticket) {
			if match == nil || match(t) {
				out = append(out, *t)
			}
		})
	})
	return out
}

// Call is a ticket's latest call to a counter, as the board shows it:
// the number and where to go, nothing of the visitor or the case.
type Call struct {
	TicketID uint64    `json:"id"`
	Number   string    `json:"number"`
	Counter  string    `json:"counter"`
	CalledAt time.Time `json:"called_at"`
}

// RecentCalls returns today's latest n calls, newest first: what a board
// that reloads shows again.
func (e *Engine) RecentCalls(n int) []Call {
	out := []Call{}
	if n <= 0 {
		return out
	}
	e.view(func(st *state) {
		st.each(func(t *Ticket) {
			if t.CalledAt.IsZero() || t.CounterID == "" {
				return
			}
			out = append(out, Call{TicketID: t.ID, Number: t.Number, Counter: t.CounterID, CalledAt: t.CalledAt})
		})
	})
	slices.SortFunc(out, func(a, b Call) int {
		if c := b.CalledAt.Compare(a.CalledAt); c != 0 {
			return c
		}
		return cmp.Compare(b.TicketID, a.TicketID)
	})
	return out[:min(n, len(out))]
}

// Counter returns the live state of one counter.
func (e *Engine) Counter(id string) (CounterState, error) {
	var cs CounterState
	found := false
	e.view(func(st *state) {
		if c, ok := st.counters[id]; ok {
			cs, found = *c, true
		}
	})
	if !found {
		return CounterState{}, Errorf(ENOTFOUND, "没有这个窗口：%q (unknown counter)", id)
	}
	return cs, nil
}

// Events returns the feed of committed events for live subscribers.
func (e *Engine) Events() *Feed { return e.feed }
