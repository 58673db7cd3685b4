package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"yiting/queue"
)

// streamsPerToken is how many event streams the load tool opens with one
// display token: within the server's per-principal limit (-max-streams),
// as a few boards sharing a token would be.
const streamsPerToken = 4

// displayTokens creates a display token for every streamsPerToken of n
// streams and returns their secrets.
func (c *client) displayTokens(ctx context.Context, n int) ([]string, error) {
	run := randomHex(4)
	secrets := make([]string, (n+streamsPerToken-1)/streamsPerToken)
	for i := range secrets {
		var out struct {
			Secret string `json:"secret"`
		}
		body := map[string]string{"role": string(queue.RoleDisplay), "name": fmt.Sprintf("负载显示屏 %s-%d", run, i)}
		if _, err := c.do(ctx, "POST", "/api/v1/admin/tokens", "", body, &out); err != nil {
			return nil, err
		}
		secrets[i] = out.Secret
	}
	return secrets, nil
}

// openStream opens the event stream with a display token's secret on
// the client's transport; it returns the response, whose status the
// caller checks.
func (c *client) openStream(ctx context.Context, secret string) (*http.Response, error) {
	return c.openStreamWith(ctx, c.sseClient(), secret)
}

func (c *client) openStreamWith(ctx context.Context, hc *http.Client, secret string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", c.base+"/api/v1/events", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+secret)
	return hc.Do(req)
}

// loadStreams measures what idle event streams cost the server: n
// clients (boards) open the stream and wait, and the server's anonymous
// resident memory (its Go heap, stacks and runtime) before and after
// gives the cost of one. Streams over the server's -max-conns are
// refused with 503, or closed unanswered past the 64 it answers, and
// counted. One ticket is then issued and every open
// stream must receive its event: the streams are live, not just held.
func (c *client) loadStreams(ctx context.Context, rep *loadReport, srv *childServer, n int, h *loadHallInfo) error {
	secrets, err := c.displayTokens(ctx, n)
	if err != nil {
		return err
	}
	// The tool's own connections (this client's) stay open beside the
	// streams; the baseline is taken with them.
	before, err := srv.memory("RssAnon")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// The streams' own transport: the tool's connection for the ticket
	// stays its own when the server is full.
	hc := &http.Client{Transport: &http.Transport{}}
	var (
		ready    sync.WaitGroup
		wg       sync.WaitGroup
		open     atomic.Int64
		refused  atomic.Int64
		failed   atomic.Int64
		received atomic.Int64
		firstErr atomic.Value
	)
	for i := 0; i < n; i++ {
		ready.Add(1)
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			resp, err := c.openStreamWith(ctx, hc, secrets[i/streamsPerToken])
			if closedUnanswered(err) { // over the limit, past those it answers 503
				refused.Add(1)
				ready.Done()
				return
			}
			if err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
				ready.Done()
				return
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				if resp.StatusCode == http.StatusServiceUnavailable {
					refused.Add(1)
				} else {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, resp.Status)
				}
				ready.Done()
				return
			}
			sc := bufio.NewScanner(resp.Body)
			if !sc.Scan() { // "retry: …": the stream is in its loop
				failed.Add(1)
				ready.Done()
				return
			}
			open.Add(1)
			ready.Done()
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "event: "+string(queue.EventIssued)) {
					received.Add(1)
					return
				}
			}
		}(i)
	}
	ready.Wait()
	time.Sleep(time.Second) // let the server settle: collected garbage, idle streams
	after, err := srv.memory("RssAnon")
	if err != nil {
		return err
	}
	if _, err := c.do(ctx, "POST", "/api/v1/tickets", "streams-"+randomHex(4), h.tap(h.services[0], 1), nil); err != nil {
		return err
	}
	deadline := time.Now().Add(10 * time.Second)
	for received.Load() < open.Load() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	peak, err := srv.memory("VmHWM")
	if err != nil {
		return err
	}
	cancel()
	wg.Wait()
	if failed.Load() > 0 {
		return fmt.Errorf("load: %d of %d streams failed (first: %v)", failed.Load(), n, firstErr.Load())
	}
	per := float64(after-before) / float64(max(open.Load(), 1))
	fmt.Fprintf(rep.w, "streams: %d clients, %d open, %d refused (503 or closed); anonymous memory %.1f MB → %.1f MB, %.1f KB an open stream; %d of %d received the next ticket's event\n",
		n, open.Load(), refused.Load(), float64(before)/1e6, float64(after)/1e6, per/1e3, received.Load(), open.Load())
	rep.row(fmt.Sprintf("server resident memory, peak, %d stream clients (%d open, %d refused)", n, open.Load(), refused.Load()),
		fmt.Sprintf("%.1f MB", float64(peak)/1e6), "≤ 80 MB", peak <= 80e6 && received.Load() == open.Load())
	return nil
}

// closedUnanswered reports whether err is the server closing a
// connection without an answer.
func closedUnanswered(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
}
