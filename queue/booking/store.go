package booking

import (
	"context"
	"time"

	"yiting/queue/cases"
)

// Store reads the diary. The diary writes through the engine (Runner):
// *Write values go into the engine's batch (queue.Batch.Writes) and the
// store writes each in the batch's transaction, deriving its indexes
// (slot counts, codes, days, visitors) from the record it replaces, so
// they cannot drift from the bookings. Every method is one read
// transaction; a missing booking matches queue.ErrNotFound; errors of the
// disk wrap queue.ErrUnavailable. Methods are safe for concurrent use.
type Store interface {
	// Booking returns the booking of an id.
	Booking(ctx context.Context, id string) (*Booking, error)
	// BookingByCode returns the booking holding a code's key
	// (codeKey), and the index of the party it belongs to.
	BookingByCode(ctx context.Context, key string) (*Booking, int, error)
	// BookingsOf returns the bookings of a visitor key on a day.
	BookingsOf(ctx context.Context, visitorKey string, day cases.Date) ([]*Booking, error)
	// BookingsOfCase returns the bookings made for a case, by start.
	BookingsOfCase(ctx context.Context, code string) ([]*Booking, error)
	// EachBooking calls fn for the bookings of the days from..to
	// (inclusive), cancelled ones included, by day.
	EachBooking(ctx context.Context, from, to cases.Date, fn func(*Booking) error) error
	// Taken is how many active bookings hold the slot of a plan starting
	// at start.
	Taken(ctx context.Context, plan string, start time.Time) (int, error)
	// BookingByIdem returns the id booked under a hashed idempotency key,
	// or "".
	BookingByIdem(ctx context.Context, key string) (string, error)
	// EachTaken calls fn, by start, for the slots of a plan starting
	// from..to (inclusive) that active bookings hold, with how many.
	EachTaken(ctx context.Context, plan string, from, to time.Time, fn func(start time.Time, n int) error) error
	// PlanEdits returns the plans' edits (PlanWrite) and their version.
	PlanEdits(ctx context.Context) ([]Edit, uint64, error)
	// PlansVersion is the plans' version: how many PlanWrites have been
	// committed (0 before the first).
	PlansVersion(ctx context.Context) (uint64, error)
}

// Write is one command's write of a booking. New: the booking is new (its
// id must not exist). IdemKey, if set, records the hashed idempotency key
// of the command that made it.
type Write struct {
	Booking *Booking
	New     bool
	IdemKey string
}
