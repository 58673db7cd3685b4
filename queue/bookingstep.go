package queue

import (
	"strings"
	"time"
)

// BookingStep is what an event says of a step of a booking (queue/booking):
// booked, moved, cancelled, arrived, lapsed, no-show, reminded — or of a
// change of a plan on the appointments page (plan_changed, plan_added,
// plan_removed, plan_restored, day_closed, day_reopened: no ID, Change
// says what changed). Like a
// CaseStep it never carries personal data — no names, no ID numbers, no
// phone numbers and never the code a visitor types: the booking's record
// keeps those, sealed.
type BookingStep struct {
	ID      string    `json:"id"`                // the booking's id (not its code)
	Step    string    `json:"step"`              //
	Plan    string    `json:"plan"`              // the slot plan
	Service string    `json:"service"`           //
	Counter string    `json:"counter,omitempty"` // the booked counter or room, if any
	Start   time.Time `json:"start"`             // the slot's start after the step
	Parties int       `json:"parties"`           // persons booked
	Party   int       `json:"party,omitempty"`   // 1-based: the party the step concerns (arrival, no-show)
	Ticket  string    `json:"ticket,omitempty"`  // the appointment ticket of an arrival
	Case    string    `json:"case,omitempty"`    // the case a session was scheduled for
	Channel string    `json:"channel,omitempty"` // how it was booked
	Change  string    `json:"change,omitempty"`  // a plan's step: what changed, in Chinese ("名额 8→6")
}

const bookingEventPrefix = "booking."

// BookingEvent is the event type of a booking step.
func BookingEvent(step string) EventType { return EventType(bookingEventPrefix + step) }

// IsBooking reports whether the event type is a booking step's.
func (t EventType) IsBooking() bool { return strings.HasPrefix(string(t), bookingEventPrefix) }

// EmitBooking appends a booking step's event to the log.
func (tx *Tx) EmitBooking(actor string, step BookingStep) {
	t := tx.t
	t.meta.LastEventSeq++
	t.events = append(t.events, Event{Seq: t.meta.LastEventSeq, Time: t.now, Type: BookingEvent(step.Step), Actor: actor, Booking: &step})
}
