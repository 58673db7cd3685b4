package cases

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Status is where a case stands: 登记 → 接待 → 分流 → 调处 → 回访 → 终结.
// Supervision (督办) is not a status: it is laid over a case in any open
// status (supervision.go).
type Status string

// Case statuses.
const (
	StatusRegistered Status = "registered" // 登记: at the kiosk or a window
	StatusReceived   Status = "received"   // 接待: a clerk has received the visitor
	StatusRouted     Status = "routed"     // 分流: accepted and sent to a unit, room or mediator
	StatusHandling   Status = "handling"   // 调处: sessions and records
	StatusFollowUp   Status = "followup"   // 回访: concluded, being followed up
	StatusClosed     Status = "closed"     // 终结
)

// Name is the status in Chinese.
func (s Status) Name() string {
	switch s {
	case StatusRegistered:
		return "已登记"
	case StatusReceived:
		return "已接待"
	case StatusRouted:
		return "已分流"
	case StatusHandling:
		return "调处中"
	case StatusFollowUp:
		return "回访中"
	case StatusClosed:
		return "已终结"
	}
	return string(s)
}

// Open reports whether the case is not closed.
func (s Status) Open() bool { return s != StatusClosed }

// Outcome is how a case ended.
type Outcome string

// Outcomes.
const (
	OutcomeMediated    Outcome = "mediated"     // 调解成功, with the agreement recorded
	OutcomeFailed      Outcome = "failed"       // 调解不成, referred (Referral)
	OutcomeAnswered    Outcome = "answered"     // 办结答复: a petition answered, a decision given
	OutcomeWithdrawn   Outcome = "withdrawn"    // 撤回
	OutcomeNotAccepted Outcome = "not_accepted" // 不予受理, with the reason
)

// Name is the outcome in Chinese.
func (o Outcome) Name() string {
	switch o {
	case OutcomeMediated:
		return "调解成功"
	case OutcomeFailed:
		return "调解不成"
	case OutcomeAnswered:
		return "办结答复"
	case OutcomeWithdrawn:
		return "撤回"
	case OutcomeNotAccepted:
		return "不予受理"
	case "":
		return ""
	}
	return string(o)
}

// Referral is where a failed mediation is sent (诉调对接, 裁调对接, 访调对接).
type Referral string

// Referrals.
const (
	ReferLitigation     Referral = "litigation"     // 诉讼
	ReferArbitration    Referral = "arbitration"    // 仲裁 (labour disputes: 劳动争议调解仲裁法 Art. 14)
	ReferAdministrative Referral = "administrative" // 行政途径: 复议, 裁决, 信访 …
)

// Name is the referral in Chinese.
func (r Referral) Name() string {
	switch r {
	case ReferLitigation:
		return "引导诉讼"
	case ReferArbitration:
		return "引导仲裁"
	case ReferAdministrative:
		return "引导行政途径"
	}
	return string(r)
}

// Channel is how the matter reached the hall (信访工作条例 Art. 17: 网上,
// 来信, 来电, 传真, 走访), or the centre: a grid worker's report (网格上报)
// and a department's transfer (部门移交).
type Channel string

// Channels.
const (
	ChannelInPerson Channel = "in_person" // 走访
	ChannelPhone    Channel = "phone"     // 来电
	ChannelLetter   Channel = "letter"    // 来信
	ChannelOnline   Channel = "online"    // 网上
	ChannelFax      Channel = "fax"       // 传真
	ChannelGrid     Channel = "grid"      // 网格上报
	ChannelTransfer Channel = "transfer"  // 部门移交
)

// Channels lists the channels in the order a form offers them.
func Channels() []Channel {
	return []Channel{ChannelInPerson, ChannelLetter, ChannelPhone, ChannelOnline, ChannelGrid, ChannelTransfer, ChannelFax}
}

// Name is the channel in Chinese.
func (c Channel) Name() string {
	switch c {
	case ChannelInPerson:
		return "走访"
	case ChannelPhone:
		return "来电"
	case ChannelLetter:
		return "来信"
	case ChannelOnline:
		return "网上"
	case ChannelFax:
		return "传真"
	case ChannelGrid:
		return "网格上报"
	case ChannelTransfer:
		return "部门移交"
	}
	return string(c)
}

func validChannel(c Channel) bool { return c.Name() != string(c) }

