package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"yiting/queue"
)

// loadHallInfo is what the scenarios need of the hall.
type loadHallInfo struct {
	services []string
	counters []string
	needsID  map[string]bool // services a kiosk issues only with a card
}

// loadVisitors is how many different synthetic visitors the load's taps
// come from: a visitor's first tap for a kind of matter opens a case, the
// later ones are return visits that join it, so that a run of any length
// stays within the day's case codes (cases.MaxSeq: 500 visitors × the
// default hall's case types < 9,999) as a real hall does.
const loadVisitors = 500

// tap is the body of a tap at the desk for service: a synthetic card of
// visitor n when the service needs one.
func (h *loadHallInfo) tap(service string, n int) map[string]any {
	b := map[string]any{"service": service}
	if h.needsID[service] {
		b["persons"] = []any{synthCard(n % loadVisitors)}
	}
	return b
}

// synthCard is an invented card holder: a Tongshan number (421224) with a
// right check character, born 1950–1999, and a name from a syllable
// table. No real person's data.
func synthCard(n int) map[string]string {
	body := fmt.Sprintf("421224%04d%02d%02d%03d", 1950+n%50, 1+n/50%12, 1+n/600%28, n%1000)
	sum := 0
	for i, w := range []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2} {
		sum += int(body[i]-'0') * w
	}
	surnames := []rune("王李张刘陈杨黄赵吴周")
	given := []rune("明华英强芳军敏静丽涛")
	return map[string]string{
		"id_number": body + string("10X98765432"[sum%11]),
		"name":      string([]rune{surnames[n%10], given[n/10%10], given[n/100%10]}),
		"card_type": "居民身份证",
	}
}

func (c *client) hall(ctx context.Context) (*loadHallInfo, error) {
	var svcs struct {
		Services []struct {
			ID       string `json:"id"`
			NeedsID  bool   `json:"needs_id"`
			DutyOnly bool   `json:"duty_only"`
			Today    string `json:"today"`
		} `json:"services"`
	}
	if _, err := c.do(ctx, "GET", "/api/v1/services", "", nil, &svcs); err != nil {
		return nil, err
	}
	var ctrs struct {
		Counters []struct {
			ID string `json:"id"`
		} `json:"counters"`
	}
	if _, err := c.do(ctx, "GET", "/api/v1/counters", "", nil, &ctrs); err != nil {
		return nil, err
	}
	h := &loadHallInfo{needsID: map[string]bool{}}
	for _, s := range svcs.Services {
		if s.DutyOnly && s.Today == "" {
			continue // not offered today (the duty rota)
		}
		h.services = append(h.services, s.ID)
		h.needsID[s.ID] = s.NeedsID
	}
	for _, x := range ctrs.Counters {
		h.counters = append(h.counters, x.ID)
	}
	if len(h.services) == 0 || len(h.counters) == 0 {
		return nil, errors.New("load: the hall has no services or counters")
	}
	return h, nil
}

type issuedTicket struct {
	Ticket struct {
		ID     uint64 `json:"id"`
		Number string `json:"number"`
	} `json:"ticket"`
}

