package web_test

import (
	"context"
	"net/http"
	"testing"
	"time"
	"yiting/queue/queuetest"

	"yiting/queue/boltstore"
)

// BenchmarkDashboardBusyYear: the supervisor's page over a year of
// 250,000 tickets (boltstore.FillYear: 250 working days of 1,000), read
// from bbolt one day at a time, summarised and rendered:
//
//	go test -run XXX -bench DashboardBusyYear -benchtime 3x ./queue/web
func BenchmarkDashboardBusyYear(b *testing.B) {
	f := newFixture(b)
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, queuetest.Shanghai(b))
	start := time.Now()
	if err := boltstore.FillYear(context.Background(), f.store, testHall(b), 1_000_000, from); err != nil {
		b.Fatal(err)
	}
	b.Logf("filled a year in %v", time.Since(start).Round(time.Millisecond))
	for b.Loop() {
		w := f.get("/dashboard?from=2025-01-01&to=2025-12-31", secSuper)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %.300s", w.Code, w.Body)
		}
	}
	b.ReportMetric(250_000, "tickets/op")
}
