package web

import (
	"cmp"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"yiting/queue"
	"yiting/queue/cases"
)

// CaseBook is what the case pages (/cases, /cases/{code}, the
// supervision page /dashboard/cases, the audit page) read of the case book; *cases.Book implements it. Every method decides by the
// principal what it may see and returns an error of code
// queue.EFORBIDDEN when it may see nothing; the page shows what it is
// given and filters nothing itself. Safe for concurrent use.
type CaseBook interface {
	// List returns the open cases p may see, most urgent first.
	List(ctx context.Context, p queue.Principal, f cases.ListFilter) ([]cases.View, error)
	// Rectifications returns the rectification items of bad ratings p
	// may see, newest first.
	Rectifications(ctx context.Context, p queue.Principal, openOnly bool) ([]cases.Rectification, error)
	// UnitAssessment is the units' assessment over the cases registered
	// from..to: supervisors and admins.
	UnitAssessment(ctx context.Context, p queue.Principal, from, to cases.Date) (*cases.Assessment, error)
	// Stats computes the indicators of the cases registered from..to.
	Stats(ctx context.Context, p queue.Principal, from, to cases.Date) (*cases.Stats, error)
	// Find lists the cases p may see that match the query, what is due
	// first, with the counts of the list's filters.
	Find(ctx context.Context, p queue.Principal, q cases.Query) (cases.Listing, error)
	// CaseFor returns a case as p may see it and what p may do with it.
	CaseFor(ctx context.Context, p queue.Principal, code string) (cases.View, cases.Allowed, error)
	// Audit returns the audit log's entries after a sequence number,
	// oldest first, of one case or all: supervisors and admins.
	Audit(ctx context.Context, p queue.Principal, after uint64, limit int, caseCode string) ([]cases.AuditEntry, error)
	// ArchiveDue lists the anonymised cases past their archive period,
	// awaiting appraisal; nil when records are kept permanently.
	ArchiveDue(ctx context.Context, p queue.Principal) (*cases.ArchiveDue, error)
	// QRURL is the inquiry URL of a case for its QR code (a printed
	// document): the case's handlers and supervisors.
	QRURL(ctx context.Context, p queue.Principal, code string) (string, error)
	// Notices are the supervision notice levels, most urgent first.
	Notices() []cases.NoticeLevel
	// InquiryURL is the public inquiry page of an inquiry token.
	InquiryURL(token string) string
	// Inquire is what the public inquiry page shows for a token;
	// ENOTFOUND for a wrong one.
	Inquire(ctx context.Context, token string) (cases.PublicView, error)
	// Tell takes the visitor's question or material (with photos) from
	// the inquiry page.
	Tell(ctx context.Context, token string, kind cases.MessageKind, text string, photos [][]byte) (cases.PublicView, error)
	// Answer answers a visitor's question; CaseFile is a photo a visitor
	// sent, for those who may see the case.
	Answer(ctx context.Context, p queue.Principal, code string, question int, text string) (cases.View, error)
	CaseFile(ctx context.Context, p queue.Principal, code, name string) (string, []byte, error)
	// RateResult takes the visitor's one rating of a closed case.
	RateResult(ctx context.Context, token string, satisfied bool) (cases.PublicView, error)
	// CalendarWarnings names the years the running deadlines touch that
	// have no holiday file; Calendar is the one in force.
	CalendarWarnings(ctx context.Context) ([]string, error)
	Calendar() *cases.Calendar
	// ExportCases writes the cases registered from..to as CSV, after
	// checking p may.
	ExportCases(ctx context.Context, p queue.Principal, from, to cases.Date, w io.Writer) error
	// WriteReport writes the printable yearly report of the indicators.
	WriteReport(w io.Writer, s *cases.Stats) error
}

var _ CaseBook = (*cases.Book)(nil)

// Bounds of the supervision page.
const (
	// dueSoonWorkdays: a case whose pending deadline is at most this
	// many working days away is "due soon" on the page (the book's own
	// warning window, for automatic notices, is configured separately).
	dueSoonWorkdays = 3
	// caseListLimit is the most open cases one page reads (cases.List's
	// ceiling); the most urgent come first, so a cut drops the calmest.
	caseListLimit = 5000
	// casesRefreshSec: the page reloads itself this often.
	casesRefreshSec = 60
	casesTimeout    = 30 * time.Second
)

