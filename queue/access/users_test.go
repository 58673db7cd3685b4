package access_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"yiting/queue"
	"yiting/queue/access"
)

func TestCreateUserRefuses(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addUser("zhangsan", queue.RoleStaff, "chuangkou-3", "w3")
	_, staff := e.login("zhangsan", "chuangkou-3")
	ok := access.NewUser{Name: "lisi", Role: queue.RoleStaff, Counters: []string{"w1"}, Password: "chuangkou-1"}
	with := func(f func(*access.NewUser)) access.NewUser { u := ok; f(&u); return u }
	tests := []struct {
		name  string
		actor queue.Principal
		u     access.NewUser
		code  string
	}{
		{"not an admin", staff, ok, queue.EFORBIDDEN},
		{"name taken", e.admin, with(func(u *access.NewUser) { u.Name = "ZhangSan" }), queue.ECONFLICT},
		{"one-letter name", e.admin, with(func(u *access.NewUser) { u.Name = "l" }), queue.EINVALID},
		{"name starting with a digit", e.admin, with(func(u *access.NewUser) { u.Name = "9lisi" }), queue.EINVALID},
		{"name with a space", e.admin, with(func(u *access.NewUser) { u.Name = "li si" }), queue.EINVALID},
		{"Chinese name as login", e.admin, with(func(u *access.NewUser) { u.Name = "李四" }), queue.EINVALID},
		{"name too long", e.admin, with(func(u *access.NewUser) { u.Name = strings.Repeat("l", 33) }), queue.EINVALID},
		{"password of 9", e.admin, with(func(u *access.NewUser) { u.Password = "x7#kq2pwz" }), queue.EINVALID},
		{"password of 9 Chinese characters", e.admin, with(func(u *access.NewUser) { u.Password = "综治中心一厅通山县" }), queue.EINVALID},
		{"a common password", e.admin, with(func(u *access.NewUser) { u.Password = "Password1234" }), queue.EINVALID},
		{"one character repeated", e.admin, with(func(u *access.NewUser) { u.Password = "zzzzzzzzzzzz" }), queue.EINVALID},
		{"password over 72 bytes", e.admin, with(func(u *access.NewUser) { u.Password = strings.Repeat("密", 25) }), queue.EINVALID},
		{"staff without counter", e.admin, with(func(u *access.NewUser) { u.Counters = nil }), queue.EINVALID},
		{"staff at unknown counter", e.admin, with(func(u *access.NewUser) { u.Counters = []string{"w1", "w9"} }), queue.EINVALID},
		{"supervisor with counter", e.admin, with(func(u *access.NewUser) { u.Role = queue.RoleSupervisor }), queue.EINVALID},
		{"device role", e.admin, with(func(u *access.NewUser) { u.Role = queue.RoleKiosk; u.Counters = nil }), queue.EINVALID},
		{"display name too long", e.admin, with(func(u *access.NewUser) { u.DisplayName = strings.Repeat("张", 33) }), queue.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.CreateUser(ctx, tt.actor, tt.u)
			wantCode(t, err, tt.code)
		})
	}
	users, _ := e.svc.ListUsers(ctx, e.admin)
	if len(users) != 2 {
		t.Errorf("refused users were stored: %+v", users)
	}
	// The same account, valid: accepted, counters de-duplicated, a
	// Chinese password of 10 characters is fine.
	info, err := e.svc.CreateUser(ctx, e.admin, with(func(u *access.NewUser) {
		u.Counters = []string{"w1", "w2", "w1"}
		u.Password = "综治中心一厅通山县城"
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(info.Counters, []string{"w1", "w2"}) || info.DisplayName != "lisi" || info.CreatedBy != "admin" {
		t.Errorf("CreateUser = %+v", info)
	}
	e.login("lisi", "综治中心一厅通山县城")
}

func TestSetPassword(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addUser("zhangsan", queue.RoleStaff, "chuangkou-3", "w3")
	e.addUser("lisi", queue.RoleStaff, "chuangkou-1", "w1")
	s1, zs := e.login("zhangsan", "chuangkou-3")
	_, ls := e.login("lisi", "chuangkou-1")
	e.remember("new-password-1", "new-password-2")

	wantCode(t, e.svc.SetPassword(ctx, zs, "zhangsan", "wrong-old", "new-password-1"), queue.EFORBIDDEN)
	wantCode(t, e.svc.SetPassword(ctx, ls, "zhangsan", "", "new-password-1"), queue.EFORBIDDEN)
	wantCode(t, e.svc.SetPassword(ctx, zs, "zhangsan", "chuangkou-3", "short"), queue.EINVALID)
	wantCode(t, e.svc.SetPassword(ctx, e.admin, "nobody", "", "new-password-1"), queue.ENOTFOUND)
	if _, err := e.svc.Authenticate(ctx, s1); err != nil {
		t.Fatalf("a refused change ended the session: %v", err)
	}

	if err := e.svc.SetPassword(ctx, zs, "zhangsan", "chuangkou-3", "new-password-1"); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Authenticate(ctx, s1)
	wantCode(t, err, queue.EUNAUTH)
	_, _, err = e.svc.Login(ctx, "zhangsan", "chuangkou-3", "")
	wantCode(t, err, queue.EUNAUTH)
	e.login("zhangsan", "new-password-1")

	// An admin resets someone else's without the old one.
	if err := e.svc.SetPassword(ctx, e.admin, "zhangsan", "", "new-password-2"); err != nil {
		t.Fatal(err)
	}
	e.restart()
	e.login("zhangsan", "new-password-2")
}

func TestSetPasswordOldPasswordIsRateLimited(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addUser("zhangsan", queue.RoleStaff, "chuangkou-3", "w3")
	_, zs := e.login("zhangsan", "chuangkou-3")
	for range access.DefaultUserLimit().Failures {
		wantCode(t, e.svc.SetPassword(ctx, zs, "zhangsan", "guess-guess", "new-password-1"), queue.EFORBIDDEN)
	}
	wantCode(t, e.svc.SetPassword(ctx, zs, "zhangsan", "chuangkou-3", "new-password-1"), queue.ETOOMANY)
	_, _, err := e.svc.Login(ctx, "zhangsan", "chuangkou-3", "")
	wantCode(t, err, queue.ETOOMANY)
}

func TestDisableUser(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addUser("zhangsan", queue.RoleStaff, "chuangkou-3", "w3")
	s1, _ := e.login("zhangsan", "chuangkou-3")
	if err := e.svc.DisableUser(ctx, e.admin, "zhangsan"); err != nil {
		t.Fatal(err)
	}
	_, err := e.svc.Authenticate(ctx, s1)
	wantCode(t, err, queue.EUNAUTH)
	if err := e.svc.DisableUser(ctx, e.admin, "zhangsan"); err != nil {
		t.Errorf("disabling twice: %v", err)
	}
	e.restart()
	_, err = e.svc.Authenticate(ctx, s1)
	wantCode(t, err, queue.EUNAUTH)
	_, _, err = e.svc.Login(ctx, "zhangsan", "chuangkou-3", "")
	wantCode(t, err, queue.EFORBIDDEN)

	if err := e.svc.EnableUser(ctx, e.admin, "zhangsan"); err != nil {
		t.Fatal(err)
	}
	e.login("zhangsan", "chuangkou-3")
	_, err = e.svc.Authenticate(ctx, s1)
	wantCode(t, err, queue.EUNAUTH) // old sessions stay ended
}

func TestLastAdminCannotBeDisabled(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	wantCode(t, e.svc.DisableUser(ctx, e.admin, "admin"), queue.ECONFLICT)
	e.addUser("admin2", queue.RoleAdmin, "second-admin")
	if err := e.svc.DisableUser(ctx, e.admin, "admin"); err != nil {
		t.Fatalf("disabling one of two admins: %v", err)
	}
	_, a2 := e.login("admin2", "second-admin")
	wantCode(t, e.svc.DisableUser(ctx, a2, "admin2"), queue.ECONFLICT)
	// The disabled admin's principal no longer works for admin calls.
	_, err := e.svc.ListUsers(ctx, e.admin)
	wantCode(t, err, queue.EFORBIDDEN)
}

func TestSetCountersReachesLiveSessions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addUser("zhangsan", queue.RoleStaff, "chuangkou-3", "w3")
	s, _ := e.login("zhangsan", "chuangkou-3")
	if err := e.svc.SetCounters(ctx, e.admin, "zhangsan", []string{"w1", "w2"}); err != nil {
		t.Fatal(err)
	}
	p, err := e.svc.Authenticate(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if !p.CanOperate("w1") || p.CanOperate("w3") {
		t.Errorf("after rebinding, principal %+v", p)
	}
	wantCode(t, e.svc.SetCounters(ctx, e.admin, "zhangsan", nil), queue.EINVALID)
	wantCode(t, e.svc.SetCounters(ctx, e.admin, "admin", []string{"w1"}), queue.EINVALID)
	wantCode(t, e.svc.SetCounters(ctx, e.admin, "nobody", []string{"w1"}), queue.ENOTFOUND)
}

// A dispatched unit's liaison belongs to the unit without a counter: the
// principal carries the unit, the book learns it by name (UserUnits), and
// staff keep a counter or a unit at every step; others are bound to none.
func TestUnitsOfStaff(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.svc.CreateUser(ctx, e.admin, access.NewUser{Name: "liaison", Role: queue.RoleStaff,
		Units: []string{"自然资源和规划局", " 自然资源和规划局"}, Password: "lianluoyuan-1"})
	if err != nil {
		t.Fatal(err)
	}
	e.remember("lianluoyuan-1")
	s, p := e.login("liaison", "lianluoyuan-1")
	if !slices.Equal(p.Units, []string{"自然资源和规划局"}) || len(p.Counters) != 0 {
		t.Fatalf("liaison principal %+v", p)
	}
	if got := e.svc.UserUnits("liaison"); !slices.Equal(got, []string{"自然资源和规划局"}) {
		t.Errorf("UserUnits = %v", got)
	}
	wantCode(t, e.svc.SetUnits(ctx, e.admin, "liaison", []string{"国土局"}), queue.EINVALID)
	wantCode(t, e.svc.SetUnits(ctx, e.admin, "liaison", nil), queue.EINVALID) // neither counter nor unit
	if err := e.svc.SetCounters(ctx, e.admin, "liaison", []string{"w1"}); err != nil {
		t.Fatal(err)
	}
	if err := e.svc.SetUnits(ctx, e.admin, "liaison", []string{"农业农村局"}); err != nil {
		t.Fatal(err)
	}
	p, err = e.svc.Authenticate(ctx, s)
	if err != nil || !slices.Equal(p.Units, []string{"农业农村局"}) || !p.CanOperate("w1") {
		t.Errorf("after rebinding: %+v, %v", p, err)
	}
	if err := e.svc.SetUnits(ctx, e.admin, "liaison", nil); err != nil { // the counter remains
		t.Fatal(err)
	}
	_, err = e.svc.CreateUser(ctx, e.admin, access.NewUser{Name: "boss2", Role: queue.RoleSupervisor,
		Units: []string{"农业农村局"}, Password: "dudao-zhuguan-2"})
	wantCode(t, err, queue.EINVALID)
	if err := e.svc.DisableUser(ctx, e.admin, "liaison"); err != nil {
		t.Fatal(err)
	}
	if got := e.svc.UserUnits("liaison"); got != nil {
		t.Errorf("a disabled account still lends its units: %v", got)
	}
}

// An account made with a one-time password logs in with it once, must
// set its own before anything else, and the one-time password then no
// longer works.
func TestCreateUserOneTime(t *testing.T) {
	e := newEnv(t)
	s, ctx := e.svc, context.Background()
	pw, info, err := s.CreateUserOneTime(ctx, e.admin, access.NewUser{Name: "county-boss", Role: queue.RoleSupervisor})
	e.remember(pw)
	if err != nil || info.Name != "county-boss" || len(pw) < 20 {
		t.Fatalf("%q %+v %v", pw, info, err)
	}
	_, p, err := s.Login(ctx, "county-boss", pw, "127.0.0.1")
	if err != nil || !p.MustChangePassword {
		t.Fatalf("first login: %+v %v", p, err)
	}
	if err := s.SetPassword(ctx, p, "county-boss", pw, "my-own-password-7"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Login(ctx, "county-boss", pw, "127.0.0.1"); queue.ErrorCode(err) != queue.EUNAUTH {
		t.Fatalf("the one-time password still works: %v", err)
	}
}
