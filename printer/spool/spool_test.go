package spool_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"yiting/printer"
	"yiting/printer/printersim"
	"yiting/printer/spool"
)

func ticket(n string) printer.Ticket {
	return printer.Ticket{
		Hall: "示例县综治中心", Number: n, Service: "矛盾纠纷调解", Counter: "3号窗口", Ahead: 1,
		Issued:  time.Date(2026, 11, 20, 9, 31, 0, 0, time.FixedZone("CST", 8*3600)),
		CaseURL: "http://hall.local/c/" + n, CaseCode: n, Footer: "请留意叫号，过号请重新取号",
	}
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// rig is a spool printing through the real driver to a simulated printer
// over a pseudo-terminal.
type rig struct {
	dir   string
	drv   *printer.Driver
	sim   *printersim.Printer
	spool *spool.Spool
}

func newRig(t *testing.T, dir string) *rig {
	t.Helper()
	master, slave, err := printersim.OpenPTY()
	if err != nil {
		t.Fatal(err)
	}
	sim := printersim.New(nil)
	c, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sim.Serve(c, master); close(done) }()
	drv := printer.New(printer.Port(slave), nil)
	t.Cleanup(func() { drv.Close(); cancel(); <-done; master.Close() })
	s, err := spool.Open(dir, drv, &spool.Opts{MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{dir: dir, drv: drv, sim: sim, spool: s}
}

// run starts the retry loop until the test ends.
func (r *rig) run(t *testing.T) {
	c, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.spool.Run(c) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

func (r *rig) next(t *testing.T) printersim.Document {
	t.Helper()
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d, err := r.sim.Next(c)
	if err != nil {
		t.Fatalf("nothing printed: %v", err)
	}
	return d
}

func jobFiles(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func isReprint(d printersim.Document) bool {
	lines := d.Lines()
	return len(lines) > 0 && lines[0] == printer.ReprintMark
}

func TestPaperOutBeforeTicketPrintsAfterRecovery(t *testing.T) {
	r := newRig(t, t.TempDir())
	r.sim.SetState(printersim.State{PaperOut: true})
	_, err := r.spool.Print(ctx(t), ticket("A001"))
	var pe *spool.PendingError
	if !errors.Is(err, spool.ErrPending) || !errors.Is(err, printer.ErrPaperOut) || !errors.As(err, &pe) {
		t.Fatalf("err = %v, want pending because of paper out", err)
	}
	if pe.Job.Ticket.Reprint {
		t.Error("nothing was sent, yet the job is marked as a reprint")
	}
	if s := r.sim.Stats(); s.PrintBytes != 0 {
		t.Errorf("%d ticket bytes reached the printer", s.PrintBytes)
	}
	if p := r.spool.Pending(); len(p) != 1 || p[0].Ticket.Number != "A001" || p[0].Attempts != 1 || !strings.Contains(p[0].LastError, "paper") {
		t.Fatalf("pending %+v", p)
	}
	if f := jobFiles(t, r.dir); len(f) != 1 {
		t.Fatalf("job files %v", f)
	}

	r.run(t)
	time.Sleep(100 * time.Millisecond) // a retry or two against the empty printer
	r.sim.SetState(printersim.State{})
	d := r.next(t)
	if !d.Complete() || isReprint(d) || !strings.Contains(d.Text(), "A001") {
		t.Errorf("printed after recovery:\n%s", d.Text())
	}
	waitFor(t, func() bool { return len(r.spool.Pending()) == 0 && len(jobFiles(t, r.dir)) == 0 })
}

func TestPaperOutInTheMiddleReprintsMarked(t *testing.T) {
	r := newRig(t, t.TempDir())
	r.sim.PaperOutAfter(150)
	_, err := r.spool.Print(ctx(t), ticket("A002"))
	if !errors.Is(err, spool.ErrPending) || !errors.Is(err, printer.ErrInterrupted) {
		t.Fatalf("err = %v", err)
	}
	if partial := r.next(t); partial.Complete() {
		t.Fatal("the interrupted ticket was cut")
	}
	p := r.spool.Pending()
	if len(p) != 1 || !p[0].Ticket.Reprint {
		t.Fatalf("pending %+v, want one job marked as a reprint", p)
	}
	r.run(t)
	r.sim.SetState(printersim.State{})
	d := r.next(t)
	if !d.Complete() || !isReprint(d) {
		t.Errorf("reprint:\n%s", d.Text())
	}
	waitFor(t, func() bool { return len(r.spool.Pending()) == 0 })
}

func TestPendingSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	first := newRig(t, dir)
	first.sim.SetState(printersim.State{CoverOpen: true})
	if _, err := first.spool.Print(ctx(t), ticket("A003")); !errors.Is(err, printer.ErrCoverOpen) {
		t.Fatalf("err = %v", err)
	}
	if _, err := first.spool.Print(ctx(t), ticket("A004")); !errors.Is(err, spool.ErrPending) {
		t.Fatalf("err = %v", err)
	}
	// The process restarts: a new spool on the same directory, a working printer.
	second := newRig(t, dir)
	p := second.spool.Pending()
	if len(p) != 2 || p[0].Ticket.Number != "A003" || p[1].Ticket.Number != "A004" {
		t.Fatalf("after restart pending %+v", p)
	}
	second.run(t)
	for _, want := range []string{"A003", "A004"} {
		d := second.next(t)
		if !strings.Contains(d.Text(), want) || isReprint(d) {
			t.Errorf("printed\n%s\nwant %s, not a reprint", d.Text(), want)
		}
	}
	waitFor(t, func() bool { return len(jobFiles(t, dir)) == 0 })
}

func TestStaffReprint(t *testing.T) {
	r := newRig(t, t.TempDir())
	r.sim.SetState(printersim.State{Offline: true})
	_, err := r.spool.Print(ctx(t), ticket("A005"))
	var pe *spool.PendingError
	if !errors.As(err, &pe) {
		t.Fatalf("err = %v", err)
	}
	// Still offline: the reprint fails and the job stays.
	if _, err := r.spool.Reprint(ctx(t), pe.Job.ID); !errors.Is(err, printer.ErrOffline) {
		t.Fatalf("reprint while offline: %v", err)
	}
	r.sim.SetState(printersim.State{})
	if _, err := r.spool.Reprint(ctx(t), pe.Job.ID); err != nil {
		t.Fatal(err)
	}
	if d := r.next(t); !isReprint(d) {
		t.Errorf("staff reprint not marked:\n%s", d.Text())
	}
	if _, err := r.spool.Reprint(ctx(t), pe.Job.ID); !errors.Is(err, spool.ErrNotFound) {
		t.Errorf("second reprint: %v", err)
	}
	// A ticket printed fine and lost by the visitor.
	if _, err := r.spool.ReprintTicket(ctx(t), ticket("A006")); err != nil {
		t.Fatal(err)
	}
	if d := r.next(t); !isReprint(d) || !strings.Contains(d.Text(), "A006") {
		t.Errorf("lost-ticket reprint:\n%s", d.Text())
	}
	if _, err := r.spool.Reprint(ctx(t), "../../etc/passwd"); !errors.Is(err, spool.ErrNotFound) {
		t.Errorf("reprint of a bad id: %v", err)
	}
}

// fakeDevice fails while down is set and records what it printed.
type fakeDevice struct {
	mu      sync.Mutex
	down    error
	printed []printer.Ticket
}

func (f *fakeDevice) Print(ctx context.Context, t printer.Ticket) (printer.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down != nil {
		return printer.Status{}, f.down
	}
	f.printed = append(f.printed, t)
	return printer.Status{Known: true}, nil
}

func (f *fakeDevice) set(err error) {
	f.mu.Lock()
	f.down = err
	f.mu.Unlock()
}

func (f *fakeDevice) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.printed)
}

func TestCrashDuringAttemptIsReprint(t *testing.T) {
	dir := t.TempDir()
	// A job file left with InFlight set: the process died while printing.
	job := `{"ID":"20261120T013100.000000000-00000001","Ticket":{"Number":"A007","Reprint":false},"Created":"2026-11-20T01:31:00Z","Attempts":0,"InFlight":true}`
	os.WriteFile(filepath.Join(dir, "20261120T013100.000000000-00000001.json"), []byte(job), 0o600)
	os.WriteFile(filepath.Join(dir, ".20261120T013200.000000000-00000002.tmp"), []byte("{half"), 0o600)
	os.WriteFile(filepath.Join(dir, "garbled.json"), []byte("{not json"), 0o600)
	dev := &fakeDevice{}
	s, err := spool.Open(dir, dev, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := s.Pending()
	if len(p) != 1 || !p[0].Ticket.Reprint || p[0].InFlight {
		t.Fatalf("pending %+v, want the in-flight job as a reprint", p)
	}
	if _, err := os.Stat(filepath.Join(dir, "garbled.json.bad")); err != nil {
		t.Errorf("unreadable job not set aside: %v", err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

func TestOldJobsWaitForStaff(t *testing.T) {
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	dev := &fakeDevice{down: printer.ErrPaperOut}
	s, err := spool.Open(t.TempDir(), dev, &spool.Opts{Now: clock, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, AutoRetryFor: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Print(ctx(t), ticket("A008")); !errors.Is(err, spool.ErrPending) {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(2 * time.Hour) // the printer is fixed the next morning...
	mu.Unlock()
	dev.set(nil)
	c, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- s.Run(c) }()
	time.Sleep(50 * time.Millisecond)
	cancel()
	<-done
	if dev.count() != 0 {
		t.Fatal("a two-hour-old ticket printed by itself")
	}
	// ... and staff can still print it, or discard it.
	p := s.Pending()
	if len(p) != 1 {
		t.Fatalf("pending %+v", p)
	}
	if err := s.Discard(p[0].ID); err != nil {
		t.Fatal(err)
	}
	if len(s.Pending()) != 0 {
		t.Error("discarded job still pending")
	}
	if err := s.Discard(p[0].ID); !errors.Is(err, spool.ErrNotFound) {
		t.Errorf("second discard: %v", err)
	}
}

func TestInvalidTicketIsNotKept(t *testing.T) {
	dev := &fakeDevice{down: printer.ErrInvalidTicket}
	dir := t.TempDir()
	s, err := spool.Open(dir, dev, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Print(ctx(t), ticket("A009")); !errors.Is(err, printer.ErrInvalidTicket) || errors.Is(err, spool.ErrPending) {
		t.Fatalf("err = %v", err)
	}
	if len(s.Pending()) != 0 || len(jobFiles(t, dir)) != 0 {
		t.Error("an unprintable ticket was kept")
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
