package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Every page speaks Chinese first, names the hall, and carries the
// headers that keep its token and its scripts its own.
func TestPagesAreChineseAndLockedDown(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/board", "/pad", "/login", "/"} {
		t.Run(path, func(t *testing.T) {
			w := f.get(path, "")
			wantStatus(t, w, http.StatusOK)
			body := w.Body.String()
			if !strings.Contains(body, `<html lang="zh-CN">`) || !strings.Contains(body, "测试综治中心") {
				t.Errorf("not a Chinese page of the hall: %.300s", body)
			}
			h := w.Header()
			if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
			if h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("headers %v", h)
			}
			if strings.Contains(body, "<script>") || strings.Contains(body, "onclick=") {
				t.Error("inline script: the content security policy would block it")
			}
			if path == "/" {
				for _, link := range []string{`href="/board"`, `href="/console"`, `href="/pad"`, `href="/dashboard"`, `href="/admin"`, `href="/kiosk"`} {
					if !strings.Contains(body, link) {
						t.Errorf("the index lacks %s", link)
					}
				}
				return
			}
			d := pageData(t, body)
			if d["hall"] != "测试综治中心" || d["version"] != "v9.9.9" || len(d["services"].([]any)) != 3 || len(d["counters"].([]any)) != 3 {
				t.Errorf("page data %v", d)
			}
		})
	}
}

func TestBoardOptions(t *testing.T) {
	f := newFixture(t)
	d := pageData(t, f.get("/board", "").Body.String())
	if d["repeat"] != 2.0 || d["voice"] != "auto" || d["server_speech"] != true {
		t.Errorf("defaults: repeat %v voice %v server_speech %v", d["repeat"], d["voice"], d["server_speech"])
	}
	d = pageData(t, f.get("/board?repeat=1&voice=browser", "").Body.String())
	if d["repeat"] != 1.0 || d["voice"] != "browser" {
		t.Errorf("?repeat=1&voice=browser: %v %v", d["repeat"], d["voice"])
	}
	for _, q := range []string{"repeat=0", "repeat=6", "repeat=x", "voice=loud"} {
		w := f.get("/board?"+q, "")
		wantStatus(t, w, http.StatusBadRequest)
		if !strings.Contains(w.Body.String(), "参数错误") {
			t.Errorf("%s: %s", q, w.Body)
		}
	}
	nf := newFixture(t, func(o *fixtureOpts) { o.noSpeech = true })
	if d := pageData(t, nf.get("/board", "").Body.String()); d["server_speech"] != false {
		t.Errorf("without a synthesizer the board must use the browser's voice: %v", d["server_speech"])
	}
}

// Staff pages need a session of the right role: none goes to the login
// page and comes back; a device token is not a session; the wrong role
// gets a Chinese 403.
func TestStaffPagesNeedTheirRole(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		path, secret string
		status       int
	}{
		{"/console", "", http.StatusSeeOther},
		{"/console", secDisplay, http.StatusSeeOther},
		{"/console", "expired-session", http.StatusSeeOther},
		{"/console", secStaff, http.StatusOK},
		{"/console", secSuper, http.StatusOK},
		{"/dashboard", "", http.StatusSeeOther},
		{"/dashboard", secStaff, http.StatusForbidden},
		{"/dashboard", secSuper, http.StatusOK},
		{"/dashboard", secAdmin, http.StatusOK},
		{"/dashboard/export.csv", secStaff, http.StatusForbidden},
		{"/dashboard/export.csv", secPad, http.StatusSeeOther},
		{"/admin", secSuper, http.StatusForbidden},
		{"/admin", secAdmin, http.StatusOK},
	}
	for _, c := range cases {
		w := f.get(c.path, c.secret)
		if w.Code != c.status {
			t.Errorf("%s as %q: %d, want %d", c.path, c.secret, w.Code, c.status)
			continue
		}
		switch c.status {
		case http.StatusSeeOther:
			if loc := w.Header().Get("Location"); loc != "/login?next="+url.QueryEscape(c.path) {
				t.Errorf("%s as %q: redirected to %q", c.path, c.secret, loc)
			}
		case http.StatusForbidden:
			if !strings.Contains(w.Body.String(), "没有权限") {
				t.Errorf("%s as %q: %s", c.path, c.secret, w.Body)
			}
		}
	}
	// The console tells the script who is there.
	d := pageData(t, f.get("/console", secStaff).Body.String())
	me := d["me"].(map[string]any)
	if me["id"] != "zhangsan" || me["role"] != "staff" || len(me["counters"].([]any)) != 1 {
		t.Errorf("console me: %v", me)
	}
}

// The admin page shows the effective configuration read-only, escaped.
func TestAdminShowsConfiguration(t *testing.T) {
	f := newFixture(t)
	body := f.get("/admin", secAdmin).Body.String()
	if !strings.Contains(body, `name = &#34;测试综治中心&#34;`) {
		t.Errorf("configuration not shown (escaped): %.2000s", body)
	}
}

// Logging in again goes straight on; next= stays on this server.
func TestLoginNext(t *testing.T) {
	f := newFixture(t)
	w := f.get("/login?next=%2Fdashboard%3Frange%3Dweek", secSuper)
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/dashboard?range=week" {
		t.Errorf("logged-in redirect to %q", loc)
	}
	for next, want := range map[string]string{
		"":                      "/console",
		"/admin":                "/admin",
		"/dashboard?range=week": "/dashboard?range=week",
		"//evil.example/x":      "/console",
		"https://evil.example/": "/console",
		"/\\evil.example":       "/console",
		"javascript:alert(1)":   "/console",
		"dashboard":             "/console",
	} {
		d := pageData(t, f.get("/login?next="+url.QueryEscape(next), "").Body.String())
		if d["next"] != want {
			t.Errorf("next=%q: page goes to %q, want %q", next, d["next"], want)
		}
	}
}

func TestAssets(t *testing.T) {
	f := newFixture(t)
	for file, ct := range map[string]string{"board.js": "text/javascript", "common.css": "text/css", "console.js": "text/javascript"} {
		w := f.get("/ui/"+file, "")
		wantStatus(t, w, http.StatusOK)
		if !strings.HasPrefix(w.Header().Get("Content-Type"), ct) || w.Header().Get("ETag") == "" {
			t.Errorf("%s: %v", file, w.Header())
		}
		wantStatus(t, f.conditional("/ui/"+file, w.Header().Get("ETag")), http.StatusNotModified)
	}
	wantStatus(t, f.get("/ui/nope.js", ""), http.StatusNotFound)
	wantStatus(t, f.get("/ui/..%2fweb.go", ""), http.StatusNotFound)
}
