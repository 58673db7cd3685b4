package countyview_test

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"yiting/queue/county"
	"yiting/queue/county/countytest"
	"yiting/queue/queuetest"
)

// BenchmarkCatchUp measures how fast the read model takes a backlog from
// the hub's stream: the events of a township's working day (tickets and
// case steps as a real hall wrote them), repeated with fresh sequence
// numbers up to 20,000 events, applied from an empty file with real fsync
// (ns/op is per event; events/s is reported).
//
//	go test -run '^$' -bench CatchUp -benchtime 3x ./queue/county/countyview/
func BenchmarkCatchUp(b *testing.B) {
	const backlog = 20000
	now := time.Date(2026, 11, 26, 9, 0, 0, 0, queuetest.Shanghai(b))
	s := countytest.NewSite(b, "nanlinqiao", "南林桥镇综治中心", "421224", now)
	for k := range 3 {
		s.WorkDay(k)
	}
	day, err := s.Hall.Engine.Events().Wait(ctx, 0, 10000)
	if err != nil {
		b.Fatal(err)
	}
	hub := countytest.NewHub(b)
	for i := range backlog {
		ev := day[i%len(day)]
		ev.Seq = uint64(i + 1)
		data, err := json.Marshal(&ev)
		if err != nil {
			b.Fatal(err)
		}
		hub.Publish(county.Subject(s.ID), strconv.FormatUint(ev.Seq, 10), data)
	}
	clock := queuetest.NewClock(now)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := countytest.OpenModel(b, filepath.Join(b.TempDir(), "county.db"), clock, 0)
		start := time.Now()
		stop := countytest.Running(b, m, hub)
		countytest.CaughtUp(b, m, hub)
		elapsed := time.Since(start)
		stop()
		b.ReportMetric(float64(backlog)/elapsed.Seconds(), "events/s")
		m.Close()
	}
	b.ReportMetric(0, "ns/op")
}
