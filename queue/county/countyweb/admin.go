package countyweb

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"yiting/queue"
	"yiting/queue/access"
	"yiting/queue/county"
	"yiting/queue/sites"
)

// Registry adds and removes the hub's sites while it runs
// (*county.Registry): Add returns the new site's credentials, the only
// time they exist outside the site, EINVALID for a bad site and ECONFLICT
// for an id taken; Remove closes the site's link and returns ENOTFOUND
// for no such site. Safe for concurrent use.
type Registry interface {
	Sites(ctx context.Context) ([]sites.Site, error)
	Add(ctx context.Context, actor queue.Principal, s sites.Site) (county.Credentials, error)
	Remove(ctx context.Context, actor queue.Principal, id string) error
}

// Users are the county's accounts as its admin manages them
// (*access.Service): CreateUserOneTime returns the account's one-time
// password (the first login must set the person's own), EINVALID for a
// bad name, role or unit and ECONFLICT for a name taken; both refuse
// anyone but an admin (EFORBIDDEN).
type Users interface {
	CreateUserOneTime(ctx context.Context, actor queue.Principal, nu access.NewUser) (string, access.UserInfo, error)
	ListUsers(ctx context.Context, actor queue.Principal) ([]access.UserInfo, error)
}

// adminRoutes are the admin's: the sites and the county's accounts, as a
// page and as JSON. Every act is the admin's own (the registry and the
// accounts log it with the actor; a site records who added it).
func (s *Server) adminRoutes(r gin.IRouter) {
	r.GET("/county/admin", s.page(s.adminPage, queue.RoleAdmin))
	r.POST("/county/admin/sites", s.page(s.addSiteForm, queue.RoleAdmin))
	r.POST("/county/admin/sites/:site/remove", s.page(s.removeSiteForm, queue.RoleAdmin))
	r.POST("/county/admin/users", s.page(s.addUserForm, queue.RoleAdmin))
	v1 := r.Group("/api/v1")
	v1.POST("/sites", s.api(s.addSiteAPI, queue.RoleAdmin))
	v1.DELETE("/sites/:site", s.api(s.removeSiteAPI, queue.RoleAdmin))
	v1.GET("/county/users", s.api(s.listUsersAPI, queue.RoleAdmin))
	v1.POST("/county/users", s.api(s.addUserAPI, queue.RoleAdmin))
}

// errNoAdmin answers an admin's act on a server without the registry or
// the accounts to change (a test's, or a read-only copy).
func errNoAdmin() error {
	return queue.Errorf(queue.EUNAVAILABLE, "本平台未启用站点与账号管理 (no registry)")
}

// siteBody is a new site as the form and the API send it.
type siteBody struct {
	ID         string `json:"id" form:"id"`
	Name       string `json:"name" form:"name"`
	RegionCode string `json:"region_code" form:"region_code"`
}

func (b siteBody) site() sites.Site {
	return sites.Site{ID: strings.TrimSpace(b.ID), Name: strings.TrimSpace(b.Name), RegionCode: strings.TrimSpace(b.RegionCode)}
}

// userBody is a new account as the form and the API send it.
type userBody struct {
	Name        string `json:"name" form:"name"`
	DisplayName string `json:"display_name" form:"display_name"`
	Role        string `json:"role" form:"role"`
	Unit        string `json:"unit" form:"unit"`
}

func (b userBody) user() access.NewUser {
	nu := access.NewUser{Name: strings.TrimSpace(b.Name), DisplayName: strings.TrimSpace(b.DisplayName), Role: queue.Role(b.Role)}
	if u := strings.TrimSpace(b.Unit); u != "" {
		nu.Units = []string{u}
	}
	return nu
}

// adminRow is a registered site on the admin's page.
type adminRow struct {
	sites.Site
	Added, Link string
}

// adminView is the admin's page: the sites and the accounts, with what
// the last act left to say (an error, or a new account's one-time
// password, shown this once).
type adminView struct {
	Sites    []adminRow
	Users    []access.UserInfo
	Error    string
	Removed  string
	Password string
	NewUser  string
}

func (s *Server) adminPage(c *gin.Context, p queue.Principal) {
	s.renderAdmin(c, p, http.StatusOK, adminView{Error: c.Query("error"), Removed: c.Query("removed")})
}

func (s *Server) renderAdmin(c *gin.Context, p queue.Principal, status int, v adminView) {
	if s.registry == nil || s.users == nil {
		s.failPage(c, errNoAdmin())
		return
	}
	list, err := s.registry.Sites(c.Request.Context())
	if err != nil {
		s.failPage(c, err)
		return
	}
	for _, st := range list {
		r := adminRow{Site: st, Added: s.when(st.Created), Link: "未知"}
		if s.links != nil {
			r.Link = "离线"
			if s.link(st.ID).Connected {
				r.Link = "在线"
			}
		}
		v.Sites = append(v.Sites, r)
	}
	if v.Users, err = s.users.ListUsers(c.Request.Context(), p); err != nil {
		s.failPage(c, err)
		return
	}
	s.render(c, status, "admin.html", view{Title: "站点与账号", Nav: "admin", Me: p.ID, Body: v})
}

