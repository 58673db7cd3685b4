package boltstore_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
	"yiting/queue/boltstore"
)

var kiosk = queue.Principal{ID: "k1", Role: queue.RoleKiosk}

// hallStore is a store with an engine over the small hall.
type hallStore struct {
	dir string
	st  *boltstore.Store
	eng *queue.Engine
}

func openHall(t testing.TB, dir string) *hallStore {
	t.Helper()
	st, err := boltstore.Open(dir, quiet())
	if err != nil {
		t.Fatal(err)
	}
	eng, err := queue.New(context.Background(), smallHall(), st, queue.Options{Logger: quiet()})
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	h := &hallStore{dir: dir, st: st, eng: eng}
	t.Cleanup(h.close)
	return h
}

func (h *hallStore) close() {
	if h.eng != nil {
		h.eng.Close()
		h.st.Close()
		h.eng = nil
	}
}

func (h *hallStore) issue(t testing.TB, key string) queue.Ticket {
	t.Helper()
	is, err := h.eng.Issue(context.Background(), kiosk, queue.IssueRequest{ServiceID: "petition", IdempotencyKey: key})
	if err != nil {
		t.Fatalf("issue %s: %v", key, err)
	}
	return is.Ticket
}

// ticketIDs lists the ids of the tickets stored in the database file of dir.
func ticketIDs(t testing.TB, st *boltstore.Store) map[uint64]string {
	t.Helper()
	ids := map[uint64]string{}
	err := st.EachTicket(context.Background(), func(tk *queue.Ticket) error {
		ids[tk.ID] = tk.Number
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// gateWriter blocks its first Write until open is closed, after telling
// started: the backup's read transaction is then open and waiting.
type gateWriter struct {
	started chan struct{}
	open    chan struct{}
	once    sync.Once
	buf     bytes.Buffer
}

func (g *gateWriter) Write(p []byte) (int, error) {
	g.once.Do(func() {
		close(g.started)
		<-g.open
	})
	return g.buf.Write(p)
}

// A backup is the state at its start: tickets committed while it runs
// are not in it, and their commits are not held up by it.
func TestBackupIsSnapshotWhileWritersCommit(t *testing.T) {
	h := openHall(t, t.TempDir())
	before := map[uint64]string{}
	for i := 0; i < 50; i++ {
		tk := h.issue(t, fmt.Sprint("before-", i))
		before[tk.ID] = tk.Number
	}
	g := &gateWriter{started: make(chan struct{}), open: make(chan struct{})}
	type result struct {
		n   int64
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := h.st.Backup(g)
		done <- result{n, err}
	}()
	<-g.started

	// The read transaction is open. Writers must still get through.
	during := make(chan error, 1)
	go func() {
		var wg sync.WaitGroup
		errs := make(chan error, 50)
		for k := 0; k < 5; k++ {
			wg.Add(1)
			go func(k int) {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					if _, err := h.eng.Issue(context.Background(), kiosk, queue.IssueRequest{ServiceID: "petition", IdempotencyKey: fmt.Sprint("during-", k, "-", i)}); err != nil {
						errs <- err
					}
				}
			}(k)
		}
		wg.Wait()
		close(errs)
		during <- <-errs
	}()
	select {
	case err := <-during:
		if err != nil {
			t.Fatalf("issuing while a backup runs: %v", err)
		}
	case <-time.After(30 * time.Second): // a hang guard, not a speed assertion
		close(g.open)
		t.Fatal("writers were blocked by the backup's read transaction")
	}
	close(g.open)
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	if res.n != int64(g.buf.Len()) {
		t.Fatalf("Backup returned %d bytes, wrote %d", res.n, g.buf.Len())
	}

	restored := t.TempDir()
	file := filepath.Join(t.TempDir(), "b.db")
	if err := os.WriteFile(file, g.buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := boltstore.Restore(file, restored, time.Now()); err != nil {
		t.Fatal(err)
	}
	r := openHall(t, restored)
	got := ticketIDs(t, r.st)
	if len(got) != len(before) {
		t.Fatalf("backup holds %d tickets, want the %d committed before it began", len(got), len(before))
	}
	for id, number := range before {
		if got[id] != number {
			t.Fatalf("ticket %d: backup has %q, want %q", id, got[id], number)
		}
	}
	// The restored hall goes on numbering after the last ticket it holds.
	if tk := r.issue(t, "after-restore"); tk.Number != queue.FormatNumber("A", len(before)+1) {
		t.Fatalf("first ticket after restore is %s, want %s", tk.Number, queue.FormatNumber("A", len(before)+1))
	}
}

// Backups taken while kiosks issue tickets as fast as they can restore to
// databases that pass bbolt's check, load into the engine, and hold every
// ticket acknowledged before the backup began, with an event log without
// gaps.
func TestBackupUnderLoadRestores(t *testing.T) {
	h := openHall(t, t.TempDir())
	backups := t.TempDir()
	var mu sync.Mutex
	acked := map[uint64]string{}
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	errc := make(chan error, 16)
	for k := 0; k < 16; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; i++ {
				is, err := h.eng.Issue(context.Background(), kiosk, queue.IssueRequest{ServiceID: "petition", IdempotencyKey: fmt.Sprint(k, "-", i)})
				if err != nil {
					errc <- err
					return
				}
				mu.Lock()
				acked[is.Ticket.ID] = is.Ticket.Number
				mu.Unlock()
			}
		}(k)
	}
	type taken struct {
		path   string
		before map[uint64]string
	}
	var all []taken
	for b := 0; b < 5; b++ {
		// Let the writers get going, then snapshot what is acknowledged.
		mu.Lock()
		n0 := len(acked)
		mu.Unlock()
		for deadline := time.Now().Add(30 * time.Second); ; {
			mu.Lock()
			n := len(acked)
			mu.Unlock()
			if n >= n0+200 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the writers made no progress")
			}
			time.Sleep(time.Millisecond)
		}
		mu.Lock()
		before := make(map[uint64]string, len(acked))
		for id, n := range acked {
			before[id] = n
		}
		mu.Unlock()
		path := filepath.Join(backups, fmt.Sprintf("b%d.db", b))
		if err := h.st.BackupFile(path); err != nil {
			t.Fatal(err)
		}
		all = append(all, taken{path, before})
	}
	stop()
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatalf("issuing during backups: %v", err)
	}
	t.Logf("%d tickets issued by 16 writers during %d backups", len(acked), len(all))

	for _, b := range all {
		info, err := boltstore.CheckFile(b.path)
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if _, err := boltstore.Restore(b.path, dir, time.Now()); err != nil {
			t.Fatal(err)
		}
		r := openHall(t, dir)
		if err := r.st.Check(); err != nil {
			t.Fatalf("%s after restore: %v", b.path, err)
		}
		got := ticketIDs(t, r.st)
		if info.Tickets != len(got) {
			t.Errorf("%s: CheckFile counts %d tickets, the store holds %d", b.path, info.Tickets, len(got))
		}
		for id, number := range b.before {
			if got[id] != number {
				t.Fatalf("%s: ticket %s (id %d), acknowledged before the backup began, is missing", b.path, number, id)
			}
		}
		numbers := map[string]bool{}
		for _, number := range got {
			if numbers[number] {
				t.Fatalf("%s: number %s twice", b.path, number)
			}
			numbers[number] = true
		}
		checkEventLog(t, r.st)
		r.close()
	}
}

