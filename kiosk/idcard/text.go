package idcard

import (
	"strings"
	"unicode/utf16"
)

// The text block: 256 bytes of UCS-2 little-endian, fields padded with
// spaces (docs/idcard-protocol.md, "The 256-byte text block" and "Card
// types"). Offsets are in bytes.
const (
	typeOffset = 248  // card type: ' ', 'J', 'I' or 'Y', then 0x00
	permanent  = "长期" // valid-to of a card that never expires
)

// decodeField decodes a UCS-2 little-endian field and trims its padding:
// trailing spaces and NULs only, as names of minority and foreign holders
// contain inner spaces and middle dots. An odd last byte is ignored;
// unpaired surrogates become U+FFFD.
func decodeField(b []byte) string {
	return strings.TrimRight(decodeRaw(b), " \x00")
}

// ParseText parses the 256-byte text block of any card type into an
// Identity and validates it: every date a date, the sex and nation codes
// known, the ID number's check character, region and birth date (see
// ValidateIDNumber) consistent with the birth and sex fields. The photo is
// not part of the text. It returns a *FieldError (errors.Is ErrInvalid) for
// a text that does not parse — a damaged read, or a card type it does not
// know.
//
// The 2017 foreign card's 15-character permit number is checked for its
// form (3 letters, 12 digits) only: its check digit is not documented here.
func ParseText(text []byte) (*Identity, error) {
	if len(text) != TextLen {
		return nil, fieldErr("text", "must be %d bytes, not %d", TextLen, len(text))
	}
	f := func(off, n int) string { return decodeField(text[off : off+n]) }
	var id *Identity
	var err error
	switch t := CardType(text[typeOffset]); t {
	case CardResident, 0x00: // 0x00: a reserved area not padded with spaces
		id, err = parseResident(f, CardResident)
	case CardHKMacauTaiwan:
		id, err = parseResident(f, CardHKMacauTaiwan)
	case CardForeign2017:
		id, err = parseForeign2017(f)
	case CardForeign2023:
		id, err = parseForeign2023(text, f)
	default:
		return nil, fieldErr("card type", "unknown card type byte %02X", byte(t))
	}
	if err != nil {
		return nil, err
	}
	return id, nil
}

type fieldFunc func(off, n int) string

// parseResident parses a resident card, or a residence permit ('J'), which
// has the same layout with the nation reserved and a pass number and issue
// count after the validity.
func parseResident(f fieldFunc, t CardType) (*Identity, error) {
	id := &Identity{
		Type:      t,
		Name:      f(0, 30),
		Address:   f(52, 70),
		Number:    f(122, 36),
		Authority: f(158, 30),
	}
	var err error
	if id.Sex, err = parseSex(f(30, 2)); err != nil {
		return nil, err
	}
	if t == CardResident {
		if id.Nation, err = parseNation(f(32, 4)); err != nil {
			return nil, err
		}
	} else {
		id.PassNumber = f(220, 18)
		if id.IssueCount, err = parseCount("issue count", f(238, 4)); err != nil {
			return nil, err
		}
	}
	if err := parseDates(id, f(36, 16), f(188, 16), f(204, 16)); err != nil {
		return nil, err
	}
	if id.Name == "" {
		return nil, fieldErr("name", "is empty")
	}
	if err := checkNumber(id); err != nil {
		return nil, err
	}
	return id, nil
}

// parseForeign2017 parses the 2017 foreign permanent resident card ('I').
func parseForeign2017(f fieldFunc) (*Identity, error) {
	id := &Identity{
		Type:        CardForeign2017,
		EnglishName: f(0, 120),
		Number:      f(122, 30),
		Nationality: f(152, 6),
		Name:        f(158, 30),
		CardVersion: f(236, 4),
		Authority:   f(240, 8),
	}
	var err error
	if id.Sex, err = parseSex(f(120, 2)); err != nil {
		return nil, err
	}
	if err := parseDates(id, f(220, 16), f(188, 16), f(204, 16)); err != nil {
		return nil, err
	}
	if id.EnglishName == "" {
		return nil, fieldErr("English name", "is empty")
	}
	if !isLetters(id.Nationality, 3) {
		return nil, fieldErr("nationality", "must be 3 letters")
	}
	if len(id.Number) != 15 || !isLetters(id.Number[:3], 3) || !isDigits(id.Number[3:]) {
		return nil, fieldErr("permit number", "must be 3 letters and 12 digits")
	}
	return id, nil
}

