package web

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"yiting/queue"
	"yiting/queue/cases"
)

// The case page (/cases/{code}): everything about one case that the
// principal may see — the running time limits with their basis, the
// parties masked (the full view is a button that is audited and says so),
// the timeline, records, routings, supervision, visits and the rating —
// and the actions its stage and the principal's role allow. The actions
// are the API's case commands, sent by the page's script; the server
// decides and refuses with a reason.

type limitLine struct {
	Name, Date, Span, From, Basis, Stops, State string
	Overdue, Running                            bool
}

type stepLine struct{ At, Name, Actor, Note string }

type recordLine struct {
	Seq                int
	Kind, At, By, Text string
}

type routeLine struct{ At, To, By, Note, ReplyBy, State string }

type messageLine struct {
	ID, ReplyTo   int
	Kind, At, Who string
	Text          string
	Files         []cases.FileRef
	CanAnswer     bool
}

type warningLine struct {
	ID                        int
	Unit, Text, At, By, Acked string
	Open, CanAck              bool
}

type supervisionLine struct {
	ID                                          int
	Level, Colour, Reason, Opened, ReplyDue     string
	Reply, Replied, Resolution                  string
	Open, Late, Auto, CanReply, Posted, CanPost bool
}

type visitLine struct {
	At, Ticket string
	Persons    int
}

type casePageBody struct {
	V                        cases.View
	A                        cases.Allowed
	Registered               string
	Limits                   []limitLine
	Steps                    []stepLine
	Records                  []recordLine
	Routes                   []routeLine
	Supervisions             []supervisionLine
	Visits                   []visitLine
	Rating                   string
	Outcome                  string
	ReceiveAt, RouteCounters []option
	Units                    []option
	RecordKinds, Levels      []option
	Referrals                []option
	Anonymised               string
	FirstReceiver            string // 首访负责: the counter and clerk who received the visitor
	Docs                     []docLink
	Warnings                 []warningLine
	MajorAt, Review          string
	ReportedUp               string // 已上报县综治中心: when, by whom, why, and what the county did
	AssignedTo               string // the unit of the assignment to sign for
	Messages                 []messageLine
	PausedKind               string // what stops the handling clock now (听证, 鉴定)
	// The appointment diary: the sessions booked for the case, and the
	// form that schedules one with all its parties (SessionPlans: the
	// plans that book a room).
	Sessions     []bookingLine
	SessionPlans []option
	CanSchedule  bool
	Today        string
}

// caseOf reads the case of a page's {code} as a person of one of the
// roles may see it, or answers with a page that says why not.
func (p *Pages) caseOf(w http.ResponseWriter, r *http.Request, roles ...queue.Role) (queue.Principal, cases.View, cases.Allowed, bool) {
	pr, ok := p.staffPage(w, r, roles...)
	if !ok {
		return pr, cases.View{}, cases.Allowed{}, false
	}
	if p.cases == nil {
		p.errorPage(w, http.StatusServiceUnavailable, "案件不可用", "本服务器未接入案件登记簿。")
		return pr, cases.View{}, cases.Allowed{}, false
	}
	code, err := cases.NormalizeCode(r.PathValue("code"))
	if err != nil {
		p.errorPage(w, http.StatusBadRequest, "案件编号有误", queue.ErrorMessage(err))
		return pr, cases.View{}, cases.Allowed{}, false
	}
	ctx, cancel := context.WithTimeout(r.Context(), casesTimeout)
	defer cancel()
	v, a, err := p.cases.CaseFor(ctx, pr, code)
	switch {
	case err == nil:
		return pr, v, a, true
	case queue.ErrorCode(err) == queue.ENOTFOUND:
		p.errorPage(w, http.StatusNotFound, "没有这件案件", "没有编号为 "+code+" 的案件。请核对编号。")
	case queue.ErrorCode(err) == queue.EFORBIDDEN:
		p.errorPage(w, http.StatusForbidden, "没有权限", queue.ErrorMessage(err))
	default:
		p.casesFailed(w, r, err)
	}
	return pr, cases.View{}, cases.Allowed{}, false
}

func (p *Pages) casePage(w http.ResponseWriter, r *http.Request) {
	pr, v, a, ok := p.caseOf(w, r, queue.RoleSupervisor, queue.RoleAdmin, queue.RoleStaff)
	if !ok {
		return
	}
	body := p.casePageBody(v, a)
	if err := p.caseSessions(r.Context(), pr, v, &body); err != nil {
		p.casesFailed(w, r, err)
		return
	}
	p.render(w, http.StatusOK, "case.html", view{Title: "案件 " + v.Code, Page: "case", Body: body, Data: struct {
		pageData
		Me    principalData `json:"me"`
		Code  string        `json:"code"`
		Steps []string      `json:"case_steps"`
	}{p.data, principalOut(pr), v.Code, caseStepTypes()}})
}

