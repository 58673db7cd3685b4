package queue_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"yiting/queue"
)

// ticketAt builds a ticket issued at the given minute after 09:00 of the
// day, called after wait minutes (negative: never), served for service
// minutes (negative: not completed) at a counter by a clerk.
func ticketAt(id uint64, day string, service string, issuedMin, wait, serve int, counter, staff string) queue.Ticket {
	d, _ := time.ParseInLocation(time.DateOnly, day, shanghai)
	issued := d.Add(9*time.Hour + time.Duration(issuedMin)*time.Minute)
	t := queue.Ticket{ID: id, Number: fmt.Sprintf("A%03d", id), Day: day, ServiceID: service, Status: queue.StatusWaiting,
		IssuedAt: issued, ArrivedAt: issued}
	if wait >= 0 {
		t.FirstCall = issued.Add(time.Duration(wait) * time.Minute)
		t.CalledAt = t.FirstCall
		t.Status = queue.StatusCalled
		t.CounterID, t.StaffID = counter, staff
	}
	if serve >= 0 {
		t.StartedAt = t.CalledAt.Add(time.Minute)
		t.DoneAt = t.StartedAt.Add(time.Duration(serve) * time.Minute)
		t.Status = queue.StatusDone
	}
	return t
}

func rated(t queue.Ticket, l queue.Level, reasons ...string) queue.Ticket {
	t.Rating = &queue.Rating{Level: l, Reasons: reasons, At: t.DoneAt.Add(time.Minute), By: "pad:p1"}
	return t
}

