package idcard

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// preamble starts every frame in both directions: three sync bytes and a
// two-byte start mark.
const preamble = "\xAA\xAA\xAA\x96\x69"

const (
	// headerLen is the preamble plus the two LEN bytes; a whole frame is
	// headerLen + LEN bytes.
	headerLen = 7
	// MaxLen is the largest LEN value the Decoder accepts. The largest frame
	// of the protocol is a read with 1024 bytes of fingerprint data
	// (LEN 0x090A, 2321 bytes); a larger LEN is line noise, and refusing it
	// bounds the decoder's memory.
	MaxLen = 4096
	// minLen is the smallest LEN of any frame: CMD PARA CHK.
	minLen = 3
)

// Frame errors, returned wrapped (by Decoder.Next for ErrChecksum, by the
// parsers and Conn for ErrMalformed); test with errors.Is.
var (
	// ErrChecksum means a frame arrived whose XOR checksum is wrong: it was
	// damaged on the line. The frame is dropped.
	ErrChecksum = errors.New("idcard: frame checksum mismatch")
	// ErrMalformed means a frame has a correct checksum but a content that
	// does not fit its command (too short, lengths that do not add up).
	ErrMalformed = errors.New("idcard: malformed frame")
)

// appendFrame appends a whole frame carrying payload (CMD PARA DATA, or
// SW1 SW2 SW3 DATA) to dst.
func appendFrame(dst, payload []byte) []byte {
	n := len(payload) + 1 // the checksum is counted by LEN
	dst = append(dst, preamble...)
	hi, lo := byte(n>>8), byte(n)
	dst = append(dst, hi, lo)
	dst = append(dst, payload...)
	chk := hi ^ lo
	for _, b := range payload {
		chk ^= b
	}
	return append(dst, chk)
}

// Command is a frame from the host to the reader.
type Command struct {
	Op   Op     // CMD and PARA
	Data []byte // DATA, usually empty
}

// MarshalBinary returns the whole frame, preamble to checksum.
func (c Command) MarshalBinary() ([]byte, error) {
	if len(c.Data)+2+1 > MaxLen {
		return nil, fmt.Errorf("idcard: command %v: %d data bytes is too long", c.Op, len(c.Data))
	}
	p := make([]byte, 0, 2+len(c.Data))
	p = append(p, byte(c.Op>>8), byte(c.Op))
	p = append(p, c.Data...)
	return appendFrame(make([]byte, 0, headerLen+len(p)+1), p), nil
}

// ParseCommand interprets the payload of a frame (as returned by
// Decoder.Next) as a command.
func ParseCommand(payload []byte) (Command, error) {
	if len(payload) < 2 {
		return Command{}, fmt.Errorf("%w: command of %d bytes", ErrMalformed, len(payload))
	}
	c := Command{Op: Op(payload[0])<<8 | Op(payload[1])}
	if len(payload) > 2 {
		c.Data = bytes.Clone(payload[2:])
	}
	return c, nil
}

// Response is a frame from the reader to the host.
type Response struct {
	SW1, SW2 byte   // the card's APDU status, relayed
	SW3      byte   // the reader's own status: the one to act on
	Data     []byte // DATA after SW3
}

// MarshalBinary returns the whole frame, preamble to checksum.
func (r Response) MarshalBinary() ([]byte, error) {
	if len(r.Data)+3+1 > MaxLen {
		return nil, fmt.Errorf("idcard: response: %d data bytes is too long", len(r.Data))
	}
	p := make([]byte, 0, 3+len(r.Data))
	p = append(p, r.SW1, r.SW2, r.SW3)
	p = append(p, r.Data...)
	return appendFrame(make([]byte, 0, headerLen+len(p)+1), p), nil
}

// Err returns nil when SW3 reports success (90, or 9F for find), and a
// *StatusError otherwise.
func (r Response) Err() error {
	if r.SW3 == StatusOK || r.SW3 == StatusFound {
		return nil
	}
	return &StatusError{SW1: r.SW1, SW2: r.SW2, SW3: r.SW3}
}

// ParseResponse interprets the payload of a frame (as returned by
// Decoder.Next) as a response.
func ParseResponse(payload []byte) (Response, error) {
	if len(payload) < 3 {
		return Response{}, fmt.Errorf("%w: response of %d bytes", ErrMalformed, len(payload))
	}
	r := Response{SW1: payload[0], SW2: payload[1], SW3: payload[2]}
	if len(payload) > 3 {
		r.Data = bytes.Clone(payload[3:])
	}
	return r, nil
}

