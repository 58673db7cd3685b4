package cases

import (
	"context"
	"slices"
	"strings"
	"time"

	"yiting/queue"
)

// Accusations and conflicts of interest (信访工作条例 Art. 28 ¶3, Art. 30
// ¶3): the material of an accusation (检举、控告) never reaches the unit
// or person accused, and a clerk with a direct interest in a matter steps
// aside. Both close the case to those people everywhere — its page, the
// list, the event stream, personal data — whatever else would let them
// in (access.go), and the case can never be routed to the accused unit.

// Accusation names who a case accuses: a unit, an account, or both.
type Accusation struct {
	Unit  string    `json:"unit,omitempty"`
	Staff string    `json:"staff,omitempty"` // the account of an accused clerk
	At    time.Time `json:"at"`
	By    string    `json:"by"`
}

// Recusal is a clerk stepping aside from a case.
type Recusal struct {
	Staff  string    `json:"staff"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
	By     string    `json:"by"`
}

// excluded reports whether p is kept out of the case: of the accused
// unit, the accused clerk, or a clerk who stepped aside.
func (b *Book) excluded(p queue.Principal, h holders) bool {
	if p.Role != queue.RoleStaff {
		return false
	}
	return (h.AccusedUnit != "" && b.ofUnit(p, h.AccusedUnit)) || (h.AccusedStaff != "" && h.AccusedStaff == p.ID) ||
		slices.Contains(h.Recused, p.ID)
}

// MarkAccusation records who the case accuses: supervisors and the
// case's handlers; a case held by the accused unit goes back to the
// centre's supervisors (its unit is cleared) and must be routed anew.
func (b *Book) MarkAccusation(ctx context.Context, p queue.Principal, code, unit, staff string) (View, error) {
	unit, staff = strings.TrimSpace(unit), strings.TrimSpace(staff)
	if unit == "" && staff == "" {
		return View{}, queue.Errorf(queue.EINVALID, "请填写被检举控告的单位或人员 (unit or staff is required)")
	}
	for _, f := range []struct{ name, v string }{{"unit", unit}, {"staff", staff}} {
		if err := checkText(f.name, f.v, 80); err != nil {
			return View{}, err
		}
	}
	c, err := b.mutate(ctx, code, func(c *Case, now time.Time) error {
		if err := b.checkOpenHandler(p, c); err != nil {
			return err
		}
		c.Accused = &Accusation{Unit: unit, Staff: staff, At: now, By: p.Actor()}
		if unit != "" && c.Unit == unit {
			c.Unit = ""
		}
		c.step(now, StepAccusation, p.Actor(), "")
		return nil
	})
	return b.out(ctx, c, err)
}

// Recuse records that a clerk steps aside from a case, with the reason:
// the clerk themself, or a supervisor naming them.
func (b *Book) Recuse(ctx context.Context, p queue.Principal, code, staff, reason string) (View, error) {
	staff = strings.TrimSpace(staff)
	if p.Role == queue.RoleStaff && staff == "" {
		staff = p.ID
	}
	if staff == "" || (p.Role == queue.RoleStaff && staff != p.ID) {
		return View{}, queue.Errorf(queue.EFORBIDDEN, "工作人员只能申请本人回避；指定他人回避由督导人员决定 (staff recuse themselves; supervisors name others)")
	}
	reason, err := needText("reason", "回避理由", reason, 500)
	if err != nil {
		return View{}, err
	}
	c, err := b.mutate(ctx, code, func(c *Case, now time.Time) error {
		if p.Role != queue.RoleSupervisor {
			if err := b.checkHandle(p, c); err != nil {
				return err
			}
		}
		if slices.ContainsFunc(c.Recusals, func(r Recusal) bool { return r.Staff == staff }) {
			return queue.Errorf(queue.ECONFLICT, "%s已回避此案件 (already recused)", staff)
		}
		c.Recusals = append(c.Recusals, Recusal{Staff: staff, Reason: reason, At: now, By: p.Actor()})
		c.step(now, StepRecused, p.Actor(), staff)
		return nil
	})
	return b.out(ctx, c, err)
}
