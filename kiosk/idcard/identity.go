package idcard

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// CardType is the kind of card, from byte 248 of the text block.
type CardType byte

// The card types of docs/idcard-protocol.md.
const (
	CardResident      CardType = ' ' // 居民身份证
	CardHKMacauTaiwan CardType = 'J' // 港澳台居民居住证
	CardForeign2017   CardType = 'I' // 外国人永久居留身份证, 2017 version
	CardForeign2023   CardType = 'Y' // 外国人永久居留身份证, 2023 version
)

// String returns the card's name as printed on it.
func (c CardType) String() string {
	switch c {
	case CardResident:
		return "居民身份证"
	case CardHKMacauTaiwan:
		return "港澳台居民居住证"
	case CardForeign2017:
		return "外国人永久居留身份证（2017版）"
	case CardForeign2023:
		return "外国人永久居留身份证（2023版）"
	}
	return fmt.Sprintf("未知证件(%02X)", byte(c))
}

// Foreign reports whether the card is a foreign permanent resident card.
func (c CardType) Foreign() bool { return c == CardForeign2017 || c == CardForeign2023 }

// Identity is what a card says about its holder, for every card type. Fields
// a card type does not carry are empty. Dates are midnight China time
// (ChinaTime).
//
// Printing an Identity with fmt (any verb) or logging it with log/slog shows
// masked forms only (MaskName, MaskID, MaskAddress), so a whole ID number
// never reaches a log. Its fields are whole: encoding it (JSON) for the hall
// server's API carries them whole.
type Identity struct {
	Type        CardType
	Name        string // Chinese name; may be empty on a 2017 foreign card
	EnglishName string // foreign cards
	Sex         Sex
	Nation      Nation // resident cards only
	Nationality string // foreign cards: three letters of GB/T 2659, e.g. "CAN"
	Birth       time.Time
	Address     string // resident cards and residence permits
	// Number is the ID number: 18 characters, or the 15-character permit
	// number of a 2017 foreign card.
	Number    string
	Authority string    // issuing authority; its code on a 2017 foreign card
	ValidFrom time.Time // first day of validity
	ValidTo   time.Time // last day of validity; zero: 长期, no expiry

	PassNumber     string // residence permits: the HK/Macau/Taiwan travel pass number
	IssueCount     int    // residence permits: times issued; 2023 foreign cards: renewals
	CardVersion    string // 2017 foreign cards
	PreviousNumber string // 2023 foreign cards: link to the previous permit number, if any
	// NewestAddress is the address appended to the card after issue (read
	// with 30 03), or "".
	NewestAddress string
}

// Permanent reports whether the card never expires (有效期限 长期).
func (id Identity) Permanent() bool { return id.ValidTo.IsZero() }

// Expired reports whether the card had expired at now: a card is valid
// through the last day of its validity, in China time.
func (id Identity) Expired(now time.Time) bool {
	if id.ValidTo.IsZero() {
		return false
	}
	return day(now).After(id.ValidTo)
}

// Age returns the holder's age in whole years at the given time (China
// time). Someone born on 29 February turns a year older on 1 March in
// common years.
func (id Identity) Age(at time.Time) int {
	if id.Birth.IsZero() {
		return 0
	}
	a := day(at)
	b := id.Birth.In(ChinaTime())
	years := a.Year() - b.Year()
	if a.Month() < b.Month() || (a.Month() == b.Month() && a.Day() < b.Day()) {
		years--
	}
	return max(years, 0)
}

// CurrentAddress returns the newest address if the card has one, else the
// address printed at issue.
func (id Identity) CurrentAddress() string {
	if id.NewestAddress != "" {
		return id.NewestAddress
	}
	return id.Address
}

// day returns midnight China time of t's day there.
func day(t time.Time) time.Time {
	t = t.In(ChinaTime())
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// MaskedName returns the name masked (MaskName): the Chinese name, or the
// English one when there is none.
func (id Identity) MaskedName() string {
	if id.Name != "" {
		return MaskName(id.Name)
	}
	return MaskName(id.EnglishName)
}

// MaskedNumber returns the ID number masked (MaskID).
func (id Identity) MaskedNumber() string { return MaskID(id.Number) }

// MaskedAddress returns the current address masked (MaskAddress).
func (id Identity) MaskedAddress() string { return MaskAddress(id.CurrentAddress()) }

// String returns a masked one-line summary:
// "居民身份证 王*明 男 汉 421224********1234 湖北省咸宁市****".
func (id Identity) String() string {
	parts := []string{id.Type.String(), id.MaskedName(), id.Sex.String()}
	if id.Nation != 0 {
		parts = append(parts, id.Nation.String())
	}
	if id.Nationality != "" {
		parts = append(parts, id.Nationality)
	}
	parts = append(parts, id.MaskedNumber())
	if a := id.MaskedAddress(); a != "" {
		parts = append(parts, a)
	}
	if id.Permanent() {
		parts = append(parts, "有效期长期")
	} else {
		parts = append(parts, "有效期至"+id.ValidTo.Format(time.DateOnly))
	}
	return strings.Join(parts, " ")
}

// Format prints the masked summary for every verb (%v, %+v, %#v, %s, %q…),
// so that no formatting of an Identity shows its fields whole.
func (id Identity) Format(f fmt.State, verb rune) {
	s := id.String()
	if verb == 'q' {
		s = strconv.Quote(s)
	}
	_, _ = f.Write([]byte(s))
}

// GoString returns the masked summary too.
func (id Identity) GoString() string { return id.String() }

// LogValue logs masked fields only.
func (id Identity) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("type", id.Type.String()),
		slog.String("name", id.MaskedName()),
		slog.String("number", id.MaskedNumber()),
		slog.String("sex", id.Sex.String()),
	)
}

var (
	_ fmt.Stringer   = Identity{}
	_ fmt.Formatter  = Identity{}
	_ fmt.GoStringer = Identity{}
	_ slog.LogValuer = Identity{}
)
