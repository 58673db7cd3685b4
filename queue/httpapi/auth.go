package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"yiting/queue"
	"yiting/queue/access"
)

// Authenticator turns a secret into a principal; *access.Service
// implements it.
//
// Authenticate is on every request's path: it must be fast and read
// nothing from disk. It returns an error of code EUNAUTH for an unknown,
// malformed or expired secret or a revoked token.
//
// Login checks a password and returns a new session secret. Errors:
// EUNAUTH for a wrong name or password, EFORBIDDEN for a disabled account,
// ETOOMANY (with an *access.LockedError inside for Retry-After) while the
// name or address is locked after failures.
//
// Logout ends a session; an unknown secret is not an error.
//
// All methods are safe for concurrent use.
type Authenticator interface {
	Authenticate(ctx context.Context, secret string) (queue.Principal, error)
	Login(ctx context.Context, user, password, clientIP string) (secret string, p queue.Principal, err error)
	Logout(ctx context.Context, secret string) error
}

// CookieName is the session cookie POST /api/v1/login sets.
const CookieName = access.CookieName

// principal authenticates the request or writes the 401 and returns
// false.
func (a *API) principal(c *gin.Context, allowQuery bool) (queue.Principal, bool) {
	secret, ok := access.SecretOf(c.Request, allowQuery)
	if !ok {
		a.fail(c, queue.Errorf(queue.EUNAUTH, "Authorization 头格式应为 Bearer <令牌> (Authorization must be \"Bearer <token>\")"))
		return queue.Principal{}, false
	}
	if secret == "" {
		a.fail(c, queue.Errorf(queue.EUNAUTH, "请先登录 (credentials required)"))
		return queue.Principal{}, false
	}
	p, err := a.auth.Authenticate(c.Request.Context(), secret)
	if err != nil {
		a.fail(c, err)
		return queue.Principal{}, false
	}
	if p.MustChangePassword {
		switch c.FullPath() {
		case "/api/v1/me", "/api/v1/me/password":
		default:
			a.fail(c, queue.Errorf(queue.EFORBIDDEN, "请先修改初始密码，再进行其他操作 (set your own password first)"))
			return queue.Principal{}, false
		}
	}
	return p, true
}

// handler is an endpoint that needs a principal.
type handler func(c *gin.Context, p queue.Principal)

// authed wraps h with authentication by header or cookie. The principal
// is passed as an argument rather than through gin's key map, which would
// allocate on every request.
func (a *API) authed(h handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		if p, ok := a.principal(c, false); ok {
			h(c, p)
		}
	}
}

// authedStream is authed that also accepts ?token=, for EventSource —
// from the board's and the pad's device tokens only: a person's session
// secret never goes into an address (a history, a log, a screenshot).
func (a *API) authedStream(h handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, ok := a.principal(c, true)
		if !ok {
			return
		}
		if inHeaderOrCookie, _ := access.SecretOf(c.Request, false); inHeaderOrCookie == "" && p.Role != queue.RoleDisplay && p.Role != queue.RolePad {
			a.fail(c, queue.Errorf(queue.EUNAUTH, "登录凭据不能放在地址中，请重新登录 (?token= is for display and pad tokens only)"))
			return
		}
		h(c, p)
	}
}

// principalJSON is a principal as the API shows it.
type principalJSON struct {
	ID       string     `json:"id"`
	Name     string     `json:"name,omitempty"`
	Role     queue.Role `json:"role"`
	Counters []string   `json:"counters,omitempty"`
	// MustChangePassword: only POST /me/password is open until then.
	MustChangePassword bool `json:"must_change_password,omitempty"`
}

func principalOut(p queue.Principal) principalJSON {
	return principalJSON{ID: p.ID, Name: p.Name, Role: p.Role, Counters: p.Counters, MustChangePassword: p.MustChangePassword}
}

type loginBody struct {
	User     string `json:"user"`
	Password string `json:"password"`
}

type loginResponse struct {
	Principal principalJSON `json:"principal"`
	// Token is the session secret, for clients that cannot keep
	// cookies; pages rely on the HttpOnly cookie and ignore it.
	Token string `json:"token"`
}

// login checks a password and sets the session cookie. At most
// LoginConcurrency password checks run at once; the others wait for a
// slot while their client waits.
func (a *API) login(c *gin.Context) {
	var b loginBody
	if !a.decode(c, &b) {
		return
	}
	if strings.TrimSpace(b.User) == "" || b.Password == "" {
		a.fail(c, invalid("请输入用户名和密码 (user and password are required)"))
		return
	}
	ctx := c.Request.Context()
	select {
	case a.loginSem <- struct{}{}:
	case <-ctx.Done():
		a.fail(c, ctx.Err())
		return
	}
	secret, p, err := a.auth.Login(ctx, b.User, b.Password, c.ClientIP())
	<-a.loginSem
	if err != nil {
		a.fail(c, err)
		return
	}
	// A session cookie (no Max-Age): the server decides when the
	// session expires (it slides with use). Secure only over TLS: the
	// hall's LAN is often plain HTTP, where a Secure cookie is never sent.
	access.SetSession(c.Writer, c.Request, secret)
	writeJSON(c, http.StatusOK, loginResponse{Principal: principalOut(p), Token: secret})
}

// logout ends the session the request carries and clears the cookie. A
// device token is not a session: logging out with one changes nothing.
func (a *API) logout(c *gin.Context) {
	if _, ok := a.principal(c, false); !ok {
		return
	}
	secret, _ := access.SecretOf(c.Request, false)
	if err := a.auth.Logout(c.Request.Context(), secret); err != nil {
		a.fail(c, err)
		return
	}
	access.ClearSession(c.Writer, c.Request)
	c.Status(http.StatusNoContent)
	c.Writer.WriteHeaderNow()
}

type meResponse struct {
	Principal principalJSON `json:"principal"`
}

// me tells a page who is logged in (and whether anyone is).
func (a *API) me(c *gin.Context, p queue.Principal) {
	writeJSON(c, http.StatusOK, meResponse{Principal: principalOut(p)})
}
