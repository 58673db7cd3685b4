package cases

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Calendar knows which days are working days (工作日). China's public
// holidays move every year and come with make-up working days (调休) on
// weekends, announced each autumn by the State Council's General Office;
// so the calendar is data: one file per year (see ParseHolidayFile). A
// year with no file counts Monday to Friday as working days and says so
// (Known, Warnings).
//
// A Calendar is read-only after it is built and safe for concurrent use.
type Calendar struct {
	years map[int]*year
}

type year struct {
	holidays map[Date]bool
	workdays map[Date]bool
	source   string // the file it came from
	// through[i] counts the working days from 1 January to the year's
	// i-th day (0-based) inclusive: WorkdaysBetween in constant time.
	through []uint16
}

// NewCalendar returns a calendar of weekends only; add years with AddYear.
func NewCalendar() *Calendar { return &Calendar{years: map[int]*year{}} }

// AddYear sets the holidays and make-up working days of one year,
// replacing what the calendar had for it. Every date must be in that
// year; a make-up working day must fall on a Saturday or Sunday; no day
// may be both.
func (c *Calendar) AddYear(y int, holidays, workdays []Date, source string) error {
	yd := &year{holidays: map[Date]bool{}, workdays: map[Date]bool{}, source: source}
	for _, d := range holidays {
		if d.Year() != y {
			return fmt.Errorf("cases: calendar %d: holiday %s is not in %d", y, d, y)
		}
		yd.holidays[d] = true
	}
	for _, d := range workdays {
		switch {
		case d.Year() != y:
			return fmt.Errorf("cases: calendar %d: working day %s is not in %d", y, d, y)
		case yd.holidays[d]:
			return fmt.Errorf("cases: calendar %d: %s is listed both as a holiday and as a working day", y, d)
		case d.Weekday() != time.Saturday && d.Weekday() != time.Sunday:
			return fmt.Errorf("cases: calendar %d: make-up working day %s is a %s, which is a working day anyway (a typo?)", y, d, d.Weekday())
		}
		yd.workdays[d] = true
	}
	jan1 := MakeDate(y, time.January, 1)
	n := 0
	for d := jan1; d.Year() == y; d++ {
		if yd.workday(d) {
			n++
		}
		yd.through = append(yd.through, uint16(n))
	}
	c.years[y] = yd
	return nil
}

// With returns a copy of the calendar with year y's holidays and make-up
// working days replaced by hf's (as AddYear checks them); c is unchanged.
func (c *Calendar) With(y int, hf *HolidayFile, source string) (*Calendar, error) {
	n := &Calendar{years: make(map[int]*year, len(c.years)+1)}
	for k, v := range c.years {
		n.years[k] = v // read-only once built: shared
	}
	if err := n.AddYear(y, hf.Holidays, hf.Workdays, source); err != nil {
		return nil, err
	}
	return n, nil
}

func (yd *year) workday(d Date) bool {
	switch {
	case yd.workdays[d]:
		return true
	case yd.holidays[d]:
		return false
	}
	return weekday(d)
}

