package access_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/access"
)

func TestSessionExpiresAndSlides(t *testing.T) {
	e := newEnv(t)
	e.opts.SessionMax = 30 * 24 * time.Hour // the sliding end alone; the absolute one below
	e.restart()
	e.addUser("zhangsan", queue.RoleStaff, "chuangkou-3", "w3")
	ctx := context.Background()
	idle, _ := e.login("zhangsan", "chuangkou-3")
	used, _ := e.login("zhangsan", "chuangkou-3")

	// Used every 11 hours, a session lives on; unused, it ends after 12.
	for range 3 {
		e.clock.Advance(11 * time.Hour)
		if _, err := e.svc.Authenticate(ctx, used); err != nil {
			t.Fatalf("a session used within its TTL expired: %v", err)
		}
	}
	_, err := e.svc.Authenticate(ctx, idle)
	wantCode(t, err, queue.EUNAUTH)

	// The extension was saved: it survives a restart.
	e.restart()
	e.clock.Advance(11*time.Hour + 59*time.Minute)
	if _, err := e.svc.Authenticate(ctx, used); err != nil {
		t.Fatalf("the extension was lost in the restart: %v", err)
	}
	e.clock.Advance(12 * time.Hour)
	_, err = e.svc.Authenticate(ctx, used)
	wantCode(t, err, queue.EUNAUTH)
	e.restart()
	_, err = e.svc.Authenticate(ctx, used)
	wantCode(t, err, queue.EUNAUTH)
}

// A session ends DefaultSessionMaxAge after its login however often it is
// used, and stays ended after a restart.
func TestSessionAbsoluteLifetime(t *testing.T) {
	e := newEnv(t)
	e.addUser("zhangsan", queue.RoleStaff, "chuangkou-3", "w3")
	ctx := context.Background()
	s, _ := e.login("zhangsan", "chuangkou-3")
	for range 7 { // used every 2 hours: 14 hours in, still alive
		e.clock.Advance(2 * time.Hour)
		if _, err := e.svc.Authenticate(ctx, s); err != nil {
			t.Fatalf("a session in use ended early: %v", err)
		}
	}
	e.clock.Advance(access.DefaultSessionMaxAge - 14*time.Hour - time.Second)
	if _, err := e.svc.Authenticate(ctx, s); err != nil {
		t.Fatalf("a second before its end: %v", err)
	}
	e.clock.Advance(time.Second)
	_, err := e.svc.Authenticate(ctx, s)
	wantCode(t, err, queue.EUNAUTH)
	e.restart()
	_, err = e.svc.Authenticate(ctx, s)
	wantCode(t, err, queue.EUNAUTH)
}

func TestSessionExpiryBoundary(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	s, _ := e.login("admin", adminPassword)
	e.clock.Advance(access.DefaultSessionTTL - time.Nanosecond)
	if _, err := e.svc.Authenticate(ctx, s); err != nil {
		t.Fatalf("refused just before expiry: %v", err)
	}
	e.clock.Advance(access.DefaultSessionTTL)
	_, err := e.svc.Authenticate(ctx, s)
	wantCode(t, err, queue.EUNAUTH)
}

// countingStore counts the session extensions that reach the store.
type countingStore struct {
	access.Store
	extends atomic.Int64
}

func (c *countingStore) ExtendSession(ctx context.Context, hash string, expires time.Time) error {
	c.extends.Add(1)
	return c.Store.ExtendSession(ctx, hash, expires)
}

func TestSessionExtensionWritesAtMostOnceAMinute(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	cs := &countingStore{Store: e.db}
	svc, err := access.New(ctx, cs, e.opts)
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := svc.Login(ctx, "admin", adminPassword, "")
	if err != nil {
		t.Fatal(err)
	}
	e.remember(secret)
	for range 600 { // ten a second for a minute
		e.clock.Advance(100 * time.Millisecond)
		if _, err := svc.Authenticate(ctx, secret); err != nil {
			t.Fatal(err)
		}
	}
	if n := cs.extends.Load(); n != 1 {
		t.Errorf("a minute of requests wrote %d extensions, want 1", n)
	}
	for range 10 {
		e.clock.Advance(30 * time.Second)
		if _, err := svc.Authenticate(ctx, secret); err != nil {
			t.Fatal(err)
		}
	}
	if n := cs.extends.Load(); n != 6 {
		t.Errorf("requests every 30 s for 5 minutes wrote %d extensions in all, want 6", n)
	}
}

func TestSweep(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	old, _ := e.login("admin", adminPassword)
	e.clock.Advance(6 * time.Hour)
	fresh, _ := e.login("admin", adminPassword)
	e.clock.Advance(7 * time.Hour)
	n, err := e.svc.Sweep(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The one from newEnv and old have expired.
	if n != 2 {
		t.Errorf("Sweep deleted %d sessions, want 2", n)
	}
	sessions, err := e.db.ListSessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(sessions) != 1 {
		t.Errorf("%d sessions stored after the sweep, want 1", len(sessions))
	}
	_, err = e.svc.Authenticate(ctx, old)
	wantCode(t, err, queue.EUNAUTH)
	if _, err := e.svc.Authenticate(ctx, fresh); err != nil {
		t.Errorf("Sweep ended a live session: %v", err)
	}
}