// loadIssue: kiosks issue n tickets between them as fast as they can.
func (c *client) loadIssue(ctx context.Context, rep *loadReport, kiosks, n int, h *loadHallInfo) error {
	run := randomHex(4)
	var mu sync.Mutex
	var lat latencies
	var errs atomic.Int64
	var firstErr atomic.Value
	numbers := map[string]bool{}
	dups := 0
	// Warm up: every kiosk opens its connection and issues a few tickets
	// unmeasured, as kiosks that have been up since the morning have.
	var wg0 sync.WaitGroup
	for k := 0; k < kiosks; k++ {
		wg0.Add(1)
		go func(k int) {
			defer wg0.Done()
			for i := 0; i < 5; i++ {
				c.do(ctx, "POST", "/api/v1/tickets", fmt.Sprintf("%s-w%d-%d", run, k, i), h.tap(h.services[(k+i)%len(h.services)], k*5+i), nil)
			}
		}(k)
	}
	wg0.Wait()
	var left atomic.Int64
	left.Store(int64(n))
	start := time.Now()
	var wg sync.WaitGroup
	for k := 0; k < kiosks; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			var mine latencies
			var got []string
			for i := 0; left.Add(-1) >= 0; i++ {
				svc := h.services[(k+i)%len(h.services)]
				t0 := time.Now()
				var out issuedTicket
				_, err := c.do(ctx, "POST", "/api/v1/tickets", fmt.Sprintf("%s-k%d-%d", run, k, i), h.tap(svc, k*7919+i), &out)
				mine = append(mine, time.Since(t0))
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				got = append(got, out.Ticket.Number)
			}
			mu.Lock()
			lat = append(lat, mine...)
			for _, n := range got {
				if numbers[n] {
					dups++
				}
				numbers[n] = true
			}
			mu.Unlock()
		}(k)
	}
	wg.Wait()
	elapsed := time.Since(start)
	rate := float64(len(numbers)) / elapsed.Seconds()
	fmt.Fprintf(rep.w, "issue: %d kiosks, %d tickets in %v; latency %s; errors %d; duplicate numbers %d\n",
		kiosks, len(numbers), elapsed.Round(time.Millisecond), lat, errs.Load(), dups)
	if e := firstErr.Load(); e != nil {
		fmt.Fprintf(rep.w, "  first error: %s\n", e)
	}
	rep.row(fmt.Sprintf("tickets issued by %d concurrent kiosks", kiosks), fmt.Sprintf("%.0f /s", rate), "≥ 4,000 /s", rate >= 4000)
	rep.row("issue latency p99", ms(lat.pct(0.99)), "≤ 20 ms", lat.pct(0.99) <= 20*time.Millisecond)
	rep.row("issue errors and duplicate numbers", fmt.Sprint(errs.Load()+int64(dups)), "0", errs.Load() == 0 && dups == 0)
	return nil
}

// loadCallNext: with at least n tickets waiting (the issue scenario left
// them; the queue is topped up if not), counters call next and complete
// until nobody waits.
func (c *client) loadCallNext(ctx context.Context, rep *loadReport, counters, n int, h *loadHallInfo) error {
	ids := h.counters[:min(counters, len(h.counters))]
	for _, id := range ids {
		if _, err := c.do(ctx, "POST", "/api/v1/counters/"+id+"/open", "", nil, nil); err != nil {
			return err
		}
	}
	waiting, err := c.waiting(ctx)
	if err != nil {
		return err
	}
	run := randomHex(4)
	var wg sync.WaitGroup
	var fillErr atomic.Value
	var left atomic.Int64
	left.Store(int64(n - waiting))
	for k := 0; k < 64; k++ {
		wg.Add(1)
		go func(k int) {
			defer wg.Done()
			for i := 0; left.Add(-1) >= 0; i++ {
				svc := h.services[(k+i)%len(h.services)]
				if _, err := c.do(ctx, "POST", "/api/v1/tickets", fmt.Sprintf("%s-f%d-%d", run, k, i), h.tap(svc, k*7919+i), nil); err != nil {
					fillErr.CompareAndSwap(nil, err)
					return
				}
			}
		}(k)
	}
	wg.Wait()
	if e := fillErr.Load(); e != nil {
		return e.(error)
	}
	if waiting, err = c.waiting(ctx); err != nil {
		return err
	}
	var lat latencies
	start := time.Now()
	called, err := c.drain(ctx, ids, &lat)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	fmt.Fprintf(rep.w, "call-next: %d counters, %d tickets waiting, %d called and completed in %v; call-next latency %s\n",
		len(ids), waiting, called, elapsed.Round(time.Millisecond), lat)
	rep.row(fmt.Sprintf("call-next p99, %d counters, %d waiting", len(ids), waiting), ms(lat.pct(0.99)), "≤ 10 ms", lat.pct(0.99) <= 10*time.Millisecond && called >= waiting)
	return nil
}

// waiting is the number of tickets waiting in the whole hall.
func (c *client) waiting(ctx context.Context) (int, error) {
	var qs struct {
		Services []struct {
			Waiting int `json:"waiting"`
		} `json:"services"`
	}
	if _, err := c.do(ctx, "GET", "/api/v1/queue", "", nil, &qs); err != nil {
		return 0, err
	}
	n := 0
	for _, s := range qs.Services {
		n += s.Waiting
	}
	return n, nil
}