// parseForeign2023 parses the 2023 foreign permanent resident card ('Y').
// Bytes 220–241 are disputed between sources: characters 36–46 of the
// English name, or a pass number and issue count. Letters there are taken as
// the rest of the English name; anything else is ignored.
func parseForeign2023(text []byte, f fieldFunc) (*Identity, error) {
	id := &Identity{
		Type:           CardForeign2023,
		Name:           f(0, 30),
		Number:         f(122, 36),
		Nationality:    f(242, 6),
		PreviousNumber: f(250, 6),
	}
	var err error
	if id.Sex, err = parseSex(f(30, 2)); err != nil {
		return nil, err
	}
	if id.IssueCount, err = parseCount("renewal count", f(32, 4)); err != nil {
		return nil, err
	}
	// The English name may run on at 220: join the raw fields, then trim.
	first := decodeRaw(text[52:122])
	rest := decodeRaw(text[220:242])
	if isNameText(strings.TrimRight(rest, " \x00")) {
		id.EnglishName = strings.TrimRight(first+rest, " \x00")
	} else {
		id.EnglishName = strings.TrimRight(first, " \x00")
	}
	if err := parseDates(id, f(36, 16), f(188, 16), f(204, 16)); err != nil {
		return nil, err
	}
	if id.Name == "" && id.EnglishName == "" {
		return nil, fieldErr("name", "is empty")
	}
	if !isLetters(id.Nationality, 3) {
		return nil, fieldErr("nationality", "must be 3 letters")
	}
	if err := checkNumber(id); err != nil {
		return nil, err
	}
	return id, nil
}

// decodeRaw decodes UCS-2 little-endian without trimming.
func decodeRaw(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return string(utf16.Decode(u))
}

// checkNumber validates an 18-character ID number against the card type,
// the birth date and the sex.
func checkNumber(id *Identity) error {
	if err := ValidateIDNumber(id.Number); err != nil {
		return err
	}
	n := id.Number
	switch id.Type {
	case CardResident:
		if n[0] == '8' || n[0] == '9' {
			return fieldErr("ID number", "region code is not one of a resident card")
		}
	case CardHKMacauTaiwan:
		if r := n[:6]; r != "810000" && r != "820000" && r != "830000" {
			return fieldErr("ID number", "a residence permit's number must begin with 810000, 820000 or 830000")
		}
	case CardForeign2023:
		if n[0] != '9' {
			return fieldErr("ID number", "a 2023 foreign card's number must begin with 9")
		}
	}
	if n[6:14] != id.Birth.Format("20060102") {
		return fieldErr("ID number", "birth date digits differ from the birth date field")
	}
	odd := (n[16]-'0')%2 == 1
	if (id.Sex == SexMale && !odd) || (id.Sex == SexFemale && odd) {
		return fieldErr("ID number", "digit 17 does not match the sex field")
	}
	return nil
}

func parseSex(s string) (Sex, error) {
	switch s {
	case "0":
		return SexUnknown, nil
	case "1":
		return SexMale, nil
	case "2":
		return SexFemale, nil
	case "9":
		return SexUnspecified, nil
	}
	return 0, fieldErr("sex", "code is not 0, 1, 2 or 9")
}

func parseNation(s string) (Nation, error) {
	if len(s) != 2 || !isDigits(s) {
		return 0, fieldErr("nation", "code is not two digits")
	}
	n := Nation((s[0]-'0')*10 + s[1] - '0')
	if n.Name() == "" {
		return 0, fieldErr("nation", "code %s is not in GB 3304", s)
	}
	return n, nil
}

func parseCount(field, s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	if len(s) > 2 || !isDigits(s) {
		return 0, fieldErr(field, "is not a number")
	}
	n := 0
	for _, c := range []byte(s) {
		n = n*10 + int(c-'0')
	}
	return n, nil
}

// parseDates fills Birth, ValidFrom and ValidTo ("长期": zero).
func parseDates(id *Identity, birth, from, to string) error {
	var err error
	if id.Birth, err = parseDate(birth); err != nil {
		return fieldErr("birth date", "is not a date")
	}
	if id.ValidFrom, err = parseDate(from); err != nil {
		return fieldErr("valid from", "is not a date")
	}
	if to != permanent {
		if id.ValidTo, err = parseDate(to); err != nil {
			return fieldErr("valid to", "is neither a date nor 长期")
		}
		if id.ValidTo.Before(id.ValidFrom) {
			return fieldErr("valid to", "is before valid from")
		}
	}
	if id.ValidFrom.Before(id.Birth) {
		return fieldErr("valid from", "is before the birth date")
	}
	return nil
}

func isDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func isLetters(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range []byte(s) {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}

// isNameText reports whether s looks like part of an English name: capital
// letters, spaces and the punctuation names carry.
func isNameText(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case c >= 'A' && c <= 'Z', c == ' ', c == ',', c == '.', c == '-', c == '\'':
		default:
			return false
		}
	}
	return true
}
