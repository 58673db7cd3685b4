package cases

import (
	"cmp"
	"context"
	"slices"
	"time"

	"yiting/queue"
)

// Inquire returns what the public inquiry page shows for a token (询事,
// 信访工作条例 Art. 21). A wrong or malformed token is ENOTFOUND, by the
// same path as a right one: the token is hashed and looked up either way.
func (b *Book) Inquire(ctx context.Context, token string) (PublicView, error) {
	c, err := b.store.CaseByToken(ctx, TokenHash(token))
	if err != nil {
		return PublicView{}, err
	}
	return b.publicView(c), nil
}

// RateResult records the petitioner's rating of the result from the
// inquiry page (评事): 满意 or 不满意, once, after the case is closed (and
// not for a withdrawn one). The rater is the token's holder; nothing else
// identifies them.
func (b *Book) RateResult(ctx context.Context, token string, satisfied bool) (PublicView, error) {
	found, err := b.store.CaseByToken(ctx, TokenHash(token))
	if err != nil {
		return PublicView{}, err
	}
	return b.rate(ctx, found.Code, "visitor", satisfied)
}

// RateFromCounty records the rating a petitioner gave on the county's
// inquiry page (issue 14): the county's hub checked their token and sends
// the rating down as a command, whose actor (county:<id>) the step keeps.
// The same rules as RateResult: once, after the case is closed.
func (b *Book) RateFromCounty(ctx context.Context, p queue.Principal, code string, satisfied bool) (PublicView, error) {
	if err := checkSupervisor(p); err != nil {
		return PublicView{}, err
	}
	return b.rate(ctx, code, p.Actor(), satisfied)
}

func (b *Book) rate(ctx context.Context, code, actor string, satisfied bool) (PublicView, error) {
	c, err := b.mutate(ctx, code, func(c *Case, now time.Time) error {
		switch {
		case c.Status != StatusClosed:
			return queue.Errorf(queue.ECONFLICT, "事项办结终结后才能评价 (rate after the case is closed)")
		case c.Outcome == OutcomeWithdrawn:
			return queue.Errorf(queue.ECONFLICT, "已撤回的事项无需评价 (withdrawn: nothing to rate)")
		case c.Satisfaction != nil:
			return queue.Errorf(queue.ECONFLICT, "您已评价过，每件事项只评一次 (already rated)")
		}
		c.Satisfaction = &Satisfaction{Satisfied: satisfied, At: now}
		note := "不满意"
		if satisfied {
			note = "满意"
		}
		c.step(now, StepRated, actor, note)
		if !satisfied {
			c.Review = &Review{OpenedAt: now}
			c.step(now, StepReviewOpened, "system", "")
		}
		return nil
	})
	if err != nil {
		return PublicView{}, err
	}
	return b.publicView(c), nil
}

// ListFilter selects open cases for a list or the dashboard.
type ListFilter struct {
	Status Status // "" any open status
	// Due: "" any, "soon" or "overdue" (the pending deadline's state),
	// "due" both.
	Due        string
	Supervised bool   // only cases with an open supervision
	Unit       string // only this unit's
	Mine       bool   // staff: only cases they are involved in
	Limit      int    // at most; 500 if 0
}

// List returns the open cases p may see that match, the most urgent
// first (overdue, then by due day, then by registration).
func (b *Book) List(ctx context.Context, p queue.Principal, f ListFilter) ([]View, error) {
	if !supervisor(p) && p.Role != queue.RoleStaff {
		return nil, queue.Errorf(queue.EFORBIDDEN, "无权查看案件 (not allowed to read cases)")
	}
	if f.Limit <= 0 || f.Limit > 5000 {
		f.Limit = 500
	}
	var out []View
	err := b.store.OpenCases(ctx, func(c *Case) error {
		switch {
		case !b.CanSee(p, c):
			return nil
		case f.Status != "" && c.Status != f.Status:
			return nil
		case f.Unit != "" && c.Unit != f.Unit:
			return nil
		case f.Mine && !b.involved(p, c.holders()):
			return nil
		}
		if f.Supervised {
			any := false
			for _, s := range c.Supervisions {
				any = any || s.open()
			}
			if !any {
				return nil
			}
		}
		if f.Due != "" {
			d := b.due(c)
			if d == nil || d.State == "ok" || (f.Due != "due" && d.State != f.Due) {
				return nil
			}
		}
		out = append(out, b.view(c))
		return nil
	})
	if err != nil {
		return nil, err
	}
	urgency := func(v View) (int, Date, time.Time) {
		if v.Due == nil {
			return 3, 0, v.Registered
		}
		switch v.Due.State {
		case "overdue":
			return 0, v.Due.Date, v.Registered
		case "soon":
			return 1, v.Due.Date, v.Registered
		}
		return 2, v.Due.Date, v.Registered
	}
	slices.SortStableFunc(out, func(x, y View) int {
		ux, dx, rx := urgency(x)
		uy, dy, ry := urgency(y)
		if c := cmp.Compare(ux, uy); c != 0 {
			return c
		}
		if c := cmp.Compare(dx, dy); c != 0 {
			return c
		}
		return rx.Compare(ry)
	})
	if len(out) > f.Limit {
		out = out[:f.Limit]
	}
	return out, nil
}