// addSite registers the request's site as p.
func (s *Server) addSite(c *gin.Context, p queue.Principal, b siteBody) (sites.Site, county.Credentials, error) {
	if s.registry == nil {
		return sites.Site{}, county.Credentials{}, errNoAdmin()
	}
	st := b.site()
	creds, err := s.registry.Add(c.Request.Context(), p, st)
	return st, creds, err
}

// addSiteForm answers the page's form with the new site's credentials
// file, to download: the browser saves it and stays on the page. The
// file is made here and never kept: a lost file means removing the site
// and adding it again.
func (s *Server) addSiteForm(c *gin.Context, p queue.Principal) {
	var b siteBody
	_ = c.ShouldBind(&b)
	st, creds, err := s.addSite(c, p, b)
	if err != nil {
		s.adminFail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Header("Content-Disposition", `attachment; filename="`+st.ID+`.creds"`)
	c.Data(http.StatusOK, "application/octet-stream", creds.Marshal(st.Name))
}

func (s *Server) removeSiteForm(c *gin.Context, p queue.Principal) {
	site := c.Param("site")
	if strings.TrimSpace(c.PostForm("confirm")) != site {
		c.Redirect(http.StatusSeeOther, "/county/admin?error="+url.QueryEscape("请输入站点编号 "+site+" 以确认删除。"))
		return
	}
	if err := s.removeSite(c, p, site); err != nil {
		s.adminFail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/county/admin?removed="+url.QueryEscape(site))
}

func (s *Server) removeSite(c *gin.Context, p queue.Principal, site string) error {
	if s.registry == nil {
		return errNoAdmin()
	}
	return s.registry.Remove(c.Request.Context(), p, site)
}

// addUserForm answers the page with the new account's one-time password,
// shown this once (never in an address: the answer is the page itself).
func (s *Server) addUserForm(c *gin.Context, p queue.Principal) {
	var b userBody
	_ = c.ShouldBind(&b)
	pw, info, err := s.addUser(c, p, b)
	if err != nil {
		s.adminFail(c, err)
		return
	}
	s.renderAdmin(c, p, http.StatusOK, adminView{Password: pw, NewUser: info.Name})
}

func (s *Server) addUser(c *gin.Context, p queue.Principal, b userBody) (string, access.UserInfo, error) {
	if s.users == nil {
		return "", access.UserInfo{}, errNoAdmin()
	}
	return s.users.CreateUserOneTime(c.Request.Context(), p, b.user())
}

// adminFail sends the admin back to the page with what was wrong, or
// shows an error page for a failure that is not the form's.
func (s *Server) adminFail(c *gin.Context, err error) {
	switch queue.ErrorCode(err) {
	case queue.EINVALID, queue.ECONFLICT, queue.ENOTFOUND:
		c.Redirect(http.StatusSeeOther, "/county/admin?error="+url.QueryEscape(queue.ErrorMessage(err)))
	default:
		s.failPage(c, err)
	}
}

// addSiteAPI answers POST /api/v1/sites: the site and its credentials
// file, shown this once.
func (s *Server) addSiteAPI(c *gin.Context, p queue.Principal) {
	var b siteBody
	if err := c.ShouldBindJSON(&b); err != nil {
		s.fail(c, queue.Errorf(queue.EINVALID, "请求格式有误 (a JSON body: id, name, region_code)"))
		return
	}
	st, creds, err := s.addSite(c, p, b)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, gin.H{"site": st.ID, "credentials": string(creds.Marshal(st.Name))})
}

// removeSiteAPI answers DELETE /api/v1/sites/:site.
func (s *Server) removeSiteAPI(c *gin.Context, p queue.Principal) {
	if err := s.removeSite(c, p, c.Param("site")); err != nil {
		s.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// listUsersAPI answers GET /api/v1/county/users.
func (s *Server) listUsersAPI(c *gin.Context, p queue.Principal) {
	if s.users == nil {
		s.fail(c, errNoAdmin())
		return
	}
	list, err := s.users.ListUsers(c.Request.Context(), p)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"users": list})
}

// addUserAPI answers POST /api/v1/county/users: the account and its
// one-time password, shown this once.
func (s *Server) addUserAPI(c *gin.Context, p queue.Principal) {
	var b userBody
	if err := c.ShouldBindJSON(&b); err != nil {
		s.fail(c, queue.Errorf(queue.EINVALID, "请求格式有误 (a JSON body: name, display_name, role, unit)"))
		return
	}
	pw, info, err := s.addUser(c, p, b)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusCreated, gin.H{"user": info, "password": pw})
}