// caseRow is one case as the page lists it: masked names only.
type caseRow struct {
	Code      string
	Type      string
	Unit      string
	Status    string
	Names     string // masked, "、"-separated
	Handler   string
	Deadline  string // "办理期限 2026-11-17"
	Late      string // "逾期 12 个工作日（16 天）", "还剩 2 个工作日", "今日到期"
	Overdue   bool
	Level     string // the most urgent open notice: "红色督办"
	Colour    string // red, yellow, blue, or "" for another level
	ReplyDue  string
	LateReply bool // the unit has not replied by the notice's day

	rank     int // level urgency, for sorting
	workdays int // Due.WorkdaysLeft
	due      cases.Date
	reg      time.Time
}

type rectRow struct {
	ID      uint64 // the ticket's id, for closing the item
	Ticket  string
	Day     string
	Counter string
	Unit    string
	Level   string
	Reasons string
	Due     string
	Overdue bool
	Case    string
}

type indicator struct {
	ID, Name, Value, Detail string
}

type casesBody struct {
	Urgent, Soon    []caseRow
	Rects           []rectRow
	Overdue         int
	Supervised      int
	DueSoon         int
	OpenRects       int
	OverdueRects    int
	Major, Reviews  int // open major matters; 不满意 waiting for review
	Objected        int // sent back by their units, to assign again
	Truncated       bool
	Year            int
	Indicators      []indicator
	StatsForbidden  bool
	StatsFailed     bool
	StatsWarnings   []string
	Calendar        []string          // years the running deadlines touch without a holiday file
	Archive         *cases.ArchiveDue // past the archive period, awaiting appraisal
	RectsForbidden  bool
	DueSoonWorkdays int
	Generated       string
	Refresh         int
}

