package cases

import (
	"context"
	"fmt"
	"slices"
	"time"

	"yiting/queue"
)

// Some rules leave a stretch of time out of the handling limit: the
// hearing (听证) of a 复查 or 复核 (信访工作条例 Art. 35–36), the expert
// appraisal (鉴定) of a medical dispute (医疗纠纷预防和处理条例 Art. 38).
// The clerk stops the clock when it starts and starts it again when it
// ends: the days in between are not counted, and the due day moves by
// them. While the clock is stopped the case has no due day (HandleDue 0):
// nothing falls due, nothing is overdue, no supervision opens by itself.

// PauseKind is what stops a case's handling clock.
type PauseKind string

// Pause kinds.
const (
	PauseHearing   PauseKind = "hearing"   // 听证 (信访工作条例 Art. 35–36)
	PauseAppraisal PauseKind = "appraisal" // 鉴定 (医疗纠纷预防和处理条例 Art. 38)
)

// Name is the pause in Chinese.
func (k PauseKind) Name() string {
	switch k {
	case PauseHearing:
		return "听证"
	case PauseAppraisal:
		return "鉴定"
	}
	return string(k)
}

// Pause is one stretch of time the handling limit does not count: from
// the day it began (not counted, as the clock ran that day) to the day it
// ended (To; 0 while it lasts).
type Pause struct {
	Kind      PauseKind `json:"kind"`
	Reason    string    `json:"reason"` // what is heard or appraised, by whom
	From      Date      `json:"from"`
	At        time.Time `json:"at"`
	By        string    `json:"by"`
	To        Date      `json:"to,omitempty"`
	EndedAt   time.Time `json:"ended_at,omitzero"`
	EndedBy   string    `json:"ended_by,omitempty"`
	DueBefore Date      `json:"due_before,omitempty"` // the due day when the clock stopped
}

// Paused returns the pause that stops the case's clock now, if any.
func (c *Case) Paused() *Pause {
	if n := len(c.Pauses); n > 0 && c.Pauses[n-1].To == 0 {
		return &c.Pauses[n-1]
	}
	return nil
}

// canPause reports whether the handling clock runs and may be stopped:
// the rule leaves some time out, the clock runs (a limit counted from
// registration runs from the start), and the case is not concluded.
func (c *Case) canPause() bool {
	switch c.Status {
	case StatusRegistered, StatusReceived, StatusRouted, StatusHandling:
	default:
		return false
	}
	return c.Limit.Pause != "" && c.Paused() == nil && c.HandleDue != 0
}

// PauseClock stops the handling clock of a case whose rule leaves that
// time out (Limit.Pause), with what is heard or appraised: the case's
// handlers, between acceptance and conclusion.
func (b *Book) PauseClock(ctx context.Context, p queue.Principal, code, reason string) (View, error) {
	reason, err := needText("reason", "暂停计时的事由", reason, 500)
	if err != nil {
		return View{}, err
	}
	c, err := b.handled(ctx, p, code, func(c *Case, now time.Time) error {
		switch {
		case c.Limit.Pause == "":
			return queue.Errorf(queue.ECONFLICT, "此类案件的办理期限没有不计入的期间 (this case type's limit has no pause)")
		case c.Paused() != nil:
			return queue.Errorf(queue.ECONFLICT, "办理期限已暂停计时（%s） (already paused)", c.Paused().Kind.Name())
		case !c.canPause():
			return conflict(c, "只能在办理期限计时期间暂停计时", "pause while the handling limit runs")
		}
		c.Pauses = append(c.Pauses, Pause{Kind: c.Limit.Pause, Reason: reason, From: DateOf(now, b.hall.Location), At: now, By: p.Actor(), DueBefore: c.HandleDue})
		c.HandleDue = 0
		c.step(now, StepPaused, p.Actor(), c.Limit.Pause.Name()+"："+reason)
		return nil
	})
	return b.out(ctx, c, err)
}

// ResumeClock starts the handling clock again when the hearing or the
// appraisal has ended: the days it took are not counted, and the due day
// moves by them.
func (b *Book) ResumeClock(ctx context.Context, p queue.Principal, code string) (View, error) {
	c, err := b.handled(ctx, p, code, func(c *Case, now time.Time) error {
		ps := c.Paused()
		if ps == nil {
			return queue.Errorf(queue.ECONFLICT, "办理期限没有暂停 (the clock is not paused)")
		}
		ps.To, ps.EndedAt, ps.EndedBy = DateOf(now, b.hall.Location), now, p.Actor()
		d := b.deadlines(c)
		c.HandleDue = d.handle
		c.step(now, StepResumed, p.Actor(), fmt.Sprintf("%s结束，不计入%d日；办理期限 %s → %s", ps.Kind.Name(), ps.To-ps.From, ps.DueBefore, c.HandleDue))
		return nil
	})
	return b.out(ctx, c, err)
}

// deadlines is what a case's time limits come to by the calendar in force:
// each computed from its start and span again, the pauses and the
// extension applied in the order they happened.
type deadlines struct {
	accept, handle   Date
	extFrom, extTo   Date // the extension's, if any
	supervisionReply []Date
}

func (b *Book) deadlines(c *Case) deadlines {
	cal := b.cal()
	loc := b.hall.Location
	d := deadlines{accept: cal.Due(c.Day, c.Limit.Accept)}
	for _, s := range c.Supervisions {
		d.supervisionReply = append(d.supervisionReply, b.replyDue(s.OpenedAt, s.Level))
	}
	start := c.Day
	if c.Limit.HandleFromAccept {
		if c.AcceptedAt.IsZero() {
			return d
		}
		start = DateOf(c.AcceptedAt, loc)
	}
	if c.Limit.Handle.Days <= 0 || start == 0 {
		return d
	}
	// The clock: a limit in working days ends on a working day, end; one
	// in calendar days ends on end moved to the next working day (Civil
	// Code Art. 203), and days are added to end before that move.
	working, end := c.Limit.Handle.Working, start.AddDays(c.Limit.Handle.Days)
	if working {
		end = cal.Due(start, c.Limit.Handle)
	}
	due := func() Date {
		if working {
			return end
		}
		return cal.NextWorkday(end)
	}
	type change struct {
		at    time.Time
		pause *Pause
	}
	var changes []change
	for i := range c.Pauses {
		changes = append(changes, change{c.Pauses[i].At, &c.Pauses[i]})
	}
	if c.Extension != nil {
		changes = append(changes, change{at: c.Extension.At})
	}
	slices.SortStableFunc(changes, func(a, b change) int { return a.at.Compare(b.at) })
	for _, ch := range changes {
		if ps := ch.pause; ps != nil {
			if ps.To == 0 {
				return d // stopped: no due day
			}
			if ps.From >= due() {
				continue // paused when already overdue: nothing left to stop
			}
			if working {
				end = cal.Due(ps.To, Work(cal.WorkdaysBetween(ps.From, end)))
			} else {
				end = end.AddDays(int(ps.To - ps.From))
			}
			continue
		}
		ext := c.Limit.Extension
		d.extFrom = due()
		working, end = ext.Working, d.extFrom.AddDays(ext.Days)
		if working {
			end = cal.Due(d.extFrom, ext)
		}
		d.extTo = due()
	}
	d.handle = due()
	return d
}
