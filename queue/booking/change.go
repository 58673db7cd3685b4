package booking

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"yiting/queue"
	"yiting/queue/cases"
)

// Ref names a booking: by id (staff) or by a party's code (the visitor).
type Ref struct {
	ID   string
	Code string
}

// resolve finds the booking a principal names: staff by id or code, a
// visitor (the zero role) by code only. A code that finds nothing counts
// against the principal's look-ups.
func (d *Diary) resolve(ctx context.Context, p queue.Principal, ref Ref) (string, error) {
	if p.Role.IsDevice() || p.Role == queue.RoleAdmin {
		return "", queue.Errorf(queue.EFORBIDDEN, "无权查看或更改预约 (not allowed)")
	}
	if ref.Code == "" {
		if p.Role == "" || ref.ID == "" {
			return "", queue.Errorf(queue.EINVALID, "请输入预约码 (a booking code is required)")
		}
		return ref.ID, nil
	}
	code, err := NormalizeCode(ref.Code)
	if err != nil {
		return "", err
	}
	if err := d.limit.check(p.Actor(), d.now()); err != nil {
		return "", err
	}
	b, _, err := d.store.BookingByCode(ctx, codeKey(d.keys, code))
	if queue.ErrorCode(err) == queue.ENOTFOUND {
		d.limit.miss(p.Actor(), d.now())
		return "", queue.Errorf(queue.ENOTFOUND, "没有找到该预约码，请核对 (no booking of that code)")
	}
	if err != nil {
		return "", err
	}
	return b.ID, nil
}

// canManage: supervisors every booking; staff those of their counters or
// their counters' services (Works), and those they made.
func canManage(h *queue.Hall, p queue.Principal, b *Booking) bool {
	switch p.Role {
	case queue.RoleSupervisor:
		return true
	case queue.RoleStaff:
		return b.By == p.Actor() || Works(h, p, b.CounterID, b.ServiceID)
	}
	return false
}

// Works reports whether staff p works a booking's counter, or a counter
// serving its service when it names no counter: who manages it and sees
// its steps.
func Works(h *queue.Hall, p queue.Principal, counter, service string) bool {
	if counter != "" {
		return slices.Contains(p.Counters, counter)
	}
	for _, id := range p.Counters {
		if c, ok := h.Counter(id); ok {
			if _, ok := c.Serves(service); ok {
				return true
			}
		}
	}
	return false
}

// Lookup returns a booking for staff (by id or code) or for the visitor
// holding its code, masked.
func (d *Diary) Lookup(ctx context.Context, p queue.Principal, ref Ref) (View, error) {
	id, err := d.resolve(ctx, p, ref)
	if err != nil {
		return View{}, err
	}
	b, err := d.store.Booking(ctx, id)
	if err != nil {
		return View{}, err
	}
	if p.Role != "" && ref.Code == "" && !canManage(d.hall, p, b) {
		return View{}, queue.Errorf(queue.EFORBIDDEN, "无权查看该预约 (not your booking)")
	}
	return d.View(b), nil
}

// change runs one command on one booking: the visitor (by code) until the
// cut-off and never for a session; staff who may manage it always.
func (d *Diary) change(ctx context.Context, p queue.Principal, ref Ref, step string, fn func(tx *queue.Tx, b *Booking, now time.Time) error) (View, error) {
	id, err := d.resolve(ctx, p, ref)
	if err != nil {
		return View{}, err
	}
	v, err := run(ctx, d, func(tx *queue.Tx) (View, error) {
		b, err := d.get(ctx, tx, id)
		if err != nil {
			return View{}, err
		}
		now := tx.Now()
		switch {
		case p.Role == "" && b.Channel == ChannelSession:
			return View{}, queue.Errorf(queue.EFORBIDDEN, "调解安排请联系调解员更改 (a session is changed by its mediator)")
		case p.Role == "" && !now.Before(b.Start.Add(-d.file.Policy.Cutoff)):
			return View{}, queue.Errorf(queue.ECONFLICT, "距预约时间不足%s，不能自行更改，请致电或到服务台 (past the cut-off)", Spoken(d.file.Policy.Cutoff))
		case p.Role != "" && ref.Code == "" && !canManage(d.hall, p, b):
			return View{}, queue.Errorf(queue.EFORBIDDEN, "无权更改该预约 (not your booking)")
		case !b.Active():
			return View{}, queue.Errorf(queue.ECONFLICT, "该预约已取消 (the booking is cancelled)")
		}
		for _, pt := range b.Parties {
			if pt.Status != PartyBooked {
				return View{}, queue.Errorf(queue.ECONFLICT, "已有人签到或预约已过，不能更改 (someone has checked in or the booking has passed)")
			}
		}
		if err := fn(tx, b, now); err != nil {
			return View{}, err
		}
		d.save(tx, &Write{Booking: b}, actorOf(p), step, 0, "")
		return d.View(b), nil
	})
	if err == nil {
		d.log.Info("booking "+step, "booking", v.ID, "start", v.Start, "actor", actorOf(p))
	}
	return v, err
}

