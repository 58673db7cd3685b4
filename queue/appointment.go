package queue

import "time"

// Appointment tickets (issue 16). A visitor who booked a time (queue/booking)
// and arrives within its window gets a ticket numbered with the hall's
// appointment prefix (Hall.AppointmentPrefix, its own series a day: Q001 …)
// for the booked counter or room, or the booked service. It waits in a queue
// of its own, ordered by booked time. Call-next takes it
//
//   - before every walk-in once its time has come — before directed,
//     priority and normal tickets alike: the visitor who travelled an hour
//     for an agreed session does not queue again;
//   - never before its time while a walk-in waits: it jumps nobody; an idle
//     counter with nobody else waiting may call it early.
//
// The rules of pickNext (fairness, weights, aging) stay as they are among
// the walk-ins: an appointment call counts neither as a priority nor as a
// normal call for the fairness ratio.

// Appointment is what an issue request says of a booking: the booked time
// and the booking's id.
type Appointment struct {
	At      time.Time
	Booking string
}

// apptBefore orders appointment tickets: booked time, then arrival, then id.
func apptBefore(a, b *Ticket) bool {
	if !a.Appointment.Equal(b.Appointment) {
		return a.Appointment.Before(b.Appointment)
	}
	return before(a, b)
}

func newApptq() *waitq { return &waitq{less: apptBefore} }

// apptServiceKey names the appointment queue of a service booked without a
// counter (any counter serving it calls it); a counter's is its id.
func apptServiceKey(serviceID string) string { return "service/" + serviceID }

func apptKey(t *Ticket) string {
	if t.TargetCounter != "" {
		return t.TargetCounter
	}
	return apptServiceKey(t.ServiceID)
}

// appointmentNumbering is the key of the appointment series in the day's
// numbering: "+" and the prefix, which no service id can be.
func appointmentNumbering(h *Hall) string { return "+" + h.AppointmentPrefix }

// nextAppointment is the waiting appointment ticket the counter calls
// first whose booked time is at or before due (zero due: any), or nil: the
// earliest of the heads of the counter's own queue and of its services'.
func nextAppointment(s *state, c Counter, due time.Time) *Ticket {
	var best *Ticket
	consider := func(q *waitq) {
		t := q.head()
		if t == nil || (!due.IsZero() && t.Appointment.After(due)) {
			return
		}
		if best == nil || apptBefore(t, best) {
			best = t
		}
	}
	if q := s.appts[c.ID]; q != nil {
		consider(q)
	}
	for _, sv := range c.Services {
		if q := s.appts[apptServiceKey(sv.ServiceID)]; q != nil {
			consider(q)
		}
	}
	return best
}
