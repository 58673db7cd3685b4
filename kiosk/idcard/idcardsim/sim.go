package idcardsim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"yiting/kiosk/idcard"
)

// Opts configures a Sim. A nil *Opts means the defaults.
type Opts struct {
	// Baud, when not zero, emulates the wire: the simulator waits
	// bytes×10/baud for each command it receives and paces each answer at
	// that rate as it writes. A set-baud command changes it.
	Baud int
	// SAMID is the id the SAM reports. Default a fixed synthetic id.
	SAMID idcard.SAMID
	// FindAfterRead makes find succeed again while a card that was read
	// still lies there, as some clones do.
	FindAfterRead bool
	// NoNewestAddress makes the reader answer 30 03 with SW3 21, as readers
	// that do not know the command do.
	NoNewestAddress bool
	// Logger receives the commands and answers at debug level. Default:
	// discard.
	Logger *slog.Logger
}

// Sim is a simulated reader. Its methods are safe for concurrent use:
// Place, Remove and SetFault may be called while Serve runs.
type Sim struct {
	log *slog.Logger

	mu     sync.Mutex
	opts   Opts
	baud   int
	card   *Card
	found  bool // find succeeded for this placement
	chosen bool // select succeeded after the last find
	done   bool // the card was read (or failed to): find fails until replaced
	fault  Fault
	left   int // answers the fault still spoils; -1: unlimited
	counts map[idcard.Op]int
}

// New returns a simulated reader with no card on it.
func New(opts *Opts) *Sim {
	s := &Sim{counts: make(map[idcard.Op]int)}
	if opts != nil {
		s.opts = *opts
	}
	if s.opts.SAMID == (idcard.SAMID{}) {
		s.opts.SAMID = idcard.SAMID{0x05, 0x00, 0x01, 0x00, 0x20, 0x26, 0x01, 0x01, 0, 0, 0, 0x2A, 0, 0, 0x30, 0x39}
	}
	s.baud = s.opts.Baud
	s.log = s.opts.Logger
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Place puts a card on the reader, replacing any card there: a new
// placement.
func (s *Sim) Place(c Card) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.card = &c
	s.found, s.chosen, s.done = false, false, false
}

// Remove lifts the card off the reader.
func (s *Sim) Remove() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.card = nil
	s.found, s.chosen, s.done = false, false, false
}

// SetFault makes the reader spoil answers as f says, replacing the fault
// in force; SetFault(Fault{}) clears it.
func (s *Sim) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
	s.left = f.Times
	if f.Times <= 0 {
		s.left = -1
	}
	if f.Kind == FaultNone {
		s.left = 0
	}
}

// Count returns how many commands op the reader has received.
func (s *Sim) Count(op idcard.Op) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[op]
}

// Baud returns the rate the wire emulation runs at (0: none).
func (s *Sim) Baud() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.baud
}

type readDeadliner interface {
	SetReadDeadline(t time.Time) error
}

// Serve answers the commands that arrive on rw until ctx ends (it returns
// nil then) or rw fails. To stop promptly, rw must have SetReadDeadline (an
// *os.File on a pollable descriptor, as ServePTY and Open provide) or be
// closed by the caller. End of stream on rw (the host closed its end) also
// returns nil.
func (s *Sim) Serve(ctx context.Context, rw io.ReadWriter) error {
	if d, ok := rw.(readDeadliner); ok {
		stop := context.AfterFunc(ctx, func() { _ = d.SetReadDeadline(time.Unix(1, 0)) })
		defer stop()
	}
	dec := idcard.NewDecoder(rw)
	for {
		p, err := dec.Next()
		if ctx.Err() != nil {
			return nil
		}
		var resp idcard.Response
		var cmd idcard.Command
		switch {
		case errors.Is(err, idcard.ErrChecksum):
			resp = idcard.Response{SW3: idcard.StatusBadChecksum}
		case errors.Is(err, io.EOF), errors.Is(err, os.ErrClosed):
			return nil
		case err != nil:
			return fmt.Errorf("idcardsim: %w", err)
		default:
			if cmd, err = idcard.ParseCommand(p); err != nil {
				resp = idcard.Response{SW3: idcard.StatusBadLength}
			}
		}
		// The command took its time on the wire before the reader had it all.
		if err := s.sleep(ctx, idcard.WireTime(len(p)+8, s.Baud())); err != nil {
			return nil
		}
		if resp.SW3 == 0 {
			resp = s.answer(cmd)
		}
		frame, err := resp.MarshalBinary()
		if err != nil {
			return fmt.Errorf("idcardsim: %w", err)
		}
		if err := s.send(ctx, rw, cmd.Op, frame); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("idcardsim: %w", err)
		}
		if b := idcard.BaudOf(cmd.Op); b != 0 && resp.SW3 == idcard.StatusOK {
			s.mu.Lock()
			if s.baud != 0 {
				s.baud = b
			}
			s.mu.Unlock()
		}
	}
}

