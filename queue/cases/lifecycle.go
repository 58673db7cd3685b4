package cases

import (
	"context"
	"fmt"
	"strings"
	"time"

	"yiting/queue"
)

// conflict is the error of a command that does not fit the case's status.
func conflict(c *Case, zh, en string) error {
	return queue.Errorf(queue.ECONFLICT, "案件%s当前为“%s”，%s (case is %s: %s)", c.Code, c.Status.Name(), zh, c.Status, en)
}

func needText(field, zh, s string, maxRunes int) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", queue.Errorf(queue.EINVALID, "请填写%s (%s is required)", zh, field)
	}
	return s, checkText(field, s, maxRunes)
}

// Case returns the case as p may see it.
func (b *Book) Case(ctx context.Context, p queue.Principal, code string) (View, error) {
	c, err := b.load(ctx, code)
	if err != nil {
		return View{}, err
	}
	if err := b.checkSee(p, c); err != nil {
		return View{}, err
	}
	if err := b.whole(ctx, c); err != nil {
		return View{}, err
	}
	return b.view(c), nil
}

// Receive records that a clerk at a counter received the visitor (接待):
// that counter and clerk become the case's first receivers (首访负责制)
// and its unit the counter's.
func (b *Book) Receive(ctx context.Context, p queue.Principal, code, counterID string) (View, error) {
	ct, ok := b.hall.Counter(counterID)
	if !ok {
		return View{}, queue.Errorf(queue.ENOTFOUND, "没有这个窗口：%q (unknown counter)", counterID)
	}
	if !p.CanOperate(ct.ID) {
		return View{}, queue.Errorf(queue.EFORBIDDEN, "不能在%s接待 (not your counter)", ct.Name)
	}
	c, err := b.mutate(ctx, code, func(c *Case, now time.Time) error {
		if c.Status != StatusRegistered {
			return conflict(c, "已接待过", "already received")
		}
		if err := b.checkSee(p, c); err != nil {
			return err
		}
		if _, serves := ct.Serves(c.ServiceID); b.Sensitive(c.Type) && !serves {
			return queue.Errorf(queue.EFORBIDDEN, "该案件涉及健康信息，只能在办理%s的窗口接待 (a protected case is received only at a counter of its service)", b.serviceName(c.ServiceID))
		}
		staff := ""
		if p.Role == queue.RoleStaff {
			staff = p.ID
		}
		b.received(c, ct, staff, now, p.Actor(), ct.Name)
		return nil
	})
	return b.out(ctx, c, err)
}

// received makes the case received at a counter (接待): the counter and
// clerk become its first receivers (首访负责制) and its unit the counter's
// — or, at a shared window without a unit, the receiving clerk's own —
// except a protected case's, which stays with its unit, and whose first
// receiver is only a counter that serves its service (a ticket transferred
// to another unit's window is served there, but the case is not theirs).
func (b *Book) received(c *Case, ct queue.Counter, staff string, now time.Time, actor, note string) *Step {
	c.Status = StatusReceived
	protected := b.Sensitive(c.Type)
	unit := b.receivingUnit(ct, staff)
	if _, serves := ct.Serves(c.ServiceID); serves || !protected {
		c.Handler = Handler{CounterID: ct.ID, StaffID: staff, Unit: unit, At: now}
	}
	accused := c.Accused != nil && c.Accused.Unit != "" && c.Accused.Unit == unit
	if unit != "" && (c.Unit == "" || !protected) && !accused {
		c.Unit = unit
	}
	return c.step(now, StepReceived, actor, note)
}

// receivingUnit is the unit a case received at ct by staff goes to: the
// counter's; at a shared window (no unit: the dispatched units take turns
// there), the clerk's own unit when they belong to exactly one.
func (b *Book) receivingUnit(ct queue.Counter, staff string) string {
	if ct.Unit != "" || staff == "" || b.staffOf == nil {
		return ct.Unit
	}
	if us := b.staffOf(staff); len(us) == 1 {
		return us[0]
	}
	return ""
}

