package printersim

import (
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"yiting/printer"
	"yiting/printer/escpos"
)

// Charset is the simulated printer's built-in Chinese font.
type Charset int

// Fonts of Chinese printers (docs/escpos.md, "Chinese printers").
const (
	GB18030Full Charset = iota // every GB18030 code, four-byte ones too
	GB18030Two                 // two-byte codes only
	GB2312Only                 // GB 2312: lead and trail bytes A1–FE, rows up to F7
)

const (
	defaultSpacing = 30 // ESC 2: about 3.75 mm at 203 dpi
	cellHeight     = 24
	maxPending     = 1 << 20 // a command longer than this is garbage
)

// machine parses the command stream and builds documents. It is not safe
// for concurrent use: the Printer holds its lock while feeding it.
type machine struct {
	dots        int
	charset     Charset
	kanjiAtInit bool
	noNativeQR  bool

	pend []byte

	align        escpos.Align
	sizeW, sizeH int
	bold         bool
	kanji        bool
	fsW, fsH     bool
	spacing      int
	qrModule     int
	qrLevel      escpos.QRLevel
	qrData       []byte
	bcHeight     int
	bcModule     int
	hri          escpos.HRI

	runs      []Run
	lineAlign escpos.Align
	lineW     int

	realtime bool // the command just consumed was DLE EOT / ENQ / DC4

	doc      *Document
	finished *Document // ended by the command being consumed
	sinceDoc int       // bytes consumed since the last document ended
	discard  bool      // not printing (paper out, cover open): output is dropped

	// Counters.
	printBytes  int // bytes of everything but real-time commands
	dleEOT      int // DLE EOT commands seen at command level
	unknown     int // commands not understood (skipped)
	unsupported int // GS ( k print on a printer without native QR

	// Hooks set by the Printer.
	now     func() time.Time     // arrival time of the current byte
	advance func(dots int)       // paper moved
	emit    func(d Document)     // a document ended
	setASB  func(mask byte)      // GS a n
	qrSize  func(QR) (int, bool) // modules a side of a native QR symbol
}

func (m *machine) init() {
	m.align, m.sizeW, m.sizeH, m.bold = escpos.Left, 1, 1, false
	m.kanji, m.fsW, m.fsH = m.kanjiAtInit, false, false
	m.spacing = defaultSpacing
	m.qrModule, m.qrLevel, m.qrData = 3, escpos.QRLevelL, nil
	m.bcHeight, m.bcModule, m.hri = 162, 3, escpos.HRINone
	m.runs, m.lineW = nil, 0 // ESC @ clears the print buffer
}

// feed takes one received byte.
func (m *machine) feed(b byte) {
	m.pend = append(m.pend, b)
	for len(m.pend) > 0 {
		n := m.step(m.pend)
		if n == 0 {
			if len(m.pend) > maxPending {
				m.unknown++
				m.pend = m.pend[:0]
			}
			return
		}
		if !m.realtime {
			m.printBytes += n
			m.sinceDoc += n
		}
		m.realtime = false
		m.flush()
		m.pend = m.pend[n:]
	}
	m.pend = m.pend[:0]
}

// step consumes one command or character from b and returns its length,
// or 0 if b holds only part of it.
func (m *machine) step(b []byte) int {
	c := b[0]
	switch c {
	case escpos.LF:
		m.lineFeed(m.spacing)
		return 1
	case escpos.ESC:
		return m.esc(b)
	case escpos.GS:
		return m.gs(b)
	case escpos.FS:
		return m.fs(b)
	case escpos.DLE:
		return m.dle(b)
	case '\t':
		m.tab()
		return 1
	case '\r', 0x0C, 0x18, 0x00:
		return 1
	}
	if c < 0x20 || c == 0x7F {
		m.unknown++
		return 1
	}
	return m.text(b)
}

func need(b []byte, n int) bool { return len(b) >= n }

