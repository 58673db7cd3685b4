package queue

// qkey names one waiting queue: a service's priority or normal tickets.
type qkey struct {
	service  string
	priority bool
}

// state is the engine's memory: the current business day's tickets and
// the indexes that make call-next cheap. It is rebuilt from the store at
// start and after a failed commit. Only the engine's writer changes it,
// holding the engine's lock.
type state struct {
	meta     Meta
	tickets  map[uint64]*Ticket // today's and any unfinished
	byNumber map[string]uint64  // today's number → id
	queues   map[qkey]*waitq    // waiting, not directed to a counter
	directed map[string]*waitq  // counter id → waiting tickets only it may call
	counters map[string]*CounterState
	numbers  map[string]int    // service → last number today
	idem     map[string]uint64 // kiosk|key → ticket id, today
}

func newState(h *Hall, snap *Snapshot) *state {
	s := &state{
		meta:     snap.Meta,
		tickets:  map[uint64]*Ticket{},
		byNumber: map[string]uint64{},
		queues:   map[qkey]*waitq{},
		directed: map[string]*waitq{},
		counters: map[string]*CounterState{},
		numbers:  map[string]int{},
		idem:     map[string]uint64{},
	}
	for _, sv := range h.Services {
		s.queues[qkey{sv.ID, true}] = newWaitq()
		s.queues[qkey{sv.ID, false}] = newWaitq()
	}
	for _, c := range h.Counters {
		s.directed[c.ID] = newWaitq()
		s.counters[c.ID] = &CounterState{ID: c.ID, Status: CounterClosed, Day: snap.Meta.Day}
	}
	for _, cs := range snap.Counters {
		if _, ok := s.counters[cs.ID]; ok { // a counter removed from the configuration is forgotten
			s.counters[cs.ID] = cs
		}
	}
	for _, t := range snap.Tickets {
		s.tickets[t.ID] = t
		if t.Day == snap.Meta.Day {
			s.byNumber[t.Number] = t.ID
		}
		if t.Status == StatusWaiting {
			s.enqueue(t)
		}
	}
	for k, v := range snap.Numbers {
		s.numbers[k] = v
	}
	for k, v := range snap.Idem {
		s.idem[k] = v
	}
	return s
}

// enqueue puts a waiting ticket where call-next finds it. A ticket whose
// service or target counter is no longer configured goes to its service
// queue, or stays findable by number only.
func (s *state) enqueue(t *Ticket) {
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
	if q, ok := s.directed[t.TargetCounter]; ok && q.remove(t.ID) {
		return
	}
	if q, ok := s.queues[qkey{t.ServiceID, t.Priority != ""}]; ok {
		q.remove(t.ID)
	}
}

// waiting counts the tickets waiting for a service, directed ones included.
func (s *state) waiting(service string) int {
	n := s.queues[qkey{service, true}].Len() + s.queues[qkey{service, false}].Len()
	for _, q := range s.directed {
		for _, t := range q.items {
			if t.ServiceID == service {
				n++
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
	if q, ok := s.directed[t.TargetCounter]; ok && t.TargetCounter != "" {
		return q.countBefore(t)
	}
	n := 0
	if q, ok := s.queues[qkey{t.ServiceID, t.Priority != ""}]; ok {
		n = q.countBefore(t)
	}
	if t.Priority == "" {
		n += s.queues[qkey{t.ServiceID, true}].Len()
	}
	return n
}
