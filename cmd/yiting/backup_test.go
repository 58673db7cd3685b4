package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	hallconfig "yiting/firmware-config"
	"yiting/queue"
	"yiting/queue/boltstore"
)

// fakeBackupSource writes a small file for each backup, or fails when told to.
type fakeBackupSource struct {
	mu    sync.Mutex
	fail  error
	paths []string
}

func (f *fakeBackupSource) BackupFile(path string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	f.paths = append(f.paths, path)
	return os.WriteFile(path, []byte("backup"), 0o600)
}

// backupLog is a logger whose output a test can read.
type backupLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *backupLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *backupLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func newSchedule(t *testing.T, every time.Duration, keep int) (*backupSchedule, *fakeBackupSource, *backupLog) {
	t.Helper()
	src := &fakeBackupSource{}
	lb := &backupLog{}
	s := &backupSchedule{src: src, dir: t.TempDir(), every: every, keep: keep, log: slog.New(slog.NewTextHandler(lb, nil))}
	return s, src, lb
}

// backupsIn lists the backup names in dir, oldest first, and the other files.
func backupsIn(t *testing.T, dir string) (backups, others []string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := backupTime(e.Name(), time.Local); ok {
			backups = append(backups, e.Name())
		} else {
			others = append(others, e.Name())
		}
	}
	sort.Strings(backups)
	return backups, others
}

var schedT0 = time.Date(2026, 11, 2, 12, 30, 0, 0, time.Local)

func backupNamesOf(ts ...time.Time) []string {
	var s []string
	for _, t := range ts {
		s = append(s, backupName(t))
	}
	sort.Strings(s)
	return s
}

func TestBackupScheduleKeepsDays(t *testing.T) {
	s, _, _ := newSchedule(t, 24*time.Hour, 3)
	// Files that are not scheduled backups are never touched.
	for _, name := range []string{"notes.txt", "yiting-before-upgrade.db", "yiting-20200101-000000.db.gz"} {
		os.WriteFile(filepath.Join(s.dir, name), nil, 0o600)
	}
	day := func(n int) time.Time { return schedT0.AddDate(0, 0, n) }
	for n := 0; n <= 10; n++ {
		s.take(day(n))
		got, _ := backupsIn(t, s.dir)
		// Kept: those not older than 3 days (day n-3 … n).
		var want []time.Time
		for k := max(0, n-3); k <= n; k++ {
			want = append(want, day(k))
		}
		if fmt.Sprint(got) != fmt.Sprint(backupNamesOf(want...)) {
			t.Fatalf("after day %d: backups %v, want %v", n, got, backupNamesOf(want...))
		}
	}
	_, others := backupsIn(t, s.dir)
	if len(others) != 3 {
		t.Fatalf("other files: %v, want the three left alone", others)
	}
}

// A clock that jumps a year ahead must not delete every backup.
func TestBackupScheduleClockJumpsAhead(t *testing.T) {
	s, _, _ := newSchedule(t, 24*time.Hour, 3)
	for n := 0; n < 6; n++ {
		s.take(schedT0.AddDate(0, 0, n))
	}
	jump := schedT0.AddDate(1, 0, 0)
	s.take(jump)
	got, _ := backupsIn(t, s.dir)
	if want := backupNamesOf(schedT0.AddDate(0, 0, 4), schedT0.AddDate(0, 0, 5), jump); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after the jump: %v, want the 3 newest %v", got, want)
	}
}

func TestBackupScheduleKeepZeroKeepsAll(t *testing.T) {
	s, _, _ := newSchedule(t, time.Hour, 0)
	for n := 0; n < 40; n++ {
		s.take(schedT0.AddDate(0, 0, n))
	}
	if got, _ := backupsIn(t, s.dir); len(got) != 40 {
		t.Fatalf("%d backups kept, want all 40", len(got))
	}
}