// Party is one person of a case. Only the keyed hash of the ID number and
// masked forms are in the clear; the ID number, name, address and phone
// are sealed (personal.Keys.Seal) under labels that bind each to this case,
// party and field.
type Party struct {
	VisitorKey    string `json:"vk,omitempty"` // personal.Keys.VisitorKey of the ID number
	CardType      string `json:"ct,omitempty"`
	MaskedName    string `json:"mn,omitempty"`
	MaskedID      string `json:"mi,omitempty"`
	MaskedAddress string `json:"ma,omitempty"`
	MaskedPhone   string `json:"mp,omitempty"`
	SealedID      []byte `json:"si,omitempty"`
	SealedName    []byte `json:"sn,omitempty"`
	SealedAddress []byte `json:"sa,omitempty"`
	SealedPhone   []byte `json:"sp,omitempty"`
}

// Handler is who first received the visitor: the counter and clerk a
// returning visitor is sent back to (首访负责制).
type Handler struct {
	CounterID string    `json:"counter,omitempty"`
	StaffID   string    `json:"staff,omitempty"`
	Unit      string    `json:"unit,omitempty"`
	At        time.Time `json:"at,omitzero"`
}

// RouteKind is where a case is sent: a unit (转送/交办), a counter (a
// window or room of the hall), a mediator.
type RouteKind string

// Route kinds.
const (
	RouteUnit     RouteKind = "unit"
	RouteCounter  RouteKind = "counter"
	RouteMediator RouteKind = "mediator"
)

// Route is one routing (分流) of a case. A routing to a unit (交办) is
// acknowledged by the unit or sent back by it (assign.go).
type Route struct {
	Kind      RouteKind `json:"kind"`
	Unit      string    `json:"unit,omitempty"`
	CounterID string    `json:"counter,omitempty"`
	StaffID   string    `json:"staff,omitempty"`
	Note      string    `json:"note,omitempty"`
	// ReplyBy is the unit's own day to report its result to the centre
	// (交办单的办理时限), within the case's handling limit.
	ReplyBy      Date      `json:"reply_by,omitempty"`
	At           time.Time `json:"at"`
	By           string    `json:"by"`
	AckAt        time.Time `json:"ack_at,omitzero"`
	AckBy        string    `json:"ack_by,omitempty"`
	ObjectedAt   time.Time `json:"objected_at,omitzero"`
	ObjectedBy   string    `json:"objected_by,omitempty"`
	ObjectReason string    `json:"object_reason,omitempty"`
}

// RecordKind names the records of a mediation file (人民调解法 Art. 27–31)
// and of a petition.
type RecordKind string

// Record kinds.
const (
	RecordApplication   RecordKind = "application"   // 申请书 / 来访登记
	RecordAcceptance    RecordKind = "acceptance"    // 受理登记
	RecordInvestigation RecordKind = "investigation" // 调查记录
	RecordSession       RecordKind = "session"       // 调解笔录 (one per session)
	RecordAgreement     RecordKind = "agreement"     // 调解协议书
	RecordAnswer        RecordKind = "answer"        // 答复意见 / 处理意见书
	RecordFollowUp      RecordKind = "followup"      // 回访记录
	RecordInterview     RecordKind = "interview"     // 约谈记录: the supervisors talk to a unit's leaders
	RecordNote          RecordKind = "note"          // 其他
)

// Name is the record kind in Chinese.
func (k RecordKind) Name() string {
	switch k {
	case RecordApplication:
		return "申请书"
	case RecordAcceptance:
		return "受理登记"
	case RecordInvestigation:
		return "调查记录"
	case RecordSession:
		return "调解笔录"
	case RecordAgreement:
		return "调解协议书"
	case RecordAnswer:
		return "答复意见"
	case RecordFollowUp:
		return "回访记录"
	case RecordInterview:
		return "约谈记录"
	case RecordNote:
		return "其他记录"
	}
	return string(k)
}

func validRecordKind(k RecordKind) bool { return k.Name() != string(k) }

// Record is one text record of the case file.
type Record struct {
	Seq  int        `json:"seq"`
	Kind RecordKind `json:"kind"`
	Text string     `json:"text"`
	At   time.Time  `json:"at"`
	By   string     `json:"by"`
}

