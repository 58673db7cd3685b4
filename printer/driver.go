package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"yiting/printer/escpos"
	"yiting/printer/typeface"
)

// Opts configures a Driver. A nil *Opts means all defaults.
type Opts struct {
	// Profile of the printer model; the zero value means ProfileByName("80mm").
	Profile Profile
	// Face draws lines with characters the printer's font lacks; nil prints
	// them as □.
	Face *typeface.Face
	// Logger; nil discards.
	Logger *slog.Logger
	// ReplyTimeout is how long to wait for each DLE EOT reply (default 1 s).
	ReplyTimeout time.Duration
	// WriteTimeout is how long one write of up to 256 bytes, or an XOFF,
	// may hold the driver (default 5 s).
	WriteTimeout time.Duration
	// Baud is the serial line speed, 0 if unknown or USB. After a ticket the
	// status request queues behind the ticket's bytes in the port's
	// buffer, so the wait for its reply grows by their wire time
	// (bytes × 10 / Baud): 4.5 s for a raster QR ticket at 9600 bit/s.
	Baud int
	// StatusOptional makes a printer that never answers DLE EOT (a USB
	// printer-class device whose status cannot be read) print without a
	// status check instead of failing with ErrTimeout.
	StatusOptional bool
}

// Driver prints tickets on one printer. Its methods are safe for concurrent
// use; they run one at a time.
type Driver struct {
	open         func() (io.ReadWriteCloser, error)
	profile      Profile
	face         *typeface.Face
	log          *slog.Logger
	replyTimeout time.Duration
	writeTimeout time.Duration
	optional     bool
	baud         int

	mu     sync.Mutex
	c      *conn
	closed bool
}

// New returns a driver that opens the printer's port with open when it first
// needs it, and again after the port failed (a cable pulled). The driver
// owns what open returns and closes it.
func New(open func() (io.ReadWriteCloser, error), opts *Opts) *Driver {
	if opts == nil {
		opts = &Opts{}
	}
	d := &Driver{
		open:         open,
		profile:      opts.Profile,
		face:         opts.Face,
		log:          opts.Logger,
		replyTimeout: opts.ReplyTimeout,
		writeTimeout: opts.WriteTimeout,
		optional:     opts.StatusOptional,
		baud:         opts.Baud,
	}
	if d.profile.Dots == 0 {
		d.profile, _ = ProfileByName("80mm")
	}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.replyTimeout <= 0 {
		d.replyTimeout = time.Second
	}
	if d.writeTimeout <= 0 {
		d.writeTimeout = 5 * time.Second
	}
	return d
}

// Port adapts an already open port to New, for a caller that keeps the port
// open itself (tests, the simulated printer). The driver closes it on Close.
func Port(rwc io.ReadWriteCloser) func() (io.ReadWriteCloser, error) {
	used := false
	var mu sync.Mutex
	return func() (io.ReadWriteCloser, error) {
		mu.Lock()
		defer mu.Unlock()
		if used {
			return nil, errors.New("port already used and closed")
		}
		used = true
		return rwc, nil
	}
}

// Profile returns the driver's printer profile.
func (d *Driver) Profile() Profile { return d.profile }

// Status asks the printer for its real-time status (DLE EOT 1–4). It
// returns ErrTimeout if the printer does not answer, and an error wrapping
// ErrOffline if the port cannot be opened. A condition that would stop a
// ticket is not an error here: see Status.Err.
func (d *Driver) Status(ctx context.Context) (Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c, err := d.connect(ctx)
	if err != nil {
		return Status{}, err
	}
	st, err := d.status(ctx, c, 0)
	if err != nil {
		d.drop(c, err)
	}
	return st, err
}

// Print checks the printer's status, sends the ticket and checks again.
//
// Before anything is sent, a stopping condition returns a *StatusError
// (errors.Is: ErrPaperOut, ErrCoverOpen, ErrOffline, ErrCutter, ErrFault),
// a silent printer ErrTimeout: none of the ticket's bytes were sent. If the
// ticket fails after bytes were sent (write error, paper out found by the
// second check) the error is an *InterruptedError (errors.Is ErrInterrupted):
// the ticket may be partly printed and should be reprinted, marked.
//
// On success the returned Status may carry a warning (paper near end).
func (d *Driver) Print(ctx context.Context, t Ticket) (Status, error) {
	data, err := Encode(t, d.profile, d.face)
	if err != nil {
		return Status{}, err
	}
	return d.send(ctx, data)
}

