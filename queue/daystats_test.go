package queue_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"yiting/queue"
)

// A period merged from its stored days (DayStats, AddDay) has exactly the
// figures of the same tickets added one by one: counts, ratings, hours,
// days, bad ratings, and means, maxima and 90th percentiles of durations
// in milliseconds, seconds and beyond the dense four hours.
func TestDayStatsMergeEqualsRecount(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	days := []string{"2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26"}
	services := []string{"petition", "consult", "medical"}
	var all []queue.Ticket
	byDay := map[string][]queue.Ticket{}
	id := uint64(0)
	for _, day := range days {
		for range 40 + r.IntN(40) {
			id++
			wait, serve := r.IntN(50), r.IntN(30)
			switch r.IntN(10) {
			case 0:
				wait = -1 // never called
			case 1:
				serve = -1 // called, not done
			case 2:
				wait = 300 + r.IntN(300) // over four hours
			}
			tk := ticketAt(id, day, services[r.IntN(len(services))], r.IntN(480), wait, serve,
				fmt.Sprintf("w%d", r.IntN(4)), fmt.Sprintf("s%d", r.IntN(6)))
			// Milliseconds that do not fall on a second.
			if !tk.FirstCall.IsZero() {
				tk.FirstCall = tk.FirstCall.Add(time.Duration(r.IntN(60_000)) * time.Millisecond)
			}
			if !tk.DoneAt.IsZero() {
				tk.DoneAt = tk.DoneAt.Add(time.Duration(r.IntN(60_000)) * time.Millisecond)
				if r.IntN(3) > 0 {
					tk = rated(tk, queue.Level(1+r.IntN(5)), "等候时间太长")
				}
			}
			if tk.Status == queue.StatusCalled && r.IntN(2) == 0 {
				tk.Status = queue.StatusNoShow
			}
			all = append(all, tk)
			byDay[day] = append(byDay[day], tk)
		}
	}
	want := queue.ComputeStats(days[0], days[len(days)-1], shanghai, all)

	merged := queue.NewStatsBuilder(days[0], days[len(days)-1], shanghai)
	for _, day := range days {
		b := queue.NewStatsBuilder(day, day, shanghai)
		for i := range byDay[day] {
			b.Add(&byDay[day][i])
		}
		ds := b.DayStats()
		merged.AddDay(&ds)
	}
	got := merged.Stats()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("merged days differ from the recount:\n got %+v\nwant %+v", got, want)
	}
	if want.Wait.Max < 4*time.Hour || want.Wait.P90%time.Second != 0 || want.Wait.Mean%time.Second == 0 {
		t.Fatalf("the tickets do not exercise what they should: wait %+v", want.Wait)
	}
}
