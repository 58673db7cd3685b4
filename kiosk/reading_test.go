package kiosk

import (
	"context"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"yiting/kiosk/idcard"
)

func TestSelectFrameIsTheProtocols(t *testing.T) {
	b, err := idcard.Command{Op: idcard.OpSelect}.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != selectFrame {
		t.Fatalf("select frame % X, the protocol's % X", selectFrame, b)
	}
}

// ObserveReads reports select commands and keeps the port's deadline.
func TestObserveReads(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	port := struct {
		io.Reader
		io.WriteCloser
	}{r, w}
	reads := 0
	open := ObserveReads(func(ctx context.Context) (io.ReadWriteCloser, error) { return port, nil }, func() { reads++ })
	p, err := open(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	find, _ := idcard.Command{Op: idcard.OpFind}.MarshalBinary()
	for _, f := range [][]byte{find, []byte(selectFrame), find} {
		if _, err := p.Write(f); err != nil {
			t.Fatal(err)
		}
	}
	if reads != 1 {
		t.Errorf("%d reads reported, want 1", reads)
	}
	// The struct has no deadline: the wrapper says so, as idcard expects.
	d := p.(interface{ SetReadDeadline(time.Time) error })
	if err := d.SetReadDeadline(time.Now()); !errors.Is(err, errors.ErrUnsupported) {
		t.Errorf("SetReadDeadline on a port without one: %v", err)
	}

	// An *os.File keeps its deadline through the wrapper.
	open = ObserveReads(func(ctx context.Context) (io.ReadWriteCloser, error) { return r, nil }, func() {})
	p2, _ := open(context.Background())
	if err := p2.(interface{ SetReadDeadline(time.Time) error }).SetReadDeadline(time.Now().Add(10 * time.Millisecond)); err != nil {
		t.Fatalf("deadline on a pipe: %v", err)
	}
	buf := make([]byte, 64)
	for {
		if _, err := p2.Read(buf); err != nil {
			if !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("read past the deadline: %v", err)
			}
			break
		}
	}
	if err := p2.(interface{ Flush() error }).Flush(); err != nil {
		t.Errorf("flush on a port without one: %v", err)
	}
}