// RouteTo names where a case is routed.
type RouteTo struct {
	Kind      RouteKind
	Unit      string // RouteUnit: the unit (转送/交办)
	CounterID string // RouteCounter: a window or room; optional for a mediator
	StaffID   string // RouteMediator: the mediator's account
	Note      string
	// ReplyBy, with a unit: the unit's day to report its result; zero
	// for none. Not before today, not after the handling limit.
	ReplyBy Date
	// Superior: the county centre assigns the case (交办 from above, issue
	// 14): a case the site registered but has not received yet is routed
	// all the same — the assignment is its acceptance.
	Superior bool
}

// Route accepts and routes the case (分流): to a unit, a counter or a
// mediator. The first routing is the acceptance (受理) the accept limit
// counts to, and starts a handling limit counted from acceptance. A case
// may be routed again (re-routed) before it is concluded.
func (b *Book) Route(ctx context.Context, p queue.Principal, code string, to RouteTo) (View, error) {
	r := Route{Kind: to.Kind, Unit: strings.TrimSpace(to.Unit), CounterID: to.CounterID, StaffID: strings.TrimSpace(to.StaffID), ReplyBy: to.ReplyBy}
	var err error
	if r.Note = strings.TrimSpace(to.Note); r.Note != "" {
		if err = checkText("note", r.Note, 500); err != nil {
			return View{}, err
		}
	}
	if r.CounterID != "" {
		ct, ok := b.hall.Counter(r.CounterID)
		if !ok {
			return View{}, queue.Errorf(queue.ENOTFOUND, "没有这个窗口或调解室：%q (unknown counter)", r.CounterID)
		}
		if r.Unit == "" {
			r.Unit = ct.Unit
		}
	}
	switch to.Kind {
	case RouteUnit:
		if r.Unit == "" {
			return View{}, queue.Errorf(queue.EINVALID, "请填写接收单位 (unit is required)")
		}
	case RouteCounter:
		if r.CounterID == "" {
			return View{}, queue.Errorf(queue.EINVALID, "请选择窗口或调解室 (counter is required)")
		}
	case RouteMediator:
		if r.StaffID == "" {
			return View{}, queue.Errorf(queue.EINVALID, "请选择调解员 (staff is required)")
		}
	default:
		return View{}, queue.Errorf(queue.EINVALID, "分流方式无效：%q (kind must be unit, counter or mediator)", to.Kind)
	}
	if err := checkText("unit", r.Unit, 80); err != nil {
		return View{}, err
	}
	c, err := b.handled(ctx, p, code, func(c *Case, now time.Time) error {
		if !to.Superior {
			if err := b.checkSiteDecision(c, "分流"); err != nil {
				return err
			}
		}
		switch c.Status {
		case StatusReceived, StatusRouted, StatusHandling:
		case StatusRegistered:
			if !to.Superior {
				return conflict(c, "须先接待再分流", "receive it first")
			}
		default:
			return conflict(c, "不能再分流", "cannot be routed now")
		}
		if r.ReplyBy != 0 {
			switch {
			case r.Unit == "":
				return queue.Errorf(queue.EINVALID, "只有交办给单位时才设回复期限 (reply_by goes with a unit)")
			case r.ReplyBy < DateOf(now, b.hall.Location):
				return queue.Errorf(queue.EINVALID, "回复期限不能早于今天 (reply_by is in the past)")
			}
		}
		if a := c.Accused; a != nil && ((a.Unit != "" && r.Unit == a.Unit) || (a.Staff != "" && r.StaffID == a.Staff)) {
			return queue.Errorf(queue.ECONFLICT, "不得将检举、控告材料转送、交由被检举、控告的单位或人员办理（《信访工作条例》第三十条） (never to the accused)")
		}
		r.At, r.By = now, p.Actor()
		c.Routes = append(c.Routes, r)
		if r.Unit != "" {
			c.Unit = r.Unit
		}
		b.accept(c, now)
		if due := c.HandleDue; r.ReplyBy != 0 && due != 0 && r.ReplyBy > due {
			return queue.Errorf(queue.EINVALID, "单位回复期限（%s）不能晚于办理期限（%s） (reply_by after the handling limit)", r.ReplyBy, due)
		}
		c.Status = StatusRouted
		if to.Superior {
			c.settle(SettledAssigned, p.Actor(), now)
		}
		c.step(now, StepRouted, p.Actor(), b.routeNote(r))
		return nil
	})
	return b.out(ctx, c, err)
}

