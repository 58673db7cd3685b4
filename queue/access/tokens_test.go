package access_test

import (
	"context"
	"regexp"
	"slices"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/access"
)

func TestDeviceTokens(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tests := []struct {
		role     queue.Role
		name     string
		counter  string
		counters []string
	}{
		{queue.RoleKiosk, "大厅取号机", "", nil},
		{queue.RoleDisplay, "大厅显示屏", "", nil},
		{queue.RolePad, "3号窗口评价器", "w3", []string{"w3"}},
	}
	format := regexp.MustCompile(`^ytd_([0-9a-f]{8})_[A-Za-z0-9_-]{43}$`)
	for _, tt := range tests {
		t.Run(string(tt.role), func(t *testing.T) {
			secret, info, err := e.svc.CreateDeviceToken(ctx, e.admin, tt.role, tt.name, tt.counter)
			if err != nil {
				t.Fatal(err)
			}
			e.remember(secret)
			m := format.FindStringSubmatch(secret)
			if m == nil || m[1] != info.ID {
				t.Fatalf("token %q does not have the form ytd_<id %s>_<43 characters>", secret, info.ID)
			}
			p, err := e.svc.Authenticate(ctx, secret)
			if err != nil {
				t.Fatal(err)
			}
			want := queue.Principal{ID: info.ID, Name: tt.name, Role: tt.role, Counters: tt.counters}
			if !principalEqual(p, want) {
				t.Errorf("principal %+v, want %+v", p, want)
			}
			if tt.role == queue.RolePad && (!p.CanWatch() || p.CanOperate("w3") || p.CanIssue()) {
				t.Errorf("a pad may do more than watch: %+v", p)
			}
		})
	}
}

func TestRevokedTokenRefusedAtOnce(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	kiosk, ki := e.token(queue.RoleKiosk, "取号机", "")
	e.clock.Advance(time.Second)
	pad, _ := e.token(queue.RolePad, "1号窗口评价器", "w1")
	if _, err := e.svc.Authenticate(ctx, kiosk); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.RevokeToken(ctx, e.admin, ki.ID); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Authenticate(ctx, kiosk)
	wantCode(t, err, queue.EUNAUTH)
	if err := e.svc.RevokeToken(ctx, e.admin, ki.ID); err != nil {
		t.Errorf("revoking twice: %v", err)
	}
	wantCode(t, e.svc.RevokeToken(ctx, e.admin, "00000000"), queue.ENOTFOUND)

	e.restart()
	_, err = e.svc.Authenticate(ctx, kiosk)
	wantCode(t, err, queue.EUNAUTH)
	if _, err := e.svc.Authenticate(ctx, pad); err != nil {
		t.Errorf("the other token stopped working: %v", err)
	}
	list, err := e.svc.ListTokens(ctx, e.admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != ki.ID || list[0].Revoked.IsZero() || list[0].RevokedBy != "admin" || !list[1].Revoked.IsZero() {
		t.Errorf("ListTokens after revoking = %+v", list)
	}
}

func TestCreateDeviceTokenRefuses(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addUser("lisi", queue.RoleSupervisor, "dudao-2026")
	_, sup := e.login("lisi", "dudao-2026")
	kiosk, _ := e.token(queue.RoleKiosk, "取号机", "")
	kp, err := e.svc.Authenticate(ctx, kiosk)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		actor   queue.Principal
		role    queue.Role
		dev     string
		counter string
		code    string
	}{
		{"pad without a counter", e.admin, queue.RolePad, "评价器", "", queue.EINVALID},
		{"pad at an unknown counter", e.admin, queue.RolePad, "评价器", "w9", queue.EINVALID},
		{"kiosk with a counter", e.admin, queue.RoleKiosk, "取号机", "w1", queue.EINVALID},
		{"a person's role", e.admin, queue.RoleStaff, "窗口", "w1", queue.EINVALID},
		{"made-up role", e.admin, queue.Role("printer"), "打印机", "", queue.EINVALID},
		{"no name", e.admin, queue.RoleDisplay, "  ", "", queue.EINVALID},
		{"control character in name", e.admin, queue.RoleDisplay, "显示\x1b屏", "", queue.EINVALID},
		{"supervisor", sup, queue.RoleKiosk, "取号机", "", queue.EFORBIDDEN},
		{"kiosk", kp, queue.RoleKiosk, "取号机", "", queue.EFORBIDDEN},
		{"forged admin principal", queue.Principal{ID: "lisi", Role: queue.RoleAdmin}, queue.RoleKiosk, "取号机", "", queue.EFORBIDDEN},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret, _, err := e.svc.CreateDeviceToken(ctx, tt.actor, tt.role, tt.dev, tt.counter)
			wantCode(t, err, tt.code)
			if secret != "" {
				t.Errorf("a refused token came with a secret")
			}
		})
	}
	for _, who := range []queue.Principal{sup, kp} {
		_, err := e.svc.ListTokens(ctx, who)
		wantCode(t, err, queue.EFORBIDDEN)
		_, err = e.svc.ListUsers(ctx, who)
		wantCode(t, err, queue.EFORBIDDEN)
	}
	list, _ := e.svc.ListTokens(ctx, e.admin)
	if len(list) != 1 || !slices.ContainsFunc(list, func(ti access.TokenInfo) bool { return ti.Role == queue.RoleKiosk }) {
		t.Errorf("refused tokens were stored: %+v", list)
	}
}
