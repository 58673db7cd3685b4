package access_test

import (
	"context"
	"testing"

	"yiting/queue"
)

// FuzzAuthenticate feeds arbitrary strings where a secret is expected:
// nothing but the issued secrets may get in, and nothing may panic.
func FuzzAuthenticate(f *testing.F) {
	e := newEnv(f)
	session, _ := e.login("admin", adminPassword)
	token, _ := e.token(queue.RoleKiosk, "取号机", "")
	for _, s := range []string{session, token, "", "yts_", "ytd_00000000_", session[:len(session)-1] + "A", token + "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := e.svc.Authenticate(context.Background(), s)
		if s == session || s == token {
			if err != nil {
				t.Fatalf("issued secret refused: %v", err)
			}
			return
		}
		if err == nil || queue.ErrorCode(err) != queue.EUNAUTH {
			t.Fatalf("Authenticate(%q) = %+v, %v", s, p, err)
		}
		if err := e.svc.Logout(context.Background(), s); err != nil {
			t.Fatalf("Logout(%q): %v", s, err)
		}
	})
}