func (p *Pages) when(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(p.hall.Location).Format("2006-01-02 15:04")
}

// day is the date of t in the hall, "" for none.
func (p *Pages) day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(p.hall.Location).Format(time.DateOnly)
}

func (p *Pages) casePageBody(v cases.View, a cases.Allowed) casePageBody {
	b := casePageBody{V: v, A: a, Registered: p.when(v.Registered), Outcome: v.OutcomeName, Anonymised: p.when(v.Anonymised)}
	if v.Referral != "" {
		b.Outcome += "，" + v.Referral.Name()
	}
	b.Limits = p.limitLines(v)
	if v.Paused {
		b.PausedKind = v.Pauses[len(v.Pauses)-1].Kind.Name()
	}
	b.Docs = docLinks(v)
	if v.Handler.CounterID != "" {
		b.FirstReceiver = strings.TrimSpace(p.counterName(v.Handler.CounterID) + " " + v.Handler.StaffID)
	}
	for _, s := range v.History {
		actor := s.Actor
		if actor == "visitor" {
			actor = "来访人"
		}
		b.Steps = append(b.Steps, stepLine{At: p.when(s.At), Name: s.Kind.Name(), Actor: actor, Note: s.Note})
	}
	for _, rc := range v.Records {
		b.Records = append(b.Records, recordLine{Seq: rc.Seq, Kind: rc.Kind.Name(), At: p.when(rc.At), By: rc.By, Text: rc.Text})
	}
	for _, rt := range v.Routes {
		var to []string
		for _, s := range []string{rt.Unit, p.counterName(rt.CounterID), rt.StaffID} {
			if s != "" && s != "—" {
				to = append(to, s)
			}
		}
		l := routeLine{At: p.when(rt.At), To: strings.Join(to, " · "), By: rt.By, Note: rt.Note}
		if rt.ReplyBy != 0 {
			l.ReplyBy = rt.ReplyBy.String()
		}
		switch {
		case !rt.ObjectedAt.IsZero():
			l.State = "已退回（" + p.when(rt.ObjectedAt) + " " + rt.ObjectedBy + "）：" + rt.ObjectReason
		case !rt.AckAt.IsZero():
			l.State = "已签收（" + p.when(rt.AckAt) + " " + rt.AckBy + "）"
		case rt.Unit != "":
			l.State = "待签收"
		}
		b.Routes = append(b.Routes, l)
		b.AssignedTo = rt.Unit
	}
	for _, w := range v.Warnings {
		l := warningLine{ID: w.ID, Unit: w.Unit, Text: w.Text, At: p.when(w.At), By: w.By, Open: w.AckAt.IsZero(),
			CanAck: slices.Contains(a.AckWarning, w.ID)}
		if !w.AckAt.IsZero() {
			l.Acked = p.when(w.AckAt) + " " + w.AckBy
		}
		b.Warnings = append(b.Warnings, l)
	}
	if v.Major != nil {
		b.MajorAt = p.when(v.Major.At)
	}
	answered := map[int]bool{}
	for _, m := range v.Messages {
		answered[m.ReplyTo] = true
	}
	for _, m := range v.Messages {
		l := messageLine{ID: m.ID, ReplyTo: m.ReplyTo, Kind: string(m.Kind), At: p.when(m.At), Text: m.Text, Files: m.Files,
			CanAnswer: m.Kind == cases.MessageQuestion && a.Record && !answered[m.ID]}
		switch m.Kind {
		case cases.MessageQuestion:
			l.Who = "来访人提问"
		case cases.MessageMaterial:
			l.Who = "来访人补充材料"
		default:
			l.Who = "答复（" + m.From + "）"
		}
		b.Messages = append(b.Messages, l)
	}
	if e := v.Escalation; e != nil {
		b.ReportedUp = "已上报县综治中心（" + p.when(e.At) + " " + e.By + "）：" + e.Reason
		switch e.Settled {
		case cases.SettledAssigned:
			b.ReportedUp += "。县级已于 " + p.when(e.SettledAt) + " 交办"
		case cases.SettledConcluded:
			b.ReportedUp += "。县级已于 " + p.when(e.SettledAt) + " 办结"
		default:
			b.ReportedUp += "。等待县级交办或办结：本中心可继续登记记录、调处，分流、延期、办结和终结由县级决定"
		}
	}
	if r := v.Review; r != nil {
		b.Review = "来访人于 " + p.when(r.OpenedAt) + " 评价不满意，待督导人员复查"
		if !r.ClosedAt.IsZero() {
			b.Review = "已复查（" + p.when(r.ClosedAt) + " " + r.ClosedBy + "）：" + r.Action
		}
	}
	for _, s := range v.Supervisions {
		l := supervisionLine{ID: s.ID, Level: s.LevelName, Reason: s.Reason, Opened: p.when(s.OpenedAt) + " " + s.OpenedBy,
			ReplyDue: s.ReplyDue.String(), Reply: s.Reply, Replied: p.when(s.RepliedAt), Resolution: s.Resolution,
			Open: s.Open, Late: s.Late, Auto: s.Auto}
		if levelRank(s.Level) < noColour {
			l.Colour = s.Level
		}
		l.CanReply = slices.Contains(a.Reply, s.ID)
		l.CanPost, l.Posted = slices.Contains(a.Post, s.ID), !s.PostedAt.IsZero()
		b.Supervisions = append(b.Supervisions, l)
	}
	for _, vi := range v.Visits {
		b.Visits = append(b.Visits, visitLine{At: p.when(vi.At), Ticket: orDash(vi.Ticket), Persons: vi.Persons})
	}
	if s := v.Satisfaction; s != nil {
		b.Rating = "不满意"
		if s.Satisfied {
			b.Rating = "满意"
		}
		b.Rating += "（" + p.when(s.At) + "）"
	}
	for _, id := range a.Receive {
		b.ReceiveAt = append(b.ReceiveAt, option{id, p.counterName(id), false})
	}
	for _, c := range p.hall.Counters {
		b.RouteCounters = append(b.RouteCounters, option{c.ID, c.Name + "（" + orDash(c.Unit) + "）", false})
	}
	for _, u := range p.hall.UnitNames() {
		b.Units = append(b.Units, option{u, u, u == v.Unit})
	}
	for _, k := range []cases.RecordKind{cases.RecordInvestigation, cases.RecordAnswer, cases.RecordInterview, cases.RecordAcceptance, cases.RecordApplication, cases.RecordNote} {
		b.RecordKinds = append(b.RecordKinds, option{string(k), k.Name(), false})
	}
	for _, n := range p.cases.Notices() {
		b.Levels = append(b.Levels, option{n.ID, n.Name + "（" + replyText(n.Reply) + "回复）", false})
	}
	for _, rf := range []cases.Referral{cases.ReferLitigation, cases.ReferArbitration, cases.ReferAdministrative} {
		b.Referrals = append(b.Referrals, option{string(rf), rf.Name(), false})
	}
	return b
}

