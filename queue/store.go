package queue

import (
	"context"
	"time"
)

// Store keeps the hall's state durably. The engine is its only writer.
type Store interface {
	// Load returns the state to rebuild memory from: the meta record, the
	// tickets with ID ≥ fromID (the current business day's and any left
	// unfinished), every counter, and the numbering and idempotency keys
	// of the meta record's business day.
	Load(ctx context.Context) (*Snapshot, error)
	// Commit writes the batch in one transaction and returns only after
	// it is on disk. On error nothing of the batch was written; errors
	// from the disk (full, I/O) wrap ErrUnavailable.
	Commit(ctx context.Context, b *Batch) error
	// Events returns up to limit events with Seq > after, in order.
	Events(ctx context.Context, after uint64, limit int) ([]Event, error)
	// Ticket returns any ticket ever issued; ErrNotFound if none.
	Ticket(ctx context.Context, id uint64) (*Ticket, error)
}

// Meta is the engine's bookkeeping, written with every batch.
type Meta struct {
	LastSeen     time.Time `json:"last_seen"`      // latest clock reading; time never goes back
	Day          string    `json:"day"`            // current business day
	DayStartID   uint64    `json:"day_start_id"`   // first ticket id of Day
	LastTicketID uint64    `json:"last_ticket_id"` //
	LastEventSeq uint64    `json:"last_event_seq"` //
}

// Snapshot is what Load returns.
type Snapshot struct {
	Meta     Meta
	Tickets  []*Ticket         // ID ≥ Meta.DayStartID, and unfinished older ones
	Counters []*CounterState   //
	Numbers  map[string]int    // service id → last number issued on Meta.Day
	Idem     map[string]uint64 // idempotency key → ticket id, for Meta.Day
}

// Batch is the set of writes of one group commit.
type Batch struct {
	Meta     Meta
	Tickets  []*Ticket       // upserts
	Counters []*CounterState // upserts
	Numbers  map[string]int  // service id → last number on Meta.Day
	Idem     map[string]uint64
	Events   []Event
	// DropDay, when set, deletes the numbering and idempotency keys of
	// that earlier business day.
	DropDay string
	// Writes are the records of the rest of the domain (the case book's
	// cases.Write …) made by commands run through Engine.Do, in the order
	// they were made. The store writes each in the same transaction; a
	// type it does not know fails the commit.
	Writes []any
}
