package cases

import "yiting/queue"

// stepEvent is what the event log says of a step of a case: its kind,
// where the case stands after it (its facts, f), the unit, counter,
// ticket and persons of the step — never a name, an ID number or a
// clerk's note.
func (b *Book) stepEvent(c *Case, f *Facts, s Step) queue.CaseStep {
	e := queue.CaseStep{
		Code:       c.Code,
		Type:       c.Type,
		Service:    c.ServiceID,
		Step:       string(s.Kind),
		Status:     string(c.Status),
		Unit:       c.Unit,
		Counter:    s.Counter,
		Ticket:     s.Ticket,
		Persons:    s.Persons,
		Sensitive:  b.Sensitive(c.Type),
		Restricted: c.Accused != nil || len(c.Recusals) > 0,
		Facts:      stepFacts(f, b.typeName(c.Type, c.ServiceID)),
	}
	e.Facts.TokenHash = c.TokenHash
	e.Facts.ReportedUp = c.Escalation.caseReport()
	return e
}

// CanWatch reports whether p may see a case step's event on the live
// stream: supervisors and admins every one, staff those of the cases they
// see as far as the event tells (its unit, the counter of the step, a
// registration their counters serve) unless it is restricted (an
// accusation, a recusal: supervisors only), devices none (a board or a pad in
// the public hall has no business with cases).
func (b *Book) CanWatch(p queue.Principal, e *queue.CaseStep) bool {
	if e.Restricted {
		return supervisor(p)
	}
	return b.canSee(p, holders{Type: e.Type, ServiceID: e.Service, Unit: e.Unit, Status: Status(e.Status), HandlerCounter: e.Counter})
}
