package cases

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"yiting/queue"
)

// randomFacts makes n cases over 60 days from 2026-03-02, drawn from a
// small pool of visitors so that many return, in every state the
// statistics tell apart.
func randomFacts(r *rand.Rand, n int) []Facts {
	start := MakeDate(2026, 3, 2)
	out := make([]Facts, n)
	for i := range out {
		day := start + Date(r.IntN(60))
		f := Facts{Code: fmt.Sprintf("421224-%s-%04d", day.Compact(), i), Day: day, Type: []string{"petition", "mediation.medical"}[r.IntN(2)],
			ServiceID: "petition", Unit: []string{"", "信访局", "司法局"}[r.IntN(3)], Channel: ChannelInPerson,
			Status: []Status{StatusReceived, StatusHandling, StatusClosed}[r.IntN(3)], Persons: 1 + r.IntN(3), Visits: 1 + r.IntN(2)}
		f.VisitPersons = f.Persons * f.Visits
		for range f.Persons {
			f.VisitorKeys = append(f.VisitorKeys, fmt.Sprintf("v%02d", r.IntN(40)))
		}
		if r.IntN(2) == 0 {
			f.AcceptDue = day + Date(r.IntN(20))
			if r.IntN(2) == 0 {
				f.Accepted = day + Date(r.IntN(25))
				f.HandleDue = f.Accepted + Date(r.IntN(60))
				if r.IntN(2) == 0 {
					f.Handled = f.Accepted + Date(r.IntN(70))
				}
			}
		}
		if f.Status == StatusClosed {
			f.Outcome = []Outcome{OutcomeMediated, OutcomeFailed, OutcomeWithdrawn, OutcomeAnswered}[r.IntN(4)]
			f.Satisfaction = int8(r.IntN(3) - 1)
		}
		f.Routes, f.Supervisions, f.Meetings = r.IntN(3), r.IntN(2), r.IntN(2)
		f.Extended, f.Major = r.IntN(5) == 0, r.IntN(7) == 0
		out[i] = f
	}
	return out
}

// The stored days (each case's visitor keys placed among the visitor's
// registrations) give the same statistics as counting the period's facts
// one by one with the visitors by key — for any period and any today,
// including the distinct and repeat visitors of periods that cut through
// a visitor's cases.
func TestStatsFromDaysEqualCountingFacts(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	all := randomFacts(r, 600)
	b := &Book{hall: &queue.Hall{}}
	repeats := 0
	for range 200 {
		from := MakeDate(2026, 3, 2) + Date(r.IntN(60))
		to := from + Date(r.IntN(40))
		if r.IntN(3) == 0 { // a period of whole months
			from = from.MonthStart()
			to = from.NextMonth() + Date(r.IntN(2)*31)
			to = to.MonthStart() - 1
		}
		today := from + Date(r.IntN(90))
		byFacts := newStatsAcc(from, to, today)
		for i := range all {
			if all[i].Day >= from && all[i].Day <= to {
				byFacts.add(&all[i])
			}
		}
		byDays := newStatsAcc(from, to, today)
		days := CountStatsDays(all, from, to)
		for i := range days {
			byDays.addDay(&days[i])
		}
		// As a store reads it: the whole months merged, the other days
		// one by one.
		byMonths := newStatsAcc(from, to, today)
		var pieces []StatsDay
		for m := from.MonthStart(); m <= to; m = m.NextMonth() {
			var in []StatsDay
			for _, d := range days {
				if d.Day.MonthStart() == m {
					in = append(in, d)
				}
			}
			if m >= from && m.NextMonth()-1 <= to {
				pieces = append(pieces, *MergeStatsDays(m, in))
				continue
			}
			pieces = append(pieces, in...)
		}
		for i := range pieces {
			byMonths.addDay(&pieces[i])
		}
		// The units' assessment, from the facts and from the pieces.
		units := []string{"信访局", "司法局", "人社局"}
		assessFacts, err := Assess(from, to, today, units, func(fn func(*Facts) error) error {
			for i := range all {
				if err := fn(&all[i]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := AssessDays(from, to, today, units, pieces); !reflect.DeepEqual(got, assessFacts) {
			t.Fatalf("%s..%s today %s: assessment\nfrom pieces %+v\n from facts %+v", from, to, today, got, assessFacts)
		}
		if got := AssessDays(from, to, today, units, days); !reflect.DeepEqual(got, assessFacts) {
			t.Fatalf("%s..%s today %s: assessment\nfrom days %+v\n from facts %+v", from, to, today, got, assessFacts)
		}
		want, got, merged := byFacts.result(b), byDays.result(b), byMonths.result(b)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s..%s today %s:\n from days %+v\nfrom facts %+v", from, to, today, got, want)
		}
		if !reflect.DeepEqual(merged, want) {
			t.Fatalf("%s..%s today %s:\nfrom months %+v\n from facts %+v", from, to, today, merged, want)
		}
		repeats += want.RepeatVisitors
	}
	if repeats == 0 {
		t.Fatal("no period had a repeat visitor: the test tells nothing")
	}
}
