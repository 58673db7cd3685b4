package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"yiting/queue/httpapi"
)

// The case list and page: staff pages only; an ID number is searched only
// by POST from this site (never from an address), and the page shows
// masked names only.
func TestWorklistAndCasePage(t *testing.T) {
	f := newCaseFixture(t)
	code := f.register("petition", 1)
	person := synthPerson(1)

	w := f.get("/cases", secSuper)
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	if !strings.Contains(body, `data-code="`+code+`"`) || strings.Contains(body, person.Name) {
		t.Fatalf("the list lacks the case or shows the full name")
	}
	for _, sec := range []string{secDisplay, secPad, ""} {
		if w := f.get("/cases", sec); w.Code != http.StatusSeeOther {
			t.Errorf("%q: status %d, want 303 to the login", sec, w.Code)
		}
		if w := f.get("/cases/"+code, sec); w.Code != http.StatusSeeOther {
			t.Errorf("%q: case page status %d, want 303 to the login", sec, w.Code)
		}
	}

	// An ID number in the address is ignored: the list is the plain one.
	other := f.register("petition", 2)
	w = f.get("/cases?id_number="+url.QueryEscape(person.IDNumber), secSuper)
	if !strings.Contains(w.Body.String(), other) {
		t.Error("an ID number in the address filtered the list")
	}
	post := func(origin string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/cases", strings.NewReader(url.Values{"id_number": {person.IDNumber}, "stage": {"all"}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r.AddCookie(&http.Cookie{Name: httpapi.CookieName, Value: secSuper})
		if origin != "" {
			r.Header.Set("Origin", origin)
			r.Header.Set("Sec-Fetch-Site", "cross-site")
		}
		w := httptest.NewRecorder()
		f.mux.ServeHTTP(w, r)
		return w
	}
	w = post("")
	wantStatus(t, w, http.StatusOK)
	if b := w.Body.String(); !strings.Contains(b, code) || strings.Contains(b, `data-code="`+other+`"`) || strings.Contains(b, person.IDNumber) {
		t.Errorf("search by ID: the list should hold %s alone and not echo the number", code)
	}
	if w := post("http://evil.example"); w.Code != http.StatusForbidden {
		t.Errorf("a cross-site search: status %d", w.Code)
	}
	if w := f.get("/cases?due=later", secSuper); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "期限筛选无效") {
		t.Errorf("a bad filter: status %d", w.Code)
	}

	w = f.get("/cases/"+code, secSuper)
	wantStatus(t, w, http.StatusOK)
	if b := w.Body.String(); !strings.Contains(b, "受理期限") || strings.Contains(b, person.Name) || !strings.Contains(b, `data-cmd="supervisions"`) {
		t.Errorf("the case page: %.400s", b)
	}
	wrong := "0"
	if strings.HasSuffix(code, "0") {
		wrong = "1"
	}
	if w := f.get("/cases/"+code[:len(code)-1]+wrong, secSuper); w.Code != http.StatusBadRequest {
		t.Errorf("a wrong check character: status %d, want 400", w.Code)
	}
	wantStatus(t, f.get("/dashboard/audit", secSuper), http.StatusOK)
	wantStatus(t, f.get("/dashboard/audit", secStaff), http.StatusForbidden)
}

func TestUnitsPage(t *testing.T) {
	f := newCaseFixture(t)
	f.register("petition", 1)
	w := f.get("/dashboard/units?period=2026-Q4", secSuper)
	wantStatus(t, w, http.StatusOK)
	if b := w.Body.String(); !strings.Contains(b, "2026年第4季度") || !strings.Contains(b, "全中心") || !strings.Contains(b, "按期办结率") {
		t.Errorf("the units page: %.400s", b)
	}
	w = f.get("/dashboard/units.csv?period=2026", secAdmin)
	wantStatus(t, w, http.StatusOK)
	if b := w.Body.String(); !strings.HasPrefix(b, "\ufeff") || !strings.Contains(b, "全中心") {
		t.Errorf("the units CSV: %.300s", b)
	}
	for _, bad := range []string{"2026-Q5", "26", "2026-13", "2026-1x"} {
		if w := f.get("/dashboard/units?period="+bad, secSuper); w.Code != http.StatusBadRequest {
			t.Errorf("period %q: status %d", bad, w.Code)
		}
	}
	wantStatus(t, f.get("/dashboard/units", secStaff), http.StatusForbidden)
}

// A person whose password someone else set is sent to set their own
// before any staff page.
func TestMustChangePasswordFirst(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/console", "/admin", "/cases", "/dashboard"} {
		w := f.get(path, secNewbie)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/password?next="+url.QueryEscape(path) {
			t.Errorf("%s: %d → %q", path, w.Code, w.Header().Get("Location"))
		}
	}
	w := f.get("/password?next=%2Fadmin", secNewbie)
	wantStatus(t, w, http.StatusOK)
	if !strings.Contains(w.Body.String(), `id="must-change"`) {
		t.Error("the password page does not say why")
	}
	if w := f.get("/password", secStaff); w.Code != http.StatusOK || strings.Contains(w.Body.String(), `id="must-change"`) {
		t.Errorf("a clerk changing their password by choice: %d", w.Code)
	}
	if w := f.get("/password", ""); w.Code != http.StatusSeeOther {
		t.Errorf("no session: %d", w.Code)
	}
}
