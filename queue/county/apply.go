package county

import (
	"context"
	"fmt"

	"yiting/queue"
	"yiting/queue/cases"
)

// Apply carries out the county's commands on the site's cases, as
// the county (a supervisor whose actor is the command's: its steps name
// it). A command whose steps the case already has was applied before a
// crash and is not applied again. What the case cannot take — no such
// case, a unit the site does not have, a closed case, a conclusion of a
// case the county does not own — is refused for good, and the refusal
// with its reason goes into the site's event log (refuse), which carries
// it up to the county; anything else (a full disk) is tried again.
func Apply(eng *queue.Engine, book *cases.Book) func(context.Context, *Command) error {
	return func(ctx context.Context, c *Command) error {
		err := carryOut(ctx, eng.Hall(), book, c)
		switch queue.ErrorCode(err) {
		case "":
			return nil
		case queue.EINVALID, queue.ENOTFOUND, queue.ECONFLICT, queue.EFORBIDDEN:
			return refuse(ctx, eng, c, err)
		}
		return err
	}
}

// carryOut applies one command to its case.
func carryOut(ctx context.Context, hall *queue.Hall, book *cases.Book, c *Command) error {
	p := queue.Principal{ID: c.Actor(), Name: "县综治中心（" + c.By + "）", Role: queue.RoleSupervisor}
	v, err := book.Case(ctx, p, c.Case)
	if err != nil {
		return err
	}
	for _, st := range v.History {
		if st.Actor == p.Actor() {
			return nil // applied before
		}
	}
	if (c.Kind == CommandAssign || c.Kind == CommandWarn) && !hall.HasUnit(c.Unit) {
		return queue.Errorf(queue.ENOTFOUND, "本站点没有单位“%s”：县级交办、预警只能指定本站点的单位 (unknown unit)", c.Unit)
	}
	switch c.Kind {
	case CommandAssign:
		_, err = book.Route(ctx, p, c.Case, cases.RouteTo{Kind: cases.RouteUnit, Unit: c.Unit, Note: c.Text, Superior: true})
	case CommandSupervise:
		level := c.Level
		if ls := book.Notices(); level == "" && len(ls) > 0 {
			level = ls[len(ls)-1].ID // the mildest: the county names a sharper one
		}
		_, err = book.Supervise(ctx, p, c.Case, level, c.Text)
	case CommandWarn:
		_, err = book.Warn(ctx, p, c.Case, c.Unit, c.Text)
	case CommandRate:
		_, err = book.RateFromCounty(ctx, p, c.Case, c.Satisfied)
	case CommandConclude:
		_, err = book.Conclude(ctx, p, c.Case, cases.Result{Outcome: cases.Outcome(c.Outcome), Referral: cases.Referral(c.Referral),
			Note: c.Text, Superior: true})
	default:
		err = queue.Errorf(queue.EINVALID, "未知的县级指令 %q", c.Kind)
	}
	return err
}

// refuse records a refused command in the site's event log, whose stream
// carries the refusal and its reason up to the county, and returns the
// Refused that drops the command. If the log cannot take it (a full disk)
// the error is returned instead and the command is tried again. A crash
// between the record and the command's acknowledgement refuses it again
// and records a second refusal: the county keeps a command's refusal by
// its id, so that changes nothing there.
func refuse(ctx context.Context, eng *queue.Engine, c *Command, why error) error {
	r := queue.Refusal{Command: c.ID, Kind: string(c.Kind), Case: c.Case, Reason: queue.ErrorMessage(why)}
	if _, err := eng.Do(ctx, func(tx *queue.Tx) (any, error) {
		tx.EmitRefusal(c.Actor(), r)
		return nil, nil
	}); err != nil {
		return fmt.Errorf("county: recording the refusal of command %s: %w", c.ID, err)
	}
	return &Refused{Err: why}
}
