package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkBoardLatency200 measures how long a call takes to reach the
// hall's screens with 200 of them connected: 200 event-stream clients
// that read and decode the events as the board and pad pages do, plus one
// real board in headless Chromium. Each iteration issues a ticket, then
// times from sending call-next to (a) every stream client having decoded
// the ticket.called event and (b) the browser board having drawn it.
//
//	go test -run XXX -bench BoardLatency200 -benchtime 50x ./cmd/yiting
//
// It reports the percentiles as metrics (ms): sse-p50, sse-p99 over all
// clients and calls, board-p50, board-p99 over the calls.
func BenchmarkBoardLatency200(b *testing.B) {
	const clients = 200
	browser := newBrowser(b)
	const adminPW = "bench-admin-pw"
	srv := startServer(b, []string{"YITING_ADMIN_PASSWORD=" + adminPW}, "-data", b.TempDir(), "-addr", "127.0.0.1:0", "-log-level", "error")
	api := newHallClient(b, srv.url, "admin", adminPW)
	secret, _ := api.token("display", "bench board", "")

	// The stream clients: each records when it decoded each call.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	arrivals := map[string][]time.Time{}
	var ready sync.WaitGroup
	var done sync.WaitGroup
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	for i := 0; i < clients; i++ {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			req, _ := http.NewRequestWithContext(ctx, "GET", srv.url+"/api/v1/events?token="+url.QueryEscape(secret), nil)
			resp, err := hc.Do(req)
			if err != nil {
				ready.Done()
				b.Error(err)
				return
			}
			defer resp.Body.Close()
			ready.Done()
			sc := bufio.NewScanner(resp.Body)
			sc.Buffer(make([]byte, 64<<10), 1<<20)
			event := ""
			for sc.Scan() {
				line := sc.Text()
				switch {
				case strings.HasPrefix(line, "event: "):
					event = strings.TrimPrefix(line, "event: ")
				case strings.HasPrefix(line, "data: ") && event == "ticket.called":
					var ev struct {
						Ticket struct {
							Number  string `json:"number"`
							Counter string `json:"counter"`
						} `json:"ticket"`
					}
					if err := json.Unmarshal([]byte(line[len("data: "):]), &ev); err != nil {
						b.Error(err)
						return
					}
					now := time.Now()
					mu.Lock()
					arrivals[ev.Ticket.Number] = append(arrivals[ev.Ticket.Number], now)
					mu.Unlock()
				case line == "":
					event = ""
				}
			}
		}()
	}
	ready.Wait()

	board := newTab(b, browser, "board")
	board.open(srv.url+"/board?voice=off&token="+url.QueryEscape(secret), 1920, 1080)
	wait[bool](board, `window.__board && window.__board.ready`, 20*time.Second)

	counters := []string{"win-01", "win-02"}
	for _, c := range counters {
		api.cmd(c, "open")
	}
	var sse, onBoard []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := counters[i%len(counters)]
		b.StopTimer()
		api.finish(c) // the counter's previous call
		tk := api.issue("petition")
		b.StartTimer()
		sent := time.Now()
		api.cmd(c, "call-next")
		at := wait[float64](board, `(window.__board.renders.find(r => r.number === `+jsString(tk.Number)+`) || {}).at`, 10*time.Second)
		onBoard = append(onBoard, time.UnixMilli(int64(at)).Sub(sent))
		deadline := time.Now().Add(10 * time.Second)
		for {
			mu.Lock()
			n := len(arrivals[tk.Number])
			mu.Unlock()
			if n == clients {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("%s reached %d of %d stream clients in 10 s", tk.Number, n, clients)
			}
			time.Sleep(time.Millisecond)
		}
		mu.Lock()
		for _, a := range arrivals[tk.Number] {
			sse = append(sse, a.Sub(sent))
		}
		mu.Unlock()
	}
	b.StopTimer()
	cancel()
	done.Wait()
	pct := func(ds []time.Duration, p float64) float64 {
		s := slices.Clone(ds)
		slices.Sort(s)
		return float64(s[int(float64(len(s)-1)*p)]) / 1e6
	}
	b.ReportMetric(pct(sse, 0.5), "sse-p50-ms")
	b.ReportMetric(pct(sse, 0.99), "sse-p99-ms")
	b.ReportMetric(pct(onBoard, 0.5), "board-p50-ms")
	b.ReportMetric(pct(onBoard, 0.99), "board-p99-ms")
	b.Logf("%d calls, %d stream clients + 1 browser board: stream p50 %.1f ms p99 %.1f ms; board p50 %.1f ms p99 %.1f ms",
		len(onBoard), clients, pct(sse, 0.5), pct(sse, 0.99), pct(onBoard, 0.5), pct(onBoard, 0.99))
}
