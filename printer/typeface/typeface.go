// Package typeface draws text the way a thermal ticket printer lays it out:
// on a grid of 12×24-dot cells for ASCII and 24×24-dot cells for Chinese
// (every two- and four-byte GB18030 code), scaled by whole multiples like
// the printer's built-in font (docs/escpos.md, GS ! and FS !).
//
// The glyphs come from a CJK TrueType/OpenType font found at run time (see
// Find). The printer package uses it to print, as a raster image, a line the
// printer's own character set lacks; the simulated printer uses it to draw a
// ticket as a PNG. Without a font (a nil *Face) every glyph is drawn as an
// empty box, so callers never fail for want of a font.
package typeface

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"os"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// ErrNotFound is returned by Find when none of the candidate fonts is present
// and usable.
var ErrNotFound = errors.New("typeface: no usable CJK font found (install fonts-noto-cjk or fonts-droid-fallback)")

// Dots of one cell at size 1×1: the printer's font A and its Chinese font.
const (
	CellHeight      = 24
	HalfCellWidth   = 12
	FullCellWidth   = 24
	DotsPerColumn   = HalfCellWidth
	glyphCacheLimit = 4096
)

// Columns returns how many half-width columns r takes on the printer: 1 for
// ASCII, 2 for everything else (GB18030 two- and four-byte codes print as
// full-width characters).
func Columns(r rune) int {
	if r < 0x80 {
		return 1
	}
	return 2
}

// Width returns the number of half-width columns of s.
func Width(s string) int {
	n := 0
	for _, r := range s {
		n += Columns(r)
	}
	return n
}

// Candidate is a font file Find tries, with the face it prefers inside a
// collection.
type Candidate struct {
	Path   string
	Prefer string // substring of the preferred face's full name in a .ttc
	Debian string // the Debian package that installs it
}

// Candidates lists the fonts Find tries, best first. WenQuanYi (fonts-wqy-*)
// is not among them: golang.org/x/image/font/sfnt rejects its .ttc files
// (tables not 4-byte aligned, golang/go#46384).
func Candidates() []Candidate {
	return []Candidate{
		{"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Mono CJK SC", "fonts-noto-cjk"},
		{"/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", "Mono CJK SC", "fonts-noto-cjk"},
		{"/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "CJK SC", "fonts-noto-cjk"},
		{"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", "", "fonts-droid-fallback"},
		{"/usr/share/fonts/truetype/droid/DroidSansFallback.ttf", "", "fonts-droid-fallback"},
		{"/usr/local/share/fonts/NotoSansCJK-Regular.ttc", "Mono CJK SC", ""},
		{"/usr/local/share/fonts/NotoSansSC-Regular.otf", "", ""},
	}
}

// latinCandidates are fonts for ASCII when the Chinese font has none
// (Droid Sans Fallback has no Latin letters).
func latinCandidates() []string {
	return []string{
		"/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",             // fonts-dejavu-core
		"/usr/share/fonts/truetype/noto/NotoSansMono-Regular.ttf",         // fonts-noto-mono
		"/usr/share/fonts/truetype/liberation/LiberationMono-Regular.ttf", // fonts-liberation
	}
}

// Find loads the first usable candidate font. If it has no Latin letters a
// Latin font is added for ASCII. It returns ErrNotFound if there is none.
func Find() (*Face, error) {
	var errs []error
	for _, c := range Candidates() {
		data, err := os.ReadFile(c.Path)
		if err != nil {
			continue
		}
		f, err := parse(data, c.Prefer)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", c.Path, err))
			continue
		}
		f.path = c.Path
		if !f.Has('A') {
			for _, p := range latinCandidates() {
				if data, err := os.ReadFile(p); err == nil {
					if lf, err := sfnt.Parse(data); err == nil {
						f.fonts = append(f.fonts, lf)
						f.path += " + " + p
						break
					}
				}
			}
		}
		return f, nil
	}
	return nil, errors.Join(append([]error{ErrNotFound}, errs...)...)
}

