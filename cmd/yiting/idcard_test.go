package main

import (
	"context"
	"strings"
	"testing"
	"time"
	"yiting/queue/queuetest"

	"yiting/kiosk/idcard"
	"yiting/kiosk/idcard/idcardsim"
)

type syncBuffer = queuetest.Buffer

func waitFor(t *testing.T, out *syncBuffer, want string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("output lacks %q:\n%s", want, out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRunIDCard runs the installer's tool against the simulated reader on a
// pseudo-terminal: it prints the SAM id and each card masked, never a whole
// ID number, name or address, and stops when its context ends (Ctrl-C).
func TestRunIDCard(t *testing.T) {
	samID := idcard.SAMID{0xDE, 0xAD, 0xBE, 0xEF}
	sim := idcardsim.New(&idcardsim.Opts{SAMID: samID, Baud: 115200})
	p, err := sim.ServePTY(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- runIDCard(ctx, []string{"-port", p.Path, "-baud", "115200"}, &stdout, &stderr) }()

	waitFor(t, &stdout, "DEADBEEF000000000000000000000000")
	cards := idcardsim.Cards()
	for _, c := range cards {
		sim.Place(c)
		waitFor(t, &stdout, c.Identity.MaskedNumber())
		sim.Remove()
	}
	waitFor(t, &stdout, "（已过期）")
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("runIDCard: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("runIDCard did not stop")
	}
	out := stdout.String() + stderr.String()
	t.Log(out)
	for _, c := range cards {
		for _, secret := range []string{c.Identity.Number, c.Identity.Name, c.Identity.Address, c.Identity.EnglishName} {
			if secret != "" && strings.Contains(out, secret) {
				t.Errorf("output shows %q whole", secret)
			}
		}
	}
	for _, want := range []string{"王*明", "421224********0012", "湖北省咸宁市****", "有效期限", "长期", "已退出"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestRunIDCardFlags(t *testing.T) {
	var out, errw syncBuffer
	for _, args := range [][]string{
		{}, // no -port
		{"-port", "/dev/null", "-baud", "14400"},
		{"-nonsense"},
	} {
		if err := runIDCard(context.Background(), args, &out, &errw); err == nil {
			t.Errorf("runIDCard(%q) succeeded", args)
		}
	}
}

// TestRunIDCardSetBaud: -set-baud sends 60 xx and says what to do next.
func TestRunIDCardSetBaud(t *testing.T) {
	sim := idcardsim.New(&idcardsim.Opts{Baud: 115200})
	p, err := sim.ServePTY(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var out, errw syncBuffer
	if err := runIDCard(context.Background(), []string{"-port", p.Path, "-set-baud", "9600"}, &out, &errw); err != nil {
		t.Fatal(err)
	}
	// The reader switches after it has sent its answer, as a real one
	// does: the command may return a moment before.
	for deadline := time.Now().Add(5 * time.Second); sim.Baud() != 9600 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if sim.Count(idcard.OpSetBaud9600) != 1 || sim.Baud() != 9600 || !strings.Contains(out.String(), "-baud 9600") {
		t.Errorf("set baud: sent %d, simulator at %d, output %q", sim.Count(idcard.OpSetBaud9600), sim.Baud(), out.String())
	}
}
