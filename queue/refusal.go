package queue

// Refusal is what a site's event says of a command of the county (issue
// 14: 交办, 督办, 预警, a rating, a conclusion) that the site could not
// apply: the command's id, kind and case, and why, as the book said it
// (an unknown case, a closed one, one the county does not own…). Like a
// CaseStep it carries no personal data. The event goes up the site's
// stream with the others, so the county sees why its command did not land.
type Refusal struct {
	Command string `json:"command"`        // the command's id
	Kind    string `json:"kind"`           // assign, supervise, warn, rate, conclude
	Case    string `json:"case,omitempty"` // the case code the command named
	Reason  string `json:"reason"`         // in Chinese, for the county's staff
}

// EventCommandRefused is the event of a refused command of the county.
const EventCommandRefused EventType = "county.command_refused"

// EmitRefusal appends a refused command's event to the log.
func (tx *Tx) EmitRefusal(actor string, r Refusal) {
	t := tx.t
	t.meta.LastEventSeq++
	t.events = append(t.events, Event{Seq: t.meta.LastEventSeq, Time: t.now, Type: EventCommandRefused, Actor: actor, Refusal: &r})
}
