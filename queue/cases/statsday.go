package cases

import (
	"cmp"
	"slices"
)

// StatsDay is what the statistics count of the cases registered on one
// day — or in one month, its days merged (MergeStatsDays) — in a form that
// adds up over a period and is still exact for the counts that depend on
// today (overdue, due) and on the period (distinct and repeat visitors).
// The store keeps one per registration day and one per month, recomputed
// whenever one of their cases changes (or a case of the same visitor on
// another day), so a year's statistics merge 12 months instead of reading
// 150,000 cases (issue 15). Build one with Add and Sort; Stats reads them
// with statsAcc.addDay.
type StatsDay struct {
	Day Date // the day, or the first of the month

	Cases, Visits, Persons, GroupVisits, Collective, Meetings, RiskWarnings, Major int

	Types    []Tally[TypeKey] // case type and service
	Units    []Tally[string]  // "（未定）" for none
	Outcomes []Tally[string]
	Channels []Tally[string]
	Statuses []Tally[string]

	// Settled time limits: accepted (or concluded) cases, and how many of
	// them by the due day.
	AcceptOK, AcceptDone int
	HandleOK, HandleDone int
	// Open cases not yet accepted (concluded), by their due day: they
	// count as due, and late, once today is past it.
	AcceptPending []Tally[Date]
	HandlePending []Tally[Date]
	// Open cases by the first due day they would miss: overdue once today
	// is past it.
	OverdueFrom []Tally[Date]

	Closed, Rateable, Mediated, Failed, Rated, Satisfied                      int
	Routed, Reroutes, Supervised, Supervisions, AutoSupervisions, LateReplies int
	Extended                                                                  int
	Concluded                                                                 int // handled (办结), whatever the limit

	// The visitors. Regs counts the registrations — a case and one of
	// its visitor keys. Prev holds, for each registration that has one,
	// the day of the same visitor's registration before it, and Prev2 the
	// day of the one before that. Over a period from..to, a registration
	// whose previous one is in the period is a return (Prev.CountFrom),
	// and one whose previous but one is in it is a second return
	// (Prev2.CountFrom): the distinct visitors are the registrations less
	// the returns, the repeat visitors the returns less the second
	// returns. Each count is a binary search, however many visitors.
	Regs        int
	Prev, Prev2 Days

	// ByUnit counts each unit's cases the same way, without the tallies
	// and the visitors: the units' assessment (AssessDays).
	ByUnit []UnitDay

	prevs [2][]Date // Add's, until Sort makes Prev and Prev2 of them
}

// UnitDay is one unit's part of a StatsDay ("（未定）" for none).
type UnitDay struct {
	Unit string
	StatsDay
}

// Tally is how many of a kind.
type Tally[K comparable] struct {
	Key K
	N   int
}

// TypeKey is a case type with the service it came through (the service
// names it).
type TypeKey struct{ Type, Service string }

// VisitorReg places one registration of a visitor among theirs, ordered
// by day and code: the days of their previous case and of the one before
// it (0: none).
type VisitorReg struct{ Prev, Prev2 Date }

// NewStatsDay starts a day.
func NewStatsDay(day Date) *StatsDay { return &StatsDay{Day: day} }

// bump adds n to k's tally (a day has a few dozen kinds of each).
func bump[K comparable](s *[]Tally[K], k K, n int) {
	for i := range *s {
		if (*s)[i].Key == k {
			(*s)[i].N += n
			return
		}
	}
	*s = append(*s, Tally[K]{k, n})
}

// Add counts a case registered on the day, with the place of each of its
// visitor keys among the visitor's registrations (nil when the caller
// counts visitors another way). Sort the day when every case is added.
func (d *StatsDay) Add(f *Facts, regs []VisitorReg) {
	d.count(f, regs, true)
	unit := unitName(f.Unit)
	i := slices.IndexFunc(d.ByUnit, func(u UnitDay) bool { return u.Unit == unit })
	if i < 0 {
		i = len(d.ByUnit)
		d.ByUnit = append(d.ByUnit, UnitDay{Unit: unit})
	}
	d.ByUnit[i].count(f, nil, false)
}

// unitName is how the statistics name a case's unit.
func unitName(unit string) string {
	if unit == "" {
		return "（未定）"
	}
	return unit
}

