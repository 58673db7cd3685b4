package countyweb

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"yiting/queue"
	"yiting/queue/access"
	"yiting/queue/cases"
	"yiting/queue/county/countyview"
)

func parseTemplates() (*template.Template, error) {
	t, err := template.New("").Funcs(template.FuncMap{
		"ratio": func(r cases.Ratio) string {
			if r.Den == 0 {
				return "—"
			}
			return fmt.Sprintf("%.1f%%", r.Rate)
		},
		"abs": func(n int) int { return max(n, -n) },
		"share": func(num, den int) string {
			if den == 0 {
				return "—"
			}
			return fmt.Sprintf("%.1f%%", float64(num)*100/float64(den))
		},
	}).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("countyweb: templates: %w", err)
	}
	return t, nil
}

// view is what a page template gets.
type view struct {
	Title  string
	Nav    string // the bar's current entry: sites, cases, assessment, admin
	County string
	Me     string
	Admin  bool // the bar links the admin's page
	Body   any
}

// render executes a template into a buffer first, so that a template
// error is a clean 500 rather than half a page.
func (s *Server) render(c *gin.Context, status int, name string, v view) {
	v.County = s.county
	if p, ok := c.Get(principalKey); ok {
		v.Admin = p.(queue.Principal).Role == queue.RoleAdmin
	}
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, name, v); err != nil {
		s.log.Error("countyweb: rendering a page failed", "page", name, "err", err)
		c.String(http.StatusInternalServerError, "页面生成失败，请联系管理员 (internal error)")
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(status, "text/html; charset=utf-8", buf.Bytes())
}

// errorPage says in Chinese what went wrong and what to do.
func (s *Server) errorPage(c *gin.Context, status int, title, message string) {
	s.render(c, status, "error.html", view{Title: title, Body: message})
}

// failPage is errorPage for an error of the read model.
func (s *Server) failPage(c *gin.Context, err error) {
	status := access.StatusOf(queue.ErrorCode(err))
	msg := queue.ErrorMessage(err)
	if status == http.StatusInternalServerError {
		s.log.Error("countyweb: a page failed", "path", c.FullPath(), "err", err)
		msg = "读取县级数据失败，请稍后刷新；仍失败请联系管理员。"
	}
	s.render(c, status, "error.html", view{Title: "无法显示", Body: msg})
}

// when shows a time in the county's zone; "—" for none.
func (s *Server) when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(s.model.Location()).Format("2006-01-02 15:04")
}

// ago says how long ago t was, roughly.
func ago(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "刚刚"
	case d < time.Hour:
		return fmt.Sprintf("%d分钟前", int(d/time.Minute))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d小时前", int(d/time.Hour))
	}
	return fmt.Sprintf("%d天前", int(d/(24*time.Hour)))
}

// siteRow is a site on the county's page.
type siteRow struct {
	countyview.SiteSummary
	Link, LinkClass, Since, LastTime, Lag, Pending, GapText string
}

func (s *Server) sitesPage(c *gin.Context, p queue.Principal) {
	sites, err := s.model.Sites(c.Request.Context())
	if err != nil {
		s.failPage(c, err)
		return
	}
	var rows []siteRow
	var online, open, overdue, supervised, reported int
	for _, sum := range sites {
		r := siteRow{SiteSummary: sum, Link: "未知", LinkClass: "unknown", Since: "", LastTime: s.when(sum.LastTime), Lag: "尚未收到事件", Pending: "—"}
		if s.links != nil {
			l := s.link(sum.Site)
			r.Link, r.LinkClass = "离线", "down"
			if l.Connected {
				r.Link, r.LinkClass = "在线", "up"
				online++
			}
			if !l.Since.IsZero() {
				r.Since = "自 " + s.when(l.Since)
			}
			if l.Pending >= 0 {
				r.Pending = fmt.Sprintf("%d 条", l.Pending)
			}
		}
		if !sum.LastTime.IsZero() {
			r.Lag = ago(s.now().Sub(sum.LastTime))
		}
		if sum.Missing > 0 {
			last := sum.Gaps[len(sum.Gaps)-1]
			r.GapText = fmt.Sprintf("缺 %d 条（最近：第 %d–%d 条，%s 发现）", sum.Missing, last.From, last.To, s.when(last.Seen))
		}
		open += sum.Cases.Open
		overdue += sum.Cases.Overdue
		supervised += sum.Cases.Supervised
		reported += sum.Cases.Reported
		rows = append(rows, r)
	}
	s.render(c, http.StatusOK, "sites.html", view{Title: "各站点", Nav: "sites", Me: p.ID, Body: struct {
		Sites                                       []siteRow
		Links                                       bool
		Online, Open, Overdue, Supervised, Reported int
		Generated                                   string
		ShowCases                                   bool
	}{rows, s.links != nil, online, open, overdue, supervised, reported, s.when(s.now()), slices.Contains(caseRoles, p.Role)}})
}