// run: a backup at start only if none is recent (a server restarting in a
// loop must not fill the card), then one per tick, until ctx ends.
func TestBackupScheduleRun(t *testing.T) {
	cases := []struct {
		name     string
		existing []time.Time
		atStart  bool
	}{
		{"first start", nil, true},
		{"restart an hour after the last backup", []time.Time{schedT0.Add(-time.Hour)}, false},
		{"start a day and a minute after", []time.Time{schedT0.Add(-24*time.Hour - time.Minute)}, true},
		{"clock set back two days", []time.Time{schedT0.Add(48 * time.Hour)}, true},
		{"clock set back an hour", []time.Time{schedT0.Add(time.Hour)}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, src, _ := newSchedule(t, 24*time.Hour, 0)
			for _, e := range c.existing {
				os.WriteFile(filepath.Join(s.dir, backupName(e)), nil, 0o600)
			}
			ticks := make(chan time.Time)
			done := make(chan struct{})
			go func() { s.run(context.Background(), schedT0, ticks); close(done) }()
			ticks <- schedT0.Add(24 * time.Hour)
			ticks <- schedT0.Add(48 * time.Hour)
			close(ticks)
			<-done
			var want []string
			if c.atStart {
				want = append(want, backupName(schedT0))
			}
			want = append(want, backupName(schedT0.Add(24*time.Hour)), backupName(schedT0.Add(48*time.Hour)))
			var got []string
			for _, p := range src.paths {
				got = append(got, filepath.Base(p))
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("backups taken %v, want %v", got, want)
			}
		})
	}
}

func TestBackupScheduleStopsOnContext(t *testing.T) {
	s, src, _ := newSchedule(t, time.Hour, 0)
	ctx, cancel := context.WithCancel(context.Background())
	ticks := make(chan time.Time) // never ticks
	done := make(chan struct{})
	go func() { s.run(ctx, schedT0, ticks); close(done) }()
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after its context ended")
	}
	if len(src.paths) != 1 {
		t.Fatalf("%d backups, want the one at start", len(src.paths))
	}
}

func TestBackupScheduleFailureIsLoggedAndRetried(t *testing.T) {
	s, src, lb := newSchedule(t, time.Hour, 3)
	src.fail = errors.New("boltstore: backup: no space left on device")
	s.take(schedT0)
	if !strings.Contains(lb.String(), "scheduled backup failed") || !strings.Contains(lb.String(), "no space left") {
		t.Fatalf("log: %s", lb.String())
	}
	src.fail = nil
	s.take(schedT0.Add(time.Hour))
	if got, _ := backupsIn(t, s.dir); len(got) != 1 {
		t.Fatalf("after the retry: %v", got)
	}
}

func TestBackupScheduleRemovesInterruptedBackups(t *testing.T) {
	s, _, _ := newSchedule(t, time.Hour, 0)
	stale := filepath.Join(s.dir, "."+backupName(schedT0)+".tmp-123456")
	other := filepath.Join(s.dir, ".keep-me")
	os.WriteFile(stale, []byte("half a backup"), 0o600)
	os.WriteFile(other, nil, 0o600)
	ticks := make(chan time.Time)
	close(ticks)
	s.run(context.Background(), schedT0, ticks)
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("interrupted backup still there: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Fatalf("an unrelated dotfile was removed: %v", err)
	}
}