// count adds a case to the plain counts and the due days; with all, to
// the tallies and the visitors too.
func (d *StatsDay) count(f *Facts, regs []VisitorReg, all bool) {
	d.Cases++
	d.Visits += f.Visits
	d.Persons += f.VisitPersons
	if f.Persons > 1 {
		d.GroupVisits++
	}
	d.Collective += f.Collective
	d.Meetings += f.Meetings
	d.RiskWarnings += f.Warnings
	if f.Major {
		d.Major++
	}
	if f.Handled != 0 {
		d.Concluded++
	}
	if all {
		bump(&d.Types, TypeKey{f.Type, f.ServiceID}, 1)
		bump(&d.Units, unitName(f.Unit), 1)
		if f.Outcome != "" {
			bump(&d.Outcomes, string(f.Outcome), 1)
		}
		bump(&d.Channels, string(f.Channel), 1)
		bump(&d.Statuses, string(f.Status), 1)
	}
	open := f.Status.Open()
	if f.AcceptDue != 0 {
		switch {
		case f.Accepted != 0:
			d.AcceptDone++
			if f.Accepted <= f.AcceptDue {
				d.AcceptOK++
			}
		case open:
			bump(&d.AcceptPending, f.AcceptDue, 1)
		}
	}
	if f.HandleDue != 0 && f.Outcome != OutcomeWithdrawn {
		switch {
		case f.Handled != 0:
			d.HandleDone++
			if f.Handled <= f.HandleDue {
				d.HandleOK++
			}
		case open:
			bump(&d.HandlePending, f.HandleDue, 1)
		}
	}
	if open {
		var first Date // the first due day it misses
		if f.Accepted == 0 && f.AcceptDue != 0 {
			first = f.AcceptDue
		}
		if f.Handled == 0 && f.HandleDue != 0 && (first == 0 || f.HandleDue < first) {
			first = f.HandleDue
		}
		if first != 0 {
			bump(&d.OverdueFrom, first, 1)
		}
	} else {
		d.Closed++
		if f.Outcome != OutcomeWithdrawn {
			d.Rateable++
		}
	}
	switch f.Outcome {
	case OutcomeMediated:
		d.Mediated++
	case OutcomeFailed:
		d.Failed++
	}
	if f.Satisfaction != 0 {
		d.Rated++
		if f.Satisfaction > 0 {
			d.Satisfied++
		}
	}
	d.Regs += len(regs)
	for _, r := range regs {
		if r.Prev != 0 {
			d.prevs[0] = append(d.prevs[0], r.Prev)
		}
		if r.Prev2 != 0 {
			d.prevs[1] = append(d.prevs[1], r.Prev2)
		}
	}
	if f.Routes > 0 {
		d.Routed++
		d.Reroutes += f.Routes - 1
	}
	if f.Supervisions > 0 {
		d.Supervised++
	}
	d.Supervisions += f.Supervisions
	d.AutoSupervisions += f.AutoSupervis
	d.LateReplies += f.LateReplies
	if f.Extended {
		d.Extended++
	}
}

// Sort puts every tally in order: a day counted twice the same way is
// the same value.
func (d *StatsDay) Sort() {
	slices.SortFunc(d.Types, func(x, y Tally[TypeKey]) int {
		return cmp.Or(cmp.Compare(x.Key.Type, y.Key.Type), cmp.Compare(x.Key.Service, y.Key.Service))
	})
	for _, s := range [][]Tally[string]{d.Units, d.Outcomes, d.Channels, d.Statuses} {
		slices.SortFunc(s, func(x, y Tally[string]) int { return cmp.Compare(x.Key, y.Key) })
	}
	for _, s := range [][]Tally[Date]{d.AcceptPending, d.HandlePending, d.OverdueFrom} {
		slices.SortFunc(s, func(x, y Tally[Date]) int { return cmp.Compare(x.Key, y.Key) })
	}
	if d.prevs[0] != nil || d.prevs[1] != nil {
		d.Prev, d.Prev2 = mergeDays(d.Prev, DaysOf(d.prevs[0])), mergeDays(d.Prev2, DaysOf(d.prevs[1]))
		d.prevs = [2][]Date{}
	}
	slices.SortFunc(d.ByUnit, func(x, y UnitDay) int { return cmp.Compare(x.Unit, y.Unit) })
	for i := range d.ByUnit {
		d.ByUnit[i].Sort()
	}
}

