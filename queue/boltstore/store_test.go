package boltstore_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
	"yiting/queue/boltstore"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestSecondProcessFailsFast(t *testing.T) {
	dir := t.TempDir()
	st, err := boltstore.Open(dir, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	_, err = boltstore.Open(dir, quiet())
	if !errors.Is(err, boltstore.ErrLocked) {
		t.Fatalf("second open: %v, want ErrLocked", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("second open took %v", d)
	}
	if !strings.Contains(err.Error(), dir) {
		t.Fatalf("message %q does not name the directory", err)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	dir := t.TempDir()
	st, err := boltstore.Open(dir, quiet())
	if err != nil {
		t.Fatal(err)
	}
	err = st.DB().Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte{0, 0, 0, 0, 0, 0, 0, 99})
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := boltstore.Open(dir, quiet()); err == nil || !strings.Contains(err.Error(), "schema 99") {
		t.Fatalf("open of a newer schema: %v", err)
	}
}

func TestCommitLoadRoundTrip(t *testing.T) {
	st, err := boltstore.Open(t.TempDir(), quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	day1 := &queue.Batch{
		Meta:    queue.Meta{LastSeen: now, Day: "2026-11-26", DayStartID: 1, LastTicketID: 2, LastEventSeq: 2},
		Tickets: []*queue.Ticket{{ID: 1, Number: "A001", Day: "2026-11-26"}, {ID: 2, Number: "A002", Day: "2026-11-26"}},
		Numbers: map[string]int{"petition": 2},
		Idem:    map[string]uint64{"k|1": 1, "k|2": 2},
		Events:  []queue.Event{{Seq: 1, Type: queue.EventIssued}, {Seq: 2, Type: queue.EventIssued}},
	}
	if err := st.Commit(ctx, day1); err != nil {
		t.Fatal(err)
	}
	day2 := &queue.Batch{
		Meta:    queue.Meta{LastSeen: now.Add(24 * time.Hour), Day: "2026-11-27", DayStartID: 3, LastTicketID: 3, LastEventSeq: 3},
		Tickets: []*queue.Ticket{{ID: 3, Number: "A001", Day: "2026-11-27"}},
		Numbers: map[string]int{"petition": 1},
		Idem:    map[string]uint64{"k|1": 3},
		Events:  []queue.Event{{Seq: 3, Type: queue.EventIssued}},
		DropDay: "2026-11-26",
	}
	if err := st.Commit(ctx, day2); err != nil {
		t.Fatal(err)
	}
	snap, err := st.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if snap.Meta.Day != "2026-11-27" || len(snap.Tickets) != 1 || snap.Tickets[0].ID != 3 ||
		snap.Numbers["petition"] != 1 || len(snap.Idem) != 1 || snap.Idem["k|1"] != 3 {
		t.Fatalf("snapshot after the second day: %+v", snap)
	}
	if tk, err := st.Ticket(ctx, 1); err != nil || tk.Number != "A001" || tk.Day != "2026-11-26" {
		t.Fatalf("yesterday's ticket: %+v, %v", tk, err)
	}
	if _, err := st.Ticket(ctx, 99); !errors.Is(err, queue.ErrNotFound) {
		t.Fatalf("missing ticket: %v", err)
	}
	evs, err := st.Events(ctx, 1, 10)
	if err != nil || len(evs) != 2 || evs[0].Seq != 2 {
		t.Fatalf("events after 1: %+v, %v", evs, err)
	}
	if err := st.Check(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkStartup measures opening a data directory that holds a year
// of a busy hall and rebuilding the engine from it.
func BenchmarkStartup(b *testing.B) {
	dir := b.TempDir()
	st, err := boltstore.Open(dir, quiet())
	if err != nil {
		b.Fatal(err)
	}
	if err := boltstore.FillYear(context.Background(), st, smallHall(), 500_000, time.Date(2025, 11, 26, 9, 0, 0, 0, time.UTC)); err != nil {
		b.Fatal(err)
	}
	st.Close()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st, err := boltstore.Open(dir, quiet())
		if err != nil {
			b.Fatal(err)
		}
		eng, err := queue.New(context.Background(), smallHall(), st, queue.Options{Logger: quiet()})
		if err != nil {
			b.Fatal(err)
		}
		eng.Close()
		st.Close()
	}
	_ = fmt.Sprint
}

func TestTicketsBetweenDays(t *testing.T) {
	st, err := boltstore.Open(t.TempDir(), quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	hall := smallHall()
	if err := boltstore.FillYear(ctx, st, hall, 250*4*4, time.Date(2026, 1, 5, 9, 0, 0, 0, hall.Location)); err != nil {
		t.Fatal(err)
	}
	days := map[string]int{}
	err = st.TicketsBetween(ctx, "2026-01-06", "2026-01-08", func(tk *queue.Ticket) error {
		days[tk.Day]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Working days from Monday 5 January, four tickets a day.
	if len(days) != 3 || days["2026-01-06"] != 4 || days["2026-01-08"] != 4 {
		t.Fatalf("tickets by day: %v", days)
	}
	n := 0
	st.TicketsBetween(ctx, "2026-01-10", "2026-01-11", func(*queue.Ticket) error { n++; return nil }) // a weekend
	if n != 0 {
		t.Fatalf("%d tickets on a weekend", n)
	}
}

// A file of schema 1 (before the day index) opens and gains the index.
func TestMigratesSchema1(t *testing.T) {
	dir := t.TempDir()
	db, err := bolt.Open(dir+"/"+boltstore.FileName, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		meta, _ := tx.CreateBucket([]byte("meta"))
		for _, b := range []string{"tickets", "counters", "seq", "idem", "events", "users", "sessions", "tokens"} {
			tx.CreateBucket([]byte(b))
		}
		return meta.Put([]byte("schema"), []byte{0, 0, 0, 0, 0, 0, 0, 1})
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	st, err := boltstore.Open(dir, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Commit(context.Background(), &queue.Batch{Meta: queue.Meta{Day: "2026-11-26", DayStartID: 1, LastTicketID: 1, LastEventSeq: 1},
		Tickets: []*queue.Ticket{{ID: 1, Day: "2026-11-26"}}, Events: []queue.Event{{Seq: 1}}})
	if err != nil {
		t.Fatalf("commit after migrating: %v", err)
	}
	n := 0
	st.TicketsBetween(context.Background(), "2026-11-26", "2026-11-26", func(*queue.Ticket) error { n++; return nil })
	if n != 1 {
		t.Fatalf("day index after migration: %d tickets", n)
	}
}
