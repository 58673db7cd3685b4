package queue

import "time"

// txn records what the commands of one batch change, for the store. The
// commands change the state directly; txn remembers which tickets and
// counters to write and the events to append.
type txn struct {
	st       *state
	now      time.Time
	meta     Meta
	tickets  map[uint64]*Ticket
	order    []uint64 // tickets in first-touched order, for stable writes
	counters map[string]*CounterState
	numbers  bool
	idem     map[string]uint64
	events   []Event
	dropDay  string
}

func newTxn(st *state, now time.Time) *txn {
	m := st.meta
	if now.After(m.LastSeen) {
		m.LastSeen = now
	}
	return &txn{st: st, now: now, meta: m, tickets: map[uint64]*Ticket{}, counters: map[string]*CounterState{}, idem: map[string]uint64{}}
}

func (tx *txn) dirty() bool { return len(tx.events) > 0 }

// touch marks a ticket for writing.
func (tx *txn) touch(t *Ticket) {
	if _, ok := tx.tickets[t.ID]; !ok {
		tx.order = append(tx.order, t.ID)
	}
	tx.tickets[t.ID] = t
}

// emit appends an event carrying copies of the ticket and counter as they
// are now, and marks both for writing.
func (tx *txn) emit(typ EventType, actor, reason string, t *Ticket, c *CounterState) {
	tx.meta.LastEventSeq++
	ev := Event{Seq: tx.meta.LastEventSeq, Time: tx.now, Type: typ, Actor: actor, Reason: reason}
	if t != nil {
		tx.touch(t)
		cp := *t
		ev.Ticket = &cp
	}
	if c != nil {
		tx.counters[c.ID] = c
		cp := *c
		ev.Counter = &cp
	}
	tx.events = append(tx.events, ev)
}

func (tx *txn) batch() *Batch {
	b := &Batch{Meta: tx.meta, Events: tx.events, Idem: tx.idem, DropDay: tx.dropDay}
	for _, id := range tx.order {
		b.Tickets = append(b.Tickets, tx.tickets[id])
	}
	for _, c := range tx.counters {
		b.Counters = append(b.Counters, c)
	}
	if tx.numbers {
		b.Numbers = tx.st.numbers
	}
	return b
}
