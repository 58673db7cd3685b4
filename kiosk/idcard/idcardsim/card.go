package idcardsim

import (
	"fmt"
	"time"
	"unicode/utf16"

	"yiting/kiosk/idcard"
)

// Card is a synthetic card the simulator can hold.
type Card struct {
	// Label names the card in tests and demo menus: "resident", "elderly"…
	Label string
	// Identity is what the card says; EncodeText lays it out. Its
	// NewestAddress, if any, is answered to 30 03.
	Identity idcard.Identity
	// Text, when not nil, is sent instead of EncodeText(Identity): a damaged
	// or unusual text block for tests.
	Text []byte
	// FingerprintLen is how many bytes of (synthetic) fingerprint data a
	// read with fingerprint (30 10) returns: 0, 512 or 1024.
	FingerprintLen int
}

// text returns the card's text block.
func (c *Card) text() ([]byte, error) {
	if c.Text != nil {
		return c.Text, nil
	}
	return EncodeText(c.Identity)
}

// textBlock is a 256-byte text block under construction.
type textBlock struct {
	b   []byte
	err error
}

func newTextBlock() *textBlock {
	b := make([]byte, idcard.TextLen)
	for i := 0; i < len(b); i += 2 {
		b[i], b[i+1] = ' ', 0 // padding is UCS-2 spaces
	}
	return &textBlock{b: b}
}

// put writes s as UCS-2 little-endian at off, in a field of n bytes.
func (t *textBlock) put(name string, off, n int, s string) {
	if t.err != nil {
		return
	}
	u := utf16.Encode([]rune(s))
	if 2*len(u) > n {
		t.err = fmt.Errorf("idcardsim: %s: %d characters do not fit in %d bytes", name, len(u), n)
		return
	}
	for i, c := range u {
		t.b[off+2*i], t.b[off+2*i+1] = byte(c), byte(c>>8)
	}
}

func (t *textBlock) date(name string, off int, d time.Time) {
	t.put(name, off, 16, d.In(idcard.ChinaTime()).Format("20060102"))
}

func (t *textBlock) validTo(off int, d time.Time) {
	if d.IsZero() {
		t.put("valid to", off, 16, "长期")
		return
	}
	t.date("valid to", off, d)
}

// EncodeText lays an identity out as the 256-byte text block of its card
// type, following docs/idcard-protocol.md independently of the driver's
// parser (the two are tested against each other).
func EncodeText(id idcard.Identity) ([]byte, error) {
	t := newTextBlock()
	switch id.Type {
	case idcard.CardResident, idcard.CardHKMacauTaiwan:
		t.put("name", 0, 30, id.Name)
		t.put("sex", 30, 2, id.Sex.Code())
		if id.Type == idcard.CardResident {
			t.put("nation", 32, 4, id.Nation.Code())
		}
		t.date("birth", 36, id.Birth)
		t.put("address", 52, 70, id.Address)
		t.put("number", 122, 36, id.Number)
		t.put("authority", 158, 30, id.Authority)
		t.date("valid from", 188, id.ValidFrom)
		t.validTo(204, id.ValidTo)
		if id.Type == idcard.CardHKMacauTaiwan {
			t.put("pass number", 220, 18, id.PassNumber)
			t.put("issue count", 238, 4, fmt.Sprintf("%02d", id.IssueCount))
			t.put("type", 248, 2, "J")
		}
	case idcard.CardForeign2017:
		t.put("English name", 0, 120, id.EnglishName)
		t.put("sex", 120, 2, id.Sex.Code())
		t.put("number", 122, 30, id.Number)
		t.put("nationality", 152, 6, id.Nationality)
		t.put("name", 158, 30, id.Name)
		t.date("valid from", 188, id.ValidFrom)
		t.validTo(204, id.ValidTo)
		t.date("birth", 220, id.Birth)
		t.put("card version", 236, 4, id.CardVersion)
		t.put("authority", 240, 8, id.Authority)
		t.put("type", 248, 2, "I")
	case idcard.CardForeign2023:
		t.put("name", 0, 30, id.Name)
		t.put("sex", 30, 2, id.Sex.Code())
		t.put("renewal count", 32, 4, fmt.Sprintf("%02d", id.IssueCount))
		t.date("birth", 36, id.Birth)
		// English name: characters 1–35 at 52, 36–46 at 220.
		en := []rune(id.EnglishName)
		if len(en) > 35 {
			t.put("English name", 52, 70, string(en[:35]))
			t.put("English name (continued)", 220, 22, string(en[35:]))
		} else {
			t.put("English name", 52, 70, id.EnglishName)
		}
		t.put("number", 122, 36, id.Number)
		t.date("valid from", 188, id.ValidFrom)
		t.validTo(204, id.ValidTo)
		t.put("nationality", 242, 6, id.Nationality)
		t.put("type", 248, 2, "Y")
		t.put("previous number", 250, 6, id.PreviousNumber)
	default:
		return nil, fmt.Errorf("idcardsim: unknown card type %v", id.Type)
	}
	if t.err != nil {
		return nil, t.err
	}
	return t.b, nil
}

// photo returns a synthetic 1024-byte WLT blob: the header captured WLT
// data starts with, then a pattern. It decodes to nothing.
func photo() []byte {
	p := make([]byte, 1024)
	copy(p, []byte{0x57, 0x4C, 0x66, 0x00, 0x7E, 0x00, 0x32, 0x00, 0x00, 0xFF, 0x85})
	for i := 11; i < len(p); i++ {
		p[i] = byte(i * 7)
	}
	return p
}

// fingerprint returns n bytes of synthetic fingerprint data.
func fingerprint(n int) []byte {
	f := make([]byte, n)
	for i := range f {
		f[i] = byte(i * 13)
	}
	return f
}
