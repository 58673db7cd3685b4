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
