package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"yiting/queue"
	"yiting/queue/booking"
	"yiting/queue/cases"
	"yiting/queue/rota"
)

// Defaults of Options.
const (
	DefaultMaxBody   = 64 << 10
	DefaultHeartbeat = 15 * time.Second
	DefaultMaxReplay = 10000
)

// Options configure an API. Engine, Cases and Auth are required; the zero value
// of every other field means its default.
type Options struct {
	Engine *queue.Engine
	Auth   Authenticator
	// Cases is the desk that issues tickets (issue.go) and serves the
	// case endpoints (cases.go).
	Cases *cases.Book
	// Rota is the duty rota: /rota, and today's duty in /services; nil:
	// /rota answers 503 and no duty-only service is offered.
	Rota *rota.Rota
	// Diary is the appointment diary: /appointments; nil: they answer 503.
	Diary *booking.Diary
	// Accounts serves the admin endpoints (users and device tokens).
	// When nil they answer 503.
	Accounts AccountAdmin
	Logger   *slog.Logger     // slog.Default() if nil
	Now      func() time.Time // wall clock, for Retry-After; time.Now if nil
	// Registry receives the API's metrics and is what /metrics serves.
	// Nil means a private registry with the Go and process collectors;
	// a caller that passes its own registry adds those itself if wanted.
	Registry *prometheus.Registry
	// Collectors are more metrics /metrics serves (the county link's).
	Collectors []prometheus.Collector
	MaxBody    int64  // largest request body accepted; DefaultMaxBody if 0
	Version    string // shown by /healthz
	// Health reports whether the server can do its work (the store
	// answers, the disk is not full); /healthz answers 503 when it
	// fails. Nil means always healthy.
	Health func(ctx context.Context) error
	// Heartbeat is the idle time after which an event stream sends a
	// comment line, so proxies and the browser keep it open and a dead
	// peer is noticed. DefaultHeartbeat if 0.
	Heartbeat time.Duration
	// MaxReplay is the most events a reconnecting stream is sent to catch
	// up. A client further behind (a board switched off since yesterday)
	// gets a "reset" event instead and starts from now: it should reload
	// GET /api/v1/queue rather than replay a day of calls. 10000 if 0.
	MaxReplay uint64
	// RequestLogLevel is the level of the request log line of a
	// successful request (4xx are logged as warnings, 5xx as errors). The
	// zero value is Info; slog.LevelDebug keeps a busy hall's journal — and
	// its SD card — to the requests that went wrong.
	RequestLogLevel slog.Level
	// MaxStreams is the most event streams one principal holds open; a
	// new one over it ends that principal's oldest. DefaultMaxStreams if
	// 0; negative: no limit.
	MaxStreams int
	// LoginConcurrency bounds concurrent password checks (bcrypt takes
	// tens of milliseconds of CPU on a Pi), so a burst of logins cannot
	// starve the ticket path. 2 if 0.
	LoginConcurrency int
}

// API is the HTTP API of one hall server. Create it with New, serve
// Handler, and call Shutdown when the server shuts down.
type API struct {
	eng   *queue.Engine
	cases *cases.Book
	rota  *rota.Rota
	diary *booking.Diary
	auth  Authenticator
	// streams are the open event streams by principal, closed when its
	// credentials end (AccountAdmin.OnRevoke).
	streams   *streamSet
	accounts  AccountAdmin
	log       *slog.Logger
	now       func() time.Time
	reg       *prometheus.Registry
	maxBody   int64
	version   string
	health    func(ctx context.Context) error
	heartbeat time.Duration
	maxReplay uint64
	okLevel   slog.Level
	loginSem  chan struct{}
	cop       *http.CrossOriginProtection
	metrics   *metrics
	router    *gin.Engine

	stopCtx  context.Context // done when Shutdown is called
	stop     context.CancelFunc
	stopMu   sync.Mutex     // orders beginStream and Shutdown
	streamWG sync.WaitGroup // the open event streams
}

