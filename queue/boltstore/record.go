package boltstore

import (
	"encoding/json"
	"time"

	"yiting/queue"
)

// The file stores tickets and events in a compact JSON of its own rather
// than the API's: short keys and times as Unix nanoseconds. A busy day
// writes every ticket several times and a copy of it in every event, and
// the file's size is what a Pi's SD card and page cache pay for.

type ticketRec struct {
	ID        uint64        `json:"i"`
	Number    string        `json:"n"`
	Seq       int           `json:"q"`
	Day       string        `json:"d"`
	Service   string        `json:"s"`
	Priority  string        `json:"p,omitempty"`
	Status    queue.Status  `json:"x"`
	VKey      string        `json:"vk,omitempty"`
	VName     string        `json:"vn,omitempty"`
	Kiosk     string        `json:"k,omitempty"`
	CaseCode  string        `json:"cc,omitempty"`
	Issued    int64         `json:"ti,omitempty"`
	Arrived   int64         `json:"ta,omitempty"`
	Called    int64         `json:"tc,omitempty"`
	FirstCall int64         `json:"tf,omitempty"`
	Started   int64         `json:"ts,omitempty"`
	Done      int64         `json:"td,omitempty"`
	Counter   string        `json:"c,omitempty"`
	Staff     string        `json:"u,omitempty"`
	Target    string        `json:"g,omitempty"`
	Recalls   int           `json:"r,omitempty"`
	Transfers int           `json:"f,omitempty"`
	Note      string        `json:"o,omitempty"`
	Rating    *queue.Rating `json:"v,omitempty"`
	Appt      int64         `json:"ap,omitempty"` // appointment tickets: the booked time
	Booking   string        `json:"bk,omitempty"`
}

func nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

func toTicketRec(t *queue.Ticket) *ticketRec {
	return &ticketRec{
		ID: t.ID, Number: t.Number, Seq: t.Seq, Day: t.Day, Service: t.ServiceID, Priority: t.Priority, Status: t.Status,
		VKey: t.Visitor.Key, VName: t.Visitor.MaskedName, Kiosk: t.Kiosk, CaseCode: t.CaseCode,
		Issued: nanos(t.IssuedAt), Arrived: nanos(t.ArrivedAt), Called: nanos(t.CalledAt), FirstCall: nanos(t.FirstCall),
		Started: nanos(t.StartedAt), Done: nanos(t.DoneAt),
		Counter: t.CounterID, Staff: t.StaffID, Target: t.TargetCounter, Recalls: t.Recalls, Transfers: t.Transfers,
		Note: t.Note, Rating: t.Rating, Appt: nanos(t.Appointment), Booking: t.Booking,
	}
}

func (r *ticketRec) ticket() *queue.Ticket {
	return &queue.Ticket{
		ID: r.ID, Number: r.Number, Seq: r.Seq, Day: r.Day, ServiceID: r.Service, Priority: r.Priority, Status: r.Status,
		Visitor: queue.Visitor{Key: r.VKey, MaskedName: r.VName}, Kiosk: r.Kiosk, CaseCode: r.CaseCode,
		IssuedAt: fromNanos(r.Issued), ArrivedAt: fromNanos(r.Arrived), CalledAt: fromNanos(r.Called), FirstCall: fromNanos(r.FirstCall),
		StartedAt: fromNanos(r.Started), DoneAt: fromNanos(r.Done),
		CounterID: r.Counter, StaffID: r.Staff, TargetCounter: r.Target, Recalls: r.Recalls, Transfers: r.Transfers,
		Note: r.Note, Rating: r.Rating, Appointment: fromNanos(r.Appt), Booking: r.Booking,
	}
}

func encodeTicket(t *queue.Ticket) ([]byte, error) { return json.Marshal(toTicketRec(t)) }

func decodeTicket(b []byte) (*queue.Ticket, error) {
	var r ticketRec
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, err
	}
	return r.ticket(), nil
}

type eventRec struct {
	Seq     uint64              `json:"q"`
	Time    int64               `json:"t"`
	Type    queue.EventType     `json:"y"`
	Actor   string              `json:"a,omitempty"`
	Reason  string              `json:"r,omitempty"`
	Ticket  *ticketRec          `json:"k,omitempty"`
	Counter *queue.CounterState `json:"c,omitempty"`
	Day     string              `json:"d,omitempty"`
	Case    *queue.CaseStep     `json:"cs,omitempty"`
	Booking *queue.BookingStep  `json:"bs,omitempty"`
	Refusal *queue.Refusal      `json:"rf,omitempty"`
}

func encodeEvent(ev *queue.Event) ([]byte, error) {
	r := eventRec{Seq: ev.Seq, Time: nanos(ev.Time), Type: ev.Type, Actor: ev.Actor, Reason: ev.Reason, Counter: ev.Counter, Day: ev.Day, Case: ev.Case, Booking: ev.Booking, Refusal: ev.Refusal}
	if ev.Ticket != nil {
		r.Ticket = toTicketRec(ev.Ticket)
	}
	return json.Marshal(&r)
}

func decodeEvent(b []byte) (queue.Event, error) {
	var r eventRec
	if err := json.Unmarshal(b, &r); err != nil {
		return queue.Event{}, err
	}
	ev := queue.Event{Seq: r.Seq, Time: fromNanos(r.Time), Type: r.Type, Actor: r.Actor, Reason: r.Reason, Counter: r.Counter, Day: r.Day, Case: r.Case, Booking: r.Booking, Refusal: r.Refusal}
	if r.Ticket != nil {
		ev.Ticket = r.Ticket.ticket()
	}
	return ev, nil
}
