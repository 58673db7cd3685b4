package queue

import (
	"fmt"
	"time"
)

// Status is where a ticket stands in its lifecycle:
//
//	waiting → called → serving → done
//	called → noshow (→ waiting again the same day, by a clerk)
//	called/serving → parked (→ waiting, directed to the counter that parked it)
//	waiting/called/serving → transferred → waiting (original arrival kept)
//	waiting/parked → cancelled; anything unfinished at day's end → expired
type Status string

// Ticket statuses.
const (
	StatusWaiting   Status = "waiting"
	StatusCalled    Status = "called"
	StatusServing   Status = "serving"
	StatusDone      Status = "done"
	StatusNoShow    Status = "noshow"
	StatusParked    Status = "parked"
	StatusCancelled Status = "cancelled"
	StatusExpired   Status = "expired"
)

// Finished reports whether nothing more happens to a ticket in this status
// today (a no-show may still be reactivated by a clerk).
func (s Status) Finished() bool {
	switch s {
	case StatusDone, StatusNoShow, StatusCancelled, StatusExpired:
		return true
	}
	return false
}

// Visitor is what a ticket carries about its holder. Personal data (the
// card's name and number) is never stored on a ticket: only a keyed hash
// to recognise a returning visitor and the masked name for screens.
type Visitor struct {
	Key        string `json:"key,omitempty"`         // keyed hash of the ID number
	MaskedName string `json:"masked_name,omitempty"` // 张*三
}

// Ticket is one visitor's place in the queue for one business day.
type Ticket struct {
	ID        uint64  `json:"id"`     // unique for ever, never reused
	Number    string  `json:"number"` // "A001"; unique per service per business day
	Seq       int     `json:"seq"`    // 1 for A001
	Day       string  `json:"day"`    // business day, "2006-01-02" in the hall's zone
	ServiceID string  `json:"service"`
	Priority  string  `json:"priority,omitempty"` // priority class id, "" for normal
	Status    Status  `json:"status"`
	Visitor   Visitor `json:"visitor,omitzero"`
	Kiosk     string  `json:"kiosk,omitempty"`     // who issued it
	CaseCode  string  `json:"case_code,omitempty"` // the matter it belongs to (一件一码)

	IssuedAt  time.Time `json:"issued_at"`
	ArrivedAt time.Time `json:"arrived_at"`          // place in the queue; kept across transfers
	CalledAt  time.Time `json:"called_at,omitzero"`  // latest call
	FirstCall time.Time `json:"first_call,omitzero"` // first call, for the wait time
	StartedAt time.Time `json:"started_at,omitzero"`
	DoneAt    time.Time `json:"done_at,omitzero"`

	CounterID     string  `json:"counter,omitempty"`        // the counter that called or serves it
	StaffID       string  `json:"staff,omitempty"`          // who called or serves it
	TargetCounter string  `json:"target_counter,omitempty"` // only this counter may call it
	Recalls       int     `json:"recalls,omitempty"`
	Transfers     int     `json:"transfers,omitempty"`
	Note          string  `json:"note,omitempty"` // park, cancel or out-of-order reason
	Rating        *Rating `json:"rating,omitempty"`

	// Appointment is the booked time of an appointment ticket (issued on
	// arrival for a booking, queue/booking), zero for a walk-in. Call-next
	// takes it before walk-ins once this time has come, never before
	// (appointment.go).
	Appointment time.Time `json:"appointment,omitzero"`
	// Booking is the id of its booking — never the code the visitor
	// types, which is a secret.
	Booking string `json:"booking,omitempty"`

	qi int // index in the engine's waiting queue; -1 when in none
}

// Durations of a ticket: wait (issue → first call), walk (call → start)
// and service (start → done). Zero where the step has not happened.
type Durations struct {
	Wait    time.Duration `json:"wait"`
	Walk    time.Duration `json:"walk"`
	Service time.Duration `json:"service"`
}

// Durations returns the ticket's durations so far.
func (t *Ticket) Durations() Durations {
	var d Durations
	if !t.FirstCall.IsZero() {
		d.Wait = t.FirstCall.Sub(t.IssuedAt)
	}
	if !t.StartedAt.IsZero() && !t.CalledAt.IsZero() {
		d.Walk = t.StartedAt.Sub(t.CalledAt)
	}
	if !t.DoneAt.IsZero() && !t.StartedAt.IsZero() {
		d.Service = t.DoneAt.Sub(t.StartedAt)
	}
	return d
}

// FormatNumber gives the displayed number: prefix and at least three
// digits (A001 … A999, then A1000).
func FormatNumber(prefix string, seq int) string {
	return fmt.Sprintf("%s%03d", prefix, seq)
}
