package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	hallconfig "yiting/firmware-config"
	"yiting/queue"
	"yiting/queue/boltstore"
)

// Helpers of the browser tests: Debian's chromium driven by chromedp, the
// real yiting process (startServer) and an admin client of its API.

// chromiumPath finds the browser (YITING_CHROMIUM, else Debian's). The
// browser tests fail, never skip, without it: CI must install it
// (apt-get install chromium).
func chromiumPath(t testing.TB) string {
	t.Helper()
	for _, name := range []string{os.Getenv("YITING_CHROMIUM"), "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if name == "" {
			continue
		}
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("the browser tests need Chromium: apt-get install chromium (Debian) — not found on PATH")
	return ""
}

// newBrowser starts one headless Chromium for the test; tabs share it.
// Audio may play without a gesture, as in the hall's kiosk session
// (platform-notes.md). extra adds options, such as a window size.
func newBrowser(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.Flag("lang", "zh-CN"),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), append(opts, extra...)...)
	t.Cleanup(cancel)
	bctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx
}

// tab is one browser tab; uncaught JavaScript errors are collected and
// fail the test at its end.
type tab struct {
	t   testing.TB
	ctx context.Context
	mu  sync.Mutex
	exc []string
}

func newTab(t testing.TB, browser context.Context, name string, opts ...chromedp.ContextOption) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, opts...)
	tb := &tab{t: t, ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open tab %s: %v", name, err)
	}
	events := chromedp.Events(ctx, runtime.ExceptionThrown)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			tb.mu.Lock()
			tb.exc = append(tb.exc, fmt.Sprintf("%s:%d: %s", d.URL, d.LineNumber, msg))
			tb.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, e := range tb.exc {
			t.Errorf("JavaScript error in the %s tab: %s", name, e)
		}
		cancel()
	})
	return tb
}

// do runs actions within a minute.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, time.Minute)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("browser: %v", err)
	}
}

// open shows url at the given size, in front.
func (tb *tab) open(url string, w, h int64) {
	tb.t.Helper()
	tb.do(chromedp.EmulateViewport(w, h), chromedp.Navigate(url), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Call(ctx, page.BringToFront, cdp.Empty{})
		return err
	}))
}

// eval evaluates a JavaScript expression.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// wait polls a JavaScript expression until it is truthy and returns its
// value; it fails the test after timeout. Polling by interval, not by
// animation frame: a tab behind another gets no frames. A navigation
// (the login page going on to the console) restarts the poll on the new
// page.
func wait[T any](tb *tab, expr string, timeout time.Duration) T {
	tb.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		ctx, cancel := context.WithTimeout(tb.ctx, left+10*time.Second)
		v, err := chromedp.Run(ctx, chromedp.Poll[T](expr, chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(max(left, time.Millisecond))))
		cancel()
		switch {
		case err == nil:
			return v
		case (strings.Contains(err.Error(), "navigated or closed") || strings.Contains(err.Error(), "Cannot find context")) && time.Now().Before(deadline):
			// The page navigated (the login page sends the browser on)
			// while the expression was being evaluated: ask the new one.
			time.Sleep(20 * time.Millisecond)
			continue
		}
		tb.t.Fatalf("waited %v for %s: %v", timeout, expr, err)
	}
}

// screenshot captures the viewport as PNG, scaled down until it is under
// maxBytes.
func (tb *tab) screenshot(w, h float64, maxBytes int) []byte {
	tb.t.Helper()
	for _, scale := range []float64{1, 0.75, 0.5} {
		var png []byte
		tb.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			r, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{
				Format: page.CaptureScreenshotFormatPng,
				Clip:   &page.Viewport{Width: w, Height: h, Scale: scale},
			})
			png = r.Data
			return err
		}))
		if len(png) < maxBytes {
			return png
		}
	}
	tb.t.Fatalf("a screenshot stays over %d bytes even at half size", maxBytes)
	return nil
}

// freeAddr is a loopback address nobody listens on, so a server can be
// restarted on the same port.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// hallClient is an admin client of the server's API that fails the test
// on any error.
type hallClient struct {
	t    testing.TB
	ctx  context.Context
	c    *client
	keys int
}

func newHallClient(t testing.TB, url, user, password string) *hallClient {
	t.Helper()
	ctx := testCtx(t)
	c, err := login(ctx, url, user, password)
	if err != nil {
		t.Fatal(err)
	}
	return &hallClient{t: t, ctx: ctx, c: c}
}

func (h *hallClient) do(method, path string, body, out any) {
	h.t.Helper()
	h.keys++
	if _, err := h.c.do(h.ctx, method, path, fmt.Sprint("browser-test-", time.Now().UnixNano(), "-", h.keys), body, out); err != nil {
		h.t.Fatal(err)
	}
}

