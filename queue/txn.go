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
	writes   []pendingWrite // other domain records (Tx.Write), in order
	// follow is told of each ticket event with a case (Follower); nil
	// when the engine has none or while it runs (no recursion).
	follow func(*Tx, *Event)
}

// pendingWrite is one record of another domain package, keyed so that a
// later command of the same batch reads it before it is committed.
type pendingWrite struct {
	key  string
	v    any
	keep bool // Tx.Keep: seen by later commands, not written
}

// mark is where a command's additions to the batch begin, so that a
// failed command's events and writes can be dropped (rollback).
type mark struct {
	events, writes int
	seq            uint64
}

func (tx *txn) mark() mark {
	return mark{events: len(tx.events), writes: len(tx.writes), seq: tx.meta.LastEventSeq}
}

// rollback drops the events and writes added since m. Changes a command
// made to tickets and counters are not undone: commands make them last,
// after everything that can fail.
func (tx *txn) rollback(m mark) {
	tx.events = tx.events[:m.events]
	tx.writes = tx.writes[:m.writes]
	tx.meta.LastEventSeq = m.seq
}

func newTxn(st *state, now time.Time) *txn {
	m := st.meta
	if now.After(m.LastSeen) {
		m.LastSeen = now
	}
	return &txn{st: st, now: now, meta: m, tickets: map[uint64]*Ticket{}, counters: map[string]*CounterState{}, idem: map[string]uint64{}}
}

func (tx *txn) dirty() bool { return len(tx.events) > 0 || len(tx.writes) > 0 }

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
	if tx.follow != nil && t != nil && t.CaseCode != "" {
		f := tx.follow
		tx.follow = nil
		f(&Tx{t: tx}, &tx.events[len(tx.events)-1])
		tx.follow = f
	}
}

func (tx *txn) batch() *Batch {
	b := &Batch{Meta: tx.meta, Events: tx.events, Idem: tx.idem, DropDay: tx.dropDay}
	for _, w := range tx.writes {
		if !w.keep {
			b.Writes = append(b.Writes, w.v)
		}
	}
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
