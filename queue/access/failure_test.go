package access_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/access"
)

// failStore fails the writes named in fail, like a full or broken disk.
type failStore struct {
	access.Store
	fail map[string]bool
}

var errDisk = errors.New("disk I/O error")

func (f *failStore) err(op string) error {
	if f.fail[op] || f.fail["*"] {
		return errDisk
	}
	return nil
}

func (f *failStore) PutUser(ctx context.Context, u access.UserRecord) error {
	if err := f.err("PutUser"); err != nil {
		return err
	}
	return f.Store.PutUser(ctx, u)
}

func (f *failStore) PutSession(ctx context.Context, s access.SessionRecord) error {
	if err := f.err("PutSession"); err != nil {
		return err
	}
	return f.Store.PutSession(ctx, s)
}

func (f *failStore) DeleteSession(ctx context.Context, hash string) error {
	if err := f.err("DeleteSession"); err != nil {
		return err
	}
	return f.Store.DeleteSession(ctx, hash)
}

func (f *failStore) DeleteUserSessions(ctx context.Context, user string) (int, error) {
	if err := f.err("DeleteUserSessions"); err != nil {
		return 0, err
	}
	return f.Store.DeleteUserSessions(ctx, user)
}

func (f *failStore) PutToken(ctx context.Context, t access.TokenRecord) error {
	if err := f.err("PutToken"); err != nil {
		return err
	}
	return f.Store.PutToken(ctx, t)
}

// TestStorageFailureFailsClosed: when the disk fails, grants are refused
// with EUNAVAILABLE and revocations still take effect.
func TestStorageFailureFailsClosed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addUser("zhangsan", queue.RoleStaff, "chuangkou-3", "w3")
	e.addUser("lisi", queue.RoleStaff, "chuangkou-1", "w1")
	fs := &failStore{Store: e.db, fail: map[string]bool{}}
	svc, err := access.New(ctx, fs, e.opts)
	if err != nil {
		t.Fatal(err)
	}
	zs, _, _ := svc.Login(ctx, "zhangsan", "chuangkou-3", "")
	ls, _, _ := svc.Login(ctx, "lisi", "chuangkou-1", "")
	tok, info, _ := svc.CreateDeviceToken(ctx, e.admin, queue.RoleKiosk, "取号机", "")
	e.remember(zs, ls, tok)

	fs.fail["*"] = true
	wantCode(t, svc.Logout(ctx, zs), queue.EUNAVAILABLE)
	_, err = svc.Authenticate(ctx, zs)
	wantCode(t, err, queue.EUNAUTH)

	wantCode(t, svc.RevokeToken(ctx, e.admin, info.ID), queue.EUNAVAILABLE)
	_, err = svc.Authenticate(ctx, tok)
	wantCode(t, err, queue.EUNAUTH)

	wantCode(t, svc.DisableUser(ctx, e.admin, "lisi"), queue.EUNAVAILABLE)
	_, err = svc.Authenticate(ctx, ls)
	wantCode(t, err, queue.EUNAUTH)
	_, _, err = svc.Login(ctx, "lisi", "chuangkou-1", "")
	if code := queue.ErrorCode(err); code != queue.EFORBIDDEN {
		t.Errorf("login of a user whose disabling was not saved: %v", err)
	}

	s, _, err := svc.Login(ctx, "zhangsan", "chuangkou-3", "")
	wantCode(t, err, queue.EUNAVAILABLE)
	if s != "" {
		t.Error("a session that was not saved was handed out")
	}
	secret, _, err := svc.CreateDeviceToken(ctx, e.admin, queue.RoleDisplay, "显示屏", "")
	wantCode(t, err, queue.EUNAVAILABLE)
	if secret != "" {
		t.Error("a token that was not saved was handed out")
	}
	_, err = svc.CreateUser(ctx, e.admin, access.NewUser{Name: "wangwu", Role: queue.RoleSupervisor, Password: "dudao-2026"})
	wantCode(t, err, queue.EUNAVAILABLE)
	if users, _ := svc.ListUsers(ctx, e.admin); len(users) != 3 {
		t.Errorf("an unsaved user is listed: %+v", users)
	}
}

// TestPasswordChangeEndsSessionsDurably: the password is saved but its
// sessions cannot be deleted; after a restart they stay refused.
func TestPasswordChangeEndsSessionsDurably(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addUser("zhangsan", queue.RoleStaff, "chuangkou-3", "w3")
	old, _ := e.login("zhangsan", "chuangkou-3")
	e.clock.Advance(time.Minute)
	fs := &failStore{Store: e.db, fail: map[string]bool{"DeleteUserSessions": true}}
	svc, err := access.New(ctx, fs, e.opts)
	if err != nil {
		t.Fatal(err)
	}
	e.remember("new-password-1")
	wantCode(t, svc.SetPassword(ctx, e.admin, "zhangsan", "", "new-password-1"), queue.EUNAVAILABLE)
	_, err = svc.Authenticate(ctx, old)
	wantCode(t, err, queue.EUNAUTH)
	if _, _, err := svc.Login(ctx, "zhangsan", "new-password-1", ""); err != nil {
		t.Errorf("the saved password does not work: %v", err)
	}

	e.restart()
	_, err = e.svc.Authenticate(ctx, old)
	wantCode(t, err, queue.EUNAUTH)
	e.login("zhangsan", "new-password-1")
}
