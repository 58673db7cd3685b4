package queue

// Tickets the hall file no longer knows: an admin removed a service or a
// counter while tickets of it were open. Start-up settles them in the
// first batch, with events, and says so in the log: a waiting ticket sent
// to a removed counter goes back to its service's queue; a ticket of a
// removed service, or called or being served at a removed counter, can be
// served nowhere and expires (the visitor takes a new number; the ticket
// stays findable). Nothing else touches them before: no 500, no panic.

// orphaned reports whether t names a service or counter the hall lacks.
func (s *state) orphaned(t *Ticket) bool {
	if _, ok := s.hall.Service(t.ServiceID); !ok {
		return true
	}
	if t.TargetCounter != "" {
		if _, ok := s.hall.Counter(t.TargetCounter); !ok {
			return true
		}
	}
	if t.CounterID != "" && t.Status != StatusWaiting {
		if _, ok := s.hall.Counter(t.CounterID); !ok {
			return true
		}
	}
	return false
}

// settleOrphans moves or expires the orphans, once.
func (e *Engine) settleOrphans(tx *txn) {
	st := tx.st
	moved, expired := 0, map[string]int{}
	for _, t := range st.orphans {
		if t.Status.Finished() {
			continue // the day's rollover ended it first
		}
		_, known := e.hall.Service(t.ServiceID)
		if known && t.Status == StatusWaiting {
			t.TargetCounter = ""
			st.enqueue(t)
			tx.emit(EventTransferred, "system", "窗口已从配置中删除，改为按业务排队 (the counter was removed)", t, nil)
			moved++
			continue
		}
		t.Status, t.DoneAt = StatusExpired, tx.now
		tx.emit(EventExpired, "system", "业务或窗口已从配置中删除，请重新取号 (the service or counter was removed)", t, nil)
		expired[t.ServiceID]++
	}
	st.orphans = nil
	if moved > 0 {
		e.log.Warn("start-up: waiting tickets of removed counters went back to their services' queues", "tickets", moved)
	}
	for svc, n := range expired {
		e.log.Warn("start-up: open tickets of a removed service or counter expired", "service", svc, "tickets", n)
	}
}
