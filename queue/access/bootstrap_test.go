package access_test

import (
	"context"
	"testing"

	"yiting/queue"
)

func TestBootstrapWithPassword(t *testing.T) {
	e := newBareEnv(t)
	svc := e.svc
	ctx := context.Background()
	e.remember("Env-Passw0rd")
	gen, err := svc.Bootstrap(ctx, "Env-Passw0rd")
	if err != nil || gen != "" {
		t.Fatalf("Bootstrap = %q, %v; want \"\", nil", gen, err)
	}
	_, p := e.login("admin", "Env-Passw0rd")
	if p.Role != queue.RoleAdmin || p.MustChangePassword {
		t.Errorf("bootstrap user has role %s, must change %v", p.Role, p.MustChangePassword)
	}

	// Second start with another password: nothing changes.
	e.restart()
	e.remember("Another-Passw0rd")
	gen, err = e.svc.Bootstrap(ctx, "Another-Passw0rd")
	if err != nil || gen != "" {
		t.Fatalf("second Bootstrap = %q, %v", gen, err)
	}
	_, _, err = e.svc.Login(ctx, "admin", "Another-Passw0rd", "")
	wantCode(t, err, queue.EUNAUTH)
	e.login("admin", "Env-Passw0rd")
	users, err := e.svc.ListUsers(ctx, p)
	if err != nil || len(users) != 1 {
		t.Fatalf("ListUsers after two starts = %+v, %v", users, err)
	}
}

func TestBootstrapGenerated(t *testing.T) {
	ctx := context.Background()
	var first string
	for i := range 2 {
		e := newBareEnv(t)
		svc := e.svc
		gen, err := svc.Bootstrap(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		e.remember(gen)
		if len(gen) < 16 {
			t.Fatalf("generated password %q is shorter than 16", gen)
		}
		if i == 1 && gen == first {
			t.Fatalf("two halls got the same generated password %q", gen)
		}
		first = gen
		e.login("admin", gen)

		e.restart()
		again, err := e.svc.Bootstrap(ctx, "")
		if err != nil || again != "" {
			t.Fatalf("Bootstrap on the second start = %q, %v; want nothing", again, err)
		}
		// The printed password works once: only to set the admin's own.
		_, p := e.login("admin", gen)
		if !p.MustChangePassword {
			t.Fatal("the generated password is not marked to be changed")
		}
		e.remember("admins-own-password")
		if err := e.svc.SetPassword(ctx, p, "admin", gen, "admins-own-password"); err != nil {
			t.Fatal(err)
		}
		if _, p = e.login("admin", "admins-own-password"); p.MustChangePassword {
			t.Error("the admin's own password still must be changed")
		}
		e.restart()
		if _, p = e.login("admin", "admins-own-password"); p.MustChangePassword {
			t.Error("after a restart the admin's own password must be changed")
		}
	}
}

func TestBootstrapRefusesAShortPassword(t *testing.T) {
	svc := newBareEnv(t).svc
	_, err := svc.Bootstrap(context.Background(), "admin")
	wantCode(t, err, queue.EINVALID)
	// Nothing was created: a proper password still works afterwards.
	if gen, err := svc.Bootstrap(context.Background(), ""); err != nil || gen == "" {
		t.Fatalf("Bootstrap after a refused one = %q, %v", gen, err)
	}
}

func TestNoDefaultPassword(t *testing.T) {
	svc := newBareEnv(t).svc
	for _, pw := range []string{"", "admin", "password", "12345678", "yiting"} {
		_, _, err := svc.Login(context.Background(), "admin", pw, "")
		wantCode(t, err, queue.EUNAUTH)
	}
}
