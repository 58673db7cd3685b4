package printer

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"yiting/printer/escpos"
	"yiting/printer/typeface"
)

// ErrInvalidTicket is wrapped by the errors of a ticket that cannot be
// printed as given (no number, a QR payload that is not printable ASCII or
// too long for the profile).
var ErrInvalidTicket = errors.New("printer: invalid ticket")

// Ticket is what a visitor's queue ticket shows. Strings are printed as
// given: the caller masks the visitor's name (张*三) before it gets here.
type Ticket struct {
	Hall     string    // 某某县综治中心
	Number   string    // A012, printed large
	Service  string    // 矛盾纠纷调解
	Counter  string    // where to go: 3号窗口, 调解室一
	Location string    // where that is: 一楼东侧 (optional)
	Ahead    int       // tickets waiting before this one
	Issued   time.Time // printed in its own location
	Visitor  string    // masked name, "" for an anonymous ticket
	Priority string    // a label such as 优先 (optional)
	Note     string    // e.g. 首访负责：请到3号窗口 (optional)
	CaseCode string    // the case code printed under the QR (optional)
	CaseURL  string    // QR payload, printable ASCII; "" prints no QR block
	Footer   string    // 请留意叫号，过号请重新取号
	Reprint  bool      // print a clear 补打 mark
}

// ReprintMark is printed at the top of a reprinted ticket.
const ReprintMark = "【补打】"

// Validate reports whether t can be printed on p.
func (t Ticket) Validate(p Profile) error {
	if strings.TrimSpace(t.Number) == "" {
		return fmt.Errorf("printer: ticket without a number: %w", ErrInvalidTicket)
	}
	if t.CaseURL != "" {
		for i := 0; i < len(t.CaseURL); i++ {
			if c := t.CaseURL[i]; c < 0x20 || c > 0x7E {
				return fmt.Errorf("printer: QR payload %q: byte %d is not printable ASCII: %w", t.CaseURL, i, ErrInvalidTicket)
			}
		}
		if limit := min(p.MaxQRData, escpos.MaxQRData); p.MaxQRData > 0 && len(t.CaseURL) > limit {
			return fmt.Errorf("printer: QR payload of %d bytes, profile %s takes at most %d: %w", len(t.CaseURL), p.Name, limit, ErrInvalidTicket)
		}
	}
	return nil
}

// kind of a layout line.
type kind int

const (
	kindText kind = iota
	kindRule
	kindQR
	kindFeed
	kindCut
)

// line is one element of the ticket layout, shared by Encode and Text.
type line struct {
	kind  kind
	text  string // kindText; the payload for kindQR
	align escpos.Align
	w, h  int  // character size multipliers
	bold  bool //
	n     int  // kindFeed: lines
}

// lines lays t out for a paper of cols half-width columns.
func (t Ticket) lines(cols int) []line {
	var out []line
	text := func(s string, a escpos.Align, w, h int, bold bool) {
		for _, l := range wrap(clean(s), cols/w) {
			out = append(out, line{kind: kindText, text: l, align: a, w: w, h: h, bold: bold})
		}
	}
	rule := func() { out = append(out, line{kind: kindRule}) }
	feed := func(n int) { out = append(out, line{kind: kindFeed, n: n}) }
	// fit picks the largest of the sizes at which s fits on one line.
	fit := func(s string, sizes ...int) int {
		for _, z := range sizes {
			if typeface.Width(clean(s))*z <= cols {
				return z
			}
		}
		return sizes[len(sizes)-1]
	}

	if t.Reprint {
		text(ReprintMark, escpos.Center, 2, 2, true)
	}
	if t.Hall != "" {
		text(t.Hall, escpos.Center, 1, 2, true)
	}
	rule()
	z := fit(t.Number, 4, 3, 2, 1)
	text(t.Number, escpos.Center, z, z, true)
	if t.Priority != "" {
		text("【"+t.Priority+"】", escpos.Center, 2, 2, true)
	}
	if t.Service != "" {
		z := fit(t.Service, 2, 1)
		text(t.Service, escpos.Center, z, 2, true)
	}
	rule()
	if t.Counter != "" {
		where := "请到：" + t.Counter
		if t.Location != "" {
			where += "（" + t.Location + "）"
		}
		text(where, escpos.Left, 1, 2, true)
	}
	text(fmt.Sprintf("前方等待：%d 人", max(t.Ahead, 0)), escpos.Left, 1, 1, false)
	if !t.Issued.IsZero() {
		text("取号时间："+t.Issued.Format("2006-01-02 15:04"), escpos.Left, 1, 1, false)
	}
	if t.Visitor != "" {
		text("姓名："+t.Visitor, escpos.Left, 1, 1, false)
	}
	if t.Note != "" {
		text(t.Note, escpos.Left, 1, 1, true)
	}
	if t.CaseURL != "" {
		rule()
		feed(1)
		out = append(out, line{kind: kindQR, text: t.CaseURL, align: escpos.Center})
		feed(1)
		if code := "案件码：" + t.CaseCode; t.CaseCode != "" && typeface.Width(clean(code)) <= cols {
			text(code, escpos.Center, 1, 1, true)
		} else if t.CaseCode != "" {
			// A township's code (25 characters) on 58 mm paper: the code
			// whole on its own line, never broken before its check
			// character.
			text("案件码", escpos.Center, 1, 1, true)
			text(t.CaseCode, escpos.Center, 1, 1, true)
		}
		text("扫码查询办理进度", escpos.Center, 1, 1, false)
	}
	if t.Footer != "" {
		rule()
		text(t.Footer, escpos.Center, 1, 1, false)
	}
	feed(2)
	out = append(out, line{kind: kindCut})
	return out
}

