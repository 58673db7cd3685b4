package tlspin_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"yiting/tlspin"
)

// A client trusts the server of its pin and refuses any other; a pin that
// is not a SHA-256 is refused before any connection.
func TestConfig(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	get := func(pin string) error {
		cfg, err := tlspin.Config(pin)
		if err != nil {
			t.Fatal(err)
		}
		c := &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}}
		resp, err := c.Get(srv.URL)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := get(tlspin.Of(srv.Certificate().Raw)); err != nil {
		t.Fatalf("the pinned server: %v", err)
	}
	// httptest's servers share one certificate: a pin of another
	// certificate must fail.
	wrong := strings.Repeat("ab", 32)
	if err := get(wrong); !errors.Is(err, tlspin.ErrMismatch) {
		t.Fatalf("another pin: %v", err)
	}
	for _, bad := range []string{"", "abc", strings.Repeat("zz", 32)} {
		if _, err := tlspin.Config(bad); err == nil {
			t.Errorf("pin %q accepted", bad)
		}
	}
}
