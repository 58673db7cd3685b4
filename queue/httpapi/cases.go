package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"yiting/queue"
	"yiting/queue/cases"
)

// The case endpoints (一件一码): registration at the kiosk or a window,
// the lifecycle, supervision, rectification of bad ratings, statistics and
// exports, the personal-data audit log. The book (queue/cases) decides
// who may do what; these handlers decode, call and encode. Everything a
// client gets is masked (cases.View); the full personal data only through
// POST /cases/{code}/personal, which is audited. A ticket's case is
// registered by the desk (POST /tickets, issue.go), never here.

// caseRoutes registers the case endpoints on the /api/v1 group.
func (a *API) caseRoutes(v1 *gin.RouterGroup) {
	type P = queue.Principal
	type ctx = context.Context
	b := func() *cases.Book { return a.cases }
	v1.POST("/cases", a.authed(a.registerCase))
	v1.GET("/cases", a.authed(a.listCases))
	v1.GET("/cases/:code", a.authed(a.getCase))
	v1.GET("/cases/:code/qr", a.authed(a.caseQR))
	v1.GET("/cases/:code/related", a.authed(a.relatedCases))
	v1.POST("/cases/:code/receive", caseCmd(a, func(x ctx, p P, code string, r *struct {
		Counter string `json:"counter"`
	}) (cases.View, error) {
		return b().Receive(x, p, code, r.Counter)
	}))
	v1.POST("/cases/:code/route", caseCmd(a, func(x ctx, p P, code string, r *struct {
		Kind    cases.RouteKind `json:"kind"`
		Unit    string          `json:"unit"`
		Counter string          `json:"counter"`
		Staff   string          `json:"staff"`
		Note    string          `json:"note"`
		ReplyBy cases.Date      `json:"reply_by"`
	}) (cases.View, error) {
		return b().Route(x, p, code, cases.RouteTo{Kind: r.Kind, Unit: r.Unit, CounterID: r.Counter, StaffID: r.Staff, Note: r.Note, ReplyBy: r.ReplyBy})
	}))
	v1.POST("/cases/:code/acknowledge", caseCmd(a, func(x ctx, p P, code string, _ *noBody) (cases.View, error) {
		return b().Acknowledge(x, p, code)
	}))
	v1.POST("/cases/:code/object", caseCmd(a, func(x ctx, p P, code string, r *reasonBody) (cases.View, error) {
		return b().Object(x, p, code, r.Reason)
	}))
	v1.POST("/cases/:code/assess", caseCmd(a, func(x ctx, p P, code string, r *struct {
		Risk cases.Risk `json:"risk"`
		Note string     `json:"note"`
	}) (cases.View, error) {
		return b().Assess(x, p, code, r.Risk, r.Note)
	}))
	v1.POST("/cases/:code/meetings", caseCmd(a, func(x ctx, p P, code string, r *struct {
		Date         cases.Date `json:"date"`
		Participants string     `json:"participants"`
		Conclusion   string     `json:"conclusion"`
	}) (cases.View, error) {
		return b().AddMeeting(x, p, code, cases.Meeting{Date: r.Date, Participants: r.Participants, Conclusion: r.Conclusion})
	}))
	v1.POST("/cases/:code/warnings", caseCmd(a, func(x ctx, p P, code string, r *struct {
		Unit string `json:"unit"`
		Text string `json:"text"`
	}) (cases.View, error) {
		return b().Warn(x, p, code, r.Unit, r.Text)
	}))
	v1.POST("/cases/:code/warnings/:id/ack", itemCmd(a, "预警", func(x ctx, p P, code string, id int, _ *noBody) (cases.View, error) {
		return b().AckWarning(x, p, code, id)
	}))
	v1.POST("/cases/:code/messages/:id/answer", itemCmd(a, "留言", func(x ctx, p P, code string, id int, r *struct {
		Text string `json:"text"`
	}) (cases.View, error) {
		return b().Answer(x, p, code, id, r.Text)
	}))
	v1.POST("/cases/:code/major", caseCmd(a, func(x ctx, p P, code string, r *reasonBody) (cases.View, error) {
		return b().FlagMajor(x, p, code, r.Reason)
	}))
	v1.POST("/cases/:code/report-up", caseCmd(a, func(x ctx, p P, code string, r *reasonBody) (cases.View, error) {
		return b().ReportUp(x, p, code, r.Reason)
	}))
	v1.POST("/cases/:code/accusation", caseCmd(a, func(x ctx, p P, code string, r *struct {
		Unit  string `json:"unit"`
		Staff string `json:"staff"`
	}) (cases.View, error) {
		return b().MarkAccusation(x, p, code, r.Unit, r.Staff)
	}))
	v1.POST("/cases/:code/recuse", caseCmd(a, func(x ctx, p P, code string, r *struct {
		Staff  string `json:"staff"`
		Reason string `json:"reason"`
	}) (cases.View, error) {
		return b().Recuse(x, p, code, r.Staff, r.Reason)
	}))
	v1.POST("/cases/:code/review/close", caseCmd(a, func(x ctx, p P, code string, r *struct {
		Action string `json:"action"`
	}) (cases.View, error) {
		return b().CloseReview(x, p, code, r.Action)
	}))
	v1.POST("/cases/:code/handle", caseCmd(a, func(x ctx, p P, code string, _ *noBody) (cases.View, error) {
		return b().StartHandling(x, p, code)
	}))
	v1.POST("/cases/:code/records", caseCmd(a, func(x ctx, p P, code string, r *struct {
		Kind cases.RecordKind `json:"kind"`
		Text string           `json:"text"`
	}) (cases.View, error) {
		return b().AddRecord(x, p, code, r.Kind, r.Text)
	}))
	v1.POST("/cases/:code/sessions", caseCmd(a, func(x ctx, p P, code string, r *struct {
		When         string `json:"when"`
		Place        string `json:"place"`
		Participants string `json:"participants"`
		Content      string `json:"content"`
	}) (cases.View, error) {
		return b().AddSession(x, p, code, cases.Session{When: r.When, Place: r.Place, Participants: r.Participants, Content: r.Content})
	}))
	v1.POST("/cases/:code/agreement", caseCmd(a, func(x ctx, p P, code string, r *struct {
		Facts       string `json:"facts"`
		Terms       string `json:"terms"`
		Performance string `json:"performance"`
		Oral        bool   `json:"oral"`
	}) (cases.View, error) {
		return b().AddAgreement(x, p, code, cases.Agreement{Facts: r.Facts, Terms: r.Terms, Performance: r.Performance, Oral: r.Oral})
	}))
	v1.POST("/cases/:code/extend", caseCmd(a, func(x ctx, p P, code string, r *struct {
		Reason  string `json:"reason"`
		Consent string `json:"consent"`
	}) (cases.View, error) {
		return b().Extend(x, p, code, cases.ExtendRequest{Reason: r.Reason, Consent: r.Consent})
	}))
	v1.POST("/cases/:code/pause", caseCmd(a, func(x ctx, p P, code string, r *reasonBody) (cases.View, error) {
		return b().PauseClock(x, p, code, r.Reason)
	}))
	v1.POST("/cases/:code/resume", caseCmd(a, func(x ctx, p P, code string, _ *noBody) (cases.View, error) {
		return b().ResumeClock(x, p, code)
	}))
	v1.POST("/cases/:code/conclude", caseCmd(a, func(x ctx, p P, code string, r *struct {
		Outcome  cases.Outcome  `json:"outcome"`
		Referral cases.Referral `json:"referral"`
		Note     string         `json:"note"`
	}) (cases.View, error) {
		return b().Conclude(x, p, code, cases.Result{Outcome: r.Outcome, Referral: r.Referral, Note: r.Note})
	}))
	v1.POST("/cases/:code/close", caseCmd(a, func(x ctx, p P, code string, r *struct {
		Outcome cases.Outcome `json:"outcome"`
		Note    string        `json:"note"`
	}) (cases.View, error) {
		return b().Close(x, p, code, cases.CloseRequest{Outcome: r.Outcome, Note: r.Note})
	}))
	v1.POST("/cases/:code/supervisions", caseCmd(a, func(x ctx, p P, code string, r *struct {
		Level  string `json:"level"`
		Reason string `json:"reason"`
	}) (cases.View, error) {
		return b().Supervise(x, p, code, r.Level, r.Reason)
	}))
	v1.POST("/cases/:code/supervisions/:id/reply", itemCmd(a, "督办", func(x ctx, p P, code string, id int, r *struct {
		Reply string `json:"reply"`
	}) (cases.View, error) {
		return b().Reply(x, p, code, id, r.Reply)
	}))
	v1.POST("/cases/:code/supervisions/:id/post", itemCmd(a, "督办", func(x ctx, p P, code string, id int, _ *noBody) (cases.View, error) {
		return b().Post(x, p, code, id)
	}))
	v1.POST("/cases/:code/personal", a.authed(a.casePersonal))

	v1.GET("/case-rules", a.authed(a.caseRules))
	v1.POST("/holidays", a.authed(a.setHolidays))
	v1.GET("/case-stats", a.authed(a.caseStats))
	v1.GET("/case-audit", a.authed(a.caseAudit))
	v1.GET("/rectifications", a.authed(a.rectifications))
	v1.POST("/rectifications/:ticket/close", a.authed(a.closeRectification))
}

