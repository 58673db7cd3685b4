package httpapi_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"yiting/queue"
	"yiting/queue/access"
	"yiting/queue/httpapi"
)

// The real account service plugs in without an adapter.
var (
	_ httpapi.Authenticator = (*access.Service)(nil)
	_ httpapi.AccountAdmin  = (*access.Service)(nil)
)

const adminPassword = "Tongshan-2026!"

// withAccess wires the real access.Service on the fixture's bbolt store,
// with the first admin bootstrapped.
func withAccess(s *setup) {
	s.wire = func(f *fixture, o *httpapi.Options) {
		svc, err := access.New(context.Background(), f.store, access.Options{
			Now:        f.clock.Now,
			BcryptCost: bcrypt.MinCost,
			CounterExists: func(id string) bool {
				_, ok := f.hall.Counter(id)
				return ok
			},
		})
		if err != nil {
			f.t.Fatal(err)
		}
		if _, err := svc.Bootstrap(context.Background(), adminPassword); err != nil {
			f.t.Fatal(err)
		}
		o.Auth, o.Accounts = svc, svc
	}
}

func (f *fixture) login(user, password string) (token string, cookie *http.Cookie) {
	f.t.Helper()
	w := f.do("POST", "/api/v1/login", "", map[string]string{"user": user, "password": password})
	var lr struct {
		Token string `json:"token"`
	}
	want(f.t, w, http.StatusOK, &lr)
	for _, c := range w.Result().Cookies() {
		if c.Name == httpapi.CookieName {
			cookie = c
		}
	}
	if cookie == nil || cookie.Value != lr.Token || !strings.HasPrefix(lr.Token, "yts_") {
		f.t.Fatalf("login gave token %q and cookie %+v", lr.Token, cookie)
	}
	return lr.Token, cookie
}

