package access_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
	"yiting/queue/queuetest"

	bolt "go.etcd.io/bbolt"
	"golang.org/x/crypto/bcrypt"

	"yiting/queue"
	"yiting/queue/access"
	"yiting/queue/boltstore"
)

type clock = queuetest.Clock

func newClock() *clock {
	return queuetest.NewClock(time.Date(2026, 3, 9, 8, 30, 0, 0, time.FixedZone("CST", 8*3600)))
}

type syncBuffer = queuetest.Buffer

// env is one hall's data directory with a running service.
type env struct {
	t       testing.TB
	dir     string
	clock   *clock
	logs    *syncBuffer
	db      *boltstore.Store
	svc     *access.Service
	opts    access.Options
	smu     sync.Mutex
	secrets []string // must never appear in the log
	admin   queue.Principal
}

const adminPassword = "Tongshan-2026!"

// newEnv is newBareEnv with the admin bootstrapped with adminPassword
// and logged in as e.admin.
func newEnv(t testing.TB) *env {
	t.Helper()
	e := newBareEnv(t)
	if _, err := e.svc.Bootstrap(context.Background(), adminPassword); err != nil {
		t.Fatalf("Bootstrap: %v", err)
	}
	e.remember(adminPassword)
	_, e.admin = e.login("admin", adminPassword)
	return e
}

// newBareEnv opens a fresh store in a temporary directory and starts the
// service on it, with no account. At cleanup it checks the bbolt file and
// that no remembered secret or password was logged.
func newBareEnv(t testing.TB) *env {
	t.Helper()
	e := &env{t: t, dir: t.TempDir(), clock: newClock(), logs: &syncBuffer{}}
	e.opts = access.Options{
		Now:        e.clock.Now,
		Logger:     slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		BcryptCost: bcrypt.MinCost,
		CounterExists: func(id string) bool {
			switch id {
			case "w1", "w2", "w3":
				return true
			}
			return false
		},
		UnitExists: func(name string) bool { return name == "自然资源和规划局" || name == "农业农村局" },
	}
	e.start()
	t.Cleanup(func() {
		e.stop()
		logs := e.logs.String()
		e.smu.Lock()
		defer e.smu.Unlock()
		for _, s := range e.secrets {
			if s != "" && strings.Contains(logs, s) {
				t.Errorf("the log contains the secret %q", s)
			}
		}
	})
	return e
}

func (e *env) start() {
	e.t.Helper()
	db, err := boltstore.Open(e.dir, slog.New(slog.NewTextHandler(e.logs, nil)))
	if err != nil {
		e.t.Fatalf("boltstore.Open: %v", err)
	}
	e.db = db
	svc, err := access.New(context.Background(), db, e.opts)
	if err != nil {
		db.Close()
		e.t.Fatalf("access.New: %v", err)
	}
	e.svc = svc
}

func (e *env) stop() {
	e.t.Helper()
	if e.db == nil {
		return
	}
	err := e.db.DB().View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	})
	if err != nil {
		e.t.Errorf("bbolt consistency check: %v", err)
	}
	if err := e.db.Close(); err != nil {
		e.t.Errorf("close: %v", err)
	}
	e.db, e.svc = nil, nil
}

// restart is a second start of the program on the same data directory.
func (e *env) restart() {
	e.t.Helper()
	e.stop()
	e.start()
}

func (e *env) remember(secrets ...string) {
	e.smu.Lock()
	e.secrets = append(e.secrets, secrets...)
	e.smu.Unlock()
}

// login logs in and fails the test on error.
func (e *env) login(user, password string) (string, queue.Principal) {
	e.t.Helper()
	secret, p, err := e.svc.Login(context.Background(), user, password, "192.168.1.20")
	if err != nil {
		e.t.Fatalf("Login(%s): %v", user, err)
	}
	e.remember(secret)
	return secret, p
}

// addUser creates an account as the admin and fails the test on error.
func (e *env) addUser(name string, role queue.Role, password string, counters ...string) {
	e.t.Helper()
	_, err := e.svc.CreateUser(context.Background(), e.admin, access.NewUser{
		Name: name, DisplayName: "测试" + name, Role: role, Counters: counters, Password: password,
	})
	if err != nil {
		e.t.Fatalf("CreateUser(%s): %v", name, err)
	}
	e.remember(password)
}

// token creates a device token as the admin and fails the test on error.
func (e *env) token(role queue.Role, name, counter string) (string, access.TokenInfo) {
	e.t.Helper()
	secret, info, err := e.svc.CreateDeviceToken(context.Background(), e.admin, role, name, counter)
	if err != nil {
		e.t.Fatalf("CreateDeviceToken(%s): %v", name, err)
	}
	e.remember(secret)
	return secret, info
}

// wantCode fails unless err is a queue error of code.
func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := queue.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
	var qe *queue.Error
	if code != "" && (!errors.As(err, &qe) || qe.Message == "") {
		t.Fatalf("error %v has no message for users", err)
	}
}
