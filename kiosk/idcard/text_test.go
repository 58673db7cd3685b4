package idcard_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"yiting/kiosk/idcard"
	"yiting/kiosk/idcard/idcardsim"
)

func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, idcard.ChinaTime())
}

// sameIdentity compares two identities field by field (dates with Equal).
func sameIdentity(tb testing.TB, got, want idcard.Identity) {
	tb.Helper()
	for _, d := range []struct {
		name string
		a, b time.Time
	}{{"Birth", got.Birth, want.Birth}, {"ValidFrom", got.ValidFrom, want.ValidFrom}, {"ValidTo", got.ValidTo, want.ValidTo}} {
		if !d.a.Equal(d.b) {
			tb.Errorf("%s = %v, want %v", d.name, d.a, d.b)
		}
	}
	got.Birth, got.ValidFrom, got.ValidTo = time.Time{}, time.Time{}, time.Time{}
	want.Birth, want.ValidFrom, want.ValidTo = time.Time{}, time.Time{}, time.Time{}
	// Compare whole fields: %v would mask them.
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		tb.Errorf("identity\n got %s\nwant %s", g, w)
	}
}

func TestParseTextAllCards(t *testing.T) {
	types := map[idcard.CardType]bool{}
	for _, c := range idcardsim.Cards() {
		t.Run(c.Label, func(t *testing.T) {
			text, err := idcardsim.EncodeText(c.Identity)
			if err != nil {
				t.Fatal(err)
			}
			if len(text) != 256 {
				t.Fatalf("text of %d bytes", len(text))
			}
			id, err := idcard.ParseText(text)
			if err != nil {
				t.Fatal(err)
			}
			sameIdentity(t, *id, c.Identity)
			types[id.Type] = true
		})
	}
	for _, typ := range []idcard.CardType{idcard.CardResident, idcard.CardHKMacauTaiwan, idcard.CardForeign2017, idcard.CardForeign2023} {
		if !types[typ] {
			t.Errorf("no ready card of type %q", typ)
		}
	}
}

// textBuilder lays out a text block by the doc's offsets, by hand.
type textBuilder []byte

func newText() textBuilder {
	b := make(textBuilder, 256)
	for i := 0; i < 256; i += 2 {
		b[i] = 0x20
	}
	return b
}

func (b textBuilder) put(off int, s string) textBuilder {
	for i, u := range utf16.Encode([]rune(s)) {
		b[off+2*i], b[off+2*i+1] = byte(u), byte(u>>8)
	}
	return b
}

func residentText() textBuilder {
	return newText().
		put(0, "测试 明·小").put(30, "1").put(32, "01").put(36, "19560302").
		put(52, "湖北省咸宁市通山县  测试路").put(122, "421224195603021235").put(158, "通山县公安局").
		put(188, "20100101").put(204, "长期")
}

func TestParseTextByHand(t *testing.T) {
	b := residentText()
	// "长期" is 7F 95 1F 67 on the card.
	if !bytes.Equal(b[204:208], []byte{0x7F, 0x95, 0x1F, 0x67}) {
		t.Fatalf("长期 encodes as % X", b[204:208])
	}
	id, err := idcard.ParseText(b)
	if err != nil {
		t.Fatal(err)
	}
	if id.Type != idcard.CardResident || id.Name != "测试 明·小" || id.Sex != idcard.SexMale || id.Sex.String() != "男" ||
		id.Nation != 1 || id.Nation.String() != "汉" || id.Nation.Code() != "01" ||
		id.Address != "湖北省咸宁市通山县  测试路" || id.Number != "421224195603021235" || id.Authority != "通山县公安局" {
		t.Errorf("parsed %s", mustJSON(id))
	}
	if !id.Birth.Equal(day(1956, 3, 2)) || !id.ValidFrom.Equal(day(2010, 1, 1)) || !id.Permanent() {
		t.Errorf("dates %v %v %v", id.Birth, id.ValidFrom, id.ValidTo)
	}
}

// TestTrimOnlyPadding: inner and leading spaces and middle dots stay;
// trailing spaces (padding) and NULs go.
func TestTrimOnlyPadding(t *testing.T) {
	b := residentText()
	b.put(0, " 阿依 古丽·测试") // leading space, inner space, middle dot
	for i := 18; i < 30; i++ {
		b[i] = 0 // NUL padding instead of spaces
	}
	id, err := idcard.ParseText(b)
	if err != nil {
		t.Fatal(err)
	}
	if id.Name != " 阿依 古丽·测试" {
		t.Errorf("name %q", id.Name)
	}
}

