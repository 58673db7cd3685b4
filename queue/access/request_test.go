package access_test

import (
	"testing"

	"yiting/queue/access"
)

// SafeNext keeps a path on this server and refuses every way out to
// another site, and the login page itself.
func TestSafeNext(t *testing.T) {
	for next, want := range map[string]string{
		"/cases?stage=all":       "/cases?stage=all",
		"":                       "/home",
		"//evil.example/x":       "/home",
		"https://evil.example/x": "/home",
		"/\\evil.example":        "/home",
		"cases":                  "/home",
		"/login?next=/x":         "/home",
	} {
		if got := access.SafeNext(next, "/home"); got != want {
			t.Errorf("SafeNext(%q) = %q, want %q", next, got, want)
		}
	}
}
