package cases

import (
	"slices"

	"yiting/queue"
)

// Who may do what with a case.
//
// A clerk belongs to the units of the counters they are bound to
// (queue.Counter.Unit in the hall configuration): the clerk of 医患纠纷调解室
// is of 医患纠纷人民调解委员会, the clerk of 3号窗口 of 公安局 — and to the
// units an admin names for them directly (queue.Principal.Units): the
// liaison of a dispatched unit without a window of its own, or its clerk
// on duty at the shared 综合受理 window.
//
//   - Supervisors (and admins, for statistics, exports and the audit log)
//     see every case and may run every command; only supervisors open
//     personal data, supervise and close rectifications of other units.
//   - Staff see the cases they work on (involved): of their unit, routed
//     to their counter or to them, or first received by them or at their
//     counter; and a case still waiting for reception (登记) at a counter
//     of theirs that serves its service, so the clerk who calls its
//     ticket can receive it. Nothing else, masked or not.
//   - A protected case (health: Options.Sensitive; 个人信息保护法 Art. 28)
//     stays with its unit: it is received only at a counter that serves
//     its service, and reception at such a counter of another unit (the
//     shared mediation room) makes that counter its first receiver but
//     does not move the case into that unit (received).
//   - Staff run lifecycle commands and open personal data on the cases
//     they are involved in.
//   - Nobody of a unit or the person a case accuses, and no clerk who
//     stepped aside, sees or works it (conflict.go).
//   - Kiosks register cases through the desk; pads and displays nothing.

// holders is who a case is with: what access decides by, the same for a
// case and for its Facts (the list decides without decoding cases).
type holders struct {
	Type, ServiceID, Unit          string
	Status                         Status
	HandlerCounter, HandlerStaff   string
	RouteUnit, RouteCounter, Staff string // the last routing; Staff its mediator
	// Kept out whatever else lets them in (conflict.go).
	AccusedUnit, AccusedStaff string
	Recused                   []string
}

func (c *Case) holders() holders {
	h := holders{Type: c.Type, ServiceID: c.ServiceID, Unit: c.Unit, Status: c.Status,
		HandlerCounter: c.Handler.CounterID, HandlerStaff: c.Handler.StaffID}
	if r, ok := c.Route(); ok {
		h.RouteUnit, h.RouteCounter, h.Staff = r.Unit, r.CounterID, r.StaffID
	}
	if a := c.Accused; a != nil {
		h.AccusedUnit, h.AccusedStaff = a.Unit, a.Staff
	}
	for _, r := range c.Recusals {
		h.Recused = append(h.Recused, r.Staff)
	}
	return h
}

func (f *Facts) holders() holders {
	return holders{Type: f.Type, ServiceID: f.ServiceID, Unit: f.Unit, Status: f.Status,
		HandlerCounter: f.HandlerCounter, HandlerStaff: f.HandlerStaff,
		RouteUnit: f.RouteUnit, RouteCounter: f.RouteCounter, Staff: f.RouteStaff,
		AccusedUnit: f.AccusedUnit, AccusedStaff: f.AccusedStaff, Recused: f.Recused}
}

func supervisor(p queue.Principal) bool {
	return p.Role == queue.RoleSupervisor || p.Role == queue.RoleAdmin
}

// UnitsOf returns the units of the counters a clerk is bound to.
func (b *Book) UnitsOf(p queue.Principal) []string {
	var out []string
	add := func(u string) {
		if u != "" && !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	for _, u := range p.Units {
		add(u)
	}
	for _, id := range p.Counters {
		if c, ok := b.hall.Counter(id); ok {
			add(c.Unit)
		}
	}
	return out
}

func (b *Book) ofUnit(p queue.Principal, unit string) bool {
	if unit == "" {
		return false
	}
	for _, u := range b.UnitsOf(p) {
		if u == unit {
			return true
		}
	}
	return false
}

func bound(p queue.Principal, counterID string) bool {
	if counterID == "" {
		return false
	}
	for _, c := range p.Counters {
		if c == counterID {
			return true
		}
	}
	return false
}

// involved reports whether a clerk works on the case.
func (b *Book) involved(p queue.Principal, h holders) bool {
	if p.Role != queue.RoleStaff || b.excluded(p, h) {
		return false
	}
	return b.ofUnit(p, h.Unit) || h.Staff == p.ID || bound(p, h.RouteCounter) || b.ofUnit(p, h.RouteUnit) ||
		h.HandlerStaff == p.ID || bound(p, h.HandlerCounter)
}

// awaits reports whether a case waits for reception at a counter of p's
// that serves its service (the clerk who calls its ticket).
func (b *Book) awaits(p queue.Principal, h holders) bool {
	if p.Role != queue.RoleStaff || h.Status != StatusRegistered || b.excluded(p, h) {
		return false
	}
	for _, id := range p.Counters {
		if ct, ok := b.hall.Counter(id); ok {
			if _, serves := ct.Serves(h.ServiceID); serves {
				return true
			}
		}
	}
	return false
}

func (b *Book) canSee(p queue.Principal, h holders) bool {
	return supervisor(p) || b.involved(p, h) || b.awaits(p, h)
}

// CanSee reports whether p may read the case (masked).
func (b *Book) CanSee(p queue.Principal, c *Case) bool { return b.canSee(p, c.holders()) }

// CanHandle reports whether p may run lifecycle commands on the case.
func (b *Book) CanHandle(p queue.Principal, c *Case) bool {
	return p.Role == queue.RoleSupervisor || b.involved(p, c.holders())
}

func (b *Book) checkSee(p queue.Principal, c *Case) error {
	if b.CanSee(p, c) {
		return nil
	}
	if p.Role == queue.RoleStaff {
		if b.excluded(p, c.holders()) {
			return queue.Errorf(queue.EFORBIDDEN, "您或您的单位须回避此案件（《信访工作条例》第二十八条、第三十条） (you are kept out of this case)")
		}
		if b.Sensitive(c.Type) {
			return queue.Errorf(queue.EFORBIDDEN, "该案件涉及健康信息，仅限承办单位和督导人员查看 (protected case: its unit and supervisors only)")
		}
		return queue.Errorf(queue.EFORBIDDEN, "该案件不由您或您的单位承办 (not a case of yours or your unit)")
	}
	return queue.Errorf(queue.EFORBIDDEN, "无权查看案件 (not allowed to read cases)")
}

func (b *Book) checkHandle(p queue.Principal, c *Case) error {
	if b.CanHandle(p, c) {
		return nil
	}
	return queue.Errorf(queue.EFORBIDDEN, "只有承办人员、承办单位或督导人员可以办理此案件 (only the case's handler, unit or a supervisor)")
}

func checkSupervisor(p queue.Principal) error {
	if p.Role == queue.RoleSupervisor {
		return nil
	}
	return queue.Errorf(queue.EFORBIDDEN, "只有督导人员可以这样做 (supervisors only)")
}

func checkReader(p queue.Principal) error {
	if supervisor(p) {
		return nil
	}
	return queue.Errorf(queue.EFORBIDDEN, "只有督导人员和管理员可以查看统计和审计 (supervisors and admins only)")
}
