package hallconfig

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"yiting/queue"
	"yiting/queue/cases"
)

// The formats of the values that are strings in the file. Each parser
// accepts exactly what its formatter writes, so a marshalled
// configuration parses back to the same values.

var clockRE = regexp.MustCompile(`^([01][0-9]|2[0-4]):([0-5][0-9])$`)

// parseClock reads "HH:MM", 00:00 to 24:00, as the time since midnight.
// "8:30" and "08:30:00" are refused: one spelling, no doubt.
func parseClock(s string) (time.Duration, error) {
	m := clockRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("%q is not a clock time \"HH:MM\" such as \"08:30\" (24-hour, two digits each)", s)
	}
	h, _ := strconv.Atoi(m[1])
	min, _ := strconv.Atoi(m[2])
	if h == 24 && min != 0 {
		return 0, fmt.Errorf("%q is past midnight: the latest time is \"24:00\"", s)
	}
	return time.Duration(h)*time.Hour + time.Duration(min)*time.Minute, nil
}

func formatClock(d time.Duration) string {
	m := int(d / time.Minute)
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

var durationRE = regexp.MustCompile(`^(?:0|([0-9]+h)?([0-9]+m)?([0-9]+s)?)$`)

// parseDuration reads whole hours, minutes and seconds in that order:
// "30m", "1h30m", "90s", "0". Signs, fractions and units below a second
// are refused.
func parseDuration(s string) (time.Duration, error) {
	if s == "" || !durationRE.MatchString(s) {
		return 0, fmt.Errorf("%q is not a duration such as \"30m\", \"1h30m\" or \"90s\" (whole numbers of h, m, s; \"0\" for none)", s)
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is too long a duration", s)
	}
	return d, nil
}

// formatDuration writes d (whole seconds) the way parseDuration reads it.
func formatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	var b strings.Builder
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m := d % time.Hour / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if s := d % time.Minute / time.Second; s > 0 {
		fmt.Fprintf(&b, "%ds", s)
	}
	return b.String()
}

// spanNone is how the file says "no time limit" (a zero cases.Span).
const spanNone = "none"

var spanRE = regexp.MustCompile(`^([0-9]{1,9}) (working )?(days?)$`)

// parseSpan reads a case time limit: "60 days" (calendar days, 日), "15
// working days" (工作日), "1 day", "1 working day", or "none". One
// spelling only: "15d", "15wd", "15 Days", "15 calendar days", "0 days",
// "1 days" and signs are refused, each with what to write instead.
func parseSpan(s string) (cases.Span, error) {
	if s == spanNone {
		return cases.Span{}, nil
	}
	m := spanRE.FindStringSubmatch(s)
	if m == nil {
		if strings.HasPrefix(strings.TrimSpace(s), "-") {
			return cases.Span{}, fmt.Errorf("%q is negative: a time limit is a number of days, at least 1, or \"none\"", s)
		}
		return cases.Span{}, fmt.Errorf("%q is not a time limit: write \"15 days\" (calendar days, 日), \"15 working days\" (工作日) or \"none\" (no limit), with one space between the words", s)
	}
	n, _ := strconv.Atoi(m[1])
	sp := cases.Span{Days: n, Working: m[2] != ""}
	switch want := formatSpan(sp); {
	case n == 0:
		return cases.Span{}, fmt.Errorf("%q: write \"none\" for no time limit", s)
	case m[1][0] == '0' || want != s:
		return cases.Span{}, fmt.Errorf("%q: write %q", s, want)
	}
	return sp, nil
}

// formatSpan writes a span the way parseSpan reads it.
func formatSpan(sp cases.Span) string {
	if sp.Days == 0 {
		return spanNone
	}
	unit := "days"
	if sp.Days == 1 {
		unit = "day"
	}
	if sp.Working {
		unit = "working " + unit
	}
	return strconv.Itoa(sp.Days) + " " + unit
}

// parseServiceRef reads one entry of a counter's services list: "id"
// (weight 1) or "id:weight".
func parseServiceRef(s string) (queue.CounterService, error) {
	id, w, hasWeight := strings.Cut(s, ":")
	bad := func() error {
		return fmt.Errorf("%q must be \"service\" or \"service:weight\" with a weight of 1-100, such as \"petition\" or \"consult:2\" (no spaces)", s)
	}
	if id == "" || strings.ContainsAny(s, " \t") {
		return queue.CounterService{}, bad()
	}
	if !hasWeight {
		return queue.CounterService{ServiceID: id, Weight: 1}, nil
	}
	// Digits only: strconv.Atoi would take "+2".
	if w == "" || len(w) > 3 || strings.Trim(w, "0123456789") != "" {
		return queue.CounterService{}, bad()
	}
	n, _ := strconv.Atoi(w)
	return queue.CounterService{ServiceID: id, Weight: n}, nil
}

func formatServiceRef(cs queue.CounterService) string {
	if cs.Weight == 1 {
		return cs.ServiceID
	}
	return cs.ServiceID + ":" + strconv.Itoa(cs.Weight)
}

// loadLocation loads an IANA time zone. "" and "Local" are refused: they
// would make the business day depend on the machine's settings.
func loadLocation(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, fmt.Errorf("%q is not allowed: name the zone, such as \"Asia/Shanghai\"", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, errors.New(strconv.Quote(name) + " is not a known IANA time zone (such as \"Asia/Shanghai\")")
	}
	return loc, nil
}
