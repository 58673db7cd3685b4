package queue

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Level is a satisfaction rating (好差评, GB/T 39734-2020): five levels,
// the last two are bad ratings that must be rectified.
type Level int

// Rating levels, best first.
const (
	VerySatisfied    Level = 5 // 非常满意
	Satisfied        Level = 4 // 满意
	FairlySatisfied  Level = 3 // 基本满意
	Dissatisfied     Level = 2 // 不满意
	VeryDissatisfied Level = 1 // 非常不满意
)

// Name is the level's Chinese name.
func (l Level) Name() string {
	switch l {
	case VerySatisfied:
		return "非常满意"
	case Satisfied:
		return "满意"
	case FairlySatisfied:
		return "基本满意"
	case Dissatisfied:
		return "不满意"
	case VeryDissatisfied:
		return "非常不满意"
	}
	return "未知"
}

// Valid reports whether l is one of the five levels.
func (l Level) Valid() bool { return l >= VeryDissatisfied && l <= VerySatisfied }

// Bad reports whether the rating must be rectified.
func (l Level) Bad() bool { return l == Dissatisfied || l == VeryDissatisfied }

// Rating is a visitor's rating of one service at a counter. The rater is
// not identified (GB/T 39734): the ticket, counter and staff are.
type Rating struct {
	Level   Level     `json:"level"`
	Reasons []string  `json:"reasons,omitempty"` // chosen after a bad rating
	At      time.Time `json:"at"`
	By      string    `json:"by"` // the pad (device) that took it
}

// RateWindow is how long after completion a ticket can still be rated.
const RateWindow = 30 * time.Minute

// Rate records the rating of a completed ticket, once (一次一评). Pads
// may rate only tickets completed at their own counter, supervisors any.
func (e *Engine) Rate(ctx context.Context, p Principal, ticketID uint64, level Level, reasons []string) (*Ticket, error) {
	if !level.Valid() {
		return nil, Errorf(EINVALID, "评价等级无效 (level must be 1..5)")
	}
	if len(reasons) > 8 {
		return nil, Errorf(EINVALID, "原因太多 (at most 8 reasons)")
	}
	reasons = append([]string(nil), reasons...)
	for i, r := range reasons {
		r = strings.TrimSpace(r)
		reasons[i] = r
		if r == "" || utf8.RuneCountInString(r) > 100 {
			return nil, Errorf(EINVALID, "原因不能为空，最多100字 (reason empty or too long)")
		}
	}
	v, err := e.exec(ctx, func(tx *txn) (any, error) {
		t := tx.st.ticket(ticketID)
		if t == nil {
			return nil, Errorf(ENOTFOUND, "找不到这张票，可能已过评价时间 (no such ticket today)")
		}
		switch {
		case p.Role == RolePad && !p.bound(t.CounterID), p.Role != RolePad && p.Role != RoleSupervisor && p.Role != RoleAdmin:
			return nil, Errorf(EFORBIDDEN, "只能评价本窗口办结的业务 (not this counter's ticket)")
		case t.Status != StatusDone:
			return nil, Errorf(ECONFLICT, "%s尚未办结，不能评价 (only completed tickets are rated)", t.Number)
		case t.Rating != nil:
			return nil, Errorf(ECONFLICT, "%s已评价过，每次服务只评一次 (already rated)", t.Number)
		case tx.now.Sub(t.DoneAt) > RateWindow:
			return nil, Errorf(ECONFLICT, "%s已超过评价时间 (rating window closed)", t.Number)
		}
		t.Rating = &Rating{Level: level, Reasons: reasons, At: tx.now, By: p.Actor()}
		tx.emit(EventRated, p.Actor(), "", t, nil)
		return copyOf(t), nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Ticket), nil
}
