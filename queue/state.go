package queue

import (
	"crypto/sha256"
	"strconv"
)

// qkey names one waiting queue: a service's priority or normal tickets.
type qkey struct {
	service  string
	priority bool
}

// idemKey is an idempotency key as memory keeps it: 128 bits of the
// SHA-256 of "issuer|key", so that a busy day's keys cost 16 bytes each.
type idemKey [16]byte

func hashIdem(k string) idemKey {
	sum := sha256.Sum256([]byte(k))
	return idemKey(sum[:16])
}

// state is the engine's memory: the current business day's tickets and
// the indexes that make call-next cheap. It is rebuilt from the store at
// start and after a failed commit. Only the engine's writer changes it,
// holding the engine's lock.
//
// A busy day can hold tens of thousands of tickets, so the indexes are
// lean: tickets by id are a slice (ids of a day are consecutive from
// meta.DayStartID), numbers resolve through their prefix and sequence.
type state struct {
	hall     *Hall
	meta     Meta
	base     uint64              // id of day[0]
	day      []*Ticket           // today's tickets by id - base
	byPrefix map[string][]uint64 // ticket prefix → ids by number - 1
	queues   map[qkey]*waitq     // waiting, not directed to a counter
	directed map[string]*waitq   // counter id → waiting tickets only it may call
	appts    map[string]*waitq   // apptKey → waiting appointment tickets, by booked time
	counters map[string]*CounterState
	numbers  map[string]int     // service → last number today
	idem     map[idemKey]uint64 // issuer|key → ticket id, today
	// orphans are today's unfinished tickets of a service or at a
	// counter no longer in the hall file; the first batch settles them
	// (orphans.go).
	orphans []*Ticket
}

func newState(h *Hall, snap *Snapshot) *state {
	s := &state{
		hall:     h,
		meta:     snap.Meta,
		base:     snap.Meta.DayStartID,
		byPrefix: map[string][]uint64{},
		queues:   map[qkey]*waitq{},
		directed: map[string]*waitq{},
		appts:    map[string]*waitq{},
		counters: map[string]*CounterState{},
		numbers:  map[string]int{},
		idem:     map[idemKey]uint64{},
	}
	for _, sv := range h.Services {
		s.queues[qkey{sv.ID, true}] = newWaitq()
		s.queues[qkey{sv.ID, false}] = newWaitq()
		s.appts[apptServiceKey(sv.ID)] = newApptq()
	}
	for _, c := range h.Counters {
		s.directed[c.ID] = newWaitq()
		s.appts[c.ID] = newApptq()
		s.counters[c.ID] = &CounterState{ID: c.ID, Status: CounterClosed, Day: snap.Meta.Day}
	}
	for _, cs := range snap.Counters {
		if _, ok := s.counters[cs.ID]; ok { // a counter removed from the configuration is forgotten
			s.counters[cs.ID] = cs
		}
	}
	for _, t := range snap.Tickets {
		s.add(t)
		switch {
		case t.Status.Finished():
		case s.orphaned(t):
			s.orphans = append(s.orphans, t)
		case t.Status == StatusWaiting:
			s.enqueue(t)
		}
	}
	for k, v := range snap.Numbers {
		s.numbers[k] = v
	}
	for k, v := range snap.Idem {
		s.idem[hashIdem(k)] = v
	}
	return s
}

// add makes a ticket of the current day findable by id and number.
func (s *state) add(t *Ticket) {
	if t.ID < s.base {
		return // not of this day: the store keeps it
	}
	i := int(t.ID - s.base)
	for len(s.day) <= i {
		s.day = append(s.day, nil)
	}
	s.day[i] = t
	if prefix, seq, ok := splitNumber(t.Number); ok {
		ids := s.byPrefix[prefix]
		for len(ids) < seq {
			ids = append(ids, 0)
		}
		ids[seq-1] = t.ID
		s.byPrefix[prefix] = ids
	}
}

