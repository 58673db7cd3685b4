package boltstore_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/boltstore"
)

// recount is the definition a stored day, month ("2006-01") or year
// ("2006") must equal: its tickets counted one by one.
func recount(t testing.TB, st *boltstore.Store, day string, loc *time.Location) queue.DayStats {
	t.Helper()
	from, to := pieceSpan(t, day)
	b := queue.NewStatsBuilder(from, to, loc)
	err := st.TicketsBetween(context.Background(), from, to, func(tk *queue.Ticket) error { b.Add(tk); return nil })
	if err != nil {
		t.Fatal(err)
	}
	d := b.DayStats()
	d.Day = day
	return d
}

// pieceSpan is the first and last day of a day, month or year.
func pieceSpan(t testing.TB, key string) (from, to string) {
	if len(key) == len("2006-01-02") {
		return key, key
	}
	first, err := time.Parse("2006-01"[:len(key)], key)
	if err != nil {
		t.Fatalf("a piece named %q", key)
	}
	next := first.AddDate(1, 0, 0)
	if len(key) == len("2006-01") {
		next = first.AddDate(0, 1, 0)
	}
	return first.Format(time.DateOnly), next.AddDate(0, 0, -1).Format(time.DateOnly)
}

// sameDay compares two days; a stored rating's time comes back in the
// machine's zone, the same instant.
func sameDay(got, want queue.DayStats) bool {
	norm := func(d queue.DayStats) queue.DayStats {
		d.BadRatings = append([]queue.BadRating(nil), d.BadRatings...)
		for i := range d.BadRatings {
			d.BadRatings[i].At = d.BadRatings[i].At.UTC()
		}
		return d
	}
	return reflect.DeepEqual(norm(got), norm(want))
}

