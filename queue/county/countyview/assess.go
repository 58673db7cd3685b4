package countyview

import (
	"context"
	"strings"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
	"yiting/queue/cases"
)

// Assessment is the county's assessment (考核) of the cases registered in
// a period: each township as a whole and every unit of every site, by the
// hall's own definitions (cases.Assess: 按期办结率, 满意率 of the results,
// 参评率, overdue, supervision, 预警) and ranked as the hall ranks its units
// (cases.RankUnits), with the satisfaction of the visitors' window
// ratings (好差评, queue.RatingStats) of the tickets of the period.
type Assessment struct {
	From       cases.Date      `json:"from"`
	To         cases.Date      `json:"to"`
	Townships  []Township      `json:"townships"` // by rank, unranked last
	Units      []UnitScore     `json:"units"`     // every site's units, by rank, unranked last
	County     cases.UnitScore `json:"county"`    // the whole county
	Meetings   int             `json:"meetings"`  // 研判会
	Warnings   int             `json:"warnings"`  // 预警
	Major      int             `json:"major"`     // major or urgent matters
	Collective int             `json:"collective"`
	// Service is the county's window ratings of the period.
	Service queue.RatingStats `json:"service"`
}

// Township is one site's score as a whole; Unit is its name.
type Township struct {
	Site string `json:"site"`
	cases.UnitScore
	Meetings   int               `json:"meetings"`
	Warnings   int               `json:"warnings_sent"`
	Major      int               `json:"major"`
	Collective int               `json:"collective"`
	Service    queue.RatingStats `json:"service"` // its window ratings (好差评)
}

// UnitScore is one unit of one site.
type UnitScore struct {
	Site     string `json:"site"`
	SiteName string `json:"site_name"`
	cases.UnitScore
}

// Assess computes the county's assessment of the cases registered from..to.
// It returns EINVALID for a period that is not one (to before from, or
// more than ten years, as at a hall).
func (m *Model) Assess(ctx context.Context, from, to cases.Date) (*Assessment, error) {
	if from == 0 || to == 0 || to < from || to-from > 3700 {
		return nil, queue.Errorf(queue.EINVALID, "考核期间无效 (from ≤ to, at most 10 years)")
	}
	today := cases.DateOf(m.now(), m.loc)
	a := &Assessment{From: from, To: to, Townships: []Township{}, Units: []UnitScore{}}
	err := m.db.View(func(tx *bolt.Tx) error {
		all := map[string][]cases.Facts{}
		if err := eachFacts(ctx, tx, "", func(site string, f *cases.Facts) { all[site] = append(all[site], *f) }); err != nil {
			return err
		}
		county, err := cases.Assess(from, to, today, nil, func(fn func(*cases.Facts) error) error {
			for _, fs := range all {
				if err := feed(fs, fn); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		a.County, a.Meetings, a.Warnings, a.Major, a.Collective = county.Centre, county.Meetings, county.Warnings, county.Major, county.Collective
		a.County.Unit = "全县"
		var scores, units []cases.UnitScore
		byID := map[string]Township{}
		for _, id := range m.siteIDs(tx) {
			s, err := cases.Assess(from, to, today, nil, func(fn func(*cases.Facts) error) error { return feed(all[id], fn) })
			if err != nil {
				return err
			}
			t := Township{Site: id, UnitScore: s.Centre, Meetings: s.Meetings, Warnings: s.Warnings, Major: s.Major, Collective: s.Collective}
			if t.Service, err = ratings(tx, id, from, to); err != nil {
				return err
			}
			a.Service = addRatings(a.Service, t.Service)
			byID[id] = t
			t.UnitScore.Unit = id // RankUnits sorts ties by Unit: the site id here
			scores = append(scores, t.UnitScore)
			for _, u := range s.Units {
				u.Unit = id + "\x00" + u.Unit
				units = append(units, u)
			}
		}
		cases.RankUnits(scores)
		for _, s := range scores {
			t := byID[s.Unit]
			t.UnitScore.Rank, t.UnitScore.Unit = s.Rank, m.siteName(s.Unit)
			a.Townships = append(a.Townships, t)
		}
		cases.RankUnits(units)
		for _, u := range units {
			site, unit, _ := strings.Cut(u.Unit, "\x00")
			u.Unit = unit
			a.Units = append(a.Units, UnitScore{Site: site, SiteName: m.siteName(site), UnitScore: u})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return a, nil
}

// assessSite is cases.Assess of one site's cases registered from..to.
func (m *Model) assessSite(tx *bolt.Tx, site string, from, to cases.Date) (*cases.Assessment, error) {
	var fs []cases.Facts
	if err := eachFacts(context.Background(), tx, site, func(_ string, f *cases.Facts) { fs = append(fs, *f) }); err != nil {
		return nil, err
	}
	a, err := cases.Assess(from, to, cases.DateOf(m.now(), m.loc), nil, func(fn func(*cases.Facts) error) error { return feed(fs, fn) })
	if err != nil {
		return nil, err
	}
	a.Centre.Unit = m.siteName(site)
	return a, nil
}

// eachFacts calls fn with the facts of every case of a site ("": of
// every site).
func eachFacts(ctx context.Context, tx *bolt.Tx, site string, fn func(site string, f *cases.Facts)) error {
	return eachCase(ctx, tx, bucketCases, site, func(rec *caseRec) error {
		f, err := cases.FactsOf(&rec.Step)
		if err == nil {
			fn(rec.Site, &f)
		}
		return err
	})
}

func feed(fs []cases.Facts, fn func(*cases.Facts) error) error {
	for i := range fs {
		if err := fn(&fs[i]); err != nil {
			return err
		}
	}
	return nil
}

// ratings are the window ratings of a site's tickets of the days from..to.
func ratings(tx *bolt.Tx, site string, from, to cases.Date) (queue.RatingStats, error) {
	b := queue.NewStatsBuilder(from.String(), to.String(), nil)
	err := eachTicket(tx, site, from.String(), to.String(), b.Add)
	return b.Stats().Ratings, err
}

func addRatings(x, y queue.RatingStats) queue.RatingStats {
	x.Completed += y.Completed
	x.Rated += y.Rated
	x.Satisfied += y.Satisfied
	x.Bad += y.Bad
	for i := range x.Levels {
		x.Levels[i] += y.Levels[i]
	}
	return x
}
