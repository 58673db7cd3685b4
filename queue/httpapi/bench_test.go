package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"yiting/queue"
)

// benchSetup logs requests at Info into io.Discard: the formatting cost
// of the request log is paid as in production.
func benchSetup(s *setup) {
	s.log = slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// issueBody is a kiosk's tap with a (synthetic) card: the desk masks the
// name, keys the number and gives the age-based priority; the test hall's
// petitions open no case (BenchmarkIssueWithCase does).
var issueBody = []byte(`{"service":"petition","persons":[{"id_number":"421224198506150012","name":"张小三"}]}`)

// BenchmarkIssue issues tickets through the router from 64 goroutines,
// without the network: API + engine + bbolt with fsync and group commit.
//
//	go test -run '^$' -bench 'Issue$' -benchtime 20000x ./queue/httpapi/
func BenchmarkIssue(b *testing.B) {
	f := newFixture(b, benchSetup)
	var key atomic.Int64
	b.SetParallelism(max(1, 64/runtimeProcs()))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest("POST", "/api/v1/tickets", bytes.NewReader(issueBody))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", "Bearer "+secKiosk)
			r.Header.Set("Idempotency-Key", "k"+strconv.FormatInt(key.Add(1), 10))
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, r)
			if w.Code != http.StatusCreated {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
}

// BenchmarkIssueWithCase issues tickets that open a case (the first tap
// of each of 500 visitors) or join the visitor's open one (the rest),
// from the service desk's 64 goroutines: the desk's whole path — first-
// visit lookup, sealing, the case and its indexes and events — in the
// engine's group commit.
//
//	go test -run '^$' -bench 'IssueWithCase$' -benchtime 20000x ./queue/httpapi/
func BenchmarkIssueWithCase(b *testing.B) {
	f := newCaseFixture(b)
	var key atomic.Int64
	bodies := make([][]byte, 500)
	for i := range bodies {
		p := synthPerson(i)
		bodies[i] = []byte(fmt.Sprintf(`{"service":"petition","persons":[{"id_number":%q,"name":%q}]}`, p["id_number"], p["name"]))
	}
	b.SetParallelism(max(1, 64/runtimeProcs()))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := key.Add(1)
			r := httptest.NewRequest("POST", "/api/v1/tickets", bytes.NewReader(bodies[n%int64(len(bodies))]))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", "Bearer "+secSuper)
			r.Header.Set("Idempotency-Key", "k"+strconv.FormatInt(n, 10))
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, r)
			if w.Code != http.StatusCreated {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
}

// BenchmarkIssueHTTP is the load target's shape: 64 clients with
// keep-alive over loopback TCP. Flat out, they issue as fast as the
// server answers; paced, request i is due at start + i/rate and its
// latency is counted from that moment (so a stall delays the requests
// behind it and shows in the percentiles: no coordinated omission). It
// reports throughput and latency percentiles. The clients share the CPU
// with the server, so on 2 cores the figures are pessimistic.
//
//	go test -run '^$' -bench IssueHTTP -benchtime 20000x ./queue/httpapi/
func BenchmarkIssueHTTP(b *testing.B) {
	b.Run("flat-out", func(b *testing.B) { benchIssueHTTP(b, 0) })
	b.Run("4000-per-s", func(b *testing.B) { benchIssueHTTP(b, 4000) })
}

func benchIssueHTTP(b *testing.B, rate float64) {
	const clients = 64
	f := newFixture(b, benchSetup)
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	url := srv.URL + "/api/v1/tickets"

	var next atomic.Int64
	lat := make([]time.Duration, b.N)
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				if rate > 0 {
					t0 = start.Add(time.Duration(float64(i) / rate * float64(time.Second)))
					time.Sleep(time.Until(t0))
				}
				req, _ := http.NewRequest("POST", url, bytes.NewReader(issueBody))
				req.Header.Set("Content-Type", "application/json")
				// The desk's session, as the load tool: a kiosk's token taps
				// cards no faster than a visitor does (429 after 20).
				req.Header.Set("Authorization", "Bearer "+secSuper)
				req.Header.Set("Idempotency-Key", "h"+strconv.FormatInt(i, 10))
				resp, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != http.StatusCreated {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				lat[i] = time.Since(t0)
				if err != nil {
					failed.Store(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, _ := failed.Load().(error); err != nil {
		b.Fatal(err)
	}
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(float64(len(lat)-1)*p)].Microseconds()) / 1000 }
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "issues/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(pct(1), "max-ms")
}

// BenchmarkQueueState is a read on the hot path of every board and
// console refresh: authentication, state, JSON.
func BenchmarkQueueState(b *testing.B) {
	f := newFixture(b, benchSetup)
	f.open("w1", "w2")
	for range 50 {
		f.issue("petition")
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := httptest.NewRequest("GET", "/api/v1/queue", nil)
			r.Header.Set("Authorization", "Bearer "+secDisplay)
			w := httptest.NewRecorder()
			f.h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d", w.Code)
			}
		}
	})
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }

// BenchmarkEngineIssue is BenchmarkIssue without HTTP: the engine and
// bbolt alone, the floor the API stands on.
func BenchmarkEngineIssue(b *testing.B) {
	f := newFixture(b, benchSetup)
	p, _ := f.auth.Authenticate(context.Background(), secKiosk)
	var key atomic.Int64
	b.SetParallelism(max(1, 64/runtimeProcs()))
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			_, err := f.eng.Issue(context.Background(), p, queue.IssueRequest{ServiceID: "petition",
				Visitor: queue.Visitor{Key: "0123456789abcdef0123456789abcdef", MaskedName: "张*三"}, IdempotencyKey: "e" + strconv.FormatInt(key.Add(1), 10)})
			if err != nil {
				b.Fatal(err)
			}
		}
	})
}