func actorOf(p queue.Principal) string {
	if p.Role == "" {
		return "visitor"
	}
	return p.Actor()
}

// Spoken says a duration as the pages and messages do: "2小时", "30分钟".
func Spoken(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d小时", int(d/time.Hour))
	}
	return fmt.Sprintf("%d分钟", int(d/time.Minute))
}

// Cancel cancels a booking and frees its place. A reason is required of
// staff (it shows on the booking), optional for the visitor.
func (d *Diary) Cancel(ctx context.Context, p queue.Principal, ref Ref, reason string) (View, error) {
	reason = strings.TrimSpace(reason)
	if p.Role != "" && reason == "" {
		return View{}, queue.Errorf(queue.EINVALID, "请填写取消原因 (a reason is required)")
	}
	if utf8.RuneCountInString(reason) > maxNote {
		return View{}, queue.Errorf(queue.EINVALID, "原因最多%d字 (reason too long)", maxNote)
	}
	return d.change(ctx, p, ref, "cancelled", func(tx *queue.Tx, b *Booking, now time.Time) error {
		if err := d.hold(ctx, tx, b.Plan, b.Start, -1); err != nil {
			return err
		}
		b.Cancelled, b.CancelReason, b.CancelledBy = now, reason, actorOf(p)
		if b.CancelReason == "" {
			b.CancelReason = "预约人取消"
		}
		return nil
	})
}

// Move moves a booking to another slot of its plan, if it has a place
// and none of its parties holds another booking of the plan that day
// (checkOnce, as when booking).
func (d *Diary) Move(ctx context.Context, p queue.Principal, ref Ref, start time.Time) (View, error) {
	return d.change(ctx, p, ref, "moved", func(tx *queue.Tx, b *Booking, now time.Time) error {
		st, err := d.stateIn(ctx, tx)
		if err != nil {
			return err
		}
		pl, ok := st.plan(b.Plan)
		if !ok {
			return queue.Errorf(queue.ECONFLICT, "预约项目已停用，请取消后重新预约 (the plan is gone)")
		}
		if start.Equal(b.Start) {
			return queue.Errorf(queue.EINVALID, "新时段与原时段相同 (same slot)")
		}
		if err := d.checkSlot(ctx, st, pl, start, now); err != nil {
			return err
		}
		if p.Role == "" && !now.Before(start.Add(-d.file.Policy.Cutoff)) {
			return queue.Errorf(queue.ECONFLICT, "新时段距现在不足%s，请致电或到服务台 (past the cut-off)", Spoken(d.file.Policy.Cutoff))
		}
		for _, pt := range b.Parties {
			if pt.VisitorKey == "" {
				continue
			}
			if err := d.checkOnce(ctx, tx, pt.VisitorKey, pt.MaskedName, pl, start, b.ID); err != nil {
				return err
			}
		}
		n, err := d.taken(ctx, tx, pl.ID, start)
		if err != nil {
			return err
		}
		if n >= pl.Bookable() {
			return d.full(pl, start)
		}
		if err := d.hold(ctx, tx, pl.ID, b.Start, -1); err != nil {
			return err
		}
		if err := d.hold(ctx, tx, pl.ID, start, 1); err != nil {
			return err
		}
		b.Start, b.End, b.Day = start.In(time.UTC), start.Add(pl.Length).In(time.UTC), cases.DateOf(start, d.hall.Location)
		b.Moves++
		for i := range b.Parties {
			b.Parties[i].Reminded, b.Parties[i].RemindErr = time.Time{}, ""
		}
		return nil
	})
}

// Day lists the bookings of a day a principal may manage, by start.
func (d *Diary) Day(ctx context.Context, p queue.Principal, day cases.Date) ([]View, error) {
	if p.Role != queue.RoleStaff && p.Role != queue.RoleSupervisor {
		return nil, queue.Errorf(queue.EFORBIDDEN, "只有工作人员和督导人员可以查看预约 (staff and supervisors only)")
	}
	var out []View
	err := d.store.EachBooking(ctx, day, day, func(b *Booking) error {
		if canManage(d.hall, p, b) {
			out = append(out, d.View(b))
		}
		return nil
	})
	slices.SortFunc(out, func(a, b View) int { return a.Start.Compare(b.Start) })
	return out, err
}

// OfCase lists the bookings of a case (its page shows the sessions).
func (d *Diary) OfCase(ctx context.Context, code string) ([]View, error) {
	bs, err := d.store.BookingsOfCase(ctx, code)
	if err != nil {
		return nil, err
	}
	out := make([]View, 0, len(bs))
	for _, b := range bs {
		out = append(out, d.View(b))
	}
	return out, nil
}