// New builds the API and its router. It touches no gin global: the gin
// mode is the caller's (cmd/) business.
func New(opts Options) (*API, error) {
	if opts.Engine == nil {
		return nil, errors.New("httpapi: Options.Engine is required")
	}
	if opts.Auth == nil {
		return nil, errors.New("httpapi: Options.Auth is required")
	}
	if opts.Cases == nil {
		return nil, errors.New("httpapi: Options.Cases is required")
	}
	a := &API{
		eng:       opts.Engine,
		cases:     opts.Cases,
		rota:      opts.Rota,
		diary:     opts.Diary,
		auth:      opts.Auth,
		accounts:  opts.Accounts,
		log:       opts.Logger,
		now:       opts.Now,
		reg:       opts.Registry,
		maxBody:   opts.MaxBody,
		version:   opts.Version,
		health:    opts.Health,
		heartbeat: opts.Heartbeat,
		maxReplay: opts.MaxReplay,
		okLevel:   opts.RequestLogLevel,
		cop:       http.NewCrossOriginProtection(),
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.maxBody <= 0 {
		a.maxBody = DefaultMaxBody
	}
	a.streams = newStreamSet(opts.MaxStreams, a.log)
	if a.heartbeat <= 0 {
		a.heartbeat = DefaultHeartbeat
	}
	if a.maxReplay == 0 {
		a.maxReplay = DefaultMaxReplay
	}
	n := opts.LoginConcurrency
	if n <= 0 {
		n = 2
	}
	a.loginSem = make(chan struct{}, n)
	if a.reg == nil {
		a.reg = prometheus.NewRegistry()
		if err := a.reg.Register(collectors.NewGoCollector()); err != nil {
			return nil, fmt.Errorf("httpapi: register go collector: %w", err)
		}
		if err := a.reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
			return nil, fmt.Errorf("httpapi: register process collector: %w", err)
		}
	}
	m, err := newMetrics(a.reg, a.eng)
	if err != nil {
		return nil, err
	}
	for _, c := range opts.Collectors {
		if err := a.reg.Register(c); err != nil {
			return nil, fmt.Errorf("httpapi: register a collector: %w", err)
		}
	}
	a.metrics = m
	a.stopCtx, a.stop = context.WithCancel(context.Background())
	if a.accounts != nil {
		a.accounts.OnRevoke(a.streams.closeAll)
	}
	if a.router, err = a.routes(); err != nil {
		return nil, err
	}
	return a, nil
}

// Handler returns the router. It is safe for concurrent use.
func (a *API) Handler() http.Handler { return a.router }

// Shutdown ends every open event stream, refuses new ones with 503, and
// waits until the streams have ended. An open stream would otherwise keep
// http.Server.Shutdown waiting until its deadline, and a stream that
// took its connection from the server (events.go: hijack) is not
// waited for by it at all: register it with
// srv.RegisterOnShutdown(api.Shutdown) and call it again after
// srv.Shutdown, before the engine closes. Other requests are not
// affected. It is safe to call more than once.
func (a *API) Shutdown() {
	a.stopMu.Lock()
	a.stop()
	a.stopMu.Unlock()
	a.streamWG.Wait()
}

// routes builds the router. Every route here must be in openapi.json (a
// test checks both ways).
func (a *API) routes() (*gin.Engine, error) {
	r := gin.New()
	// We face the clients directly: c.ClientIP is the peer's address and
	// forwarding headers are ignored (they would let a client pick the
	// address the login limiter counts).
	if err := r.SetTrustedProxies(nil); err != nil {
		return nil, fmt.Errorf("httpapi: trusted proxies: %w", err)
	}
	r.RedirectTrailingSlash = false // an API answers 404, not a redirect a client may not follow
	r.HandleMethodNotAllowed = true
	r.Use(a.observe, a.recover, a.crossOrigin)
	r.NoRoute(a.noRoute)
	r.NoMethod(a.noMethod)

	r.GET("/healthz", a.healthz)
	r.GET("/metrics", a.metricsHandler())

	v1 := r.Group("/api/v1")
	v1.GET("/openapi.json", a.openapi)
	v1.POST("/login", a.login)
	v1.POST("/logout", a.logout)
	v1.GET("/me", a.authed(a.me))
	v1.POST("/me/password", a.authed(a.setOwnPassword))

	v1.GET("/services", a.authed(a.services))
	v1.GET("/counters", a.authed(a.counters))
	v1.GET("/counters/:id/waiting", a.authed(a.counterWaiting))
	v1.GET("/queue", a.authed(a.queueState))
	v1.GET("/calls", a.authed(a.calls))
	v1.GET("/tickets/:id", a.authed(a.ticket))
	v1.GET("/tickets/by-number/:number", a.authed(a.ticketByNumber))
	v1.POST("/tickets", a.authed(a.issue))
	v1.POST("/tickets/:id/rating", a.authed(a.rate))
	v1.GET("/events", a.authedStream(a.events))

	a.caseRoutes(v1)
	a.rotaRoutes(v1)
	a.appointmentRoutes(v1)
	v1.POST("/kiosk/inquiry", a.authed(a.kioskInquiry))

	for _, cmd := range a.counterCommands() {
		v1.POST("/counters/:id/"+cmd.name, cmd.handler)
	}

	adm := v1.Group("/admin")
	adm.GET("/users", a.authed(a.listUsers))
	adm.POST("/users", a.authed(a.createUser))
	adm.POST("/users/:name/disable", a.authed(a.disableUser))
	adm.POST("/users/:name/enable", a.authed(a.enableUser))
	adm.PUT("/users/:name/counters", a.authed(a.setCounters))
	adm.PUT("/users/:name/units", a.authed(a.setUnits))
	adm.POST("/users/:name/password", a.authed(a.setPassword))
	adm.GET("/tokens", a.authed(a.listTokens))
	adm.POST("/tokens", a.authed(a.createToken))
	adm.POST("/tokens/:id/revoke", a.authed(a.revokeToken))
	return r, nil
}