type caseResponse struct {
	Case cases.View `json:"case"`
}

// itemCmd is a POST /cases/{code}/<items>/{id}/<command> on a numbered
// item of the case (a supervision, a warning, a message): check the
// number, then as caseCmd.
func itemCmd[B any](a *API, what string, fn func(ctx context.Context, p queue.Principal, code string, id int, b *B) (cases.View, error)) gin.HandlerFunc {
	return a.authed(func(c *gin.Context, p queue.Principal) {
		id, err := strconv.Atoi(c.Param("id"))
		if err != nil || id < 1 {
			a.fail(c, invalid(what+"编号应为正整数 (id must be a positive integer)"))
			return
		}
		var body B
		if !a.decode(c, &body) {
			return
		}
		v, err := fn(c.Request.Context(), p, c.Param("code"), id, &body)
		if err != nil {
			a.fail(c, err)
			return
		}
		writeJSON(c, http.StatusOK, caseResponse{Case: v})
	})
}

// caseCmd is a POST /cases/{code}/<command>: decode the body, run the
// command, answer the case as it is after it.
func caseCmd[B any](a *API, fn func(ctx context.Context, p queue.Principal, code string, b *B) (cases.View, error)) gin.HandlerFunc {
	return a.authed(func(c *gin.Context, p queue.Principal) {
		var body B
		if !a.decode(c, &body) {
			return
		}
		v, err := fn(c.Request.Context(), p, c.Param("code"), &body)
		if err != nil {
			a.fail(c, err)
			return
		}
		writeJSON(c, http.StatusOK, caseResponse{Case: v})
	})
}

