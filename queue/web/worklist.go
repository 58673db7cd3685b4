package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"yiting/queue"
	"yiting/queue/cases"
)

// The case list (/cases): the cases a clerk works on, a unit's, all of
// them for supervisors, filtered and searched, what is due first. Filters
// are in the address (a list can be bookmarked and shared); a search by ID
// number is a POST, so the number is in no address, history or log.

type option struct {
	Value, Name string
	Selected    bool
}

// chip is a quick filter with its count: a link to the list so filtered.
type chip struct {
	Name, Href string
	N          int
	On, Alert  bool
}

type worklistRow struct {
	cases.Row
	Names, Due, Late string
	Overdue, Soon    bool
	Colour           string
}

type worklistBody struct {
	Calendar                                []string // years the running deadlines touch without a holiday file
	Rows                                    []worklistRow
	Total                                   int
	Truncated                               bool
	Chips                                   []chip
	Stages, Types, Units, Channels, DueOpts []option
	Risks                                   []option
	Major, Review, Objected                 bool
	Text                                    string
	Supervised, Mine                        bool
	ByID                                    bool // the rows are an ID number search's
	From, To                                string
	Closed                                  bool // closed cases were read (the From..To window)
	Services                                []option
	RegChannels                             []option
	Counters                                []option
	CanRegister                             bool
	Error                                   string
}

func (p *Pages) worklist(w http.ResponseWriter, r *http.Request) {
	pr, ok := p.staffPage(w, r, queue.RoleSupervisor, queue.RoleAdmin, queue.RoleStaff)
	if !ok {
		return
	}
	if p.cases == nil {
		p.errorPage(w, http.StatusServiceUnavailable, "案件不可用", "本服务器未接入案件登记簿。")
		return
	}
	if r.Method == http.MethodPost {
		if err := p.cop.Check(r); err != nil {
			p.errorPage(w, http.StatusForbidden, "请求被拒绝", "跨站请求被拒绝。请从本系统的页面操作。")
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 4096)
		if err := r.ParseForm(); err != nil {
			p.errorPage(w, http.StatusBadRequest, "请求无效", "表单内容无效。")
			return
		}
	}
	f := r.URL.Query()
	if r.Method == http.MethodPost {
		f = r.PostForm
	}
	q := cases.Query{Stage: f.Get("stage"), Type: f.Get("type"), Unit: f.Get("unit"), Channel: cases.Channel(f.Get("channel")),
		Due: f.Get("due"), Supervised: f.Get("supervised") == "1", Mine: f.Get("mine") == "1", Text: f.Get("q"),
		Risk: cases.Risk(f.Get("risk")), Major: f.Get("major") == "1", Review: f.Get("review") == "1", Objected: f.Get("objected") == "1"}
	if r.Method == http.MethodPost {
		q.IDNumber = f.Get("id_number")
	}
	if q.Review && q.Stage == "" {
		q.Stage = "all" // a review is of a closed case
	}
	var err error
	if q.From, err = optDate(f.Get("from")); err == nil {
		q.To, err = optDate(f.Get("to"))
	}
	body := worklistBody{Text: q.Text, Supervised: q.Supervised, Mine: q.Mine, ByID: q.IDNumber != "",
		Major: q.Major, Review: q.Review, Objected: q.Objected,
		CanRegister: pr.Role == queue.RoleStaff || pr.Role == queue.RoleSupervisor}
	status := http.StatusOK
	var l cases.Listing
	if err == nil {
		ctx, cancel := context.WithTimeout(r.Context(), casesTimeout)
		defer cancel()
		l, err = p.cases.Find(ctx, pr, q)
	}
	switch {
	case err == nil:
	case queue.ErrorCode(err) == queue.EINVALID:
		body.Error, status = queue.ErrorMessage(err), http.StatusBadRequest
	default:
		p.casesFailed(w, r, err)
		return
	}
	body.Total, body.Truncated, body.Closed = l.Total, l.Truncated, l.To != 0
	if body.Closed {
		body.From, body.To = l.From.String(), l.To.String()
	}
	today := cases.DateOf(p.now(), p.hall.Location)
	for _, row := range l.Rows {
		body.Rows = append(body.Rows, p.worklistRow(row, today))
	}
	p.worklistOptions(&body, q)
	body.Calendar = p.calendarWarnings(r.Context())
	body.Chips = worklistChips(r.URL.Query(), q, l.Counts)
	p.render(w, status, "worklist.html", view{Title: "案件办理", Page: "worklist", Body: body, Data: struct {
		pageData
		Me    principalData `json:"me"`
		Steps []string      `json:"case_steps"`
	}{p.data, principalOut(pr), caseStepTypes()}})
}

func optDate(s string) (cases.Date, error) {
	if s == "" {
		return 0, nil
	}
	d, err := cases.ParseDate(s)
	if err != nil {
		return 0, queue.Errorf(queue.EINVALID, "日期格式应为 2026-01-31：%q (bad date)", s)
	}
	return d, nil
}

func (p *Pages) worklistRow(row cases.Row, today cases.Date) worklistRow {
	out := worklistRow{Row: row, Names: strings.Join(row.Names, "、"), Due: "无法定期限", Late: "—"}
	if out.Names == "" {
		out.Names = "—"
	}
	if d := row.Due; d != nil {
		out.Due = d.WhichName + " " + d.Date.String()
		switch {
		case d.State == "overdue":
			out.Overdue = true
			out.Late = "逾期 " + strconv.Itoa(-d.WorkdaysLeft) + " 个工作日（" + strconv.Itoa(int(today-d.Date)) + " 天）"
		case d.Date == today:
			out.Late, out.Soon = "今日到期", true
		default:
			out.Late, out.Soon = "还剩 "+strconv.Itoa(d.WorkdaysLeft)+" 个工作日", d.State == "soon"
		}
	}
	if levelRank(row.Level) < noColour {
		out.Colour = row.Level
	}
	if out.Handler == "" {
		out.Handler = "未分配"
	}
	return out
}