func (m *machine) esc(b []byte) int {
	if !need(b, 2) {
		return 0
	}
	switch b[1] {
	case '@':
		m.init()
		return 2
	case '2':
		m.spacing = defaultSpacing
		return 2
	case 'i', 'm': // obsolete full and partial cut
		m.cut(cutKind(b[1] == 'i'), 0)
		return 2
	case '<', 'S', 'L', 0x0C:
		return 2
	case 'D': // tab stops, up to NUL
		for i := 2; i < len(b) && i < 2+33; i++ {
			if b[i] == 0 {
				return i + 1
			}
		}
		if len(b) >= 2+33 {
			return 2 + 33
		}
		return 0
	case '$', '\\', 'B':
		if !need(b, 4) {
			return 0
		}
		return 4
	case 'c':
		if !need(b, 4) {
			return 0
		}
		return 4
	case 'p':
		if !need(b, 5) {
			return 0
		}
		return 5
	case 'W':
		if !need(b, 10) {
			return 0
		}
		return 10
	case '*': // column bit image: skipped
		if !need(b, 5) {
			return 0
		}
		k := int(b[3]) | int(b[4])<<8
		if b[2] == 32 || b[2] == 33 {
			k *= 3
		}
		if !need(b, 5+k) {
			return 0
		}
		m.unknown++
		return 5 + k
	}
	if !need(b, 3) {
		return 0
	}
	n := b[2]
	switch b[1] {
	case 'a':
		if a := escpos.Align(n % 48); a <= escpos.Right {
			m.align = a
		}
	case 'E':
		m.bold = n&1 != 0
	case 'd':
		m.lineFeed(0)
		if n > 0 {
			m.block(Block{Kind: Feed, Dots: int(n) * m.spacing})
		}
	case 'J':
		m.lineFeed(0)
		if n > 0 {
			m.block(Block{Kind: Feed, Dots: int(n)})
		}
	case '!':
		m.bold = n&0x08 != 0
		m.sizeH = 1 + int(n>>4&1)
		m.sizeW = 1 + int(n>>5&1)
	case '3':
		m.spacing = int(n)
	case '-', 'G', 'M', 't', 'R', 'V', '{', 'U', 'r', 'K', 'e', ' ', '%', '?', '=', 'T':
	default:
		m.unknown++
		return 2
	}
	return 3
}

func cutKind(full bool) Cut {
	if full {
		return FullCut
	}
	return PartialCut
}

func (m *machine) gs(b []byte) int {
	if !need(b, 2) {
		return 0
	}
	switch b[1] {
	case '(':
		if !need(b, 5) {
			return 0
		}
		l := int(b[3]) | int(b[4])<<8
		if !need(b, 5+l) {
			return 0
		}
		if b[2] == 'k' {
			m.symbol(b[5 : 5+l])
		}
		return 5 + l
	case 'v':
		if !need(b, 8) {
			return 0
		}
		x, y := int(b[4])|int(b[5])<<8, int(b[6])|int(b[7])<<8
		if !need(b, 8+x*y) {
			return 0
		}
		if b[2] != '0' || x == 0 || y == 0 {
			m.unknown++
			return 8 + x*y
		}
		m.raster(b[3], x, y, b[8:8+x*y])
		return 8 + x*y
	case 'k':
		if !need(b, 3) {
			return 0
		}
		if kind := b[2]; kind <= 6 { // format A: data up to NUL
			for i := 3; i < len(b) && i < 3+256; i++ {
				if b[i] == 0 {
					m.unknown++
					return i + 1
				}
			}
			if len(b) >= 3+256 {
				m.unknown++
				return 3 + 256
			}
			return 0
		}
		if !need(b, 4) || !need(b, 4+int(b[3])) {
			return 0
		}
		n := int(b[3])
		if b[2] == 73 {
			m.lineFeed(0)
			m.barcode(append([]byte(nil), b[4:4+n]...))
		} else {
			m.unknown++
		}
		return 4 + n
	case '8':
		if !need(b, 7) {
			return 0
		}
		p := int(b[3]) | int(b[4])<<8 | int(b[5])<<16 | int(b[6])<<24
		if p < 0 || p > maxPending {
			m.unknown++
			return 7
		}
		if !need(b, 7+p) {
			return 0
		}
		m.unknown++
		return 7 + p
	case 'V':
		if !need(b, 3) {
			return 0
		}
		switch b[2] {
		case 0, 48:
			m.cut(FullCut, 0)
			return 3
		case 1, 49:
			m.cut(PartialCut, 0)
			return 3
		}
		if !need(b, 4) {
			return 0
		}
		switch b[2] {
		case 65, 97, 103:
			m.cut(FullCut, int(b[3]))
		case 66, 98, 104:
			m.cut(PartialCut, int(b[3]))
		default:
			m.unknown++
		}
		return 4
	case 'L', 'W', 'P', '$', '\\':
		if !need(b, 4) {
			return 0
		}
		return 4
	}
	if !need(b, 3) {
		return 0
	}
	n := b[2]
	switch b[1] {
	case '!':
		m.sizeW = 1 + int(n>>4&7)
		m.sizeH = 1 + int(n&7)
	case 'h':
		if n > 0 {
			m.bcHeight = int(n)
		}
	case 'w':
		if n >= 1 && n <= 6 {
			m.bcModule = int(n)
		}
	case 'H':
		m.hri = escpos.HRI(n % 48)
	case 'a':
		if m.setASB != nil {
			m.setASB(n)
		}
	case 'f', 'B', 'b', 'r', 'I', 'T', 'E', 'C':
	default:
		m.unknown++
		return 2
	}
	return 3
}