// Load reads a .ttf, .otf or .ttc file. In a collection it takes the first
// face with a Simplified Chinese name ("SC"), else the first face.
func Load(path string) (*Face, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("typeface: %w", err)
	}
	f, err := parse(data, "CJK SC")
	if err != nil {
		return nil, fmt.Errorf("typeface: %s: %w", path, err)
	}
	f.path = path
	return f, nil
}

// Parse reads a font from memory, for an embedded font.
func Parse(data []byte) (*Face, error) {
	f, err := parse(data, "CJK SC")
	if err != nil {
		return nil, fmt.Errorf("typeface: %w", err)
	}
	return f, nil
}

func parse(data []byte, prefer string) (*Face, error) {
	coll, err := sfnt.ParseCollection(data)
	if err != nil {
		return nil, err
	}
	var buf sfnt.Buffer
	var chosen *sfnt.Font
	for i := 0; i < coll.NumFonts(); i++ {
		f, err := coll.Font(i)
		if err != nil {
			return nil, err
		}
		if idx, err := f.GlyphIndex(&buf, '号'); err != nil || idx == 0 {
			continue // not a Chinese face
		}
		name, _ := f.Name(&buf, sfnt.NameIDFull)
		if chosen == nil || (prefer != "" && strings.Contains(name, prefer)) {
			chosen = f
			if prefer == "" || strings.Contains(name, prefer) {
				break
			}
		}
	}
	if chosen == nil {
		return nil, errors.New("no face with Chinese glyphs")
	}
	name, _ := chosen.Name(&buf, sfnt.NameIDFull)
	return &Face{fonts: []*sfnt.Font{chosen}, name: name, cache: make(map[glyphKey]*image.Alpha)}, nil
}

// Face is a loaded font. It is safe for concurrent use. A nil *Face draws
// boxes.
type Face struct {
	fonts []*sfnt.Font // the first with a glyph draws it
	name  string
	path  string

	mu    sync.Mutex
	buf   sfnt.Buffer
	cache map[glyphKey]*image.Alpha
}

type glyphKey struct {
	r    rune
	w, h int
}

// Name returns the font's full name, or "" for a nil Face.
func (f *Face) Name() string {
	if f == nil {
		return ""
	}
	return f.name
}

// Path returns the file(s) the font was loaded from ("" when parsed from
// memory).
func (f *Face) Path() string {
	if f == nil {
		return ""
	}
	return f.path
}

// Has reports whether the font has a glyph for r.
func (f *Face) Has(r rune) bool {
	if f == nil {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lookup(r) != nil
}

// lookup returns the first font with a glyph for r, or nil. f.mu is held.
func (f *Face) lookup(r rune) *sfnt.Font {
	for _, font := range f.fonts {
		if idx, err := font.GlyphIndex(&f.buf, r); err == nil && idx != 0 {
			return font
		}
	}
	return nil
}

// Cell returns r drawn in a cell of w×h dots as a two-level mask (0 or
// 0xFF), and whether the font had the glyph; without it, it is a box.
// The returned image is shared: do not modify it.
func (f *Face) Cell(r rune, w, h int) (*image.Alpha, bool) {
	if r == ' ' {
		return image.NewAlpha(image.Rect(0, 0, w, h)), true
	}
	if f == nil {
		return box(w, h), false
	}
	key := glyphKey{r, w, h}
	f.mu.Lock()
	defer f.mu.Unlock()
	if m, ok := f.cache[key]; ok {
		return m, true
	}
	font := f.lookup(r)
	if font == nil {
		return box(w, h), false
	}
	m, err := render(font, r, w, h)
	if err != nil {
		return box(w, h), false
	}
	if len(f.cache) >= glyphCacheLimit {
		clear(f.cache)
	}
	f.cache[key] = m
	return m, true
}

// render renders one glyph centred in the cell, scaled to fill the cell's
// height (or its width, for wide glyphs), then thresholds it.
func render(sf *sfnt.Font, r rune, w, h int) (*image.Alpha, error) {
	size := float64(h) * 0.92
	face, err := opentype.NewFace(sf, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, err
	}
	adv, ok := face.GlyphAdvance(r)
	if ok && adv.Ceil() > w {
		size = size * float64(w) / float64(adv.Ceil())
		face.Close()
		if face, err = opentype.NewFace(sf, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone}); err != nil {
			return nil, err
		}
		adv, _ = face.GlyphAdvance(r)
	}
	defer face.Close()
	m := face.Metrics()
	asc, desc := m.Ascent.Ceil(), m.Descent.Ceil()
	if r >= 0x80 {
		// CJK ideographs sit in an em box from -0.12 em to 0.88 em.
		asc, desc = int(math.Round(size*0.88)), int(math.Round(size*0.12))
	}
	baseline := (h-(asc+desc))/2 + asc
	dst := image.NewAlpha(image.Rect(0, 0, w, h))
	d := font.Drawer{Dst: dst, Src: image.Opaque, Face: face,
		Dot: fixed.Point26_6{X: fixed.I(w)/2 - adv/2, Y: fixed.I(baseline)}}
	d.DrawString(string(r))
	for i, a := range dst.Pix {
		if a >= 0x70 {
			dst.Pix[i] = 0xFF
		} else {
			dst.Pix[i] = 0
		}
	}
	return dst, nil
}

