package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/web"
)

// TestDeskQR: the console's QR drawing answers staff with an SVG of this
// hall's inquiry URLs only; a device or a foreign URL gets nothing drawn.
func TestDeskQR(t *testing.T) {
	f := newCaseFixture(t)
	drawn := ""
	pages, err := web.New(web.Options{Engine: f.eng, Auth: fakeAuth{}, Cases: f.book,
		QR: func(payload string) ([][]bool, error) {
			drawn = payload
			return [][]bool{{true, false}, {false, true}}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	pages.Register(mux)
	r, err := f.book.Register(context.Background(), queue.Principal{ID: "boss", Role: queue.RoleSupervisor},
		cases.RegisterRequest{ServiceID: "petition", Persons: []cases.Person{synthPerson(3)}, IdempotencyKey: "qr"})
	if err != nil {
		t.Fatal(err)
	}
	post := func(secret, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/console/qr", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+secret)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		return w
	}
	w := post(secStaff, `{"url":"`+r.URL+`"}`)
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "image/svg+xml" || !strings.Contains(w.Body.String(), "<path") || drawn != r.URL {
		t.Fatalf("staff: %d %q, drew %q", w.Code, w.Body, drawn)
	}
	drawn = ""
	for _, c := range []struct {
		secret, body string
		status       int
	}{
		{secDisplay, `{"url":"` + r.URL + `"}`, http.StatusUnauthorized},
		{secStaff, `{"url":"https://evil.example/c/` + strings.Repeat("A", cases.TokenLen) + `"}`, http.StatusBadRequest},
		{secStaff, `{"url":"http://yiting.local/c/short"}`, http.StatusBadRequest},
		{secStaff, `not json`, http.StatusBadRequest},
	} {
		if w := post(c.secret, c.body); w.Code != c.status {
			t.Errorf("%s %s: %d, want %d", c.secret, c.body, w.Code, c.status)
		}
	}
	if drawn != "" {
		t.Errorf("drew %q for a refused request", drawn)
	}
}
