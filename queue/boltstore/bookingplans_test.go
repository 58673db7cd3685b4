package boltstore_test

import (
	"context"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/boltstore"
	"yiting/queue/booking"
	"yiting/queue/cases"
)

// The plans' edits: each write replaces its plan's and counts the version
// up, in the batch's transaction, and they are there after a reopen; the
// slots a plan's bookings hold are listed by start within a range, never
// another plan's of a longer id with the same beginning.
func TestPlanEditsAndTakenSlots(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := boltstore.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	loc := smallHall().Location
	at := func(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, loc) }
	capacity := 3
	b := func(id, plan string, start time.Time) *booking.Write {
		return &booking.Write{New: true, Booking: &booking.Booking{ID: id, Plan: plan, ServiceID: "petition", Day: cases.DateOf(start, loc),
			Start: start, End: start.Add(time.Hour), Channel: booking.ChannelPhone, By: "boss"}}
	}
	writes := []any{
		&booking.PlanWrite{Edit: booking.Edit{ID: "legal", Capacity: &capacity}},
		&booking.PlanWrite{Edit: booking.Edit{ID: "legal", Capacity: &capacity, Closed: []booking.Closure{{Day: cases.MakeDate(2026, 11, 30), Reason: "外出"}}}},
		&booking.PlanWrite{Edit: booking.Edit{ID: "added", Removed: true}},
		b("b1", "legal", at(27, 9)), b("b2", "legal", at(27, 9)), b("b3", "legal", at(28, 10)), b("b4", "legal", at(30, 9)),
		b("b5", "legal-x", at(27, 9)),
	}
	if err := st.Commit(ctx, &queue.Batch{Writes: writes}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if st, err = boltstore.Open(dir, nil); err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	es, version, err := st.PlanEdits(ctx)
	if err != nil || version != 3 || len(es) != 2 {
		t.Fatalf("edits %+v, version %d, %v", es, version, err)
	}
	if v, err := st.PlansVersion(ctx); err != nil || v != 3 {
		t.Fatalf("version %d, %v", v, err)
	}
	for _, e := range es {
		if e.ID == "legal" && (len(e.Closed) != 1 || *e.Capacity != 3) || e.ID == "added" && !e.Removed {
			t.Fatalf("edit %+v", e)
		}
	}
	var got []string
	err = st.EachTaken(ctx, "legal", at(27, 9), at(28, 10), func(start time.Time, n int) error {
		got = append(got, start.In(loc).Format("02 15:04")+" "+string(rune('0'+n)))
		return nil
	})
	if err != nil || len(got) != 2 || got[0] != "27 09:00 2" || got[1] != "28 10:00 1" {
		t.Fatalf("taken slots %q, %v", got, err)
	}
	if err := st.Check(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkPlansVersion: the read every booking and move makes on the
// writer to know whether the plans in memory are the committed ones.
//
//	go test -run '^$' -bench PlansVersion ./queue/boltstore
func BenchmarkPlansVersion(b *testing.B) {
	st, err := boltstore.Open(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	for b.Loop() {
		if _, err := st.PlansVersion(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
