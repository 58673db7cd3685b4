package queue

import (
	"cmp"
	"slices"
	"time"
)

// DayStats are one business day's figures in the form that adds up — or a
// month's or a year's, its days merged (MergeDayStats): the store keeps
// them for each closed day, month and year (computed once from the
// tickets, dropped when one of them changes), and a year's dashboard
// reads one of them (StatsBuilder.AddDay) instead of 250,000 tickets.
// Build them with a StatsBuilder over the day's tickets and
// StatsBuilder.DayStats.
type DayStats struct {
	// Day is the business day ("2006-01-02"), or the month ("2006-01")
	// or year ("2006") merged.
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
	ByDay      []DayCount  // its days with tickets, in order: the chart's
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
		BadRatings: slices.Clone(s.BadRatings), ByDay: b.byDay()}
	return d
}

// MergeDayStats adds up the days (or months) of the period from..to into
// the piece named day: a month or year the store keeps.
func MergeDayStats(day, from, to string, loc *time.Location, parts []DayStats) DayStats {
	b := NewStatsBuilder(from, to, loc)
	for i := range parts {
		b.AddDay(&parts[i])
	}
	d := b.DayStats()
	d.Day = day
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
	for _, c := range d.ByDay {
		dc := b.days[c.Day]
		if dc == nil {
			dc = &DayCount{Day: c.Day}
			b.days[c.Day] = dc
		}
		dc.Issued += c.Issued
		dc.Served += c.Served
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
