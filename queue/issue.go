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
// service per business day, never handed out twice.
func (e *Engine) Issue(ctx context.Context, p Principal, req IssueRequest) (Issued, error) {
	if !p.CanIssue() {
		return Issued{}, Errorf(EFORBIDDEN, "无权取号 (not allowed to issue tickets)")
	}
	sv, ok := e.hall.Service(req.ServiceID)
	if !ok {
		return Issued{}, Errorf(ENOTFOUND, "没有这项服务：%q (unknown service)", req.ServiceID)
	}
	if req.Priority != "" {
		if _, ok := e.hall.Priority.Class(req.Priority); !ok {
			return Issued{}, Errorf(EINVALID, "没有这种优先类别：%q (unknown priority class)", req.Priority)
		}
	}
	if req.TargetCounter != "" {
		c, ok := e.hall.Counter(req.TargetCounter)
		if !ok {
			return Issued{}, Errorf(ENOTFOUND, "没有这个窗口：%q (unknown counter)", req.TargetCounter)
		}
		if _, ok := c.Serves(sv.ID); !ok {
			return Issued{}, Errorf(EINVALID, "%s不办理%s (counter does not serve this service)", c.Name, sv.Name)
		}
	}
	if req.IdempotencyKey == "" || len(req.IdempotencyKey) > 128 || !utf8.ValidString(req.IdempotencyKey) {
		return Issued{}, Errorf(EINVALID, "idempotency key: required, at most 128 characters")
	}
	if utf8.RuneCountInString(req.Visitor.MaskedName) > 32 || len(req.Visitor.Key) > 128 || len(req.CaseCode) > 64 {
		return Issued{}, Errorf(EINVALID, "visitor: masked name or key too long")
	}
	key := p.Actor() + "|" + req.IdempotencyKey
	v, err := e.exec(ctx, func(tx *txn) (any, error) {
		st := tx.st
		hk := hashIdem(key)
		if id, ok := st.idem[hk]; ok {
			t := st.ticket(id)
			if t == nil || t.ServiceID != req.ServiceID || t.Priority != req.Priority {
				return nil, Errorf(ECONFLICT, "idempotency key reused for a different request")
			}
			return Issued{Ticket: *t, Ahead: st.ahead(t), Replayed: true}, nil
		}
		st.numbers[sv.ID]++
		tx.numbers = true
		tx.meta.LastTicketID++
		t := &Ticket{
			ID:            tx.meta.LastTicketID,
			Seq:           st.numbers[sv.ID],
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
		}
		t.Number = FormatNumber(sv.Prefix, t.Seq)
		// A new ticket stands behind every waiting one of its queue.
		ahead := 0
		if t.TargetCounter != "" {
			ahead = st.directed[t.TargetCounter].Len()
		} else {
			ahead = st.queues[qkey{sv.ID, t.Priority != ""}].Len()
			if t.Priority == "" {
				ahead += st.queues[qkey{sv.ID, true}].Len()
			}
		}
		st.add(t)
		st.enqueue(t)
		st.idem[hk] = t.ID
		tx.idem[key] = t.ID
		tx.emit(EventIssued, p.Actor(), "", t, nil)
		return Issued{Ticket: *t, Ahead: ahead}, nil
	})
	if err != nil {
		return Issued{}, err
	}
	return v.(Issued), nil
}
