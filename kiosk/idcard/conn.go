package idcard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Timeouts bound how long Conn waits for each answer. A zero field takes
// its value from DefaultTimeouts(115200).
type Timeouts struct {
	Find            time.Duration // find card
	Select          time.Duration // select card
	Read            time.Duration // read base message (30 01)
	ReadFingerprint time.Duration // read with fingerprint (30 10)
	Other           time.Duration // reset, SAM status and id, newest address, set baud
}

// cardTime is what a read needs besides the wire: the RF exchange with the
// card and the SAM's cryptography. With the wire time of a base read at
// 9600 baud (1295 bytes, 1.35 s) it gives the 3 s that vendor code allows.
const cardTime = 1650 * time.Millisecond

// DefaultTimeouts returns the timeouts of docs/idcard-protocol.md for a
// reader at baud: 500 ms for find and select (vendor code allows 100–500),
// and for a read 1.65 s plus the wire time of the answer — 3.0 s for a base
// read at 9600 baud, 1.76 s at 115200.
func DefaultTimeouts(baud int) Timeouts {
	if baud <= 0 {
		baud = 115200
	}
	return Timeouts{
		Find:            500 * time.Millisecond,
		Select:          500 * time.Millisecond,
		Read:            cardTime + WireTime(baseFrameLen, baud),
		ReadFingerprint: cardTime + WireTime(maxFingerprintFrameLen, baud),
		Other:           time.Second,
	}
}

// WireTime is how long n bytes take on a serial line at baud with 8N1
// framing: 10 bits a byte. It is 0 for a baud rate of 0 (no wire).
func WireTime(n, baud int) time.Duration {
	if baud <= 0 {
		return 0
	}
	return time.Duration(n) * 10 * time.Second / time.Duration(baud)
}

func (t Timeouts) withDefaults() Timeouts {
	d := DefaultTimeouts(115200)
	if t.Find <= 0 {
		t.Find = d.Find
	}
	if t.Select <= 0 {
		t.Select = d.Select
	}
	if t.Read <= 0 {
		t.Read = d.Read
	}
	if t.ReadFingerprint <= 0 {
		t.ReadFingerprint = d.ReadFingerprint
	}
	if t.Other <= 0 {
		t.Other = d.Other
	}
	return t
}

// Conn speaks the protocol over one open port, one command at a time. Its
// methods are safe for concurrent use (they take turns).
//
// rw is usually a tarm/serial port opened with a ReadTimeout: Conn treats
// (0, io.EOF) as "nothing yet". Ports with SetReadDeadline (a pty's
// *os.File, net.Pipe) work too. Every method returns, wrapped:
// ErrTimeout when no answer came in time; ErrDisconnected when the port
// failed (reopen it); ErrChecksum when the answer was damaged; the context's
// error when ctx ended; or a *StatusError (see its sentinels ErrNoCard,
// ErrRead, ErrSAM, …) when the reader refused.
type Conn struct {
	mu  sync.Mutex
	rw  io.ReadWriter
	pr  portReader
	dec *Decoder
	t   Timeouts
}

// NewConn returns a Conn speaking over rw. A nil t means
// DefaultTimeouts(115200).
func NewConn(rw io.ReadWriter, t *Timeouts) *Conn {
	c := &Conn{rw: rw}
	if t != nil {
		c.t = *t
	}
	c.t = c.t.withDefaults()
	c.pr.r = rw
	c.dec = NewDecoder(&c.pr)
	return c
}

// Timeouts returns the timeouts in force.
func (c *Conn) Timeouts() Timeouts { return c.t }

// flusher is tarm/serial's Port: Flush discards what the port received but
// nobody read.
type flusher interface{ Flush() error }