func replyText(s cases.Span) string {
	if s.Days <= 0 {
		return "当日"
	}
	return s.String() + "内"
}

// limitLines are the case's time limits: when each falls due, how long it
// is and from when it counts, its basis, what stops it, and how it stands.
func (p *Pages) limitLines(v cases.View) []limitLine {
	var out []limitLine
	pending := ""
	if v.Due != nil {
		pending = v.Due.Which
	}
	state := func(which string, done time.Time, doneName string) (string, bool, bool) {
		switch {
		case !done.IsZero():
			return doneName + "于 " + p.when(done), false, false
		case pending == which && v.Due.State == "overdue":
			return "已逾期 " + strconv.Itoa(-v.Due.WorkdaysLeft) + " 个工作日", true, true
		case pending == which:
			return "计时中，还剩 " + strconv.Itoa(v.Due.WorkdaysLeft) + " 个工作日", false, true
		case !v.Status.Open():
			return "案件已终结，不再计时", false, false
		}
		return "未开始计时", false, false
	}
	if v.AcceptDue != 0 {
		st, late, run := state("accept", v.AcceptedAt, "已受理")
		out = append(out, limitLine{Name: "受理期限", Date: v.AcceptDue.String(), Span: v.Limit.Accept.String(), From: "自登记之日起",
			Basis: v.Limit.Source, Stops: "受理分流（转送、交办、受理）或决定不予受理即停止计时", State: st, Overdue: late, Running: run})
	}
	if v.HandleDue != 0 || v.Limit.Handle.Days > 0 {
		from := "自登记之日起"
		if v.Limit.HandleFromAccept {
			from = "自受理之日起"
		}
		l := limitLine{Name: "办理期限", Span: v.Limit.Handle.String(), From: from, Basis: v.Limit.Source,
			Stops: "办结（调解成功、调解不成、办结答复）即停止计时"}
		if v.Limit.Pause != "" {
			l.Stops += "；" + v.Limit.Pause.Name() + "所需时间不计入，期间暂停计时"
		}
		if v.Limit.Extension.Days > 0 {
			l.Stops += "；可延期一次，最多 " + v.Limit.Extension.String() + "，须写明理由并告知当事人"
			if v.Limit.ExtendWhen != "" {
				l.Stops += "，并须" + v.Limit.ExtendWhen
			}
		}
		switch {
		case v.HandleDue != 0:
			l.Date = v.HandleDue.String()
		case v.Paused:
			l.Date = "暂停计时，恢复后确定"
		default:
			l.Date = "受理后确定"
		}
		if e := v.Extension; e != nil {
			l.Date += "（已由 " + e.From.String() + " 延期，理由：" + e.Reason
			if e.Consent != "" {
				l.Date += "；" + v.Limit.ExtendWhen + "：" + e.Consent
			}
			l.Date += "）"
		}
		for _, ps := range v.Pauses {
			l.Date += "（" + ps.Kind.Name() + " " + ps.From.String() + " 起"
			if ps.To != 0 {
				l.Date += "至 " + ps.To.String() + "，不计入 " + strconv.Itoa(int(ps.To-ps.From)) + " 日"
			}
			l.Date += "）"
		}
		l.State, l.Overdue, l.Running = state("handle", v.HandledAt, "已办结")
		if v.Paused {
			l.State = v.Pauses[len(v.Pauses)-1].Kind.Name() + "期间暂停计时"
		}
		out = append(out, l)
	}
	if v.Limit.Procedure != "" {
		// 涉法涉诉: the handling body's legal procedure sets the time, not
		// the petition rules; the hall shows no day it cannot know.
		out = append(out, limitLine{Name: "办理程序", Date: "依法定程序", Span: "不适用信访事项办理期限", From: "交承办政法单位之日起",
			Basis: v.Limit.Source, Stops: v.Limit.Procedure, State: "不计信访办理期限"})
	}
	if v.ReviewBy != 0 {
		l := limitLine{Name: v.ReviewName + "申请期限", Date: v.ReviewBy.String(), Span: "30日", From: "自收到书面答复之日起",
			Basis: "《信访工作条例》第三十五条、第三十六条", Stops: "信访人向上一级机关、单位请求" + v.ReviewName + "（收到请求之日起30日内答复）"}
		l.State, l.Running = windowState(cases.DateOf(p.now(), p.hall.Location), v.ReviewBy)
		out = append(out, l)
	}
	if v.ConfirmBy != 0 {
		l := limitLine{Name: "司法确认申请期限", Date: v.ConfirmBy.String(), Span: "30日", From: "自调解协议生效之日起",
			Basis: "《人民调解法》第三十三条", Stops: "双方当事人共同向人民法院申请司法确认；期满未申请的，不影响协议的效力，可另行起诉"}
		l.State, l.Running = windowState(cases.DateOf(p.now(), p.hall.Location), v.ConfirmBy)
		out = append(out, l)
	}
	return out
}

