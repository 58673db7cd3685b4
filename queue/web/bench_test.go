package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"yiting/queue/boltstore"
	"yiting/queue/cases"
	"yiting/queue/queuetest"
)

// BenchmarkDashboardBusyYear: the supervisor's page over one day and
// over a year of 250,000 tickets (boltstore.FillYear: 250 working days of
// 1,000), summarised and rendered: the day from its tickets, the year
// from its stored days (queue.DayStats). The year must cost no more than
// five times the day (issue 15):
//
//	go test -run XXX -bench DashboardBusyYear ./queue/web
func BenchmarkDashboardBusyYear(b *testing.B) {
	f := newFixture(b)
	from := time.Date(2025, 1, 1, 0, 0, 0, 0, queuetest.Shanghai(b))
	start := time.Now()
	if err := boltstore.FillYear(context.Background(), f.store, testHall(b), 1_000_000, from); err != nil {
		b.Fatal(err)
	}
	b.Logf("filled a year in %v", time.Since(start).Round(time.Millisecond))
	// Today is the year's last day: its tickets are counted one by one,
	// the closed days come from their stored statistics.
	snap, err := f.store.Load(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	last, err := time.ParseInLocation(time.DateOnly, snap.Meta.Day, queuetest.Shanghai(b))
	if err != nil {
		b.Fatal(err)
	}
	f.clock.Set(last.Add(17 * time.Hour))
	year := "from=2025-01-01&to=" + snap.Meta.Day
	// The first view after the days closed (or after an upgrade) counts
	// each closed day from its tickets once and stores it.
	start = time.Now()
	if w := f.get("/dashboard?"+year, secSuper); w.Code != http.StatusOK {
		b.Fatalf("status %d: %.300s", w.Code, w.Body)
	}
	b.Logf("first view of the year, storing its days: %v", time.Since(start).Round(time.Millisecond))
	for _, c := range []struct {
		name, query string
		tickets     float64
	}{
		{"today", "range=today", 1_000},
		{"closed-day", "from=2025-06-03&to=2025-06-03", 1_000},
		{"year", year, 250_000},
		// The same year without today: stored months and days only.
		{"year-to-yesterday", "from=2025-01-01&to=" + last.AddDate(0, 0, -1).Format(time.DateOnly), 249_000},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				w := f.get("/dashboard?"+c.query, secSuper)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %.300s", w.Code, w.Body)
				}
			}
			b.ReportMetric(c.tickets, "tickets/op")
		})
	}
}

// BenchmarkCaseStatsPageBusyYear: the case statistics as a supervisor
// downloads them (/dashboard/case-stats.csv) for one day, a month, the
// year and a period of odd ends of the busiest centre
// (boltstore.FillCases: 600 matters a working day), from the stored days,
// months and years (issue 15):
//
//	go test -run '^$' -bench CaseStatsPageBusyYear ./queue/web
func BenchmarkCaseStatsPageBusyYear(b *testing.B) {
	f := newCaseFixture(b)
	cal, err := cases.LoadCalendar(cases.DefaultHolidays())
	if err != nil {
		b.Fatal(err)
	}
	n, err := boltstore.FillCases(context.Background(), f.store, f.eng.Hall(), cal, 2026, 600)
	if err != nil {
		b.Fatal(err)
	}
	f.clock.Set(time.Date(2026, 12, 31, 16, 0, 0, 0, queuetest.Shanghai(b)))
	f.get("/dashboard/case-stats.csv?from=2026-01-01&to=2026-12-31", secSuper) // counts and stores the days once
	for _, c := range []struct{ name, query string }{
		{"day", "from=2026-06-03&to=2026-06-03"},
		{"year", "from=2026-01-01&to=2026-12-31"},
		{"month", "from=2026-06-01&to=2026-06-30"},
		{"rolling", "from=2026-01-20&to=2026-12-10"}, // 10 whole months and 23 days
	} {
		for _, page := range []string{"case-stats", "units"} { // the statistics, the units' assessment
			b.Run(page+"/"+c.name, func(b *testing.B) {
				for b.Loop() {
					w := f.get("/dashboard/"+page+".csv?"+c.query, secSuper)
					if w.Code != http.StatusOK {
						b.Fatalf("status %d: %.300s", w.Code, w.Body)
					}
				}
				b.ReportMetric(float64(n), "cases")
			})
		}
	}
}

// BenchmarkCasePagesBusyYear: the case list and a case page over a year
// of the busiest centre of docs/domain.md — 600 matters a working day,
// about 150,000 cases, some 20,000 of them open (boltstore.FillCases) —
// read from a real bbolt file on the book's Facts path (go test -run x
// -bench CasePagesBusyYear ./queue/web).
func BenchmarkCasePagesBusyYear(b *testing.B) {
	f := newCaseFixture(b)
	cal, err := cases.LoadCalendar(cases.DefaultHolidays())
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	n, err := boltstore.FillCases(context.Background(), f.store, f.eng.Hall(), cal, 2026, 600)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("filled %d cases in %v", n, time.Since(start).Round(time.Millisecond))
	f.clock.Set(time.Date(2026, 12, 31, 16, 0, 0, 0, queuetest.Shanghai(b)))
	open := cases.Code{Region: "421224", Day: cases.MakeDate(2026, 12, 30), Seq: 7}.String()
	for _, c := range []struct{ name, path, secret string }{
		{"list/supervisor/open", "/cases", secSuper},
		{"list/supervisor/year", "/cases?stage=all", secSuper},
		{"list/supervisor/year-by-name", "/cases?stage=all&q=" + url.QueryEscape("张*明"), secSuper},
		{"list/supervisor/overdue", "/cases?due=overdue", secSuper},
		{"list/clerk/mine", "/cases?mine=1", secStaff},
		{"case-page", "/cases/" + open, secSuper},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				w := f.get(c.path, c.secret)
				if w.Code != http.StatusOK {
					b.Fatalf("status %d: %.300s", w.Code, w.Body)
				}
			}
			b.ReportMetric(float64(n), "cases")
		})
	}
}
