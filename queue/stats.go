package queue

import (
	"cmp"
	"slices"
	"time"
)

// Statistics of a period for the supervisor's dashboard and its exports.
// The definitions follow docs/domain.md:
//
//   - 人次 (visitors) and 批次 (visits) count issued tickets. Until group
//     visits exist a ticket is one visit of one person, so both are the
//     number of tickets issued (cancelled and no-show ones included).
//   - Wait is first call − issue, for every ticket that was called;
//     service is done − start, for every completed ticket. The mean and
//     maximum are exact to the millisecond; the 90th percentile is the
//     nearest-rank one to the whole second (durations.go), which lets a
//     year be merged from its stored days (DayStats).
//   - 参评率 (rate ratio) is rated / completed tickets; 满意率 (satisfaction
//     ratio) is 非常满意 + 满意 + 基本满意 over rated tickets. Both are 0
//     when their denominator is.
//   - A bad rating is 不满意 or 非常不满意: each must be rectified.

// DurationStats summarises a set of durations.
type DurationStats struct {
	Count int           `json:"count"`
	Mean  time.Duration `json:"mean"`
	P90   time.Duration `json:"p90"` // nearest rank, whole seconds: 90 % are at most this
	Max   time.Duration `json:"max"`
}

// RatingStats counts the ratings of completed tickets.
type RatingStats struct {
	Completed int `json:"completed"` // tickets done
	Rated     int `json:"rated"`     // of which rated
	Satisfied int `json:"satisfied"` // rated 基本满意 or better
	Bad       int `json:"bad"`       // rated 不满意 or 非常不满意
	// Levels counts each level: Levels[l-1] is the number rated l.
	Levels [5]int `json:"levels"`
}

// RateRatio is 参评率: rated / completed, 0 when nothing was completed.
func (r RatingStats) RateRatio() float64 { return ratio(r.Rated, r.Completed) }