// accept makes the case accepted (受理) now unless it was: the accept
// limit is met, and a handling limit counted from acceptance starts.
func (b *Book) accept(c *Case, now time.Time) {
	if !c.AcceptedAt.IsZero() {
		return
	}
	c.AcceptedAt = now
	if c.Limit.HandleFromAccept {
		c.HandleDue = b.deadlines(c).handle
	}
	b.resolveAuto(c, now, "accept", "已受理")
}

func (b *Book) routeNote(r Route) string {
	var parts []string
	if r.Unit != "" {
		parts = append(parts, r.Unit)
	}
	if r.CounterID != "" {
		parts = append(parts, b.counterName(r.CounterID))
	}
	if r.StaffID != "" {
		parts = append(parts, "调解员 "+r.StaffID)
	}
	return strings.Join(parts, " ")
}

// StartHandling starts the handling (调处): sessions and records follow.
func (b *Book) StartHandling(ctx context.Context, p queue.Principal, code string) (View, error) {
	c, err := b.handled(ctx, p, code, func(c *Case, now time.Time) error {
		if c.Status != StatusRouted {
			return conflict(c, "须先受理分流才能开始调处", "route it first")
		}
		c.Status = StatusHandling
		if c.HandlingAt.IsZero() {
			c.HandlingAt = now
		}
		c.step(now, StepHandling, p.Actor(), "")
		return nil
	})
	return b.out(ctx, c, err)
}

// AddRecord attaches a text record to the case file (人民调解法 Art. 27–31):
// any kind while the case is open, but an agreement only while handling
// and a follow-up record only once concluded.
func (b *Book) AddRecord(ctx context.Context, p queue.Principal, code string, kind RecordKind, text string) (View, error) {
	if !validRecordKind(kind) {
		return View{}, queue.Errorf(queue.EINVALID, "记录类型无效：%q (kind must be application, acceptance, investigation, session, agreement, answer, followup, interview or note)", kind)
	}
	text, err := needText("text", "记录内容", text, 20000)
	if err != nil {
		return View{}, err
	}
	c, err := b.handled(ctx, p, code, func(c *Case, now time.Time) error {
		switch {
		case c.Status == StatusClosed:
			return conflict(c, "不能再添加记录", "closed cases take no records")
		case kind == RecordAgreement && c.Status != StatusHandling:
			return conflict(c, "调解协议须在调处中登记", "an agreement is recorded while handling")
		case kind == RecordFollowUp && c.Status != StatusFollowUp:
			return conflict(c, "回访记录须在办结后登记", "a follow-up record comes after conclusion")
		}
		c.Records = append(c.Records, Record{Seq: len(c.Records) + 1, Kind: kind, Text: text, At: now, By: p.Actor()})
		c.step(now, StepRecord, p.Actor(), kind.Name())
		return nil
	})
	return b.out(ctx, c, err)
}

// ExtendRequest is an extension of the handling limit.
type ExtendRequest struct {
	// Reason is why, as the petitioner or the parties are told
	// (信访工作条例 Art. 34).
	Reason string
	// Consent states that the type's condition holds (Limit.ExtendWhen):
	// who agreed or approved, and when. Required when the type has one.
	Consent string
}

