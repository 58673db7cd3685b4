package booking

import (
	"cmp"
	"context"
	"slices"
	"time"

	"yiting/queue"
	"yiting/queue/cases"
)

// Statistics of appointments for the supervisor's dashboard and its CSV,
// per service and business day and per service over the period:
//
//   - booked: bookings of the day not cancelled; persons: their parties;
//   - arrived: parties who checked in; late: of them, those who checked in
//     after the slot's start, and by how much (lateness);
//   - no-shows: parties who never came within the window; lapsed: those
//     who came later than it (offered a walk-in ticket); the no-show rate
//     is no-shows over the parties whose window has passed or who came
//     (arrived + lapsed + no-shows);
//   - waiting: an appointment ticket waits from the later of its issue and
//     its booked time to its first call (an early arrival waiting for the
//     agreed hour is not kept waiting by the hall); a walk-in from its
//     issue to its first call. They are the queue's statistics
//     (queue.GroupStats.AppointmentWait, WalkInWait, kept for each closed
//     day), which the caller sets on the rows (Stats.SetWaits).

// StatsRow is the figures of one service on one day ("" for the period).
type StatsRow struct {
	Day        string              `json:"day,omitempty"`
	ServiceID  string              `json:"service"`
	Booked     int                 `json:"booked"`
	Cancelled  int                 `json:"cancelled"`
	Persons    int                 `json:"persons"`
	Arrived    int                 `json:"arrived"`
	Late       int                 `json:"late"`
	Lateness   queue.DurationStats `json:"lateness"`
	NoShows    int                 `json:"no_shows"`
	Lapsed     int                 `json:"lapsed"`
	NoShowRate float64             `json:"no_show_rate"`
	ApptWait   queue.DurationStats `json:"appointment_wait"`
	WalkInWait queue.DurationStats `json:"walk_in_wait"`
}

// Stats are the appointment figures of a period.
type Stats struct {
	From, To     string
	Total        StatsRow
	ByService    []StatsRow // by service id
	ByServiceDay []StatsRow // by day, then service id
}

type statsAcc struct {
	StatsRow
	late []time.Duration
}

// StatsBuilder accumulates Stats from the period's tickets and bookings,
// one at a time. It is not safe for concurrent use.
type StatsBuilder struct {
	from, to string
	loc      *time.Location
	rows     map[[2]string]*statsAcc // {day, service}; day "" for the period
}

// NewStatsBuilder starts the statistics of the business days from..to
// ("2006-01-02", inclusive) of a hall in loc.
func NewStatsBuilder(from, to string, loc *time.Location) *StatsBuilder {
	return &StatsBuilder{from: from, to: to, loc: loc, rows: map[[2]string]*statsAcc{}}
}

func (b *StatsBuilder) each(day, service string, fn func(*statsAcc)) {
	for _, k := range [][2]string{{day, service}, {"", service}, {"", ""}} {
		a := b.rows[k]
		if a == nil {
			a = &statsAcc{StatsRow: StatsRow{Day: k[0], ServiceID: k[1]}}
			b.rows[k] = a
		}
		fn(a)
	}
}

// AddBooking counts a booking and its parties.
func (b *StatsBuilder) AddBooking(bk *Booking) {
	day := bk.Day.String()
	if day < b.from || day > b.to {
		return
	}
	b.each(day, bk.ServiceID, func(a *statsAcc) {
		if !bk.Active() {
			a.Cancelled++
			return
		}
		a.Booked++
		for _, pt := range bk.Parties {
			a.Persons++
			switch pt.Status {
			case PartyArrived:
				a.Arrived++
				if pt.At.After(bk.Start) {
					a.Late++
					a.late = append(a.late, pt.At.Sub(bk.Start))
				}
			case PartyNoShow:
				a.NoShows++
			case PartyLapsed:
				a.Lapsed++
			}
		}
	})
}

// Stats returns the figures so far.
func (b *StatsBuilder) Stats() Stats {
	s := Stats{From: b.from, To: b.to}
	for _, a := range b.rows {
		r := a.StatsRow
		r.Lateness = lateness(a.late)
		if due := r.Arrived + r.Lapsed + r.NoShows; due > 0 {
			r.NoShowRate = float64(r.NoShows) / float64(due)
		}
		switch {
		case r.ServiceID == "":
			s.Total = r
		case r.Day == "":
			s.ByService = append(s.ByService, r)
		default:
			s.ByServiceDay = append(s.ByServiceDay, r)
		}
	}
	slices.SortFunc(s.ByService, func(x, y StatsRow) int { return cmp.Compare(x.ServiceID, y.ServiceID) })
	slices.SortFunc(s.ByServiceDay, func(x, y StatsRow) int {
		return cmp.Or(cmp.Compare(x.Day, y.Day), cmp.Compare(x.ServiceID, y.ServiceID))
	})
	return s
}

// lateness summarises the late arrivals: they are few (the visitors who
// came late), so they are kept one by one.
func lateness(ds []time.Duration) queue.DurationStats {
	if len(ds) == 0 {
		return queue.DurationStats{}
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return queue.DurationStats{Count: len(ds), Mean: sum / time.Duration(len(ds)), P90: ds[(len(ds)*90+99)/100-1], Max: ds[len(ds)-1]}
}

// SetWaits sets the waits of appointment tickets and walk-ins on every
// row from the queue's statistics: waits(day, service) for a day's row,
// day "" for the period's, service "" for the total.
func (s *Stats) SetWaits(waits func(day, service string) (appointment, walkIn queue.DurationStats)) {
	set := func(r *StatsRow) { r.ApptWait, r.WalkInWait = waits(r.Day, r.ServiceID) }
	set(&s.Total)
	for i := range s.ByService {
		set(&s.ByService[i])
	}
	for i := range s.ByServiceDay {
		set(&s.ByServiceDay[i])
	}
}

// EachBooking calls fn for the bookings of the days from..to: the
// statistics' scan (callers check who may see them).
func (d *Diary) EachBooking(ctx context.Context, from, to cases.Date, fn func(*Booking) error) error {
	return d.store.EachBooking(ctx, from, to, fn)
}
