package printersim

import (
	"fmt"
	"strings"
	"time"

	"yiting/printer/escpos"
)

// Kind is the kind of a Block.
type Kind int

// Block kinds.
const (
	TextLine Kind = iota // a printed line of text
	QRCode               // a native QR symbol (GS ( k fn 181)
	Image                // a raster image (GS v 0)
	Barcode              // a CODE128 symbol (GS k 73)
	Feed                 // blank paper: an empty line or ESC d
)

// Cut is how a document ended.
type Cut int

// Cuts.
const (
	NoCut      Cut = iota // not cut: interrupted (paper out, cover open)
	FullCut               // GS V 0/48/65
	PartialCut            // GS V 1/49/66
)

// Run is text printed with one set of attributes.
type Run struct {
	Text string
	W, H int // size multipliers (GS !, FS !)
	Bold bool
}

// QR is a native QR symbol as the printer was told to print it.
type QR struct {
	Payload []byte
	Module  int            // dots a module
	Level   escpos.QRLevel // error correction
}

// Code128 is a CODE128 barcode.
type Code128 struct {
	Data   []byte // the bytes after GS k 73 n, with the {A {B {C selectors
	Height int    // bar height in dots (GS h)
	Module int    // narrow bar in dots (GS w)
	HRI    escpos.HRI
}

// Block is one printed element, top to bottom.
type Block struct {
	Kind    Kind
	Align   escpos.Align
	Runs    []Run          // TextLine
	QR      *QR            // QRCode
	Image   *escpos.Bitmap // Image
	Barcode *Code128       // Barcode
	Dots    int            // paper advanced by the block
}

// Text returns the text of a TextLine block.
func (b Block) Text() string {
	var s strings.Builder
	for _, r := range b.Runs {
		s.WriteString(r.Text)
	}
	return s.String()
}

// Document is what the printer printed between two cuts.
type Document struct {
	Blocks []Block
	Cut    Cut
	Dots   int // printable width
	Bytes  int // bytes received for it, commands included
	// Unprintable lists characters the printer's font lacks or bytes it
	// could not decode: they printed as garbage ('?' in the text).
	Unprintable []string
	// CodePage counts bytes ≥ 0x80 received outside Chinese mode: without
	// FS & a Chinese printer prints them as code-page symbols.
	CodePage int
	Started  time.Time // first byte
	Received time.Time // last byte (the cut) received
	Done     time.Time // paper motion finished (Received without paper emulation)
}

// Complete reports whether the document ended with a cut.
func (d Document) Complete() bool { return d.Cut != NoCut }

// Length returns the paper used in dots.
func (d Document) Length() int {
	n := 0
	for _, b := range d.Blocks {
		n += b.Dots
	}
	return n
}

// Lines returns the text of each TextLine block.
func (d Document) Lines() []string {
	var out []string
	for _, b := range d.Blocks {
		if b.Kind == TextLine {
			out = append(out, b.Text())
		}
	}
	return out
}

// QRs returns the payloads of the native QR symbols.
func (d Document) QRs() []string {
	var out []string
	for _, b := range d.Blocks {
		if b.Kind == QRCode {
			out = append(out, string(b.QR.Payload))
		}
	}
	return out
}

// Images returns the raster images.
func (d Document) Images() []*escpos.Bitmap {
	var out []*escpos.Bitmap
	for _, b := range d.Blocks {
		if b.Kind == Image {
			out = append(out, b.Image)
		}
	}
	return out
}

// Text renders the document as plain text: one line per text line, blank
// lines for feeds, markers for symbols and images.
func (d Document) Text() string {
	var s strings.Builder
	for _, b := range d.Blocks {
		switch b.Kind {
		case TextLine:
			s.WriteString(b.Text())
		case QRCode:
			fmt.Fprintf(&s, "[QR %s]", b.QR.Payload)
		case Image:
			fmt.Fprintf(&s, "[image %dx%d]", b.Image.Width, b.Image.Height)
		case Barcode:
			fmt.Fprintf(&s, "[CODE128 %s]", b.Barcode.Data)
		case Feed:
		}
		s.WriteByte('\n')
	}
	switch d.Cut {
	case FullCut:
		s.WriteString("[cut]\n")
	case PartialCut:
		s.WriteString("[partial cut]\n")
	default:
		s.WriteString("[interrupted]\n")
	}
	return s.String()
}
