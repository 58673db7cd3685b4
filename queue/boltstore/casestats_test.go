package boltstore_test

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"os/exec"
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

// checkCaseDays compares every stored day with a recount.
func checkCaseDays(t testing.TB, st *boltstore.Store) int {
	t.Helper()
	got, err := st.StatsDays(context.Background(), 1, 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	want := caseRecount(t, st)
	if len(got) != len(want) {
		t.Fatalf("%d days stored, %d days have cases", len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("day %s: stored\n%+v\nrecount\n%+v", got[i].Day, got[i], want[i])
		}
	}
	return len(got)
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
	r := rand.New(rand.NewPCG(15, 16))
	for round := range 8 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCaseStatsCrashChild$")
		cmd.Env = append(os.Environ(), "YITING_CASESTATS_CHILD="+dir, "YITING_CASESTATS_SEED="+strconv.Itoa(round))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(150+r.IntN(400)) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()
		st, err := boltstore.Open(dir, quiet())
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		checkCaseDays(t, st)
		st.Close()
	}
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
