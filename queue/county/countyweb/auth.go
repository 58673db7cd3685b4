package countyweb

import (
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/gin-gonic/gin"

	"yiting/queue"
	"yiting/queue/access"
)

// principalKey keeps a page's principal in its gin context.
const principalKey = "countyweb.principal"

// handler is a route that needs a principal of one of its roles.
type handler func(c *gin.Context, p queue.Principal)

// principal authenticates the request by its Authorization header or
// session cookie (never ?token=: a person's secret never goes into an
// address).
func (s *Server) principal(c *gin.Context) (queue.Principal, error) {
	secret, ok := access.SecretOf(c.Request, false)
	if !ok {
		return queue.Principal{}, queue.Errorf(queue.EUNAUTH, "Authorization 头格式应为 Bearer <令牌> (Authorization must be \"Bearer <token>\")")
	}
	if secret == "" {
		return queue.Principal{}, queue.Errorf(queue.EUNAUTH, "请先登录 (credentials required)")
	}
	p, err := s.auth.Authenticate(c.Request.Context(), secret)
	if err != nil {
		return queue.Principal{}, err
	}
	if p.MustChangePassword {
		return queue.Principal{}, queue.Errorf(queue.EFORBIDDEN, "请先修改初始密码，再进行其他操作 (set your own password first)")
	}
	return p, nil
}

// allowed checks p's role against roles: devices never.
func allowed(p queue.Principal, roles []queue.Role) error {
	if p.Role.IsDevice() || !slices.Contains(roles, p.Role) {
		return queue.Errorf(queue.EFORBIDDEN, "您的账号（%s）无权查看县级平台的这部分内容", p.ID)
	}
	return nil
}

// api wraps an API route: 401 without a principal, 403 for another role.
func (s *Server) api(h handler, roles ...queue.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, err := s.principal(c)
		if err == nil {
			err = allowed(p, roles)
		}
		if err != nil {
			s.fail(c, err)
			return
		}
		h(c, p)
	}
}

// page wraps a page: without a session the browser goes to /login, which
// comes back; with the wrong role a page says so.
func (s *Server) page(h handler, roles ...queue.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		securityHeaders(c)
		p, err := s.principal(c)
		switch {
		case err != nil && queue.ErrorCode(err) == queue.EFORBIDDEN: // a password to change first
			c.Redirect(http.StatusSeeOther, "/password?next="+url.QueryEscape(c.Request.URL.RequestURI()))
			return
		case err != nil || p.Role.IsDevice():
			c.Redirect(http.StatusSeeOther, "/login?next="+url.QueryEscape(c.Request.URL.RequestURI()))
			return
		}
		if err := allowed(p, roles); err != nil {
			s.errorPage(c, http.StatusForbidden, "没有权限", "您的账号（"+p.ID+"）不能打开此页面。请使用有权限的账号登录。")
			return
		}
		c.Set(principalKey, p) // for the bar of the page it renders
		h(c, p)
	}
}

// fail answers an API error: the code and its Chinese message, or for
// anything unexpected 500 with a generic message, the detail in the log.
func (s *Server) fail(c *gin.Context, err error) {
	var qe *queue.Error
	code, msg := queue.EINTERNAL, "服务器内部错误，请稍后重试 (internal error)"
	if errors.As(err, &qe) && access.StatusOf(qe.Code) != http.StatusInternalServerError {
		code, msg = qe.Code, queue.ErrorMessage(err)
	} else {
		s.log.Error("countyweb: a request failed", "path", c.FullPath(), "err", err)
	}
	c.JSON(access.StatusOf(code), gin.H{"error": gin.H{"code": code, "message": msg}})
}