type registerBody struct {
	Service  string        `json:"service"`
	CaseType string        `json:"case_type"`
	Persons  []personBody  `json:"persons"`
	Channel  cases.Channel `json:"channel"`
	Summary  string        `json:"summary"`
	Counter  string        `json:"counter"`
	Major    string        `json:"major"`
	// Who an accusation accuses: it never reaches them.
	AccusedUnit  string `json:"accused_unit"`
	AccusedStaff string `json:"accused_staff"`
}

type registerResponse struct {
	Case cases.View `json:"case"`
	// URL is the inquiry page for the ticket's QR code. It carries the
	// secret token: print it, never log it.
	URL string `json:"url"`
}

// registerCase opens a case: 201, or 200 with Idempotent-Replayed when
// the key was seen before from the same principal.
func (a *API) registerCase(c *gin.Context, p queue.Principal) {
	key := c.Request.Header.Get(IdempotencyHeader)
	if key == "" {
		a.fail(c, invalid("缺少 Idempotency-Key 请求头 (the Idempotency-Key header is required)"))
		return
	}
	var b registerBody
	if !a.decode(c, &b) {
		return
	}
	req := cases.RegisterRequest{ServiceID: b.Service, CaseType: b.CaseType, Channel: b.Channel, Summary: b.Summary, CounterID: b.Counter, IdempotencyKey: key, Major: b.Major,
		AccusedUnit: b.AccusedUnit, AccusedStaff: b.AccusedStaff}
	var err error
	if req.Persons, err = persons(b.Persons); err != nil {
		a.fail(c, err)
		return
	}
	r, err := a.cases.Register(c.Request.Context(), p, req)
	if err != nil {
		a.fail(c, err)
		return
	}
	status := http.StatusCreated
	if r.Replayed {
		status = http.StatusOK
		c.Writer.Header().Set("Idempotent-Replayed", "true")
	}
	c.Writer.Header().Set("Location", "/api/v1/cases/"+r.Case.Code)
	writeJSON(c, status, registerResponse{Case: r.Case, URL: r.URL})
}