// Extend extends the handling limit once, by the type's Extension, with
// the reason the petitioner is told (信访工作条例 Art. 34) and, where the
// rule asks for it, the statement that its condition holds: both parties
// agree (医疗纠纷预防和处理条例 Art. 38, 特邀调解规定 Art. 27), the head of
// the department approved (劳动保障监察条例 Art. 17).
func (b *Book) Extend(ctx context.Context, p queue.Principal, code string, req ExtendRequest) (View, error) {
	reason, err := needText("reason", "延期理由", req.Reason, 500)
	if err != nil {
		return View{}, err
	}
	consent := strings.TrimSpace(req.Consent)
	if err := checkText("consent", consent, 500); err != nil {
		return View{}, err
	}
	c, err := b.handled(ctx, p, code, func(c *Case, now time.Time) error {
		if err := b.checkSiteDecision(c, "延期"); err != nil {
			return err
		}
		switch {
		case c.Limit.Extension.Days <= 0:
			return queue.Errorf(queue.ECONFLICT, "此类案件的办理期限不能延长 (this case type has no extension)")
		case c.Extension != nil:
			return queue.Errorf(queue.ECONFLICT, "办理期限只能延长一次，已于%s延长 (already extended once)", c.Extension.At.In(b.hall.Location).Format(time.DateOnly))
		case c.Status != StatusRouted && c.Status != StatusHandling:
			return conflict(c, "只能在受理后、办结前延期", "extend between acceptance and conclusion")
		case c.Paused() != nil:
			return queue.Errorf(queue.ECONFLICT, "办理期限暂停计时（%s）期间不能延期，请先恢复计时 (resume the clock first)", c.Paused().Kind.Name())
		case c.HandleDue == 0:
			return queue.Errorf(queue.ECONFLICT, "没有办理期限可延长 (no handling limit)")
		case c.Limit.ExtendWhen != "" && consent == "":
			return queue.Errorf(queue.EINVALID, "此类案件延期须%s，请写明（何人、何时同意或批准） (consent is required: %s)", c.Limit.ExtendWhen, c.Limit.ExtendWhen)
		}
		if c.Limit.ExtendWhen == "" {
			consent = ""
		}
		c.Extension = &Extension{Reason: reason, Consent: consent, At: now, By: p.Actor()}
		d := b.deadlines(c)
		c.Extension.From, c.Extension.To = d.extFrom, d.extTo
		c.HandleDue = d.handle
		note := fmt.Sprintf("%s → %s", c.Extension.From, c.HandleDue)
		if consent != "" {
			note += "；" + c.Limit.ExtendWhen + "：" + consent
		}
		c.step(now, StepExtended, p.Actor(), note)
		return nil
	})
	return b.out(ctx, c, err)
}

// Result is how handling ended.
type Result struct {
	Outcome  Outcome  // mediated, failed or answered
	Referral Referral // with failed: where the parties are sent
	Note     string
	// Superior: the county centre concludes a case reported up to it
	// (reportup.go) with its own result: in any status before follow-up
	// (its decision is the acceptance of a case not yet accepted), and
	// only while the case is the county's.
	Superior bool
}

// Conclude ends the handling (办结/调结) with its result; the case goes to
// follow-up. A mediated case needs its agreement recorded; a failed one a
// referral (litigation, arbitration or the administrative route).
func (b *Book) Conclude(ctx context.Context, p queue.Principal, code string, res Result) (View, error) {
	switch res.Outcome {
	case OutcomeMediated, OutcomeAnswered:
	case OutcomeFailed:
		switch res.Referral {
		case ReferLitigation, ReferArbitration, ReferAdministrative:
		default:
			return View{}, queue.Errorf(queue.EINVALID, "调解不成须写明引导途径：诉讼、仲裁或行政途径 (referral must be litigation, arbitration or administrative)")
		}
	case OutcomeWithdrawn, OutcomeNotAccepted:
		return View{}, queue.Errorf(queue.EINVALID, "撤回和不予受理请直接终结案件 (withdrawn and not_accepted close the case: use close)")
	default:
		return View{}, queue.Errorf(queue.EINVALID, "办理结果无效：%q (outcome must be mediated, failed or answered)", res.Outcome)
	}
	if res.Outcome != OutcomeFailed {
		res.Referral = ""
	}
	note := strings.TrimSpace(res.Note)
	if err := checkText("note", note, 2000); err != nil {
		return View{}, err
	}
	c, err := b.handled(ctx, p, code, func(c *Case, now time.Time) error {
		switch {
		case res.Superior && !c.countyOwns():
			return conflict(c, "未上报县综治中心或县级已交办，由站点办结", "not reported up: the site concludes it")
		case res.Superior && c.Status == StatusFollowUp, !res.Superior && c.Status != StatusHandling:
			return conflict(c, "须在调处中才能办结", "only a case in handling is concluded")
		case !res.Superior:
			if err := b.checkSiteDecision(c, "办结"); err != nil {
				return err
			}
		}
		if res.Outcome == OutcomeMediated && !c.hasRecord(RecordAgreement) {
			return queue.Errorf(queue.ECONFLICT, "调解成功须先登记调解协议 (record the agreement first)")
		}
		if ps := c.Paused(); ps != nil {
			// Concluded during the hearing or appraisal: the pause ends
			// with it, and the limit it is judged by is the one it had.
			ps.To, ps.EndedAt, ps.EndedBy = DateOf(now, b.hall.Location), now, p.Actor()
			c.HandleDue = b.deadlines(c).handle
		}
		if res.Superior {
			b.accept(c, now)
			if c.HandlingAt.IsZero() {
				c.HandlingAt = now
			}
			c.settle(SettledConcluded, p.Actor(), now)
		}
		c.Status = StatusFollowUp
		c.HandledAt = now
		c.Outcome, c.Referral, c.OutcomeNote = res.Outcome, res.Referral, note
		b.resolveAuto(c, now, "handle", "已办结")
		n := res.Outcome.Name()
		if res.Referral != "" {
			n += "，" + res.Referral.Name()
		}
		c.step(now, StepConcluded, p.Actor(), n)
		return nil
	})
	return b.out(ctx, c, err)
}