// MergeStatsDays adds the days up into one, named by day: a month the
// store keeps.
func MergeStatsDays(day Date, days []StatsDay) *StatsDay {
	m := NewStatsDay(day)
	var units []UnitDay
	sum := m.Counters()
	for i := range days {
		d := &days[i]
		for j, n := range d.Counters() {
			*sum[j] += *n
		}
		for _, t := range d.Types {
			bump(&m.Types, t.Key, t.N)
		}
		for _, s := range []struct{ to, from *[]Tally[string] }{
			{&m.Units, &d.Units}, {&m.Outcomes, &d.Outcomes}, {&m.Channels, &d.Channels}, {&m.Statuses, &d.Statuses},
		} {
			for _, t := range *s.from {
				bump(s.to, t.Key, t.N)
			}
		}
		for _, s := range []struct{ to, from *[]Tally[Date] }{
			{&m.AcceptPending, &d.AcceptPending}, {&m.HandlePending, &d.HandlePending}, {&m.OverdueFrom, &d.OverdueFrom},
		} {
			for _, t := range *s.from {
				bump(s.to, t.Key, t.N)
			}
		}
		m.Prev = mergeDays(m.Prev, d.Prev)
		m.Prev2 = mergeDays(m.Prev2, d.Prev2)
		units = append(units, d.ByUnit...)
	}
	slices.SortStableFunc(units, func(x, y UnitDay) int { return cmp.Compare(x.Unit, y.Unit) })
	for i := 0; i < len(units); {
		j := i
		var parts []StatsDay
		for ; j < len(units) && units[j].Unit == units[i].Unit; j++ {
			parts = append(parts, units[j].StatsDay)
		}
		m.ByUnit = append(m.ByUnit, UnitDay{Unit: units[i].Unit, StatsDay: *MergeStatsDays(0, parts)})
		i = j
	}
	m.Sort()
	return m
}

// Counters lists a day's plain counts, in a fixed order: what merging
// adds, and what a store writes.
func (d *StatsDay) Counters() []*int {
	return []*int{&d.Cases, &d.Visits, &d.Persons, &d.GroupVisits, &d.Collective, &d.Meetings, &d.RiskWarnings, &d.Major,
		&d.AcceptOK, &d.AcceptDone, &d.HandleOK, &d.HandleDone, &d.Closed, &d.Rateable, &d.Mediated, &d.Failed,
		&d.Rated, &d.Satisfied, &d.Routed, &d.Reroutes, &d.Supervised, &d.Supervisions, &d.AutoSupervisions,
		&d.LateReplies, &d.Extended, &d.Regs, &d.Concluded}
}

// before counts the tallies of days before day.
func before(s []Tally[Date], day Date) int {
	n := 0
	for _, t := range s {
		if t.Key < day {
			n += t.N
		}
	}
	return n
}

// CountStatsDays counts the days from..to that have cases from the facts
// of every case (those outside the period place the visitors' cases
// inside it): the recount a stored day must equal, and the way of a store
// that keeps none.
func CountStatsDays(all []Facts, from, to Date) []StatsDay {
	type reg struct {
		day  Date
		code string
	}
	byKey := map[string][]reg{}
	for i := range all {
		for _, k := range DistinctKeys(all[i].VisitorKeys) {
			byKey[k] = append(byKey[k], reg{all[i].Day, all[i].Code})
		}
	}
	place := map[[2]string]VisitorReg{} // key, code
	for k, rs := range byKey {
		slices.SortFunc(rs, func(x, y reg) int { return cmp.Or(cmp.Compare(x.day, y.day), cmp.Compare(x.code, y.code)) })
		for i, r := range rs {
			var p VisitorReg
			if i > 0 {
				p.Prev = rs[i-1].day
			}
			if i > 1 {
				p.Prev2 = rs[i-2].day
			}
			place[[2]string{k, r.code}] = p
		}
	}
	days := map[Date]*StatsDay{}
	for i := range all {
		f := &all[i]
		if f.Day < from || f.Day > to {
			continue
		}
		d := days[f.Day]
		if d == nil {
			d = NewStatsDay(f.Day)
			days[f.Day] = d
		}
		var regs []VisitorReg
		for _, k := range DistinctKeys(f.VisitorKeys) {
			regs = append(regs, place[[2]string{k, f.Code}])
		}
		d.Add(f, regs)
	}
	out := make([]StatsDay, 0, len(days))
	for _, d := range days {
		d.Sort()
		out = append(out, *d)
	}
	slices.SortFunc(out, func(x, y StatsDay) int { return cmp.Compare(x.Day, y.Day) })
	return out
}

// DistinctKeys returns a case's visitor keys without repeats, in order:
// each is one registration of a visitor.
func DistinctKeys(keys []string) []string {
	out := slices.Clone(keys)
	slices.Sort(out)
	return slices.Compact(out)
}
