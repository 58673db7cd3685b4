package boltstore_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"yiting/queue"
	"yiting/queue/boltstore"
)

// TestDiskFull fills the disk under a running engine: issuing then fails
// with ErrUnavailable (the API's 503), nothing is corrupted, no number is
// lost or handed out twice, and service returns once space does.
//
// The disk is a 2 MiB tmpfs mounted in a private mount namespace of a
// child process (a user namespace makes this work without root), so the
// test fills a real file system and touches nothing of the machine's.
func TestDiskFull(t *testing.T) {
	if os.Getenv("YITING_EMULATED") != "" {
		// make test-arm sets it: qemu-user refuses the clone into new user
		// and mount namespaces (EINVAL), so there is no tmpfs to fill.
		t.Skip("YITING_EMULATED: qemu-user cannot clone into a new user namespace (CLONE_NEWUSER), which this test's tmpfs needs; it runs natively in make test")
	}
	if os.Getenv("YITING_DISKFULL_CHILD") == "1" {
		diskFullChild(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDiskFull$", "-test.v")
	cmd.Env = append(os.Environ(), "YITING_DISKFULL_CHILD=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags:  syscall.CLONE_NEWUSER | syscall.CLONE_NEWNS,
		UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
		GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
	}
	out, err := cmd.CombinedOutput()
	t.Logf("child:\n%s", out)
	if err != nil {
		t.Fatalf("disk-full scenario failed: %v", err)
	}
}

func diskFullChild(t *testing.T) {
	dir, err := os.MkdirTemp("", "yiting-full")
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=2m"); err != nil {
		t.Fatalf("mount a tmpfs in the child's namespace: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	hall := smallHall()
	ctx := context.Background()
	kiosk := queue.Principal{ID: "k1", Role: queue.RoleKiosk}
	open := func() (*boltstore.Store, *queue.Engine) {
		st, err := boltstore.Open(dir, log)
		if err != nil {
			t.Fatal(err)
		}
		eng, err := queue.New(ctx, hall, st, queue.Options{Logger: log})
		if err != nil {
			t.Fatal(err)
		}
		return st, eng
	}
	st, eng := open()
	var acked []queue.Ticket
	issue := func(i int) error {
		is, err := eng.Issue(ctx, kiosk, queue.IssueRequest{ServiceID: "petition", IdempotencyKey: fmt.Sprint("tap", i), Visitor: queue.Visitor{MaskedName: strings.Repeat("张", 20)}})
		if err == nil {
			acked = append(acked, is.Ticket)
		}
		return err
	}
	for i := 0; i < 20; i++ {
		if err := issue(i); err != nil {
			t.Fatal(err)
		}
	}
	// Fill the disk.
	filler, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64<<10)
	for {
		if _, err := filler.Write(buf); err != nil {
			break
		}
	}
	filler.Close()
	var failed error
	i := 20
	for ; i < 5000 && failed == nil; i++ {
		failed = issue(i)
	}
	if failed == nil {
		t.Fatal("5000 tickets issued on a full disk: the test did not fill it")
	}
	if !errors.Is(failed, queue.ErrUnavailable) {
		t.Fatalf("on a full disk: %v, want ErrUnavailable", failed)
	}
	t.Logf("disk full after %d tickets: %s", len(acked), queue.ErrorMessage(failed))
	// Still full: still refused, and reads still work.
	if err := issue(i); !errors.Is(err, queue.ErrUnavailable) {
		t.Fatalf("second attempt on a full disk: %v", err)
	}
	if _, err := eng.TicketByNumber(acked[len(acked)-1].Number); err != nil {
		t.Fatalf("reading while the disk is full: %v", err)
	}
	// Space returns: service resumes with the next number.
	if err := os.Remove(filepath.Join(dir, "filler")); err != nil {
		t.Fatal(err)
	}
	if err := issue(i + 1); err != nil {
		t.Fatalf("after space returned: %v", err)
	}
	eng.Close()
	if err := st.Check(); err != nil {
		t.Fatalf("database after the disk was full: %v", err)
	}
	st.Close()
	st, eng = open()
	defer st.Close()
	defer eng.Close()
	for n, want := range acked {
		tv, err := eng.Ticket(ctx, want.ID)
		if err != nil || tv.Number != want.Number {
			t.Fatalf("acknowledged ticket %s after reopening: %+v, %v", want.Number, tv.Ticket, err)
		}
		if wantNum := queue.FormatNumber("A", n+1); want.Number != wantNum {
			t.Fatalf("ticket %d is %s, want %s: a number was skipped or repeated", n, want.Number, wantNum)
		}
	}
	checkEventLog(t, st)
}