// casesPage is the supervision page: what is overdue or supervised, what
// falls due within dueSoonWorkdays working days, the open rectifications
// of bad ratings, and the year's indicators. Supervisors and admins see
// every case; clerks see what the book shows them (their units' items,
// no statistics).
func (p *Pages) casesPage(w http.ResponseWriter, r *http.Request) {
	pr, ok := p.staffPage(w, r, queue.RoleSupervisor, queue.RoleAdmin, queue.RoleStaff)
	if !ok {
		return
	}
	if p.cases == nil {
		p.errorPage(w, http.StatusServiceUnavailable, "督办事项不可用", "本服务器未接入案件登记簿，无法显示督办事项。")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), casesTimeout)
	defer cancel()
	loc := p.hall.Location
	now := p.now()
	views, err := p.cases.List(ctx, pr, cases.ListFilter{Limit: caseListLimit})
	if err != nil {
		p.casesFailed(w, r, err)
		return
	}
	body := casesBody{Truncated: len(views) >= caseListLimit, DueSoonWorkdays: dueSoonWorkdays,
		Generated: now.In(loc).Format("2006-01-02 15:04:05"), Refresh: casesRefreshSec, Year: now.In(loc).Year()}
	today := cases.DateOf(now, loc)
	for _, v := range views {
		row := p.caseRow(v, today)
		supervised := row.Level != ""
		soon := v.Due != nil && !row.Overdue && v.Due.WorkdaysLeft <= dueSoonWorkdays
		if row.Overdue {
			body.Overdue++
		}
		if supervised {
			body.Supervised++
		}
		if soon {
			body.DueSoon++
		}
		switch {
		case row.Overdue || supervised:
			body.Urgent = append(body.Urgent, row)
		case soon:
			body.Soon = append(body.Soon, row)
		}
	}
	sortUrgent(body.Urgent)
	slices.SortStableFunc(body.Soon, func(a, b caseRow) int {
		return cmp.Or(cmp.Compare(a.workdays, b.workdays), cmp.Compare(a.due, b.due), a.reg.Compare(b.reg))
	})

	open, err := p.cases.Find(ctx, pr, cases.Query{Limit: 1})
	if err == nil {
		var all cases.Listing
		all, err = p.cases.Find(ctx, pr, cases.Query{Stage: "all", Review: true, Limit: 1})
		body.Major, body.Objected, body.Reviews = open.Counts.Major, open.Counts.Objected, all.Counts.Review
	}
	if err != nil {
		p.casesFailed(w, r, err)
		return
	}

	rects, err := p.cases.Rectifications(ctx, pr, true)
	switch {
	case queue.ErrorCode(err) == queue.EFORBIDDEN:
		body.RectsForbidden = true
	case err != nil:
		p.casesFailed(w, r, err)
		return
	}
	// Overdue first, then by due day, then the oldest rating.
	slices.SortStableFunc(rects, func(a, b cases.Rectification) int {
		if a.Overdue != b.Overdue {
			if a.Overdue {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.Due, b.Due), a.RatedAt.Compare(b.RatedAt))
	})
	for _, x := range rects {
		body.OpenRects++
		if x.Overdue {
			body.OverdueRects++
		}
		body.Rects = append(body.Rects, rectRow{ID: x.TicketID, Ticket: x.Ticket, Day: x.Day, Counter: p.counterName(x.CounterID),
			Unit: orDash(x.Unit), Level: x.LevelName, Reasons: strings.Join(x.Reasons, "；"), Due: x.Due.String(),
			Overdue: x.Overdue, Case: x.CaseCode})
	}

	st, err := p.caseStats(ctx, pr, cases.MakeDate(body.Year, time.January, 1), today)
	switch {
	case queue.ErrorCode(err) == queue.EFORBIDDEN:
		body.StatsForbidden = true
	case err != nil:
		if r.Context().Err() != nil {
			return
		}
		p.log.Error("web: case statistics failed", "err", err)
		body.StatsFailed = true
	default:
		body.Indicators = []indicator{
			{ID: "ind-accept", Name: "及时受理率", Value: ratioText(st.TimelyAcceptance),
				Detail: "按期受理 " + strconv.Itoa(st.TimelyAcceptance.Num) + " / 应受理 " + strconv.Itoa(st.TimelyAcceptance.Den)},
			{ID: "ind-complete", Name: "按期办结率", Value: ratioText(st.OnTimeCompletion),
				Detail: "按期办结 " + strconv.Itoa(st.OnTimeCompletion.Num) + " / 应办结 " + strconv.Itoa(st.OnTimeCompletion.Den)},
			{ID: "ind-mediation", Name: "调解成功率", Value: ratioText(st.MediationSuccess),
				Detail: "调解成功 " + strconv.Itoa(st.MediationSuccess.Num) + " / 调解终结 " + strconv.Itoa(st.MediationSuccess.Den)},
		}
		body.StatsWarnings = st.Warnings
		if body.Archive, err = p.cases.ArchiveDue(ctx, pr); err != nil {
			p.log.Error("web: archive due failed", "err", err)
		}
	}
	body.Calendar = p.calendarWarnings(ctx)
	p.render(w, http.StatusOK, "cases.html", view{Title: "督办事项", Page: "cases", Body: body, Data: struct {
		pageData
		Me principalData `json:"me"`
	}{p.data, principalOut(pr)}})
}

// calendarWarnings names the years the running deadlines touch that have
// no holiday file, for the pages of those who watch the deadlines; a
// failure to tell is logged, not shown.
func (p *Pages) calendarWarnings(ctx context.Context) []string {
	if p.cases == nil {
		return nil
	}
	ws, err := p.cases.CalendarWarnings(ctx)
	if err != nil && ctx.Err() == nil {
		p.log.Error("web: checking the holiday calendar failed", "err", err)
	}
	return ws
}