// SatisfactionRatio is 满意率: (非常满意 + 满意 + 基本满意) / rated, 0 when
// nothing was rated.
func (r RatingStats) SatisfactionRatio() float64 { return ratio(r.Satisfied, r.Rated) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// GroupStats are the figures of one service, counter or staff member.
type GroupStats struct {
	ID      string        `json:"id"`
	Issued  int           `json:"issued"`   // tickets (services: issued for it; counters, staff: handled there)
	Served  int           `json:"served"`   // completed
	NoShows int           `json:"no_shows"` // called and not come
	Wait    DurationStats `json:"wait"`
	Service DurationStats `json:"service"`
	Ratings RatingStats   `json:"ratings"`
	// The wait split (issue 16): appointment tickets wait from the later
	// of their issue and their booked time (an early arrival waiting for
	// the agreed hour is not kept waiting by the hall), walk-ins from
	// their issue; both to the first call.
	AppointmentWait DurationStats `json:"appointment_wait"`
	WalkInWait      DurationStats `json:"walk_in_wait"`
}

// DayCount is one business day's tickets.
type DayCount struct {
	Day    string `json:"day"`
	Issued int    `json:"issued"`
	Served int    `json:"served"`
}

// BadRating is one bad rating to rectify: which service, at which
// counter, by whom. The rater is not identified (GB/T 39734).
type BadRating struct {
	TicketID  uint64    `json:"ticket_id"`
	Number    string    `json:"number"`
	Day       string    `json:"day"`
	ServiceID string    `json:"service"`
	CounterID string    `json:"counter"`
	StaffID   string    `json:"staff"`
	Level     Level     `json:"level"`
	Reasons   []string  `json:"reasons,omitempty"`
	At        time.Time `json:"at"`
}

// Stats are the figures of a period of business days.
type Stats struct {
	From string `json:"from"` // first business day, "2006-01-02"
	To   string `json:"to"`   // last business day, inclusive

	Tickets    int `json:"tickets"`    // issued
	Visitors   int `json:"visitors"`   // 人次: equal to Tickets until group visits exist
	Visits     int `json:"visits"`     // 批次: equal to Tickets until group visits exist
	Served     int `json:"served"`     // completed
	NoShows    int `json:"no_shows"`   // still a no-show at the end
	Cancelled  int `json:"cancelled"`  //
	Expired    int `json:"expired"`    // left unfinished at the end of their day
	Unfinished int `json:"unfinished"` // waiting, called, serving or parked now (today)

	Wait    DurationStats `json:"wait"`
	Service DurationStats `json:"service"`
	Ratings RatingStats   `json:"ratings"`
	// AppointmentWait and WalkInWait split Wait (GroupStats).
	AppointmentWait DurationStats `json:"appointment_wait"`
	WalkInWait      DurationStats `json:"walk_in_wait"`

	ByService []GroupStats `json:"by_service"` // by id
	ByCounter []GroupStats `json:"by_counter"` // by id; tickets that reached a counter
	ByStaff   []GroupStats `json:"by_staff"`   // by id; tickets someone called or served
	ByDay     []DayCount   `json:"by_day"`     // days with tickets, in order
	// ByHour counts tickets issued in each hour of the day, in the
	// location given to NewStatsBuilder.
	ByHour     [24]int     `json:"by_hour"`
	BadRatings []BadRating `json:"bad_ratings"` // newest first
}

// StatsBuilder accumulates Stats one ticket at a time (Add) or one stored
// day at a time (AddDay), so a period is summarised without holding its
// tickets. Durations are kept as counts of each second for the
// percentiles. The zero value is not usable; a StatsBuilder is not safe
// for concurrent use.
type StatsBuilder struct {
	loc     *time.Location
	s       Stats
	all     group
	service map[string]*group
	counter map[string]*group
	staff   map[string]*group
	days    map[string]*DayCount
}

// group accumulates one GroupStats.
type group struct {
	GroupStats
	wait, service       durations
	appointment, walkIn durations // wait, split (GroupStats.AppointmentWait)
}

// NewStatsBuilder starts the statistics of the business days from..to
// (inclusive, "2006-01-02"; they label the result). Hours of the day are
// counted in loc (UTC if nil).
func NewStatsBuilder(from, to string, loc *time.Location) *StatsBuilder {
	if loc == nil {
		loc = time.UTC
	}
	return &StatsBuilder{
		loc:     loc,
		s:       Stats{From: from, To: to},
		service: map[string]*group{},
		counter: map[string]*group{},
		staff:   map[string]*group{},
		days:    map[string]*DayCount{},
	}
}

// ComputeStats summarises tickets, for callers that hold them already.
func ComputeStats(from, to string, loc *time.Location, tickets []Ticket) Stats {
	b := NewStatsBuilder(from, to, loc)
	for i := range tickets {
		b.Add(&tickets[i])
	}
	return b.Stats()
}

// Add counts one ticket. It keeps nothing of t but numbers, ids and the
// reasons of a bad rating.
func (b *StatsBuilder) Add(t *Ticket) {
	s := &b.s
	s.Tickets++
	switch t.Status {
	case StatusDone:
		s.Served++
	case StatusNoShow:
		s.NoShows++
	case StatusCancelled:
		s.Cancelled++
	case StatusExpired:
		s.Expired++
	default:
		s.Unfinished++
	}
	if !t.IssuedAt.IsZero() {
		s.ByHour[t.IssuedAt.In(b.loc).Hour()]++
	}
	d := b.days[t.Day]
	if d == nil {
		d = &DayCount{Day: t.Day}
		b.days[t.Day] = d
	}
	d.Issued++
	if t.Status == StatusDone {
		d.Served++
	}

	groups := [4]*group{&b.all, b.group(b.service, t.ServiceID), nil, nil}
	if t.CounterID != "" {
		groups[2] = b.group(b.counter, t.CounterID)
	}
	if t.StaffID != "" {
		groups[3] = b.group(b.staff, t.StaffID)
	}
	dur := t.Durations()
	for _, g := range groups {
		if g == nil {
			continue
		}
		g.Issued++
		if !t.FirstCall.IsZero() {
			g.wait.add(millis(dur.Wait))
			if t.Appointment.IsZero() {
				g.walkIn.add(millis(dur.Wait))
			} else {
				g.appointment.add(millis(t.FirstCall.Sub(later(t.IssuedAt, t.Appointment))))
			}
		}
		switch t.Status {
		case StatusDone:
			g.Served++
			g.Ratings.Completed++
			if !t.StartedAt.IsZero() {
				g.service.add(millis(dur.Service))
			}
			if r := t.Rating; r != nil && r.Level.Valid() {
				g.Ratings.Rated++
				g.Ratings.Levels[r.Level-1]++
				if r.Level.Bad() {
					g.Ratings.Bad++
				} else {
					g.Ratings.Satisfied++
				}
			}
		case StatusNoShow:
			g.NoShows++
		}
	}
	if r := t.Rating; t.Status == StatusDone && r != nil && r.Level.Bad() {
		s.BadRatings = append(s.BadRatings, BadRating{
			TicketID: t.ID, Number: t.Number, Day: t.Day, ServiceID: t.ServiceID, CounterID: t.CounterID,
			StaffID: t.StaffID, Level: r.Level, Reasons: slices.Clone(r.Reasons), At: r.At,
		})
	}
}

func (b *StatsBuilder) group(m map[string]*group, id string) *group {
	g := m[id]
	if g == nil {
		g = &group{GroupStats: GroupStats{ID: id}}
		m[id] = g
	}
	return g
}

// millis is a duration in whole milliseconds, clamped to what a uint32
// holds (49 days): a wait never comes near it, and a clock that went
// back never makes one negative.
func millis(d time.Duration) uint32 {
	ms := d.Milliseconds()
	switch {
	case ms < 0:
		return 0
	case ms > 1<<32-1:
		return 1<<32 - 1
	}
	return uint32(ms)
}

// Stats returns the figures of the tickets added so far; Add may still be
// called afterwards.
func (b *StatsBuilder) Stats() Stats {
	s := b.s
	all := b.all.finish()
	s.Wait, s.Service, s.Ratings = all.Wait, all.Service, all.Ratings
	s.AppointmentWait, s.WalkInWait = all.AppointmentWait, all.WalkInWait
	s.Visitors, s.Visits = s.Tickets, s.Tickets
	s.ByService = finishAll(b.service)
	s.ByCounter = finishAll(b.counter)
	s.ByStaff = finishAll(b.staff)
	if s.ByDay = b.byDay(); s.ByDay == nil {
		s.ByDay = []DayCount{}
	}
	s.BadRatings = slices.Clone(b.s.BadRatings)
	slices.SortStableFunc(s.BadRatings, func(x, y BadRating) int { return y.At.Compare(x.At) })
	if s.BadRatings == nil {
		s.BadRatings = []BadRating{}
	}
	return s
}

// byDay lists the days counted, in order.
func (b *StatsBuilder) byDay() []DayCount {
	var out []DayCount
	for _, d := range b.days {
		out = append(out, *d)
	}
	slices.SortFunc(out, func(x, y DayCount) int { return cmp.Compare(x.Day, y.Day) })
	return out
}

func finishAll(m map[string]*group) []GroupStats {
	out := make([]GroupStats, 0, len(m))
	for _, g := range m {
		out = append(out, g.finish())
	}
	slices.SortFunc(out, func(x, y GroupStats) int { return cmp.Compare(x.ID, y.ID) })
	return out
}

func (g *group) finish() GroupStats {
	gs := g.GroupStats
	gs.Wait = g.wait.summary()
	gs.Service = g.service.summary()
	gs.AppointmentWait, gs.WalkInWait = g.appointment.summary(), g.walkIn.summary()
	return gs
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
