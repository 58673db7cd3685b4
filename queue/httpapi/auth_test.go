package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"yiting/queue"
	"yiting/queue/httpapi"
)

func TestCredentialsRequired(t *testing.T) {
	f := newFixture(t)
	endpoints := []struct{ method, path string }{
		{"GET", "/api/v1/services"},
		{"GET", "/api/v1/counters"},
		{"GET", "/api/v1/queue"},
		{"GET", "/api/v1/tickets/1"},
		{"GET", "/api/v1/tickets/by-number/A001"},
		{"POST", "/api/v1/tickets"},
		{"POST", "/api/v1/counters/w1/call-next"},
		{"GET", "/api/v1/events"},
		{"GET", "/api/v1/me"},
		{"POST", "/api/v1/logout"},
		{"GET", "/api/v1/admin/users"},
	}
	for _, e := range endpoints {
		t.Run(e.method+" "+e.path, func(t *testing.T) {
			w := f.do(e.method, e.path, "", nil, "Idempotency-Key", "k")
			wantError(t, w, http.StatusUnauthorized, queue.EUNAUTH, "请先登录")
			if !strings.HasPrefix(w.Header().Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without WWW-Authenticate: Bearer")
			}
			wantError(t, f.do(e.method, e.path, secExpired, nil), http.StatusUnauthorized, queue.EUNAUTH, "登录已过期")
			wantError(t, f.do(e.method, e.path, secRevoked, nil), http.StatusUnauthorized, queue.EUNAUTH, "吊销")
			wantError(t, f.do(e.method, e.path, "", nil, "Authorization", "Basic a2lvc2s6cHc="), http.StatusUnauthorized, queue.EUNAUTH, "Bearer")
		})
	}
	// A secret in the query string is for the event stream only.
	wantError(t, f.do("GET", "/api/v1/queue?token="+secDisplay, "", nil), http.StatusUnauthorized, queue.EUNAUTH)
	// The open endpoints.
	want(t, f.do("GET", "/healthz", "", nil), http.StatusOK, nil)
	want(t, f.do("GET", "/api/v1/openapi.json", "", nil), http.StatusOK, nil)
	if n := len(f.eng.Tickets(nil)); n != 0 {
		t.Errorf("%d tickets issued without credentials", n)
	}
}

func TestLoginCookieLogout(t *testing.T) {
	f := newFixture(t)
	wantError(t, f.do("POST", "/api/v1/login", "", map[string]string{"user": "clerk1", "password": "wrong"}),
		http.StatusUnauthorized, queue.EUNAUTH, "用户名或密码错误")
	wantError(t, f.do("POST", "/api/v1/login", "", map[string]string{"user": "clerk1"}), http.StatusBadRequest, queue.EINVALID)

	w := f.do("POST", "/api/v1/login", "", map[string]string{"user": "clerk1", "password": "right-password"})
	var lr struct {
		Principal struct {
			ID       string     `json:"id"`
			Role     queue.Role `json:"role"`
			Counters []string   `json:"counters"`
		} `json:"principal"`
		Token string `json:"token"`
	}
	want(t, w, http.StatusOK, &lr)
	if lr.Principal.ID != "clerk1" || lr.Principal.Role != queue.RoleStaff || len(lr.Principal.Counters) != 1 || lr.Token != secStaffW1 {
		t.Fatalf("login answered %+v", lr)
	}
	var ck *http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == httpapi.CookieName {
			ck = c
		}
	}
	if ck == nil || ck.Value != secStaffW1 || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" {
		t.Fatalf("session cookie %+v, want HttpOnly SameSite=Strict on /", ck)
	}

	// The page's requests carry the cookie only.
	r := f.req("POST", "/api/v1/counters/w1/open", "", nil)
	r.AddCookie(ck)
	want(t, f.serve(r), http.StatusOK, nil)
	r = f.req("GET", "/api/v1/me", "", nil)
	r.AddCookie(ck)
	want(t, f.serve(r), http.StatusOK, nil)

	r = f.req("POST", "/api/v1/logout", "", nil)
	r.AddCookie(ck)
	w = f.serve(r)
	want(t, w, http.StatusNoContent, nil)
	cleared := false
	for _, c := range w.Result().Cookies() {
		cleared = cleared || (c.Name == httpapi.CookieName && c.MaxAge < 0)
	}
	if !cleared {
		t.Error("logout did not clear the cookie")
	}
	if len(f.auth.logouts) != 1 || f.auth.logouts[0] != secStaffW1 {
		t.Errorf("logout ended %v, want the cookie's session", f.auth.logouts)
	}
}

func TestLoginLockedSaysWhen(t *testing.T) {
	f := newFixture(t)
	w := f.do("POST", "/api/v1/login", "", map[string]string{"user": "locked", "password": "x"})
	wantError(t, w, http.StatusTooManyRequests, queue.ETOOMANY, "登录失败次数过多")
	if got := w.Header().Get("Retry-After"); got != "90" {
		t.Errorf("Retry-After %q, want 90", got)
	}
}

// TestCrossSiteRefused: a page on another site cannot make a logged-in
// clerk's browser run commands.
func TestCrossSiteRefused(t *testing.T) {
	f := newFixture(t)
	r := f.req("POST", "/api/v1/counters/w1/open", "", nil, "Sec-Fetch-Site", "cross-site", "Origin", "http://evil.example")
	r.AddCookie(&http.Cookie{Name: httpapi.CookieName, Value: secStaffW1})
	wantError(t, f.serve(r), http.StatusForbidden, queue.EFORBIDDEN, "cross-origin")
	if cs, _ := f.eng.Counter("w1"); cs.Status != queue.CounterClosed {
		t.Errorf("a cross-site request opened w1")
	}
	// The same page on the same origin works.
	r = f.req("POST", "/api/v1/counters/w1/open", "", nil, "Sec-Fetch-Site", "same-origin")
	r.AddCookie(&http.Cookie{Name: httpapi.CookieName, Value: secStaffW1})
	want(t, f.serve(r), http.StatusOK, nil)
}

func TestPanicIsA500(t *testing.T) {
	f := newFixture(t)
	wantError(t, f.do("GET", "/api/v1/queue", secPanic, nil), http.StatusInternalServerError, queue.EINTERNAL, "系统内部错误")
	if !strings.Contains(f.logs.String(), "fake authenticator exploded") {
		t.Error("the panic was not logged")
	}
	want(t, f.do("GET", "/api/v1/queue", secDisplay, nil), http.StatusOK, nil)
}

// TestLogHasNoSecrets: the request log names the route, never the
// credentials, the query or the body.
func TestLogHasNoSecrets(t *testing.T) {
	f := newFixture(t)
	f.do("GET", "/api/v1/queue", secDisplay, nil)
	r := f.req("GET", "/api/v1/me", "", nil)
	r.AddCookie(&http.Cookie{Name: httpapi.CookieName, Value: secSuper})
	f.serve(r)
	f.do("POST", "/api/v1/login", "", map[string]string{"user": "clerk1", "password": "right-password"})
	f.do("GET", "/api/v1/tickets/by-number/A001?token="+secAdmin, secKiosk, nil)
	logs := f.logs.String()
	for _, s := range []string{secDisplay, secSuper, secStaffW1, secAdmin, secKiosk, "right-password"} {
		if strings.Contains(logs, s) {
			t.Errorf("the log contains %q:\n%s", s, logs)
		}
	}
	if !strings.Contains(logs, "route=/api/v1/tickets/by-number/:number") || !strings.Contains(logs, "status=404") {
		t.Errorf("the request log lacks route and status:\n%s", logs)
	}
}
