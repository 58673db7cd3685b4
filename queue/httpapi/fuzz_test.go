package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// FuzzIssueBody throws arbitrary bodies at POST /api/v1/tickets: every
// answer is a defined status with the JSON error shape, never a 500, and
// a 201 means a ticket exists.
//
//	go test -run '^$' -fuzz FuzzIssueBody -fuzztime 20s ./queue/httpapi/
func FuzzIssueBody(f *testing.F) {
	for _, seed := range []string{
		`{"service":"petition"}`,
		`{"service":"consult","priority":"elderly","visitor":{"key":"k","masked_name":"张*"}}`,
		`{"service":"petition","target_counter":"w1"}`,
		`{"service":"petition"`,
		`{"service":"petition","x":1}`,
		`{"visitor":{"masked_name":"张三丰"},"service":"petition"}`,
		`[1,2,3]`,
		`null`,
		``,
		`{"service":"\u0000"}`,
		`{"service":"petition"} {}`,
	} {
		f.Add([]byte(seed), "application/json")
	}
	f.Add([]byte(`service=petition`), "application/x-www-form-urlencoded")
	fx := newFixture(f)
	n := 0
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		n++
		r := httptest.NewRequest("POST", "/api/v1/tickets", bytes.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+secKiosk)
		r.Header.Set("Idempotency-Key", "fuzz-"+strconv.Itoa(n))
		r.Header.Set("Content-Type", contentType)
		w := fx.serve(r)
		switch w.Code {
		case http.StatusCreated:
			var is issued
			if err := json.Unmarshal(w.Body.Bytes(), &is); err != nil {
				t.Fatalf("201 with body %q: %v", w.Body, err)
			}
			if _, err := fx.eng.TicketByNumber(is.Ticket.Number); err != nil {
				t.Fatalf("201 for %s, which the engine does not know", is.Ticket.Number)
			}
		case http.StatusBadRequest, http.StatusNotFound, http.StatusUnsupportedMediaType, http.StatusRequestEntityTooLarge, http.StatusConflict:
			var e apiError
			if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
				t.Fatalf("%d with body %q", w.Code, w.Body)
			}
		default:
			t.Fatalf("status %d for body %q (%s): %s", w.Code, body, contentType, w.Body)
		}
	})
}