func TestBackupFileReplacesAtomically(t *testing.T) {
	h := openHall(t, t.TempDir())
	h.issue(t, "a")
	dir := t.TempDir()
	path := filepath.Join(dir, "yiting-x.db")
	if err := os.WriteFile(path, []byte("an older backup"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := h.st.BackupFile(path); err != nil {
		t.Fatal(err)
	}
	info, err := boltstore.CheckFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Tickets != 1 || info.Schema != boltstore.SchemaVersion {
		t.Fatalf("info %+v", info)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %v, want 0600 (it holds personal data)", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("directory holds %v, want only the backup", names(entries))
	}
	// Into a directory that does not exist: an error, nothing written.
	if err := h.st.BackupFile(filepath.Join(dir, "missing", "b.db")); err == nil {
		t.Fatal("backup into a missing directory succeeded")
	}
}

// errWriter fails after n bytes.
type errWriter struct{ n int }

var errDiskFull = errors.New("no space left on device")

func (w *errWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errDiskFull
	}
	w.n -= len(p)
	return len(p), nil
}

func TestBackupWriterErrorEndsTheCopy(t *testing.T) {
	h := openHall(t, t.TempDir())
	h.issue(t, "a")
	_, err := h.st.Backup(&errWriter{n: 10000})
	if !errors.Is(err, errDiskFull) {
		t.Fatalf("Backup to a failing writer: %v, want the writer's error", err)
	}
	// The read transaction ended: writers go on.
	h.issue(t, "b")
}

// backupOf writes a backup of a small hall to a file and returns its path.
func backupOf(t testing.TB, tickets int) string {
	t.Helper()
	h := openHall(t, t.TempDir())
	for i := 0; i < tickets; i++ {
		h.issue(t, fmt.Sprint("t", i))
	}
	path := filepath.Join(t.TempDir(), "backup.db")
	if err := h.st.BackupFile(path); err != nil {
		t.Fatal(err)
	}
	h.close()
	return path
}

func TestCheckFileRejects(t *testing.T) {
	good := backupOf(t, 300)
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	pageSize := os.Getpagesize()
	write := func(t *testing.T, b []byte) string {
		path := filepath.Join(t.TempDir(), "f.db")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	plainBolt := func(t *testing.T, schema []byte) string {
		path := filepath.Join(t.TempDir(), "f.db")
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = db.Update(func(tx *bolt.Tx) error {
			b, err := tx.CreateBucket([]byte("something-else"))
			if err != nil {
				return err
			}
			if schema != nil {
				meta, _ := tx.CreateBucket([]byte("meta"))
				return meta.Put([]byte("schema"), schema)
			}
			return b.Put([]byte("k"), []byte("v"))
		})
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		return path
	}
	cases := []struct {
		name string
		file func(t *testing.T) string
		want string
	}{
		{"empty", func(t *testing.T) string { return write(t, nil) }, "empty"},
		{"too small", func(t *testing.T) string { return write(t, raw[:1000]) }, "invalid"},
		{"junk", func(t *testing.T) string { return write(t, bytes.Repeat([]byte("yiting "), 4000)) }, "invalid"},
		{"truncated", func(t *testing.T) string { return write(t, raw[:len(raw)/2]) }, "truncated"},
		{"pages overwritten", func(t *testing.T) string {
			b := bytes.Clone(raw)
			for off := 2 * pageSize; off+16 <= len(b); off += pageSize {
				clear(b[off+8 : off+16]) // page flags, count, overflow
			}
			return write(t, b)
		}, "damaged"},
		{"not yiting", func(t *testing.T) string { return plainBolt(t, nil) }, "not a yiting database"},
		{"newer schema", func(t *testing.T) string { return plainBolt(t, []byte{0, 0, 0, 0, 0, 0, 0, 99}) }, "schema 99"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := boltstore.CheckFile(c.file(t))
			if !errors.Is(err, boltstore.ErrBadBackup) {
				t.Fatalf("CheckFile: %v, want ErrBadBackup", err)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("CheckFile: %q does not say %q", err, c.want)
			}
		})
	}
}

func TestRestore(t *testing.T) {
	backup := backupOf(t, 3)
	now := time.Date(2026, 11, 26, 10, 15, 0, 0, time.Local)

	t.Run("replaces and keeps the old file aside", func(t *testing.T) {
		dir := t.TempDir()
		h := openHall(t, dir)
		for i := 0; i < 7; i++ {
			h.issue(t, fmt.Sprint("old", i))
		}
		h.close()
		old, _ := os.ReadFile(filepath.Join(dir, boltstore.FileName))
		res, err := boltstore.Restore(backup, dir, now)
		if err != nil {
			t.Fatal(err)
		}
		if want := filepath.Join(dir, boltstore.FileName+".before-restore-20261126-101500"); res.Aside != want {
			t.Fatalf("aside %q, want %q", res.Aside, want)
		}
		if aside, _ := os.ReadFile(res.Aside); !bytes.Equal(aside, old) {
			t.Fatal("the file kept aside is not the old database")
		}
		if res.Backup.Tickets != 3 || res.OldErr != nil {
			t.Fatalf("result %+v", res)
		}
		r := openHall(t, dir)
		if n := len(ticketIDs(t, r.st)); n != 3 {
			t.Fatalf("restored database holds %d tickets, want 3", n)
		}
		checkNoTemp(t, dir)
	})

	t.Run("refuses while a server holds the database", func(t *testing.T) {
		dir := t.TempDir()
		h := openHall(t, dir)
		h.issue(t, "live")
		before, _ := os.ReadFile(filepath.Join(dir, boltstore.FileName))
		_, err := boltstore.Restore(backup, dir, now)
		if !errors.Is(err, boltstore.ErrLocked) {
			t.Fatalf("restore under a running server: %v, want ErrLocked", err)
		}
		after, _ := os.ReadFile(filepath.Join(dir, boltstore.FileName))
		if !bytes.Equal(before, after) {
			t.Fatal("the live database changed")
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.Name() != boltstore.FileName {
				t.Errorf("left behind: %s", e.Name())
			}
		}
	})

	t.Run("a bad backup changes nothing", func(t *testing.T) {
		dir := t.TempDir()
		h := openHall(t, dir)
		h.issue(t, "live")
		h.close()
		before, _ := os.ReadFile(filepath.Join(dir, boltstore.FileName))
		raw, _ := os.ReadFile(backup)
		bad := filepath.Join(t.TempDir(), "bad.db")
		os.WriteFile(bad, raw[:len(raw)-os.Getpagesize()], 0o600)
		_, err := boltstore.Restore(bad, dir, now)
		if !errors.Is(err, boltstore.ErrBadBackup) {
			t.Fatalf("restore of a truncated backup: %v", err)
		}
		after, _ := os.ReadFile(filepath.Join(dir, boltstore.FileName))
		if !bytes.Equal(before, after) {
			t.Fatal("the live database changed")
		}
		checkNoTemp(t, dir)
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Fatalf("directory holds %v", names(entries))
		}
	})

	t.Run("into an empty data directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "new")
		res, err := boltstore.Restore(backup, dir, now)
		if err != nil {
			t.Fatal(err)
		}
		if res.Aside != "" {
			t.Fatalf("aside %q with no old database", res.Aside)
		}
		r := openHall(t, dir)
		if n := len(ticketIDs(t, r.st)); n != 3 {
			t.Fatalf("%d tickets", n)
		}
	})

	t.Run("over a damaged database", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, boltstore.FileName), bytes.Repeat([]byte{0xff}, 3*os.Getpagesize()), 0o600)
		res, err := boltstore.Restore(backup, dir, now)
		if err != nil {
			t.Fatal(err)
		}
		if res.OldErr == nil || res.Aside == "" {
			t.Fatalf("result %+v: want the damage reported and the old file kept", res)
		}
		r := openHall(t, dir)
		if n := len(ticketIDs(t, r.st)); n != 3 {
			t.Fatalf("%d tickets", n)
		}
	})
}

