package idcard

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// Transport errors, returned wrapped by Conn; test with errors.Is.
var (
	// ErrTimeout: the reader did not answer a command in time (silence, a
	// slow reader, or a frame cut short).
	ErrTimeout = errors.New("idcard: the reader did not answer in time")
	// ErrDisconnected: the port failed — the device is gone (USB unplugged),
	// a write failed, or the port was closed. Reopen it.
	ErrDisconnected = errors.New("idcard: reader disconnected")
)

const (
	// instantRead is how fast an empty read must return to count as
	// "instant". tarm/serial's shortest read timeout is 100 ms; a port whose
	// device is gone returns (0, io.EOF) in microseconds.
	instantRead = 2 * time.Millisecond
	// maxInstantEmpty consecutive instant empty reads mean the device is
	// gone (platform-notes.md: a closed pty or an unplugged adapter returns
	// (0, io.EOF) at once, over and over).
	maxInstantEmpty = 16
	// readSlice bounds one Read on a port that supports read deadlines, so
	// the context is checked at least this often.
	readSlice = 100 * time.Millisecond
)

// readDeadliner is implemented by ports that can bound a Read themselves
// (an *os.File on a pollable descriptor, net.Conn). tarm/serial's Port does
// not: it bounds reads by its ReadTimeout instead.
type readDeadliner interface {
	SetReadDeadline(t time.Time) error
}

// portReader gives a serial port the semantics the Decoder needs: an empty
// read is "nothing yet" until the command's deadline or the context ends it,
// and a port that keeps returning nothing at once, or fails, is reported as
// ErrDisconnected.
//
// The port's Read must return from time to time: a tarm/serial port opened
// with a ReadTimeout, or a port with SetReadDeadline.
type portReader struct {
	r          io.Reader
	done       func() error // the command's context's Err
	deadline   time.Time
	noDeadline bool // SetReadDeadline failed once: do not try again
	emptyRun   int  // consecutive instant empty reads
}

func (p *portReader) Read(b []byte) (int, error) {
	d, canDeadline := p.r.(readDeadliner)
	for {
		if err := p.done(); err != nil {
			return 0, err
		}
		now := time.Now()
		if !now.Before(p.deadline) {
			return 0, ErrTimeout
		}
		if canDeadline && !p.noDeadline {
			next := now.Add(readSlice)
			if p.deadline.Before(next) {
				next = p.deadline
			}
			if err := d.SetReadDeadline(next); err != nil {
				p.noDeadline = true
			}
		}
		n, err := p.r.Read(b)
		if n > 0 {
			p.emptyRun = 0
			return n, nil // an error with data recurs on the next Read
		}
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, os.ErrDeadlineExceeded) {
			if cerr := p.done(); cerr != nil {
				return 0, cerr // the port was closed because ctx ended
			}
			return 0, fmt.Errorf("%w: %w", ErrDisconnected, err)
		}
		if time.Since(now) < instantRead {
			p.emptyRun++
			if p.emptyRun >= maxInstantEmpty {
				p.emptyRun = 0
				return 0, fmt.Errorf("%w: the port reports end of stream at once", ErrDisconnected)
			}
		} else {
			p.emptyRun = 0
		}
	}
}

// guardedPort serialises Flush with Close. tarm/serial's Flush reads the
// port's file descriptor, which races with a Close from another goroutine
// (the Reader closes the port when ctx ends, to unblock a read); Read and
// Write are safe to run alongside Close.
type guardedPort struct {
	io.ReadWriteCloser
	mu     sync.Mutex
	closed bool
}

// Flush discards unread input if the port can, unless it is closed.
func (g *guardedPort) Flush() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return os.ErrClosed
	}
	if f, ok := g.ReadWriteCloser.(flusher); ok {
		return f.Flush()
	}
	return nil
}

// SetReadDeadline passes through to a port that has it.
func (g *guardedPort) SetReadDeadline(t time.Time) error {
	if d, ok := g.ReadWriteCloser.(readDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return errors.ErrUnsupported
}

// Close closes the port once.
func (g *guardedPort) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	return g.ReadWriteCloser.Close()
}
