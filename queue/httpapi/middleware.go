package httpapi

import (
	"errors"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"

	"yiting/queue"
)

// routeUnmatched labels requests that matched no route, so that a
// scanner's made-up paths cannot blow up the metrics' label space.
const routeUnmatched = "unmatched"

// route is the request's route pattern ("/api/v1/tickets/:id"), never the
// raw path or query (which may carry ?token=).
func route(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return routeUnmatched
}

// observe counts and times every request and logs it: method, route,
// status, duration. It never logs headers, cookies, the query or the
// body. 5xx answers are logged as errors, 4xx as warnings, the others at
// Options.RequestLogLevel.
func (a *API) observe(c *gin.Context) {
	start := time.Now() // monotonic: latency is real elapsed time, not the injected wall clock
	c.Next()
	d := time.Since(start)
	rt, status := route(c), c.Writer.Status()
	a.metrics.observe(c.Request.Method, rt, status, d)
	level := a.okLevel
	switch {
	case status >= 500:
		level = slog.LevelError
	case status >= 400:
		level = slog.LevelWarn
	}
	ctx := c.Request.Context()
	if !a.log.Enabled(ctx, level) {
		return
	}
	attrs := [...]slog.Attr{
		slog.String("method", c.Request.Method),
		slog.String("route", rt),
		slog.Int("status", status),
		slog.Duration("duration", d),
	}
	a.log.LogAttrs(ctx, level, "http request", attrs[:]...)
}

// recover turns a panic into a logged 500 with the usual JSON error, so
// one bad request does not take the hall server down.
func (a *API) recover(c *gin.Context) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
			panic(v) // net/http's way to abort a response; not a bug
		}
		a.log.Error("panic serving request", "method", c.Request.Method, "route", route(c),
			"panic", v, "stack", string(debug.Stack()))
		if c.Writer.Written() {
			c.Abort() // too late for a status; the client sees a cut answer
			return
		}
		a.abort(c, http.StatusInternalServerError, queue.EINTERNAL, internalMessage)
	}()
	c.Next()
}

// crossOrigin refuses state-changing browser requests from another
// origin (CSRF), on top of the SameSite=Strict cookie. Requests from
// devices and API clients carry neither Sec-Fetch-Site nor Origin and
// pass.
func (a *API) crossOrigin(c *gin.Context) {
	if err := a.cop.Check(c.Request); err != nil {
		a.abort(c, http.StatusForbidden, queue.EFORBIDDEN, "拒绝跨站请求 (cross-origin request refused)")
	}
}

func (a *API) noRoute(c *gin.Context) {
	a.abort(c, http.StatusNotFound, queue.ENOTFOUND, "没有这个接口 (no such endpoint)")
}

func (a *API) noMethod(c *gin.Context) {
	a.abort(c, http.StatusMethodNotAllowed, codeMethod, "接口不支持该请求方法 (method not allowed)")
}