type casesResponse struct {
	Cases []cases.View `json:"cases"`
}

// listCases lists open cases, the most urgent first.
func (a *API) listCases(c *gin.Context, p queue.Principal) {
	f := cases.ListFilter{Status: cases.Status(c.Query("status")), Due: c.Query("due"), Unit: c.Query("unit"),
		Supervised: c.Query("supervised") == "true", Mine: c.Query("mine") == "true"}
	switch f.Due {
	case "", "soon", "overdue", "due":
	default:
		a.fail(c, invalid("due 应为 soon、overdue 或 due (due must be soon, overdue or due)"))
		return
	}
	if s := c.Query("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 5000 {
			a.fail(c, invalid("limit 应为 1 至 5000 (limit must be 1..5000)"))
			return
		}
		f.Limit = n
	}
	vs, err := a.cases.List(c.Request.Context(), p, f)
	if err != nil {
		a.fail(c, err)
		return
	}
	if vs == nil {
		vs = []cases.View{}
	}
	writeJSON(c, http.StatusOK, casesResponse{Cases: vs})
}

// relatedCases lists the other cases of the parties of a case that p may
// see (the console shows them when it calls a returning visitor).
func (a *API) relatedCases(c *gin.Context, p queue.Principal) {
	rows, err := a.cases.Related(c.Request.Context(), p, c.Param("code"))
	if err != nil {
		a.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, struct {
		Cases []cases.Row `json:"cases"`
	}{rows})
}

func (a *API) getCase(c *gin.Context, p queue.Principal) {
	v, err := a.cases.Case(c.Request.Context(), p, c.Param("code"))
	if err != nil {
		a.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, caseResponse{Case: v})
}

// caseQR gives the inquiry URL again, to reprint the QR code.
func (a *API) caseQR(c *gin.Context, p queue.Principal) {
	url, err := a.cases.QRURL(c.Request.Context(), p, c.Param("code"))
	if err != nil {
		a.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, struct {
		URL string `json:"url"`
	}{url})
}

type personalResponse struct {
	Persons []cases.PersonDetail `json:"persons"`
}

// casePersonal opens the parties' full personal data, with a reason; the
// book writes the audit entry before answering. The answer is no-store.
func (a *API) casePersonal(c *gin.Context, p queue.Principal) {
	var b reasonBody
	if !a.decode(c, &b) {
		return
	}
	ps, err := a.cases.Personal(c.Request.Context(), p, c.Param("code"), b.Reason)
	if err != nil {
		a.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, personalResponse{Persons: ps})
}

type caseRulesResponse struct {
	Limits       cases.Limits        `json:"limits"`
	Notices      []cases.NoticeLevel `json:"notices"`
	HolidayYears []int               `json:"holiday_years"`
	Warnings     []string            `json:"warnings,omitempty"`
}

// caseRules shows the time limits, notice levels and holiday calendar in
// force, and warns of each year the running deadlines touch that has no
// holiday file.
func (a *API) caseRules(c *gin.Context, p queue.Principal) {
	if p.Role.IsDevice() {
		a.fail(c, queue.Errorf(queue.EFORBIDDEN, "无权查看 (not allowed)"))
		return
	}
	ws, err := a.cases.CalendarWarnings(c.Request.Context())
	if err != nil {
		a.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, caseRulesResponse{Limits: a.cases.Limits(), Notices: a.cases.Notices(),
		HolidayYears: a.cases.Calendar().Years(), Warnings: ws})
}

