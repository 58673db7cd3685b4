package cases

import (
	"context"
	"time"

	"yiting/queue"
)

// Review is the supervisors' review of a result the visitor rated 不满意
// on the inquiry page (信访工作条例 Art. 21): it is opened by the rating
// and closed by a supervisor with what was done (a call back, a 复查, an
// explanation).
type Review struct {
	OpenedAt time.Time `json:"opened_at"`
	ClosedAt time.Time `json:"closed_at,omitzero"`
	ClosedBy string    `json:"closed_by,omitempty"`
	Action   string    `json:"action,omitempty"`
}

// Open reports whether the review waits for a supervisor.
func (r *Review) Open() bool { return r != nil && r.ClosedAt.IsZero() }

// CloseReview closes the review of a 不满意 with what was done:
// supervisors only.
func (b *Book) CloseReview(ctx context.Context, p queue.Principal, code, action string) (View, error) {
	if err := checkSupervisor(p); err != nil {
		return View{}, err
	}
	action, err := needText("action", "复查情况", action, 2000)
	if err != nil {
		return View{}, err
	}
	c, err := b.mutate(ctx, code, func(c *Case, now time.Time) error {
		if !c.Review.Open() {
			return queue.Errorf(queue.ECONFLICT, "案件%s没有待复查的不满意评价 (no open review)", c.Code)
		}
		c.Review.ClosedAt, c.Review.ClosedBy, c.Review.Action = now, p.Actor(), action
		c.step(now, StepReviewClosed, p.Actor(), "")
		return nil
	})
	return b.out(ctx, c, err)
}