// send is Print for encoded bytes.
func (d *Driver) send(ctx context.Context, data []byte) (Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	c, err := d.connect(ctx)
	if err != nil {
		return Status{}, err
	}
	before, err := d.status(ctx, c, 0)
	if err != nil {
		d.drop(c, err)
		return before, err
	}
	if err := before.Err(); err != nil {
		return before, err
	}
	faultsBefore, _ := c.asbFaults()
	n, err := c.write(ctx, data, d.writeTimeout, false)
	if err != nil {
		d.drop(c, err)
		if n == 0 {
			return before, err
		}
		return before, &InterruptedError{Sent: n, Total: len(data), Err: err}
	}
	after, err := d.status(ctx, c, d.wireTime(n))
	if err != nil {
		d.drop(c, err)
		return before, &InterruptedError{Sent: n, Total: len(data), Err: err}
	}
	if err := after.Err(); err != nil {
		return after, &InterruptedError{Sent: n, Total: len(data), Err: err}
	}
	// An ASB block that reported trouble while the ticket went out means it
	// was cut short even if the printer is fine again now.
	if faults, fault := c.asbFaults(); faults > faultsBefore {
		err := (Status{Status: fault, Known: true}).Err()
		return after, &InterruptedError{Sent: n, Total: len(data), Err: err}
	}
	return after, nil
}

// Close closes the port. Later calls fail with ErrClosed.
func (d *Driver) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closed = true
	if d.c == nil {
		return nil
	}
	err := d.c.close()
	d.c = nil
	return err
}

// connect returns the open connection, opening the port if needed.
// d.mu is held.
func (d *Driver) connect(ctx context.Context) (*conn, error) {
	if d.closed {
		return nil, ErrClosed
	}
	if d.c != nil {
		return d.c, nil
	}
	rwc, err := d.open()
	if err != nil {
		return nil, fmt.Errorf("printer: opening the port: %w: %w", ErrOffline, err)
	}
	c := newConn(rwc, d.log)
	if d.profile.ASB {
		var e escpos.Buffer
		e.AutoStatusBack(0x0E) // online/offline, errors, roll paper sensor
		if _, err := c.write(ctx, e.Bytes(), d.writeTimeout, false); err != nil {
			c.close()
			return nil, fmt.Errorf("printer: enabling automatic status back: %w: %w", ErrOffline, err)
		}
	}
	d.c = c
	return c, nil
}

// drop closes a connection that failed (a write error, a port that cannot
// be read) so the next call reopens the port. A printer that merely does not
// answer keeps its connection: it may be switched off, and the port is fine.
// d.mu is held.
func (d *Driver) drop(c *conn, cause error) {
	if !c.broken.Load() && !(isReadFailure(c) && !c.noStatus) {
		return
	}
	d.log.Warn("printer: closing the port after an error", "err", cause)
	c.close()
	if d.c == c {
		d.c = nil
	}
}

// wireTime is how long n bytes take on the serial line (0 if the speed is
// unknown), with 10 % to spare.
func (d *Driver) wireTime(n int) time.Duration {
	if d.baud <= 0 {
		return 0
	}
	return time.Duration(n) * 11 * time.Second / time.Duration(d.baud)
}

// status reads DLE EOT 1 to 4, one at a time: after each request nothing
// more is sent until its reply byte comes. The first reply may take queued
// longer than the reply timeout. d.mu is held.
func (d *Driver) status(ctx context.Context, c *conn, queued time.Duration) (Status, error) {
	if c.noStatus {
		return Status{}, nil
	}
	var s Status
	for k := escpos.PrinterStatus; k <= escpos.PaperStatus; k++ {
		b, err := d.query(ctx, c, k, queued)
		queued = 0
		if err != nil {
			if d.optional && (errors.Is(err, ErrTimeout) || isReadFailure(c)) {
				d.log.Warn("printer: no status from the printer; printing without status checks", "err", err)
				c.noStatus = true
				return Status{}, nil
			}
			return Status{}, err
		}
		s.Apply(k, b)
	}
	s.Known = true
	return s, nil
}

func isReadFailure(c *conn) bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// query sends DLE EOT k and waits for its reply.
func (d *Driver) query(ctx context.Context, c *conn, k escpos.StatusKind, queued time.Duration) (byte, error) {
	for drained := false; !drained; {
		select {
		case b := <-c.status:
			d.log.Debug("printer: stale status reply dropped", "byte", b)
		default:
			drained = true
		}
	}
	if _, err := c.write(ctx, escpos.StatusRequest(k), d.writeTimeout, true); err != nil {
		return 0, err
	}
	t := time.NewTimer(d.replyTimeout + queued)
	defer t.Stop()
	select {
	case b := <-c.status:
		return b, nil
	case <-t.C:
		return 0, fmt.Errorf("printer: no reply to DLE EOT %d within %v: %w", k, d.replyTimeout+queued, ErrTimeout)
	case <-ctx.Done():
		return 0, fmt.Errorf("printer: %w", ctx.Err())
	case <-c.done:
		return 0, fmt.Errorf("printer: reading status: %w: %w", ErrOffline, c.readerErr())
	}
}