// worklistOptions fills the filter form's choices from the hall.
func (p *Pages) worklistOptions(b *worklistBody, q cases.Query) {
	b.Stages = []option{{"", "全部未结", q.Stage == ""}}
	for _, s := range []cases.Status{cases.StatusRegistered, cases.StatusReceived, cases.StatusRouted, cases.StatusHandling, cases.StatusFollowUp, cases.StatusClosed} {
		b.Stages = append(b.Stages, option{string(s), s.Name(), q.Stage == string(s)})
	}
	b.Stages = append(b.Stages, option{"all", "全部（含已终结）", q.Stage == "all"})
	b.Types = []option{{"", "全部类型", q.Type == ""}}
	seen := map[string]bool{}
	for _, s := range p.hall.Services {
		if s.CaseType == "" {
			continue
		}
		b.Services = append(b.Services, option{s.ID, s.Name, false})
		if !seen[s.CaseType] {
			seen[s.CaseType] = true
			b.Types = append(b.Types, option{s.CaseType, s.Name, q.Type == s.CaseType})
		}
	}
	b.Units = []option{{"", "全部单位", q.Unit == ""}}
	for _, c := range p.hall.Counters {
		b.Counters = append(b.Counters, option{c.ID, c.Name, false})
	}
	for _, u := range p.hall.UnitNames() {
		b.Units = append(b.Units, option{u, u, q.Unit == u})
	}
	b.Channels = []option{{"", "全部来源", q.Channel == ""}}
	for _, c := range cases.Channels() {
		b.Channels = append(b.Channels, option{string(c), c.Name(), q.Channel == c})
		b.RegChannels = append(b.RegChannels, option{string(c), c.Name(), false})
	}
	b.Risks = []option{{"", "不限风险", q.Risk == ""}}
	for _, r := range []cases.Risk{cases.RiskHigh, cases.RiskMedium, cases.RiskLow} {
		b.Risks = append(b.Risks, option{string(r), r.Name(), q.Risk == r})
	}
	b.DueOpts = []option{{"", "不限期限", q.Due == ""}, {"overdue", "已逾期", q.Due == "overdue"},
		{"soon", "临期（将自动督办）", q.Due == "soon"}, {"week", "5个工作日内到期", q.Due == "week"}}
}

// worklistChips are the quick filters with their counts; each keeps the
// type, unit, channel and search of the list and sets its own filter.
func worklistChips(base url.Values, q cases.Query, n cases.Counts) []chip {
	keep := url.Values{}
	for _, k := range []string{"type", "unit", "channel", "q"} {
		if v := base.Get(k); v != "" {
			keep.Set(k, v)
		}
	}
	link := func(k, v string) string {
		u := url.Values{}
		for kk, vv := range keep {
			u[kk] = vv
		}
		if k != "" {
			u.Set(k, v)
		}
		if s := u.Encode(); s != "" {
			return "/cases?" + s
		}
		return "/cases"
	}
	plain := q.Stage == "" && q.Due == "" && !q.Supervised && !q.Mine && q.Risk == "" && !q.Major && !q.Review && !q.Objected
	out := []chip{{Name: "全部未结", Href: link("", ""), N: n.Open, On: plain}}
	for _, s := range []cases.Status{cases.StatusRegistered, cases.StatusReceived, cases.StatusRouted, cases.StatusHandling, cases.StatusFollowUp} {
		out = append(out, chip{Name: s.Name(), Href: link("stage", string(s)), N: n.Stages[s], On: q.Stage == string(s)})
	}
	return append(out,
		chip{Name: "已逾期", Href: link("due", "overdue"), N: n.Overdue, On: q.Due == "overdue", Alert: n.Overdue > 0},
		chip{Name: "临期", Href: link("due", "soon"), N: n.Soon, On: q.Due == "soon"},
		chip{Name: "5个工作日内到期", Href: link("due", "week"), N: n.Week, On: q.Due == "week"},
		chip{Name: "督办中", Href: link("supervised", "1"), N: n.Supervised, On: q.Supervised},
		chip{Name: "我承办的", Href: link("mine", "1"), N: n.Mine, On: q.Mine},
		chip{Name: "重大紧急", Href: link("major", "1"), N: n.Major, On: q.Major, Alert: n.Major > 0},
		chip{Name: "高风险", Href: link("risk", string(cases.RiskHigh)), N: n.HighRisk, On: q.Risk == cases.RiskHigh, Alert: n.HighRisk > 0},
		chip{Name: "被退回待改派", Href: link("objected", "1"), N: n.Objected, On: q.Objected, Alert: n.Objected > 0},
		// Reviews are of closed cases: counted where closed cases are read
		// (the handler reads them for review=1).
		chip{Name: "不满意待复查", Href: link("review", "1"), N: n.Review, On: q.Review, Alert: n.Review > 0},
	)
}

// caseStepTypes are the event types of case steps, for the pages that
// follow them on the event stream.
func caseStepTypes() []string {
	var out []string
	for _, k := range cases.StepKinds() {
		out = append(out, string(queue.CaseEvent(string(k))))
	}
	return out
}
