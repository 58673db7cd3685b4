package httpapi

import (
	"context"
	"net/http"

	"github.com/gin-gonic/gin"

	"yiting/queue"
	"yiting/queue/access"
)

// UserAdmin manages staff accounts; *access.Service implements it. Every
// method checks that actor may (an enabled admin, or a user changing their
// own password with the current one) and returns EFORBIDDEN otherwise;
// ENOTFOUND for no such user; EINVALID for a bad name, role, counter or
// password; ECONFLICT for a taken name or the last admin;
// EUNAVAILABLE when the store fails.
type UserAdmin interface {
	ListUsers(ctx context.Context, actor queue.Principal) ([]access.UserInfo, error)
	CreateUser(ctx context.Context, actor queue.Principal, nu access.NewUser) (access.UserInfo, error)
	DisableUser(ctx context.Context, actor queue.Principal, name string) error
	EnableUser(ctx context.Context, actor queue.Principal, name string) error
	SetPassword(ctx context.Context, actor queue.Principal, name, oldPassword, newPassword string) error
	SetCounters(ctx context.Context, actor queue.Principal, name string, counters []string) error
	SetUnits(ctx context.Context, actor queue.Principal, name string, units []string) error
}

// TokenAdmin manages device tokens; *access.Service implements it. The
// secret of a new token is returned once, by CreateDeviceToken. Errors as
// UserAdmin's.
type TokenAdmin interface {
	ListTokens(ctx context.Context, actor queue.Principal) ([]access.TokenInfo, error)
	CreateDeviceToken(ctx context.Context, actor queue.Principal, role queue.Role, name, counterID string) (string, access.TokenInfo, error)
	RevokeToken(ctx context.Context, actor queue.Principal, id string) error
}

// AccountAdmin is what the admin endpoints need, and the hook through
// which the API closes the streams of a principal whose credentials end
// (OnRevoke: the event streams of a revoked token or a disabled user stop
// at once).
type AccountAdmin interface {
	UserAdmin
	TokenAdmin
	OnRevoke(f func(actor string))
}

// admin returns the account service or answers 503 when none is wired.
func (a *API) admin(c *gin.Context) (AccountAdmin, bool) {
	if a.accounts == nil {
		a.fail(c, queue.Errorf(queue.EUNAVAILABLE, "账号管理未启用 (account administration is not configured)"))
		return nil, false
	}
	return a.accounts, true
}

type usersResponse struct {
	Users []access.UserInfo `json:"users"`
}

func (a *API) listUsers(c *gin.Context, p queue.Principal) {
	ad, ok := a.admin(c)
	if !ok {
		return
	}
	us, err := ad.ListUsers(c.Request.Context(), p)
	if err != nil {
		a.fail(c, err)
		return
	}
	if us == nil {
		us = []access.UserInfo{}
	}
	writeJSON(c, http.StatusOK, usersResponse{Users: us})
}

type newUserBody struct {
	Name        string     `json:"name"`
	DisplayName string     `json:"display_name"`
	Role        queue.Role `json:"role"`
	Counters    []string   `json:"counters"`
	Units       []string   `json:"units"`
	Password    string     `json:"password"`
}

type userResponse struct {
	User access.UserInfo `json:"user"`
}