// caseFilters are the case list's filters as the form shows them.
type caseFilters struct {
	Site, Unit, Stage string
	Overdue, Reported bool
	Sites             []countyview.SiteName
	Stages            []countyview.SiteName // status and name
}

func (s *Server) casesPage(c *gin.Context, p queue.Principal) {
	q := caseQuery(c, c.Query("site"))
	list, hidden, err := s.cases(c.Request.Context(), p, q)
	if err != nil {
		s.failPage(c, err)
		return
	}
	sites, err := s.model.Sites(c.Request.Context())
	if err != nil {
		s.failPage(c, err)
		return
	}
	f := caseFilters{Site: q.Site, Unit: q.Unit, Stage: q.Stage, Overdue: q.Overdue, Reported: q.Reported}
	for _, st := range sites {
		f.Sites = append(f.Sites, countyview.SiteName{ID: st.Site, Name: st.Name})
	}
	for _, st := range []cases.Status{cases.StatusRegistered, cases.StatusReceived, cases.StatusRouted, cases.StatusHandling, cases.StatusFollowUp} {
		f.Stages = append(f.Stages, countyview.SiteName{ID: string(st), Name: st.Name()})
	}
	s.render(c, http.StatusOK, "cases.html", view{Title: "全县案件", Nav: "cases", Me: p.ID, Body: struct {
		L         countyview.CaseList
		F         caseFilters
		Hidden    int
		Generated string
	}{list, f, hidden, s.when(s.now())}})
}

func (s *Server) casePage(c *gin.Context, p queue.Principal) {
	d, err := s.caseFor(c, p)
	if err != nil {
		s.failPage(c, err)
		return
	}
	f := d.Facts
	if f == nil {
		f = &queue.CaseFacts{}
	}
	steps := make([]struct {
		countyview.Step
		When string
	}, len(d.Timeline))
	for i, st := range d.Timeline {
		steps[i].Step, steps[i].When = st, s.when(st.Time)
	}
	sent, err := s.model.Commands(c.Request.Context(), d)
	if err != nil {
		s.failPage(c, err)
		return
	}
	type sentRow struct {
		countyview.SentCommand
		When, Applied, Refused, Detail string
	}
	rows := make([]sentRow, len(sent))
	for i, sc := range sent {
		rows[i] = sentRow{SentCommand: sc, When: s.when(sc.At), Detail: sc.Unit + sc.Level}
		if !sc.Applied.IsZero() {
			rows[i].Applied = s.when(sc.Applied)
		}
		if !sc.Refused.IsZero() {
			rows[i].Refused = s.when(sc.Refused)
		}
		if sc.Outcome != "" {
			rows[i].Detail = cases.Outcome(sc.Outcome).Name()
			if sc.Referral != "" {
				rows[i].Detail += "，" + cases.Referral(sc.Referral).Name()
			}
		}
	}

	s.render(c, http.StatusOK, "case.html", view{Title: "案件 " + d.Code, Nav: "cases", Me: p.ID, Body: struct {
		C                 *countyview.CaseDetail
		F                 *queue.CaseFacts
		Outcome           string
		Steps             any
		Updated           string
		Sent              []sentRow
		CanSend           bool
		Levels            []cases.NoticeLevel
		Error             string
		Done              bool
		Report            *queue.CaseReport
		Reported, Settled string // when, and what the county did
	}{d, f, cases.Outcome(f.Outcome).Name(), steps, s.when(d.Updated), rows,
		s.sender != nil && p.Role == queue.RoleSupervisor && d.Status != string(cases.StatusClosed), s.model.Notices(),
		c.Query("error"), c.Query("sent") == "1", f.ReportedUp, reportedAt(s, f.ReportedUp), settledName(f.ReportedUp)}})
}

func (s *Server) assessmentPage(c *gin.Context, p queue.Principal) {
	a, label, err := s.assess(c)
	if err != nil {
		s.failPage(c, err)
		return
	}
	s.render(c, http.StatusOK, "assessment.html", view{Title: "考核", Nav: "assessment", Me: p.ID, Body: struct {
		A      *countyview.Assessment
		Label  string
		Period string
	}{a, label, c.Query("period")}})
}

// reportedAt is when a case was reported up, for its page.
func reportedAt(s *Server, r *queue.CaseReport) string {
	if r == nil {
		return ""
	}
	return s.when(r.At)
}

// settledName says what the county did with a case reported up to it.
func settledName(r *queue.CaseReport) string {
	switch {
	case r == nil:
		return ""
	case r.Settled == cases.SettledAssigned:
		return "县级已交办"
	case r.Settled == cases.SettledConcluded:
		return "县级已办结"
	}
	return "待县级交办或办结"
}