func TestStatsFigures(t *testing.T) {
	const day1, day2 = "2026-11-23", "2026-11-24"
	noShow := ticketAt(5, day1, "consult", 40, 3, -1, "w2", "lisi")
	noShow.Status = queue.StatusNoShow
	cancelled := ticketAt(6, day2, "consult", 50, -1, -1, "", "")
	cancelled.Status = queue.StatusCancelled
	tickets := []queue.Ticket{
		rated(ticketAt(1, day1, "petition", 0, 10, 20, "w1", "zhangsan"), queue.VerySatisfied),
		rated(ticketAt(2, day1, "petition", 5, 20, 10, "w1", "zhangsan"), queue.Dissatisfied, "等候时间太长"),
		rated(ticketAt(3, day1, "consult", 10, 30, 5, "w2", "lisi"), queue.FairlySatisfied),
		ticketAt(4, day2, "petition", 65, 40, 15, "w1", "wangwu"), // completed, not rated
		noShow,
		cancelled,
		ticketAt(7, day2, "petition", 70, -1, -1, "", ""), // still waiting
		rated(ticketAt(8, day2, "consult", 90, 0, 30, "w2", "lisi"), queue.VeryDissatisfied),
	}
	s := queue.ComputeStats(day1, day2, shanghai, tickets)

	if s.From != day1 || s.To != day2 {
		t.Errorf("period %s..%s", s.From, s.To)
	}
	counts := []struct {
		name      string
		got, want int
	}{
		{"tickets", s.Tickets, 8},
		{"人次", s.Visitors, 8},
		{"批次", s.Visits, 8},
		{"served", s.Served, 5},
		{"no-shows", s.NoShows, 1},
		{"cancelled", s.Cancelled, 1},
		{"unfinished", s.Unfinished, 1},
		{"completed", s.Ratings.Completed, 5},
		{"rated", s.Ratings.Rated, 4},
		{"satisfied", s.Ratings.Satisfied, 2},
		{"bad", s.Ratings.Bad, 2},
		{"非常满意", s.Ratings.Levels[queue.VerySatisfied-1], 1},
		{"非常不满意", s.Ratings.Levels[queue.VeryDissatisfied-1], 1},
		{"issued 09:00-10:00", s.ByHour[9], 5},
		{"issued 10:00-11:00", s.ByHour[10], 3},
	}
	for _, c := range counts {
		if c.got != c.want {
			t.Errorf("%s = %d, want %d", c.name, c.got, c.want)
		}
	}
	if r := s.Ratings.RateRatio(); r != 4.0/5 {
		t.Errorf("参评率 %v, want 0.8", r)
	}
	if r := s.Ratings.SatisfactionRatio(); r != 0.5 {
		t.Errorf("满意率 %v, want 0.5", r)
	}
	// Waits of the six called tickets: 10 20 30 40 3 0 minutes.
	wantWait := queue.DurationStats{Count: 6, Mean: 103 * time.Minute / 6, P90: 40 * time.Minute, Max: 40 * time.Minute}
	if s.Wait != wantWait {
		t.Errorf("wait %+v, want %+v", s.Wait, wantWait)
	}
	// Service of the five completed: 20 10 5 15 30 minutes.
	wantService := queue.DurationStats{Count: 5, Mean: 16 * time.Minute, P90: 30 * time.Minute, Max: 30 * time.Minute}
	if s.Service != wantService {
		t.Errorf("service %+v, want %+v", s.Service, wantService)
	}

	byID := func(gs []queue.GroupStats) map[string]queue.GroupStats {
		m := map[string]queue.GroupStats{}
		var ids []string
		for _, g := range gs {
			m[g.ID] = g
			ids = append(ids, g.ID)
		}
		if !slices.IsSorted(ids) {
			t.Errorf("groups not sorted by id: %v", ids)
		}
		return m
	}
	svc := byID(s.ByService)
	if g := svc["petition"]; g.Issued != 4 || g.Served != 3 || g.Wait.Count != 3 || g.Service.Mean != 15*time.Minute {
		t.Errorf("petition: %+v", g)
	}
	if g := svc["consult"]; g.Issued != 4 || g.Served != 2 || g.NoShows != 1 || g.Ratings.Rated != 2 || g.Ratings.Bad != 1 {
		t.Errorf("consult: %+v", g)
	}
	ctr := byID(s.ByCounter)
	if len(ctr) != 2 {
		t.Errorf("counters: %v", s.ByCounter)
	}
	if g := ctr["w2"]; g.Served != 2 || g.NoShows != 1 || g.Service.Mean != 35*time.Minute/2 || g.Ratings.SatisfactionRatio() != 0.5 {
		t.Errorf("w2: %+v", g)
	}
	staff := byID(s.ByStaff)
	if g := staff["zhangsan"]; g.Served != 2 || g.Service.Mean != 15*time.Minute || g.Ratings.Rated != 2 {
		t.Errorf("zhangsan: %+v", g)
	}
	if g := staff["wangwu"]; g.Served != 1 || g.Ratings.Rated != 0 || g.Ratings.RateRatio() != 0 {
		t.Errorf("wangwu: %+v", g)
	}
	if len(s.ByDay) != 2 || s.ByDay[0] != (queue.DayCount{Day: day1, Issued: 4, Served: 3}) || s.ByDay[1] != (queue.DayCount{Day: day2, Issued: 4, Served: 2}) {
		t.Errorf("by day: %+v", s.ByDay)
	}
	if len(s.BadRatings) != 2 || s.BadRatings[0].Number != "A008" || s.BadRatings[1].Number != "A002" {
		t.Fatalf("bad ratings, newest first: %+v", s.BadRatings)
	}
	if b := s.BadRatings[1]; b.CounterID != "w1" || b.StaffID != "zhangsan" || b.Level != queue.Dissatisfied || len(b.Reasons) != 1 || b.Reasons[0] != "等候时间太长" {
		t.Errorf("bad rating: %+v", b)
	}
}

func TestStatsEmptyPeriod(t *testing.T) {
	s := queue.ComputeStats("2026-01-01", "2026-01-31", nil, nil)
	if s.Tickets != 0 || s.Wait != (queue.DurationStats{}) || s.Ratings.RateRatio() != 0 || s.Ratings.SatisfactionRatio() != 0 {
		t.Errorf("empty: %+v", s)
	}
	if s.ByService == nil || s.BadRatings == nil || s.ByDay == nil {
		t.Error("empty lists must be empty, not nil (JSON [] rather than null)")
	}
}

// The 90th percentile is the nearest-rank one: checked against sorting
// whole durations for many random sets.
func TestStatsPercentileNearestRank(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 60; n++ {
		var ts []queue.Ticket
		var waits []time.Duration
		for i := range n {
			w := r.IntN(120)
			ts = append(ts, ticketAt(uint64(i+1), "2026-11-23", "petition", 0, w, 5, "w1", "s"))
			waits = append(waits, time.Duration(w)*time.Minute)
		}
		slices.Sort(waits)
		k := 1 // the smallest k with k ≥ 0.9 n
		for k*10 < 9*n {
			k++
		}
		rank := k - 1
		s := queue.ComputeStats("", "", shanghai, ts)
		if s.Wait.P90 != waits[rank] || s.Wait.Max != waits[n-1] {
			t.Fatalf("n=%d: p90 %v max %v, want %v %v (sorted %v)", n, s.Wait.P90, s.Wait.Max, waits[rank], waits[n-1], waits)
		}
	}
}