type apiTicket struct {
	ID      uint64 `json:"id"`
	Number  string `json:"number"`
	Status  string `json:"status"`
	Counter string `json:"counter"`
	Rating  *struct {
		Level   int      `json:"level"`
		Reasons []string `json:"reasons"`
		By      string   `json:"by"`
	} `json:"rating"`
}

func (h *hallClient) issue(service string) apiTicket {
	h.t.Helper()
	var out struct {
		Ticket apiTicket `json:"ticket"`
	}
	h.keys++
	body := map[string]any{"service": service}
	if service != "consult" { // the default hall's other services read a card
		body["persons"] = []any{synthCard(h.keys)}
	}
	h.do("POST", "/api/v1/tickets", body, &out)
	return out.Ticket
}

// cmd runs a counter command and returns its ticket (nil for none).
func (h *hallClient) cmd(counter, name string) *apiTicket {
	h.t.Helper()
	var out struct {
		Ticket *apiTicket `json:"ticket"`
	}
	h.do("POST", "/api/v1/counters/"+counter+"/"+name, nil, &out)
	return out.Ticket
}

// finish completes whatever the counter has called or serves, if anything.
func (h *hallClient) finish(counter string) {
	h.t.Helper()
	h.keys++
	_, err := h.c.do(h.ctx, "POST", "/api/v1/counters/"+counter+"/complete", "", nil, nil)
	if err != nil && !strings.Contains(err.Error(), ": 409 ") {
		h.t.Fatal(err)
	}
}

func (h *hallClient) ticket(id uint64) apiTicket {
	h.t.Helper()
	var out apiTicket
	h.do("GET", fmt.Sprint("/api/v1/tickets/", id), nil, &out)
	return out
}

// token creates a device token and returns its secret and id.
func (h *hallClient) token(role, name, counter string) (secret, id string) {
	h.t.Helper()
	var out struct {
		Token struct {
			ID string `json:"id"`
		} `json:"token"`
		Secret string `json:"secret"`
	}
	h.do("POST", "/api/v1/admin/tokens", map[string]string{"role": role, "name": name, "counter": counter}, &out)
	return out.Secret, out.Token.ID
}

func (h *hallClient) user(name, display, password string, counters ...string) {
	h.t.Helper()
	h.do("POST", "/api/v1/admin/users", map[string]any{"name": name, "display_name": display, "role": "staff",
		"counters": counters, "password": password}, nil)
}

// counterTicket is the number the server holds as the counter's current
// ticket, "" for none.
func (h *hallClient) counterTicket(counter string) string {
	h.t.Helper()
	var out struct {
		Counters []struct {
			ID     string     `json:"id"`
			Ticket *apiTicket `json:"ticket"`
		} `json:"counters"`
	}
	h.do("GET", "/api/v1/counters", nil, &out)
	for _, c := range out.Counters {
		if c.ID == counter && c.Ticket != nil {
			return c.Ticket.Number
		}
	}
	return ""
}