func weekday(d Date) bool {
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// through counts the working days from 1 January of d's year to d
// inclusive.
func (c *Calendar) through(d Date) int {
	y := d.Year()
	jan1 := MakeDate(y, time.January, 1)
	if yd := c.years[y]; yd != nil {
		return int(yd.through[d-jan1])
	}
	// Monday to Friday: whole weeks, then the days left.
	days := int(d-jan1) + 1
	n := days / 7 * 5
	for x := jan1 + Date(days/7*7); x <= d; x++ {
		if weekday(x) {
			n++
		}
	}
	return n
}

// Workday reports whether d is a working day: a make-up working day, or
// Monday to Friday and not a holiday.
func (c *Calendar) Workday(d Date) bool {
	if yd := c.years[d.Year()]; yd != nil {
		return yd.workday(d)
	}
	return weekday(d)
}

// Known reports whether the calendar has the holidays of year y. Without
// them, working days are counted as Monday to Friday.
func (c *Calendar) Known(y int) bool { return c.years[y] != nil }

// Years lists the years the calendar knows, in order.
func (c *Calendar) Years() []int {
	ys := make([]int, 0, len(c.years))
	for y := range c.years {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	return ys
}

// Source names the file year y's holidays came from ("" if none).
func (c *Calendar) Source(y int) string {
	if yd := c.years[y]; yd != nil {
		return yd.source
	}
	return ""
}

// Warnings says, in Chinese for the dashboard, which of the years has no
// holiday file, so deadlines in it count weekends only.
func (c *Calendar) Warnings(years ...int) []string {
	var out []string
	seen := map[int]bool{}
	for _, y := range years {
		if seen[y] || c.Known(y) {
			continue
		}
		seen[y] = true
		out = append(out, fmt.Sprintf("缺少%d年节假日安排文件（holidays/%d.toml），该年期限仅按周末计算，请管理员补充 (no holiday file for %d: weekends only)", y, y, y))
	}
	return out
}

// Due is the last day of a time limit of span s that starts on day from,
// by the Civil Code: the first day is not counted (Art. 201); working days
// are counted one by one from the next day; a limit in calendar days whose
// last day is not a working day (a holiday or a weekend) ends on the next
// working day (Art. 203). A zero span has no due day (0).
func (c *Calendar) Due(from Date, s Span) Date {
	if s.Days <= 0 || from == 0 {
		return 0
	}
	d := from
	if s.Working {
		for n := 0; n < s.Days; {
			d++
			if c.Workday(d) {
				n++
			}
		}
		return d
	}
	d = from.AddDays(s.Days)
	return c.NextWorkday(d)
}

// NextWorkday is d if it is a working day, else the first working day
// after it. Holiday runs are short; a month of holidays would be a broken
// file, and the search stops there.
func (c *Calendar) NextWorkday(d Date) Date {
	for i := 0; i < 31 && !c.Workday(d); i++ {
		d++
	}
	return d
}

// WorkdaysBetween counts the working days after from up to and including
// to (0 when to is not after from).
func (c *Calendar) WorkdaysBetween(from, to Date) int {
	if to <= from {
		return 0
	}
	n := c.through(to) - c.through(from)
	for y := from.Year(); y < to.Year(); y++ { // the working days of the years between
		n += c.through(MakeDate(y, time.December, 31))
	}
	return n
}

//go:embed holidays/*.toml
var defaultHolidays embed.FS

// DefaultHolidays is the holiday files built into the program
// (holidays/2025.toml, holidays/2026.toml): pass it first to LoadCalendar,
// then the directory an installer updates (/etc/yiting/holidays), then the
// one where the files an admin sends on /admin are kept (HolidayFiles).
func DefaultHolidays() fs.FS {
	sub, err := fs.Sub(defaultHolidays, "holidays")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	return sub
}

// LoadCalendar reads the holiday files YYYY.toml at the top of each file
// system; a year's file in a later one replaces the earlier one's. A file
// system that does not exist (an admin who never created the directory)
// is skipped. A broken file is an error naming it: deadlines must not be
// computed from a half-read calendar.
func LoadCalendar(fsyss ...fs.FS) (*Calendar, error) {
	c := NewCalendar()
	for _, fsys := range fsyss {
		if fsys == nil {
			continue
		}
		entries, err := fs.ReadDir(fsys, ".")
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("cases: holiday files: %w", err)
		}
		for _, e := range entries {
			name := e.Name()
			stem, ok := strings.CutSuffix(name, ".toml")
			if !ok || e.IsDir() {
				continue
			}
			y, err := strconv.Atoi(stem)
			if err != nil || y < 2000 || y > 2199 || len(stem) != 4 {
				return nil, fmt.Errorf("cases: holiday file %s: the name must be the year, e.g. 2027.toml", name)
			}
			b, err := fs.ReadFile(fsys, name)
			if err != nil {
				return nil, fmt.Errorf("cases: holiday file %s: %w", name, err)
			}
			hf, err := ParseHolidayFile(name, b)
			if err != nil {
				return nil, err
			}
			if err := c.AddYear(y, hf.Holidays, hf.Workdays, name); err != nil {
				return nil, fmt.Errorf("%w (file %s)", err, name)
			}
		}
	}
	return c, nil
}
