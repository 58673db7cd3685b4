package queue

import "time"

// EventType names what happened.
type EventType string

// Event types. Every change of state is exactly one event, written in the
// same transaction as the change. Case steps are events too, typed
// "case.<step>" (CaseEvent) and carrying a CaseStep.
const (
	EventIssued      EventType = "ticket.issued"
	EventCalled      EventType = "ticket.called"
	EventRecalled    EventType = "ticket.recalled"
	EventStarted     EventType = "ticket.started"
	EventCompleted   EventType = "ticket.completed"
	EventNoShow      EventType = "ticket.noshow"
	EventParked      EventType = "ticket.parked"
	EventUnparked    EventType = "ticket.unparked"
	EventReactivated EventType = "ticket.reactivated"
	EventTransferred EventType = "ticket.transferred"
	EventCancelled   EventType = "ticket.cancelled"
	EventExpired     EventType = "ticket.expired"
	EventRated       EventType = "ticket.rated"
	EventCounter     EventType = "counter.changed"
	EventDay         EventType = "day.started"
)

// Event is one entry of the event log. Seq numbers have no gaps.
type Event struct {
	Seq     uint64        `json:"seq"`
	Time    time.Time     `json:"time"`
	Type    EventType     `json:"type"`
	Actor   string        `json:"actor,omitempty"`
	Reason  string        `json:"reason,omitempty"`
	Ticket  *Ticket       `json:"ticket,omitempty"`  // the ticket after the change
	Counter *CounterState `json:"counter,omitempty"` // the counter after the change
	Day     string        `json:"day,omitempty"`     // for day.started
	Case    *CaseStep     `json:"case,omitempty"`    // for case.* events (CaseEvent)
	Booking *BookingStep  `json:"booking,omitempty"` // for booking.* events (BookingEvent)
	Refusal *Refusal      `json:"refusal,omitempty"` // for county.command_refused
}
