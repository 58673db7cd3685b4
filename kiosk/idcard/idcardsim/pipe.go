package idcardsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Open connects a new in-memory port to the simulator and serves it in a
// goroutine. It has the signature of idcard.OpenFunc, so a demo can run the
// kiosk's reader loop against the simulator without a terminal. Closing the
// returned port stops serving it and waits for that.
//
// The port is a pair of OS pipes: buffered like a serial line (an answer
// the host has not read yet does not block the reader) and with read
// deadlines.
func (s *Sim) Open(ctx context.Context) (io.ReadWriteCloser, error) {
	hr, dw, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("idcardsim: %w", err)
	}
	dr, hw, err := os.Pipe()
	if err != nil {
		hr.Close()
		dw.Close()
		return nil, fmt.Errorf("idcardsim: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	host := &pipePort{r: hr, w: hw, cancel: cancel, done: make(chan struct{})}
	dev := &pipePort{r: dr, w: dw}
	go func() {
		defer close(host.done)
		defer dev.Close()
		host.err = s.Serve(ctx, dev)
	}()
	return host, nil
}

// pipePort is one end of a duplex made of two pipes.
type pipePort struct {
	r, w   *os.File
	cancel context.CancelFunc // host end: stops the Serve behind it
	done   chan struct{}
	err    error
	once   sync.Once
}

func (p *pipePort) Read(b []byte) (int, error)  { return p.r.Read(b) }
func (p *pipePort) Write(b []byte) (int, error) { return p.w.Write(b) }

// SetReadDeadline bounds the next reads.
func (p *pipePort) SetReadDeadline(t time.Time) error { return p.r.SetReadDeadline(t) }

// Close closes both pipes; on the host end it also stops the simulator's
// side and waits for it.
func (p *pipePort) Close() error {
	var err error
	p.once.Do(func() {
		if p.cancel != nil {
			p.cancel()
			<-p.done
			err = p.err
		}
		err = errors.Join(err, p.r.Close(), p.w.Close())
	})
	return err
}