func (m *machine) fs(b []byte) int {
	if !need(b, 2) {
		return 0
	}
	switch b[1] {
	case '&':
		m.kanji = true
		return 2
	case '.':
		m.kanji = false
		return 2
	case 'S', 'p':
		if !need(b, 4) {
			return 0
		}
		return 4
	case '2':
		if !need(b, 76) {
			return 0
		}
		return 76
	}
	if !need(b, 3) {
		return 0
	}
	switch b[1] {
	case '!':
		m.fsW = b[2]&0x04 != 0
		m.fsH = b[2]&0x08 != 0
	case '-', 'W', 'C':
	default:
		m.unknown++
		return 2
	}
	return 3
}

// dle consumes a real-time command at command level. The Printer has
// already answered DLE EOT when its bytes arrived.
func (m *machine) dle(b []byte) int {
	if !need(b, 2) {
		return 0
	}
	switch b[1] {
	case escpos.EOT, escpos.ENQ:
		if !need(b, 3) {
			return 0
		}
		if b[1] == escpos.EOT && b[2] >= 1 && b[2] <= 4 {
			m.dleEOT++
		}
		m.realtime = true
		return 3
	case escpos.DC4:
		if !need(b, 3) {
			return 0
		}
		n := 3
		switch b[2] {
		case 1, 2, 7:
			n = 5
		case 8:
			n = 10
		}
		if !need(b, n) {
			return 0
		}
		m.realtime = true
		return n
	}
	m.unknown++
	return 1
}

// text consumes one character.
func (m *machine) text(b []byte) int {
	c := b[0]
	if c < 0x80 {
		m.char(string(rune(c)), false)
		return 1
	}
	m.begin()
	if !m.kanji {
		if m.doc != nil {
			m.doc.CodePage++
		}
		m.char("?", false)
		return 1
	}
	if c == 0x80 || c == 0xFF {
		m.bad(string(b[:1]))
		return 1
	}
	if !need(b, 2) {
		return 0
	}
	n := 2
	switch t := b[1]; {
	case t >= 0x30 && t <= 0x39:
		if !need(b, 4) {
			return 0
		}
		if b[2] < 0x81 || b[2] > 0xFE || b[3] < 0x30 || b[3] > 0x39 {
			m.bad(string(b[:1]))
			return 1
		}
		n = 4
	case t >= 0x40 && t <= 0xFE && t != 0x7F:
	default:
		m.bad(string(b[:1]))
		return 1
	}
	dec, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b[:n])
	r, _ := utf8.DecodeRune(dec)
	switch {
	case err != nil || r == utf8.RuneError:
		m.bad(string(b[:n]))
	case n == 4 && m.charset != GB18030Full,
		n == 2 && m.charset == GB2312Only && !(c >= 0xA1 && c <= 0xF7 && b[1] >= 0xA1):
		m.bad(string(dec))
	default:
		m.char(string(dec), true)
	}
	return n
}

// bad prints the garbage glyph for a character the font lacks.
func (m *machine) bad(what string) {
	m.begin()
	if m.doc != nil {
		m.doc.Unprintable = append(m.doc.Unprintable, what)
	}
	m.char("？", true)
}

// char adds a character to the line buffer, printing the line first if it
// is full (the printer wraps).
func (m *machine) char(s string, full bool) {
	w, h := m.sizeW, m.sizeH
	cw := 12
	if full {
		cw = 24
		if m.fsW {
			w *= 2
		}
		if m.fsH {
			h *= 2
		}
	}
	cw *= w
	if m.lineW+cw > m.dots && m.lineW > 0 {
		m.lineFeed(m.spacing)
	}
	if len(m.runs) == 0 {
		m.lineAlign = m.align
	}
	if k := len(m.runs) - 1; k >= 0 && m.runs[k].W == w && m.runs[k].H == h && m.runs[k].Bold == m.bold {
		m.runs[k].Text += s
	} else {
		m.runs = append(m.runs, Run{Text: s, W: w, H: h, Bold: m.bold})
	}
	m.lineW += cw
}

func (m *machine) tab() {
	stop := (m.lineW/96 + 1) * 96 // every 8 font-A characters
	if stop < m.dots {
		for m.lineW < stop {
			m.char(" ", false)
		}
	}
}

// lineFeed prints the line buffer. An empty buffer feeds empty bytes of
// paper, unless empty is 0 (ESC d, GS v 0 and cuts only print what is
// buffered).
func (m *machine) lineFeed(empty int) {
	if len(m.runs) == 0 {
		if empty > 0 {
			m.block(Block{Kind: Feed, Dots: empty})
		}
		return
	}
	h := 0
	for _, r := range m.runs {
		h = max(h, r.H*cellHeight)
	}
	m.block(Block{Kind: TextLine, Align: m.lineAlign, Runs: m.runs, Dots: max(h, m.spacing)})
	m.runs, m.lineW = nil, 0
}

