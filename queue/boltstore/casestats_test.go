package boltstore_test

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
	"yiting/queue/boltstore"
	"yiting/queue/cases"
)

// caseRecount counts every registration day again from the facts records:
// the definition a stored day must equal.
func caseRecount(t testing.TB, st *boltstore.Store) []cases.StatsDay {
	t.Helper()
	var all []cases.Facts
	err := st.EachFacts(context.Background(), cases.FactsRange{From: 1, To: 1 << 30}, func(f *cases.Facts) error {
		c := *f
		c.VisitorKeys = slices.Clone(f.VisitorKeys)
		all = append(all, c)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return cases.CountStatsDays(all, 1, 1<<30)
}

// checkCaseDays compares every stored day with a recount, and every
// stored month and year with the merge of its recounted days.
func checkCaseDays(t testing.TB, st *boltstore.Store) int {
	t.Helper()
	ctx := context.Background()
	want := caseRecount(t, st)
	months, years := map[cases.Date][]cases.StatsDay{}, map[cases.Date][]cases.StatsDay{}
	for _, w := range want {
		got, err := st.StatsDays(ctx, w.Day, w.Day)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !reflect.DeepEqual(got[0], w) {
			t.Fatalf("day %s: stored\n%+v\nrecount\n%+v", w.Day, got, w)
		}
		months[w.Day.MonthStart()] = append(months[w.Day.MonthStart()], w)
		y := cases.MakeDate(w.Day.Year(), time.January, 1)
		years[y] = append(years[y], w)
	}
	for _, s := range []struct {
		pieces map[cases.Date][]cases.StatsDay
		last   func(cases.Date) cases.Date
	}{
		{months, func(m cases.Date) cases.Date { return m.NextMonth() - 1 }},
		{years, func(y cases.Date) cases.Date { return cases.MakeDate(y.Year(), time.December, 31) }},
	} {
		for first, days := range s.pieces {
			got, err := st.StatsDays(ctx, first, s.last(first))
			if err != nil {
				t.Fatal(err)
			}
			if w := cases.MergeStatsDays(first, days); len(got) != 1 || !reflect.DeepEqual(got[0], *w) {
				t.Fatalf("%s..%s: stored\n%+v\nmerged\n%+v", first, s.last(first), got, w)
			}
		}
	}
	// A period of whole months and odd days is read as both.
	got, err := st.StatsDays(ctx, cases.MakeDate(2026, 2, 20), cases.MakeDate(2026, 5, 3))
	if err != nil {
		t.Fatal(err)
	}
	var n int
	for _, d := range got {
		n += d.Cases
	}
	if wantN := countCases(want, cases.MakeDate(2026, 2, 20), cases.MakeDate(2026, 5, 3)); n != wantN || len(got) < 3 {
		t.Fatalf("2026-02-20..05-03: %d pieces of %d cases, want %d cases", len(got), n, wantN)
	}
	return len(want)
}

func countCases(days []cases.StatsDay, from, to cases.Date) int {
	n := 0
	for _, d := range days {
		if d.Day >= from && d.Day <= to {
			n += d.Cases
		}
	}
	return n
}

// fillSomeCases writes a year of 4 cases a working day through the real
// write path, and returns their codes and visitor keys.
func fillSomeCases(t testing.TB, st *boltstore.Store) (codes, keys []string) {
	t.Helper()
	cal, err := cases.LoadCalendar(cases.DefaultHolidays())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := boltstore.FillCases(context.Background(), st, caseHall(), cal, 2026, 4); err != nil {
		t.Fatal(err)
	}
	err = st.EachFacts(context.Background(), cases.FactsRange{From: 1, To: 1 << 30}, func(f *cases.Facts) error {
		codes = append(codes, f.Code)
		keys = append(keys, f.VisitorKeys...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return codes, keys
}

// rework changes one case the ways that move a day's statistics: a party
// added (one who has other cases), the parties removed (anonymisation),
// reopened, concluded.
func rework(t testing.TB, st *boltstore.Store, r *rand.Rand, codes, keys []string) {
	t.Helper()
	ctx := context.Background()
	code := codes[r.IntN(len(codes))]
	c, err := st.Case(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	f, err := st.CaseFacts(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	switch r.IntN(4) {
	case 0:
		f.VisitorKeys = append(slices.Clone(f.VisitorKeys), keys[r.IntN(len(keys))])
	case 1:
		f.VisitorKeys = nil
	case 2:
		f.Status, f.Handled, f.Closed, f.Outcome = cases.StatusHandling, 0, 0, ""
	default:
		f.Status, f.Handled, f.Closed, f.Outcome = cases.StatusClosed, f.Day+3, f.Day+5, cases.OutcomeAnswered
	}
	c.Status = f.Status
	snap, err := st.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Commit(ctx, &queue.Batch{Meta: snap.Meta, Writes: []any{&cases.Write{Case: c, Facts: *f}}}); err != nil {
		t.Fatal(err)
	}
}

// A stored day equals a recount of the facts records after cases change
// in every way that moves it, including a visitor's case on another day.
func TestCaseStatsEqualRecount(t *testing.T) {
	st, err := boltstore.Open(t.TempDir(), quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	codes, keys := fillSomeCases(t, st)
	if n := checkCaseDays(t, st); n < 200 {
		t.Fatalf("%d days", n)
	}
	r := rand.New(rand.NewPCG(13, 14))
	for i := range 300 {
		rework(t, st, r, codes, keys)
		if i%25 == 0 {
			checkCaseDays(t, st)
		}
	}
	checkCaseDays(t, st)
}

// The crash test: a process changes cases and reads the days' statistics
// in a loop and is killed (SIGKILL) at a random point, again and again;
// after each kill every stored day equals a recount of the facts.
func TestCaseStatsSurviveCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: kills a child process many times")
	}
	dir := t.TempDir()
	st, err := boltstore.Open(dir, quiet())
	if err != nil {
		t.Fatal(err)
	}
	fillSomeCases(t, st)
	st.Close()
	killRounds(t, dir, "TestCaseStatsCrashChild", "YITING_CASESTATS", func(st *boltstore.Store) { checkCaseDays(t, st) })
}

// TestCaseStatsCrashChild is the process TestCaseStatsSurviveCrash kills.
func TestCaseStatsCrashChild(t *testing.T) {
	dir := os.Getenv("YITING_CASESTATS_CHILD")
	if dir == "" {
		t.Skip("the child of TestCaseStatsSurviveCrash")
	}
	seed, _ := strconv.Atoi(os.Getenv("YITING_CASESTATS_SEED"))
	st, err := boltstore.Open(dir, quiet())
	if err != nil {
		t.Fatal(err)
	}
	var codes, keys []string
	err = st.EachFacts(context.Background(), cases.FactsRange{From: 1, To: 1 << 30}, func(f *cases.Facts) error {
		codes = append(codes, f.Code)
		keys = append(keys, f.VisitorKeys...)
		return nil
	})
	if err != nil || len(keys) == 0 {
		t.Fatal(err, len(keys))
	}
	r := rand.New(rand.NewPCG(uint64(seed), 17))
	for i := 0; ; i++ {
		rework(t, st, r, codes, keys)
		if i%3 == 0 {
			from := cases.MakeDate(2026, time.Month(1+r.IntN(12)), 1)
			if _, err := st.StatsDays(context.Background(), from, from+60); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// A file written before the stored days (schema 7) gains the visitor
// index and counts every day on first use.
func TestCaseStatsMigrate(t *testing.T) {
	dir := t.TempDir()
	st, err := boltstore.Open(dir, quiet())
	if err != nil {
		t.Fatal(err)
	}
	fillSomeCases(t, st)
	err = st.DB().Update(func(tx *bolt.Tx) error {
		for _, b := range []string{"case_day_stats", "case_regs"} {
			if err := tx.DeleteBucket([]byte(b)); err != nil {
				return err
			}
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), binary.BigEndian.AppendUint64(nil, 7))
	})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	st, err = boltstore.Open(dir, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if n := checkCaseDays(t, st); n < 200 {
		t.Fatalf("%d days after the migration", n)
	}
}