// windowState is how a party's window to apply stands today.
func windowState(today, by cases.Date) (string, bool) {
	if today > by {
		return "已过申请期限", false
	}
	return "还剩 " + strconv.Itoa(int(by-today)) + " 天", true
}

// caseFile serves a photo a visitor sent with a message, to those who may
// see the case; never cached, never sniffed.
func (p *Pages) caseFile(w http.ResponseWriter, r *http.Request) {
	pr, ok := p.staffPage(w, r, queue.RoleSupervisor, queue.RoleStaff)
	if !ok {
		return
	}
	if p.cases == nil {
		http.NotFound(w, r)
		return
	}
	code, err := cases.NormalizeCode(r.PathValue("code"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	typ, data, err := p.cases.CaseFile(r.Context(), pr, code, r.PathValue("name"))
	switch queue.ErrorCode(err) {
	case "":
	case queue.EFORBIDDEN:
		http.Error(w, "没有权限", http.StatusForbidden)
		return
	case queue.ENOTFOUND:
		http.NotFound(w, r)
		return
	default:
		p.log.Error("web: reading a case file failed", "err", err)
		http.Error(w, "读取失败", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(data)
}

// caseSessions fills the case page's appointments: the sessions booked
// for the case and, for its staff and supervisors while it is open, the
// plans a session may be scheduled in — those of a room, the case's own
// service's first.
func (p *Pages) caseSessions(ctx context.Context, pr queue.Principal, v cases.View, body *casePageBody) error {
	if p.diary == nil || len(p.diary.Config().Plans) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, casesTimeout)
	defer cancel()
	vs, err := p.diary.OfCase(ctx, v.Code)
	if err != nil {
		return err
	}
	for _, b := range vs {
		body.Sessions = append(body.Sessions, p.bookingLine(b))
	}
	body.CanSchedule = v.Status.Open() && v.Anonymised.IsZero() && (pr.Role == queue.RoleStaff || pr.Role == queue.RoleSupervisor)
	body.Today = cases.DateOf(p.now(), p.hall.Location).String()
	var own, other []option
	for _, pl := range p.diary.Config().Plans {
		if pl.CounterID == "" {
			continue
		}
		o := option{pl.ID, pl.Name, false}
		if pl.ServiceID == v.ServiceID {
			own = append(own, o)
		} else {
			other = append(other, o)
		}
	}
	body.SessionPlans = append(own, other...)
	return nil
}
