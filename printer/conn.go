package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"yiting/printer/escpos"
)

// writeChunk is how many bytes go to the port in one Write: small enough
// that XOFF is honoured promptly and a write watchdog can tell a stuck port.
const writeChunk = 256

// conn is one open connection to the printer with the goroutine that reads
// what the printer sends.
type conn struct {
	rwc io.ReadWriteCloser
	log *slog.Logger

	status chan byte     // DLE EOT replies
	xon    chan struct{} // a signal for each XON
	stop   chan struct{} // closed by close
	done   chan struct{} // closed when the reader returns

	mu       sync.Mutex
	paused   bool          // XOFF received and no XON since
	asb      escpos.Status // from the last ASB block
	asbCount int           // ASB blocks received
	faults   int           // ASB blocks that reported a stopping condition
	fault    escpos.Status // the last of those
	readErr  error         // why the reader returned

	broken    atomic.Bool // a write failed: the port must be reopened
	closeOnce sync.Once
	noStatus  bool // StatusOptional and the printer gave no status: stop asking
}

func newConn(rwc io.ReadWriteCloser, log *slog.Logger) *conn {
	c := &conn{
		rwc:    rwc,
		log:    log,
		status: make(chan byte, 16),
		xon:    make(chan struct{}, 1),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	go c.read()
	return c
}

// read runs until the port fails or the connection is closed. A read that
// returns (0, io.EOF) means "nothing yet": tarm/serial's read timeout, or a
// USB printer-class file with nothing to say. Its polling backs off to
// 100 ms so a file that always returns EOF does not spin.
func (c *conn) read() {
	defer close(c.done)
	var p escpos.ReplyParser
	buf := make([]byte, 64)
	idle := time.Millisecond
	for {
		n, err := c.rwc.Read(buf)
		for _, b := range buf[:n] {
			if r, ok := p.Feed(b); ok {
				c.handle(r)
			}
		}
		select {
		case <-c.stop:
			return
		default:
		}
		switch {
		case n > 0 || err == nil:
			idle = time.Millisecond
		case errors.Is(err, io.EOF):
			select {
			case <-c.stop:
				return
			case <-time.After(idle):
			}
			idle = min(2*idle, 100*time.Millisecond)
		default:
			c.mu.Lock()
			c.readErr = err
			c.mu.Unlock()
			return
		}
	}
}

func (c *conn) handle(r escpos.Reply) {
	switch r.Kind {
	case escpos.ReplyStatus:
		select {
		case c.status <- r.Byte:
		default:
			c.log.Warn("printer: status reply dropped, nobody asked", "byte", r.Byte)
		}
	case escpos.ReplyASB:
		var s escpos.Status
		s.ApplyASB(r.ASB)
		c.mu.Lock()
		changed := c.asbCount == 0 || c.asb != s
		c.asb = s
		c.asbCount++
		if (Status{Status: s, Known: true}).Err() != nil {
			c.faults++
			c.fault = s
		}
		c.mu.Unlock()
		if changed {
			c.log.Info("printer: automatic status", "status", fmt.Sprintf("%+v", s))
		}
	case escpos.ReplyXOFF:
		c.mu.Lock()
		c.paused = true
		c.mu.Unlock()
	case escpos.ReplyXON:
		c.mu.Lock()
		c.paused = false
		c.mu.Unlock()
		select {
		case c.xon <- struct{}{}:
		default:
		}
	default:
		c.log.Debug("printer: unexpected byte from printer", "byte", r.Byte)
	}
}

// asbFaults returns how many ASB blocks reported a stopping condition, and
// the last such status.
func (c *conn) asbFaults() (int, escpos.Status) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.faults, c.fault
}

// readerErr returns why the reader stopped, once done is closed.
func (c *conn) readerErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.readErr == nil {
		return errors.New("connection closed")
	}
	return c.readErr
}

// write sends p in chunks, waiting while the printer has sent XOFF unless
// realtime is set: ESC/POS printers act on real-time commands (DLE EOT)
// even with a full receive buffer, so a status request may go out. A chunk
// that does not go out within timeout closes the port (the only way to
// unblock the write) and fails with ErrTimeout. It returns the number of
// bytes written.
func (c *conn) write(ctx context.Context, p []byte, timeout time.Duration, realtime bool) (int, error) {
	sent := 0
	for sent < len(p) {
		if err := ctx.Err(); err != nil {
			return sent, fmt.Errorf("printer: %w", err)
		}
		if !realtime {
			if err := c.waitXON(ctx, timeout); err != nil {
				return sent, err
			}
		}
		end := min(sent+writeChunk, len(p))
		var fired atomic.Bool
		watchdog := time.AfterFunc(timeout, func() {
			fired.Store(true)
			c.rwc.Close()
		})
		n, err := c.rwc.Write(p[sent:end])
		watchdog.Stop()
		sent += n
		if fired.Load() || err != nil {
			c.broken.Store(true)
		}
		if fired.Load() {
			return sent, fmt.Errorf("printer: write blocked for %v: %w", timeout, ErrTimeout)
		}
		if err != nil {
			return sent, fmt.Errorf("printer: write: %w", err)
		}
	}
	return sent, nil
}

func (c *conn) waitXON(ctx context.Context, timeout time.Duration) error {
	var deadline <-chan time.Time
	for {
		c.mu.Lock()
		paused := c.paused
		c.mu.Unlock()
		if !paused {
			return nil
		}
		if deadline == nil {
			t := time.NewTimer(timeout)
			defer t.Stop()
			deadline = t.C
		}
		select {
		case <-c.xon:
		case <-deadline:
			return fmt.Errorf("printer: XOFF for more than %v: %w", timeout, ErrTimeout)
		case <-ctx.Done():
			return fmt.Errorf("printer: %w", ctx.Err())
		case <-c.done:
			return fmt.Errorf("printer: waiting for XON: %w", c.readerErr())
		}
	}
}

// close stops the reader and closes the port. It waits for the reader
// unless the port's Read cannot be interrupted (then the goroutine ends
// when the Read returns).
func (c *conn) close() error {
	var err error
	c.closeOnce.Do(func() {
		close(c.stop)
		err = c.rwc.Close()
		select {
		case <-c.done:
		case <-time.After(2 * time.Second):
			c.log.Warn("printer: port read did not return after close")
		}
	})
	return err
}
