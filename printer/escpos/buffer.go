package escpos

import (
	"errors"
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Control bytes used by the commands.
const (
	LF   = 0x0A // print and line feed
	DLE  = 0x10
	EOT  = 0x04
	ENQ  = 0x05
	DC4  = 0x14
	XON  = 0x11
	XOFF = 0x13
	ESC  = 0x1B
	FS   = 0x1C
	GS   = 0x1D
)

// ErrInvalid is wrapped by every error about a parameter out of range or
// text that cannot be sent.
var ErrInvalid = errors.New("escpos: invalid argument")

// Align is the justification of ESC a.
type Align byte

// Justifications for ESC a.
const (
	Left   Align = 0
	Center Align = 1
	Right  Align = 2
)

// Cut selects a full or a partial cut.
type Cut byte

// Cut kinds.
const (
	FullCut    Cut = 0
	PartialCut Cut = 1
)

// Buffer accumulates ESC/POS commands. The zero value is ready to use.
//
// A call with an invalid argument appends nothing and records an error; the
// first such error is returned by Err and every later call is ignored, so a
// caller can encode a whole ticket and check once.
type Buffer struct {
	b   []byte
	err error
}

// Bytes returns the encoded commands. The slice aliases the buffer.
func (e *Buffer) Bytes() []byte { return e.b }

// Len returns the number of bytes encoded so far.
func (e *Buffer) Len() int { return len(e.b) }

// Err returns the first error recorded, or nil.
func (e *Buffer) Err() error { return e.err }

// Reset empties the buffer and clears its error.
func (e *Buffer) Reset() { e.b, e.err = e.b[:0], nil }

func (e *Buffer) fail(format string, args ...any) {
	if e.err == nil {
		e.err = fmt.Errorf("escpos: "+format+": %w", append(args, ErrInvalid)...)
	}
}

func (e *Buffer) put(p ...byte) {
	if e.err == nil {
		e.b = append(e.b, p...)
	}
}

// Init appends ESC @: clear the print buffer and reset every mode (alignment,
// size, bold, QR module size). Whether it also leaves Chinese mode varies by
// vendor, so send ChineseOn after it when the text needs it.
func (e *Buffer) Init() { e.put(ESC, '@') }

// Align appends ESC a n. It takes effect at the start of a line.
func (e *Buffer) Align(a Align) {
	if a > Right {
		e.fail("align %d", a)
		return
	}
	e.put(ESC, 'a', byte(a))
}

// Size appends GS ! n: width and height multipliers, each 1 to 8.
func (e *Buffer) Size(width, height int) {
	if width < 1 || width > 8 || height < 1 || height > 8 {
		e.fail("character size %dx%d", width, height)
		return
	}
	e.put(GS, '!', byte((width-1)<<4|(height-1)))
}

// Bold appends ESC E n.
func (e *Buffer) Bold(on bool) {
	e.put(ESC, 'E', b2i(on))
}

// ChineseOn appends FS &: select Chinese (kanji) mode, in which the printer
// reads two- and four-byte GB18030 codes. Single bytes below 0x80 still
// print as ASCII.
func (e *Buffer) ChineseOn() { e.put(FS, '&') }

// ChineseOff appends FS .: back to the single-byte code page.
func (e *Buffer) ChineseOff() { e.put(FS, '.') }

// LF appends a line feed: print the line buffer and advance one line.
func (e *Buffer) LF() { e.put(LF) }

// Feed appends ESC d n: print and feed n lines (0 to 255).
func (e *Buffer) Feed(lines int) {
	if lines < 0 || lines > 255 {
		e.fail("feed %d lines", lines)
		return
	}
	e.put(ESC, 'd', byte(lines))
}

// CutA appends GS V m (function A): cut at the current position.
func (e *Buffer) CutA(c Cut) {
	if c > PartialCut {
		e.fail("cut %d", c)
		return
	}
	e.put(GS, 'V', byte(c))
}

// CutB appends GS V m n (function B): feed to the cutter position plus n
// motion units, then cut.
func (e *Buffer) CutB(c Cut, n byte) {
	if c > PartialCut {
		e.fail("cut %d", c)
		return
	}
	e.put(GS, 'V', 65+byte(c), n)
}

// AutoStatusBack appends GS a n. Bits of n: 1 online/offline, 2 error,
// 3 roll paper sensor (bit 0, the drawer, is not used by ticket printers).
// With n != 0 the printer sends a 4-byte block at once and whenever an
// enabled item changes.
func (e *Buffer) AutoStatusBack(n byte) { e.put(GS, 'a', n) }

// Text appends s encoded in GB18030. It accepts printable ASCII and any
// other Unicode text except control characters; it does not switch Chinese
// mode (the caller sends ChineseOn first when s is not ASCII).
func (e *Buffer) Text(s string) {
	if e.err != nil {
		return
	}
	ascii := true
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				e.fail("text %q: invalid UTF-8 at byte %d", s, i)
				return
			}
			ascii = false
		case r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0):
			e.fail("text %q: control character %U", s, r)
			return
		case r >= 0x80:
			ascii = false
		}
	}
	if ascii {
		e.b = append(e.b, s...)
		return
	}
	enc, err := simplifiedchinese.GB18030.NewEncoder().String(s)
	if err != nil {
		e.fail("text %q: not encodable in GB18030 (%v)", s, err)
		return
	}
	e.b = append(e.b, enc...)
}

// StatusRequest returns DLE EOT n, the real-time status request. It is not
// part of a Buffer because it is sent on its own, after which no more data
// may be sent until the reply byte comes.
func StatusRequest(k StatusKind) []byte {
	return []byte{DLE, EOT, byte(k)}
}

func b2i(b bool) byte {
	if b {
		return 1
	}
	return 0
}