// backupHallData makes a data directory with tickets issued through the engine
// (today, by the clock) and returns it with the store closed.
func backupHallData(t *testing.T, tickets int) string {
	t.Helper()
	dir := t.TempDir()
	cfg, err := hallconfig.Default()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := boltstore.Open(dir, log)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := queue.New(context.Background(), &cfg.Hall, st, queue.Options{Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < tickets; i++ {
		_, err := eng.Issue(context.Background(), queue.Principal{ID: "k", Role: queue.RoleKiosk},
			queue.IssueRequest{ServiceID: "consult", IdempotencyKey: fmt.Sprint(i)})
		if err != nil {
			t.Fatal(err)
		}
	}
	eng.Close()
	st.Close()
	return dir
}

func TestStartBackupsWithTheRealStore(t *testing.T) {
	dir := backupHallData(t, 5)
	st, err := boltstore.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stop := startBackups(context.Background(), st, "", time.Hour, 14, slog.New(slog.NewTextHandler(io.Discard, nil)))
	stop() // returns after the backup at start
	got, _ := backupsIn(t, filepath.Join(dir, "backups"))
	if len(got) != 1 {
		t.Fatalf("backups after start: %v", got)
	}
	info, err := boltstore.CheckFile(filepath.Join(dir, "backups", got[0]))
	if err != nil || info.Tickets != 5 {
		t.Fatalf("the scheduled backup: %+v, %v", info, err)
	}
	// every 0: off, and stop is harmless.
	startBackups(context.Background(), st, "", 0, 14, slog.New(slog.NewTextHandler(io.Discard, nil)))()
}

func backupTestUser(t *testing.T) *user.User {
	t.Helper()
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestRestoreCommand(t *testing.T) {
	src := backupHallData(t, 4)
	backup := filepath.Join(t.TempDir(), "b.db")
	var out, errb bytes.Buffer
	if err := runBackup(context.Background(), []string{"-data", src, "-o", backup}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	me := backupTestUser(t)

	t.Run("check only", func(t *testing.T) {
		var out bytes.Buffer
		if err := runRestore(context.Background(), []string{"-check", "-from", backup}, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "4 tickets") {
			t.Fatalf("output: %s", out.String())
		}
		bad := filepath.Join(t.TempDir(), "bad.db")
		os.WriteFile(bad, []byte("not a database at all, just some words"), 0o600)
		err := runRestore(context.Background(), []string{"-check", "-from", bad}, io.Discard, io.Discard)
		if !errors.Is(err, boltstore.ErrBadBackup) {
			t.Fatalf("check of junk: %v", err)
		}
	})

	t.Run("refuses while the server runs", func(t *testing.T) {
		data := backupHallData(t, 1)
		st, err := boltstore.Open(data, nil) // the running server
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		err = runRestore(context.Background(), []string{"-from", backup, "-data", data, "-owner", me.Username}, io.Discard, io.Discard)
		if !errors.Is(err, boltstore.ErrLocked) || !strings.Contains(err.Error(), "systemctl stop yiting") {
			t.Fatalf("restore beside a running server: %v", err)
		}
	})

	t.Run("restores", func(t *testing.T) {
		data := backupHallData(t, 9)
		var out bytes.Buffer
		err := runRestore(context.Background(), []string{"-from", backup, "-data", data, "-owner", me.Username}, &out, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		text := out.String()
		t.Logf("yiting restore said:\n%s", text)
		for _, want := range []string{"已恢复", "4 tickets", ".before-restore-", "systemctl start yiting", "此备份取自今天", "yiting.key"} {
			if !strings.Contains(text, want) {
				t.Errorf("output lacks %q:\n%s", want, text)
			}
		}
		fi, err := os.Stat(filepath.Join(data, boltstore.FileName))
		if err != nil {
			t.Fatal(err)
		}
		if uid := fi.Sys().(*syscall.Stat_t).Uid; strconv.Itoa(int(uid)) != me.Uid {
			t.Errorf("restored file owned by %d, want %s", uid, me.Uid)
		}
		st, err := boltstore.Open(data, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		n := 0
		st.EachTicket(context.Background(), func(*queue.Ticket) error { n++; return nil })
		if n != 4 {
			t.Fatalf("%d tickets after restore, want 4", n)
		}
	})

	t.Run("as root without -owner", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("the check applies to root only; this test runs as " + me.Username)
		}
		err := runRestore(context.Background(), []string{"-from", backup, "-data", t.TempDir()}, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "-owner yiting") {
			t.Fatalf("restore as root without -owner: %v", err)
		}
	})

	t.Run("needs -from", func(t *testing.T) {
		if err := runRestore(context.Background(), nil, io.Discard, io.Discard); err == nil {
			t.Fatal("restore without -from succeeded")
		}
	})
}

func TestBackupCommand(t *testing.T) {
	data := backupHallData(t, 2)
	var out bytes.Buffer
	if err := runBackup(context.Background(), []string{"-data", data}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	got, _ := backupsIn(t, filepath.Join(data, "backups"))
	if len(got) != 1 || !strings.Contains(out.String(), got[0]) {
		t.Fatalf("backups %v, output %s", got, out.String())
	}
	// While the server runs: it says where its newest backup is.
	st, err := boltstore.Open(data, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = runBackup(context.Background(), []string{"-data", data}, io.Discard, io.Discard)
	if !errors.Is(err, boltstore.ErrLocked) || !strings.Contains(err.Error(), got[0]) {
		t.Fatalf("backup beside a running server: %v", err)
	}
	// -h is not an error.
	if err := runBackup(context.Background(), []string{"-h"}, io.Discard, io.Discard); err != nil {
		t.Fatalf("-h: %v", err)
	}
}
