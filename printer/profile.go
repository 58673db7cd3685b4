package printer

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"

	"yiting/printer/escpos"
)

// ErrUnknownProfile is returned by ProfileByName for a name it cannot parse.
var ErrUnknownProfile = errors.New("printer: unknown profile")

// Charset is the set of Chinese characters a printer's built-in font has.
type Charset int

// Character sets of Chinese printers (docs/escpos.md, "Chinese printers").
const (
	// GB2312 has the 6,763 common characters and symbols of GB 2312
	// (two-byte codes A1A1–F7FE), e.g. SPRT SP printers.
	GB2312 Charset = iota + 1
	// GBK has every two-byte GB18030 code (about 21,000 characters), e.g.
	// SurePrint SP91 and most Xprinter / GP models.
	GBK
	// GB18030 also has the four-byte codes (extension A and beyond, most
	// rare characters in names), e.g. Microcom 814M.
	GB18030
)

// String returns the name used in profile names.
func (c Charset) String() string {
	switch c {
	case GB2312:
		return "gb2312"
	case GBK:
		return "gbk"
	case GB18030:
		return "gb18030"
	}
	return fmt.Sprintf("charset(%d)", int(c))
}

// QRMode says how the case QR code is printed.
type QRMode int

// QR modes.
const (
	// QRNative sends GS ( k: about 41 bytes plus the payload.
	QRNative QRMode = iota + 1
	// QRRaster sends the symbol as a GS v 0 image, for models without
	// GS ( k: thousands of bytes (docs/escpos.md, "Physical figures").
	QRRaster
)

// Profile is what the ticket layout and the driver need to know about a
// printer model. Get one with ProfileByName.
type Profile struct {
	Name        string
	Dots        int     // printable dots a line: 576 on 80 mm paper, 384 on 58 mm
	DotsPerMM   float64 // 8 (203 dpi)
	Charset     Charset
	QR          QRMode
	QRModule    int            // dots a QR module
	QRLevel     escpos.QRLevel // error correction
	MaxQRData   int            // longest QR payload the model accepts
	ChineseMode bool           // send FS & (Chinese mode) before the text
	ASB         bool           // enable Automatic Status Back (GS a)
}

// Columns is the number of half-width (ASCII) characters a line holds at
// normal size: 48 on 80 mm, 32 on 58 mm.
func (p Profile) Columns() int { return p.Dots / 12 }

// ProfileByName returns the profile a hall configuration names. A name is a
// paper width followed by options, separated by '-':
//
//	80mm      576 dots a line          58mm      384 dots a line
//
//	gb2312    built-in font has GB 2312 only
//	gbk       built-in font has the two-byte GB18030 codes (the default)
//	gb18030   built-in font has the four-byte codes too
//	raster    no GS ( k: print the QR code as an image
//	asb       enable Automatic Status Back
//	nofs      never send FS & / FS . (printers fixed in Chinese mode)
//
// Examples: "80mm", "58mm", "80mm-gb2312", "58mm-gb18030-asb",
// "80mm-gb2312-raster". Characters the font lacks are printed as a raster
// image of their line (see Encode).
func ProfileByName(name string) (Profile, error) {
	parts := strings.Split(strings.ToLower(strings.TrimSpace(name)), "-")
	p := Profile{
		Name:        name,
		DotsPerMM:   8,
		Charset:     GBK,
		QR:          QRNative,
		QRModule:    6,
		QRLevel:     escpos.QRLevelM,
		MaxQRData:   1017, // HPRT models accept fewer than 1021 bytes with the 3-byte header
		ChineseMode: true,
	}
	switch parts[0] {
	case "80mm":
		p.Dots = 576
	case "58mm":
		p.Dots = 384
		p.QRModule = 5
	default:
		return Profile{}, fmt.Errorf("printer: profile %q: paper width must be 80mm or 58mm: %w", name, ErrUnknownProfile)
	}
	seen := map[string]bool{}
	for _, opt := range parts[1:] {
		if seen[opt] {
			return Profile{}, fmt.Errorf("printer: profile %q: option %q twice: %w", name, opt, ErrUnknownProfile)
		}
		seen[opt] = true
		switch opt {
		case "gb2312":
			p.Charset = GB2312
		case "gbk":
			p.Charset = GBK
		case "gb18030":
			p.Charset = GB18030
		case "raster":
			p.QR = QRRaster
		case "asb":
			p.ASB = true
		case "nofs":
			p.ChineseMode = false
		default:
			return Profile{}, fmt.Errorf("printer: profile %q: unknown option %q: %w", name, opt, ErrUnknownProfile)
		}
	}
	if seen["gb2312"] && seen["gbk"] || seen["gb2312"] && seen["gb18030"] || seen["gbk"] && seen["gb18030"] {
		return Profile{}, fmt.Errorf("printer: profile %q: more than one character set: %w", name, ErrUnknownProfile)
	}
	return p, nil
}

// CanPrint reports whether the printer's built-in font has r. Control
// characters are never printable.
func (p Profile) CanPrint(r rune) bool {
	switch {
	case r >= 0x20 && r < 0x7F:
		return true
	case r < 0xA0:
		return false
	}
	enc, err := simplifiedchinese.GB18030.NewEncoder().String(string(r))
	if err != nil {
		return false
	}
	switch len(enc) {
	case 2:
		if p.Charset == GB2312 {
			return inGB2312(enc[0], enc[1])
		}
		return true
	case 4:
		return p.Charset == GB18030
	}
	return false
}

// inGB2312 reports whether a two-byte GB18030 code is one of the 7,445
// codes of GB 2312: the symbol rows 1–9 (with their gaps, which GBK later
// filled) and the character rows 16–87, where row 55 ends at D7F9.
func inGB2312(b1, b2 byte) bool {
	in := func(lo, hi byte) bool { return b2 >= lo && b2 <= hi }
	switch b1 {
	case 0xA1, 0xA3:
		return in(0xA1, 0xFE)
	case 0xA2:
		return in(0xB1, 0xE2) || in(0xE5, 0xEE) || in(0xF1, 0xFC)
	case 0xA4:
		return in(0xA1, 0xF3)
	case 0xA5:
		return in(0xA1, 0xF6)
	case 0xA6:
		return in(0xA1, 0xB8) || in(0xC1, 0xD8)
	case 0xA7:
		return in(0xA1, 0xC1) || in(0xD1, 0xF1)
	case 0xA8:
		return in(0xA1, 0xBA) || in(0xC5, 0xE9)
	case 0xA9:
		return in(0xA4, 0xEF)
	case 0xD7:
		return in(0xA1, 0xF9)
	}
	return b1 >= 0xB0 && b1 <= 0xF7 && in(0xA1, 0xFE)
}
