package countyweb_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"yiting/queue"
	"yiting/queue/access"
	"yiting/queue/county"
	"yiting/queue/sites"
	"yiting/tlspin"
)

// testPin is the pin of the hub's certificate in the fixture's registry.
var testPin = tlspin.Of([]byte("the hub's certificate"))

// send makes a request as role ("" for none): a form or JSON body.
func (f *fixture) send(role queue.Role, method, path, contentType, body string) *httptest.ResponseRecorder {
	f.t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	if s := f.secrets[role]; s != "" {
		if role.IsDevice() {
			r.Header.Set("Authorization", "Bearer "+s)
		} else {
			r.AddCookie(&http.Cookie{Name: access.CookieName, Value: s})
		}
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

const formType = "application/x-www-form-urlencoded"

func (f *fixture) registered() []string {
	f.t.Helper()
	list, err := f.reg.Sites(ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	var ids []string
	for _, s := range list {
		ids = append(ids, s.ID)
	}
	return ids
}

// Only the hub's admin opens the admin's page and changes the sites and
// accounts: supervisors and staff get 403, a device or nobody is sent to
// the login (pages) or gets 403 / 401 (API); nothing changes.
func TestCountyAdminRefusesOthers(t *testing.T) {
	f := newFixture(t)
	if _, err := f.reg.Add(ctx, queue.Principal{ID: "admin", Role: queue.RoleAdmin}, siteOf("421224109")); err != nil {
		t.Fatal(err)
	}
	site := url.Values{"id": {"421224110"}, "name": {"新站点综治中心"}}.Encode()
	user := url.Values{"name": {"county-sneak"}, "role": {"admin"}}.Encode()
	remove := url.Values{"confirm": {"421224109"}}.Encode()
	for _, role := range []queue.Role{queue.RoleSupervisor, queue.RoleStaff, queue.RoleDisplay, ""} {
		pageStatus, apiStatus := http.StatusForbidden, http.StatusForbidden
		if role == queue.RoleDisplay || role == "" {
			pageStatus = http.StatusSeeOther // to the login
		}
		if role == "" {
			apiStatus = http.StatusUnauthorized
		}
		for _, rq := range []struct{ method, path, ctype, body string }{
			{"GET", "/county/admin", "", ""},
			{"POST", "/county/admin/sites", formType, site},
			{"POST", "/county/admin/sites/421224109/remove", formType, remove},
			{"POST", "/county/admin/users", formType, user},
		} {
			w := f.send(role, rq.method, rq.path, rq.ctype, rq.body)
			if w.Code != pageStatus || strings.Contains(w.Body.String(), "seed") {
				t.Errorf("%q: %s %s: %d, want %d", role, rq.method, rq.path, w.Code, pageStatus)
			}
		}
		for _, rq := range []struct{ method, path, body string }{
			{"POST", "/api/v1/sites", `{"id":"421224110","name":"新站点综治中心"}`},
			{"DELETE", "/api/v1/sites/421224109", ""},
			{"GET", "/api/v1/county/users", ""},
			{"POST", "/api/v1/county/users", `{"name":"county-sneak","role":"admin"}`},
		} {
			w := f.send(role, rq.method, rq.path, "application/json", rq.body)
			if w.Code != apiStatus {
				t.Errorf("%q: %s %s: %d, want %d", role, rq.method, rq.path, w.Code, apiStatus)
			}
		}
	}
	if ids := f.registered(); len(ids) != 1 || ids[0] != "421224109" {
		t.Fatalf("after the refusals the sites are %v", ids)
	}
	if _, _, err := f.acc.Login(ctx, "county-sneak", "x", "127.0.0.1"); queue.ErrorCode(err) != queue.EUNAUTH {
		t.Fatalf("an account was made: %v", err)
	}
	// The bar links the page for the admin only.
	f.want(f.get(queue.RoleAdmin, "/county"), http.StatusOK, `href="/county/admin"`)
	if strings.Contains(f.get(queue.RoleSupervisor, "/county").Body.String(), `href="/county/admin"`) {
		t.Error("a supervisor's bar links the admin's page")
	}
}

// The admin adds a site on the page and gets its credentials file once,
// as a download, which a site can read; the registry records who added
// it; the same id again, a bad id and a removal without the id typed are
// refused with why; a removal with it removes the site. The API does the
// same.
func TestCountyAdminSites(t *testing.T) {
	f := newFixture(t)
	f.want(f.get(queue.RoleAdmin, "/county/admin"), http.StatusOK, `id="add-site"`, `id="add-user"`, "county-supervisor", "尚无站点")
	w := f.send(queue.RoleAdmin, "POST", "/county/admin/sites", formType,
		url.Values{"id": {"421224109"}, "name": {"杨芳林乡综治中心"}}.Encode())
	if w.Code != http.StatusOK || !strings.Contains(w.Header().Get("Content-Disposition"), `filename="421224109.creds"`) ||
		w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("add: %d %v", w.Code, w.Header())
	}
	path := filepath.Join(t.TempDir(), "county.creds")
	if err := os.WriteFile(path, w.Body.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := county.ReadCredentials(path)
	if err != nil || c.Site != "421224109" || c.HubPin != testPin {
		t.Fatalf("the file: %+v %v\n%s", c, err, w.Body)
	}
	list, err := f.reg.Sites(ctx)
	if err != nil || len(list) != 1 || list[0].By != "county-admin" || list[0].RegionCode != "421224109" || list[0].Name != "杨芳林乡综治中心" {
		t.Fatalf("registry: %+v %v", list, err)
	}
	body := f.want(f.get(queue.RoleAdmin, "/county/admin"), http.StatusOK, `data-site="421224109"`, "杨芳林乡综治中心", "county-admin")
	if strings.Contains(body, c.Seed) {
		t.Fatal("the page shows the site's seed")
	}

	for _, bad := range []struct {
		form url.Values
		says string
	}{
		{url.Values{"id": {"421224109"}, "name": {"再次添加"}}, "已存在"},
		{url.Values{"id": {"county"}, "name": {"县"}}, "站点编号"},
		{url.Values{"id": {"421224111"}}, "站点名称"},
		{url.Values{"id": {"x1"}, "name": {"某站"}, "region_code": {"12"}}, "区划代码"},
	} {
		w := f.send(queue.RoleAdmin, "POST", "/county/admin/sites", formType, bad.form.Encode())
		loc := w.Header().Get("Location")
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/county/admin?error=") {
			t.Fatalf("%v: %d to %q", bad.form, w.Code, loc)
		}
		f.want(f.get(queue.RoleAdmin, loc), http.StatusOK, `id="admin-error"`, bad.says)
	}
	w = f.send(queue.RoleAdmin, "POST", "/county/admin/sites/421224109/remove", formType, url.Values{"confirm": {"42122410"}}.Encode())
	if !strings.Contains(w.Header().Get("Location"), "error=") || len(f.registered()) != 1 {
		t.Fatalf("a removal without the id typed: %d to %q, sites %v", w.Code, w.Header().Get("Location"), f.registered())
	}
	w = f.send(queue.RoleAdmin, "POST", "/county/admin/sites/421224109/remove", formType, url.Values{"confirm": {"421224109"}}.Encode())
	if w.Header().Get("Location") != "/county/admin?removed=421224109" || len(f.registered()) != 0 {
		t.Fatalf("removal: %d to %q, sites %v", w.Code, w.Header().Get("Location"), f.registered())
	}
	f.want(f.get(queue.RoleAdmin, "/county/admin?removed=421224109"), http.StatusOK, `id="site-removed"`, "尚无站点")

	// The API.
	w = f.send(queue.RoleAdmin, "POST", "/api/v1/sites", "application/json", `{"id":"xiapu-2","name":"夏铺镇二站","region_code":"421224"}`)
	f.want(w, http.StatusCreated, `"site":"xiapu-2"`, "seed = 'SU")
	f.wantError(f.send(queue.RoleAdmin, "POST", "/api/v1/sites", "application/json", `{"id":"xiapu-2","name":"又一次"}`), http.StatusConflict, queue.ECONFLICT)
	f.wantError(f.send(queue.RoleAdmin, "POST", "/api/v1/sites", "application/json", `{"id":"a b","name":"坏编号"}`), http.StatusBadRequest, queue.EINVALID)
	if w := f.send(queue.RoleAdmin, "DELETE", "/api/v1/sites/xiapu-2", "", ""); w.Code != http.StatusNoContent || len(f.registered()) != 0 {
		t.Fatalf("delete: %d, sites %v", w.Code, f.registered())
	}
	f.wantError(f.send(queue.RoleAdmin, "DELETE", "/api/v1/sites/xiapu-2", "", ""), http.StatusNotFound, queue.ENOTFOUND)
}

// The admin makes a county account on the page: its one-time password
// is shown once on the answer, and its first login must set the person's
// own; a bad account is refused with why. The API does the same.
func TestCountyAdminUsers(t *testing.T) {
	f := newFixture(t)
	w := f.send(queue.RoleAdmin, "POST", "/county/admin/users", formType,
		url.Values{"name": {"county-zhang"}, "display_name": {"张科长"}, "role": {"staff"}, "unit": {"信访局"}}.Encode())
	body := f.want(w, http.StatusOK, `id="user-made"`, `data-user="county-zhang"`, "张科长")
	pw := between(body, `id="one-time-password">`, "<")
	if len(pw) < 8 || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("one-time password %q, headers %v", pw, w.Header())
	}
	if strings.Contains(f.get(queue.RoleAdmin, "/county/admin").Body.String(), pw) {
		t.Fatal("the page shows the password again")
	}
	lw := f.post("/login", url.Values{"user": {"county-zhang"}, "password": {pw}, "next": {"/county"}})
	if lw.Code != http.StatusSeeOther || !strings.HasPrefix(lw.Header().Get("Location"), "/password") {
		t.Fatalf("first login: %d to %q", lw.Code, lw.Header().Get("Location"))
	}
	for _, bad := range []url.Values{
		{"name": {"county-zhang"}, "role": {"supervisor"}}, // taken
		{"name": {"county-li"}, "role": {"kiosk"}},         // a device's role
		{"name": {"county-wang"}, "role": {"staff"}},       // staff without a unit
		{"name": {"1x"}, "role": {"supervisor"}},
	} {
		w := f.send(queue.RoleAdmin, "POST", "/county/admin/users", formType, bad.Encode())
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/county/admin?error=") {
			t.Fatalf("%v: %d to %q", bad, w.Code, w.Header().Get("Location"))
		}
	}
	w = f.send(queue.RoleAdmin, "POST", "/api/v1/county/users", "application/json", `{"name":"county-zhao","role":"supervisor"}`)
	f.want(w, http.StatusCreated, `"password":"`, `"name":"county-zhao"`)
	f.want(f.send(queue.RoleAdmin, "GET", "/api/v1/county/users", "", ""), http.StatusOK, `"county-zhao"`, `"county-zhang"`)
}

// between is the text of s after from up to to.
func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, to)
	return v
}

func siteOf(id string) sites.Site { return sites.Site{ID: id, Name: "站点 " + id} }