// Extension is the one extension of the handling limit (信访工作条例
// Art. 34: at most 30 days, the petitioner told why).
type Extension struct {
	Reason string `json:"reason"`
	// Consent: that the rule's condition holds (Limit.ExtendWhen), as
	// the clerk stated it.
	Consent string    `json:"consent,omitempty"`
	From    Date      `json:"from"` // the due day before
	To      Date      `json:"to"`   // the due day after
	At      time.Time `json:"at"`
	By      string    `json:"by"`
}

// Visit is one visit (批次) on the case, with how many came (人次).
type Visit struct {
	At      time.Time `json:"at"`
	Persons int       `json:"persons"`
	Ticket  string    `json:"ticket,omitempty"`
}

// Satisfaction is the petitioner's rating of the result on the inquiry
// page: 满意 or 不满意, once (信访工作条例 Art. 21).
type Satisfaction struct {
	Satisfied bool      `json:"satisfied"`
	At        time.Time `json:"at"`
}

// StepKind names a step in a case's history.
type StepKind string

// Steps.
const (
	StepRegistered  StepKind = "registered"
	StepReceived    StepKind = "received"
	StepRouted      StepKind = "routed"
	StepHandling    StepKind = "handling"
	StepRecord      StepKind = "record"
	StepExtended    StepKind = "extended"
	StepConcluded   StepKind = "concluded"
	StepClosed      StepKind = "closed"
	StepVisit       StepKind = "visit"
	StepSupervised  StepKind = "supervised"
	StepReplied     StepKind = "supervision_replied"
	StepResolved    StepKind = "supervision_resolved"
	StepRated       StepKind = "rated"
	StepAnonymised  StepKind = "anonymised"
	StepServiceRate StepKind = "service_rated"
	// StepRouteProposed: the ticket that brought the visitor was
	// transferred to another service or counter; the case is not routed
	// until a clerk routes it.
	StepRouteProposed StepKind = "route_proposed"
	// StepPersonalViewed: a clerk opened the parties' full personal data
	// (the audit log keeps who and why).
	StepPersonalViewed StepKind = "personal_viewed"
	// The rectification of a bad rating of a ticket (rectify.go): its
	// events carry the ticket's case code, if any.
	StepRectificationOpened StepKind = "rectification_opened"
	StepRectificationClosed StepKind = "rectification_closed"
	// Assignment, analysis and review (assign.go, analysis.go, review.go).
	StepAcknowledged StepKind = "acknowledged" // the assigned unit signed for it
	StepObjected     StepKind = "objected"     // the assigned unit sent it back
	StepAssessed     StepKind = "assessed"     // 研判: risk level
	StepMeeting      StepKind = "meeting"      // an analysis meeting's record
	StepWarned       StepKind = "warned"       // 预警 to a unit
	StepWarningAck   StepKind = "warning_acknowledged"
	StepMajor        StepKind = "major"         // flagged a major or urgent matter (Art. 25)
	StepReviewOpened StepKind = "review_opened" // a 不满意 of the result, for the supervisors
	StepReviewClosed StepKind = "review_closed"
	StepAccusation   StepKind = "accusation" // who the case accuses (Art. 30)
	StepRecused      StepKind = "recused"    // a clerk stepped aside (Art. 28)
	StepMessage      StepKind = "message"    // the visitor asked or added material
	StepAnswered     StepKind = "answered"   // a handler answered the visitor
	StepPosted       StepKind = "posted"     // a supervision listed (挂牌督办)
	StepPaused       StepKind = "paused"     // the handling clock stopped (听证, 鉴定)
	StepResumed      StepKind = "resumed"    // and started again
	// StepRecomputed: a holiday file moved a stored deadline
	// (节假日调整): old date → new date.
	StepRecomputed StepKind = "recomputed"
	// StepReportedUp: reported up to the county centre (上报, reportup.go).
	StepReportedUp StepKind = "reported_up"
)

// StepKinds lists every kind of step, and so every case event's type
// (queue.CaseEvent), the rectifications' included.
func StepKinds() []StepKind {
	return []StepKind{StepRegistered, StepReceived, StepRouted, StepHandling, StepRecord, StepExtended, StepConcluded,
		StepClosed, StepVisit, StepSupervised, StepReplied, StepResolved, StepRated, StepAnonymised, StepServiceRate,
		StepRouteProposed, StepPersonalViewed, StepLogged, StepRectificationOpened, StepRectificationClosed,
		StepAcknowledged, StepObjected, StepAssessed, StepMeeting, StepWarned, StepWarningAck, StepMajor,
		StepReviewOpened, StepReviewClosed, StepAccusation, StepRecused, StepMessage, StepAnswered, StepPosted,
		StepPaused, StepResumed, StepRecomputed, StepReportedUp}
}