// fillHistory writes days of past business days into a fresh data
// directory, as the engine would have: visitors through the hall's
// counters, served by a few clerks, with no-shows and ratings. It gives
// the dashboard a month to show.
func fillHistory(t testing.TB, dir string, hall *queue.Hall, days int) {
	t.Helper()
	st, err := boltstore.Open(dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	r := rand.New(rand.NewPCG(2026, 11))
	clerks := []string{"zhangwei", "liuyang", "chenjing", "wangfang", "lina", "zhaolei"}
	popular := []string{"petition", "petition", "petition", "law-petition", "consult", "consult", "labour-security",
		"mediation-family", "mediation-traffic", "legal-aid", "legal-advice", "litigation", "housing", "consumer"}
	reasons := []string{"等候时间太长", "工作人员态度不好", "办事效率低", "问题没有解决", "政策解释不清楚"}
	var m queue.Meta
	prev := ""
	day := time.Now().In(hall.Location).AddDate(0, 0, -days)
	day = time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, hall.Location)
	for d := 0; d < days; d++ {
		if day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
			day = day.AddDate(0, 0, 1)
			continue
		}
		b := &queue.Batch{Numbers: map[string]int{}, Idem: map[string]uint64{}}
		m.Day = day.Format(time.DateOnly)
		m.DayStartID = m.LastTicketID + 1
		n := 12 + r.IntN(25)
		for i := 0; i < n; i++ {
			sv, _ := hall.Service(popular[r.IntN(len(popular))])
			var counters []queue.Counter
			for _, c := range hall.Counters {
				if _, ok := c.Serves(sv.ID); ok {
					counters = append(counters, c)
				}
			}
			c := counters[r.IntN(len(counters))]
			b.Numbers[sv.ID]++
			m.LastTicketID++
			issued := day.Add(8*time.Hour + 30*time.Minute + time.Duration(r.IntN(8*60))*time.Minute)
			tk := &queue.Ticket{ID: m.LastTicketID, Seq: b.Numbers[sv.ID], Number: queue.FormatNumber(sv.Prefix, b.Numbers[sv.ID]),
				Day: m.Day, ServiceID: sv.ID, Kiosk: "kiosk:history", IssuedAt: issued, ArrivedAt: issued, Status: queue.StatusDone,
				CounterID: c.ID, StaffID: clerks[int(c.ID[len(c.ID)-1])%len(clerks)]}
			tk.FirstCall = issued.Add(time.Duration(2+r.IntN(38)) * time.Minute)
			tk.CalledAt = tk.FirstCall
			switch x := r.IntN(100); {
			case x < 6:
				tk.Status, tk.DoneAt = queue.StatusNoShow, tk.CalledAt.Add(5*time.Minute)
			default:
				tk.StartedAt = tk.CalledAt.Add(time.Duration(30+r.IntN(120)) * time.Second)
				tk.DoneAt = tk.StartedAt.Add(time.Duration(4+r.IntN(40)) * time.Minute)
				if r.IntN(100) < 78 {
					l := []queue.Level{5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 3, 3, 2, 1}[r.IntN(14)]
					var rs []string
					if l.Bad() {
						rs = []string{reasons[r.IntN(len(reasons))]}
					}
					tk.Rating = &queue.Rating{Level: l, Reasons: rs, At: tk.DoneAt.Add(30 * time.Second), By: "pad:history"}
				}
			}
			m.LastEventSeq++
			cp := *tk
			typ := queue.EventCompleted
			if tk.Status == queue.StatusNoShow {
				typ = queue.EventNoShow
			}
			b.Events = append(b.Events, queue.Event{Seq: m.LastEventSeq, Time: tk.DoneAt, Type: typ, Actor: tk.StaffID, Ticket: &cp})
			b.Tickets = append(b.Tickets, tk)
		}
		m.LastSeen = day.Add(18 * time.Hour)
		b.Meta, b.DropDay = m, prev
		prev = m.Day
		if err := st.Commit(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		day = day.AddDate(0, 0, 1)
	}
}

// defaultHall is the embedded Tongshan hall the server runs on.
func defaultHall(t testing.TB) *hallconfig.Config {
	t.Helper()
	cfg, err := hallconfig.Default()
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// espeakInstalled reports whether the server will speak with espeak-ng.
func espeakInstalled() bool {
	return findEspeak(context.Background()) != nil
}

// numbers lists the numbers of announcements, in order.
func announcedNumbers(as []announcement) string {
	var s []string
	for _, a := range as {
		s = append(s, a.Number)
	}
	return strings.Join(s, " ")
}

// announcement is what the board's queue records (window.__announcements).
type announcement struct {
	Number  string  `json:"number"`
	Counter string  `json:"counter"`
	Path    string  `json:"path"`
	Start   float64 `json:"start"`
	End     float64 `json:"end"`
}

// loginTab opens a tab of its own (its own cookies) on base's login page,
// logs in and waits until the page next has loaded.
func loginTab(t testing.TB, browser context.Context, base, name, user, password, next string) *tab {
	t.Helper()
	tb := newTab(t, browser, name, chromedp.WithNewBrowserContext())
	tb.open(base+"/login?next="+url.QueryEscape(next), 1440, 900)
	tb.do(chromedp.SendKeys(chromedp.ID("user"), user), chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.ID("login-submit")))
	wait[bool](tb, `location.pathname === `+jsString(strings.SplitN(next, "?", 2)[0])+` && document.readyState === 'complete'`, 15*time.Second)
	return tb
}

// submitAct fills and submits an action form of the case page and waits
// for the page to come back, without an error shown, with until true.
func submitAct(tb *tab, form, until string, fill ...chromedp.Action[chromedp.Void]) {
	eval[chromedp.Void](tb, `window.__before = true`)
	tb.do(fill...)
	tb.do(chromedp.Click(chromedp.CSS(form + ` button[type=submit]`)))
	wait[bool](tb, `!window.__before && document.readyState === 'complete' && (document.getElementById('act-error').hidden || (()=>{throw new Error(document.getElementById('act-error').textContent)})()) && `+until, 15*time.Second)
}

// freshHallPW is the admin's password in freshHall.
const freshHallPW = "fresh-hall-admin-pw"

// freshHall starts the real yiting process on an empty data directory (or
// dir, when given) with a known admin password, and an admin client of it.
func freshHall(t testing.TB, dir string) (*process, *hallClient) {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	srv := startServer(t, []string{"YITING_ADMIN_PASSWORD=" + freshHallPW}, "-data", dir, "-addr", freeAddr(t), "-log-level", "warn")
	return srv, newHallClient(t, srv.url, "admin", freshHallPW)
}
