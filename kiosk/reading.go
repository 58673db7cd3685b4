package kiosk

import (
	"context"
	"errors"
	"io"
	"time"

	"yiting/kiosk/idcard"
)

// selectFrame is the select-card command (20 02) of GA/T 467
// (docs/idcard-protocol.md). A reader is sent it only after find reported
// a card, and a read follows: from then until the card's event, which on
// a real reader takes one to three seconds, the card is being read.
const selectFrame = "\xAA\xAA\xAA\x96\x69\x00\x03\x20\x02\x21"

// ObserveReads wraps the reader's port opener so that reading is called
// whenever the reader starts reading a card it found (it sends the select
// command), before the card's event arrives: the screen can then say
// 请不要移动 during the read. The port keeps its Flush and SetReadDeadline.
func ObserveReads(open idcard.OpenFunc, reading func()) idcard.OpenFunc {
	return func(ctx context.Context) (io.ReadWriteCloser, error) {
		p, err := open(ctx)
		if err != nil {
			return nil, err
		}
		return &observedPort{ReadWriteCloser: p, reading: reading}, nil
	}
}

type observedPort struct {
	io.ReadWriteCloser
	reading func()
}

// Write passes the bytes on and reports a select command.
func (p *observedPort) Write(b []byte) (int, error) {
	if string(b) == selectFrame {
		p.reading()
	}
	return p.ReadWriteCloser.Write(b)
}

// Flush passes through to a port that has it (tarm/serial).
func (p *observedPort) Flush() error {
	if f, ok := p.ReadWriteCloser.(interface{ Flush() error }); ok {
		return f.Flush()
	}
	return nil
}

// SetReadDeadline passes through to a port that has it (a pty, a pipe).
func (p *observedPort) SetReadDeadline(t time.Time) error {
	if d, ok := p.ReadWriteCloser.(interface{ SetReadDeadline(time.Time) error }); ok {
		return d.SetReadDeadline(t)
	}
	return errors.ErrUnsupported
}
