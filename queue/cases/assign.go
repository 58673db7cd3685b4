package cases

import (
	"context"
	"time"

	"yiting/queue"
)

// Assignment (交办) to a unit: the unit acknowledges receipt, or objects
// that the matter is not its own and sends it back within 5 working days
// (信访工作条例 Art. 23: "对不属于本机关、单位职权范围的，应当自收到之日起5个工作日内
// 书面退回"); the centre then assigns it again.

// objectWithin is the working days a unit has to send a matter back.
const objectWithin = 5

// assignment returns the last routing if it went to a unit and is still
// the case's, else nil.
func (c *Case) assignment() *Route {
	if n := len(c.Routes); n > 0 && c.Routes[n-1].Unit != "" {
		return &c.Routes[n-1]
	}
	return nil
}

// checkAssignee lets the assigned unit's staff and supervisors through.
func (b *Book) checkAssignee(p queue.Principal, c *Case) (*Route, error) {
	r := c.assignment()
	switch {
	case r == nil || !c.Status.Open():
		return nil, conflict(c, "没有交办给单位的事项可以签收或退回", "not assigned to a unit")
	case p.Role == queue.RoleSupervisor, p.Role == queue.RoleStaff && b.ofUnit(p, r.Unit):
		return r, nil
	}
	return nil, queue.Errorf(queue.EFORBIDDEN, "只有%s的人员或督导人员可以签收或退回 (the assigned unit only)", r.Unit)
}

// Acknowledge records that the assigned unit received the matter (签收).
func (b *Book) Acknowledge(ctx context.Context, p queue.Principal, code string) (View, error) {
	c, err := b.mutate(ctx, code, func(c *Case, now time.Time) error {
		r, err := b.checkAssignee(p, c)
		if err != nil {
			return err
		}
		if !r.AckAt.IsZero() || !r.ObjectedAt.IsZero() {
			return conflict(c, "本次交办已签收或已退回", "already acknowledged or sent back")
		}
		r.AckAt, r.AckBy = now, p.Actor()
		c.step(now, StepAcknowledged, p.Actor(), r.Unit)
		return nil
	})
	return b.out(ctx, c, err)
}

// Object sends an assigned matter back to the centre with the reason,
// within objectWithin working days of the assignment; the case goes back
// to the unit that assigned it, which assigns it again.
func (b *Book) Object(ctx context.Context, p queue.Principal, code, reason string) (View, error) {
	reason, err := needText("reason", "退回理由", reason, 500)
	if err != nil {
		return View{}, err
	}
	c, err := b.mutate(ctx, code, func(c *Case, now time.Time) error {
		r, err := b.checkAssignee(p, c)
		if err != nil {
			return err
		}
		if !r.ObjectedAt.IsZero() {
			return conflict(c, "本次交办已退回", "already sent back")
		}
		loc := b.hall.Location
		if n := b.cal().WorkdaysBetween(DateOf(r.At, loc), DateOf(now, loc)); n > objectWithin {
			return queue.Errorf(queue.ECONFLICT, "交办已超过%d个工作日（第%d个工作日），不能再退回（《信访工作条例》第二十三条）；请办理或报请督导人员改派 (objections within %d working days)",
				objectWithin, n, objectWithin)
		}
		r.ObjectedAt, r.ObjectedBy, r.ObjectReason = now, p.Actor(), reason
		c.Unit = c.Handler.Unit // back to the centre's unit that received it
		for i := len(c.Routes) - 2; i >= 0; i-- {
			if c.Routes[i].Unit != "" && c.Routes[i].ObjectedAt.IsZero() {
				c.Unit = c.Routes[i].Unit
				break
			}
		}
		c.step(now, StepObjected, p.Actor(), r.Unit)
		return nil
	})
	return b.out(ctx, c, err)
}