func (a *API) createUser(c *gin.Context, p queue.Principal) {
	ad, ok := a.admin(c)
	if !ok {
		return
	}
	var b newUserBody
	if !a.decode(c, &b) {
		return
	}
	u, err := ad.CreateUser(c.Request.Context(), p, access.NewUser{
		Name: b.Name, DisplayName: b.DisplayName, Role: b.Role, Counters: b.Counters, Units: b.Units, Password: b.Password,
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	writeJSON(c, http.StatusCreated, userResponse{User: u})
}

// userChange adapts a change of one user that answers 204.
func (a *API) userChange(c *gin.Context, p queue.Principal, run func(ctx context.Context, ad AccountAdmin, name string) error) {
	ad, ok := a.admin(c)
	if !ok {
		return
	}
	if err := run(c.Request.Context(), ad, c.Param("name")); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
	c.Writer.WriteHeaderNow()
}

func (a *API) disableUser(c *gin.Context, p queue.Principal) {
	if !a.decode(c, &noBody{}) {
		return
	}
	a.userChange(c, p, func(ctx context.Context, ad AccountAdmin, name string) error { return ad.DisableUser(ctx, p, name) })
}

func (a *API) enableUser(c *gin.Context, p queue.Principal) {
	if !a.decode(c, &noBody{}) {
		return
	}
	a.userChange(c, p, func(ctx context.Context, ad AccountAdmin, name string) error { return ad.EnableUser(ctx, p, name) })
}

type countersBody struct {
	Counters []string `json:"counters"`
}

func (a *API) setCounters(c *gin.Context, p queue.Principal) {
	var b countersBody
	if !a.decode(c, &b) {
		return
	}
	a.userChange(c, p, func(ctx context.Context, ad AccountAdmin, name string) error {
		return ad.SetCounters(ctx, p, name, b.Counters)
	})
}

type unitsBody struct {
	Units []string `json:"units"`
}

func (a *API) setUnits(c *gin.Context, p queue.Principal) {
	var b unitsBody
	if !a.decode(c, &b) {
		return
	}
	a.userChange(c, p, func(ctx context.Context, ad AccountAdmin, name string) error {
		return ad.SetUnits(ctx, p, name, b.Units)
	})
}

type passwordBody struct {
	OldPassword string `json:"old_password"` // required when changing one's own
	Password    string `json:"password"`
}

// setPassword sets a user's password: an admin anyone's, a user their own
// with old_password. Every session of that user ends.
func (a *API) setPassword(c *gin.Context, p queue.Principal) {
	var b passwordBody
	if !a.decode(c, &b) {
		return
	}
	a.userChange(c, p, func(ctx context.Context, ad AccountAdmin, name string) error {
		return ad.SetPassword(ctx, p, name, b.OldPassword, b.Password)
	})
}

// setOwnPassword is setPassword for the caller: any logged-in person,
// with the current password. The caller's session ends with the others;
// the cookie is cleared so the page goes to the login.
func (a *API) setOwnPassword(c *gin.Context, p queue.Principal) {
	ad, ok := a.admin(c)
	if !ok {
		return
	}
	var b passwordBody
	if !a.decode(c, &b) {
		return
	}
	if err := ad.SetPassword(c.Request.Context(), p, p.ID, b.OldPassword, b.Password); err != nil {
		a.fail(c, err)
		return
	}
	access.ClearSession(c.Writer, c.Request)
	c.Status(http.StatusNoContent)
	c.Writer.WriteHeaderNow()
}

type tokensResponse struct {
	Tokens []access.TokenInfo `json:"tokens"`
}

func (a *API) listTokens(c *gin.Context, p queue.Principal) {
	ad, ok := a.admin(c)
	if !ok {
		return
	}
	ts, err := ad.ListTokens(c.Request.Context(), p)
	if err != nil {
		a.fail(c, err)
		return
	}
	if ts == nil {
		ts = []access.TokenInfo{}
	}
	writeJSON(c, http.StatusOK, tokensResponse{Tokens: ts})
}

type newTokenBody struct {
	Role    queue.Role `json:"role"`
	Name    string     `json:"name"`
	Counter string     `json:"counter"`
}

type newTokenResponse struct {
	Token access.TokenInfo `json:"token"`
	// Secret is shown this once; only its hash is kept.
	Secret string `json:"secret"`
}

func (a *API) createToken(c *gin.Context, p queue.Principal) {
	ad, ok := a.admin(c)
	if !ok {
		return
	}
	var b newTokenBody
	if !a.decode(c, &b) {
		return
	}
	secret, ti, err := ad.CreateDeviceToken(c.Request.Context(), p, b.Role, b.Name, b.Counter)
	if err != nil {
		a.fail(c, err)
		return
	}
	writeJSON(c, http.StatusCreated, newTokenResponse{Token: ti, Secret: secret})
}

func (a *API) revokeToken(c *gin.Context, p queue.Principal) {
	if !a.decode(c, &noBody{}) {
		return
	}
	ad, ok := a.admin(c)
	if !ok {
		return
	}
	if err := ad.RevokeToken(c.Request.Context(), p, c.Param("id")); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
	c.Writer.WriteHeaderNow()
}