// Decoder reads frames from a byte stream. It skips whatever precedes a
// preamble (line noise, the tail of a frame cut by a reconnect, a reader
// talking at power-up) and a header whose LEN is impossible, so it
// resynchronises on the next frame. Its memory is bounded by MaxLen.
//
// A Decoder is not safe for concurrent use.
type Decoder struct {
	r       io.Reader
	buf     [2 * (headerLen + MaxLen)]byte
	lo, hi  int   // buf[lo:hi] holds bytes read but not yet consumed
	err     error // a read error held back until the bytes before it are used
	skipped int64
}

// NewDecoder returns a Decoder reading from r.
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{r: r}
}

// Next returns the payload of the next frame: everything between LEN and
// CHK, that is CMD PARA DATA or SW1 SW2 SW3 DATA (see ParseCommand and
// ParseResponse). The slice is the caller's.
//
// A frame with a wrong checksum is consumed and reported as ErrChecksum.
// When the underlying Read returns an error (io.EOF included) before a frame
// is complete, Next returns that error and keeps the bytes read so far, so
// Next can be called again: a serial port opened with a read timeout returns
// (0, io.EOF) when nothing arrived, which is not the end of the stream.
func (d *Decoder) Next() ([]byte, error) {
	for {
		if p, ok, err := d.scan(); ok {
			return p, err
		}
		if d.err != nil {
			err := d.err
			d.err = nil
			return nil, err
		}
		if d.lo > 0 {
			d.hi = copy(d.buf[:], d.buf[d.lo:d.hi])
			d.lo = 0
		}
		n, err := d.r.Read(d.buf[d.hi:])
		if n < 0 || n > len(d.buf)-d.hi {
			return nil, fmt.Errorf("idcard: reader returned an invalid count %d", n)
		}
		d.hi += n
		if err != nil {
			d.err = err
		} else if n == 0 {
			return nil, io.ErrNoProgress
		}
	}
}

// Buffered reports how many bytes the Decoder holds that are not part of a
// returned frame: the start of a frame still arriving, or junk being scanned.
func (d *Decoder) Buffered() int { return d.hi - d.lo }

// Skipped reports how many bytes the Decoder has discarded as junk since it
// was created.
func (d *Decoder) Skipped() int64 { return d.skipped }

// Reset drops the bytes the Decoder holds (a stale answer, a partial frame
// after a timeout) and any held-back read error.
func (d *Decoder) Reset() {
	d.skipped += int64(d.hi - d.lo)
	d.lo, d.hi, d.err = 0, 0, nil
}

// scan looks for one whole frame in buf[lo:hi]. ok is false when more bytes
// are needed.
func (d *Decoder) scan() (payload []byte, ok bool, err error) {
	for {
		b := d.buf[d.lo:d.hi]
		i := bytes.Index(b, []byte(preamble))
		if i < 0 {
			// Keep a tail that may be the start of a preamble.
			keep := partialPreamble(b)
			d.drop(len(b) - keep)
			return nil, false, nil
		}
		d.drop(i)
		b = d.buf[d.lo:d.hi]
		if len(b) < headerLen {
			return nil, false, nil
		}
		n := int(b[5])<<8 | int(b[6])
		if n < minLen || n > MaxLen {
			// Not a real header: resynchronise after its first byte.
			d.drop(1)
			continue
		}
		if len(b) < headerLen+n {
			return nil, false, nil
		}
		frame := b[:headerLen+n]
		var chk byte
		for _, c := range frame[5 : len(frame)-1] {
			chk ^= c
		}
		got := frame[len(frame)-1]
		if chk != got {
			// A false start in junk looks like this too: if a preamble
			// begins inside the bad frame, resynchronise on it instead.
			rest := d.buf[d.lo+1 : d.hi]
			if j := bytes.Index(rest, []byte(preamble)); j >= 0 && 1+j < len(frame) {
				d.drop(1 + j)
				continue
			}
			if k := partialPreamble(rest); k > 0 && 1+len(rest)-k < len(frame) {
				return nil, false, nil // wait: that may be a preamble starting
			}
			d.drop(len(frame))
			return nil, true, fmt.Errorf("%w: got %02X, want %02X", ErrChecksum, got, chk)
		}
		p := bytes.Clone(frame[headerLen : len(frame)-1])
		clear(frame) // card data does not linger in the buffer
		d.lo += len(frame)
		return p, true, nil
	}
}

func (d *Decoder) drop(n int) {
	d.lo += n
	d.skipped += int64(n)
}

// partialPreamble returns the length of the longest suffix of b that is a
// proper prefix of the preamble.
func partialPreamble(b []byte) int {
	for k := min(len(b), len(preamble)-1); k > 0; k-- {
		if string(b[len(b)-k:]) == preamble[:k] {
			return k
		}
	}
	return 0
}