// caseStats computes the year's indicators, one computation at a time
// with the dashboard's (statsSem): a year of cases is read from the store
// on every refresh of every open page.
func (p *Pages) caseStats(ctx context.Context, pr queue.Principal, from, to cases.Date) (*cases.Stats, error) {
	select {
	case p.statsSem <- struct{}{}:
		defer func() { <-p.statsSem }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return p.cases.Stats(ctx, pr, from, to)
}

// caseRow turns a view into a row: the pending deadline, how late, the
// most urgent open notice and who handles the case.
func (p *Pages) caseRow(v cases.View, today cases.Date) caseRow {
	row := caseRow{Code: v.Code, Type: v.TypeName, Unit: orDash(v.Unit), Status: v.StatusName,
		Names: strings.Join(v.MaskedNames(), "、"), Handler: p.handlerOf(v), rank: noColour, reg: v.Registered}
	if row.Names == "" {
		row.Names = "—"
	}
	if d := v.Due; d != nil {
		row.Deadline, row.due, row.workdays = d.WhichName+" "+d.Date.String(), d.Date, d.WorkdaysLeft
		switch {
		case d.State == "overdue":
			row.Overdue = true
			row.Late = "逾期 " + strconv.Itoa(-d.WorkdaysLeft) + " 个工作日（" + strconv.Itoa(int(today-d.Date)) + " 天）"
		case d.Date == today:
			row.Late = "今日到期"
		default:
			row.Late = "还剩 " + strconv.Itoa(d.WorkdaysLeft) + " 个工作日"
		}
	} else {
		row.Deadline, row.Late = "无法定期限", "—"
	}
	for _, s := range v.Supervisions {
		if !s.Open {
			continue
		}
		rk := levelRank(s.Level)
		if row.Level == "" || rk < row.rank {
			row.Level, row.rank, row.ReplyDue, row.LateReply = s.LevelName, rk, s.ReplyDue.String(), s.Late
			row.Colour = ""
			if rk < noColour {
				row.Colour = s.Level
			}
		}
	}
	return row
}

// levelRank is the urgency of the notice levels of docs/domain.md (red,
// yellow, blue: 0, 1, 2); a configured level of another id ranks after
// them, uncoloured (noColour).
func levelRank(id string) int {
	switch id {
	case "red":
		return 0
	case "yellow":
		return 1
	case "blue":
		return 2
	}
	return noColour
}

const noColour = 3

// sortUrgent: overdue before merely supervised; overdue by working days
// late, most first; then the most urgent notice; then the earliest due
// day and registration.
func sortUrgent(rows []caseRow) {
	slices.SortStableFunc(rows, func(a, b caseRow) int {
		if a.Overdue != b.Overdue {
			if a.Overdue {
				return -1
			}
			return 1
		}
		if a.Overdue {
			if c := cmp.Compare(a.workdays, b.workdays); c != 0 {
				return c // more negative = later
			}
		}
		return cmp.Or(cmp.Compare(a.rank, b.rank), cmp.Compare(dueKey(a), dueKey(b)), a.reg.Compare(b.reg))
	})
}

// dueKey sorts cases without a deadline last.
func dueKey(r caseRow) cases.Date {
	if r.due == 0 {
		return 1 << 30
	}
	return r.due
}

// handlerOf names who has the case now: the last routing, else the
// receiving counter and clerk.
func (p *Pages) handlerOf(v cases.View) string {
	var parts []string
	add := func(s string) {
		if s != "" && !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	if n := len(v.Routes); n > 0 {
		rt := v.Routes[n-1]
		add(rt.Unit)
		if rt.CounterID != "" {
			add(p.counterName(rt.CounterID))
		}
		add(rt.StaffID)
	} else {
		if v.Handler.CounterID != "" {
			add(p.counterName(v.Handler.CounterID))
		}
		add(v.Handler.StaffID)
	}
	if len(parts) == 0 {
		return "未分配"
	}
	return strings.Join(parts, " · ")
}

func ratioText(r cases.Ratio) string {
	if r.Den == 0 {
		return "—"
	}
	return strconv.FormatFloat(r.Rate, 'f', 1, 64) + "%"
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// casesFailed answers a failed read of the book.
func (p *Pages) casesFailed(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case queue.ErrorCode(err) == queue.EFORBIDDEN:
		p.errorPage(w, http.StatusForbidden, "没有权限", "您的账号不能查看案件。请使用有权限的账号登录。")
	case r.Context().Err() != nil:
		// The browser went away.
	case errors.Is(err, context.DeadlineExceeded):
		p.errorPage(w, http.StatusServiceUnavailable, "读取超时", "读取案件时间过长，请稍后刷新重试。")
	default:
		p.log.Error("web: reading the case book failed", "err", err)
		p.errorPage(w, http.StatusInternalServerError, "读取失败", "读取案件时出错，请联系管理员（详见服务器日志）。")
	}
}