func TestParseTextForeignByHand(t *testing.T) {
	// 2017 ('I'): English name at 0, permit number at 122, birth at 220.
	b := newText().put(0, "TESTER, ANNE").put(120, "2").put(122, "USA310079010102").put(152, "USA").
		put(158, "安妮").put(188, "20190101").put(204, "20290101").put(220, "19790101").put(236, "01").
		put(240, "3100").put(248, "I")
	id, err := idcard.ParseText(b)
	if err != nil {
		t.Fatal(err)
	}
	if id.Type != idcard.CardForeign2017 || id.EnglishName != "TESTER, ANNE" || id.Name != "安妮" || id.Sex != idcard.SexFemale ||
		id.Number != "USA310079010102" || id.Nationality != "USA" || id.CardVersion != "01" || id.Authority != "3100" ||
		!id.Birth.Equal(day(1979, 1, 1)) || !id.ValidTo.Equal(day(2029, 1, 1)) {
		t.Errorf("parsed %s", mustJSON(id))
	}
	// 2023 ('Y'): the doc's sample number, an English name of 35
	// characters continued at 220, nationality at 242.
	b = newText().put(0, "测试").put(30, "2").put(32, "01").put(36, "19810803").
		put(52, "TESTERSON-EXAMPLE, MARGARET ELEANOR").put(122, "911124198108030024").
		put(188, "20240101").put(204, "20340101").put(220, " ROSE").put(242, "CAN").put(248, "Y")
	id, err = idcard.ParseText(b)
	if err != nil {
		t.Fatal(err)
	}
	if id.Type != idcard.CardForeign2023 || id.EnglishName != "TESTERSON-EXAMPLE, MARGARET ELEANOR ROSE" ||
		id.IssueCount != 1 || id.Nationality != "CAN" || id.Number != "911124198108030024" {
		t.Errorf("parsed %s", mustJSON(id))
	}
	// The disputed bytes 220–241 holding a pass number instead: not a name.
	b.put(220, "P1234567 01")
	if id, err = idcard.ParseText(b); err != nil || id.EnglishName != "TESTERSON-EXAMPLE, MARGARET ELEANOR" {
		t.Errorf("with digits at 220: %v, English name %q", err, id.EnglishName)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestParseTextRejects(t *testing.T) {
	hk, _ := idcardsim.CardByLabel(idcardsim.LabelHKPermit)
	f23, _ := idcardsim.CardByLabel(idcardsim.LabelForeign2023)
	hkText, _ := idcardsim.EncodeText(hk.Identity)
	f23Text, _ := idcardsim.EncodeText(f23.Identity)
	for _, tc := range []struct {
		name string
		text []byte
	}{
		{"short", residentText()[:254]},
		{"unknown type", residentText().put(248, "Q")},
		{"bad check character", residentText().put(122, "421224195603021234")},
		{"birth field differs from number", residentText().put(36, "19560303")},
		{"sex differs from digit 17", residentText().put(30, "2")},
		{"sex code", residentText().put(30, "5")},
		{"nation 57 (a typo in public code)", residentText().put(32, "57")},
		{"birth not a date", residentText().put(36, "19560230")},
		{"valid to neither date nor 长期", residentText().put(204, "永久")},
		{"valid to before valid from", residentText().put(204, "20000101")},
		{"empty name", residentText().put(0, "               ")},
		{"resident card with a permit's number", residentText().put(122, "810000195603021235")},
		{"permit with a resident number", textBuilder(bytes.Clone(hkText)).put(122, "421224199211300057")},
		{"2023 card with a resident number", textBuilder(bytes.Clone(f23Text)).put(122, "421224197904210047")},
		{"2017 permit number form", newText().put(0, "A").put(120, "1").put(122, "CA1110085061501").put(152, "CAN").
			put(188, "20190101").put(204, "20290101").put(220, "19850615").put(248, "I")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := idcard.ParseText(tc.text)
			if err == nil {
				t.Fatalf("accepted: %v", id)
			}
			t.Log(err)
			var fe *idcard.FieldError
			if !errors.Is(err, idcard.ErrInvalid) || !errors.As(err, &fe) {
				t.Errorf("error %v is not a *FieldError", err)
			}
		})
	}
}

func TestExpiredAndAge(t *testing.T) {
	cards := map[string]idcard.Identity{}
	for _, c := range idcardsim.Cards() {
		cards[c.Label] = c.Identity
	}
	now := time.Date(2026, 6, 1, 10, 0, 0, 0, idcard.ChinaTime())
	for label, want := range map[string]bool{
		idcardsim.LabelResident: false, idcardsim.LabelElderly: false, idcardsim.LabelExpired: true,
		idcardsim.LabelHKPermit: false, idcardsim.LabelForeign2017: false, idcardsim.LabelForeign2023: false,
	} {
		id := cards[label]
		if got := id.Expired(now); got != want {
			t.Errorf("%s: Expired = %v, want %v", label, got, want)
		}
	}
	exp := cards[idcardsim.LabelExpired] // valid to 2020-05-01
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{
		{time.Date(2020, 5, 1, 23, 59, 0, 0, idcard.ChinaTime()), false}, // the last day is valid
		{time.Date(2020, 5, 2, 0, 0, 0, 0, idcard.ChinaTime()), true},
		{time.Date(2020, 5, 1, 15, 59, 0, 0, time.UTC), false}, // 23:59 in Beijing
		{time.Date(2020, 5, 1, 16, 0, 0, 0, time.UTC), true},   // 00:00 on 2 May in Beijing
	} {
		if got := exp.Expired(tc.at); got != tc.want {
			t.Errorf("Expired(%v) = %v, want %v", tc.at, got, tc.want)
		}
	}
	if age := cards[idcardsim.LabelElderly].Age(now); age < 70 {
		t.Errorf("elderly card: age %d at %v, want 70+", age, now)
	}
	born := idcard.Identity{Birth: day(1956, 2, 29)}
	for _, tc := range []struct {
		at   time.Time
		want int
	}{
		{day(2026, 2, 28), 69},
		{day(2026, 3, 1), 70},
		{day(2028, 2, 29), 72},
		{day(1950, 1, 1), 0},
	} {
		if got := born.Age(tc.at); got != tc.want {
			t.Errorf("Age(%v) = %d, want %d", tc.at.Format(time.DateOnly), got, tc.want)
		}
	}
}

func TestMasks(t *testing.T) {
	for _, tc := range []struct {
		f        func(string) string
		in, want string
	}{
		{idcard.MaskID, "421224198506150012", "421224********0012"},
		{idcard.MaskID, "CAN110085061501", "CAN110*****1501"},
		{idcard.MaskID, "1234567890", "**********"},
		{idcard.MaskName, "王小明", "王*明"},
		{idcard.MaskName, "张三", "张*"},
		{idcard.MaskName, "阿依古丽·测试", "阿*****试"},
		{idcard.MaskName, "王", "*"},
		{idcard.MaskName, "", ""},
		{idcard.MaskAddress, "湖北省咸宁市通山县通羊镇测试路1号", "湖北省咸宁市****"},
		{idcard.MaskAddress, "北京市", "北****"},
		{idcard.MaskAddress, "", ""},
	} {
		if got := tc.f(tc.in); got != tc.want {
			t.Errorf("mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestIdentityNeverPrintsWhole: every way of printing or logging an
// Identity (or an Event carrying one) shows neither the whole ID number,
// nor the whole name, nor the whole address.
func TestIdentityNeverPrintsWhole(t *testing.T) {
	c, _ := idcardsim.CardByLabel(idcardsim.LabelResident)
	id := c.Identity
	secrets := []string{id.Number, id.Name, id.Address, id.Number[6:14]}
	var outputs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		outputs = append(outputs, fmt.Sprintf(verb, id), fmt.Sprintf(verb, &id))
	}
	ev := idcard.Event{Kind: idcard.EventCard, Identity: &id}
	outputs = append(outputs, fmt.Sprint(ev), fmt.Sprintf("%+v", ev), fmt.Sprintf("%#v", ev), fmt.Sprint([]idcard.Identity{id}))
	var logs bytes.Buffer
	for _, h := range []slog.Handler{slog.NewTextHandler(&logs, nil), slog.NewJSONHandler(&logs, nil)} {
		l := slog.New(h)
		l.Info("card", "id", id, "ptr", &id, "event", ev)
	}
	outputs = append(outputs, logs.String())
	for _, out := range outputs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("output shows %q whole: %s", s, out)
			}
		}
	}
	s := id.String()
	for _, want := range []string{"居民身份证", "王*明", "421224********0012", "湖北省咸宁市****", "男", "汉"} {
		if !strings.Contains(s, want) {
			t.Errorf("String() = %q, lacks %q", s, want)
		}
	}
}
