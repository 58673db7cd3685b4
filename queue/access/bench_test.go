package access_test

import (
	"context"
	"fmt"
	"testing"

	"yiting/queue"
)

// BenchmarkAuthenticate measures the per-request cost: go test -run XXX
// -bench Authenticate ./queue/access/
func BenchmarkAuthenticate(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	// A busy hall: 40 staff sessions and 60 devices.
	var secrets []string
	for i := range 40 {
		name := fmt.Sprintf("staff%02d", i)
		e.addUser(name, queue.RoleStaff, "chuangkou-pw", "w1", "w2")
		s, _ := e.login(name, "chuangkou-pw")
		secrets = append(secrets, s)
	}
	for i := range 60 {
		s, _ := e.token(queue.RolePad, fmt.Sprintf("评价器%02d", i), "w3")
		secrets = append(secrets, s)
	}
	session, pad := secrets[0], secrets[len(secrets)-1]

	b.Run("session", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.svc.Authenticate(ctx, session); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("token", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.svc.Authenticate(ctx, pad); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("refused", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := e.svc.Authenticate(ctx, "yts_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"); err == nil {
				b.Fatal("accepted")
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := e.svc.Authenticate(ctx, secrets[i%len(secrets)]); err != nil {
					b.Error(err)
					return
				}
				i++
			}
		})
	})
}