// Text renders t as plain text for a paper of cols half-width columns (48
// on 80 mm, 32 on 58 mm; see Profile.Columns), for logs and tests. Large
// characters are shown at normal size but centred as the printer centres
// them; the QR block shows its payload.
func (t Ticket) Text(cols int) string {
	var b strings.Builder
	for _, l := range t.lines(cols) {
		switch l.kind {
		case kindText:
			pad := 0
			w := typeface.Width(l.text) * l.w
			switch l.align {
			case escpos.Center:
				pad = (cols - w) / 2
			case escpos.Right:
				pad = cols - w
			}
			b.WriteString(strings.Repeat(" ", max(pad, 0)))
			b.WriteString(l.text)
			b.WriteByte('\n')
		case kindRule:
			b.WriteString(strings.Repeat("-", cols))
			b.WriteByte('\n')
		case kindQR:
			for _, s := range wrap("[QR "+l.text+"]", cols) {
				b.WriteString(strings.Repeat(" ", max((cols-len(s))/2, 0)))
				b.WriteString(s)
				b.WriteByte('\n')
			}
		case kindFeed:
			b.WriteString(strings.Repeat("\n", l.n))
		case kindCut:
			b.WriteString(strings.Repeat("~", cols))
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// clean makes s safe to print: control characters become spaces and
// invalid UTF-8 becomes '?', so no caller string can smuggle in a command.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == utf8.RuneError:
			return '?'
		case r < 0x20, r == 0x7F, r >= 0x80 && r < 0xA0:
			return ' '
		}
		return r
	}, strings.TrimSpace(s))
}

// wrap breaks s into lines of at most cols half-width columns. It breaks
// ASCII text at a space when it can and never starts a line with Chinese
// closing punctuation.
func wrap(s string, cols int) []string {
	if cols < 2 {
		cols = 2
	}
	var out []string
	for s != "" {
		if typeface.Width(s) <= cols {
			out = append(out, s)
			break
		}
		w, cut := 0, 0
		for i, r := range s {
			if w+typeface.Columns(r) > cols {
				cut = i
				break
			}
			w += typeface.Columns(r)
		}
		// Prefer a space in the second half of the line.
		if sp := strings.LastIndexByte(s[:cut], ' '); sp > cut/2 {
			cut = sp + 1
		}
		// Keep closing punctuation with the text before it.
		for cut > 0 {
			r, _ := utf8.DecodeRuneInString(s[cut:])
			if !strings.ContainsRune("，。、：；！？）」』】》,.:;!?)", r) {
				break
			}
			_, size := utf8.DecodeLastRuneInString(s[:cut])
			cut -= size
		}
		if cut == 0 {
			_, cut = utf8.DecodeRuneInString(s)
		}
		out = append(out, strings.TrimRight(s[:cut], " "))
		s = strings.TrimLeft(s[cut:], " ")
	}
	return out
}
