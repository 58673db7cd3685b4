package cases

import (
	"fmt"
	"strings"
	"time"

	"yiting/queue"
)

// A case code (一件一码) is read aloud over the phone and typed by clerks,
// so it is digits in three groups a person can hold in mind, and a check
// character:
//
//	421224-20261126-0007-X
//	region  day      seq  check
//
// region is the hall's division code: the county's 6 digits (GB/T 2260),
// or a township's 9 (the county's and the township's 3, GB/T 10114), so
// that the codes of the county network's sites never meet (issue 14):
//
//	421224101-20261126-0007-5
//
// day is the day of registration, seq the registration's number that day
// in this hall. The check character is ISO 7064 MOD 11-2 over the digits
// (18 or 21) — the scheme of
// the ID card number (GB 11643), so "X" is already familiar. MOD 11-2
// catches every single mistyped digit and every swap of two neighbours
// (the weights are powers of 2 mod 11: no weight and no difference of
// neighbouring weights is 0 mod 11).
//
// The code is not a secret: it is said aloud and printed. The public
// inquiry page is reached by an unguessable token instead (token.go).

// Code is a parsed case code.
type Code struct {
	Region string // 6 or 9 digits
	Day    Date
	Seq    int // 1..9999
}

// MaxSeq is the most cases one hall registers in a day (the code has four
// digits for it; the busiest centre of docs/domain.md does 600 a day).
const MaxSeq = 9999

// String formats the code with its check character.
func (c Code) String() string {
	digits := c.digits()
	return fmt.Sprintf("%s-%s-%04d-%c", c.Region, c.Day.Compact(), c.Seq, checkChar(digits))
}

func (c Code) digits() string {
	return fmt.Sprintf("%s%s%04d", c.Region, c.Day.Compact(), c.Seq)
}

// checkChar is ISO 7064 MOD 11-2: the character c such that
// Σ digit·2^(n-i+1) + c ≡ 1 (mod 11), with 10 written X.
func checkChar(digits string) byte {
	sum := 0
	for i := 0; i < len(digits); i++ {
		sum = (sum + int(digits[i]-'0')) * 2 % 11
	}
	c := (12 - sum) % 11
	if c == 10 {
		return 'X'
	}
	return byte('0' + c)
}

// ParseCode reads a case code as a person may type it: dashes and spaces
// optional, x in either case. A wrong check character is refused: a
// mistyped code must not open someone else's case.
func ParseCode(s string) (Code, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '-' || r == ' ' || r == '－' || r == '—':
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == 'x' || r == 'X':
			b.WriteByte('X')
		default:
			return Code{}, codeError("有不应出现的字符 (unexpected character %q)", r)
		}
	}
	v := b.String()
	if len(v) != 19 && len(v) != 22 {
		return Code{}, codeError("应为19位或22位，如 421224-20261126-0007-X (must be 19 or 22 characters)")
	}
	digits, check := v[:len(v)-1], v[len(v)-1]
	if strings.ContainsRune(digits, 'X') {
		return Code{}, codeError("只有最后一位校验码可以是X (only the check character may be X)")
	}
	if checkChar(digits) != check {
		return Code{}, codeError("校验码不符，请核对案件码是否抄错 (check character does not match: a digit is mistyped)")
	}
	region, rest := digits[:len(digits)-12], digits[len(digits)-12:] // rest: day and seq
	day, err := ParseDate(rest[0:4] + "-" + rest[4:6] + "-" + rest[6:8])
	if err != nil || day.Compact() != rest[:8] {
		return Code{}, codeError("日期部分不是有效日期 (the date part is not a date)")
	}
	seq := 0
	for _, c := range rest[8:] {
		seq = seq*10 + int(c-'0')
	}
	if seq == 0 {
		return Code{}, codeError("序号不能为0000 (sequence 0000)")
	}
	return Code{Region: region, Day: day, Seq: seq}, nil
}

// CodeDay is the registration day of a canonical code, read from its
// date digits without checking the rest (the check character, the
// region): for the store's own index keys.
func CodeDay(canonical string) (Date, bool) {
	// "421224-20261126-0007-5": the day is the 8 characters after the
	// region's 6 or 9.
	r := len(canonical) - 16
	if (r != 6 && r != 9) || canonical[r] != '-' || canonical[r+9] != '-' {
		return 0, false
	}
	n := 0
	for _, c := range canonical[r+1 : r+9] {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	y, m, d := n/10000, time.Month(n/100%100), n%100
	day := MakeDate(y, m, d)
	if m < 1 || m > 12 || d < 1 || day.utc().Day() != d {
		return 0, false
	}
	return day, true
}

// NormalizeCode returns the canonical form of a typed code, or the error
// of ParseCode.
func NormalizeCode(s string) (string, error) {
	c, err := ParseCode(s)
	if err != nil {
		return "", err
	}
	return c.String(), nil
}

func codeError(format string, args ...any) *queue.Error {
	return queue.Errorf(queue.EINVALID, "案件码"+format, args...)
}

// ValidRegion says whether r can begin a case code: a county's 6 digits
// or a township's 9.
func ValidRegion(r string) bool {
	if len(r) != 6 && len(r) != 9 {
		return false
	}
	for _, c := range r {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