// setHolidays takes a year's holiday file from an admin (the /admin page),
// in the format of queue/cases/holidays/*.toml: checked, kept in the data
// directory, counted with at once; the running deadlines it moves are
// moved (cases.Book.SetHolidayFile).
func (a *API) setHolidays(c *gin.Context, p queue.Principal) {
	var body struct {
		Year int    `json:"year"`
		File string `json:"file"`
	}
	if !a.decode(c, &body) {
		return
	}
	up, err := a.cases.SetHolidayFile(c.Request.Context(), p, body.Year, []byte(body.File))
	if err != nil {
		a.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, up)
}

// period reads ?from=&to= (days); the default is this year up to today.
func (a *API) period(c *gin.Context) (from, to cases.Date, ok bool) {
	loc := a.eng.Hall().Location
	now := a.now().In(loc)
	from, to = cases.MakeDate(now.Year(), time.January, 1), cases.DateOf(now, loc)
	for _, q := range []struct {
		name string
		into *cases.Date
	}{{"from", &from}, {"to", &to}} {
		if s := c.Query(q.name); s != "" {
			d, err := cases.ParseDate(s)
			if err != nil {
				a.fail(c, invalid(fmt.Sprintf("%s 应为日期，如 2026-01-01 (%s must be a date like 2026-01-01)", q.name, q.name)))
				return 0, 0, false
			}
			*q.into = d
		}
	}
	return from, to, true
}

func (a *API) stats(c *gin.Context, p queue.Principal) (*cases.Stats, bool) {
	from, to, ok := a.period(c)
	if !ok {
		return nil, false
	}
	s, err := a.cases.Stats(c.Request.Context(), p, from, to)
	if err != nil {
		a.fail(c, err)
		return nil, false
	}
	return s, true
}

func (a *API) caseStats(c *gin.Context, p queue.Principal) {
	if s, ok := a.stats(c, p); ok {
		writeJSON(c, http.StatusOK, struct {
			Stats *cases.Stats `json:"stats"`
		}{s})
	}
}

func (a *API) caseAudit(c *gin.Context, p queue.Principal) {
	var after uint64
	if s := c.Query("after"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			a.fail(c, invalid("after 应为非负整数 (after must be a non-negative integer)"))
			return
		}
		after = n
	}
	limit, _ := strconv.Atoi(c.Query("limit"))
	es, err := a.cases.Audit(c.Request.Context(), p, after, limit, c.Query("case"))
	if err != nil {
		a.fail(c, err)
		return
	}
	if es == nil {
		es = []cases.AuditEntry{}
	}
	writeJSON(c, http.StatusOK, struct {
		Entries []cases.AuditEntry `json:"entries"`
	}{es})
}

func (a *API) rectifications(c *gin.Context, p queue.Principal) {
	rs, err := a.cases.Rectifications(c.Request.Context(), p, c.Query("open") == "true")
	if err != nil {
		a.fail(c, err)
		return
	}
	if rs == nil {
		rs = []cases.Rectification{}
	}
	writeJSON(c, http.StatusOK, struct {
		Items []cases.Rectification `json:"items"`
	}{rs})
}

func (a *API) closeRectification(c *gin.Context, p queue.Principal) {
	id, err := strconv.ParseUint(c.Param("ticket"), 10, 64)
	if err != nil || id == 0 {
		a.fail(c, invalid("票号 id 应为正整数 (ticket id must be a positive integer)"))
		return
	}
	var b struct {
		Action string `json:"action"`
	}
	if !a.decode(c, &b) {
		return
	}
	r, err := a.cases.CloseRectification(c.Request.Context(), p, id, b.Action)
	if err != nil {
		a.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, struct {
		Item cases.Rectification `json:"item"`
	}{r})
}
