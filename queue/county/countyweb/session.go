package countyweb

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"yiting/queue"
	"yiting/queue/access"
)

// Accounts are the county staff's logins at the hub; *access.Service
// implements them, on the hub's own accounts (a hall's staff are not the
// county's). Login checks a password and returns a new session secret
// (errors: EUNAUTH, EFORBIDDEN for a disabled account, ETOOMANY while
// locked after failures); SetPassword changes the actor's own password.
type Accounts interface {
	Authenticator
	Login(ctx context.Context, user, password, clientIP string) (secret string, p queue.Principal, err error)
	Logout(ctx context.Context, secret string) error
	SetPassword(ctx context.Context, actor queue.Principal, name, oldPassword, newPassword string) error
}

// sessionRoutes are the login, the change of one's own password (the
// first thing an account with a one-time password does) and the logout:
// HTML forms, posted to this server only (form-action 'self', a SameSite
// Strict cookie).
func (s *Server) sessionRoutes(r gin.IRouter) {
	r.GET("/login", s.loginPage)
	r.POST("/login", s.loginPost)
	r.GET("/password", s.passwordPage)
	r.POST("/password", s.passwordPost)
	r.POST("/logout", s.logout)
}

type sessionForm struct {
	Next  string
	User  string
	Error string
	First bool // a one-time password to replace
}

func (s *Server) loginPage(c *gin.Context) {
	securityHeaders(c)
	s.render(c, http.StatusOK, "login.html", view{Title: "县级平台登录", Body: sessionForm{Next: safeNext(c.Query("next"))}})
}

func (s *Server) loginPost(c *gin.Context) {
	securityHeaders(c)
	f := sessionForm{Next: safeNext(c.PostForm("next")), User: strings.TrimSpace(c.PostForm("user"))}
	password := c.PostForm("password")
	if f.User == "" || password == "" {
		f.Error = "请输入用户名和密码。"
		s.render(c, http.StatusBadRequest, "login.html", view{Title: "县级平台登录", Body: f})
		return
	}
	ip, _, _ := net.SplitHostPort(c.Request.RemoteAddr)
	secret, p, err := s.accounts.Login(c.Request.Context(), f.User, password, ip)
	if err != nil {
		status := access.StatusOf(queue.ErrorCode(err))
		f.Error = queue.ErrorMessage(err)
		if status == http.StatusInternalServerError {
			s.log.Error("countyweb: login failed", "err", err)
			f.Error = "登录失败，请稍后重试。"
		}
		s.render(c, status, "login.html", view{Title: "县级平台登录", Body: f})
		return
	}
	access.SetSession(c.Writer, c.Request, secret)
	if p.MustChangePassword {
		c.Redirect(http.StatusSeeOther, "/password?next="+url.QueryEscape(f.Next))
		return
	}
	c.Redirect(http.StatusSeeOther, f.Next)
}

// sessionOf is the logged-in person, also one who must change their
// password first.
func (s *Server) sessionOf(c *gin.Context) (queue.Principal, bool) {
	secret, ok := access.SecretOf(c.Request, false)
	if !ok || secret == "" {
		return queue.Principal{}, false
	}
	p, err := s.auth.Authenticate(c.Request.Context(), secret)
	return p, err == nil && !p.Role.IsDevice()
}

func (s *Server) passwordPage(c *gin.Context) {
	securityHeaders(c)
	p, ok := s.sessionOf(c)
	if !ok {
		c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
		return
	}
	s.render(c, http.StatusOK, "password.html", view{Title: "修改密码", Me: p.ID,
		Body: sessionForm{Next: safeNext(c.Query("next")), User: p.ID, First: p.MustChangePassword}})
}

func (s *Server) passwordPost(c *gin.Context) {
	securityHeaders(c)
	p, ok := s.sessionOf(c)
	if !ok {
		c.Redirect(http.StatusSeeOther, "/login")
		return
	}
	f := sessionForm{Next: safeNext(c.PostForm("next")), User: p.ID, First: p.MustChangePassword}
	old, nw := c.PostForm("old"), c.PostForm("new")
	var err error
	switch {
	case nw != c.PostForm("confirm"):
		err = queue.Errorf(queue.EINVALID, "两次输入的新密码不一致。")
	default:
		err = s.accounts.SetPassword(c.Request.Context(), p, p.ID, old, nw)
	}
	if err != nil {
		status := access.StatusOf(queue.ErrorCode(err))
		f.Error = queue.ErrorMessage(err)
		if status == http.StatusInternalServerError {
			s.log.Error("countyweb: changing a password failed", "user", p.ID, "err", err)
			f.Error = "修改失败，请稍后重试。"
		}
		s.render(c, status, "password.html", view{Title: "修改密码", Me: p.ID, Body: f})
		return
	}
	// A changed password ends every session of the account, this one
	// too: log in again with the new one.
	c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(f.Next))
}

func (s *Server) logout(c *gin.Context) {
	if secret, ok := access.SecretOf(c.Request, false); ok && secret != "" {
		if err := s.accounts.Logout(c.Request.Context(), secret); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Error("countyweb: logout failed", "err", err)
		}
	}
	access.ClearSession(c.Writer, c.Request)
	c.Redirect(http.StatusSeeOther, "/login")
}

// securityHeaders are every page's.
func securityHeaders(c *gin.Context) {
	hd := c.Writer.Header()
	hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
}

// safeNext is the page to go to after the login (access.SafeNext), the
// county's overview by default.
func safeNext(next string) string { return access.SafeNext(next, "/county") }
