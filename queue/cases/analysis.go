package cases

import (
	"context"
	"strings"
	"time"

	"yiting/queue"
)

// 研判 (analysis) and escalation: the risk level a handler or supervisor
// gives a case, the records of the centre's analysis meetings, the risk
// warnings (预警) the centre sends a unit, and the flag of a major or
// urgent matter (信访工作条例 Art. 25: reported at once). The seed's
// centre counts 15 analysis meetings and 8 warnings a year.

// Risk is a case's assessed risk of escalation.
type Risk string

// Risk levels.
const (
	RiskLow    Risk = "low"
	RiskMedium Risk = "medium"
	RiskHigh   Risk = "high"
)

// Name is the level in Chinese.
func (r Risk) Name() string {
	switch r {
	case RiskLow:
		return "低风险"
	case RiskMedium:
		return "中风险"
	case RiskHigh:
		return "高风险"
	case "":
		return "未研判"
	}
	return string(r)
}

// Meeting is the record of an analysis meeting (研判会) on the case.
type Meeting struct {
	Date         Date      `json:"date"`
	Participants string    `json:"participants"`
	Conclusion   string    `json:"conclusion"`
	At           time.Time `json:"at"`
	By           string    `json:"by"`
}

// Warning is a risk warning (预警) the centre sends a unit, which signs
// for it.
type Warning struct {
	ID    int       `json:"id"`
	Unit  string    `json:"unit"`
	Text  string    `json:"text"`
	At    time.Time `json:"at"`
	By    string    `json:"by"`
	AckAt time.Time `json:"ack_at,omitzero"`
	AckBy string    `json:"ack_by,omitempty"`
}

// Flag marks a major or urgent matter, with why, who and when.
type Flag struct {
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
	By     string    `json:"by"`
}

// checkOpenHandler: p may act on the case and it is open.
func (b *Book) checkOpenHandler(p queue.Principal, c *Case) error {
	if err := b.checkHandle(p, c); err != nil {
		return err
	}
	if !c.Status.Open() {
		return conflict(c, "已终结", "closed")
	}
	return nil
}

// Assess sets the case's risk level (研判) with a note.
func (b *Book) Assess(ctx context.Context, p queue.Principal, code string, risk Risk, note string) (View, error) {
	if risk.Name() == string(risk) || risk == "" {
		return View{}, queue.Errorf(queue.EINVALID, "风险等级无效：%q (risk must be low, medium or high)", risk)
	}
	note = strings.TrimSpace(note)
	if err := checkText("note", note, 500); err != nil {
		return View{}, err
	}
	c, err := b.mutate(ctx, code, func(c *Case, now time.Time) error {
		if err := b.checkOpenHandler(p, c); err != nil {
			return err
		}
		c.Risk = risk
		c.step(now, StepAssessed, p.Actor(), strings.TrimSpace(risk.Name()+" "+note))
		return nil
	})
	return b.out(ctx, c, err)
}

// AddMeeting records an analysis meeting on the case: supervisors and the
// case's handlers.
func (b *Book) AddMeeting(ctx context.Context, p queue.Principal, code string, m Meeting) (View, error) {
	var err error
	if m.Participants, err = needText("participants", "参会人员", m.Participants, 500); err != nil {
		return View{}, err
	}
	if m.Conclusion, err = needText("conclusion", "研判结论", m.Conclusion, 5000); err != nil {
		return View{}, err
	}
	c, err := b.mutate(ctx, code, func(c *Case, now time.Time) error {
		if err := b.checkOpenHandler(p, c); err != nil {
			return err
		}
		today := DateOf(now, b.hall.Location)
		switch {
		case m.Date == 0:
			m.Date = today
		case m.Date > today:
			return queue.Errorf(queue.EINVALID, "研判会日期不能晚于今天 (the meeting's date is in the future)")
		}
		m.At, m.By = now, p.Actor()
		c.Meetings = append(c.Meetings, m)
		c.step(now, StepMeeting, p.Actor(), m.Date.String())
		return nil
	})
	return b.out(ctx, c, err)
}

// Warn sends a unit a risk warning on the case: supervisors only.
func (b *Book) Warn(ctx context.Context, p queue.Principal, code, unit, text string) (View, error) {
	if err := checkSupervisor(p); err != nil {
		return View{}, err
	}
	unit, err := needText("unit", "预警单位", unit, 80)
	if err != nil {
		return View{}, err
	}
	if text, err = needText("text", "预警内容", text, 2000); err != nil {
		return View{}, err
	}
	c, err := b.mutate(ctx, code, func(c *Case, now time.Time) error {
		if !c.Status.Open() {
			return conflict(c, "已终结", "closed")
		}
		c.Warnings = append(c.Warnings, Warning{ID: len(c.Warnings) + 1, Unit: unit, Text: text, At: now, By: p.Actor()})
		c.step(now, StepWarned, p.Actor(), unit)
		return nil
	})
	return b.out(ctx, c, err)
}

// AckWarning: the warned unit signs for a warning.
func (b *Book) AckWarning(ctx context.Context, p queue.Principal, code string, id int) (View, error) {
	c, err := b.mutate(ctx, code, func(c *Case, now time.Time) error {
		if id < 1 || id > len(c.Warnings) {
			return queue.Errorf(queue.ENOTFOUND, "案件%s没有第%d号预警 (no such warning)", c.Code, id)
		}
		w := &c.Warnings[id-1]
		switch {
		case p.Role != queue.RoleSupervisor && !(p.Role == queue.RoleStaff && b.ofUnit(p, w.Unit)):
			return queue.Errorf(queue.EFORBIDDEN, "只有%s的人员可以签收此预警 (the warned unit only)", w.Unit)
		case !w.AckAt.IsZero():
			return queue.Errorf(queue.ECONFLICT, "第%d号预警已签收 (already acknowledged)", id)
		}
		w.AckAt, w.AckBy = now, p.Actor()
		c.step(now, StepWarningAck, p.Actor(), w.Unit)
		return nil
	})
	return b.out(ctx, c, err)
}

// FlagMajor marks a major or urgent matter (重大紧急, Art. 25): it goes to
// the supervisors' view and the event stream at once. Once flagged it
// stays flagged.
func (b *Book) FlagMajor(ctx context.Context, p queue.Principal, code, reason string) (View, error) {
	reason, err := needText("reason", "理由", reason, 500)
	if err != nil {
		return View{}, err
	}
	c, err := b.mutate(ctx, code, func(c *Case, now time.Time) error {
		if err := b.checkOpenHandler(p, c); err != nil {
			return err
		}
		if c.Major != nil {
			return conflict(c, "已列为重大紧急事项", "already flagged")
		}
		c.Major = &Flag{Reason: reason, At: now, By: p.Actor()}
		c.step(now, StepMajor, p.Actor(), "")
		return nil
	})
	return b.out(ctx, c, err)
}
