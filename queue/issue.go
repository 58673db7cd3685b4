package queue

import (
	"context"
	"unicode/utf8"
)

// IssueRequest asks for a ticket.
type IssueRequest struct {
	ServiceID string
	Priority  string  // priority class id, "" for a normal ticket
	Visitor   Visitor // masked name and keyed hash; empty for anonymous services
	// TargetCounter binds the ticket to one counter (first-visit
	// responsibility: a returning visitor goes back to whoever first
	// received them). Only that counter calls it.
	TargetCounter string
	// CaseCode links the ticket to the matter registered for it.
	CaseCode string
	// Appointment makes it an appointment ticket: numbered with the
	// hall's appointment prefix, called at its time before walk-ins.
	Appointment Appointment
	// IdempotencyKey makes a retried request return the ticket the first
	// one issued instead of a second ticket. Keys are per issuer and per
	// business day. Required: a kiosk sends one per tap.
	IdempotencyKey string
}

// Issued is the answer to an issue request.
type Issued struct {
	Ticket   Ticket
	Ahead    int  // waiting tickets expected to be called first
	Replayed bool // the key was seen before: this is the ticket issued then
}

// Issue numbers a new ticket for the service: prefix + three digits, per
// service per business day, never handed out twice. It is the bare
// ticket; the hall's issuers go through the desk (queue/cases), which
// registers or links the visitor's case in the same transaction.
func (e *Engine) Issue(ctx context.Context, p Principal, req IssueRequest) (Issued, error) {
	if err := checkIssue(e.hall, p, req); err != nil {
		return Issued{}, err
	}
	v, err := e.exec(ctx, func(tx *txn) (any, error) {
		if is, ok, err := tx.replay(p, req); ok || err != nil {
			return is, err
		}
		return tx.issue(p, req), nil
	})
	if err != nil {
		return Issued{}, err
	}
	return v.(Issued), nil
}

// Replay returns the ticket p was issued under the idempotency key today,
// if any: a retried request gets the first answer, not a second ticket.
// ECONFLICT when the key was used for another service or priority.
func (tx *Tx) Replay(p Principal, req IssueRequest) (Issued, bool, error) {
	return tx.t.replay(p, req)
}

// Issue checks and issues a ticket within the transaction. It is the last
// thing a command does: it cannot be rolled back (Engine.Do). Call Replay
// first.
func (tx *Tx) Issue(p Principal, req IssueRequest) (Issued, error) {
	if err := checkIssue(tx.t.st.hall, p, req); err != nil {
		return Issued{}, err
	}
	return tx.t.issue(p, req), nil
}

// CheckIssue returns the error Issue would return for the request, without
// issuing: a command checks before it writes anything else.
func (tx *Tx) CheckIssue(p Principal, req IssueRequest) error {
	return checkIssue(tx.t.st.hall, p, req)
}

func checkIssue(h *Hall, p Principal, req IssueRequest) error {
	if !p.CanIssue() {
		return Errorf(EFORBIDDEN, "无权取号 (not allowed to issue tickets)")
	}
	sv, ok := h.Service(req.ServiceID)
	if !ok {
		return Errorf(ENOTFOUND, "没有这项服务：%q (unknown service)", req.ServiceID)
	}
	if req.Priority != "" {
		if _, ok := h.Priority.Class(req.Priority); !ok {
			return Errorf(EINVALID, "没有这种优先类别：%q (unknown priority class)", req.Priority)
		}
	}
	if req.TargetCounter != "" {
		c, ok := h.Counter(req.TargetCounter)
		if !ok {
			return Errorf(ENOTFOUND, "没有这个窗口：%q (unknown counter)", req.TargetCounter)
		}
		if _, ok := c.Serves(sv.ID); !ok {
			return Errorf(EINVALID, "%s不办理%s (counter does not serve this service)", c.Name, sv.Name)
		}
	}
	if req.IdempotencyKey == "" || len(req.IdempotencyKey) > 128 || !utf8.ValidString(req.IdempotencyKey) {
		return Errorf(EINVALID, "idempotency key: required, at most 128 characters")
	}
	if !req.Appointment.At.IsZero() && h.AppointmentPrefix == "" {
		return Errorf(EINVALID, "本中心未开放预约 (the hall takes no appointments)")
	}
	if len(req.Appointment.Booking) > 64 {
		return Errorf(EINVALID, "booking id too long")
	}
	if utf8.RuneCountInString(req.Visitor.MaskedName) > 32 || len(req.Visitor.Key) > 128 || len(req.CaseCode) > 64 {
		return Errorf(EINVALID, "visitor: masked name or key too long")
	}
	return nil
}

func idemOf(p Principal, req IssueRequest) string { return p.Actor() + "|" + req.IdempotencyKey }

func (tx *txn) replay(p Principal, req IssueRequest) (Issued, bool, error) {
	st := tx.st
	id, ok := st.idem[hashIdem(idemOf(p, req))]
	if !ok {
		return Issued{}, false, nil
	}
	t := st.ticket(id)
	if t == nil || t.ServiceID != req.ServiceID {
		return Issued{}, false, Errorf(ECONFLICT, "idempotency key reused for a different request")
	}
	return Issued{Ticket: *t, Ahead: st.ahead(t), Replayed: true}, true, nil
}

// issue numbers the ticket of a checked request that is not a replay.
func (tx *txn) issue(p Principal, req IssueRequest) Issued {
	st := tx.st
	sv, _ := st.hall.Service(req.ServiceID)
	key := idemOf(p, req)
	numbering, prefix := sv.ID, sv.Prefix
	if !req.Appointment.At.IsZero() {
		numbering, prefix = appointmentNumbering(st.hall), st.hall.AppointmentPrefix
	}
	st.numbers[numbering]++
	tx.numbers = true
	tx.meta.LastTicketID++
	t := &Ticket{
		ID:            tx.meta.LastTicketID,
		Seq:           st.numbers[numbering],
		Day:           tx.meta.Day,
		ServiceID:     sv.ID,
		Priority:      req.Priority,
		Status:        StatusWaiting,
		Visitor:       req.Visitor,
		Kiosk:         p.Actor(),
		IssuedAt:      tx.now,
		ArrivedAt:     tx.now,
		TargetCounter: req.TargetCounter,
		CaseCode:      req.CaseCode,
		Appointment:   req.Appointment.At,
		Booking:       req.Appointment.Booking,
	}
	t.Number = FormatNumber(prefix, t.Seq)
	// A new ticket stands behind every waiting one of its queue.
	ahead := 0
	if !t.Appointment.IsZero() {
		ahead = st.appts[apptKey(t)].countBefore(t)
	} else if t.TargetCounter != "" {
		ahead = st.directed[t.TargetCounter].Len()
	} else {
		ahead = st.queues[qkey{sv.ID, t.Priority != ""}].Len()
		if t.Priority == "" {
			ahead += st.queues[qkey{sv.ID, true}].Len()
		}
	}
	st.add(t)
	st.enqueue(t)
	st.idem[hashIdem(key)] = t.ID
	tx.idem[key] = t.ID
	tx.emit(EventIssued, p.Actor(), "", t, nil)
	return Issued{Ticket: *t, Ahead: ahead}
}
