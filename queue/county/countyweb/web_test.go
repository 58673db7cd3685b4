package countyweb_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"yiting/queue"
	"yiting/queue/access"
	"yiting/queue/cases"
	"yiting/queue/county"
	"yiting/queue/county/countytest"
	"yiting/queue/county/countyview"
	"yiting/queue/county/countyweb"
	"yiting/queue/queuetest"
	"yiting/queue/web"
)

var ctx = context.Background()

func TestMain(m *testing.M) {
	// gin's mode is a library global: cmd/ sets it in production; the
	// tests only keep gin's debug route listing out of their output.
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

// links is the hub's view of the links in a test: nanlinqiao up, xiapu
// down, 12 events behind.
type links map[string]countyweb.Link

func (l links) Link(site string) countyweb.Link {
	if v, ok := l[site]; ok {
		return v
	}
	return countyweb.Link{Pending: -1}
}

// fixture is two townships reported to the hub, its read model, real
// accounts (queue/access on a bbolt file) and the pages and API on a gin
// router, with the hall pages' styles at /ui/ as the hub serves them.
type fixture struct {
	t       *testing.T
	h       http.Handler
	model   *countyview.Model
	sites   []*countytest.Site
	secrets map[queue.Role]string
	code    string // a case of nanlinqiao under an accusation: restricted
	acc     *access.Service
	sender  *fakeSender
	letter  string // a closed case of xiapu, and its inquiry token
	token   string
	// A case xiapu reported up, about which it refused the county's
	// command "refused-1" (a unit it does not have).
	reported string
	reg      *county.Registry // the hub's registry, without a running hub's server
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	loc := queuetest.Shanghai(t)
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, loc)
	hub := countytest.NewHub(t)
	f := &fixture{t: t, secrets: map[queue.Role]string{}}
	named := []countyview.SiteName{{ID: "nanlinqiao", Name: "南林桥镇综治中心"}, {ID: "xiapu", Name: "夏铺镇综治中心"}}
	for i, n := range named {
		s := countytest.NewSite(t, n.ID, n.Name, "421224", now)
		s.WorkDay(i)
		f.sites = append(f.sites, s)
	}
	r, err := f.sites[0].Hall.Book.Register(ctx, countytest.Boss, cases.RegisterRequest{ServiceID: "petition", Channel: cases.ChannelLetter,
		Persons: []cases.Person{queuetest.Person(77)}, Summary: "检举", IdempotencyKey: "accusation", AccusedUnit: "住建局"})
	if err != nil {
		t.Fatal(err)
	}
	f.code = r.Case.Code
	// A letter closed early, for the public page: its token is in its
	// inquiry URL.
	letter, err := f.sites[1].Hall.Book.Register(ctx, countytest.Boss, cases.RegisterRequest{ServiceID: "petition", Channel: cases.ChannelLetter,
		Persons: []cases.Person{queuetest.Person(78)}, Summary: "反映问题", IdempotencyKey: "letter-public"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.sites[1].Hall.Book.Close(ctx, countytest.Boss, letter.Case.Code,
		cases.CloseRequest{Outcome: cases.OutcomeNotAccepted, Note: "不属于受理范围，已告知向法院起诉"}); err != nil {
		t.Fatal(err)
	}
	f.letter, f.token = letter.Case.Code, letter.URL[strings.LastIndex(letter.URL, "/")+1:]
	up, err := f.sites[1].Hall.Book.Register(ctx, countytest.Boss, cases.RegisterRequest{ServiceID: "petition", Channel: cases.ChannelLetter,
		Persons: []cases.Person{queuetest.Person(79)}, Summary: "跨乡镇纠纷", IdempotencyKey: "reported-up"})
	if err != nil {
		t.Fatal(err)
	}
	f.reported = up.Case.Code
	if _, err := f.sites[1].Hall.Book.ReportUp(ctx, countytest.Boss, f.reported, "涉及两个乡镇的山林权属，本镇无法协调"); err != nil {
		t.Fatal(err)
	}
	refusedCmd := &county.Command{ID: "refused-1", Site: "xiapu", Case: f.reported, Kind: county.CommandAssign, Unit: "月球管理局",
		Text: "请月球管理局办理", By: "county-supervisor", At: now}
	if err := county.Apply(f.sites[1].Hall.Engine, f.sites[1].Hall.Book)(ctx, refusedCmd); queue.ErrorCode(err) != queue.ENOTFOUND {
		t.Fatalf("the site took a command for a unit it does not have: %v", err)
	}
	clock := queuetest.NewClock(now.AddDate(0, 0, 30)) // the first day's petitions are overdue
	for _, s := range f.sites {
		s.Hall.Clock.Set(clock.Now())
		hub.Relay(s, nil, nil)
	}
	f.model = countytest.OpenModel(t, filepath.Join(t.TempDir(), "county.db"), clock, 0, named...)
	t.Cleanup(func() { f.model.Close() })
	stop := countytest.Running(t, f.model, hub)
	countytest.CaughtUp(t, f.model, hub)
	stop()
	if err := f.model.RecordCommand(ctx, "xiapu", f.reported, countyview.SentCommand{ID: "refused-1", Kind: "assign", KindName: "交办",
		Unit: "月球管理局", Text: "请月球管理局办理", By: "county-supervisor", At: now}); err != nil {
		t.Fatal(err)
	}

	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	acc, err := access.New(ctx, f.sites[0].Hall.Store, access.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acc.Bootstrap(ctx, "county-admin-pw-1"); err != nil {
		t.Fatal(err)
	}
	admin := queue.Principal{ID: "admin", Role: queue.RoleAdmin}
	for _, role := range []queue.Role{queue.RoleSupervisor, queue.RoleStaff, queue.RoleAdmin} {
		name := "county-" + string(role)
		nu := access.NewUser{Name: name, Role: role, Password: "first-password-1"}
		if role == queue.RoleStaff {
			nu.Units = []string{"信访局"}
		}
		if _, err := acc.CreateUser(ctx, admin, nu); err != nil {
			t.Fatal(err)
		}
		_, p, err := acc.Login(ctx, name, "first-password-1", "127.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if err := acc.SetPassword(ctx, p, name, "first-password-1", "county-reads-9"); err != nil {
			t.Fatal(err)
		}
		if f.secrets[role], _, err = acc.Login(ctx, name, "county-reads-9", "127.0.0.1"); err != nil {
			t.Fatal(err)
		}
	}
	if f.secrets[queue.RoleDisplay], _, err = acc.CreateDeviceToken(ctx, admin, queue.RoleDisplay, "大厅屏", ""); err != nil {
		t.Fatal(err)
	}

	f.sender = &fakeSender{}
	if f.reg, err = county.NewRegistry(county.RegistryOptions{Store: f.sites[0].Hall.Store, Pin: testPin, Now: clock.Now, Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	srv, err := countyweb.New(countyweb.Options{Model: f.model, Auth: acc, County: "通山县综治中心", Now: clock.Now, Logger: quiet,
		Commands: f.sender, Registry: f.reg, Users: acc,
		Links: links{"nanlinqiao": {Connected: true, Since: now, Pending: 0}, "xiapu": {Since: now.Add(time.Hour), Pending: 12}}})
	if err != nil {
		t.Fatal(err)
	}
	router := gin.New()
	srv.Routes(router)
	assets, err := web.Assets()
	if err != nil {
		t.Fatal(err)
	}
	router.GET("/ui/*file", gin.WrapH(assets))
	f.h, f.acc = router, acc
	return f
}

// get requests path as role ("" for none).
func (f *fixture) get(role queue.Role, path string) *httptest.ResponseRecorder {
	f.t.Helper()
	return f.send(role, http.MethodGet, path, "", "")
}

func (f *fixture) want(w *httptest.ResponseRecorder, status int, fragments ...string) string {
	f.t.Helper()
	body := w.Body.String()
	if w.Code != status {
		f.t.Fatalf("status %d, want %d: %.300s", w.Code, status, body)
	}
	for _, fr := range fragments {
		if !strings.Contains(body, fr) {
			f.t.Errorf("the answer lacks %q: %.2000s", fr, body)
		}
	}
	return body
}

func (f *fixture) decode(w *httptest.ResponseRecorder, v any) {
	f.t.Helper()
	f.want(w, http.StatusOK)
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		f.t.Fatal(err)
	}
}

// wantError checks an API error's status and code.
func (f *fixture) wantError(w *httptest.ResponseRecorder, status int, code string) {
	f.t.Helper()
	var e struct {
		Error struct{ Code, Message string }
	}
	if w.Code != status || json.Unmarshal(w.Body.Bytes(), &e) != nil || e.Error.Code != code || e.Error.Message == "" {
		f.t.Fatalf("status %d body %s, want %d %s", w.Code, w.Body, status, code)
	}
}

// TestCountyPages: the county's view of its sites, the cases across them
// and a case's timeline, and the assessment, in Chinese, for the people
// who may read them; a browser without a session goes to the login.
func TestCountyPages(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/county", "/county/cases", "/county/assessment", "/county/cases/xiapu/x"} {
		w := f.get("", path)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/login?next="+strings.ReplaceAll(path, "/", "%2F") {
			t.Errorf("%s without a session: %d %q", path, w.Code, w.Header().Get("Location"))
		}
		if w := f.get(queue.RoleDisplay, path); w.Code != http.StatusSeeOther {
			t.Errorf("%s with a display token: %d", path, w.Code)
		}
	}

	body := f.want(f.get(queue.RoleSupervisor, "/county"), http.StatusOK, "南林桥镇综治中心", "夏铺镇综治中心", "在线", "离线", "12 条",
		`href="/ui/common.css"`, `href="/county/cases?site=nanlinqiao"`)
	if !regexp.MustCompile(`id="kpi-overdue">[1-9]`).MatchString(body) {
		t.Errorf("no overdue case counted on the sites' page")
	}
	f.want(f.get(queue.RoleSupervisor, "/ui/cases.css"), http.StatusOK, "cases")

	// Every open case across the county; the overdue filter keeps only
	// the overdue ones, each linking to its page.
	list, err := f.model.Cases(ctx, countyview.CaseQuery{Overdue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Rows) == 0 {
		t.Fatal("no overdue case to show")
	}
	body = f.want(f.get(queue.RoleSupervisor, "/county/cases?overdue=1"), http.StatusOK, "全县案件", "逾期")
	for _, r := range list.Rows {
		if !strings.Contains(body, `href="/county/cases/`+r.Site+"/"+r.Code+`"`) {
			t.Errorf("overdue case %s of %s not listed", r.Code, r.Site)
		}
	}
	if strings.Contains(body, "剩 ") {
		t.Error("a case not overdue listed under 仅逾期")
	}
	body = f.want(f.get(queue.RoleSupervisor, "/county/cases?site=xiapu"), http.StatusOK)
	if strings.Contains(body, "南林桥镇综治中心</td>") {
		t.Error("another site's case listed under xiapu")
	}
	f.want(f.get(queue.RoleSupervisor, "/county/cases?stage=closed"), http.StatusBadRequest, "阶段无效")

	r := list.Rows[0]
	f.want(f.get(queue.RoleSupervisor, "/county/cases/"+r.Site+"/"+r.Code), http.StatusOK, r.Code, r.SiteName, "办理经过", "登记", "逾期")
	f.want(f.get(queue.RoleSupervisor, "/county/cases/"+r.Site+"/421224-20990101-0001-X"), http.StatusNotFound, "县级平台没有这个案件")

	f.want(f.get(queue.RoleSupervisor, "/county/assessment?period=2026"), http.StatusOK, "2026年", "南林桥镇综治中心", "住建局", "按期办结率")
	f.want(f.get(queue.RoleSupervisor, "/county/assessment?period=2026-13"), http.StatusBadRequest, "考核期间应为")

	// Staff do not see the accusation; admins read the sites and the
	// assessment, not the cases.
	f.want(f.get(queue.RoleSupervisor, "/county/cases/nanlinqiao/"+f.code), http.StatusOK, f.code)
	f.want(f.get(queue.RoleStaff, "/county/cases/nanlinqiao/"+f.code), http.StatusNotFound)
	if body := f.want(f.get(queue.RoleStaff, "/county/cases?site=nanlinqiao"), http.StatusOK, "仅督导人员可见"); strings.Contains(body, f.code) {
		t.Error("staff see the accusation in the list")
	}
	f.want(f.get(queue.RoleAdmin, "/county"), http.StatusOK, "南林桥镇综治中心")
	f.want(f.get(queue.RoleAdmin, "/county/assessment"), http.StatusOK)
	f.want(f.get(queue.RoleAdmin, "/county/cases"), http.StatusForbidden, "没有权限")
}

// TestCountyAPI: the sites with their links and lag, one site's day as
// the model holds it, the cases of a site and of the county with their
// filters, a case, the assessment — and who may read which.
func TestCountyAPI(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/api/v1/sites", "/api/v1/sites/xiapu", "/api/v1/sites/xiapu/cases", "/api/v1/county/cases",
		"/api/v1/county/cases/xiapu/x", "/api/v1/county/assessment"} {
		f.wantError(f.get("", path), http.StatusUnauthorized, queue.EUNAUTH)
		f.wantError(f.get(queue.RoleDisplay, path), http.StatusForbidden, queue.EFORBIDDEN)
	}

	var sites struct {
		Sites []struct {
			countyview.SiteSummary
			Connected  *bool
			Pending    *int64
			LagSeconds *int64 `json:"lag_seconds"`
		}
	}
	f.decode(f.get(queue.RoleAdmin, "/api/v1/sites"), &sites)
	if len(sites.Sites) != 2 {
		t.Fatalf("%d sites", len(sites.Sites))
	}
	for i, s := range sites.Sites {
		last := f.sites[i].Hall.Engine.Events().Last()
		if s.Site != f.sites[i].ID || s.Last != last || s.Received != last || s.Connected == nil || *s.Connected != (i == 0) ||
			s.LagSeconds == nil || *s.LagSeconds != 30*24*3600 || s.Tickets.Issued != 0 {
			t.Errorf("site %d: %+v connected %v lag %v", i, s.SiteLink, s.Connected, s.LagSeconds)
		}
	}
	if *sites.Sites[1].Pending != 12 {
		t.Errorf("xiapu pending %d", *sites.Sites[1].Pending)
	}

	var one struct {
		Site  countyview.SiteSummary
		Stats queue.Stats
	}
	f.decode(f.get(queue.RoleSupervisor, "/api/v1/sites/xiapu?day=2026-11-26"), &one)
	want, err := f.model.Site(ctx, "xiapu", "2026-11-26")
	if err != nil {
		t.Fatal(err)
	}
	if one.Stats.Tickets == 0 || one.Stats.Tickets != want.Stats.Tickets || one.Stats.Ratings != want.Stats.Ratings || one.Site.Name != "夏铺镇综治中心" {
		t.Errorf("xiapu's day: %+v, the model's %+v", one.Stats, want.Stats)
	}
	f.wantError(f.get(queue.RoleSupervisor, "/api/v1/sites/nowhere"), http.StatusNotFound, queue.ENOTFOUND)
	f.wantError(f.get(queue.RoleSupervisor, "/api/v1/sites/xiapu?day=26.11.2026"), http.StatusBadRequest, queue.EINVALID)

	var all, overdue, site countyview.CaseList
	f.decode(f.get(queue.RoleSupervisor, "/api/v1/county/cases"), &all)
	f.decode(f.get(queue.RoleSupervisor, "/api/v1/county/cases?overdue=1&unit=信访局"), &overdue)
	f.decode(f.get(queue.RoleSupervisor, "/api/v1/sites/xiapu/cases"), &site)
	if all.Total == 0 || all.Total != all.Counts.Open || len(overdue.Rows) == 0 || overdue.Counts.Overdue != len(overdue.Rows) {
		t.Errorf("county: %d of %d open; overdue at 信访局 %d rows, %d counted", all.Total, all.Counts.Open, len(overdue.Rows), overdue.Counts.Overdue)
	}
	for _, r := range overdue.Rows {
		if r.Unit != "信访局" || r.Due == nil || r.Due.State != "overdue" {
			t.Errorf("filtered: %+v", r)
		}
	}
	for _, r := range site.Rows {
		if r.Site != "xiapu" {
			t.Errorf("xiapu's list holds %s's case %s", r.Site, r.Code)
		}
	}
	f.wantError(f.get(queue.RoleSupervisor, "/api/v1/county/cases?stage=closed"), http.StatusBadRequest, queue.EINVALID)

	// The accusation: supervisors read it, staff count it only, admins
	// read no case.
	var d countyview.CaseDetail
	f.decode(f.get(queue.RoleSupervisor, "/api/v1/county/cases/nanlinqiao/"+f.code), &d)
	if !d.Restricted || len(d.Timeline) == 0 || d.Facts == nil || d.Facts.Day != "2026-11-26" {
		t.Errorf("the accusation: %+v", d)
	}
	f.wantError(f.get(queue.RoleStaff, "/api/v1/county/cases/nanlinqiao/"+f.code), http.StatusNotFound, queue.ENOTFOUND)
	var staff countyview.CaseList
	f.decode(f.get(queue.RoleStaff, "/api/v1/sites/nanlinqiao/cases"), &staff)
	var super countyview.CaseList
	f.decode(f.get(queue.RoleSupervisor, "/api/v1/sites/nanlinqiao/cases"), &super)
	if staff.Total != super.Total-1 || staff.Counts.Open != super.Counts.Open ||
		slices.ContainsFunc(staff.Rows, func(r countyview.CaseRow) bool { return r.Code == f.code }) {
		t.Errorf("staff: %d rows of %d open; supervisors %d", staff.Total, staff.Counts.Open, super.Total)
	}
	f.wantError(f.get(queue.RoleAdmin, "/api/v1/county/cases"), http.StatusForbidden, queue.EFORBIDDEN)

	var a countyview.Assessment
	f.decode(f.get(queue.RoleAdmin, "/api/v1/county/assessment?period=2026-11"), &a)
	if len(a.Townships) != 2 || a.County.Cases == 0 || a.Meetings != 2 || a.Warnings != 2 || a.Service.Rated == 0 || len(a.Units) == 0 {
		t.Errorf("assessment: %+v", a)
	}
	f.wantError(f.get(queue.RoleAdmin, "/api/v1/county/assessment?period=x"), http.StatusBadRequest, queue.EINVALID)
}

// TestOpenAPIMatchesRoutes: every route of the API is in openapi.json and
// every path there is a route, so they cannot drift.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.0.") {
		t.Fatalf("openapi.json: %v %q", err, doc.OpenAPI)
	}
	m, err := countyview.Open(filepath.Join(t.TempDir(), "c.db"), countyview.Options{Location: queuetest.Shanghai(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	srv, err := countyweb.New(countyweb.Options{Model: m, Auth: struct{ countyweb.Accounts }{}})
	if err != nil {
		t.Fatal(err)
	}
	r := gin.New()
	srv.Routes(r)
	param := regexp.MustCompile(`:([A-Za-z_]+)`)
	var routes, documented []string
	for _, rt := range r.Routes() {
		if strings.HasPrefix(rt.Path, "/api/") {
			routes = append(routes, rt.Method+" "+param.ReplaceAllString(rt.Path, "{$1}"))
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(routes)
	slices.Sort(documented)
	if !slices.Equal(routes, documented) || len(routes) < 7 {
		t.Errorf("routes %v\ndocumented %v", routes, documented)
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/api/v1/county/openapi.json", nil))
	if w.Code != http.StatusOK || w.Body.String() != string(raw) {
		t.Errorf("served %d, the document differs: %v", w.Code, w.Body.String() != string(raw))
	}
}

// post sends a form with the cookies given, and returns the answer.
func (f *fixture) post(path string, form url.Values, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	f.t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

func sessionCookie(t *testing.T, w *httptest.ResponseRecorder) *http.Cookie {
	t.Helper()
	for _, c := range w.Result().Cookies() {
		if c.Name == access.CookieName {
			if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
				t.Errorf("session cookie %+v: want HttpOnly, SameSite Strict", c)
			}
			return c
		}
	}
	t.Fatalf("no session cookie: %d %v", w.Code, w.Header())
	return nil
}

// County staff log in at the hub with the hub's own accounts: a wrong
// password is refused on the form; the admin's one-time password leads to
// the password page first, and nothing else opens until it is changed;
// with the new one the pages open; logging out ends the session.
func TestCountyLogin(t *testing.T) {
	f := newFixture(t)
	f.want(f.get("", "/login?next=/county/cases"), http.StatusOK, `name="next" value="/county/cases"`, "县级平台登录")
	w := f.post("/login", url.Values{"user": {"county-supervisor"}, "password": {"wrong-password-0"}, "next": {"/county/cases"}})
	f.want(w, http.StatusUnauthorized, `id="login-error"`)
	if len(w.Result().Cookies()) != 0 {
		t.Fatal("a refused login set a cookie")
	}
	// An outside address is never where a login goes.
	w = f.post("/login", url.Values{"user": {"county-supervisor"}, "password": {"county-reads-9"}, "next": {"//evil.example/x"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/county" {
		t.Fatalf("login: %d to %q", w.Code, w.Header().Get("Location"))
	}
	sup := sessionCookie(t, w)
	w = f.post("/login", url.Values{"user": {"county-supervisor"}, "password": {"county-reads-9"}, "next": {"/county/cases"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/county/cases" {
		t.Fatalf("login: %d to %q", w.Code, w.Header().Get("Location"))
	}
	r := httptest.NewRequest(http.MethodGet, "/county/cases", nil)
	r.AddCookie(sup)
	pw := httptest.NewRecorder()
	f.h.ServeHTTP(pw, r)
	f.want(pw, http.StatusOK, "全县")

	// A password an admin reset: set by someone else, to change first.
	admin := queue.Principal{ID: "admin", Role: queue.RoleAdmin}
	if _, err := f.acc.CreateUser(ctx, admin, access.NewUser{Name: "county-new", Role: queue.RoleAdmin, Password: "own-password-0"}); err != nil {
		t.Fatal(err)
	}
	if err := f.acc.SetPassword(ctx, admin, "county-new", "", "first-password-1"); err != nil {
		t.Fatal(err)
	}
	w = f.post("/login", url.Values{"user": {"county-new"}, "password": {"first-password-1"}, "next": {"/county"}})
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/password") {
		t.Fatalf("first login: %d to %q", w.Code, w.Header().Get("Location"))
	}
	adm := sessionCookie(t, w)
	r = httptest.NewRequest(http.MethodGet, "/county", nil)
	r.AddCookie(adm)
	pw = httptest.NewRecorder()
	f.h.ServeHTTP(pw, r)
	if pw.Code != http.StatusSeeOther || !strings.HasPrefix(pw.Header().Get("Location"), "/password") {
		t.Fatalf("a page before the password was changed: %d to %q", pw.Code, pw.Header().Get("Location"))
	}
	f.want(f.post("/password", url.Values{"old": {"first-password-1"}, "new": {"short"}, "confirm": {"short"}}, adm),
		http.StatusBadRequest, `id="password-error"`)
	f.want(f.post("/password", url.Values{"old": {"first-password-1"}, "new": {"county-admin-new-2"}, "confirm": {"county-admin-other"}}, adm),
		http.StatusBadRequest, "不一致")
	w = f.post("/password", url.Values{"old": {"first-password-1"}, "new": {"county-admin-new-2"}, "confirm": {"county-admin-new-2"}, "next": {"/county"}}, adm)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
		t.Fatalf("password changed: %d to %q", w.Code, w.Header().Get("Location"))
	}
	w = f.post("/login", url.Values{"user": {"county-new"}, "password": {"county-admin-new-2"}, "next": {"/county"}})
	adm = sessionCookie(t, w)
	r = httptest.NewRequest(http.MethodGet, "/county", nil)
	r.AddCookie(adm)
	pw = httptest.NewRecorder()
	f.h.ServeHTTP(pw, r)
	f.want(pw, http.StatusOK, "各站点")

	// Logging out ends the session.
	f.post("/logout", nil, adm)
	r = httptest.NewRequest(http.MethodGet, "/api/v1/sites", nil)
	r.AddCookie(adm)
	pw = httptest.NewRecorder()
	f.h.ServeHTTP(pw, r)
	if pw.Code != http.StatusUnauthorized {
		t.Fatalf("after logout: %d", pw.Code)
	}
}

// fakeSender is the hub's outbox, recording what was sent.
type fakeSender struct {
	mu   sync.Mutex
	sent []county.Command
}

func (s *fakeSender) Send(_ context.Context, c *county.Command) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, *c)
	return nil
}

// sendJSON posts a JSON body as role.
func (f *fixture) sendJSON(role queue.Role, path, body string) *httptest.ResponseRecorder {
	f.t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.AddCookie(&http.Cookie{Name: access.CookieName, Value: f.secrets[role]})
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

// A county supervisor sends 交办, 督办 and 预警 about a site's case: each goes
// to the outbox with its site, case, kind, unit, text and sender; the
// case page lists it; staff and admins may not send, a bad command is
// refused with why, a case the county has not is 404.
func TestCountyCommands(t *testing.T) {
	f := newFixture(t)
	path := "/api/v1/county/cases/nanlinqiao/" + f.code + "/commands"
	w := f.sendJSON(queue.RoleSupervisor, path, `{"kind":"assign","unit":"住建局","text":"请住建局于五个工作日内答复"}`)
	f.want(w, http.StatusAccepted, `"kind":"assign"`)
	f.wantError(f.sendJSON(queue.RoleStaff, path, `{"kind":"warn","unit":"住建局","text":"注意"}`), http.StatusForbidden, queue.EFORBIDDEN)
	f.wantError(f.sendJSON(queue.RoleAdmin, path, `{"kind":"warn","unit":"住建局","text":"注意"}`), http.StatusForbidden, queue.EFORBIDDEN)
	f.wantError(f.sendJSON(queue.RoleSupervisor, path, `{"kind":"warn","text":"注意风险"}`), http.StatusBadRequest, queue.EINVALID)
	f.wantError(f.sendJSON(queue.RoleSupervisor, path, `{"kind":"delete","text":"删除"}`), http.StatusBadRequest, queue.EINVALID)
	f.wantError(f.sendJSON(queue.RoleSupervisor, "/api/v1/county/cases/nanlinqiao/421224-20990101-0001-0/commands",
		`{"kind":"supervise","level":"red","text":"督办"}`), http.StatusNotFound, queue.ENOTFOUND)

	// The form on the case page.
	form := url.Values{"kind": {"supervise"}, "level": {"red"}, "text": {"请三日内报告办理进展"}}
	r := httptest.NewRequest(http.MethodPost, "/county/cases/nanlinqiao/"+f.code+"/commands", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: access.CookieName, Value: f.secrets[queue.RoleSupervisor]})
	pw := httptest.NewRecorder()
	f.h.ServeHTTP(pw, r)
	if pw.Code != http.StatusSeeOther || !strings.HasSuffix(pw.Header().Get("Location"), "?sent=1") {
		t.Fatalf("form: %d to %q", pw.Code, pw.Header().Get("Location"))
	}
	f.sender.mu.Lock()
	sent := slices.Clone(f.sender.sent)
	f.sender.mu.Unlock()
	if len(sent) != 2 || sent[0].Site != "nanlinqiao" || sent[0].Case != f.code || sent[0].Kind != county.CommandAssign ||
		sent[0].Unit != "住建局" || sent[0].By != "county-supervisor" || sent[1].Kind != county.CommandSupervise || sent[1].Level != "red" ||
		sent[0].ID == sent[1].ID {
		t.Fatalf("sent %+v", sent)
	}
	f.want(f.get(queue.RoleSupervisor, "/county/cases/nanlinqiao/"+f.code+"?sent=1"), http.StatusOK,
		`id="command-sent"`, "请住建局于五个工作日内答复", "请三日内报告办理进展", "待送达或待执行", `action="/county/cases/nanlinqiao/`+f.code+`/commands"`)
}

// The public inquiry page at the county: the token from a ticket's QR
// finds the case as its site reported it, without anyone's data; the
// visitor rates the result once, the rating goes down to the site as a
// command, and the page says it is on its way; a wrong token is 404, and
// a case not closed cannot be rated.
func TestCountyPublicPage(t *testing.T) {
	f := newFixture(t)
	page := "/c/" + f.token
	body := f.want(f.get("", page), http.StatusOK, f.letter, "已终结", "夏铺镇综治中心", `id="rate"`)
	if strings.Contains(body, "反映问题") || strings.Contains(body, "不属于受理范围") {
		t.Error("the public page shows the clerk's words")
	}
	f.want(f.get("", "/c/"+strings.Repeat("x", len(f.token))), http.StatusNotFound, "没有找到这件事项")

	w := f.post(page+"/rate", url.Values{"satisfied": {"0"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != page {
		t.Fatalf("rate: %d to %q", w.Code, w.Header().Get("Location"))
	}
	f.sender.mu.Lock()
	sent := slices.Clone(f.sender.sent)
	f.sender.mu.Unlock()
	if len(sent) != 1 || sent[0].Kind != county.CommandRate || sent[0].Satisfied || sent[0].Site != "xiapu" || sent[0].Case != f.letter {
		t.Fatalf("sent %+v", sent)
	}
	body = f.want(f.get("", page), http.StatusOK, `id="rated"`, "不满意", "正在送达")
	if strings.Contains(body, `id="rate"`) {
		t.Error("the page offers a second rating")
	}
	w = f.post(page+"/rate", url.Values{"satisfied": {"1"}})
	if !strings.Contains(w.Header().Get("Location"), "error=") || len(f.sender.sent) != 1 {
		t.Fatalf("a second rating: %d to %q, %d sent", w.Code, w.Header().Get("Location"), len(f.sender.sent))
	}
	// A supervisor cannot rate for a visitor through the county's API.
	f.wantError(f.sendJSON(queue.RoleSupervisor, "/api/v1/county/cases/xiapu/"+f.letter+"/commands", `{"kind":"rate","satisfied":true}`),
		http.StatusBadRequest, queue.EINVALID)
}

// A case a township reported up: the county's overview and list count
// it, the list filters it, its page says why and when and offers the
// county's conclusion, and a command the site refused shows why beside
// it, on the page and in the API; the conclusion goes down as a command.
func TestCountyReportedUp(t *testing.T) {
	f := newFixture(t)
	f.want(f.get(queue.RoleSupervisor, "/county"), http.StatusOK, `id="kpi-reported">1<`, `href="/county/cases?reported=1"`)
	body := f.want(f.get(queue.RoleSupervisor, "/county/cases?reported=1"), http.StatusOK, `id="kpi-reported">1<`, f.reported, `name="reported" value="1" checked`)
	if n := strings.Count(body, `<tr data-site=`); n != 1 {
		t.Fatalf("the filtered list has %d rows", n)
	}
	page := "/county/cases/xiapu/" + f.reported
	f.want(f.get(queue.RoleSupervisor, page), http.StatusOK, `id="reported"`, "夏铺镇综治中心已上报县综治中心", "本镇无法协调", "待县级交办或办结",
		`<option value="conclude">`, `id="cmd-outcome"`, "站点未执行", "本站点没有单位“月球管理局”")
	var list countyview.CaseList
	f.decode(f.get(queue.RoleStaff, "/api/v1/county/cases?reported=1"), &list)
	if len(list.Rows) != 1 || list.Rows[0].Code != f.reported || !list.Rows[0].Reported || list.Counts.Reported != 1 {
		t.Fatalf("the API's reported cases: %+v", list)
	}
	var d struct {
		Facts    queue.CaseFacts
		Commands []countyview.SentCommand
	}
	f.decode(f.get(queue.RoleSupervisor, "/api/v1/county/cases/xiapu/"+f.reported), &d)
	if d.Facts.ReportedUp == nil || len(d.Commands) != 1 || d.Commands[0].Refused.IsZero() || !strings.Contains(d.Commands[0].RefusedWhy, "月球管理局") {
		t.Fatalf("the API's case: %+v, commands %+v", d.Facts.ReportedUp, d.Commands)
	}
	// A case not reported up offers no conclusion.
	body = f.want(f.get(queue.RoleSupervisor, "/county/cases/nanlinqiao/"+f.code), http.StatusOK, `id="cmd-kind"`)
	if strings.Contains(body, `value="conclude"`) || strings.Contains(body, `id="reported"`) {
		t.Fatal("a case not reported up offers the county's conclusion")
	}
	w := f.sendJSON(queue.RoleSupervisor, "/api/v1/county/cases/xiapu/"+f.reported+"/commands",
		`{"kind":"conclude","outcome":"failed","referral":"litigation","unit":"x","level":"red","text":"属山林权属争议，引导当事人向法院起诉"}`)
	f.want(w, http.StatusAccepted, `"kind":"conclude"`)
	f.wantError(f.sendJSON(queue.RoleSupervisor, "/api/v1/county/cases/xiapu/"+f.reported+"/commands", `{"kind":"conclude","text":"已答复"}`),
		http.StatusBadRequest, queue.EINVALID)
	f.sender.mu.Lock()
	last := f.sender.sent[len(f.sender.sent)-1]
	f.sender.mu.Unlock()
	if last.Kind != county.CommandConclude || last.Outcome != "failed" || last.Referral != "litigation" || last.Unit != "" || last.Level != "" {
		t.Fatalf("sent %+v", last)
	}
}