// drain has every counter call next and complete until nobody waits. It
// records call-next latencies in lat when not nil.
func (c *client) drain(ctx context.Context, counters []string, lat *latencies) (int, error) {
	var mu sync.Mutex
	var total atomic.Int64
	var wg sync.WaitGroup
	errc := make(chan error, len(counters))
	for _, id := range counters {
		wg.Add(1)
		go func(id string) {
			defer wg.Done()
			var mine latencies
			defer func() {
				if lat != nil {
					mu.Lock()
					*lat = append(*lat, mine...)
					mu.Unlock()
				}
			}()
			for {
				var out struct {
					Ticket *struct {
						ID uint64 `json:"id"`
					} `json:"ticket"`
				}
				t0 := time.Now()
				if _, err := c.do(ctx, "POST", "/api/v1/counters/"+id+"/call-next", "", nil, &out); err != nil {
					errc <- err
					return
				}
				mine = append(mine, time.Since(t0))
				if out.Ticket == nil {
					return
				}
				total.Add(1)
				if _, err := c.do(ctx, "POST", "/api/v1/counters/"+id+"/complete", "", nil, nil); err != nil {
					errc <- err
					return
				}
			}
		}(id)
	}
	wg.Wait()
	close(errc)
	if err := <-errc; err != nil {
		return 0, err
	}
	return int(total.Load()), nil
}

// loadEvents: subscribers hold the event stream open; tickets are issued
// one at a time and each subscriber notes when each ticket's event
// arrives.
func (c *client) loadEvents(ctx context.Context, rep *loadReport, subs, events int, h *loadHallInfo) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	arrivals := make([][]time.Time, subs)
	var ready sync.WaitGroup
	var wg sync.WaitGroup
	errc := make(chan error, subs)
	for s := 0; s < subs; s++ {
		ready.Add(1)
		wg.Add(1)
		go func(s int) {
			defer wg.Done()
			req, _ := http.NewRequestWithContext(ctx, "GET", c.base+"/api/v1/events", nil)
			req.Header.Set("Authorization", "Bearer "+c.token) // the API reads a secret from no query
			resp, err := c.sseClient().Do(req)
			if err != nil {
				ready.Done()
				errc <- err
				return
			}
			defer resp.Body.Close()
			ready.Done()
			if resp.StatusCode != 200 {
				errc <- fmt.Errorf("events: %s", resp.Status)
				return
			}
			sc := bufio.NewScanner(resp.Body)
			for sc.Scan() {
				// The tickets' own events: a tap that opens or joins a
				// case also sends the case's step.
				if sc.Text() == "event: "+string(queue.EventIssued) {
					arrivals[s] = append(arrivals[s], time.Now())
				}
			}
		}(s)
	}
	ready.Wait()
	select {
	case err := <-errc:
		return err
	default:
	}
	time.Sleep(200 * time.Millisecond) // let every stream reach its loop
	run := randomHex(4)
	sent := make([]time.Time, events)
	for i := 0; i < events; i++ {
		t0 := time.Now()
		if _, err := c.do(ctx, "POST", "/api/v1/tickets", fmt.Sprintf("%s-e%d", run, i), h.tap(h.services[i%len(h.services)], i), nil); err != nil {
			return err
		}
		sent[i] = t0
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	cancel()
	wg.Wait()
	// Each subscriber's arrivals are in event order; the i-th event of the
	// run is the i-th arrival after the stream opened.
	var lat latencies
	missing := 0
	for s := range arrivals {
		if len(arrivals[s]) < events {
			missing += events - len(arrivals[s])
		}
		for i, a := range arrivals[s] {
			if i >= events {
				break
			}
			lat = append(lat, a.Sub(sent[i]))
		}
	}
	fmt.Fprintf(rep.w, "events: %d subscribers, %d events each; issue → arrival %s; missing %d\n", subs, events, lat, missing)
	rep.row(fmt.Sprintf("event delivered to all %d subscribers, p99", subs), ms(lat.pct(0.99)), "≤ 50 ms", lat.pct(0.99) <= 50*time.Millisecond && missing == 0)
	return nil
}

// sseClient has no overall timeout: streams stay open.
func (c *client) sseClient() *http.Client {
	return &http.Client{Transport: c.http.Transport}
}