// CloseRequest closes a case.
type CloseRequest struct {
	// Outcome: empty after follow-up (the concluded result stands);
	// withdrawn (any open status) or not_accepted (before acceptance) to
	// close early.
	Outcome Outcome
	// Note: the follow-up record when closing after follow-up without
	// one; the reason when closing early.
	Note string
}

// Close ends the case (终结). After follow-up it needs a follow-up record
// (or Note, which becomes one). Early, it takes withdrawn or not_accepted
// with the reason. Open supervisions end with it.
func (b *Book) Close(ctx context.Context, p queue.Principal, code string, req CloseRequest) (View, error) {
	note := strings.TrimSpace(req.Note)
	if err := checkText("note", note, 2000); err != nil {
		return View{}, err
	}
	switch req.Outcome {
	case "", OutcomeWithdrawn, OutcomeNotAccepted:
	default:
		return View{}, queue.Errorf(queue.EINVALID, "终结时只能填写撤回或不予受理；其他结果在办结时登记 (close takes withdrawn or not_accepted; other outcomes are set by conclude)")
	}
	c, err := b.handled(ctx, p, code, func(c *Case, now time.Time) error {
		if err := b.checkSiteDecision(c, "终结（含撤回、不予受理）"); err != nil {
			return err
		}
		switch {
		case c.Status == StatusClosed:
			return conflict(c, "已经终结", "already closed")
		case req.Outcome == "" && c.Status != StatusFollowUp:
			return conflict(c, "须办结并回访后才能终结（撤回或不予受理除外）", "conclude and follow up first, or close as withdrawn or not_accepted")
		case req.Outcome == "" && !c.hasRecord(RecordFollowUp) && note == "":
			return queue.Errorf(queue.EINVALID, "终结前请登记回访记录 (a follow-up record is required)")
		case req.Outcome != "" && note == "":
			return queue.Errorf(queue.EINVALID, "请写明撤回或不予受理的理由 (the reason is required)")
		case req.Outcome == OutcomeNotAccepted && !c.AcceptedAt.IsZero():
			return conflict(c, "已受理的案件不能再不予受理", "already accepted")
		case req.Outcome == OutcomeWithdrawn && c.Status == StatusFollowUp:
			return conflict(c, "已办结，不能撤回", "already concluded")
		}
		if req.Outcome == "" && note != "" {
			c.Records = append(c.Records, Record{Seq: len(c.Records) + 1, Kind: RecordFollowUp, Text: note, At: now, By: p.Actor()})
			c.step(now, StepRecord, p.Actor(), RecordFollowUp.Name())
		}
		if req.Outcome != "" {
			c.Outcome, c.OutcomeNote = req.Outcome, note
		}
		c.Status = StatusClosed
		c.ClosedAt = now
		b.resolveAll(c, now, "案件已终结")
		c.step(now, StepClosed, p.Actor(), c.Outcome.Name())
		return nil
	})
	return b.out(ctx, c, err)
}

// out turns a mutated case into the view its commander sees.
func (b *Book) out(ctx context.Context, c *Case, err error) (View, error) {
	if err != nil {
		return View{}, err
	}
	if err := b.whole(ctx, c); err != nil { // committed: the journal has its new steps
		return View{}, err
	}
	return b.view(c), nil
}

// QRURL returns the inquiry URL of a case again, for reprinting its QR
// code: staff involved and supervisors.
func (b *Book) QRURL(ctx context.Context, p queue.Principal, code string) (string, error) {
	c, err := b.load(ctx, code)
	if err != nil {
		return "", err
	}
	if err := b.checkHandle(p, c); err != nil {
		return "", err
	}
	return b.urlOf(c)
}
