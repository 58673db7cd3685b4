package access_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/access"
)

func TestLogin(t *testing.T) {
	e := newEnv(t)
	e.addUser("zhangsan", queue.RoleStaff, "chuangkou-3", "w3", "w1")
	e.addUser("lisi", queue.RoleSupervisor, "dudao-2026")
	e.addUser("wangwu", queue.RoleStaff, "tingyong-99", "w2")
	if err := e.svc.DisableUser(context.Background(), e.admin, "wangwu"); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name, user, password string
		code                 string
		want                 queue.Principal
	}{
		{"staff", "zhangsan", "chuangkou-3", "", queue.Principal{ID: "zhangsan", Name: "测试zhangsan", Role: queue.RoleStaff, Counters: []string{"w3", "w1"}}},
		{"name is case-folded and trimmed", " ZhangSan ", "chuangkou-3", "", queue.Principal{ID: "zhangsan", Name: "测试zhangsan", Role: queue.RoleStaff, Counters: []string{"w3", "w1"}}},
		{"supervisor", "lisi", "dudao-2026", "", queue.Principal{ID: "lisi", Name: "测试lisi", Role: queue.RoleSupervisor}},
		{"admin", "admin", adminPassword, "", queue.Principal{ID: "admin", Name: "管理员", Role: queue.RoleAdmin}},
		{"wrong password", "zhangsan", "chuangkou-4", queue.EUNAUTH, queue.Principal{}},
		{"password is case-sensitive", "zhangsan", "CHUANGKOU-3", queue.EUNAUTH, queue.Principal{}},
		{"empty password", "zhangsan", "", queue.EUNAUTH, queue.Principal{}},
		{"unknown user", "zhaoliu", "chuangkou-3", queue.EUNAUTH, queue.Principal{}},
		{"password with a suffix past 72 bytes", "zhangsan", "chuangkou-3" + strings.Repeat("x", 70), queue.EUNAUTH, queue.Principal{}},
		{"disabled user, right password", "wangwu", "tingyong-99", queue.EFORBIDDEN, queue.Principal{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			secret, p, err := e.svc.Login(context.Background(), tt.user, tt.password, "10.0.0."+tt.name)
			wantCode(t, err, tt.code)
			if tt.code != "" {
				if secret != "" {
					t.Errorf("a failed login returned a secret")
				}
				return
			}
			e.remember(secret)
			if !principalEqual(p, tt.want) {
				t.Errorf("Login principal = %+v, want %+v", p, tt.want)
			}
			got, err := e.svc.Authenticate(context.Background(), secret)
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if !principalEqual(got, tt.want) {
				t.Errorf("Authenticate principal = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestLoginUnknownAndWrongLookAlike(t *testing.T) {
	e := newEnv(t)
	e.addUser("zhangsan", queue.RoleStaff, "chuangkou-3", "w3")
	_, _, errWrong := e.svc.Login(context.Background(), "zhangsan", "nope-nope", "")
	_, _, errUnknown := e.svc.Login(context.Background(), "zhaoliu", "nope-nope", "")
	if queue.ErrorMessage(errWrong) != queue.ErrorMessage(errUnknown) || queue.ErrorCode(errWrong) != queue.ErrorCode(errUnknown) {
		t.Errorf("wrong password %v and unknown user %v can be told apart", errWrong, errUnknown)
	}
	if strings.Contains(e.logs.String(), "zhaoliu") {
		t.Errorf("an unknown user name was logged (it may be a password typed into the wrong field)")
	}
}

func TestAuthenticateRefuses(t *testing.T) {
	e := newEnv(t)
	secret, _ := e.login("admin", adminPassword)
	for _, s := range []string{"", "yts_", secret + "x", secret[:len(secret)-1], strings.ToUpper(secret), strings.Repeat("a", 10000)} {
		_, err := e.svc.Authenticate(context.Background(), s)
		wantCode(t, err, queue.EUNAUTH)
	}
}

func TestPrincipalIsACopy(t *testing.T) {
	e := newEnv(t)
	e.addUser("zhangsan", queue.RoleStaff, "chuangkou-3", "w3")
	secret, _ := e.login("zhangsan", "chuangkou-3")
	p, _ := e.svc.Authenticate(context.Background(), secret)
	p.Counters[0] = "w1"
	p, _ = e.svc.Authenticate(context.Background(), secret)
	if !slices.Equal(p.Counters, []string{"w3"}) {
		t.Errorf("a caller changed the cached principal: counters %v", p.Counters)
	}
}

func TestLogout(t *testing.T) {
	e := newEnv(t)
	e.addUser("zhangsan", queue.RoleStaff, "chuangkou-3", "w3")
	s1, _ := e.login("zhangsan", "chuangkou-3")
	s2, _ := e.login("zhangsan", "chuangkou-3")
	if err := e.svc.Logout(context.Background(), s1); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Authenticate(context.Background(), s1)
	wantCode(t, err, queue.EUNAUTH)
	if _, err := e.svc.Authenticate(context.Background(), s2); err != nil {
		t.Errorf("the other session ended too: %v", err)
	}
	if err := e.svc.Logout(context.Background(), s1); err != nil {
		t.Errorf("second logout: %v", err)
	}
	e.restart()
	_, err = e.svc.Authenticate(context.Background(), s1)
	wantCode(t, err, queue.EUNAUTH)
	if _, err := e.svc.Authenticate(context.Background(), s2); err != nil {
		t.Errorf("after restart: %v", err)
	}
}

func TestRateLimitPerUser(t *testing.T) {
	e := newEnv(t)
	e.addUser("zhangsan", queue.RoleStaff, "chuangkou-3", "w3")
	ctx := context.Background()
	fail := func(n int) {
		t.Helper()
		for range n {
			_, _, err := e.svc.Login(ctx, "zhangsan", "guess-guess", "10.0.0.9")
			wantCode(t, err, queue.EUNAUTH)
		}
	}
	locked := func(until time.Time) {
		t.Helper()
		_, _, err := e.svc.Login(ctx, "zhangsan", "chuangkou-3", "10.0.0.7")
		wantCode(t, err, queue.ETOOMANY)
		var le *access.LockedError
		if !errors.As(err, &le) || !le.Until.Equal(until) {
			t.Fatalf("locked error %v, want until %v", err, until)
		}
		if msg := queue.ErrorMessage(err); !strings.Contains(msg, "后再试") || !strings.Contains(msg, until.Add(59*time.Second).Format("15:04")) {
			t.Errorf("message %q does not say when to try again (%s)", msg, until.Format("15:04:05"))
		}
	}

	fail(4)
	e.clock.Advance(10 * time.Minute)
	fail(1) // the fifth within 15 minutes of each other: locked for a minute
	t0 := e.clock.Now()
	locked(t0.Add(time.Minute))
	e.clock.Advance(59 * time.Second)
	locked(t0.Add(time.Minute))

	e.clock.Advance(time.Second)
	fail(1) // the lock lifted; one more failure locks for two minutes
	t1 := e.clock.Now()
	locked(t1.Add(2 * time.Minute))
	e.clock.Advance(2 * time.Minute)
	fail(1)
	locked(e.clock.Now().Add(4 * time.Minute))
	e.clock.Advance(4 * time.Minute)

	// The right password after the lock: in, and the failures are gone.
	e.login("zhangsan", "chuangkou-3")
	fail(4)
	if _, _, err := e.svc.Login(ctx, "zhangsan", "chuangkou-3", "10.0.0.7"); err != nil {
		t.Fatalf("four failures after a success locked the user: %v", err)
	}
}

func TestRateLimitForgetsAfterQuietWindow(t *testing.T) {
	e := newEnv(t)
	e.addUser("zhangsan", queue.RoleStaff, "chuangkou-3", "w3")
	ctx := context.Background()
	for range 4 {
		_, _, err := e.svc.Login(ctx, "zhangsan", "guess-guess", "")
		wantCode(t, err, queue.EUNAUTH)
	}
	e.clock.Advance(15 * time.Minute)
	for range 4 {
		_, _, err := e.svc.Login(ctx, "zhangsan", "guess-guess", "")
		wantCode(t, err, queue.EUNAUTH)
	}
	if _, _, err := e.svc.Login(ctx, "zhangsan", "chuangkou-3", ""); err != nil {
		t.Fatalf("failures 15 minutes apart were counted together: %v", err)
	}
}

func TestRateLimitUnknownUser(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for range 5 {
		_, _, err := e.svc.Login(ctx, "nobody", "guess-guess", "10.0.0.1")
		wantCode(t, err, queue.EUNAUTH)
	}
	// An unknown name locks like a known one, so locking reveals nothing.
	_, _, err := e.svc.Login(ctx, "nobody", "guess-guess", "10.0.0.2")
	wantCode(t, err, queue.ETOOMANY)
}

func TestRateLimitPerAddress(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ip := "203.0.113.5"
	for i := range access.DefaultIPLimit().Failures {
		_, _, err := e.svc.Login(ctx, "user"+string(rune('a'+i)), "guess-guess", ip)
		wantCode(t, err, queue.EUNAUTH)
	}
	// A fresh name from the same address is refused, even the admin with the right password.
	_, _, err := e.svc.Login(ctx, "admin", adminPassword, ip)
	wantCode(t, err, queue.ETOOMANY)
	// Another address is not.
	if _, _, err := e.svc.Login(ctx, "admin", adminPassword, "203.0.113.6"); err != nil {
		t.Fatalf("another address was locked too: %v", err)
	}
	e.clock.Advance(time.Minute)
	if _, _, err := e.svc.Login(ctx, "admin", adminPassword, ip); err != nil {
		t.Fatalf("the address lock did not lift: %v", err)
	}
}

func principalEqual(a, b queue.Principal) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Role == b.Role && slices.Equal(a.Counters, b.Counters)
}