// Transact sends cmd and waits up to timeout for its answer. The deadline is
// checked between reads, so on a port without read deadlines (tarm/serial)
// the wait may overrun by up to the port's read timeout. An answer that
// cannot belong to cmd (a late answer to an earlier command that timed out)
// is skipped. The error is nil only when SW3 reports success; with a
// *StatusError the Response is returned too.
func (c *Conn) Transact(ctx context.Context, cmd Command, timeout time.Duration) (Response, error) {
	frame, err := cmd.MarshalBinary()
	if err != nil {
		return Response{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()

	// Whatever arrived before the command is stale: a partial frame left by
	// a timeout, a late answer, junk.
	c.dec.Reset()
	if f, ok := c.rw.(flusher); ok {
		_ = f.Flush() // best effort; a pty may refuse
	}
	if err := ctx.Err(); err != nil {
		return Response{}, fmt.Errorf("idcard: %v: %w", cmd.Op, err)
	}
	if _, err := c.rw.Write(frame); err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return Response{}, fmt.Errorf("idcard: %v: %w", cmd.Op, cerr)
		}
		return Response{}, fmt.Errorf("idcard: %v: %w: %w", cmd.Op, ErrDisconnected, err)
	}
	c.pr.done, c.pr.deadline = ctx.Err, time.Now().Add(timeout)
	defer func() { c.pr.done = nil }()

	for {
		p, err := c.dec.Next()
		if err != nil {
			if errors.Is(err, ErrTimeout) && c.dec.Buffered() > 0 {
				return Response{}, fmt.Errorf("idcard: %v: %w after %v (%d bytes of an incomplete answer)",
					cmd.Op, err, timeout, c.dec.Buffered())
			}
			if errors.Is(err, ErrTimeout) {
				return Response{}, fmt.Errorf("idcard: %v: %w after %v", cmd.Op, err, timeout)
			}
			return Response{}, fmt.Errorf("idcard: %v: %w", cmd.Op, err)
		}
		resp, err := ParseResponse(p)
		if err != nil || !fits(cmd.Op, resp) {
			continue // not an answer to this command
		}
		if err := resp.Err(); err != nil {
			return resp, fmt.Errorf("idcard: %v: %w", cmd.Op, err)
		}
		return resp, nil
	}
}

// fits reports whether resp can be the answer to op. A failure fits any
// command; a success must have the shape of op's answer, so that a late
// answer to an earlier command is not taken for this one's.
func fits(op Op, resp Response) bool {
	if resp.SW3 != StatusOK && resp.SW3 != StatusFound {
		return true
	}
	switch op {
	case OpFind:
		return resp.SW3 == StatusFound || len(resp.Data) == 4
	case OpSelect:
		return resp.SW3 == StatusOK && len(resp.Data) == 8
	case OpSAMID:
		return resp.SW3 == StatusOK && len(resp.Data) == samIDLen
	case OpReadBase:
		_, err := parseMessage(resp.Data, false)
		return resp.SW3 == StatusOK && err == nil
	case OpReadFingerprint:
		_, err := parseMessage(resp.Data, true)
		return resp.SW3 == StatusOK && err == nil
	case OpReset, OpSAMStatus:
		return resp.SW3 == StatusOK && len(resp.Data) == 0
	}
	return resp.SW3 == StatusOK
}

func (c *Conn) simple(ctx context.Context, op Op, timeout time.Duration) error {
	_, err := c.Transact(ctx, Command{Op: op}, timeout)
	return err
}

// Reset resets the SAM.
func (c *Conn) Reset(ctx context.Context) error {
	return c.simple(ctx, OpReset, c.t.Other)
}

// SAMStatus runs the SAM's self-check. ErrSAM means it is broken or not
// authorised and nothing will read.
func (c *Conn) SAMStatus(ctx context.Context) error {
	return c.simple(ctx, OpSAMStatus, c.t.Other)
}

// Find looks for a card. It returns nil when one is there and ErrNoCard
// when none is (or the card just read still lies there: a reader finds a
// card again only after it was lifted).
func (c *Conn) Find(ctx context.Context) error {
	return c.simple(ctx, OpFind, c.t.Find)
}

// Select selects the card found. It returns ErrSelect when it could not.
func (c *Conn) Select(ctx context.Context) error {
	return c.simple(ctx, OpSelect, c.t.Select)
}

// SetBaud sets the reader's line rate (115200, 57600, 38400, 19200 or
// 9600). The reader answers at the old rate and keeps the new one, even
// across power cycles. Afterwards close the port, wait at least 5 ms and
// reopen it at the new rate.
func (c *Conn) SetBaud(ctx context.Context, baud int) error {
	op, err := SetBaudOp(baud)
	if err != nil {
		return err
	}
	return c.simple(ctx, op, c.t.Other)
}
