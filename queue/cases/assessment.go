package cases

import (
	"cmp"
	"context"
	"slices"

	"yiting/queue"
)

// The units' assessment (考核): how each unit handled the cases it holds,
// judged by the deadlines it met and the visitors' satisfaction — the
// seed's "以群众满意度为导向" evaluation of the units — with the centre's
// 研判 and 预警 counts beside it.

// UnitScore is one unit's figures over a period (cases registered in it).
type UnitScore struct {
	Unit         string `json:"unit"`
	Cases        int    `json:"cases"`
	Concluded    int    `json:"concluded"` // concluded (办结)
	Overdue      int    `json:"overdue"`   // open past a due day now
	OnTime       Ratio  `json:"on_time"`   // 按期办结率
	Satisfaction Ratio  `json:"satisfaction"`
	Rated        Ratio  `json:"participation"` // 参评率
	Supervised   int    `json:"supervised"`    // cases under supervision at some time
	Supervisions int    `json:"supervisions"`
	LateReplies  int    `json:"late_replies"`
	Warnings     int    `json:"warnings"` // 预警 on its cases
	Rank         int    `json:"rank"`     // 1 best; 0 for a unit with nothing to judge yet
}

// Assessment is the units' assessment and the centre's counts.
type Assessment struct {
	From     Date        `json:"from"`
	To       Date        `json:"to"`
	Units    []UnitScore `json:"units"` // by rank, unranked last
	Centre   UnitScore   `json:"centre"`
	Meetings int         `json:"meetings"` // 研判会
	Warnings int         `json:"warnings"` // 预警
	Major    int         `json:"major"`    // major or urgent matters
	// Collective: visits of five or more people (集体访), of the cases
	// registered in the period.
	Collective int `json:"collective"`
}

// UnitAssessment computes the assessment of the cases registered
// from..to: supervisors and admins.
func (b *Book) UnitAssessment(ctx context.Context, p queue.Principal, from, to Date) (*Assessment, error) {
	if err := checkReader(p); err != nil {
		return nil, err
	}
	if from == 0 || to == 0 || to < from || to-from > 3700 {
		return nil, queue.Errorf(queue.EINVALID, "考核期间无效 (from ≤ to, at most 10 years)")
	}
	days, err := b.store.StatsDays(ctx, from, to)
	if err != nil {
		return nil, err
	}
	return AssessDays(from, to, b.today(), b.hall.UnitNames(), days), nil
}

// AssessDays is Assess from the stored statistics of the period's days
// and months (CaseStore.StatsDays): a year's assessment reads one piece
// instead of 150,000 cases (issue 15).
func AssessDays(from, to, today Date, units []string, days []StatsDay) *Assessment {
	accs := map[string]*statsAcc{}
	centre := newStatsAcc(from, to, today)
	for i := range days {
		centre.addDay(&days[i])
		for j := range days[i].ByUnit {
			u := &days[i].ByUnit[j]
			acc := accs[u.Unit]
			if acc == nil {
				acc = newStatsAcc(from, to, today)
				accs[u.Unit] = acc
			}
			acc.addDay(&u.StatsDay)
		}
	}
	return assessment(from, to, units, accs, centre)
}

// Assess computes the assessment of the cases registered from..to whose
// Facts each gives (it calls fn with each and returns fn's first error),
// on the day today: one hall's (UnitAssessment), or a township's at the
// county's hub. units are counted even without a case. Units rank by
// RankUnits.
func Assess(from, to, today Date, units []string, each func(fn func(*Facts) error) error) (*Assessment, error) {
	accs := map[string]*statsAcc{}
	centre := newStatsAcc(from, to, today)
	err := each(func(f *Facts) error {
		if f.Day < from || f.Day > to {
			return nil
		}
		unit := unitName(f.Unit)
		acc := accs[unit]
		if acc == nil {
			acc = newStatsAcc(from, to, today)
			accs[unit] = acc
		}
		acc.add(f)
		centre.add(f)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return assessment(from, to, units, accs, centre), nil
}

// assessment scores each unit's counts and the centre's.
func assessment(from, to Date, units []string, accs map[string]*statsAcc, centre *statsAcc) *Assessment {
	a := &Assessment{From: from, To: to}
	score := func(unit string, acc *statsAcc) UnitScore {
		s := acc.result(nil)
		return UnitScore{Unit: unit, Cases: s.Cases, Concluded: acc.sum.Concluded, Overdue: s.Overdue,
			OnTime: s.OnTimeCompletion, Satisfaction: s.Satisfaction, Rated: s.Participation, Supervised: s.Supervised,
			Supervisions: s.Supervisions, LateReplies: s.LateReplies, Warnings: acc.sum.RiskWarnings}
	}
	for _, unit := range units { // every unit is counted, with no case too
		if accs[unit] == nil {
			accs[unit] = newStatsAcc(from, to, centre.today)
		}
	}
	for unit, acc := range accs {
		a.Units = append(a.Units, score(unit, acc))
	}
	a.Centre = score("", centre)
	cs := &centre.sum // filled in by result
	a.Meetings, a.Warnings, a.Major, a.Collective = cs.Meetings, cs.RiskWarnings, cs.Major, cs.Collective
	a.Centre.Unit, a.Centre.Warnings = "全中心", a.Warnings
	RankUnits(a.Units)
	return a
}

// RankUnits sorts scores best first and numbers their Rank: by 按期办结率,
// then 满意率, then fewer overdue cases; a unit with no concluded or
// overdue case is not ranked (Rank 0) and comes last. Townships rank the
// same way at the county.
func RankUnits(scores []UnitScore) {
	slices.SortFunc(scores, func(x, y UnitScore) int {
		xr, yr := x.OnTime.Den > 0, y.OnTime.Den > 0
		if xr != yr {
			if xr {
				return -1
			}
			return 1
		}
		return cmp.Or(-cmp.Compare(x.OnTime.Rate, y.OnTime.Rate), -cmp.Compare(x.Satisfaction.Rate, y.Satisfaction.Rate),
			cmp.Compare(x.Overdue, y.Overdue), cmp.Compare(x.Unit, y.Unit))
	})
	for i := range scores {
		scores[i].Rank = 0
		if scores[i].OnTime.Den > 0 {
			scores[i].Rank = i + 1
		}
	}
}
