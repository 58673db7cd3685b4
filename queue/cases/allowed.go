package cases

import (
	"context"

	"yiting/queue"
)

// Allowed is what p may do with a case now, by its stage and p's role:
// the case page offers these actions and no others. Each command checks
// again when it runs (and says why it refuses).
type Allowed struct {
	Receive     []string `json:"receive,omitempty"` // the counters p may receive it at
	Route       bool     `json:"route,omitempty"`
	Handle      bool     `json:"handle,omitempty"`
	Record      bool     `json:"record,omitempty"`
	Agreement   bool     `json:"agreement,omitempty"` // a mediation agreement may be recorded now
	Extend      bool     `json:"extend,omitempty"`
	Pause       bool     `json:"pause,omitempty"`  // stop the handling clock (听证, 鉴定)
	Resume      bool     `json:"resume,omitempty"` // start it again
	Conclude    bool     `json:"conclude,omitempty"`
	Close       bool     `json:"close,omitempty"`       // 终结 after follow-up
	Withdraw    bool     `json:"withdraw,omitempty"`    // close early: 撤回
	NotAccept   bool     `json:"not_accept,omitempty"`  // close early: 不予受理
	Supervise   bool     `json:"supervise,omitempty"`   // open a supervision notice
	Reply       []int    `json:"reply,omitempty"`       // the open supervisions p may answer
	Post        []int    `json:"post,omitempty"`        // the open supervisions a supervisor may list (挂牌督办)
	Personal    bool     `json:"personal,omitempty"`    // open the parties' full data (audited)
	ReprintQR   bool     `json:"reprint_qr,omitempty"`  // the inquiry QR again
	FollowUpOK  bool     `json:"follow_up,omitempty"`   // a follow-up record may be added now
	Ack         bool     `json:"ack,omitempty"`         // the assigned unit signs for the assignment
	Object      bool     `json:"object,omitempty"`      // or sends it back
	Assess      bool     `json:"assess,omitempty"`      // 研判: risk level, analysis meetings
	Warn        bool     `json:"warn,omitempty"`        // 预警 to a unit
	AckWarning  []int    `json:"ack_warning,omitempty"` // the warnings p may sign for
	FlagMajor   bool     `json:"flag_major,omitempty"`
	CloseReview bool     `json:"close_review,omitempty"`
	Accuse      bool     `json:"accuse,omitempty"`    // name who an accusation accuses
	Recuse      bool     `json:"recuse,omitempty"`    // step aside (staff) or name who steps aside (supervisors)
	Sensitive   bool     `json:"sensitive,omitempty"` // a protected case
	ReadOnly    bool     `json:"read_only,omitempty"` // p may look, not act
	ReportUp    bool     `json:"report_up,omitempty"` // 上报 to the county centre (reportup.go)
}

// CaseFor returns the case as p may see it and what p may do with it now.
func (b *Book) CaseFor(ctx context.Context, p queue.Principal, code string) (View, Allowed, error) {
	c, err := b.load(ctx, code)
	if err != nil {
		return View{}, Allowed{}, err
	}
	if err := b.checkSee(p, c); err != nil {
		return View{}, Allowed{}, err
	}
	if err := b.whole(ctx, c); err != nil {
		return View{}, Allowed{}, err
	}
	return b.view(c), b.allowed(p, c), nil
}

func (b *Book) allowed(p queue.Principal, c *Case) Allowed {
	a := Allowed{Sensitive: b.Sensitive(c.Type)}
	open := c.Status.Open()
	if c.Status == StatusRegistered && (p.Role == queue.RoleStaff || p.Role == queue.RoleSupervisor) {
		for _, ct := range b.hall.Counters {
			_, serves := ct.Serves(c.ServiceID)
			if p.CanOperate(ct.ID) && (serves || (!a.Sensitive && p.Role == queue.RoleStaff)) {
				a.Receive = append(a.Receive, ct.ID)
			}
		}
	}
	if b.CanHandle(p, c) && open {
		a.Route = c.Status == StatusReceived || c.Status == StatusRouted || c.Status == StatusHandling
		a.Handle = c.Status == StatusRouted
		a.Record = true
		a.Agreement = c.Status == StatusHandling
		a.FollowUpOK = c.Status == StatusFollowUp
		a.Extend = c.Extension == nil && c.Limit.Extension.Days > 0 && c.HandleDue != 0 &&
			(c.Status == StatusRouted || c.Status == StatusHandling)
		a.Pause = c.canPause()
		a.Resume = c.Paused() != nil
		a.Conclude = c.Status == StatusHandling
		a.Close = c.Status == StatusFollowUp
		a.Withdraw = c.Status != StatusFollowUp
		a.NotAccept = c.AcceptedAt.IsZero()
		for _, s := range c.Supervisions {
			if s.open() {
				a.Reply = append(a.Reply, s.ID)
			}
		}
		a.ReprintQR = true
	}
	a.Supervise = p.Role == queue.RoleSupervisor && open
	for _, s := range c.Supervisions {
		if a.Supervise && s.open() && s.PostedAt.IsZero() {
			a.Post = append(a.Post, s.ID)
		}
	}
	if b.ownedByCounty(c) { // the county decides these (reportup.go)
		a.Route, a.Extend, a.Conclude, a.Close, a.Withdraw, a.NotAccept = false, false, false, false, false, false
	}
	a.ReportUp = b.county && p.Role == queue.RoleSupervisor && c.canReportUp()
	a.Warn = a.Supervise
	a.CloseReview = p.Role == queue.RoleSupervisor && c.Review.Open()
	if open && b.CanHandle(p, c) {
		a.Assess = true
		a.FlagMajor = c.Major == nil
		a.Accuse = true
		a.Recuse = true
	}
	if r := c.assignment(); r != nil && open && (p.Role == queue.RoleSupervisor || (p.Role == queue.RoleStaff && b.ofUnit(p, r.Unit))) {
		a.Ack = r.AckAt.IsZero() && r.ObjectedAt.IsZero()
		loc := b.hall.Location
		a.Object = r.ObjectedAt.IsZero() && b.cal().WorkdaysBetween(DateOf(r.At, loc), DateOf(b.now(), loc)) <= objectWithin
	}
	for _, w := range c.Warnings {
		if open && w.AckAt.IsZero() && (p.Role == queue.RoleSupervisor || (p.Role == queue.RoleStaff && b.ofUnit(p, w.Unit))) {
			a.AckWarning = append(a.AckWarning, w.ID)
		}
	}
	a.Personal = c.Anonymised.IsZero() && len(c.Persons) > 0 &&
		(p.Role == queue.RoleSupervisor || (p.Role == queue.RoleStaff && b.involved(p, c.holders())))
	a.ReadOnly = len(a.Receive) == 0 && !a.Route && !a.Handle && !a.Record && !a.Close && !a.Withdraw && !a.Supervise &&
		!a.Personal && !a.Ack && !a.Object && len(a.AckWarning) == 0 && !a.CloseReview && !a.ReportUp
	return a
}
