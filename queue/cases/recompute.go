package cases

import (
	"context"
	"fmt"
	"strings"
	"time"

	"yiting/queue"
)

// A deadline is stored as a day, computed when its clock started with the
// calendar of that moment. When a holiday file arrives or changes (an
// admin's upload, a file installed before a start), the days it moves are
// computed again: the running deadlines of the open cases — acceptance,
// handling with its pauses and extension, the open supervisions' reply
// days — and of the open rectifications. Each moved case gets a step that
// says which deadline moved from which day to which, and why (节假日调整);
// a moved rectification keeps the day it had (DueWas) and its event.
// Closed cases and closed items keep the days they were judged by.

// recomputeReason is why Recompute moves a deadline.
const recomputeReason = "节假日调整"

// Recompute moves every running deadline the calendar in force puts on
// another day, and returns how many it moved. It is idempotent: a second
// run moves nothing. cmd/yiting runs it at every start; SetHolidayFile
// after each upload.
func (b *Book) Recompute(ctx context.Context) (int, error) {
	moved, err := b.changeOpen(ctx, func(c *Case) bool { return len(b.moves(c)) > 0 }, func(c *Case, now time.Time) (int, error) {
		ms := b.moves(c)
		if len(ms) == 0 {
			return 0, errUnchanged
		}
		d := b.deadlines(c)
		c.AcceptDue, c.HandleDue = d.accept, d.handle
		if e := c.Extension; e != nil {
			e.From, e.To = d.extFrom, d.extTo
		}
		for i := range c.Supervisions {
			if s := &c.Supervisions[i]; s.open() {
				s.ReplyDue = d.supervisionReply[i]
			}
		}
		c.step(now, StepRecomputed, "system", strings.Join(ms, "；")+"（原因："+recomputeReason+"）")
		return len(ms), nil
	})
	if err != nil {
		return moved, err
	}
	n, err := b.recomputeRectifications(ctx)
	moved += n
	if moved > 0 {
		b.log.Info("deadlines recomputed with the holiday calendar", "moved", moved)
	}
	return moved, err
}

// moves describes, in Chinese, each stored deadline of c the calendar in
// force puts on another day: "办理期限 2027-01-05 → 2027-01-06".
func (b *Book) moves(c *Case) []string {
	d := b.deadlines(c)
	var out []string
	move := func(name string, old, now Date) {
		if old != now {
			out = append(out, fmt.Sprintf("%s %s → %s", name, old, now))
		}
	}
	move("受理期限", c.AcceptDue, d.accept)
	if c.Paused() == nil { // stopped: no day to move until it resumes
		move("办理期限", c.HandleDue, d.handle)
	}
	if e := c.Extension; e != nil {
		move("延期前的办理期限", e.From, d.extFrom)
	}
	for i, s := range c.Supervisions {
		if s.open() {
			move(fmt.Sprintf("第%d号督办回复期限", s.ID), s.ReplyDue, d.supervisionReply[i])
		}
	}
	return out
}

// recomputeRectifications moves the due days of the open rectification
// items.
func (b *Book) recomputeRectifications(ctx context.Context) (int, error) {
	var ids []uint64
	err := b.store.EachRectification(ctx, func(r *Rectification) error {
		if _, ok := b.rectMove(r); ok {
			ids = append(ids, r.TicketID)
		}
		return nil
	})
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	// Read again on the writer: an item closed meanwhile stays closed.
	items, err := run(ctx, b, func(tx *queue.Tx) ([]Rectification, error) {
		var items []Rectification
		for _, id := range ids {
			r, err := b.store.Rectification(ctx, id)
			if err != nil {
				return nil, err
			}
			if v, ok := tx.Pending(rectKey(id)); ok {
				r = v.(*Rectification)
			}
			if v, ok := b.rectMove(r); ok {
				items = append(items, v)
				cp := v
				tx.Keep(rectKey(id), &cp)
				tx.Emit("system", b.rectificationEvent(&v, StepRecomputed))
			}
		}
		if len(items) > 0 {
			tx.Write("rectifications", &RectificationWrite{Items: items})
		}
		return items, nil
	})
	for _, r := range items {
		b.log.Info("rectification due moved", "ticket", r.Ticket, "from", r.DueWas.String(), "to", r.Due.String(), "reason", recomputeReason)
	}
	return len(items), err
}

// rectMove returns the open item r with its due day as the calendar in
// force puts it, if that is another day.
func (b *Book) rectMove(r *Rectification) (Rectification, bool) {
	due := b.cal().Due(DateOf(r.RatedAt, b.hall.Location), b.rectify)
	if !r.Open() || due == r.Due {
		return Rectification{}, false
	}
	v := *r
	v.DueWas, v.Due = r.Due, due
	return v, true
}
