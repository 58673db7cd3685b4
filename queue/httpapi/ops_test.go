package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"yiting/queue"
)

func TestHealthz(t *testing.T) {
	var healthErr error
	f := newFixture(t, func(s *setup) {
		s.api.Version = "1.2.3"
		s.api.Health = func(ctx context.Context) error { return healthErr }
	})
	var h struct {
		Status  string `json:"status"`
		Version string `json:"version"`
	}
	want(t, f.do("GET", "/healthz", "", nil), http.StatusOK, &h)
	if h.Status != "ok" || h.Version != "1.2.3" {
		t.Errorf("healthz %+v", h)
	}
	healthErr = errors.New("boltstore: disk full at /var/lib/yiting")
	w := f.do("GET", "/healthz", "", nil)
	wantError(t, w, http.StatusServiceUnavailable, queue.EUNAVAILABLE)
	if strings.Contains(w.Body.String(), "disk full") {
		t.Errorf("healthz shows the cause to anyone: %s", w.Body)
	}
	if !strings.Contains(f.logs.String(), "disk full") {
		t.Error("the cause of the failed health check was not logged")
	}
}

// TestMetrics: the named series exist and say what happened; /metrics
// is open to the Pi itself and to admins and supervisors only.
func TestMetrics(t *testing.T) {
	f := newFixture(t)
	srv := f.server()
	f.open("w1")
	f.issue("petition")
	f.issue("petition")
	f.issue("consult")
	f.cmd(secStaffW1, "w1", "call-next", nil)
	f.do("POST", "/api/v1/counters/w1/complete", secStaffW2, nil) // 403
	board := openStream(t, srv.URL+"/api/v1/events", "Authorization", "Bearer "+secDisplay)
	<-board.comments // connected

	body := scrape(t, srv.URL+"/metrics") // loopback, no credentials
	for _, series := range []string{
		`yiting_http_requests_total{method="POST",route="/api/v1/tickets",status="201"} 3`,
		`yiting_http_requests_total{method="POST",route="/api/v1/counters/:id/complete",status="403"} 1`,
		`yiting_http_request_duration_seconds_count{method="POST",route="/api/v1/tickets"} 3`,
		`yiting_http_request_duration_seconds_bucket{method="POST",route="/api/v1/tickets",le="0.02"}`,
		`yiting_tickets_issued_total{service="petition"} 2`,
		`yiting_tickets_issued_total{service="consult"} 1`,
		`yiting_tickets_issued_total{service="medical"} 0`,
		`yiting_waiting_tickets{service="petition"} 1`,
		`yiting_waiting_tickets{service="consult"} 1`,
		`yiting_sse_clients 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, series) {
			t.Errorf("/metrics lacks %s", series)
		}
	}

	// The board leaves: the gauge goes back to 0, the stream is counted
	// as a request, and its hours-long duration stays out of the latency
	// histogram. A hijacked stream's request is counted when the handler
	// hands the connection over, the gauge when its goroutine sees the
	// close: wait for both.
	board.close()
	deadline := time.Now().Add(hang)
	for {
		body = scrape(t, srv.URL+"/metrics")
		if strings.Contains(body, `yiting_http_requests_total{method="GET",route="/api/v1/events",status="200"} 1`) &&
			strings.Contains(body, "yiting_sse_clients 0") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the closed stream was never counted, or yiting_sse_clients never went back to 0:\n%s", body)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if strings.Contains(body, `yiting_http_request_duration_seconds_count{method="GET",route="/api/v1/events"}`) {
		t.Error("event streams distort the latency histogram")
	}

	// From another machine: credentials, and the right role.
	wantError(t, f.do("GET", "/metrics", "", nil), http.StatusUnauthorized, queue.EUNAUTH)
	wantError(t, f.do("GET", "/metrics", secKiosk, nil), http.StatusForbidden, queue.EFORBIDDEN)
	want(t, f.do("GET", "/metrics", secSuper, nil), http.StatusOK, nil)
	// Through a proxy on the Pi, loopback is not enough.
	r := f.req("GET", "/metrics", "", nil, "X-Forwarded-For", "192.0.2.7")
	r.RemoteAddr = "127.0.0.1:40000"
	wantError(t, f.serve(r), http.StatusUnauthorized, queue.EUNAUTH)
}

// TestOpenAPIMatchesRoutes: every route registered is documented and
// every documented path is registered, so they cannot drift.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	f := newFixture(t)
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	w := f.do("GET", "/api/v1/openapi.json", "", nil)
	want(t, w, http.StatusOK, nil)
	if w.Body.String() != string(raw) {
		t.Error("the served document differs from openapi.json")
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("openapi.json is not valid JSON: %v", err)
	}
	if !regexp.MustCompile(`^3\.0\.\d+$`).MatchString(doc.OpenAPI) {
		t.Fatalf("openapi %q, want 3.0.x", doc.OpenAPI)
	}

	param := regexp.MustCompile(`:([A-Za-z_]+)`)
	var routes []string
	for _, r := range f.h.(*gin.Engine).Routes() {
		routes = append(routes, r.Method+" "+param.ReplaceAllString(r.Path, "{$1}"))
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			switch method {
			case "get", "put", "post", "delete", "patch", "head", "options":
				documented = append(documented, strings.ToUpper(method)+" "+path)
			}
		}
	}
	slices.Sort(routes)
	slices.Sort(documented)
	for _, r := range routes {
		if _, ok := slices.BinarySearch(documented, r); !ok {
			t.Errorf("route %s is not in openapi.json", r)
		}
	}
	for _, d := range documented {
		if _, ok := slices.BinarySearch(routes, d); !ok {
			t.Errorf("openapi.json documents %s, which is not registered", d)
		}
	}
	if len(routes) < 30 {
		t.Errorf("only %d routes: the comparison is not looking at the router", len(routes))
	}

	// Every $ref points at something in the document.
	var all any
	if err := json.Unmarshal(raw, &all); err != nil {
		t.Fatal(err)
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "$ref" {
					if !resolves(all, s) {
						t.Errorf("$ref %s does not resolve", s)
					}
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(all)
}

// scrape GETs url without credentials and returns the 200 body.
func scrape(t testing.TB, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	return string(body)
}

func resolves(doc any, ref string) bool {
	if !strings.HasPrefix(ref, "#/") {
		return false
	}
	cur := doc
	for _, part := range strings.Split(ref[2:], "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[part]; !ok {
			return false
		}
	}
	return true
}

// TestStorageFailureIs503: when the disk refuses the commit, the kiosk is
// told to retry (503), not that the request was wrong.
func TestStorageFailureIs503(t *testing.T) {
	f := newFixture(t)
	// Closing the engine is the one storage-side failure reachable from
	// outside: commands then fail with EUNAVAILABLE.
	f.eng.Close()
	wantError(t, f.do("POST", "/api/v1/tickets", secKiosk, ticketBody(f.hall, "petition", 1), "Idempotency-Key", "x"),
		http.StatusServiceUnavailable, queue.EUNAVAILABLE, "稍后重试")
}

// TestQuietRequestLog: with RequestLogLevel Debug under an Info handler,
// only the requests that went wrong reach the journal.
func TestQuietRequestLog(t *testing.T) {
	var buf syncBuffer
	f := newFixture(t, func(s *setup) {
		s.log = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
		s.api.RequestLogLevel = slog.LevelDebug
	})
	want(t, f.do("GET", "/api/v1/queue", secDisplay, nil), http.StatusOK, nil)
	wantError(t, f.do("GET", "/api/v1/tickets/by-number/A404", secDisplay, nil), http.StatusNotFound, queue.ENOTFOUND)
	logs := buf.String()
	if strings.Contains(logs, "route=/api/v1/queue") {
		t.Errorf("a successful request was logged at Info:\n%s", logs)
	}
	if !strings.Contains(logs, "level=WARN msg=\"http request\" method=GET route=/api/v1/tickets/by-number/:number status=404") {
		t.Errorf("the 404 was not logged as a warning:\n%s", logs)
	}
}
