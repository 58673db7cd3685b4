package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// loadDay is a busy day: 64 kiosks issue flat out in rounds of a fixed
// length — about 200,000 tickets in five rounds — and nobody is called,
// so every ticket of the day stays waiting. A hall must never get slower
// because it was busy: the last round must keep at least 90 % of the
// first's rate, with no error. After each round the server's anonymous
// resident memory (its Go heap and runtime) against the tickets waiting
// gives the memory budget: a baseline and a cost per waiting ticket (a
// least-squares line over the rounds).
func (c *client) loadDay(ctx context.Context, rep *loadReport, srv *childServer, kiosks, rounds int, round time.Duration, h *loadHallInfo) error {
	run := randomHex(4)
	base, err := srv.memory("RssAnon")
	if err != nil {
		return err
	}
	var (
		total   int64
		errs    atomic.Int64
		firstE  atomic.Value
		rates   []float64
		tickets = []float64{0}
		anon    = []float64{float64(base)}
	)
	for r := 0; r < rounds; r++ {
		deadline := time.Now().Add(round)
		var n atomic.Int64
		var wg sync.WaitGroup
		for k := 0; k < kiosks; k++ {
			wg.Add(1)
			go func(k int) {
				defer wg.Done()
				for i := 0; time.Now().Before(deadline); i++ {
					_, err := c.do(ctx, "POST", "/api/v1/tickets", fmt.Sprintf("%s-d%d-%d-%d", run, r, k, i), h.tap(h.services[(k+i)%len(h.services)], k*7919+i), nil)
					if err != nil {
						errs.Add(1)
						firstE.CompareAndSwap(nil, err.Error())
						continue
					}
					n.Add(1)
				}
			}(k)
		}
		wg.Wait()
		total += n.Load()
		rate := float64(n.Load()) / round.Seconds()
		rates = append(rates, rate)
		a, err := srv.memory("RssAnon")
		if err != nil {
			return err
		}
		tickets, anon = append(tickets, float64(total)), append(anon, float64(a))
		fmt.Fprintf(rep.w, "day: round %d: %.0f tickets/s; %d waiting, %.1f MB anonymous memory\n", r+1, rate, total, float64(a)/1e6)
	}
	if e := firstE.Load(); e != nil {
		fmt.Fprintf(rep.w, "  first error: %s\n", e)
	}
	last, first := rates[len(rates)-1], rates[0]
	rep.row(fmt.Sprintf("a busy day: %d rounds of %v, %d tickets; the last round's rate against the first's", rounds, round, total),
		fmt.Sprintf("%.0f%% (%.0f → %.0f /s), %d errors", 100*last/first, first, last, errs.Load()), "≥ 90 %, 0 errors",
		last >= 0.9*first && errs.Load() == 0)
	b0, k := fitLine(tickets, anon)
	rep.row("memory budget (anonymous RSS: Go heap and runtime)", fmt.Sprintf("%.1f MB + %.0f bytes a waiting ticket", b0/1e6, k), "stated", true)
	return nil
}

// fitLine is the least-squares line y = a + b·x.
func fitLine(x, y []float64) (a, b float64) {
	var sx, sy, sxx, sxy float64
	n := float64(len(x))
	for i := range x {
		sx += x[i]
		sy += y[i]
		sxx += x[i] * x[i]
		sxy += x[i] * y[i]
	}
	if d := n*sxx - sx*sx; d != 0 {
		b = (n*sxy - sx*sy) / d
	}
	return (sy - b*sx) / n, b
}