// ticket returns today's ticket of that id, or nil.
func (s *state) ticket(id uint64) *Ticket {
	if id < s.base || id-s.base >= uint64(len(s.day)) {
		return nil
	}
	return s.day[id-s.base]
}

// byNumber returns today's ticket of that number ("A012"), or nil.
func (s *state) byNumber(number string) *Ticket {
	prefix, seq, ok := splitNumber(number)
	if !ok {
		return nil
	}
	ids := s.byPrefix[prefix]
	if seq > len(ids) {
		return nil
	}
	return s.ticket(ids[seq-1])
}

// each calls fn for today's tickets in id order.
func (s *state) each(fn func(*Ticket)) {
	for _, t := range s.day {
		if t != nil {
			fn(t)
		}
	}
}

// newDay forgets the tickets of the day before; base is the first id of
// the new day.
func (s *state) newDay(base uint64) {
	s.base = base
	s.day = nil
	s.byPrefix = map[string][]uint64{}
	s.numbers = map[string]int{}
	s.idem = map[idemKey]uint64{}
}

// splitNumber splits "A012" into "A" and 12.
func splitNumber(n string) (prefix string, seq int, ok bool) {
	if len(n) < 2 || n[0] < 'A' || n[0] > 'Z' {
		return "", 0, false
	}
	seq, err := strconv.Atoi(n[1:])
	if err != nil || seq < 1 || seq > 1_000_000 {
		return "", 0, false
	}
	return n[:1], seq, true
}

// enqueue puts a waiting ticket where call-next finds it. A ticket whose
// service or target counter is no longer configured goes to its service
// queue, or stays findable by number only.
func (s *state) enqueue(t *Ticket) {
	if !t.Appointment.IsZero() {
		if q, ok := s.appts[apptKey(t)]; ok {
			q.push(t)
			return
		}
	}
	if q, ok := s.directed[t.TargetCounter]; ok && t.TargetCounter != "" {
		q.push(t)
		return
	}
	if q, ok := s.queues[qkey{t.ServiceID, t.Priority != ""}]; ok {
		q.push(t)
	}
}

// dequeue takes a ticket out of whichever queue holds it.
func (s *state) dequeue(t *Ticket) {
	if !t.Appointment.IsZero() {
		if q, ok := s.appts[apptKey(t)]; ok && q.remove(t) {
			return
		}
	}
	if q, ok := s.directed[t.TargetCounter]; ok && q.remove(t) {
		return
	}
	if q, ok := s.queues[qkey{t.ServiceID, t.Priority != ""}]; ok {
		q.remove(t)
	}
}

// waiting counts the tickets waiting for a service, directed ones included.
func (s *state) waiting(service string) int {
	n := s.queues[qkey{service, true}].Len() + s.queues[qkey{service, false}].Len()
	for _, qs := range []map[string]*waitq{s.directed, s.appts} {
		for _, q := range qs {
			for _, t := range q.items {
				if t.ServiceID == service {
					n++
				}
			}
		}
	}
	return n
}

// ahead estimates how many tickets will be called before t: those of its
// service in its own queue before it and, for a normal ticket, every
// waiting priority ticket of the service. Fairness and aging can only
// bring a normal ticket forward, so this never understates the wait by
// much and it is what the ticket shows.
func (s *state) ahead(t *Ticket) int {
	if t.Status != StatusWaiting {
		return 0
	}
	if !t.Appointment.IsZero() {
		if q, ok := s.appts[apptKey(t)]; ok {
			return q.countBefore(t)
		}
	}
	if q, ok := s.directed[t.TargetCounter]; ok && t.TargetCounter != "" {
		return q.countBefore(t)
	}
	n := 0
	if q, ok := s.queues[qkey{t.ServiceID, t.Priority != ""}]; ok {
		n = q.countBefore(t)
	}
	if q := s.queues[qkey{t.ServiceID, true}]; q != nil && t.Priority == "" {
		n += q.Len()
	}
	return n
}