// A clock that went back can make a duration negative; statistics count
// it as zero rather than letting it pull the mean below zero.
func TestStatsNegativeDurationIsZero(t *testing.T) {
	tk := ticketAt(1, "2026-11-23", "petition", 0, 10, 10, "w1", "s")
	tk.FirstCall = tk.IssuedAt.Add(-time.Hour)
	s := queue.ComputeStats("", "", shanghai, []queue.Ticket{tk})
	if s.Wait.Mean != 0 || s.Wait.Count != 1 {
		t.Errorf("wait %+v", s.Wait)
	}
}

// Stats may be read while adding goes on; earlier results stay as they were.
func TestStatsBuilderIncremental(t *testing.T) {
	b := queue.NewStatsBuilder("2026-11-23", "2026-11-23", shanghai)
	tk := rated(ticketAt(1, "2026-11-23", "petition", 0, 10, 10, "w1", "s"), queue.Dissatisfied, "态度不好")
	b.Add(&tk)
	first := b.Stats()
	tk2 := rated(ticketAt(2, "2026-11-23", "petition", 0, 10, 10, "w1", "s"), queue.VeryDissatisfied)
	b.Add(&tk2)
	second := b.Stats()
	if first.Tickets != 1 || len(first.BadRatings) != 1 || second.Tickets != 2 || len(second.BadRatings) != 2 {
		t.Fatalf("first %d/%d, second %d/%d", first.Tickets, len(first.BadRatings), second.Tickets, len(second.BadRatings))
	}
	tk.Rating.Reasons[0] = "changed"
	if i := slices.IndexFunc(second.BadRatings, func(b queue.BadRating) bool { return b.Number == "A001" }); i < 0 || second.BadRatings[i].Reasons[0] != "态度不好" {
		t.Error("a bad rating shares its reasons with the ticket")
	}
}

// busyYear generates a busy hall's year: 250 working days of 1,000
// tickets over 22 services, 25 counters and 40 clerks, with no-shows and
// ratings — far above Tongshan's ten visitors a day.
func busyYear() []queue.Ticket {
	r := rand.New(rand.NewPCG(7, 7))
	services := make([]string, 22)
	for i := range services {
		services[i] = fmt.Sprint("svc-", i)
	}
	var out []queue.Ticket
	day := time.Date(2025, 1, 1, 0, 0, 0, 0, shanghai)
	id := uint64(0)
	for d := 0; d < 250; d++ {
		for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			day = day.AddDate(0, 0, 1)
		}
		ds := day.Format(time.DateOnly)
		for i := 0; i < 1000; i++ {
			id++
			c := r.IntN(25)
			t := ticketAt(id, ds, services[r.IntN(len(services))], i*480/1000, r.IntN(90), 2+r.IntN(40),
				fmt.Sprint("c", c), fmt.Sprint("staff", c+25*r.IntN(2)))
			switch x := r.IntN(100); {
			case x < 5:
				t.Status, t.StartedAt, t.DoneAt = queue.StatusNoShow, time.Time{}, t.CalledAt
			case x < 70: // 参评率 about 2/3; a bad rating in 20
				l := []queue.Level{5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 3, 3, 2, 1}[r.IntN(20)]
				t = rated(t, l, "等候时间太长")
			}
			out = append(out, t)
		}
		day = day.AddDate(0, 0, 1)
	}
	return out
}

// BenchmarkStatsBusyYear: the dashboard's figures over a year of 250,000
// tickets, as the store streams them (go test -bench StatsBusyYear ./queue).
func BenchmarkStatsBusyYear(b *testing.B) {
	year := busyYear()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		sb := queue.NewStatsBuilder(year[0].Day, year[len(year)-1].Day, shanghai)
		for i := range year {
			sb.Add(&year[i])
		}
		s := sb.Stats()
		if s.Tickets != len(year) {
			b.Fatal(s.Tickets)
		}
	}
	b.ReportMetric(float64(len(year)), "tickets/op")
}
