package queue

import (
	"context"
	"time"
)

// Tx is one command's part of the batch the engine's writer is deciding,
// for the rest of the domain: the case book registers a case, links a
// visit or moves a case in the same bbolt transaction as the ticket that
// brought it, and its events go into the same log. A Tx is valid only
// inside the function given to Engine.Do (or to a Follower) and only on
// the writer goroutine: never keep it.
type Tx struct{ t *txn }

// Do runs fn on the writer, in the current batch, and returns its result.
// What fn writes (Write) and emits (Emit) commits with the batch, or not
// at all. When fn returns an error its events and writes are dropped;
// changes it made to the queue (Issue) are not undone, so fn makes them
// last, after everything that can fail. fn must not block: it holds up
// every other command of the hall.
func (e *Engine) Do(ctx context.Context, fn func(*Tx) (any, error)) (any, error) {
	return e.exec(ctx, func(t *txn) (any, error) {
		m := t.mark()
		v, err := fn(&Tx{t: t})
		if err != nil {
			t.rollback(m)
		}
		return v, err
	})
}

// Follower is told of every ticket event whose ticket belongs to a case,
// inside the transaction of the event, so that what serving a ticket means
// for its case (received at the counter that started it; a transfer
// proposed as a route) commits with it. Follow must not fail the ticket's
// command: it writes what it can and logs the rest.
type Follower interface {
	Follow(tx *Tx, ev *Event)
}

// Now is the time the batch runs at (never before a time already seen).
func (tx *Tx) Now() time.Time { return tx.t.now }

// Write adds a record of another domain package to the batch, under a key
// that Pending finds until the batch commits (a case under its code). The
// store must know the record's type.
func (tx *Tx) Write(key string, v any) {
	tx.t.writes = append(tx.t.writes, pendingWrite{key: key, v: v})
}

// Keep holds a value under key for the later commands of this batch
// without writing it (the last case sequence number a command used).
func (tx *Tx) Keep(key string, v any) {
	tx.t.writes = append(tx.t.writes, pendingWrite{key: key, v: v, keep: true})
}

// Pending returns the latest record written (or kept) under key in this
// batch and not yet committed: a later command of the same batch reads it instead
// of the store's older copy.
func (tx *Tx) Pending(key string) (any, bool) {
	for i := len(tx.t.writes) - 1; i >= 0; i-- {
		if tx.t.writes[i].key == key {
			return tx.t.writes[i].v, true
		}
	}
	return nil, false
}

// Emit appends a case step's event to the log.
func (tx *Tx) Emit(actor string, step CaseStep) {
	t := tx.t
	t.meta.LastEventSeq++
	t.events = append(t.events, Event{Seq: t.meta.LastEventSeq, Time: t.now, Type: CaseEvent(step.Step), Actor: actor, Case: &step})
}