// box is the glyph drawn for a rune without a font or glyph: an outline
// inset by one dot.
func box(w, h int) *image.Alpha {
	m := image.NewAlpha(image.Rect(0, 0, w, h))
	x0, y0, x1, y1 := 1, 2, w-2, h-3
	for x := x0; x <= x1; x++ {
		m.SetAlpha(x, y0, color.Alpha{A: 0xFF})
		m.SetAlpha(x, y1, color.Alpha{A: 0xFF})
	}
	for y := y0; y <= y1; y++ {
		m.SetAlpha(x0, y, color.Alpha{A: 0xFF})
		m.SetAlpha(x1, y, color.Alpha{A: 0xFF})
	}
	return m
}

// Line draws s on the printer's grid at width×height magnification, bold
// by overstriking one dot to the right, as a two-level mask (0 or 0xFF)
// 12·width dots a column wide and 24·height dots high. missing lists the
// runes drawn as boxes.
func (f *Face) Line(s string, width, height int, bold bool) (img *image.Alpha, missing []rune) {
	width, height = max(width, 1), max(height, 1)
	img = image.NewAlpha(image.Rect(0, 0, Width(s)*HalfCellWidth*width, CellHeight*height))
	x := 0
	for _, r := range s {
		if r == utf8.RuneError {
			r = '?'
		}
		cw := Columns(r) * HalfCellWidth
		g, ok := f.Cell(r, cw, CellHeight)
		if !ok {
			missing = append(missing, r)
		}
		blit(img, g, x, width, height, bold)
		x += cw * width
	}
	return img, missing
}

// blit copies a cell mask into dst at column x, replicating each dot
// sx×sy times like a printer enlarging its font.
func blit(dst *image.Alpha, g *image.Alpha, x0, sx, sy int, bold bool) {
	b := g.Bounds()
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			if g.AlphaAt(x, y).A == 0 {
				continue
			}
			for dy := 0; dy < sy; dy++ {
				for dx := 0; dx < sx; dx++ {
					dst.SetAlpha(x0+x*sx+dx, y*sy+dy, color.Alpha{A: 0xFF})
					if bold {
						dst.SetAlpha(x0+x*sx+dx+sx, y*sy+dy, color.Alpha{A: 0xFF})
					}
				}
			}
		}
	}
}

// DrawLine draws s into dst with its top-left corner at p, in black.
func (f *Face) DrawLine(dst draw.Image, p image.Point, s string, width, height int, bold bool) []rune {
	m, missing := f.Line(s, width, height, bold)
	draw.DrawMask(dst, m.Bounds().Add(p), image.Black, image.Point{}, m, image.Point{}, draw.Over)
	return missing
}
