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

// statsAcc accumulates Facts into Stats.
type statsAcc struct {
	st                              Stats
	today                           Date
	types                           map[[2]string]int // case type, service
	units, outcomes, channels, stat map[string]int
	keys                            map[string]int32
	acceptOK, acceptDen             int
	handleOK, handleDen             int
	mediated, failed                int
	rateable, rated, satisfied      int
}

func newStatsAcc(from, to, today Date) *statsAcc {
	return &statsAcc{st: Stats{From: from, To: to}, today: today,
		types: map[[2]string]int{}, units: map[string]int{}, outcomes: map[string]int{}, channels: map[string]int{}, stat: map[string]int{},
		keys: map[string]int32{}}
}

func (a *statsAcc) add(f *Facts) {
	s := &a.st
	s.Cases++
	s.Visits += f.Visits
	s.Persons += f.VisitPersons
	if f.Persons > 1 {
		s.GroupVisits++
	}
	s.Collective += f.Collective
	s.Meetings += f.Meetings
	s.RiskWarnings += f.Warnings
	if f.Major {
		s.Major++
	}
	a.types[[2]string{f.Type, f.ServiceID}]++
	unit := f.Unit
	if unit == "" {
		unit = "（未定）"
	}
	a.units[unit]++
	if f.Outcome != "" {
		a.outcomes[string(f.Outcome)]++
	}
	a.channels[string(f.Channel)]++
	a.stat[string(f.Status)]++
	if f.AcceptDue != 0 {
		switch {
		case f.Accepted != 0:
			a.acceptDen++
			if f.Accepted <= f.AcceptDue {
				a.acceptOK++
			}
		case f.Status.Open() && a.today > f.AcceptDue:
			a.acceptDen++ // overdue, not yet accepted
		}
	}
	if f.HandleDue != 0 && f.Outcome != OutcomeWithdrawn {
		switch {
		case f.Handled != 0:
			a.handleDen++
			if f.Handled <= f.HandleDue {
				a.handleOK++
			}
		case f.Status.Open() && a.today > f.HandleDue:
			a.handleDen++
		}
	}
	if f.Status.Open() {
		if (f.Accepted == 0 && f.AcceptDue != 0 && a.today > f.AcceptDue) || (f.Handled == 0 && f.HandleDue != 0 && a.today > f.HandleDue) {
			s.Overdue++
		}
	} else {
		s.Closed++
		if f.Outcome != OutcomeWithdrawn {
			a.rateable++
		}
	}
	switch f.Outcome {
	case OutcomeMediated:
		a.mediated++
	case OutcomeFailed:
		a.failed++
	}
	if f.Satisfaction != 0 {
		a.rated++
		if f.Satisfaction > 0 {
			a.satisfied++
		}
	}
	for _, k := range f.VisitorKeys {
		a.keys[k]++
	}
	if f.Routes > 0 {
		s.Routed++
		s.Reroutes += f.Routes - 1
	}
	if f.Supervisions > 0 {
		s.Supervised++
	}
	s.Supervisions += f.Supervisions
	s.AutoSupervisions += f.AutoSupervis
	s.LateReplies += f.LateReplies
	if f.Extended {
		s.Extended++
	}
}

// result finishes the statistics; b names the case types (nil: the
// types go by their ids, for a caller that needs only the figures).
func (a *statsAcc) result(b *Book) *Stats {
	s := &a.st
	s.TimelyAcceptance = ratio(a.acceptOK, a.acceptDen)
	s.OnTimeCompletion = ratio(a.handleOK, a.handleDen)
	s.MediationSuccess = ratio(a.mediated, a.mediated+a.failed)
	s.Participation = ratio(a.rated, a.rateable)
	s.Satisfaction = ratio(a.satisfied, a.rated)
	s.Visitors = len(a.keys)
	for _, n := range a.keys {
		if n > 1 {
			s.RepeatVisitors++
			s.RepeatCases += int(n) - 1
		}
	}
	// Types count by case type; the service only names it.
	byType := map[string]int{}
	names := map[string]string{}
	for k, n := range a.types {
		byType[k[0]] += n
		if names[k[0]] == "" {
			names[k[0]] = k[0]
			if b != nil {
				names[k[0]] = b.typeName(k[0], k[1])
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
	if err := b.store.EachFacts(ctx, FactsRange{From: from, To: to}, func(f *Facts) error { acc.add(f); return nil }); err != nil {
		return nil, err
	}
	s := acc.result(b)
	now := b.now()
	okClosed, den := 0, 0
	err := b.store.EachRectification(ctx, func(r *Rectification) error {
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
