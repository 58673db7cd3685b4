package idcard_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/tarm/serial"

	"yiting/kiosk/idcard"
	"yiting/kiosk/idcard/idcardsim"
)

// servePTY starts a simulated reader on a pseudo-terminal, stopped at
// cleanup.
func servePTY(tb testing.TB, sim *idcardsim.Sim) *idcardsim.PTY {
	tb.Helper()
	p, err := sim.ServePTY(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := p.Close(); err != nil {
			tb.Errorf("simulator: %v", err)
		}
	})
	return p
}

// openSerial opens path as cmd/ opens the real reader: tarm/serial with a
// read timeout.
func openSerial(path string) (io.ReadWriteCloser, error) {
	return serial.OpenPort(&serial.Config{Name: path, Baud: 115200, ReadTimeout: 100 * time.Millisecond})
}

// dialPTY opens a Conn on a fresh simulator's pty through tarm/serial.
func dialPTY(tb testing.TB, opts *idcardsim.Opts, t *idcard.Timeouts) (*idcardsim.Sim, *idcard.Conn) {
	tb.Helper()
	sim := idcardsim.New(opts)
	p := servePTY(tb, sim)
	port, err := openSerial(p.Path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { port.Close() })
	return sim, idcard.NewConn(port, t)
}

func card(tb testing.TB, label string) idcardsim.Card {
	tb.Helper()
	c, ok := idcardsim.CardByLabel(label)
	if !ok {
		tb.Fatalf("no card %q", label)
	}
	return c
}

// eventually polls cond until it holds or 10 s pass.
func eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
