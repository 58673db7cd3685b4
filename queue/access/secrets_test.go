package access_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
	"yiting/queue/boltstore"
)

func TestListsNeverCarrySecrets(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.addUser("zhangsan", queue.RoleStaff, "chuangkou-3", "w3")
	session, _ := e.login("zhangsan", "chuangkou-3")
	pad, _ := e.token(queue.RolePad, "3号窗口评价器", "w3")

	users, err := e.svc.ListUsers(ctx, e.admin)
	if err != nil {
		t.Fatal(err)
	}
	tokens, err := e.svc.ListTokens(ctx, e.admin)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 2 || len(tokens) != 1 || users[1].Sessions != 1 {
		t.Fatalf("lists: %+v %+v", users, tokens)
	}
	out, _ := json.Marshal(map[string]any{"users": users, "tokens": tokens})
	forbidden := []string{"$2a$", "password_hash", `"hash"`, "chuangkou-3", adminPassword,
		session, pad, pad[len(pad)-43:], hexSHA(session), hexSHA(pad)}
	for _, f := range forbidden {
		if strings.Contains(string(out), f) {
			t.Errorf("the lists carry %q: %s", f, out)
		}
	}
}

func TestSecretsStoredOnlyAsHashes(t *testing.T) {
	e := newEnv(t)
	e.addUser("zhangsan", queue.RoleStaff, "chuangkou-3", "w3")
	session, _ := e.login("zhangsan", "chuangkou-3")
	pad, info := e.token(queue.RolePad, "3号窗口评价器", "w3")
	secrets := map[string]string{
		"session": session, "session body": strings.TrimPrefix(session, "yts_"),
		"token": pad, "token body": pad[len(pad)-43:],
		"password": "chuangkou-3", "admin password": adminPassword,
	}

	// Bucket by bucket, key and value.
	sawSession, sawToken := false, false
	err := e.db.DB().View(func(tx *bolt.Tx) error {
		for _, name := range []string{"users", "sessions", "tokens"} {
			err := tx.Bucket([]byte(name)).ForEach(func(k, v []byte) error {
				for what, s := range secrets {
					if bytes.Contains(k, []byte(s)) || bytes.Contains(v, []byte(s)) {
						t.Errorf("bucket %s holds the %s in record %s", name, what, k)
					}
				}
				sawSession = sawSession || name == "sessions" && string(k) == hexSHA(session)
				sawToken = sawToken || name == "tokens" && string(k) == info.ID && bytes.Contains(v, []byte(hexSHA(pad)))
				return nil
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !sawSession || !sawToken {
		t.Errorf("the session (%v) or token (%v) is not stored under its SHA-256", sawSession, sawToken)
	}

	// And nowhere in the file, free pages included.
	e.stop()
	raw, err := os.ReadFile(filepath.Join(e.dir, boltstore.FileName))
	if err != nil {
		t.Fatal(err)
	}
	for what, s := range secrets {
		if bytes.Contains(raw, []byte(s)) {
			t.Errorf("the database file contains the %s", what)
		}
	}
}

func hexSHA(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
