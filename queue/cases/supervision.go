package cases

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"yiting/queue"
)

// Supervision (督导/督办) lies over a case in any open status: opened by
// itself when a deadline is near or has passed, or by a supervisor, with
// a notice level that sets the day the responsible unit must reply by.
// The petition bureau supervises bodies that delay (信访工作条例 Art. 40);
// the notice levels are local practice (docs/domain.md: red / yellow / blue
// answered the same day / within 2 days / within 3 days), so they are
// configuration.

// NoticeLevel is one level of supervision notice.
type NoticeLevel struct {
	ID   string `json:"id"`   // "red"
	Name string `json:"name"` // "红色督办"
	// Reply is the time the unit has to reply; 0 days: the same day
	// (the next working day when opened on a holiday).
	Reply Span `json:"reply"`
}

// DefaultNotices are the local practice of docs/domain.md, most urgent
// first.
func DefaultNotices() []NoticeLevel {
	return []NoticeLevel{
		{ID: "red", Name: "红色督办", Reply: Cal(0)},
		{ID: "yellow", Name: "黄色督办", Reply: Cal(2)},
		{ID: "blue", Name: "蓝色督办", Reply: Cal(3)},
	}
}

func validNotices(ls []NoticeLevel) error {
	if len(ls) == 0 {
		return errors.New("cases: at least one supervision notice level is needed")
	}
	seen := map[string]bool{}
	for i, l := range ls {
		if l.ID == "" || l.Name == "" || seen[l.ID] || l.Reply.Days < 0 {
			return fmt.Errorf("cases: notices[%d]: needs a unique id, a name and a reply span ≥ 0", i)
		}
		seen[l.ID] = true
	}
	return nil
}

// AutoSupervision says when supervision opens by itself.
type AutoSupervision struct {
	Off bool // no automatic supervision
	// SoonWithin: a deadline at most this many working days away opens
	// a Soon notice (0: on the due day itself).
	SoonWithin int
	Soon       string // level id
	Overdue    string // level id once the due day has ended
	// LongOverdueAfter: this many working days overdue escalate to
	// LongOverdue.
	LongOverdueAfter int
	LongOverdue      string
}

// DefaultAuto: blue two working days before, yellow when overdue, red five
// working days overdue.
func DefaultAuto() AutoSupervision {
	return AutoSupervision{SoonWithin: 2, Soon: "blue", Overdue: "yellow", LongOverdueAfter: 5, LongOverdue: "red"}
}

func (a AutoSupervision) valid(ls []NoticeLevel) error {
	if a.Off {
		return nil
	}
	for _, id := range []string{a.Soon, a.Overdue, a.LongOverdue} {
		if rank(ls, id) < 0 {
			return fmt.Errorf("cases: auto supervision names level %q, which is not a notice level", id)
		}
	}
	if a.SoonWithin < 0 || a.LongOverdueAfter < 1 {
		return errors.New("cases: auto supervision: SoonWithin ≥ 0 and LongOverdueAfter ≥ 1")
	}
	return nil
}

// rank is the level's urgency: 0 the most urgent; -1 for none.
func rank(ls []NoticeLevel, id string) int {
	for i, l := range ls {
		if l.ID == id {
			return i
		}
	}
	return -1
}

func (b *Book) levelName(id string) string { return levelName(b.notices, id) }

func levelName(ls []NoticeLevel, id string) string {
	for _, l := range ls {
		if l.ID == id {
			return l.Name
		}
	}
	return id
}

// MostUrgent is the most urgent of the levels of a case's open
// supervisions (Facts.Levels) by notices (most urgent first), with its
// name; "", "" when there is none.
func MostUrgent(levels []string, notices []NoticeLevel) (id, name string) {
	for _, l := range levels {
		if id == "" || rank(notices, l) < rank(notices, id) {
			id = l
		}
	}
	return id, levelName(notices, id)
}

// Supervision is one supervision notice on a case.
type Supervision struct {
	ID         int       `json:"id"`
	Level      string    `json:"level"`
	Auto       bool      `json:"auto,omitempty"`
	Deadline   string    `json:"deadline,omitempty"` // auto: "accept" or "handle"
	Reason     string    `json:"reason"`
	OpenedAt   time.Time `json:"opened_at"`
	OpenedBy   string    `json:"opened_by"`
	ReplyDue   Date      `json:"reply_due"`
	Reply      string    `json:"reply,omitempty"`
	RepliedAt  time.Time `json:"replied_at,omitzero"`
	RepliedBy  string    `json:"replied_by,omitempty"`
	ResolvedAt time.Time `json:"resolved_at,omitzero"` // ended without a reply: the deadline was met, escalated, or the case closed
	Resolution string    `json:"resolution,omitempty"`
	// PostedAt: the supervision was made a listed one (挂牌督办), shown on
	// the supervisors' boards until it is answered.
	PostedAt time.Time `json:"posted_at,omitzero"`
	PostedBy string    `json:"posted_by,omitempty"`
}

