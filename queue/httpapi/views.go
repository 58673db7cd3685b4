package httpapi

import "yiting/queue"

// What leaves the server about a visitor. The keyed hash of the ID number
// (Visitor.Key) finds a returning visitor inside the engine and is of no
// use to any client: it is removed from every answer and event. Device
// principals (kiosk, display, pad) stand in the public hall; they also get
// no free-text notes and reasons, which a clerk may have written about the
// visitor, no case codes (what a stolen token could follow a matter by),
// and no tickets of other days. Everyone keeps the number, the counters
// and the masked name.

// fullView reports whether p sees clerks' notes and reasons.
func fullView(p queue.Principal) bool { return !p.Role.IsDevice() }

// redactTicket returns t as principal p may see it.
func redactTicket(t queue.Ticket, p queue.Principal) queue.Ticket {
	t.Visitor.Key = ""
	if !fullView(p) {
		t.Note, t.CaseCode = "", ""
	}
	return t
}

// redactTicketPtr is redactTicket for an optional ticket.
func redactTicketPtr(t *queue.Ticket, p queue.Principal) *queue.Ticket {
	if t == nil {
		return nil
	}
	r := redactTicket(*t, p)
	return &r
}

// redactEvent returns ev as p may see it on the stream. The event's
// ticket is a copy the engine made for the event; it is copied again, not
// changed, because other streams share it.
func redactEvent(ev queue.Event, full bool) queue.Event {
	if ev.Ticket != nil {
		t := *ev.Ticket
		t.Visitor.Key = ""
		if !full {
			t.Note, t.CaseCode = "", ""
		}
		ev.Ticket = &t
	}
	if !full {
		ev.Reason = ""
	}
	return ev
}
