package cases

import (
	"context"
	"fmt"

	"yiting/queue"
)

var _ queue.Follower = (*Book)(nil)

// Follow moves a case as its ticket is served (queue.Follower), in the
// transaction of the ticket's step: starting service of a ticket whose
// case is still 已登记 receives the case at that counter (its unit and
// the clerk become the first receivers, 首访负责制); a transfer to another
// service or counter is recorded as a proposed route. Nothing here fails
// the ticket's command: a case it cannot read is logged and left as it is.
func (b *Book) Follow(tx *queue.Tx, ev *queue.Event) {
	t := ev.Ticket
	if t == nil || t.CaseCode == "" {
		return
	}
	switch ev.Type {
	case queue.EventStarted, queue.EventCompleted, queue.EventTransferred:
	default:
		return
	}
	ctx := context.Background()
	if ev.Type != queue.EventTransferred {
		// Most tickets served are return visits of cases received long
		// ago: their Facts say so without decoding the case.
		if f, err := b.facts(ctx, tx, t.CaseCode); err == nil && f.Status != StatusRegistered {
			return
		}
	}
	c, err := b.get(ctx, tx, t.CaseCode)
	if err != nil {
		b.log.Error("the case of a ticket being served could not be read; it does not move", "ticket", t.Number, "case", t.CaseCode, "err", err)
		return
	}
	now := tx.Now()
	switch ev.Type {
	case queue.EventStarted, queue.EventCompleted:
		ct, ok := b.hall.Counter(t.CounterID)
		if c.Status != StatusRegistered || !ok {
			return // received before: a returning visitor's later visit
		}
		st := b.received(c, ct, t.StaffID, now, ev.Actor, ct.Name+" "+t.Number)
		st.Counter, st.Ticket = ct.ID, t.ID
	case queue.EventTransferred:
		if !c.Status.Open() {
			return
		}
		to := b.serviceName(t.ServiceID)
		if ct, ok := b.hall.Counter(t.TargetCounter); ok {
			to = ct.Name
		}
		note := fmt.Sprintf("%s转至%s", t.Number, to)
		if ev.Reason != "" {
			note += "：" + ev.Reason
		}
		st := c.step(now, StepRouteProposed, ev.Actor, note)
		st.Counter, st.Ticket = t.TargetCounter, t.ID
	}
	b.save(tx, &Write{Case: c})
}

func (b *Book) serviceName(id string) string {
	if sv, ok := b.hall.Service(id); ok {
		return sv.Name
	}
	return id
}