func (s Supervision) open() bool { return s.RepliedAt.IsZero() && s.ResolvedAt.IsZero() }

// late: unanswered after its reply day, or answered after it.
func (s Supervision) late(now time.Time, loc *time.Location) bool {
	end := s.ReplyDue.End(loc)
	switch {
	case !s.RepliedAt.IsZero():
		return !s.RepliedAt.Before(end)
	case s.ResolvedAt.IsZero():
		return !now.Before(end)
	}
	return false
}

func (b *Book) replyDue(now time.Time, level string) Date {
	today := DateOf(now, b.hall.Location)
	for _, l := range b.notices {
		if l.ID == level {
			if l.Reply.Days == 0 {
				return b.cal().NextWorkday(today)
			}
			return b.cal().Due(today, l.Reply)
		}
	}
	return b.cal().NextWorkday(today)
}

func (b *Book) openSupervision(c *Case, now time.Time, s Supervision) {
	s.ID = len(c.Supervisions) + 1
	s.OpenedAt = now
	s.ReplyDue = b.replyDue(now, s.Level)
	c.Supervisions = append(c.Supervisions, s)
	c.step(now, StepSupervised, s.OpenedBy, fmt.Sprintf("%s：%s（%s前回复）", b.levelName(s.Level), s.Reason, s.ReplyDue))
}

// resolveAuto ends the open automatic supervisions of one deadline.
func (b *Book) resolveAuto(c *Case, now time.Time, which, why string) {
	for i := range c.Supervisions {
		s := &c.Supervisions[i]
		if s.Auto && s.Deadline == which && s.open() {
			s.ResolvedAt, s.Resolution = now, why
			c.step(now, StepResolved, "system", fmt.Sprintf("督办%d：%s", s.ID, why))
		}
	}
}

// resolveAll ends every open supervision.
func (b *Book) resolveAll(c *Case, now time.Time, why string) {
	for i := range c.Supervisions {
		s := &c.Supervisions[i]
		if s.open() {
			s.ResolvedAt, s.Resolution = now, why
			c.step(now, StepResolved, "system", fmt.Sprintf("督办%d：%s", s.ID, why))
		}
	}
}

// Supervise opens a supervision notice on a case (督办): supervisors only.
func (b *Book) Supervise(ctx context.Context, p queue.Principal, code, level, reason string) (View, error) {
	if err := checkSupervisor(p); err != nil {
		return View{}, err
	}
	if rank(b.notices, level) < 0 {
		ids := make([]string, len(b.notices))
		for i, l := range b.notices {
			ids[i] = l.ID
		}
		return View{}, queue.Errorf(queue.EINVALID, "督办等级无效：%q (level must be one of %s)", level, strings.Join(ids, ", "))
	}
	reason, err := needText("reason", "督办事由", reason, 500)
	if err != nil {
		return View{}, err
	}
	c, err := b.mutate(ctx, code, func(c *Case, now time.Time) error {
		if !c.Status.Open() {
			return conflict(c, "不能督办", "closed cases are not supervised")
		}
		b.openSupervision(c, now, Supervision{Level: level, Reason: reason, OpenedBy: p.Actor()})
		return nil
	})
	return b.out(ctx, c, err)
}

// Reply records the unit's reply to a supervision notice.
func (b *Book) Reply(ctx context.Context, p queue.Principal, code string, id int, reply string) (View, error) {
	reply, err := needText("reply", "回复内容", reply, 2000)
	if err != nil {
		return View{}, err
	}
	c, err := b.handled(ctx, p, code, func(c *Case, now time.Time) error {
		if id < 1 || id > len(c.Supervisions) {
			return queue.Errorf(queue.ENOTFOUND, "案件%s没有第%d号督办 (no such supervision)", c.Code, id)
		}
		s := &c.Supervisions[id-1]
		if !s.open() {
			return queue.Errorf(queue.ECONFLICT, "第%d号督办已回复或已结束 (supervision already answered or ended)", id)
		}
		s.Reply, s.RepliedAt, s.RepliedBy = reply, now, p.Actor()
		note := fmt.Sprintf("督办%d已回复", id)
		if s.late(now, b.hall.Location) {
			note += "（逾期）"
		}
		c.step(now, StepReplied, p.Actor(), note)
		return nil
	})
	return b.out(ctx, c, err)
}