func TestOpenReadOnly(t *testing.T) {
	dir := t.TempDir()
	h := openHall(t, dir)
	h.issue(t, "a")
	if _, err := boltstore.OpenReadOnly(dir, quiet()); !errors.Is(err, boltstore.ErrLocked) {
		t.Fatalf("read-only open beside a server: %v, want ErrLocked", err)
	}
	h.close()
	st, err := boltstore.OpenReadOnly(dir, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// While it is open, a server cannot start.
	if _, err := boltstore.Open(dir, quiet()); !errors.Is(err, boltstore.ErrLocked) {
		t.Fatalf("server start beside a read-only open: %v, want ErrLocked", err)
	}
	path := filepath.Join(t.TempDir(), "b.db")
	if err := st.BackupFile(path); err != nil {
		t.Fatal(err)
	}
	if info, err := boltstore.CheckFile(path); err != nil || info.Tickets != 1 {
		t.Fatalf("offline backup: %+v, %v", info, err)
	}
	if _, err := boltstore.OpenReadOnly(t.TempDir(), quiet()); err == nil {
		t.Fatal("read-only open of an empty directory succeeded")
	}
}

func checkNoTemp(t testing.TB, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".restore-") || strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func names(entries []os.DirEntry) []string {
	var s []string
	for _, e := range entries {
		s = append(s, e.Name())
	}
	return s
}

// BenchmarkBackup measures an online backup of a year of a busy hall
// (100,000 events): Backup to io.Discard (the read transaction alone) and
// BackupFile (write, fsync, read back and check).
func BenchmarkBackup(b *testing.B) {
	dir := b.TempDir()
	st, err := boltstore.Open(dir, quiet())
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := boltstore.FillYear(context.Background(), st, smallHall(), 100_000, time.Date(2025, 11, 26, 9, 0, 0, 0, time.UTC)); err != nil {
		b.Fatal(err)
	}
	size, err := st.Backup(io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	fi, _ := os.Stat(st.Path())
	b.Logf("database: %.1f MB used, file %.1f MB", float64(size)/1e6, float64(fi.Size())/1e6)
	b.Run("Discard", func(b *testing.B) {
		b.SetBytes(size)
		for i := 0; i < b.N; i++ {
			if _, err := st.Backup(io.Discard); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("File", func(b *testing.B) {
		b.SetBytes(size)
		path := filepath.Join(b.TempDir(), "b.db")
		for i := 0; i < b.N; i++ {
			if err := st.BackupFile(path); err != nil {
				b.Fatal(err)
			}
		}
	})
}