// Name is the step in Chinese, for the case's timeline.
func (k StepKind) Name() string {
	switch k {
	case StepRegistered:
		return "登记"
	case StepReceived:
		return "接待"
	case StepRouted:
		return "受理分流"
	case StepHandling:
		return "开始调处"
	case StepRecord:
		return "登记记录"
	case StepExtended:
		return "延期"
	case StepConcluded:
		return "办结"
	case StepClosed:
		return "终结"
	case StepVisit:
		return "再次来访"
	case StepSupervised:
		return "督办"
	case StepReplied:
		return "督办回复"
	case StepResolved:
		return "督办结束"
	case StepRated:
		return "来访人评价结果"
	case StepAnonymised:
		return "匿名化"
	case StepServiceRate:
		return "窗口服务评价"
	case StepRouteProposed:
		return "转号（建议分流）"
	case StepPersonalViewed:
		return "查看个人信息"
	case StepLogged:
		return "补记入事件日志"
	case StepRectificationOpened:
		return "差评整改立项"
	case StepRectificationClosed:
		return "差评整改完成"
	case StepAcknowledged:
		return "承办单位签收"
	case StepObjected:
		return "承办单位退回"
	case StepAssessed:
		return "研判风险等级"
	case StepMeeting:
		return "研判会"
	case StepWarned:
		return "预警"
	case StepWarningAck:
		return "预警签收"
	case StepMajor:
		return "列为重大紧急事项"
	case StepReviewOpened:
		return "不满意待复查"
	case StepReviewClosed:
		return "复查完成"
	case StepAccusation:
		return "登记检举控告对象（回避）"
	case StepRecused:
		return "工作人员回避"
	case StepMessage:
		return "来访人留言"
	case StepAnswered:
		return "答复来访人"
	case StepPosted:
		return "挂牌督办"
	case StepPaused:
		return "暂停计时"
	case StepResumed:
		return "恢复计时"
	case StepRecomputed:
		return "期限重算（节假日调整）"
	case StepReportedUp:
		return "上报县综治中心"
	}
	return string(k)
}

// Step is one event of a case: what, who and when; the counter, ticket and
// persons where the step has them (they go into the step's event).
type Step struct {
	At      time.Time `json:"at"`
	Kind    StepKind  `json:"kind"`
	Actor   string    `json:"actor"`
	Note    string    `json:"note,omitempty"`
	Counter string    `json:"counter,omitempty"`
	Ticket  uint64    `json:"ticket,omitempty"`
	Persons int       `json:"persons,omitempty"`
}

