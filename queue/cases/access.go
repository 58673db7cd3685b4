package cases

import "yiting/queue"

// Who may do what with a case.
//
// Principals carry no unit. A clerk belongs to the units of the counters
// they are bound to (queue.Counter.Unit in the hall configuration): the
// clerk of 医患纠纷调解室 is of 医患纠纷人民调解委员会, the clerk of 3号窗口 of
// 公安局. So a change of the counters an admin binds a clerk to changes
// the cases the clerk sees, with no second list to keep in step.
//
//   - Supervisors (and admins, for statistics, exports and the audit log)
//     see every case and may run every command; only supervisors open
//     personal data, supervise and close rectifications of other units.
//   - Staff see every case that is not sensitive, masked. A sensitive
//     case (health: Options.Sensitive) only if they are involved: its
//     first receiver, at its counter or routed counter, its mediator, or
//     of its unit.
//   - Staff run lifecycle commands and open personal data on the cases
//     they are involved in.
//   - Kiosks register cases and look up returning visitors; pads and
//     displays nothing.

func supervisor(p queue.Principal) bool {
	return p.Role == queue.RoleSupervisor || p.Role == queue.RoleAdmin
}

// UnitsOf returns the units of the counters a clerk is bound to.
func (b *Book) UnitsOf(p queue.Principal) []string {
	var out []string
	seen := map[string]bool{}
	for _, id := range p.Counters {
		if c, ok := b.hall.Counter(id); ok && c.Unit != "" && !seen[c.Unit] {
			seen[c.Unit] = true
			out = append(out, c.Unit)
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
func (b *Book) involved(p queue.Principal, c *Case) bool {
	if p.Role != queue.RoleStaff {
		return false
	}
	if c.Handler.StaffID == p.ID || bound(p, c.Handler.CounterID) || b.ofUnit(p, c.Unit) {
		return true
	}
	if r, ok := c.Route(); ok && (r.StaffID == p.ID || bound(p, r.CounterID) || b.ofUnit(p, r.Unit)) {
		return true
	}
	return false
}

// CanSee reports whether p may read the case (masked).
func (b *Book) CanSee(p queue.Principal, c *Case) bool {
	switch {
	case supervisor(p):
		return true
	case p.Role == queue.RoleStaff:
		return !b.Sensitive(c.Type) || b.involved(p, c)
	}
	return false
}

// CanHandle reports whether p may run lifecycle commands on the case.
func (b *Book) CanHandle(p queue.Principal, c *Case) bool {
	return p.Role == queue.RoleSupervisor || b.involved(p, c)
}

func (b *Book) checkSee(p queue.Principal, c *Case) error {
	if b.CanSee(p, c) {
		return nil
	}
	if p.Role == queue.RoleStaff {
		return queue.Errorf(queue.EFORBIDDEN, "该案件涉及健康信息，仅限承办单位和督导人员查看 (health-related case: its unit and supervisors only)")
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
