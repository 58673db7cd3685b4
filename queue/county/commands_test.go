package county_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"yiting/queue/county"
)

// applier records the commands a site applied, failing each one's first
// attempt (a crash before the acknowledgement: the command comes again)
// and refusing those whose case is "missing".
type applier struct {
	mu      sync.Mutex
	applied []string
	tried   map[string]int
}

func (a *applier) apply(_ context.Context, c *county.Command) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tried[c.ID]++
	switch {
	case c.Case == "missing":
		return &county.Refused{Err: errors.New("没有这个案件")}
	case a.tried[c.ID] == 1:
		return errors.New("disk busy")
	case slices.Contains(a.applied, c.ID):
		return nil // applied before: idempotent by id
	}
	a.applied = append(a.applied, c.ID)
	return nil
}

func (a *applier) got() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.applied)
}

// runCommands starts a site's command runner on its server.
func runCommands(t *testing.T, s *county.SiteServer, site string, a *applier) (stop func()) {
	t.Helper()
	c, err := county.NewCommands(context.Background(), county.CommandsOptions{Site: site, Conn: s.Conn(), Apply: a.apply,
		Logger: quiet, Retry: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); c.Run(ctx) }()
	return func() { cancel(); <-done }
}

func command(site string, n int, caseCode string) *county.Command {
	return &county.Command{ID: fmt.Sprintf("c%s-%d", site[len(site)-1:], n), Site: site, Case: caseCode, Kind: county.CommandSupervise,
		Level: "yellow", Text: "请于三日内报告办理情况", By: "county-boss", At: time.Now()}
}

// Commands go down: sent while a site is off line, each reaches it when
// it links, in order, and is applied once (a failed attempt comes again,
// a refused one is dropped); a command sent twice is one; one site never
// gets another's; a site back after a restart gets what came meanwhile.
func TestCommandsGoDown(t *testing.T) {
	h := newHub(t)
	credsA, credsB := h.register("site-a"), h.register("site-b")
	h.start()
	defer func() { h.srv.Close() }()
	out, err := county.NewOutbox(context.Background(), h.srv, quiet)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	outDone := make(chan struct{})
	go func() { defer close(outDone); out.Run(ctx, func() []string { return []string{"site-a", "site-b"} }) }()
	defer func() { cancel(); <-outDone }()

	// Site A is off line: the county sends anyway.
	for i := 1; i <= 3; i++ {
		if err := out.Send(ctx, command("site-a", i, "421224-20261201-0001-5")); err != nil {
			t.Fatal(err)
		}
	}
	if err := out.Send(ctx, command("site-a", 2, "421224-20261201-0001-5")); err != nil { // the form sent twice
		t.Fatal(err)
	}
	if err := out.Send(ctx, command("site-a", 4, "missing")); err != nil {
		t.Fatal(err)
	}
	if err := out.Send(ctx, &county.Command{ID: "bad", Site: "site-a", Case: "x", Kind: "delete", Text: "删除"}); err == nil {
		t.Fatal("an unknown kind was sent")
	}
	storeA, storeB := filepath.Join(t.TempDir(), "nats"), filepath.Join(t.TempDir(), "nats")
	start := func(id, creds, store string) *county.SiteServer {
		s, err := county.StartSiteServer(county.SiteServerOptions{Site: id, StoreDir: store, Hub: h.url(), Credentials: creds, Logger: quiet})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := &applier{tried: map[string]int{}}, &applier{tried: map[string]int{}}
	srvA, srvB := start("site-a", credsA, storeA), start("site-b", credsB, storeB)
	stopA, stopB := runCommands(t, srvA, "site-a", a), runCommands(t, srvB, "site-b", b)
	waitApplied(t, a, "ca-1", "ca-2", "ca-3")

	// Site B restarts (a power cut); the county sends it one meanwhile.
	stopB()
	srvB.Close()
	if err := out.Send(ctx, command("site-b", 1, "421224-20261202-0003-1")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	srvB = start("site-b", credsB, storeB)
	stopB = runCommands(t, srvB, "site-b", b)
	waitApplied(t, b, "cb-1")
	if err := out.Send(ctx, command("site-a", 5, "421224-20261201-0001-5")); err != nil {
		t.Fatal(err)
	}
	waitApplied(t, a, "ca-1", "ca-2", "ca-3", "ca-5")
	time.Sleep(300 * time.Millisecond) // nothing more comes
	if got := a.got(); !slices.Equal(got, []string{"ca-1", "ca-2", "ca-3", "ca-5"}) {
		t.Fatalf("site A applied %v", got)
	}
	if got := b.got(); !slices.Equal(got, []string{"cb-1"}) {
		t.Fatalf("site B applied %v (another site's commands?)", got)
	}
	stopA()
	stopB()
	srvA.Close()
	srvB.Close()
}

func waitApplied(t *testing.T, a *applier, want ...string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !slices.Equal(a.got(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("applied %v, want %v", a.got(), want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
