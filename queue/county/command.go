package county

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"
)

// A Command is what the county sends a site about one of its cases (issue
// 14, item 3): 交办 (assign it to a unit), 督办 (a supervision notice),
// 预警 (a risk warning to a unit) or, for a case the site reported up to
// the county (上报), 办结 (the county's conclusion). The hub keeps it in its outbox until the
// site's own stream has it; the site applies each once, by its id, even
// after a week off line, and what it did comes back up as the case's steps
// in the site's events, with the command's actor (Actor).
type Command struct {
	ID   string      `json:"id"`   // unique: the hub makes it
	Site string      `json:"site"` // the site the case belongs to
	Case string      `json:"case"` // the case's code at the site
	Kind CommandKind `json:"kind"`
	// Unit: assign and warn, the unit that is to act.
	Unit string `json:"unit,omitempty"`
	// Level: supervise, the notice's level at the site (yellow, red…).
	Level string `json:"level,omitempty"`
	// Text: the county's instruction, reason or warning, as the site's
	// staff will read it.
	Text string `json:"text,omitempty"`
	// Satisfied: rate, the petitioner's rating from the county's inquiry
	// page (满意 or 不满意).
	Satisfied bool `json:"satisfied,omitempty"`
	// Outcome and Referral: conclude, the county's result (cases.Outcome:
	// answered, failed with a referral, mediated) and, with failed, where
	// the parties are sent (cases.Referral); Text is its opinion.
	Outcome  string    `json:"outcome,omitempty"`
	Referral string    `json:"referral,omitempty"`
	By       string    `json:"by"` // the county staff member who sent it
	At       time.Time `json:"at"`
}

// CommandKind is what a command asks.
type CommandKind string

// The commands.
const (
	CommandAssign    CommandKind = "assign"    // 交办
	CommandSupervise CommandKind = "supervise" // 督办
	CommandWarn      CommandKind = "warn"      // 预警
	// CommandRate is a petitioner's rating of the result, given on the
	// county's inquiry page: it belongs to the site's case.
	CommandRate CommandKind = "rate" // 评价
	// CommandConclude concludes a case the site reported up (上报) with
	// the county's result: the site's case goes to follow-up (回访), which
	// the site does, and closes it.
	CommandConclude CommandKind = "conclude" // 办结
)

// Name is the kind in Chinese.
func (k CommandKind) Name() string {
	switch k {
	case CommandAssign:
		return "交办"
	case CommandSupervise:
		return "督办"
	case CommandWarn:
		return "预警"
	case CommandRate:
		return "群众评价"
	case CommandConclude:
		return "县级办结"
	}
	return string(k)
}

// Actor is who a command's steps are recorded as at the site: the county,
// with the command's id, so that a site applying a command again (after a
// crash between applying and acknowledging it) finds it done.
func (c *Command) Actor() string { return "county:" + c.ID }

// Check says what is missing or wrong, in Chinese for the county's staff.
func (c *Command) Check() error {
	switch {
	case c.ID == "" || len(c.ID) > 64:
		return errors.New("指令编号无效 (command id)")
	case c.Site == "" || c.Case == "":
		return errors.New("请指定站点和案件 (site and case are required)")
	case c.Kind == CommandRate:
	case utf8.RuneCountInString(c.Text) < 2 || utf8.RuneCountInString(c.Text) > 500:
		return errors.New("请填写交办、督办、预警或办结意见的内容，2至500字 (text: 2–500 characters)")
	}
	switch c.Kind {
	case CommandAssign, CommandWarn:
		if c.Unit == "" {
			return fmt.Errorf("%s须指定责任单位 (%s needs a unit)", c.Kind.Name(), c.Kind)
		}
	case CommandConclude:
		if c.Outcome == "" {
			return errors.New("县级办结须选择办理结果 (conclude needs an outcome)")
		}
	case CommandSupervise, CommandRate:
	default:
		return fmt.Errorf("指令类型 %q 无效：交办、督办、预警或县级办结 (kind: assign, supervise, warn or conclude)", c.Kind)
	}
	for _, r := range c.ID {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return errors.New("指令编号无效 (command id: a-z, 0-9, '-')")
		}
	}
	return nil
}

// commandSubject is where the hub delivers a site's command: under the
// site's own subjects, which its link may receive.
func commandSubject(site, id string) string { return "yiting." + site + ".commands." + id }

// outboxSubject is a site's commands in the hub's outbox: a subject of
// the hub alone, which no site may receive.
func outboxSubject(site string) string { return "county.commands." + site }
