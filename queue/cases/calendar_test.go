package cases_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"yiting/queue/cases"
)

func d(y int, m time.Month, day int) cases.Date { return cases.MakeDate(y, m, day) }

func defaultCalendar(t testing.TB) *cases.Calendar {
	t.Helper()
	cal, err := cases.LoadCalendar(cases.DefaultHolidays())
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

func TestEmbeddedCalendar(t *testing.T) {
	cal := defaultCalendar(t)
	if !cal.Known(2025) || !cal.Known(2026) || cal.Known(2027) {
		t.Fatalf("years %v", cal.Years())
	}
	for _, c := range []struct {
		day  cases.Date
		work bool
	}{
		{d(2026, 1, 1), false},   // 元旦, Thursday
		{d(2026, 1, 4), true},    // Sunday, make-up working day
		{d(2026, 2, 13), true},   // Friday before 春节
		{d(2026, 2, 14), true},   // Saturday, make-up
		{d(2026, 2, 16), false},  // Monday, 春节
		{d(2026, 2, 23), false},  // Monday, 正月初七
		{d(2026, 2, 24), true},   //
		{d(2026, 2, 28), true},   // Saturday, make-up
		{d(2026, 3, 1), false},   // Sunday
		{d(2026, 9, 20), true},   // Sunday, make-up for 国庆
		{d(2026, 10, 7), false},  // 国庆
		{d(2026, 10, 10), true},  // Saturday, make-up
		{d(2025, 10, 8), false},  // 国庆 and 中秋 2025
		{d(2025, 10, 11), true},  // Saturday, make-up
		{d(2025, 1, 26), true},   // Sunday, make-up for 春节
		{d(2027, 1, 1), true},    // no file for 2027: Friday is a working day
		{d(2027, 1, 2), false},   // Saturday
		{d(2026, 11, 26), true},  // an ordinary Thursday
		{d(2026, 11, 28), false}, // an ordinary Saturday
	} {
		if got := cal.Workday(c.day); got != c.work {
			t.Errorf("%s (%s): working day %v, want %v", c.day, c.day.Weekday(), got, c.work)
		}
	}
	if w := cal.Warnings(2026, 2027, 2027); len(w) != 1 || !strings.Contains(w[0], "2027") || !strings.Contains(w[0], "仅按周末") {
		t.Errorf("warnings %q", w)
	}
}

// TestDueHandWorked: deadlines worked out by hand with a paper calendar
// and the State Council notices, by the Civil Code's rules (Art. 201: the
// first day is not counted; Art. 203: a last day that is a holiday moves
// to the next working day; make-up working days count as working days).
func TestDueHandWorked(t *testing.T) {
	cal := defaultCalendar(t)
	for _, c := range []struct {
		name string
		from cases.Date
		span cases.Span
		want cases.Date
	}{
		// Petition, 15 days, registered Thu 2026-09-17: day 15 is Fri
		// 10-02, inside 国庆 (10-01..07) → Thu 10-08.
		{"petition before 国庆 2026", d(2026, 9, 17), cases.Cal(15), d(2026, 10, 8)},
		// Registered Sat 2026-09-05: day 15 is Sun 09-20, a make-up
		// working day: it stays.
		{"petition ending on a make-up Sunday", d(2026, 9, 5), cases.Cal(15), d(2026, 9, 20)},
		// Registered Mon 2026-09-21: day 15 is Tue 10-06 → Thu 10-08.
		{"petition 2026-09-21", d(2026, 9, 21), cases.Cal(15), d(2026, 10, 8)},
		// Ordinary: Thu 2026-11-26 + 15 = Fri 12-11.
		{"petition, no holiday", d(2026, 11, 26), cases.Cal(15), d(2026, 12, 11)},
		// + 15 ending on a plain Saturday moves to Monday: Fri 2026-11-13
		// + 15 = Sat 11-28 → Mon 11-30.
		{"calendar days ending on a Saturday", d(2026, 11, 13), cases.Cal(15), d(2026, 11, 30)},
		// Medical mediation, 30 working days from Mon 2026-02-02:
		// Feb 3–6 (4), 9–13 (9), Sat 14 make-up (10), 春节 15–23 off,
		// 24–27 (14), Sat 28 make-up (15), Mar 2–6 (20), 9–13 (25),
		// 16–20 (30) → Fri 2026-03-20.
		{"medical 30 working days across 春节 2026", d(2026, 2, 2), cases.Work(30), d(2026, 3, 20)},
		// Consumer complaint, 7 working days from Fri 2025-09-26: Sun
		// 28 make-up (1), 29 (2), 30 (3), 国庆 10-01..08 off, 9 (4),
		// 10 (5), Sat 11 make-up (6), Mon 13 (7).
		{"consumer 7 working days across 国庆 2025", d(2025, 9, 26), cases.Work(7), d(2025, 10, 13)},
		// Legal aid, 7 days from Tue 2025-01-21: day 7 is Tue 01-28,
		// 除夕 (春节 01-28..02-04) → Wed 02-05.
		{"legal aid into 春节 2025", d(2025, 1, 21), cases.Cal(7), d(2025, 2, 5)},
		// Labour mediation 15 days from Mon 2026-04-20: Tue 05-05 is
		// 劳动节 → Wed 05-06.
		{"labour into 劳动节 2026", d(2026, 4, 20), cases.Cal(15), d(2026, 5, 6)},
		// Petition 60 days across the year end: Thu 2026-11-26 + 60 =
		// Mon 2027-01-25 (no 2027 file: weekends only).
		{"60 days into a year without a file", d(2026, 11, 26), cases.Cal(60), d(2027, 1, 25)},
		{"no limit", d(2026, 11, 26), cases.Span{}, 0},
	} {
		if got := cal.Due(c.from, c.span); got != c.want {
			t.Errorf("%s: from %s + %s = %s, want %s", c.name, c.from, c.span, got, c.want)
		}
	}
	// Without the holiday file the same medical case ends four days
	// earlier: the calendar, not code, knows 春节.
	if got := cases.NewCalendar().Due(d(2026, 2, 2), cases.Work(30)); got != d(2026, 3, 16) {
		t.Errorf("weekends only: %s, want 2026-03-16", got)
	}
}

func TestCalendarOverride(t *testing.T) {
	etc := fstest.MapFS{
		// The admin's correction replaces the built-in 2026 entirely.
		"2026.toml": {Data: []byte("holidays = [\"2026-12-25\"]\n")},
		"2027.toml": {Data: []byte("# 2027\nsource = \"test\"\nholidays = [\n  \"2027-01-01\", # 元旦\n]\nworkdays = [\"2027-01-09\"]\n")},
		"README":    {Data: []byte("not a holiday file")},
	}
	cal, err := cases.LoadCalendar(cases.DefaultHolidays(), etc, fstest.MapFS(nil))
	if err != nil {
		t.Fatal(err)
	}
	if !cal.Workday(d(2026, 2, 16)) || cal.Workday(d(2026, 12, 25)) {
		t.Error("the override did not replace 2026")
	}
	if cal.Workday(d(2027, 1, 1)) || !cal.Workday(d(2027, 1, 9)) || cal.Source(2027) != "2027.toml" {
		t.Error("2027 from the override not read")
	}
	if !cal.Known(2025) {
		t.Error("2025 lost")
	}
	// A directory that does not exist (no /etc/yiting/holidays yet) is
	// no error; an empty one neither.
	if _, err := cases.LoadCalendar(cases.DefaultHolidays(), os.DirFS(filepath.Join(t.TempDir(), "missing")), fstest.MapFS{}); err != nil {
		t.Fatal(err)
	}
}

func TestHolidayFileErrors(t *testing.T) {
	for _, c := range []struct {
		name, file, text string
		line             int
		frag             string
	}{
		{"bad date", "2027.toml", "holidays = [\n\"2027-13-01\"]\n", 2, "not a date"},
		{"unknown key", "2027.toml", "holidays = []\nhoildays = []\n", 2, "unknown key hoildays"},
		{"unclosed string", "2027.toml", "holidays = [\"2027-01-01]\n", 1, "not closed"},
		{"missing comma", "2027.toml", "holidays = [\"2027-01-01\" \"2027-01-02\"]\n", 1, "expected , or ]"},
		{"twice", "2027.toml", "holidays = []\nholidays = []\n", 2, "given twice"},
		{"no holidays", "2027.toml", "workdays = []\n", 1, "no holidays"},
		{"garbage after", "2027.toml", "holidays = [] x\n", 1, "end of the line"},
		{"not utf8", "2027.toml", "holidays = [\"\xff\"]", 1, "UTF-8"},
	} {
		_, err := cases.LoadCalendar(fstest.MapFS{c.file: {Data: []byte(c.text)}})
		var he *cases.HolidayFileError
		if !errors.As(err, &he) {
			t.Errorf("%s: %v, want a HolidayFileError", c.name, err)
			continue
		}
		if he.Line != c.line || !strings.Contains(he.Error(), c.frag) || he.File != c.file {
			t.Errorf("%s: %v (line %d), want line %d and %q", c.name, err, he.Line, c.line, c.frag)
		}
	}
	for _, c := range []struct{ name, file, text, frag string }{
		{"date of another year", "2027.toml", "holidays = [\"2026-01-01\"]", "not in 2027"},
		{"make-up day on a weekday", "2027.toml", "holidays = []\nworkdays = [\"2027-01-04\"]", "Monday"},
		{"both lists", "2027.toml", "holidays = [\"2027-01-09\"]\nworkdays = [\"2027-01-09\"]", "both"},
		{"bad name", "next.toml", "holidays = []", "must be the year"},
	} {
		_, err := cases.LoadCalendar(fstest.MapFS{c.file: {Data: []byte(c.text)}})
		if err == nil || !strings.Contains(err.Error(), c.frag) {
			t.Errorf("%s: %v, want %q", c.name, err, c.frag)
		}
	}
}

func FuzzParseHolidayFile(f *testing.F) {
	f.Add([]byte("holidays = [\"2027-01-01\", # x\n]\nworkdays = [\"2027-01-09\"]\nsource = \"s\"\n"))
	f.Add([]byte("holidays=[]"))
	f.Fuzz(func(t *testing.T, b []byte) {
		hf, err := cases.ParseHolidayFile("f.toml", b)
		if err != nil {
			var he *cases.HolidayFileError
			if !errors.As(err, &he) || he.Line < 1 {
				t.Fatalf("error %v is not a HolidayFileError with a line", err)
			}
			return
		}
		for _, d := range append(hf.Holidays, hf.Workdays...) {
			if d.String() == "" {
				t.Fatal("a parsed date is zero")
			}
		}
	})
}

// WorkdaysBetween counts as a walk over the days does, across known and
// unknown years (2025 and 2026 have files, 2024 and 2027 none).
func TestWorkdaysBetweenCountsAsAWalk(t *testing.T) {
	cal, err := cases.LoadCalendar(cases.DefaultHolidays())
	if err != nil {
		t.Fatal(err)
	}
	walk := func(from, to cases.Date) int {
		n := 0
		for x := from + 1; x <= to; x++ {
			if cal.Workday(x) {
				n++
			}
		}
		return n
	}
	first, last := d(2023, 12, 25), d(2028, 1, 10)
	for from := first; from <= last; from += 13 {
		for to := from - 20; to <= last; to += 37 {
			if got, want := cal.WorkdaysBetween(from, to), walk(from, to); got != want {
				t.Fatalf("WorkdaysBetween(%s, %s) = %d, a walk counts %d", from, to, got, want)
			}
		}
	}
}

// 司法确认 (法释〔2011〕5号): accepted or refused within 3 days (Art. 4),
// decided within 15 days of acceptance, 10 more at most (Art. 5).
func TestJudicialConfirmationLimits(t *testing.T) {
	l := cases.DefaultLimits()["litigation.confirmation"]
	if l.Accept != cases.Cal(3) || l.Handle != cases.Cal(15) || !l.HandleFromAccept || l.Extension != cases.Cal(10) {
		t.Errorf("limits %+v", l)
	}
	if !strings.Contains(l.Source, "第四条") || !strings.Contains(l.Source, "第五条") || strings.Contains(l.Source, "第六条") {
		t.Errorf("source %q", l.Source)
	}
}
