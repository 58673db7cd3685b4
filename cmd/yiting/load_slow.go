package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"time"
)

// loadSlow is the slow-body attack of issue 13: n clients each send a
// POST's head and then its body a byte every gap. The server must answer
// every one within its body deadline (408), or at once when it is over
// its connection limit (503), and close the connection, instead of
// holding them as long as they trickle. Each client gives up after hold;
// an answer that had not come by then counts as held.
func (c *client) loadSlow(ctx context.Context, rep *loadReport, n int, gap, hold time.Duration) error {
	u, err := url.Parse(c.base)
	if err != nil {
		return err
	}
	const body = `{"user":"nobody","password":"a slow body is never read to the end"}`
	head := fmt.Sprintf("POST /api/v1/login HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", u.Host, len(body))
	type result struct {
		status int
		after  time.Duration
	}
	results := make([]result, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", u.Host)
			if err != nil {
				return // status 0: not connected
			}
			defer conn.Close()
			t0 := time.Now()
			conn.SetDeadline(t0.Add(hold))
			go func() { // the trickle; it ends when the connection does
				if _, err := conn.Write([]byte(head)); err != nil {
					return
				}
				for j := 0; j < len(body); j++ {
					time.Sleep(gap)
					if _, err := conn.Write([]byte{body[j]}); err != nil {
						return
					}
				}
			}()
			resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
			if err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					results[i] = result{-1, time.Since(t0)} // held
				} else {
					results[i] = result{-2, time.Since(t0)} // closed unanswered: over the flood bound
				}
				return
			}
			resp.Body.Close()
			results[i] = result{resp.StatusCode, time.Since(t0)}
		}(i)
	}
	wg.Wait()
	counts := map[int]int{}
	var times []time.Duration
	for _, r := range results {
		counts[r.status]++
		if r.status > 0 || r.status == -2 {
			times = append(times, r.after)
		}
	}
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	slowest := time.Duration(0)
	if len(times) > 0 {
		slowest = times[len(times)-1]
	}
	fmt.Fprintf(rep.w, "slow bodies: %d clients, a byte every %v; answered 408: %d, 503: %d, other: %d, closed unanswered: %d, held %v or more: %d, not connected: %d; slowest answer after %v; %v in all\n",
		n, gap, counts[http.StatusRequestTimeout], counts[http.StatusServiceUnavailable], len(times)-counts[http.StatusRequestTimeout]-counts[http.StatusServiceUnavailable]-counts[-2],
		counts[-2], hold, counts[-1], counts[0], slowest.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	rep.row(fmt.Sprintf("%d POSTs sending a byte every %v: held", n, gap), fmt.Sprint(counts[-1]), "0", counts[-1] == 0 && counts[0] == 0)
	rep.row("their slowest answer (408, 503 or closed)", slowest.Round(time.Millisecond).String(), fmt.Sprintf("< %v", hold), counts[-1] == 0 && slowest < hold)
	return nil
}
