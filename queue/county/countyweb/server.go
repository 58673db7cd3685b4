package countyweb

import (
	"context"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"

	"yiting/queue"
	"yiting/queue/county/countyview"
)

// Authenticator turns a secret (a session or a device token) into a
// principal; *access.Service implements it. It returns an error of code
// queue.EUNAUTH for an unknown, expired or revoked secret, must be fast
// (it runs on every request) and safe for concurrent use.
type Authenticator interface {
	Authenticate(ctx context.Context, secret string) (queue.Principal, error)
}

// Links tells how each site's link to the hub stands now; the hub's NATS
// server implements it (its leaf-node connections and the sourcing of the
// sites' streams). Link must be fast (it runs for every site on every
// page) and safe for concurrent use.
type Links interface {
	Link(site string) Link
}

// Link is a site's link to the hub.
type Link struct {
	Connected bool
	// Since is when the link came up (connected) or went down (not);
	// zero when unknown.
	Since time.Time
	// Pending is how many events the site's stream holds that the hub's
	// has not yet taken; negative when unknown.
	Pending int64
}

// Options configure a Server. Model and Auth are required.
type Options struct {
	Model *countyview.Model
	Auth  Accounts // the hub's own accounts
	// Links reports the sites' links; nil: unknown for every site.
	Links Links
	// Commands sends 交办, 督办 and 预警 down to the sites; nil: the case
	// page has no form and the API answers 503.
	Commands Sender
	// Registry adds and removes sites, Users makes the county's
	// accounts, on the admin's page; nil: the page says it is off.
	Registry Registry
	Users    Users
	// County names the county centre on the pages ("通山县综治中心").
	County string
	Now    func() time.Time // time.Now if nil
	Logger *slog.Logger     // slog.Default() if nil
}

// Server serves the county's pages and API. It is safe for concurrent
// use.
type Server struct {
	model    *countyview.Model
	auth     Authenticator
	accounts Accounts
	links    Links
	sender   Sender
	registry Registry
	users    Users
	county   string
	now      func() time.Time
	log      *slog.Logger
	tmpl     *template.Template
}

//go:embed templates/*.html
var templateFS embed.FS

// New prepares the server's templates.
func New(o Options) (*Server, error) {
	if o.Model == nil || o.Auth == nil {
		return nil, errors.New("countyweb: Options.Model and Options.Auth are required")
	}
	s := &Server{model: o.Model, auth: o.Auth, accounts: o.Auth, links: o.Links, sender: o.Commands, registry: o.Registry, users: o.Users, county: o.County, now: o.Now, log: o.Logger}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.county == "" {
		s.county = "县综治中心"
	}
	var err error
	if s.tmpl, err = parseTemplates(); err != nil {
		return nil, err
	}
	return s, nil
}

// Routes mounts the pages and the API on r (every route in openapi.json
// or the package's doc). It touches no gin global.
func (s *Server) Routes(r gin.IRouter) {
	s.sessionRoutes(r)
	s.publicRoutes(r)
	r.GET("/county", s.page(s.sitesPage, staffRoles...))
	r.GET("/county/cases", s.page(s.casesPage, caseRoles...))
	r.GET("/county/cases/:site/:code", s.page(s.casePage, caseRoles...))
	r.POST("/county/cases/:site/:code/commands", s.page(s.sendCommandForm, queue.RoleSupervisor))
	r.GET("/county/assessment", s.page(s.assessmentPage, staffRoles...))
	s.adminRoutes(r)

	v1 := r.Group("/api/v1")
	v1.GET("/sites", s.api(s.listSites, staffRoles...))
	v1.GET("/sites/:site", s.api(s.oneSite, staffRoles...))
	v1.GET("/sites/:site/cases", s.api(s.siteCases, caseRoles...))
	v1.GET("/county/cases", s.api(s.countyCases, caseRoles...))
	v1.GET("/county/cases/:site/:code", s.api(s.oneCase, caseRoles...))
	v1.POST("/county/cases/:site/:code/commands", s.api(s.sendCommand, queue.RoleSupervisor))
	v1.GET("/county/assessment", s.api(s.assessment, staffRoles...))
	v1.GET("/county/openapi.json", s.openapi)
}

// The roles that read: the sites and the assessment (statistics) for
// every person, the cases for supervisors and staff.
var (
	staffRoles = []queue.Role{queue.RoleSupervisor, queue.RoleStaff, queue.RoleAdmin}
	caseRoles  = []queue.Role{queue.RoleSupervisor, queue.RoleStaff}
)

// visible reports whether p may see a case's row: staff do not see the
// cases a site restricts (an accusation, a recusal) or marks sensitive
// (health matters); they count them only.
func visible(p queue.Principal, r *countyview.CaseRow) bool {
	return p.Role == queue.RoleSupervisor || !(r.Restricted || r.Sensitive)
}

// link is a site's link, or an unknown one without Links.
func (s *Server) link(site string) Link {
	if s.links == nil {
		return Link{Pending: -1}
	}
	return s.links.Link(site)
}
