package printersim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"syscall"
	"time"

	"yiting/printer/escpos"
	"yiting/printer/typeface"
)

// State is the condition the simulated printer reports. The zero value is a
// ready printer.
type State struct {
	PaperOut     bool
	PaperNearEnd bool
	CoverOpen    bool
	Offline      bool // offline for another reason (e.g. the feed button held)
	CutterError  bool
	// Silent printers answer nothing: switched off on a live cable.
	Silent bool
}

// printing reports whether a printer in state s prints what it receives.
func (s State) printing() bool {
	return !s.PaperOut && !s.CoverOpen && !s.Offline && !s.CutterError
}

// status is s as the printer reports it: every stopping condition also
// sets the offline bit, as real printers do.
func (s State) status() escpos.Status {
	st := escpos.Status{
		PaperOut:     s.PaperOut,
		PaperNearEnd: s.PaperNearEnd || s.PaperOut,
		CoverOpen:    s.CoverOpen,
		CutterError:  s.CutterError,
	}
	st.Offline = !s.printing()
	st.ErrorOccurred = s.CutterError
	return st
}

// Opts configures a simulated printer. A nil *Opts means all defaults.
type Opts struct {
	// Dots a line: 576 (80 mm, the default) or 384 (58 mm).
	Dots int
	// Charset of the built-in Chinese font (default GB18030Full).
	Charset Charset
	// ChineseAtInit: Chinese mode is on at power-up and after ESC @ (it
	// varies by vendor). Off by default, so a driver must send FS &.
	ChineseAtInit bool
	// NoNativeQR: the model lacks GS ( k and prints nothing for it.
	NoNativeQR bool
	// Baud, if not 0, emulates the wire: a byte takes 10/Baud s to arrive.
	Baud int
	// PaperSpeed in mm/s, if not 0, emulates paper motion at 8 dots/mm: a
	// document is done (see Next) when its paper has moved.
	PaperSpeed float64
	// Font draws text in Render; nil draws boxes (and logs once).
	Font *typeface.Face
	// Logger; nil discards.
	Logger *slog.Logger
}

// Stats counts what the printer received.
type Stats struct {
	Bytes          int // every byte received
	PrintBytes     int // bytes of anything but real-time commands
	StatusRequests int // DLE EOT n, wherever it appeared
	// RealTimeInData counts DLE EOT the printer acted on that were not
	// commands but parts of other data (image bytes): the hazard of
	// docs/escpos.md.
	RealTimeInData int
	Unknown        int // commands skipped as not understood
	Unsupported    int // native QR print on a NoNativeQR printer
}

// Printer is a simulated ESC/POS printer. Its methods are safe for
// concurrent use.
type Printer struct {
	opts Opts
	log  *slog.Logger

	mu         sync.Mutex
	m          machine
	state      State
	asbMask    byte
	out        io.Writer // of the current Serve
	docs       []Document
	next       int           // Next's cursor
	changed    chan struct{} // closed when docs grow
	stats      Stats
	rt         int // real-time scanner: 0, 1 after DLE, 2 after DLE EOT
	paperOutAt int // stats.Bytes at which the paper runs out; 0 = never
	cur        time.Time
	wire       time.Time // when the last received byte finished arriving
	paper      time.Time // when the paper motion so far finishes

	wmu      sync.Mutex // serialises writes to out
	fontOnce sync.Once
}

