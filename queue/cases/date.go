package cases

import (
	"fmt"
	"time"
)

// Date is a calendar day, independent of time zones: days since
// 1970-01-01. The zero Date means "none" (no deadline); no case of this
// system is dated 1 January 1970.
type Date int32

// AllDays is the last day a Date can name: "from..AllDays" is every day
// from then on.
const AllDays = Date(1<<31 - 1)

// MakeDate returns the Date of a year, month and day. Out-of-range values
// are normalised as time.Date does (31 February is 3 March).
func MakeDate(y int, m time.Month, d int) Date {
	return Date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// DateOf returns the day t falls on in loc.
func DateOf(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return MakeDate(y, m, d)
}

// ParseDate parses "2006-01-02".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, fmt.Errorf("cases: %q is not a date like 2026-01-02", s)
	}
	return MakeDate(t.Date()), nil
}

func (d Date) utc() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// IsZero reports whether d is the zero Date (none).
func (d Date) IsZero() bool { return d == 0 }

// String formats d as "2006-01-02", and the zero Date as "".
func (d Date) String() string {
	if d == 0 {
		return ""
	}
	return d.utc().Format(time.DateOnly)
}

// Compact formats d as "20060102", as in the case code.
func (d Date) Compact() string { return d.utc().Format("20060102") }

// Year is d's year.
func (d Date) Year() int { return d.utc().Year() }

// Weekday is d's day of the week.
func (d Date) Weekday() time.Weekday { return d.utc().Weekday() }

// MonthStart is the first day of d's month.
func (d Date) MonthStart() Date {
	t := d.utc()
	return MakeDate(t.Year(), t.Month(), 1)
}

// NextMonth is the first day of the month after d's.
func (d Date) NextMonth() Date {
	t := d.utc()
	return MakeDate(t.Year(), t.Month()+1, 1)
}

// AddDays returns the day n days after d (before, for negative n).
func (d Date) AddDays(n int) Date { return d + Date(n) }

// Start is the first instant of d in loc (00:00).
func (d Date) Start(loc *time.Location) time.Time {
	y, m, day := d.utc().Date()
	return time.Date(y, m, day, 0, 0, 0, 0, loc)
}

// End is the instant d ends in loc: 24:00, the first instant of the next
// day. A deadline of day d is met by anything before End (Civil Code
// Art. 203: 期间的最后一日的截止时间为二十四时).
func (d Date) End(loc *time.Location) time.Time { return (d + 1).Start(loc) }

// MarshalText formats d as "2006-01-02" ("" for the zero Date).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses "2006-01-02"; "" is the zero Date.
func (d *Date) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*d = 0
		return nil
	}
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
