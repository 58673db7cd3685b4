package printer_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"sync"
	"testing"

	"yiting/printer"
	"yiting/printer/escpos"
)

// scriptedPort answers every DLE EOT with "all clear" and, when the ticket
// starts (ESC @), sends an ASB block reporting paper out, then one clearing
// it: the paper ran out and was replaced while the ticket was going out.
type scriptedPort struct {
	r      *io.PipeReader
	w      *io.PipeWriter
	out    chan []byte // replies, written in order by one goroutine
	mu     sync.Mutex
	ticket bool
}

func newScriptedPort() *scriptedPort {
	r, w := io.Pipe()
	p := &scriptedPort{r: r, w: w, out: make(chan []byte, 64)}
	go func() {
		for b := range p.out {
			if _, err := w.Write(b); err != nil {
				return
			}
		}
	}()
	return p
}

func (p *scriptedPort) Read(b []byte) (int, error) { return p.r.Read(b) }
func (p *scriptedPort) Close() error {
	close(p.out)
	p.w.Close()
	return p.r.Close()
}

func (p *scriptedPort) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	var reply []byte
	switch {
	case bytes.Equal(b, []byte{escpos.GS, 'a', 0x0E}):
		asb := escpos.Status{}.ASB()
		reply = asb[:]
	case len(b) == 3 && b[0] == escpos.DLE && b[1] == escpos.EOT:
		reply = []byte{0x12}
	case bytes.HasPrefix(b, []byte{escpos.ESC, '@'}) && !p.ticket:
		p.ticket = true
		out := escpos.Status{PaperOut: true, Offline: true}.ASB()
		ok := escpos.Status{}.ASB()
		reply = append(out[:], ok[:]...)
	}
	if len(reply) > 0 {
		p.out <- reply
	}
	return len(b), nil
}

func TestASBDuringTicketMeansInterrupted(t *testing.T) {
	port := newScriptedPort()
	drv := printer.New(printer.Port(port), &printer.Opts{Profile: mustProfile(t, "80mm-asb")})
	defer drv.Close()
	_, err := drv.Print(context.Background(), sampleTicket())
	if !errors.Is(err, printer.ErrInterrupted) || !errors.Is(err, printer.ErrPaperOut) {
		t.Fatalf("err = %v, want interrupted by paper out reported through ASB", err)
	}
	// The next ticket, with no trouble reported, prints.
	if _, err := drv.Print(context.Background(), sampleTicket()); err != nil {
		t.Fatal(err)
	}
}
