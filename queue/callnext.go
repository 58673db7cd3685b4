package queue

// pickNext chooses the ticket a counter calls next, or nil if none waits.
// The order, from docs/peers.md's ten years of user requests:
//
//  1. tickets directed to this counter (transferred to it, parked by it,
//     or bound to it by first-visit responsibility), earliest first;
//  2. priority tickets before normal ones — but after Ratio priority
//     calls in a row at this counter the longest-waiting normal ticket
//     goes next;
//  3. the counter's service weights, heaviest first;
//  4. arrival (the original one, kept across transfers), then ticket id;
//  5. aging: if the ticket chosen so far arrived AgingAfter or more after
//     the longest-waiting candidate, that candidate goes instead. So
//     priority and weight let a ticket overtake others by less than
//     AgingAfter, never more: no ticket waits forever behind a stream of
//     priority tickets or of a heavier service, and in a rush priority
//     visitors still keep their advantage.
//
// Only the head of each (service, class) queue can be chosen, so the cost
// is O(services of the counter) plus one O(log n) removal by the caller.
func pickNext(s *state, c Counter, cs *CounterState, p PriorityPolicy) *Ticket {
	if t := s.directed[c.ID].head(); t != nil {
		return t
	}
	type cand struct {
		t      *Ticket
		weight int
	}
	var prio, normal []cand
	for _, sv := range c.Services {
		if t := s.queues[qkey{sv.ServiceID, true}].head(); t != nil {
			prio = append(prio, cand{t, sv.Weight})
		}
		if t := s.queues[qkey{sv.ServiceID, false}].head(); t != nil {
			normal = append(normal, cand{t, sv.Weight})
		}
	}
	if len(prio)+len(normal) == 0 {
		return nil
	}
	earliest := func(cs ...[]cand) *Ticket {
		var best *Ticket
		for _, l := range cs {
			for _, c := range l {
				if best == nil || before(c.t, best) {
					best = c.t
				}
			}
		}
		return best
	}
	heaviest := func(cs []cand) *Ticket {
		var best cand
		for _, c := range cs {
			if best.t == nil || c.weight > best.weight || (c.weight == best.weight && before(c.t, best.t)) {
				best = c
			}
		}
		return best.t
	}
	var pick *Ticket
	switch {
	case len(prio) > 0 && len(normal) > 0 && p.Ratio > 0 && cs.Streak >= p.Ratio:
		pick = earliest(normal)
	case len(prio) > 0:
		pick = heaviest(prio)
	default:
		pick = heaviest(normal)
	}
	if p.AgingAfter > 0 {
		if e := earliest(prio, normal); pick.ArrivedAt.Sub(e.ArrivedAt) >= p.AgingAfter {
			return e
		}
	}
	return pick
}
