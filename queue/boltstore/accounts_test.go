package boltstore_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
	"yiting/queue/access"
	"yiting/queue/boltstore"
)

// openAccountStore opens a fresh store and checks the file at cleanup.
func openAccountStore(t *testing.T) *boltstore.Store {
	t.Helper()
	db, err := boltstore.Open(t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		err := db.DB().View(func(tx *bolt.Tx) error {
			for err := range tx.Check() {
				return err
			}
			return nil
		})
		if err != nil {
			t.Errorf("bbolt consistency check: %v", err)
		}
		db.Close()
	})
	return db
}

var acctT0 = time.Date(2026, 3, 9, 8, 30, 0, 0, time.UTC)

func TestAccountUsers(t *testing.T) {
	db := openAccountStore(t)
	ctx := context.Background()
	_, err := db.GetUser(ctx, "zhangsan")
	if !errors.Is(err, queue.ErrNotFound) {
		t.Fatalf("GetUser of nobody: %v, want ErrNotFound", err)
	}
	u := access.UserRecord{Name: "zhangsan", DisplayName: "张*三", Role: queue.RoleStaff, Counters: []string{"w1", "w3"},
		PasswordHash: "$2a$04$abcdefghijklmnopqrstuuJ0X9yq3rTjGUXfK7b1Ok3RPRbTGBfWq", Created: acctT0, PasswordSet: acctT0}
	if err := db.PutUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	u2 := u
	u2.Name, u2.Role, u2.Counters = "admin", queue.RoleAdmin, nil
	if err := db.PutUser(ctx, u2); err != nil {
		t.Fatal(err)
	}
	got, err := db.GetUser(ctx, "zhangsan")
	if err != nil || got.Name != u.Name || !slices.Equal(got.Counters, u.Counters) || got.PasswordHash != u.PasswordHash || !got.Created.Equal(acctT0) {
		t.Fatalf("GetUser = %+v, %v", got, err)
	}
	u.Disabled = true
	if err := db.PutUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	list, err := db.ListUsers(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "admin" || !list[1].Disabled {
		t.Fatalf("ListUsers = %+v, %v", list, err)
	}
	if err := db.PutUser(ctx, access.UserRecord{}); err == nil {
		t.Error("a user with no name was stored")
	}
}

func TestAccountSessions(t *testing.T) {
	db := openAccountStore(t)
	ctx := context.Background()
	put := func(hash, user string, expires time.Time) {
		t.Helper()
		if err := db.PutSession(ctx, access.SessionRecord{Hash: hash, User: user, Created: acctT0, Expires: expires}); err != nil {
			t.Fatal(err)
		}
	}
	put("aa", "zhangsan", acctT0.Add(time.Hour))
	put("bb", "zhangsan", acctT0.Add(2*time.Hour))
	put("cc", "lisi", acctT0.Add(3*time.Hour))
	put("dd", "lisi", acctT0.Add(4*time.Hour))

	if err := db.ExtendSession(ctx, "aa", acctT0.Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Extending a session that is gone must not bring it back.
	if err := db.ExtendSession(ctx, "zz", acctT0.Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// Expired: at or before now.
	n, err := db.DeleteExpiredSessions(ctx, acctT0.Add(3*time.Hour))
	if err != nil || n != 2 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want 2 (bb, and cc at the boundary)", n, err)
	}
	if err := db.DeleteSession(ctx, "nope"); err != nil {
		t.Errorf("deleting a missing session: %v", err)
	}
	got := sessionHashes(t, db)
	if !slices.Equal(got, []string{"aa", "dd"}) {
		t.Fatalf("sessions left %v, want [aa dd]", got)
	}
	n, err = db.DeleteUserSessions(ctx, "zhangsan")
	if err != nil || n != 1 {
		t.Fatalf("DeleteUserSessions = %d, %v", n, err)
	}
	if err := db.DeleteSession(ctx, "dd"); err != nil {
		t.Fatal(err)
	}
	if got := sessionHashes(t, db); len(got) != 0 {
		t.Fatalf("sessions left %v", got)
	}
}

func TestAccountCorruptSessionIsDropped(t *testing.T) {
	db := openAccountStore(t)
	ctx := context.Background()
	if err := db.PutSession(ctx, access.SessionRecord{Hash: "aa", User: "zhangsan", Expires: acctT0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	err := db.DB().Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("sessions")).Put([]byte("bad"), []byte("{not json")) })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ListSessions(ctx); err == nil {
		t.Fatal("ListSessions read a corrupt record without complaint")
	}
	n, err := db.DeleteExpiredSessions(ctx, acctT0)
	if err != nil || n != 1 {
		t.Fatalf("DeleteExpiredSessions = %d, %v; want the corrupt one deleted", n, err)
	}
	if got := sessionHashes(t, db); !slices.Equal(got, []string{"aa"}) {
		t.Fatalf("sessions left %v", got)
	}
}

func TestAccountTokens(t *testing.T) {
	db := openAccountStore(t)
	ctx := context.Background()
	_, err := db.GetToken(ctx, "0badc0de")
	if !errors.Is(err, queue.ErrNotFound) {
		t.Fatalf("GetToken of nothing: %v", err)
	}
	tok := access.TokenRecord{ID: "0badc0de", Hash: "ab", Role: queue.RolePad, Name: "3号窗口评价器", CounterID: "w3", Created: acctT0}
	if err := db.PutToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	tok.Revoked, tok.RevokedBy = acctT0.Add(time.Hour), "admin"
	if err := db.PutToken(ctx, tok); err != nil {
		t.Fatal(err)
	}
	got, err := db.GetToken(ctx, "0badc0de")
	if err != nil || got != tok {
		t.Fatalf("GetToken = %+v, %v; want %+v", got, err, tok)
	}
	list, err := db.ListTokens(ctx)
	if err != nil || len(list) != 1 || list[0] != tok {
		t.Fatalf("ListTokens = %+v, %v", list, err)
	}
}

func TestAccountCanceledContext(t *testing.T) {
	db := openAccountStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := db.PutUser(ctx, access.UserRecord{Name: "zhangsan"}); !errors.Is(err, context.Canceled) {
		t.Errorf("PutUser with a canceled context: %v", err)
	}
	if _, err := db.ListUsers(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("ListUsers with a canceled context: %v", err)
	}
	if list, _ := db.ListUsers(context.Background()); len(list) != 0 {
		t.Errorf("a canceled write was stored: %+v", list)
	}
}

func sessionHashes(t *testing.T, db *boltstore.Store) []string {
	t.Helper()
	list, err := db.ListSessions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range list {
		out = append(out, s.Hash)
	}
	slices.Sort(out)
	return out
}