// checkDays compares every stored day, month and year of the file with a
// recount, and returns how many days have tickets.
func checkDays(t testing.TB, st *boltstore.Store, loc *time.Location) int {
	t.Helper()
	ctx := context.Background()
	var days []string
	seen := map[string]bool{}
	err := st.TicketsBetween(ctx, "0000-00-00", "9999-99-99", func(tk *queue.Ticket) error {
		for _, key := range []string{tk.Day, tk.Day[:7], tk.Day[:4]} {
			if !seen[key] {
				seen[key] = true
				days = append(days, key)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, key := range days {
		want := recount(t, st, key, loc)
		from, to := pieceSpan(t, key)
		if from == to {
			n++
		}
		got, err := st.DayStats(ctx, from, to, loc)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !sameDay(got[0], want) {
			t.Fatalf("%s: %d pieces stored; the first\n%.2000v\nrecount\n%.2000v", key, len(got), got[0], want)
		}
	}
	return n
}

// rate changes a ticket of an earlier day the way a late rating or the
// day's roll does, through Commit.
func rate(t testing.TB, st *boltstore.Store, r *rand.Rand, day string) {
	t.Helper()
	ctx := context.Background()
	snap, err := st.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var tickets []*queue.Ticket
	if err := st.TicketsBetween(ctx, day, day, func(tk *queue.Ticket) error { tickets = append(tickets, tk); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(tickets) == 0 {
		t.Fatalf("no tickets on %s", day)
	}
	tk := tickets[r.IntN(len(tickets))]
	switch r.IntN(3) {
	case 0:
		tk.Status = queue.StatusNoShow
	default:
		tk.Status = queue.StatusDone
		tk.Rating = &queue.Rating{Level: queue.Level(1 + r.IntN(5)), Reasons: []string{"等候时间太长"},
			At: tk.DoneAt.Add(time.Minute), By: "pad:p1"}
	}
	if err := st.Commit(ctx, &queue.Batch{Meta: snap.Meta, Tickets: []*queue.Ticket{tk}}); err != nil {
		t.Fatal(err)
	}
}

// fillDays writes n working days of tickets from 2026-03-02.
func fillDays(t testing.TB, st *boltstore.Store, hall *queue.Hall, n int) []string {
	t.Helper()
	from := time.Date(2026, 3, 2, 9, 0, 0, 0, hall.Location)
	if err := boltstore.FillYear(context.Background(), st, hall, 250*4*n, from); err != nil {
		t.Fatal(err)
	}
	var days []string
	seen := map[string]bool{}
	err := st.TicketsBetween(context.Background(), "0000-00-00", "9999-99-99", func(tk *queue.Ticket) error {
		if !seen[tk.Day] {
			seen[tk.Day] = true
			days = append(days, tk.Day)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return days
}

// A stored day equals a recount of its tickets, is kept once computed, and
// is recomputed after a commit changes one of its tickets; days of
// another zone are recomputed too.
func TestDayStatsEqualRecount(t *testing.T) {
	st, err := boltstore.Open(t.TempDir(), quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hall := smallHall()
	days := fillDays(t, st, hall, 6)
	if n := checkDays(t, st, hall.Location); n != len(days) || n < 20 {
		t.Fatalf("%d days stored, %d have tickets", n, len(days))
	}
	ctx := context.Background()
	before, err := st.DayStats(ctx, days[3], days[3], hall.Location)
	if err != nil || len(before) != 1 {
		t.Fatal(before, err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for range 20 {
		rate(t, st, r, days[3])
	}
	after, err := st.DayStats(ctx, days[3], days[3], hall.Location)
	if err != nil {
		t.Fatal(err)
	}
	if sameDay(after[0], before[0]) {
		t.Fatal("the day's statistics did not change with its tickets")
	}
	checkDays(t, st, hall.Location)
	utc, err := st.DayStats(ctx, days[0], days[0], time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if want := recount(t, st, days[0], time.UTC); !sameDay(utc[0], want) {
		t.Fatal("a day stored for another zone was not recomputed")
	}
}

// The crash test: a process rates tickets of earlier days and asks for
// the days' statistics in a loop, and is killed (SIGKILL) at a random
// point, again and again; after each kill every stored day equals a
// recount of its tickets.
func TestDayStatsSurviveCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: kills a child process many times")
	}
	dir := t.TempDir()
	st, err := boltstore.Open(dir, quiet())
	if err != nil {
		t.Fatal(err)
	}
	hall := smallHall()
	fillDays(t, st, hall, 4)
	st.Close()
	killRounds(t, dir, "TestDayStatsCrashChild", "YITING_DAYSTATS", func(st *boltstore.Store) { checkDays(t, st, hall.Location) })
}

// killRounds runs the child test over the data directory eight times,
// killing it (SIGKILL) after a random 0.1–0.5 s each time, and checks the
// reopened store after each kill. The child finds the directory in
// <env>_CHILD and a seed in <env>_SEED.
func killRounds(t *testing.T, dir, child, env string, check func(*boltstore.Store)) {
	t.Helper()
	r := rand.New(rand.NewPCG(7, 8))
	for round := range 8 {
		cmd := exec.Command(os.Args[0], "-test.run=^"+child+"$")
		cmd.Env = append(os.Environ(), env+"_CHILD="+dir, env+"_SEED="+strconv.Itoa(round))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(100+r.IntN(400)) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		st, err := boltstore.Open(dir, quiet())
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		check(st)
		st.Close()
	}
}

// TestDayStatsCrashChild is the process TestDayStatsSurviveCrash kills.
func TestDayStatsCrashChild(t *testing.T) {
	dir := os.Getenv("YITING_DAYSTATS_CHILD")
	if dir == "" {
		t.Skip("the child of TestDayStatsSurviveCrash")
	}
	seed, _ := strconv.Atoi(os.Getenv("YITING_DAYSTATS_SEED"))
	st, err := boltstore.Open(dir, quiet())
	if err != nil {
		t.Fatal(err)
	}
	hall := smallHall()
	var days []string
	ds, err := st.DayStats(context.Background(), "0000-00-00", "9999-99-99", hall.Location)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		days = append(days, d.Day)
	}
	r := rand.New(rand.NewPCG(uint64(seed), 9))
	for i := 0; ; i++ {
		day := days[r.IntN(len(days))]
		rate(t, st, r, day)
		if i%3 == 0 {
			from := days[r.IntN(len(days))]
			if _, err := st.DayStats(context.Background(), from, "9999-99-99", hall.Location); err != nil {
				t.Fatal(fmt.Errorf("day statistics: %w", err))
			}
		}
	}
}

// A stored day keeps the wait split between appointment tickets (from
// their booked time) and walk-ins, as a recount gives it.
func TestDayStatsKeepTheAppointmentWait(t *testing.T) {
	st, err := boltstore.Open(t.TempDir(), quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hall := smallHall()
	at := func(h, m int) time.Time { return time.Date(2026, 3, 2, h, m, 0, 0, hall.Location) }
	tickets := []*queue.Ticket{
		{ID: 1, Number: "A001", Seq: 1, Day: "2026-03-02", ServiceID: "petition", Status: queue.StatusDone,
			IssuedAt: at(9, 0), ArrivedAt: at(9, 0), FirstCall: at(9, 20), CalledAt: at(9, 20), StartedAt: at(9, 21), DoneAt: at(9, 30)},
		{ID: 2, Number: "Q001", Seq: 1, Day: "2026-03-02", ServiceID: "petition", Status: queue.StatusDone, Appointment: at(10, 0), Booking: "b",
			IssuedAt: at(9, 40), ArrivedAt: at(9, 40), FirstCall: at(10, 2), CalledAt: at(10, 2), StartedAt: at(10, 3), DoneAt: at(10, 30)},
	}
	snap, err := st.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	snap.Meta.Day, snap.Meta.DayStartID, snap.Meta.LastTicketID = "2026-03-02", 1, 2
	if err := st.Commit(context.Background(), &queue.Batch{Meta: snap.Meta, Tickets: tickets}); err != nil {
		t.Fatal(err)
	}
	checkDays(t, st, hall.Location) // computes and stores the day
	days, err := st.DayStats(context.Background(), "2026-03-02", "2026-03-02", hall.Location)
	if err != nil || len(days) != 1 {
		t.Fatal(days, err)
	}
	b := queue.NewStatsBuilder("2026-03-02", "2026-03-02", hall.Location)
	b.AddDay(&days[0])
	s := b.Stats()
	if s.AppointmentWait.Count != 1 || s.AppointmentWait.Mean != 2*time.Minute || s.WalkInWait.Count != 1 || s.WalkInWait.Mean != 20*time.Minute ||
		s.Wait.Count != 2 || s.ByService[0].AppointmentWait.Mean != 2*time.Minute {
		t.Fatalf("the stored day's waits: appointment %+v, walk-in %+v, all %+v", s.AppointmentWait, s.WalkInWait, s.Wait)
	}
}