// Case is one matter (一件一码) as it is stored. It holds sealed personal
// data and the visitor keys: never send it to a client or a log; send
// View (or PublicView) instead.
type Case struct {
	Code        string  `json:"code"`
	TokenHash   string  `json:"token_hash"`
	SealedToken []byte  `json:"sealed_token,omitempty"`
	Type        string  `json:"type"`
	ServiceID   string  `json:"service"`
	Unit        string  `json:"unit,omitempty"` // the unit responsible now
	Channel     Channel `json:"channel"`
	Summary     string  `json:"summary,omitempty"` // the request in brief; no personal data
	Status      Status  `json:"status"`
	Persons     []Party `json:"persons,omitempty"`

	Registered   time.Time `json:"registered"`
	RegisteredBy string    `json:"registered_by"`
	Day          Date      `json:"day"` // registration day, in the hall's zone

	Handler    Handler   `json:"handler,omitzero"`
	Routes     []Route   `json:"routes,omitempty"`
	AcceptedAt time.Time `json:"accepted_at,omitzero"`
	HandlingAt time.Time `json:"handling_at,omitzero"`
	HandledAt  time.Time `json:"handled_at,omitzero"` // concluded (办结/调结)
	ClosedAt   time.Time `json:"closed_at,omitzero"`

	Outcome     Outcome  `json:"outcome,omitempty"`
	Referral    Referral `json:"referral,omitempty"`
	OutcomeNote string   `json:"outcome_note,omitempty"`

	Limit     Limit      `json:"limit,omitzero"` // as configured at registration
	LimitKey  string     `json:"limit_key,omitempty"`
	AcceptDue Date       `json:"accept_due,omitempty"`
	HandleDue Date       `json:"handle_due,omitempty"`
	Extension *Extension `json:"extension,omitempty"`
	// Pauses: the time the handling limit does not count (pause.go).
	Pauses []Pause `json:"pauses,omitempty"`

	Records      []Record      `json:"records,omitempty"`
	Supervisions []Supervision `json:"supervisions,omitempty"`
	Satisfaction *Satisfaction `json:"satisfaction,omitempty"`
	Anonymised   time.Time     `json:"anonymised,omitzero"`

	// The visits and the steps are the case's journal (journal.go): kept
	// beside the case, appended to, never part of the document, so that a
	// return visit costs the same whatever the case's past. Journal counts
	// what is stored; Visits and History hold the whole journal when the
	// case was read with it (Book.whole), else only what was added since.
	Journal Journal `json:"journal,omitzero"`
	Visits  []Visit `json:"-"`
	History []Step  `json:"-"`
	// storedSteps and storedVisits: how many of History and Visits are
	// stored (or in a write of the batch); the rest are pending.
	storedSteps, storedVisits int

	// 研判 and escalation (analysis.go), the review of a 不满意 (review.go).
	Risk     Risk      `json:"risk,omitempty"`
	Meetings []Meeting `json:"meetings,omitempty"`
	Warnings []Warning `json:"warnings,omitempty"`
	Major    *Flag     `json:"major,omitempty"`
	Review   *Review   `json:"review,omitempty"`

	// Who must not see it (conflict.go).
	Accused  *Accusation `json:"accused,omitempty"`
	Recusals []Recusal   `json:"recusals,omitempty"`

	// The visitor's channel (messages.go).
	Messages []Message `json:"messages,omitempty"`

	// Reported up to the county centre (reportup.go).
	Escalation *Escalation `json:"escalation,omitempty"`
}

func (c *Case) step(at time.Time, kind StepKind, actor, note string) *Step {
	c.History = append(c.History, Step{At: at, Kind: kind, Actor: actor, Note: note})
	return &c.History[len(c.History)-1]
}

func (c *Case) hasRecord(k RecordKind) bool {
	for _, r := range c.Records {
		if r.Kind == k {
			return true
		}
	}
	return false
}

// Route returns the latest routing, if any.
func (c *Case) Route() (Route, bool) {
	if len(c.Routes) == 0 {
		return Route{}, false
	}
	return c.Routes[len(c.Routes)-1], true
}

// VisitorKeys lists the parties' visitor keys.
func (c *Case) VisitorKeys() []string {
	var out []string
	for _, p := range c.Persons {
		if p.VisitorKey != "" {
			out = append(out, p.VisitorKey)
		}
	}
	return out
}

// Pending is the deadline a case is working towards now: "accept" before
// acceptance, "handle" until concluded, "" when none applies.
func (c *Case) Pending() (which string, due Date) {
	return pending(c.Status, !c.AcceptedAt.IsZero(), c.AcceptDue, !c.HandledAt.IsZero(), c.HandleDue)
}

// Pending is Case.Pending of the case the facts are of.
func (f *Facts) Pending() (which string, due Date) {
	return pending(f.Status, f.Accepted != 0, f.AcceptDue, f.Handled != 0, f.HandleDue)
}

func pending(s Status, accepted bool, acceptDue Date, handled bool, handleDue Date) (string, Date) {
	switch {
	case !s.Open():
		return "", 0
	case !accepted && acceptDue != 0:
		return "accept", acceptDue
	case !handled && handleDue != 0:
		return "handle", handleDue
	}
	return "", 0
}

// clone returns a deep copy: a command changes its own copy of a case that
// an earlier command of the same batch wrote.
func (c *Case) clone() *Case {
	v, err := json.Marshal(c)
	if err != nil {
		panic(fmt.Sprintf("cases: copying case %s: %v", c.Code, err)) // plain data: cannot fail
	}
	out := new(Case)
	if err := json.Unmarshal(v, out); err != nil {
		panic(fmt.Sprintf("cases: copying case %s: %v", c.Code, err))
	}
	out.Visits, out.History = slices.Clone(c.Visits), slices.Clone(c.History)
	out.storedSteps, out.storedVisits = c.storedSteps, c.storedVisits
	return out
}
