package cases

import (
	"context"
	"time"

	"yiting/queue"
)

// 上报: a township's centre reports a case it cannot resolve up to the
// county centre (issue 14: the county collects, analyses and routes what
// the townships report, 集中汇总、分析研判、合理分流), which then owns it: the
// county routes it (交办, RouteTo.Superior) or concludes it
// (Result.Superior). The site keeps the case: its staff still see it,
// add records, hold sessions and hearings, and its supervisors still
// supervise and warn — but while the county owns it nobody of the site
// routes it, extends its limit, concludes or closes it (withdrawn and not
// accepted included): countyOwns and the commands' checks.
//
// Who reports up: a supervisor of the site (the centre's leadership that
// answers for the township's cases); a clerk who cannot resolve a case
// asks them. Once the county assigns the case down to a unit, the unit
// works and concludes it as any assignment (the county follows it by
// 督办); once it concludes it, the site follows the visitor up and closes
// it (回访, 终结) as any concluded case.

// Escalation is a case reported up to the county centre.
type Escalation struct {
	// Reason is why, as the county reads it: the parties' names, ID
	// numbers, phones and addresses masked (redact) before it is kept,
	// for it leaves the site in the case's events.
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	// SettledAt: when the county decided — assigned it down (Settled
	// "assigned") or concluded it ("concluded"); zero while it is the
	// county's.
	SettledAt time.Time `json:"settled_at,omitzero"`
	Settled   string    `json:"settled,omitempty"`
	SettledBy string    `json:"settled_by,omitempty"`
}

// What the county did with a case reported up to it.
const (
	SettledAssigned  = "assigned"
	SettledConcluded = "concluded"
)

// countyOwns reports whether the case waits for the county's decision:
// reported up, neither assigned down nor concluded by it yet.
func (c *Case) countyOwns() bool {
	return c.Escalation != nil && c.Escalation.SettledAt.IsZero() && c.Status.Open()
}

// settle records the county's decision on a case reported up to it.
func (c *Case) settle(how, by string, now time.Time) {
	if c.countyOwns() {
		c.Escalation.SettledAt, c.Escalation.Settled, c.Escalation.SettledBy = now, how, by
	}
}

// ownedByCounty reports whether the county owns the case now: reported
// up and undecided, on a hall that is still a county site (a hall taken
// out of the network decides its cases again).
func (b *Book) ownedByCounty(c *Case) bool { return b.county && c.countyOwns() }

// checkSiteDecision refuses a routing or conclusion decision of the site
// on a case the county owns.
func (b *Book) checkSiteDecision(c *Case, what string) error {
	if !b.ownedByCounty(c) {
		return nil
	}
	return queue.Errorf(queue.EFORBIDDEN, "案件%s已上报县综治中心，%s由县级决定；本中心可继续登记记录、调处，等待县级交办或办结 (reported up: the county decides)", c.Code, what)
}

// canReportUp reports whether a case may be reported up now: open, not
// yet concluded, not the county's already.
func (c *Case) canReportUp() bool {
	switch c.Status {
	case StatusRegistered, StatusReceived, StatusRouted, StatusHandling:
		return !c.countyOwns()
	}
	return false
}

// ReportUp reports the case up to the county centre with the reason
// (2–500 characters): supervisors of a hall that is a county site
// (Options.County) only. The county owns it from then on (see above); a
// case the county assigned back down may be reported up again.
func (b *Book) ReportUp(ctx context.Context, p queue.Principal, code, reason string) (View, error) {
	if err := checkSupervisor(p); err != nil {
		return View{}, queue.Errorf(queue.EFORBIDDEN, "只有督导人员（中心负责人）可以上报县综治中心 (supervisors only)")
	}
	if !b.county {
		return View{}, queue.Errorf(queue.ECONFLICT, "本中心未接入县级平台（大厅配置文件 [county]），不能上报 (not a county site)")
	}
	reason, err := needText("reason", "上报理由", reason, 500)
	if err != nil {
		return View{}, err
	}
	if len([]rune(reason)) < 2 {
		return View{}, queue.Errorf(queue.EINVALID, "上报理由至少2个字 (reason: at least 2 characters)")
	}
	c, err := b.mutate(ctx, code, func(c *Case, now time.Time) error {
		switch {
		case c.countyOwns():
			return conflict(c, "已上报县综治中心，等待县级交办或办结", "already reported up")
		case !c.canReportUp():
			return conflict(c, "只能在办结前上报", "reported up before conclusion only")
		}
		parties, err := b.unseal(c)
		if err != nil {
			return err
		}
		masked := redact(redactor(parties), reason)
		c.Escalation = &Escalation{Reason: masked, At: now, By: p.Actor()}
		c.step(now, StepReportedUp, p.Actor(), masked)
		return nil
	})
	return b.out(ctx, c, err)
}

// caseReport is what a case's events say of its report up.
func (e *Escalation) caseReport() *queue.CaseReport {
	if e == nil {
		return nil
	}
	return &queue.CaseReport{At: e.At, Reason: e.Reason, Settled: e.Settled}
}
