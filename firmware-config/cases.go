package hallconfig

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"yiting/queue"
	"yiting/queue/cases"
)

// The [cases] section: the case tracker's time limits (docs/domain.md,
// "Time limits a case tracker must enforce"), the rectification deadline
// after a bad rating (国办发〔2019〕51号) and the retention period of
// closed cases' personal data (个人信息保护法 Art. 19). The statutory
// table is cases.DefaultLimits; a hall overrides entries of it where
// local rules differ, without a new release.

// Limits of the [cases] values Validate accepts.
const (
	// MaxRetentionYears bounds retention_years. Archive rules keep
	// petition files 10 or 30 years; past 50 is a typo.
	MaxRetentionYears = 50
	// MaxArchiveYears bounds archive_years (保管期限: 10 or 30 years, or
	// permanently: -1).
	MaxArchiveYears = 100
	// MaxRectifyDays bounds rectify_within (local rules say 5 or 15
	// working days).
	MaxRectifyDays = 365
	// MaxLimitDays bounds each span of a time limit, as cases.New does.
	MaxLimitDays = 3650
	maxSourceLen = 200 // characters
)

// casesConfig turns the [cases] section into Cases with the defaults
// filled in. Whether a limit's key is a known case type is Validate's
// check: it needs the services.
func (f *fileCases) casesConfig() (Cases, *Error) {
	var fc fileCases
	if f != nil {
		fc = *f
	}
	c := Cases{
		Limits:         cases.DefaultLimits(),
		RetentionYears: deref(fc.RetentionYears, DefaultRetentionYears),
		ArchiveYears:   deref(fc.ArchiveYears, DefaultArchiveYears),
	}
	var err error
	if c.RectifyWithin, err = parseSpan(deref(fc.RectifyWithin, DefaultRectifyWithin)); err != nil {
		return Cases{}, fieldError("cases.rectify_within", err.Error())
	}
	defaults := cases.DefaultLimits()
	for _, typ := range slices.Sorted(maps.Keys(fc.Limits)) {
		over := fc.Limits[typ]
		// A type without an entry of its own has its parent's limit
		// (petition.housing → petition): that is the default the
		// override changes.
		lim, _ := defaults.For(typ)
		for _, sp := range []struct {
			key string
			in  *string
			out *cases.Span
		}{
			{"accept", over.Accept, &lim.Accept},
			{"handle", over.Handle, &lim.Handle},
			{"extension", over.Extension, &lim.Extension},
		} {
			if sp.in == nil {
				continue
			}
			if *sp.out, err = parseSpan(*sp.in); err != nil {
				return Cases{}, fieldError(limitField(typ, sp.key), err.Error())
			}
		}
		lim.HandleFromAccept = deref(over.HandleFromAccept, lim.HandleFromAccept)
		lim.Source = deref(over.Source, lim.Source)
		c.Limits[typ] = lim
	}
	return c, nil
}

// limitField is the key path of a limit's field in errors:
// cases.limits."petition.review".handle.
func limitField(caseType, key string) string {
	f := "cases.limits." + quoteKey(caseType)
	if key != "" {
		f += "." + key
	}
	return f
}

// check validates the [cases] values against the hall's services.
func (c *Cases) check(h *queue.Hall) *Error {
	switch y := c.RetentionYears; {
	case y == 0:
		return fieldError("cases.retention_years", fmt.Sprintf("0 is not allowed: write the years after which closed cases are anonymised (1–%d), or -1 for never", MaxRetentionYears))
	case y < -1:
		return fieldError("cases.retention_years", fmt.Sprintf("%d: write -1 to keep closed cases' personal data for ever (not recommended: 个人信息保护法 第十九条)", y))
	case y > MaxRetentionYears:
		return fieldError("cases.retention_years", fmt.Sprintf("%d is outside 1..%d (or -1 for never)", y, MaxRetentionYears))
	}
	switch y := c.ArchiveYears; {
	case y == -1:
	case y < 1 || y > MaxArchiveYears:
		return fieldError("cases.archive_years", fmt.Sprintf("%d is outside 1..%d (or -1 for permanently)", y, MaxArchiveYears))
	case c.RetentionYears == -1 || y < c.RetentionYears:
		return fieldError("cases.archive_years", fmt.Sprintf("%d years is shorter than the personal data is kept (retention_years = %d): the record is anonymised first, then kept", y, c.RetentionYears))
	}
	if e := checkSpan("cases.rectify_within", c.RectifyWithin, MaxRectifyDays); e != nil {
		return e
	}
	if c.RectifyWithin.Days == 0 {
		return fieldError("cases.rectify_within", fmt.Sprintf("%q is not allowed: a rectification needs a deadline, such as %q", spanNone, DefaultRectifyWithin))
	}

	known := map[string]bool{}
	defaults := cases.DefaultLimits()
	for typ := range defaults {
		known[typ] = true
	}
	for _, s := range h.Services {
		if s.CaseType != "" {
			known[s.CaseType] = true
		}
	}
	for _, typ := range slices.Sorted(maps.Keys(c.Limits)) {
		if !known[typ] {
			return fieldError(limitField(typ, ""), fmt.Sprintf("%q is not a case type of the default table nor the case_type of a service; the known types are: %s",
				typ, strings.Join(slices.Sorted(maps.Keys(known)), ", ")))
		}
		lim := c.Limits[typ]
		// The field's name is made only for an error: Parse checks
		// every limit of the table at each start.
		for _, sp := range []struct {
			key  string
			span cases.Span
		}{{"accept", lim.Accept}, {"handle", lim.Handle}, {"extension", lim.Extension}} {
			if e := checkSpan("", sp.span, MaxLimitDays); e != nil {
				e.Field = limitField(typ, sp.key)
				return e
			}
		}
		if e := checkText("", lim.Source, maxSourceLen); e != nil {
			e.Field = limitField(typ, "source")
			return e
		}
	}
	// A file overrides entries; it cannot remove one. A table without a
	// default entry would not read back from the file MarshalTOML writes.
	for _, typ := range slices.Sorted(maps.Keys(defaults)) {
		if _, ok := c.Limits[typ]; !ok {
			return fieldError("cases.limits", fmt.Sprintf("the entry of %q is missing: a file cannot remove a default entry; set its spans to %q for no time limit", typ, spanNone))
		}
	}
	return nil
}

// checkSpan checks a span's range. parseSpan never returns a bad one; a
// Config changed in code may hold one.
func checkSpan(field string, sp cases.Span, max int) *Error {
	switch {
	case sp.Days < 0:
		return fieldError(field, fmt.Sprintf("%d days is negative: a time limit is at least 1 day, or %q", sp.Days, spanNone))
	case sp.Days > max:
		return fieldError(field, fmt.Sprintf("%q is longer than %d days", formatSpan(sp), max))
	case sp.Days == 0 && sp.Working:
		return fieldError(field, fmt.Sprintf("0 working days: no time limit is %q (a zero cases.Span)", spanNone))
	}
	return nil
}

// quoteKey writes one part of a key path as TOML does: bare if it can
// be (A-Za-z0-9_-), else quoted ("petition.review").
func quoteKey(k string) string {
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '-':
		default:
			return quote(k)
		}
	}
	if k == "" {
		return `""`
	}
	return k
}
