package queue

import "strings"

// CaseStep is what an event says of a step of a case (一件一码): the case
// book (queue/cases) writes one with every step, in the transaction that
// makes it. It never carries personal data: no names, no ID numbers, no
// free text a clerk wrote; the case's own record keeps those.
type CaseStep struct {
	Code    string `json:"code"`              // the case code
	Type    string `json:"type"`              // the case type, e.g. "petition"
	Service string `json:"service,omitempty"` // the service it came for
	Step    string `json:"step"`              // what happened: registered, visit, received, routed, …
	Status  string `json:"status"`            // where the case stands after the step
	Unit    string `json:"unit,omitempty"`    // the unit responsible after the step
	Counter string `json:"counter,omitempty"` // the counter of the step (received at, routed to)
	Ticket  uint64 `json:"ticket,omitempty"`  // the ticket of the step, if a ticket brought it
	Persons int    `json:"persons,omitempty"` // persons of a registration or visit (人次)
	// Sensitive marks a health-related case (medical disputes,
	// counselling): only supervisors and the people of its unit, counter
	// or handler see its events.
	Sensitive bool `json:"sensitive,omitempty"`
	// Restricted marks a case some people must not see (an accusation,
	// a clerk who stepped aside): only supervisors see its events.
	Restricted bool `json:"restricted,omitempty"`
	// Facts: where the case stands after the step (CaseFacts); nil on a
	// rectification's events, which are a ticket's.
	Facts *CaseFacts `json:"facts,omitempty"`
}

// caseEventPrefix starts the type of every case event: "case.registered".
const caseEventPrefix = "case."

// CaseEvent is the event type of a case step.
func CaseEvent(step string) EventType { return EventType(caseEventPrefix + step) }

// IsCase reports whether the event type is a case step's.
func (t EventType) IsCase() bool { return strings.HasPrefix(string(t), caseEventPrefix) }