// TestWithAccessService runs a day's setup with the real account
// service: the admin creates a clerk and device tokens, the devices and
// the clerk work, and revocations take effect at once.
func TestWithAccessService(t *testing.T) {
	f := newFixture(t, withAccess)
	srv := f.server()
	admin, _ := f.login("admin", adminPassword)

	var nu struct {
		User access.UserInfo `json:"user"`
	}
	want(t, f.do("POST", "/api/v1/admin/users", admin, map[string]any{
		"name": "clerk1", "display_name": "李*明", "role": "staff", "counters": []string{"w1"}, "password": "window-one-pass",
	}), http.StatusCreated, &nu)
	if nu.User.Name != "clerk1" || nu.User.Role != queue.RoleStaff {
		t.Fatalf("created %+v", nu.User)
	}
	wantError(t, f.do("POST", "/api/v1/admin/users", admin, map[string]any{
		"name": "clerk1", "role": "staff", "counters": []string{"w1"}, "password": "window-one-pass",
	}), http.StatusConflict, queue.ECONFLICT)
	wantError(t, f.do("POST", "/api/v1/admin/users", admin, map[string]any{
		"name": "clerk9", "role": "staff", "counters": []string{"w9"}, "password": "window-one-pass",
	}), http.StatusBadRequest, queue.EINVALID)

	type newToken struct {
		Token  access.TokenInfo `json:"token"`
		Secret string           `json:"secret"`
	}
	var display, kiosk newToken
	want(t, f.do("POST", "/api/v1/admin/tokens", admin, map[string]string{"role": "display", "name": "大厅显示屏"}), http.StatusCreated, &display)
	want(t, f.do("POST", "/api/v1/admin/tokens", admin, map[string]string{"role": "kiosk", "name": "一楼取号机"}), http.StatusCreated, &kiosk)
	if !strings.HasPrefix(display.Secret, "ytd_"+display.Token.ID) {
		t.Fatalf("display token %+v", display)
	}
	w := f.do("GET", "/api/v1/admin/tokens", admin, nil)
	var tl struct {
		Tokens []access.TokenInfo `json:"tokens"`
	}
	want(t, w, http.StatusOK, &tl)
	if len(tl.Tokens) != 2 || strings.Contains(w.Body.String(), display.Secret) {
		t.Fatalf("token list %s", w.Body)
	}
	var ul struct {
		Users []access.UserInfo `json:"users"`
	}
	want(t, f.do("GET", "/api/v1/admin/users", admin, nil), http.StatusOK, &ul)
	if len(ul.Users) != 2 || ul.Users[1].Name != "clerk1" {
		t.Fatalf("user list %+v", ul.Users)
	}

	// The clerk logs in in the browser; the devices use their tokens.
	_, clerk := f.login("clerk1", "window-one-pass")
	board := openStream(t, srv.URL+"/api/v1/events?token="+display.Secret)
	r := f.req("POST", "/api/v1/counters/w1/open", "", nil)
	r.AddCookie(clerk)
	want(t, f.serve(r), http.StatusOK, nil)
	var is issued
	want(t, f.do("POST", "/api/v1/tickets", kiosk.Secret, ticketBody(f.hall, "petition", 1), "Idempotency-Key", "tap-1"), http.StatusCreated, &is)
	r = f.req("POST", "/api/v1/counters/w1/call-next", "", nil)
	r.AddCookie(clerk)
	want(t, f.serve(r), http.StatusOK, nil)
	if _, ev := board.nextOf(queue.EventCalled); ev.Ticket.Number != is.Ticket.Number || ev.Actor != "clerk1" {
		t.Fatalf("the board saw %+v", ev)
	}
	// The clerk is no admin, and not at w2.
	r = f.req("GET", "/api/v1/admin/users", "", nil)
	r.AddCookie(clerk)
	wantError(t, f.serve(r), http.StatusForbidden, queue.EFORBIDDEN)
	r = f.req("POST", "/api/v1/counters/w2/open", "", nil)
	r.AddCookie(clerk)
	wantError(t, f.serve(r), http.StatusForbidden, queue.EFORBIDDEN)

	// Revoked and disabled: refused from that moment, and their open
	// event streams end at once (not at the next heartbeat).
	clerkStream := openStream(t, srv.URL+"/api/v1/events", "Cookie", httpapi.CookieName+"="+clerk.Value)
	want(t, f.do("POST", "/api/v1/admin/tokens/"+display.Token.ID+"/revoke", admin, nil), http.StatusNoContent, nil)
	board.ended(time.Second)
	wantError(t, f.do("GET", "/api/v1/queue", display.Secret, nil), http.StatusUnauthorized, queue.EUNAUTH, "吊销")
	want(t, f.do("POST", "/api/v1/admin/users/clerk1/disable", admin, nil), http.StatusNoContent, nil)
	clerkStream.ended(time.Second)
	r = f.req("GET", "/api/v1/me", "", nil)
	r.AddCookie(clerk)
	wantError(t, f.serve(r), http.StatusUnauthorized, queue.EUNAUTH)
	wantError(t, f.do("POST", "/api/v1/login", "", map[string]string{"user": "clerk1", "password": "window-one-pass"}), http.StatusForbidden, queue.EFORBIDDEN, "停用")
	want(t, f.do("POST", "/api/v1/admin/users/clerk1/enable", admin, nil), http.StatusNoContent, nil)
	want(t, f.do("PUT", "/api/v1/admin/users/clerk1/counters", admin, map[string]any{"counters": []string{"w1", "w2"}}), http.StatusNoContent, nil)
	want(t, f.do("POST", "/api/v1/admin/users/clerk1/password", admin, map[string]string{"password": "a-new-password"}), http.StatusNoContent, nil)
	clerkToken, _ := f.login("clerk1", "a-new-password")
	// A password an admin set works only to set one's own.
	wantError(t, f.do("POST", "/api/v1/counters/w2/open", clerkToken, nil), http.StatusForbidden, queue.EFORBIDDEN, "修改初始密码")
	want(t, f.do("GET", "/api/v1/me", clerkToken, nil), http.StatusOK, nil)

	// The clerk changes their own password; every session of theirs ends.
	wantError(t, f.do("POST", "/api/v1/me/password", clerkToken, map[string]string{"old_password": "wrong-password", "password": "third-password"}),
		http.StatusForbidden, queue.EFORBIDDEN)
	want(t, f.do("POST", "/api/v1/me/password", clerkToken, map[string]string{"old_password": "a-new-password", "password": "third-password"}), http.StatusNoContent, nil)
	wantError(t, f.do("GET", "/api/v1/me", clerkToken, nil), http.StatusUnauthorized, queue.EUNAUTH)
	clerkToken, _ = f.login("clerk1", "third-password")
	want(t, f.do("POST", "/api/v1/counters/w2/open", clerkToken, nil), http.StatusOK, nil)

	// Logout ends the admin's session.
	want(t, f.do("POST", "/api/v1/logout", admin, nil), http.StatusNoContent, nil)
	wantError(t, f.do("GET", "/api/v1/me", admin, nil), http.StatusUnauthorized, queue.EUNAUTH)
}

// TestLoginLockout: after repeated failures the real service locks the
// name and the API says until when.
func TestLoginLockout(t *testing.T) {
	f := newFixture(t, withAccess)
	lim := access.DefaultUserLimit()
	for i := range lim.Failures {
		wantError(t, f.do("POST", "/api/v1/login", "", map[string]string{"user": "admin", "password": "guess-" + strconv.Itoa(i)}),
			http.StatusUnauthorized, queue.EUNAUTH)
	}
	w := f.do("POST", "/api/v1/login", "", map[string]string{"user": "admin", "password": adminPassword})
	wantError(t, w, http.StatusTooManyRequests, queue.ETOOMANY, "后再试")
	if got, wantSecs := w.Header().Get("Retry-After"), strconv.Itoa(int(lim.Delay.Seconds())); got != wantSecs {
		t.Errorf("Retry-After %q, want %s", got, wantSecs)
	}
	f.clock.Advance(lim.Delay)
	f.login("admin", adminPassword)
}

func TestAdminWithoutAccounts(t *testing.T) {
	f := newFixture(t)
	wantError(t, f.do("GET", "/api/v1/admin/users", secAdmin, nil), http.StatusServiceUnavailable, queue.EUNAVAILABLE, "not configured")
	wantError(t, f.do("POST", "/api/v1/admin/tokens", secAdmin, map[string]string{"role": "display", "name": "x"}), http.StatusServiceUnavailable, queue.EUNAVAILABLE)
}
