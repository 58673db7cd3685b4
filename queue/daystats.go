package queue

import (
	"cmp"
	"slices"
)

// DayStats are one business day's figures in the form that adds up: the
// store keeps them for each closed day (computed once from the day's
// tickets, dropped when one of them changes), and a year's dashboard
// merges 250 of them (StatsBuilder.AddDay) instead of reading 250,000
// tickets. Build them with a StatsBuilder over the day's tickets and
// StatsBuilder.DayStats.
type DayStats struct {
	Day        string
	Tickets    int
	Served     int
	NoShows    int
	Cancelled  int
	Expired    int
	Unfinished int
	ByHour     [24]int
	All        DayGroup
	ByService  []DayGroup // by id
	ByCounter  []DayGroup
	ByStaff    []DayGroup
	BadRatings []BadRating // in the order they were added
}

// DayGroup is one service's, counter's or staff member's day.
type DayGroup struct {
	ID      string
	Issued  int
	Served  int
	NoShows int
	Ratings RatingStats
	Wait    DurationCounts
	Service DurationCounts
	// The wait split between appointment tickets and walk-ins
	// (GroupStats.AppointmentWait).
	AppointmentWait, WalkInWait DurationCounts
}

// DayStats is the stored form of what was added: a builder of one day's
// tickets (NewStatsBuilder(day, day, loc)).
func (b *StatsBuilder) DayStats() DayStats {
	s := &b.s
	d := DayStats{Day: s.From, Tickets: s.Tickets, Served: s.Served, NoShows: s.NoShows, Cancelled: s.Cancelled,
		Expired: s.Expired, Unfinished: s.Unfinished, ByHour: s.ByHour, All: b.all.day(),
		ByService: days(b.service), ByCounter: days(b.counter), ByStaff: days(b.staff),
		BadRatings: slices.Clone(s.BadRatings)}
	return d
}

// AddDay counts a stored day, as if its tickets were added one by one.
func (b *StatsBuilder) AddDay(d *DayStats) {
	s := &b.s
	s.Tickets += d.Tickets
	s.Served += d.Served
	s.NoShows += d.NoShows
	s.Cancelled += d.Cancelled
	s.Expired += d.Expired
	s.Unfinished += d.Unfinished
	for h, n := range d.ByHour {
		s.ByHour[h] += n
	}
	if d.Tickets > 0 {
		dc := b.days[d.Day]
		if dc == nil {
			dc = &DayCount{Day: d.Day}
			b.days[d.Day] = dc
		}
		dc.Issued += d.Tickets
		dc.Served += d.Served
	}
	b.all.addDay(&d.All)
	for i := range d.ByService {
		b.group(b.service, d.ByService[i].ID).addDay(&d.ByService[i])
	}
	for i := range d.ByCounter {
		b.group(b.counter, d.ByCounter[i].ID).addDay(&d.ByCounter[i])
	}
	for i := range d.ByStaff {
		b.group(b.staff, d.ByStaff[i].ID).addDay(&d.ByStaff[i])
	}
	s.BadRatings = append(s.BadRatings, d.BadRatings...)
}

func (g *group) day() DayGroup {
	return DayGroup{ID: g.ID, Issued: g.Issued, Served: g.Served, NoShows: g.NoShows, Ratings: g.Ratings,
		Wait: g.wait.counts(), Service: g.service.counts(), AppointmentWait: g.appointment.counts(), WalkInWait: g.walkIn.counts()}
}

func (g *group) addDay(d *DayGroup) {
	g.Issued += d.Issued
	g.Served += d.Served
	g.NoShows += d.NoShows
	r := &g.Ratings
	r.Completed += d.Ratings.Completed
	r.Rated += d.Ratings.Rated
	r.Satisfied += d.Ratings.Satisfied
	r.Bad += d.Ratings.Bad
	for l, n := range d.Ratings.Levels {
		r.Levels[l] += n
	}
	g.wait.merge(d.Wait)
	g.service.merge(d.Service)
	g.appointment.merge(d.AppointmentWait)
	g.walkIn.merge(d.WalkInWait)
}

func days(m map[string]*group) []DayGroup {
	out := make([]DayGroup, 0, len(m))
	for _, g := range m {
		out = append(out, g.day())
	}
	slices.SortFunc(out, func(x, y DayGroup) int { return cmp.Compare(x.ID, y.ID) })
	return out
}
