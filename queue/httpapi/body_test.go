package httpapi_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"

	"yiting/queue"
)

func TestBodies(t *testing.T) {
	f := newFixture(t)
	f.open("w1")
	tenMB := `{"service":"` + strings.Repeat("a", 10<<20) + `"}`
	cases := []struct {
		name        string
		body        string
		contentType string
		status      int
		code        string
		msg         string
	}{
		{"malformed", `{"service":"petition"`, "application/json", 400, queue.EINVALID, "malformed JSON"},
		{"syntax error", `{"service":petition}`, "application/json", 400, queue.EINVALID, "offset"},
		{"unknown field", `{"service":"petition","vip":true}`, "application/json", 400, queue.EINVALID, `"vip"`},
		{"unknown nested field", `{"service":"petition","persons":[{"nickname":"张三"}]}`, "application/json", 400, queue.EINVALID, `"nickname"`},
		{"wrong type", `{"service":7}`, "application/json", 400, queue.EINVALID, "service"},
		{"two values", `{"service":"petition"} {"service":"consult"}`, "application/json", 400, queue.EINVALID, "more than one"},
		{"not JSON", `service=petition`, "application/x-www-form-urlencoded", 415, "unsupported_media_type", "application/json"},
		{"no content type", `{"service":"petition"}`, "", 415, "unsupported_media_type", "application/json"},
		{"10 MB", tenMB, "application/json", 413, "too_large", "65536"},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, chunked := range []bool{false, true} {
				var body io.Reader = strings.NewReader(c.body)
				if chunked {
					// Hide the length: the limit must hold while reading,
					// not only against Content-Length.
					body = iotest.HalfReader(strings.NewReader(c.body))
				}
				r := httptest.NewRequest("POST", "/api/v1/tickets", body)
				if chunked {
					r.ContentLength = -1
				}
				if c.contentType != "" {
					r.Header.Set("Content-Type", c.contentType)
				}
				r.Header.Set("Authorization", "Bearer "+secKiosk)
				r.Header.Set("Idempotency-Key", "body-"+string(rune('a'+i)))
				wantError(t, f.serve(r), c.status, c.code, c.msg)
			}
		})
	}
	if n := len(f.eng.Tickets(nil)); n != 0 {
		t.Errorf("%d tickets issued by bad bodies", n)
	}

	// Content-Type with a charset is JSON too.
	r := f.req("POST", "/api/v1/tickets", secKiosk, `{"service":"consult"}`, "Idempotency-Key", "ok-1", "Content-Type", "application/json; charset=utf-8")
	want(t, f.serve(r), http.StatusCreated, nil)
	// A command without parameters accepts no body, an empty object, or
	// an empty JSON body.
	want(t, f.do("POST", "/api/v1/counters/w1/call-next", secStaffW1, nil), http.StatusOK, nil)
	want(t, f.do("POST", "/api/v1/counters/w1/recall", secStaffW1, `{}`), http.StatusOK, nil)
	want(t, f.do("POST", "/api/v1/counters/w1/complete", secStaffW1, ``), http.StatusOK, nil)
	// A body just under the limit is read.
	pad := bytes.Repeat([]byte(" "), 64<<10-len(`{"reason":"午休"}`))
	want(t, f.do("POST", "/api/v1/counters/w1/pause", secStaffW1, append([]byte(`{"reason":"午休"}`), pad...)), http.StatusOK, nil)
}
