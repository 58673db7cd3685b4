package cases

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"yiting/queue"
)

// Every bad rating must be rectified (国办发〔2019〕51号): someone calls the
// visitor back and the unit answers for the service. A bad rating of a
// counter's service (queue.Level.Bad) opens a rectification item for the
// counter's unit with a deadline (Options.RectifyWithin, 15 working days
// by default); supervisors see it until it is closed with what was done.
//
// Items come from the engine's ticket.rated events. Either call OnRated
// for each, or let Run (FollowRatings) read the engine's feed: it keeps a
// cursor in the store, so events of a time the book was not running are
// read on the next start and none is missed or handled twice.

// Rectification is one item to rectify.
type Rectification struct {
	TicketID  uint64      `json:"ticket_id"`
	Ticket    string      `json:"ticket"` // "A012"
	Day       string      `json:"day"`
	ServiceID string      `json:"service"`
	CounterID string      `json:"counter"`
	Unit      string      `json:"unit,omitempty"`
	StaffID   string      `json:"staff,omitempty"`
	CaseCode  string      `json:"case_code,omitempty"`
	Level     queue.Level `json:"level"`
	LevelName string      `json:"level_name"`
	Reasons   []string    `json:"reasons,omitempty"`
	RatedAt   time.Time   `json:"rated_at"`
	Due       Date        `json:"due"`
	DueWas    Date        `json:"due_was,omitempty"` // before a holiday file moved it (Recompute)
	ClosedAt  time.Time   `json:"closed_at,omitzero"`
	ClosedBy  string      `json:"closed_by,omitempty"`
	Action    string      `json:"action,omitempty"` // what was done: 回访, 整改措施
	EventSeq  uint64      `json:"event_seq"`
	Overdue   bool        `json:"overdue,omitempty"` // computed on reading
}

// Open reports whether the item still waits for its rectification.
func (r *Rectification) Open() bool { return r.ClosedAt.IsZero() }

// rectificationOf turns a bad rating event into an item; false for other
// events and good ratings.
func (b *Book) rectificationOf(ev queue.Event) (Rectification, bool) {
	t := ev.Ticket
	if ev.Type != queue.EventRated || t == nil || t.Rating == nil || !t.Rating.Level.Bad() {
		return Rectification{}, false
	}
	r := Rectification{
		TicketID: t.ID, Ticket: t.Number, Day: t.Day, ServiceID: t.ServiceID, CounterID: t.CounterID,
		StaffID: t.StaffID, CaseCode: t.CaseCode, Level: t.Rating.Level, LevelName: t.Rating.Level.Name(),
		Reasons: t.Rating.Reasons, RatedAt: t.Rating.At, EventSeq: ev.Seq,
	}
	if ct, ok := b.hall.Counter(t.CounterID); ok {
		r.Unit = ct.Unit
	}
	r.Due = b.cal().Due(DateOf(r.RatedAt, b.hall.Location), b.rectify)
	return r, true
}

// OnRated opens the rectification item of a bad rating; other events and
// good ratings are ignored, and a rating already handled is not opened
// twice.
func (b *Book) OnRated(ctx context.Context, ev queue.Event) error {
	return b.onEvents(ctx, []queue.Event{ev}, 0)
}