// New returns a simulated printer in the ready state.
func New(opts *Opts) *Printer {
	if opts == nil {
		opts = &Opts{}
	}
	p := &Printer{opts: *opts, log: opts.Logger, changed: make(chan struct{})}
	if p.opts.Dots <= 0 {
		p.opts.Dots = 576
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	p.m = machine{
		dots:        p.opts.Dots,
		charset:     p.opts.Charset,
		kanjiAtInit: p.opts.ChineseAtInit,
		noNativeQR:  p.opts.NoNativeQR,
		now:         func() time.Time { return p.cur },
		advance:     p.advance,
		emit:        p.emit,
		setASB:      p.enableASB,
		qrSize:      qrModules,
	}
	p.m.init()
	return p
}

// Serve reads the driver's bytes from rw and answers on it until ctx is
// done (it returns nil) or a read fails (it returns the error; io.EOF from
// a closed in-memory pipe returns nil; on a pty master, EIO means no slave is
// open and Serve waits for the driver to reopen it). To stop a Read blocked on rw, Serve
// sets a read deadline if rw has SetReadDeadline (an *os.File such as a pty
// does); otherwise close rw.
func (p *Printer) Serve(ctx context.Context, rw io.ReadWriter) error {
	p.mu.Lock()
	p.out = rw
	p.mu.Unlock()
	if d, ok := rw.(interface{ SetReadDeadline(time.Time) error }); ok {
		stop := context.AfterFunc(ctx, func() { d.SetReadDeadline(time.Now()) })
		defer stop()
	}
	buf := make([]byte, 256)
	for {
		n, err := rw.Read(buf)
		if n > 0 {
			p.receive(ctx, buf[:n])
		}
		if ctx.Err() != nil {
			return nil
		}
		switch {
		case err == nil:
		case errors.Is(err, io.EOF):
			return nil
		case errors.Is(err, syscall.EIO):
			// A pty master reads EIO while no slave is open (the driver
			// closed the port and may reopen it by name): wait and retry.
			sleep(ctx, 20*time.Millisecond)
		default:
			return fmt.Errorf("printersim: %w", err)
		}
	}
}

// receive processes a chunk of bytes as they come off the wire.
func (p *Printer) receive(ctx context.Context, chunk []byte) {
	var byteTime time.Duration
	if p.opts.Baud > 0 {
		byteTime = time.Second * 10 / time.Duration(p.opts.Baud)
	}
	p.mu.Lock()
	if now := time.Now(); p.wire.Before(now) {
		p.wire = now
	}
	for _, b := range chunk {
		p.wire = p.wire.Add(byteTime)
		p.cur = p.wire
		p.stats.Bytes++
		if p.paperOutAt > 0 && p.stats.Bytes >= p.paperOutAt {
			p.paperOutAt = 0
			s := p.state
			s.PaperOut = true
			p.setStateLocked(s)
		}
		if k, ok := p.realtime(b); ok {
			// Answer when the request has arrived, not before.
			wait := time.Until(p.wire)
			p.mu.Unlock()
			sleep(ctx, wait)
			p.mu.Lock()
			if !p.state.Silent {
				p.send([]byte{p.state.status().Reply(k)})
			}
		}
		p.m.feed(b)
	}
	p.stats.PrintBytes = p.m.printBytes
	p.stats.Unknown = p.m.unknown
	p.stats.Unsupported = p.m.unsupported
	p.stats.RealTimeInData = p.stats.StatusRequests - p.m.dleEOT
	wait := time.Until(p.wire)
	p.mu.Unlock()
	sleep(ctx, wait) // a reader no faster than the wire
}

func sleep(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// realtime scans every received byte for DLE EOT n, as a printer does in
// its receive interrupt, whatever command the bytes belong to.
func (p *Printer) realtime(b byte) (escpos.StatusKind, bool) {
	switch {
	case p.rt == 2 && b >= 1 && b <= 4:
		p.rt = 0
		p.stats.StatusRequests++
		return escpos.StatusKind(b), true
	case b == escpos.DLE:
		p.rt = 1
	case p.rt == 1 && b == escpos.EOT:
		p.rt = 2
	default:
		p.rt = 0
	}
	return 0, false
}

// send writes to the driver. p.mu is held.
func (p *Printer) send(b []byte) {
	if p.out == nil {
		return
	}
	p.wmu.Lock()
	defer p.wmu.Unlock()
	if _, err := p.out.Write(b); err != nil {
		p.log.Warn("printersim: write failed", "err", err)
	}
}

// SetState changes the printer's condition. Going out of paper, opening
// the cover or going offline cuts the document in progress short (it is
// kept, uncut) and drops what arrives until the state is clear again. With
// ASB enabled the printer reports the change at once.
func (p *Printer) SetState(s State) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.setStateLocked(s)
}

func (p *Printer) setStateLocked(s State) {
	old := p.state
	p.state = s
	if old.printing() && !s.printing() {
		p.m.interrupt()
	}
	if !old.printing() && s.printing() {
		p.m.resume()
	}
	if p.asbMask != 0 && !s.Silent && old.status() != s.status() {
		asb := s.status().ASB()
		p.send(asb[:])
	}
}

// State returns the printer's condition.
func (p *Printer) State() State {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.state
}

// PaperOutAfter makes the paper run out when n more bytes have been
// received (n ≤ 0 cancels it), for a ticket that fails half way.
func (p *Printer) PaperOutAfter(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n <= 0 {
		p.paperOutAt = 0
		return
	}
	p.paperOutAt = p.stats.Bytes + n
}

// Send writes raw bytes to the driver, as if the printer sent them: XON,
// XOFF or noise for tests.
func (p *Printer) Send(b []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.send(b)
}

// enableASB handles GS a n: with n != 0 the printer sends its status at
// once and on every change. p.mu is held.
func (p *Printer) enableASB(n byte) {
	p.asbMask = n
	if n != 0 && !p.state.Silent {
		asb := p.state.status().ASB()
		p.send(asb[:])
	}
}

// advance moves the paper. p.mu is held.
func (p *Printer) advance(dots int) {
	if p.opts.PaperSpeed <= 0 {
		return
	}
	if p.paper.Before(p.cur) {
		p.paper = p.cur
	}
	mm := float64(dots) / 8
	p.paper = p.paper.Add(time.Duration(mm / p.opts.PaperSpeed * float64(time.Second)))
}

// emit records a finished document. p.mu is held.
func (p *Printer) emit(d Document) {
	d.Done = d.Received
	if p.paper.After(d.Done) {
		d.Done = p.paper
	}
	p.docs = append(p.docs, d)
	close(p.changed)
	p.changed = make(chan struct{})
}

// Documents returns every document printed so far, oldest first.
func (p *Printer) Documents() []Document {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Document(nil), p.docs...)
}

// Stats returns the counters.
func (p *Printer) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stats
}

// Next waits for the next document that Next has not returned yet (one
// cursor per Printer) and for its paper motion to finish (with
// Opts.PaperSpeed). It returns ctx's error if ctx ends first.
func (p *Printer) Next(ctx context.Context) (Document, error) {
	for {
		p.mu.Lock()
		if p.next < len(p.docs) {
			d := p.docs[p.next]
			p.next++
			p.mu.Unlock()
			sleep(ctx, time.Until(d.Done))
			return d, ctx.Err()
		}
		ch := p.changed
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return Document{}, ctx.Err()
		}
	}
}