// begin starts a document if none is in progress.
func (m *machine) begin() {
	if m.doc == nil && !m.discard {
		m.doc = &Document{Dots: m.dots, Started: m.now()}
	}
}

func (m *machine) block(b Block) {
	m.begin()
	if m.doc == nil {
		return
	}
	m.doc.Blocks = append(m.doc.Blocks, b)
	if m.advance != nil {
		m.advance(b.Dots)
	}
}

func (m *machine) cut(c Cut, feed int) {
	m.lineFeed(0)
	if feed > 0 {
		m.block(Block{Kind: Feed, Dots: feed})
	}
	m.begin()
	m.end(c)
}

// end completes the document in progress; flush hands it over once the
// bytes of the command that ended it are counted.
func (m *machine) end(c Cut) {
	if m.doc == nil {
		m.sinceDoc = 0
		return
	}
	m.doc.Cut = c
	m.finished, m.doc = m.doc, nil
}

func (m *machine) flush() {
	if m.finished == nil {
		return
	}
	d := *m.finished
	d.Bytes = m.sinceDoc
	d.Received = m.now()
	m.finished, m.sinceDoc = nil, 0
	if m.emit != nil {
		m.emit(d)
	}
}

// interrupt stops printing (paper out, cover open): the document in
// progress ends uncut and later output is dropped until resume.
func (m *machine) interrupt() {
	m.runs, m.lineW = nil, 0
	m.end(NoCut)
	m.flush()
	m.discard = true
}

func (m *machine) resume() { m.discard, m.sinceDoc = false, 0 }

// symbol handles GS ( k: cn fn parameters.
func (m *machine) symbol(p []byte) {
	if len(p) < 2 || p[0] != '1' { // cn 49 is QR; other symbols are skipped
		m.unknown++
		return
	}
	switch p[1] {
	case 'A':
	case 'C':
		if len(p) >= 3 && p[2] >= 1 && p[2] <= 16 {
			m.qrModule = int(p[2])
		}
	case 'E':
		if len(p) >= 3 && p[2] >= 48 && p[2] <= 51 {
			m.qrLevel = escpos.QRLevel(p[2])
		}
	case 'P':
		if len(p) >= 3 {
			m.qrData = append([]byte(nil), p[3:]...)
		}
	case 'Q':
		if m.noNativeQR {
			m.unsupported++
			return
		}
		m.lineFeed(0)
		q := QR{Payload: m.qrData, Module: m.qrModule, Level: m.qrLevel}
		modules := 0
		if m.qrSize != nil {
			if n, ok := m.qrSize(q); ok {
				modules = n
			}
		}
		if len(q.Payload) == 0 || modules == 0 {
			m.unknown++
			return
		}
		m.block(Block{Kind: QRCode, Align: m.align, QR: &q, Dots: modules * q.Module})
	default:
		m.unknown++
	}
}

// raster handles GS v 0 m x y data.
func (m *machine) raster(mode byte, x, y int, data []byte) {
	m.lineFeed(0)
	sx, sy := 1, 1
	switch mode % 48 {
	case 1:
		sx = 2
	case 2:
		sy = 2
	case 3:
		sx, sy = 2, 2
	}
	bm := escpos.NewBitmap(x*8*sx, y*sy)
	for yy := 0; yy < y; yy++ {
		for xx := 0; xx < x*8; xx++ {
			if data[yy*x+xx/8]&(0x80>>(xx%8)) == 0 {
				continue
			}
			for dy := 0; dy < sy; dy++ {
				for dx := 0; dx < sx; dx++ {
					bm.Set(xx*sx+dx, yy*sy+dy, true)
				}
			}
		}
	}
	m.block(Block{Kind: Image, Align: m.align, Image: bm, Dots: bm.Height})
}

func (m *machine) barcode(data []byte) {
	bc := Code128{Data: data, Height: m.bcHeight, Module: m.bcModule, HRI: m.hri}
	h := bc.Height
	if bc.HRI != escpos.HRINone {
		h += cellHeight + 4
	}
	m.block(Block{Kind: Barcode, Align: m.align, Barcode: &bc, Dots: h})
}

// qrModules returns the number of modules a side of the symbol the printer
// would print for q, using the same QR encoder as the printer package.
func qrModules(q QR) (int, bool) {
	mat, err := printer.QRMatrix(string(q.Payload), q.Level)
	if err != nil {
		return 0, false
	}
	return len(mat), true
}