// wantAuto is the level the pending deadline of c calls for now ("" for
// none) and which deadline it is.
func (b *Book) wantAuto(c *Case) (level, which string) {
	if b.auto.Off {
		return "", ""
	}
	d := b.due(c)
	if d == nil {
		return "", ""
	}
	switch d.State {
	case "soon":
		return b.auto.Soon, d.Which
	case "overdue":
		if -d.WorkdaysLeft >= b.auto.LongOverdueAfter {
			return b.auto.LongOverdue, d.Which
		}
		return b.auto.Overdue, d.Which
	}
	return "", ""
}

// needsAuto reports whether c should get a new automatic notice: none yet
// for this deadline at this urgency or a more urgent one.
func (b *Book) needsAuto(c *Case) (level, which string, ok bool) {
	level, which = b.wantAuto(c)
	if level == "" {
		return "", "", false
	}
	want := rank(b.notices, level)
	for _, s := range c.Supervisions {
		if s.Auto && s.Deadline == which {
			if r := rank(b.notices, s.Level); r >= 0 && r <= want {
				return "", "", false
			}
		}
	}
	return level, which, true
}

// Sweep opens the automatic supervision notices that are due: one when a
// deadline comes within Auto.SoonWithin working days, one when it has
// passed, one when it is Auto.LongOverdueAfter working days overdue; a
// more urgent notice ends the open less urgent one of the same deadline.
// It returns how many notices it opened. The book's Run calls it every
// minute; it is idempotent.
func (b *Book) Sweep(ctx context.Context) (int, error) {
	return b.changeOpen(ctx, func(c *Case) bool { _, _, ok := b.needsAuto(c); return ok }, func(c *Case, now time.Time) (int, error) {
		level, which, ok := b.needsAuto(c)
		if !ok {
			return 0, errUnchanged
		}
		name := "受理期限"
		due := c.AcceptDue
		if which == "handle" {
			name, due = "办理期限", c.HandleDue
		}
		state := "临近"
		if !now.Before(due.End(b.hall.Location)) {
			state = "已超过"
		}
		for i := range c.Supervisions {
			s := &c.Supervisions[i]
			if s.Auto && s.Deadline == which && s.open() {
				s.ResolvedAt, s.Resolution = now, "升级为"+b.levelName(level)
			}
		}
		b.openSupervision(c, now, Supervision{Level: level, Auto: true, Deadline: which,
			Reason: fmt.Sprintf("%s%s（%s）", name, state, due), OpenedBy: "system"})
		return 1, nil
	})
}

// changeOpen runs fn, each as its own command, on the open cases need
// picks from the store; fn reads the case again on the writer and returns
// errUnchanged when it finds nothing to do after all, else how much it
// did. It returns the sum over the commands that committed.
func (b *Book) changeOpen(ctx context.Context, need func(*Case) bool, fn func(c *Case, now time.Time) (int, error)) (int, error) {
	var todo []string
	err := b.store.OpenCases(ctx, func(c *Case) error {
		if need(c) {
			todo = append(todo, c.Code)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	done := 0
	for _, code := range todo {
		n := 0
		_, err := b.mutate(ctx, code, func(c *Case, now time.Time) (err error) {
			n, err = fn(c, now)
			return err
		})
		switch {
		case errors.Is(err, errUnchanged):
		case err != nil:
			return done, err
		default:
			done += n
		}
	}
	return done, nil
}

// errUnchanged tells mutate's caller that fn found nothing to do; mutate
// then writes nothing.
var errUnchanged = errors.New("cases: unchanged")

// Post makes an open supervision a listed one (挂牌督办): supervisors.
func (b *Book) Post(ctx context.Context, p queue.Principal, code string, id int) (View, error) {
	if err := checkSupervisor(p); err != nil {
		return View{}, err
	}
	c, err := b.mutate(ctx, code, func(c *Case, now time.Time) error {
		if id < 1 || id > len(c.Supervisions) {
			return queue.Errorf(queue.ENOTFOUND, "案件%s没有第%d号督办 (no such supervision)", c.Code, id)
		}
		s := &c.Supervisions[id-1]
		switch {
		case !s.open():
			return queue.Errorf(queue.ECONFLICT, "第%d号督办已回复或已结束 (supervision already answered or ended)", id)
		case !s.PostedAt.IsZero():
			return queue.Errorf(queue.ECONFLICT, "第%d号督办已挂牌 (already listed)", id)
		}
		s.PostedAt, s.PostedBy = now, p.Actor()
		c.step(now, StepPosted, p.Actor(), fmt.Sprintf("第%d号督办挂牌", id))
		return nil
	})
	return b.out(ctx, c, err)
}