// answer runs one command against the reader's state.
func (s *Sim) answer(cmd idcard.Command) idcard.Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counts[cmd.Op]++
	ok := idcard.Response{SW3: idcard.StatusOK}
	fail := func(sw3 byte) idcard.Response { return idcard.Response{SW3: sw3} }
	switch cmd.Op {
	case idcard.OpReset:
		s.found, s.chosen = false, false
		return ok
	case idcard.OpSAMStatus:
		return ok
	case idcard.OpSAMID:
		ok.Data = append([]byte(nil), s.opts.SAMID[:]...)
		return ok
	case idcard.OpFind:
		if s.card == nil || (s.done && !s.opts.FindAfterRead) {
			return fail(idcard.StatusNoCard)
		}
		s.found, s.chosen = true, false
		return idcard.Response{SW3: idcard.StatusFound, Data: make([]byte, 4)}
	case idcard.OpSelect:
		if s.card == nil || !s.found {
			return fail(idcard.StatusSelectFailed)
		}
		s.chosen = true
		ok.Data = make([]byte, 8)
		return ok
	case idcard.OpReadBase, idcard.OpReadFingerprint:
		if s.card == nil || !s.chosen {
			return fail(idcard.StatusReadFailed)
		}
		s.found, s.chosen, s.done = false, false, true
		text, err := s.card.text()
		if err != nil {
			s.log.Error("idcardsim: card text", "err", err)
			return fail(idcard.StatusReadFailed)
		}
		ph := photo()
		if cmd.Op == idcard.OpReadBase {
			ok.Data = append([]byte{byte(len(text) >> 8), byte(len(text)), byte(len(ph) >> 8), byte(len(ph))}, text...)
			ok.Data = append(ok.Data, ph...)
			return ok
		}
		fp := fingerprint(s.card.FingerprintLen)
		ok.Data = append([]byte{byte(len(text) >> 8), byte(len(text)), byte(len(ph) >> 8), byte(len(ph)),
			byte(len(fp) >> 8), byte(len(fp))}, text...)
		ok.Data = append(ok.Data, ph...)
		ok.Data = append(ok.Data, fp...)
		return ok
	case idcard.OpReadNewestAddress:
		if s.opts.NoNewestAddress {
			return fail(idcard.StatusBadCommand)
		}
		if s.card == nil || !s.done {
			return fail(idcard.StatusReadFailed)
		}
		if s.card.Identity.NewestAddress == "" {
			return fail(idcard.StatusNoContent)
		}
		t := newTextBlock()
		t.put("newest address", 0, 70, s.card.Identity.NewestAddress)
		if t.err != nil {
			return fail(idcard.StatusReadFailed)
		}
		ok.Data = t.b[:70]
		return ok
	case idcard.OpSetBaud115200, idcard.OpSetBaud57600, idcard.OpSetBaud38400, idcard.OpSetBaud19200,
		idcard.OpSetBaud9600:
		return ok
	case idcard.OpSetMaxRFFrameLength:
		if len(cmd.Data) != 1 || cmd.Data[0] < 24 {
			return fail(idcard.StatusBadCommand)
		}
		return ok
	}
	// 30 02 (the disputed newest-address code), 30 05 and anything else.
	return fail(idcard.StatusBadCommand)
}

// spoil takes the fault for an answer to op, if one applies.
func (s *Sim) spoil(op idcard.Op) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.fault
	if f.Kind == FaultNone || s.left == 0 || (f.Op != 0 && f.Op != op) {
		return Fault{}, false
	}
	if s.left > 0 {
		s.left--
	}
	if f.Kind == FaultStatus && (op == idcard.OpReadBase || op == idcard.OpReadFingerprint) {
		s.found, s.chosen, s.done = false, false, true // lift and replace
	}
	return f, true
}

// send writes the answer to op, spoiled if a fault says so.
func (s *Sim) send(ctx context.Context, w io.Writer, op idcard.Op, frame []byte) error {
	f, spoiled := s.spoil(op)
	if spoiled {
		s.log.Debug("idcardsim: fault", "op", op, "fault", f.Kind)
		switch f.Kind {
		case FaultSilence:
			return nil
		case FaultSlow:
			if err := s.sleep(ctx, f.Delay); err != nil {
				return err
			}
		case FaultJunk:
			junk := f.Junk
			if junk == nil {
				junk = defaultJunk()
			}
			frame = append(append([]byte(nil), junk...), frame...)
		case FaultBadChecksum:
			frame[len(frame)-1] ^= 0xFF
		case FaultTruncate:
			n := f.Bytes
			if n <= 0 || n >= len(frame) {
				n = len(frame) / 2
			}
			frame = frame[:n]
		case FaultStatus:
			var err error
			if frame, err = (idcard.Response{SW3: f.Status}).MarshalBinary(); err != nil {
				return err
			}
		}
	}
	s.log.Debug("idcardsim: answer", "op", op, "bytes", len(frame))
	return s.write(ctx, w, frame)
}

// write sends b, pacing it at the emulated baud rate: each chunk leaves
// when the wire would have delivered its last byte.
func (s *Sim) write(ctx context.Context, w io.Writer, b []byte) error {
	baud := s.Baud()
	if baud <= 0 {
		_, err := w.Write(b)
		return err
	}
	chunk := max(1, baud/10/1000) // about a millisecond of wire
	start := time.Now()
	for sent := 0; sent < len(b); {
		n := min(chunk, len(b)-sent)
		if err := s.sleep(ctx, time.Until(start.Add(idcard.WireTime(sent+n, baud)))); err != nil {
			return err
		}
		if _, err := w.Write(b[sent : sent+n]); err != nil {
			return err
		}
		sent += n
	}
	return nil
}

// sleep waits d unless ctx ends first.
func (s *Sim) sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
