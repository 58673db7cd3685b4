package access_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"yiting/queue"
)

// TestConcurrentUse runs requests against logins, logouts, token
// revocations, rebinding and sweeps at once (meant for -race), and checks
// that what is revoked is refused as soon as the call returns while
// everything else keeps working.
func TestConcurrentUse(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for i := range 4 {
		e.addUser(fmt.Sprintf("staff%d", i), queue.RoleStaff, "chuangkou-pw", "w1")
	}
	var stable []string
	for i := range 4 {
		s, _ := e.login(fmt.Sprintf("staff%d", i), "chuangkou-pw")
		stable = append(stable, s)
	}
	kiosk, _ := e.token(queue.RoleKiosk, "取号机", "")
	stable = append(stable, kiosk)

	const rounds = 200
	var wg sync.WaitGroup
	for r := range 6 {
		wg.Go(func() {
			for i := range rounds * 5 {
				s := stable[(r+i)%len(stable)]
				if _, err := e.svc.Authenticate(ctx, s); err != nil {
					t.Errorf("a live credential was refused: %v", err)
					return
				}
				if _, err := e.svc.Authenticate(ctx, "yts_not-a-session"); err == nil {
					t.Errorf("junk accepted")
					return
				}
			}
		})
	}
	for w := range 2 {
		wg.Go(func() {
			user := fmt.Sprintf("staff%d", w)
			for range rounds / 4 {
				s, _, err := e.svc.Login(ctx, user, "chuangkou-pw", fmt.Sprintf("10.0.1.%d", w))
				if err != nil {
					t.Errorf("Login: %v", err)
					return
				}
				e.remember(s)
				if _, err := e.svc.Authenticate(ctx, s); err != nil {
					t.Errorf("fresh session refused: %v", err)
				}
				if err := e.svc.Logout(ctx, s); err != nil {
					t.Errorf("Logout: %v", err)
				}
				if _, err := e.svc.Authenticate(ctx, s); err == nil {
					t.Errorf("a logged-out session was accepted")
				}
			}
		})
	}
	wg.Go(func() {
		for i := range rounds / 4 {
			secret, info, err := e.svc.CreateDeviceToken(ctx, e.admin, queue.RolePad, fmt.Sprintf("评价器%d", i), "w2")
			if err != nil {
				t.Errorf("CreateDeviceToken: %v", err)
				return
			}
			if p, err := e.svc.Authenticate(ctx, secret); err != nil || p.Counters[0] != "w2" {
				t.Errorf("new token: %+v, %v", p, err)
			}
			if err := e.svc.RevokeToken(ctx, e.admin, info.ID); err != nil {
				t.Errorf("RevokeToken: %v", err)
			}
			if _, err := e.svc.Authenticate(ctx, secret); err == nil {
				t.Errorf("a revoked token was accepted")
			}
		}
	})
	wg.Go(func() {
		for i := range rounds / 4 {
			cs := []string{"w1"}
			if i%2 == 1 {
				cs = []string{"w1", "w3"}
			}
			if err := e.svc.SetCounters(ctx, e.admin, "staff3", cs); err != nil {
				t.Errorf("SetCounters: %v", err)
			}
			if _, err := e.svc.Sweep(ctx); err != nil {
				t.Errorf("Sweep: %v", err)
			}
			if _, err := e.svc.ListUsers(ctx, e.admin); err != nil {
				t.Errorf("ListUsers: %v", err)
			}
			e.clock.Advance(20 * time.Second) // makes sessions slide now and then
		}
	})
	wg.Wait()
}
