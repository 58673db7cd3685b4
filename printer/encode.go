package printer

import (
	"fmt"
	"image"
	"strings"

	"yiting/printer/escpos"
	"yiting/printer/typeface"
)

// Encode returns the ESC/POS bytes of t for printer profile p.
//
// A line with a character the profile's built-in font lacks (a name with a
// rare character on a GB2312 printer, say) is printed as a raster image of
// the whole line drawn with face. With a nil face such characters print as
// □ instead. On a QRRaster profile the QR code is an image too.
func Encode(t Ticket, p Profile, face *typeface.Face) ([]byte, error) {
	if err := t.Validate(p); err != nil {
		return nil, err
	}
	if p.Dots <= 0 {
		return nil, fmt.Errorf("printer: profile %q has no width: %w", p.Name, ErrUnknownProfile)
	}
	var e escpos.Buffer
	st := encState{e: &e}
	e.Init()
	if p.ChineseMode {
		e.ChineseOn()
	}
	cols := p.Columns()
	for _, l := range t.lines(cols) {
		switch l.kind {
		case kindText:
			st.set(l.align, l.w, l.h, l.bold)
			if fits(p, l.text) {
				e.Text(l.text)
				e.LF()
				break
			}
			if face == nil {
				e.Text(strings.Map(func(r rune) rune {
					if !p.CanPrint(r) {
						return '□'
					}
					return r
				}, l.text))
				e.LF()
				break
			}
			img, _ := face.Line(l.text, l.w, l.h, l.bold)
			bm := maskBitmap(img)
			// A text line advances by the line spacing (30 dots) or the
			// character height, whichever is more; an image by its height.
			if pad := lineSpacing - bm.Height; pad > 0 {
				bm.Height += pad
				bm.Bits = append(bm.Bits, make([]byte, pad*bm.Stride())...)
			}
			e.Raster(bm)
		case kindRule:
			st.set(escpos.Left, 1, 1, false)
			e.Text(strings.Repeat("-", cols))
			e.LF()
		case kindQR:
			st.set(l.align, 1, 1, false)
			if p.QR == QRRaster {
				bm, err := QRBitmap(l.text, p.QRLevel, p.QRModule)
				if err != nil {
					return nil, err
				}
				e.Raster(bm)
			} else {
				e.QR([]byte(l.text), p.QRModule, p.QRLevel)
			}
		case kindFeed:
			e.Feed(l.n)
		case kindCut:
			e.CutB(escpos.FullCut, 0)
		}
	}
	if err := e.Err(); err != nil {
		return nil, fmt.Errorf("printer: encoding ticket %s: %w", t.Number, err)
	}
	return e.Bytes(), nil
}

// maskBitmap turns a glyph mask (ink where alpha is set) into dots.
func maskBitmap(m *image.Alpha) *escpos.Bitmap {
	r := m.Bounds()
	bm := escpos.NewBitmap(r.Dx(), r.Dy())
	for y := 0; y < r.Dy(); y++ {
		for x := 0; x < r.Dx(); x++ {
			if m.AlphaAt(r.Min.X+x, r.Min.Y+y).A >= 0x80 {
				bm.Set(x, y, true)
			}
		}
	}
	return bm
}

// lineSpacing is the default line feed of ESC/POS printers in dots (ESC 2,
// about 3.75 mm at 203 dpi).
const lineSpacing = 30

// fits reports whether every rune of s is in the profile's font.
func fits(p Profile, s string) bool {
	for _, r := range s {
		if !p.CanPrint(r) {
			return false
		}
	}
	return true
}

// encState sends alignment, size and bold only when they change.
type encState struct {
	e     *escpos.Buffer
	valid bool
	align escpos.Align
	w, h  int
	bold  bool
}

func (s *encState) set(a escpos.Align, w, h int, bold bool) {
	if !s.valid || s.align != a {
		s.e.Align(a)
	}
	if !s.valid || s.w != w || s.h != h {
		s.e.Size(w, h)
	}
	if !s.valid || s.bold != bold {
		s.e.Bold(bold)
	}
	s.valid, s.align, s.w, s.h, s.bold = true, a, w, h, bold
}