func (b *Book) onEvents(ctx context.Context, evs []queue.Event, cursor uint64) error {
	var items []Rectification
	for _, ev := range evs {
		r, ok := b.rectificationOf(ev)
		if !ok {
			continue
		}
		old, err := b.store.Rectification(ctx, r.TicketID)
		switch {
		case err == nil && old != nil:
			continue // one rating per ticket: already open or done
		case err != nil && !errors.Is(err, queue.ErrNotFound):
			return err
		}
		items = append(items, r)
	}
	if len(items) == 0 && cursor == 0 {
		return nil
	}
	_, err := run(ctx, b, func(tx *queue.Tx) (bool, error) {
		tx.Write("rectifications", &RectificationWrite{Items: items, Cursor: cursor})
		for _, r := range items {
			tx.Emit("system", b.rectificationEvent(&r, StepRectificationOpened))
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	for _, r := range items {
		b.log.Info("rectification opened", "ticket", r.Ticket, "counter", r.CounterID, "level", int(r.Level), "due", r.Due.String())
	}
	return nil
}

// EventWaiter is where FollowRatings reads events: *queue.Feed.
type EventWaiter interface {
	// Wait returns up to limit events after seq, blocking until there
	// is one; ctx.Err() when ctx ends.
	Wait(ctx context.Context, after uint64, limit int) ([]queue.Event, error)
}

// FollowRatings reads the event feed from the stored cursor and opens an
// item for every bad rating, until ctx ends (then it returns nil) or the
// feed or store fails.
func (b *Book) FollowRatings(ctx context.Context, feed EventWaiter) error {
	cursor, err := b.store.RatingCursor(ctx)
	if err != nil {
		return err
	}
	for {
		evs, err := feed.Wait(ctx, cursor, 500)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			continue
		}
		last := evs[len(evs)-1].Seq
		if err := b.onEvents(ctx, evs, last); err != nil {
			return err
		}
		cursor = last
	}
}

// Rectifications lists the items p may see (supervisors and admins all,
// staff their units'), open ones only if openOnly, newest first.
func (b *Book) Rectifications(ctx context.Context, p queue.Principal, openOnly bool) ([]Rectification, error) {
	if !supervisor(p) && p.Role != queue.RoleStaff {
		return nil, queue.Errorf(queue.EFORBIDDEN, "无权查看整改事项 (not allowed)")
	}
	now := b.now()
	var out []Rectification
	err := b.store.EachRectification(ctx, func(r *Rectification) error {
		if openOnly && !r.Open() {
			return nil
		}
		if !supervisor(p) && !b.ofUnit(p, r.Unit) && !bound(p, r.CounterID) {
			return nil
		}
		v := *r
		v.Overdue = v.Open() && !now.Before(v.Due.End(b.hall.Location))
		out = append(out, v)
		return nil
	})
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, err
}

// CloseRectification closes an item with what was done (the call-back,
// the measures taken): supervisors, or staff of the counter's unit.
func (b *Book) CloseRectification(ctx context.Context, p queue.Principal, ticketID uint64, action string) (Rectification, error) {
	action, err := needText("action", "整改情况", action, 2000)
	if err != nil {
		return Rectification{}, err
	}
	r, err := run(ctx, b, func(tx *queue.Tx) (*Rectification, error) {
		r, err := b.store.Rectification(ctx, ticketID)
		if err != nil {
			return nil, err
		}
		if v, ok := tx.Pending(rectKey(ticketID)); ok {
			cp := *v.(*Rectification)
			r = &cp
		}
		switch {
		case p.Role != queue.RoleSupervisor && !(p.Role == queue.RoleStaff && (b.ofUnit(p, r.Unit) || bound(p, r.CounterID))):
			return nil, queue.Errorf(queue.EFORBIDDEN, "只有该窗口所属单位或督导人员可以办结整改 (the counter's unit or a supervisor only)")
		case !r.Open():
			return nil, queue.Errorf(queue.ECONFLICT, "%s的整改已办结 (already closed)", r.Ticket)
		}
		r.ClosedAt, r.ClosedBy, r.Action = tx.Now(), p.Actor(), strings.TrimSpace(action)
		tx.Write("rectifications", &RectificationWrite{Items: []Rectification{*r}})
		tx.Keep(rectKey(ticketID), r)
		tx.Emit(p.Actor(), b.rectificationEvent(r, StepRectificationClosed))
		return r, nil
	})
	if err != nil {
		return Rectification{}, err
	}
	b.log.Info("rectification closed", "ticket", r.Ticket, "actor", p.Actor())
	return *r, nil
}

func rectKey(ticketID uint64) string { return "rectification " + strconv.FormatUint(ticketID, 10) }

// rectificationEvent is the event of a rectification step: of the ticket's
// case when it has one, else of the ticket alone (Code ""). Like the list
// of items, it is for supervisors and the people of the counter's unit
// only: Sensitive.
func (b *Book) rectificationEvent(r *Rectification, step StepKind) queue.CaseStep {
	return queue.CaseStep{Code: r.CaseCode, Step: string(step), Unit: r.Unit, Counter: r.CounterID, Ticket: r.TicketID, Sensitive: true}
}
