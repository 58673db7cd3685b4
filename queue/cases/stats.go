package cases

import (
	"cmp"
	"context"
	"math"
	"slices"

	"yiting/queue"
)

// Statistics for the yearly report (信访工作条例 Art. 41: counts by subject
// area, the most-complained-about bodies, transfer/assign/supervise counts)
// and the indicators of docs/domain.md: 及时受理率, 按期办结率, 调解成功率,
// 重复信访, 参评率, 满意率. Cases count by the day they were registered.

// Count is one row of a breakdown.
type Count struct {
	Key  string `json:"key"`
	Name string `json:"name"`
	N    int    `json:"n"`
}

// Ratio is an indicator: Num of Den, and the percentage to one decimal
// (0 when Den is 0).
type Ratio struct {
	Num  int     `json:"num"`
	Den  int     `json:"den"`
	Rate float64 `json:"rate"`
}

func ratio(num, den int) Ratio {
	r := Ratio{Num: num, Den: den}
	if den > 0 {
		r.Rate = math.Round(float64(num)*1000/float64(den)) / 10
	}
	return r
}

// Stats are the statistics of the cases registered from From to To.
type Stats struct {
	From  Date `json:"from"`
	To    Date `json:"to"`
	Cases int  `json:"cases"` // matters registered (件)
	// Visits (批次) and persons (人次) are counted separately: a group
	// visit of 5 is one visit and 5 persons; return visits count too.
	Visits       int `json:"visits"`
	Persons      int `json:"persons"`
	GroupVisits  int `json:"group_registrations"` // registrations of 2–5 persons
	Collective   int `json:"collective_visits"`   // visits of five or more people (集体访)
	Meetings     int `json:"analysis_meetings"`   // 研判会
	RiskWarnings int `json:"risk_warnings"`       // 预警 sent to units
	Major        int `json:"major"`               // major or urgent matters (Art. 25)

	ByType    []Count `json:"by_type"`
	ByUnit    []Count `json:"by_unit"`
	ByOutcome []Count `json:"by_outcome"`
	ByChannel []Count `json:"by_channel"`
	ByStatus  []Count `json:"by_status"`

	// TimelyAcceptance (及时受理率): of the cases with an accept limit
	// that are accepted or overdue, those accepted by the due day.
	TimelyAcceptance Ratio `json:"timely_acceptance"`
	// OnTimeCompletion (按期办结率): of the cases with a handling limit
	// that are concluded or overdue, those concluded by the due day.
	OnTimeCompletion Ratio `json:"on_time_completion"`
	// MediationSuccess (调解成功率): mediated of mediated + failed.
	MediationSuccess Ratio `json:"mediation_success"`
	Closed           int   `json:"closed"`
	Overdue          int   `json:"overdue"` // open cases past a due day now

	Visitors       int `json:"visitors"`        // distinct ID numbers
	RepeatVisitors int `json:"repeat_visitors"` // of them with two or more cases (重复信访)
	RepeatCases    int `json:"repeat_cases"`    // cases beyond each visitor's first

	// Participation (参评率): rated of the closed cases that may be
	// rated; Satisfaction (满意率): 满意 of the rated.
	Participation Ratio `json:"participation"`
	Satisfaction  Ratio `json:"satisfaction"`

	Routed           int `json:"routed"`   // cases routed at least once (转送/交办/受理)
	Reroutes         int `json:"reroutes"` // routings after the first
	Supervised       int `json:"supervised"`
	Supervisions     int `json:"supervisions"`
	AutoSupervisions int `json:"auto_supervisions"`
	LateReplies      int `json:"late_replies"`
	Extended         int `json:"extended"`

	Rectifications RectificationStats `json:"rectifications"`
	// Warnings: years of the period without a holiday file, and the like.
	Warnings []string `json:"warnings,omitempty"`
}

// RectificationStats counts the items of bad ratings made in the period.
type RectificationStats struct {
	Opened  int   `json:"opened"`
	Closed  int   `json:"closed"`
	OnTime  Ratio `json:"on_time"` // closed by the due day, of the closed and the overdue
	Overdue int   `json:"overdue"` // open past the due day
}

// statsAcc accumulates Stats from the stored days (addDay, the
// statistics' path) or from Facts (add, the assessment's path, which
// counts visitors by key).
type statsAcc struct {
	from, to, today Date
	sum             StatsDay // the plain counts
	facts           *StatsDay
	keys            map[string]int32
	types           map[TypeKey]int
	units, outcomes map[string]int
	channels, stat  map[string]int
	// Open cases due (and so late) by today, and overdue now.
	acceptLate, handleLate, overdue int
	// From the days' registrations (StatsDay.Prev): all of them, those
	// whose visitor's previous one is in the period too, and those whose
	// previous but one is.
	regs, returns, again int
}

func newStatsAcc(from, to, today Date) *statsAcc {
	return &statsAcc{from: from, to: to, today: today, facts: NewStatsDay(0), keys: map[string]int32{},
		types: map[TypeKey]int{}, units: map[string]int{}, outcomes: map[string]int{}, channels: map[string]int{}, stat: map[string]int{}}
}

// add counts one case; its visitors count by key, once a case each.
func (a *statsAcc) add(f *Facts) {
	a.facts.Add(f, nil)
	for _, k := range DistinctKeys(f.VisitorKeys) {
		a.keys[k]++
	}
}

// addDay counts a stored day.
func (a *statsAcc) addDay(d *StatsDay) {
	sum, add := a.sum.Counters(), d.Counters()
	for i := range sum {
		*sum[i] += *add[i]
	}
	for _, t := range d.Types {
		a.types[t.Key] += t.N
	}
	for _, m := range []struct {
		to   map[string]int
		from []Tally[string]
	}{{a.units, d.Units}, {a.outcomes, d.Outcomes}, {a.channels, d.Channels}, {a.stat, d.Statuses}} {
		for _, t := range m.from {
			m.to[t.Key] += t.N
		}
	}
	a.acceptLate += before(d.AcceptPending, a.today)
	a.handleLate += before(d.HandlePending, a.today)
	a.overdue += before(d.OverdueFrom, a.today)
	a.regs += d.Regs
	a.returns += d.Prev.CountFrom(a.from)
	a.again += d.Prev2.CountFrom(a.from)
}

// result finishes the statistics; b names the case types (nil: the
// types go by their ids, for a caller that needs only the figures).
func (a *statsAcc) result(b *Book) *Stats {
	if a.facts.Cases > 0 {
		a.addDay(a.facts)
		a.facts = NewStatsDay(0)
	}
	d := &a.sum
	s := &Stats{From: a.from, To: a.to, Cases: d.Cases, Visits: d.Visits, Persons: d.Persons, GroupVisits: d.GroupVisits,
		Collective: d.Collective, Meetings: d.Meetings, RiskWarnings: d.RiskWarnings, Major: d.Major,
		Closed: d.Closed, Overdue: a.overdue, Routed: d.Routed, Reroutes: d.Reroutes,
		Supervised: d.Supervised, Supervisions: d.Supervisions, AutoSupervisions: d.AutoSupervisions,
		LateReplies: d.LateReplies, Extended: d.Extended}
	s.TimelyAcceptance = ratio(d.AcceptOK, d.AcceptDone+a.acceptLate)
	s.OnTimeCompletion = ratio(d.HandleOK, d.HandleDone+a.handleLate)
	s.MediationSuccess = ratio(d.Mediated, d.Mediated+d.Failed)
	s.Participation = ratio(d.Rated, d.Rateable)
	s.Satisfaction = ratio(d.Satisfied, d.Rated)
	if len(a.keys) > 0 {
		s.Visitors = len(a.keys)
		for _, n := range a.keys {
			if n > 1 {
				s.RepeatVisitors++
				s.RepeatCases += int(n) - 1
			}
		}
	} else {
		s.Visitors, s.RepeatVisitors, s.RepeatCases = a.regs-a.returns, a.returns-a.again, a.returns
	}
	// Types count by case type; the service only names it.
	byType := map[string]int{}
	names := map[string]string{}
	for k, n := range a.types {
		byType[k.Type] += n
		if names[k.Type] == "" {
			names[k.Type] = k.Type
			if b != nil {
				names[k.Type] = b.typeName(k.Type, k.Service)
			}
		}
	}
	s.ByType = counts(byType, func(k string) string { return names[k] })
	s.ByUnit = counts(a.units, func(k string) string { return k })
	s.ByOutcome = counts(a.outcomes, func(k string) string { return Outcome(k).Name() })
	s.ByChannel = counts(a.channels, func(k string) string { return Channel(k).Name() })
	s.ByStatus = counts(a.stat, func(k string) string { return Status(k).Name() })
	return s
}

func counts(m map[string]int, name func(string) string) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Key: k, Name: name(k), N: n})
	}
	slices.SortFunc(out, func(x, y Count) int {
		if c := cmp.Compare(y.N, x.N); c != 0 {
			return c
		}
		return cmp.Compare(x.Key, y.Key)
	})
	return out
}

// Stats computes the statistics of the cases registered from..to
// (inclusive) and the rectifications of ratings made then: supervisors and
// admins.
func (b *Book) Stats(ctx context.Context, p queue.Principal, from, to Date) (*Stats, error) {
	if err := checkReader(p); err != nil {
		return nil, err
	}
	if from == 0 || to == 0 || to < from {
		return nil, queue.Errorf(queue.EINVALID, "统计期间无效 (from and to are days, from ≤ to)")
	}
	if to-from > 3700 {
		return nil, queue.Errorf(queue.EINVALID, "统计期间最长10年 (at most 10 years)")
	}
	today := b.today()
	acc := newStatsAcc(from, to, today)
	days, err := b.store.StatsDays(ctx, from, to)
	if err != nil {
		return nil, err
	}
	for i := range days {
		acc.addDay(&days[i])
	}
	s := acc.result(b)
	now := b.now()
	okClosed, den := 0, 0
	err = b.store.EachRectification(ctx, func(r *Rectification) error {
		d := DateOf(r.RatedAt, b.hall.Location)
		if d < from || d > to {
			return nil
		}
		s.Rectifications.Opened++
		switch {
		case !r.Open():
			s.Rectifications.Closed++
			den++
			if r.ClosedAt.Before(r.Due.End(b.hall.Location)) {
				okClosed++
			}
		case !now.Before(r.Due.End(b.hall.Location)):
			s.Rectifications.Overdue++
			den++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.Rectifications.OnTime = ratio(okClosed, den)
	var years []int
	for y := from.Year(); y <= min(to, today).Year(); y++ {
		years = append(years, y)
	}
	s.Warnings = b.cal().Warnings(years...)
	return s, nil
}
