package main

import (
	"context"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var writeScreenshots = flag.Bool("screenshots", false, "write the pages' screenshots to docs/screenshots (browser test)")

const screenshotMax = 200_000 // bytes: the README's images stay small

// TestHallScreensInChromium runs the real yiting process with a month of
// history and drives its pages in one headless Chromium, one tab each:
// the board follows calls live and across a server restart and speaks them
// one at a time; the pad takes a rating for its counter; a clerk logs in
// and calls with the keyboard; two clerks pressing N at once never get the
// same visitor. It ends with screenshots of every page.
func TestHallScreensInChromium(t *testing.T) {
	outer := t
	browser := newBrowser(t)
	dir := t.TempDir()
	fillHistory(t, dir, &defaultHall(t).Hall, 30)
	addr := freeAddr(t)
	const adminPW = "browser-admin-pw"
	env := []string{"YITING_ADMIN_PASSWORD=" + adminPW}
	srv := startServer(t, env, "-data", dir, "-addr", addr, "-log-level", "warn")
	api := newHallClient(t, srv.url, "admin", adminPW)
	serverVoice := espeakInstalled()

	displaySecret, _ := api.token("display", "大厅显示屏", "")
	board := newTab(t, browser, "board")
	board.open(srv.url+"/board?repeat=1&token="+url.QueryEscape(displaySecret), 1920, 1080)
	wait[bool](board, `window.__board && window.__board.ready`, 20*time.Second)
	if u := eval[string](board, `location.href`); strings.Contains(u, "token") {
		t.Errorf("the token stays in the address bar: %s", u)
	}
	eval[chromedp.Void](board, `window.__marker = 'no reload since'`)

	// A call made through the API appears on the board within a second,
	// without a reload (peers.md: NovoSGA #318, #530).
	t.Run("call appears live", func(t *testing.T) {
		api.cmd("win-01", "open")
		tk := api.issue("petition")
		sent := time.Now()
		called := api.cmd("win-01", "call-next")
		if called == nil || called.Number != tk.Number {
			t.Fatalf("call-next: %+v, want %s", called, tk.Number)
		}
		at := wait[float64](board, `(window.__board.renders.find(r => r.number === `+jsString(tk.Number)+`) || {}).at`, 5*time.Second)
		shown := time.UnixMilli(int64(at)).Sub(sent)
		t.Logf("call → board: %v", shown)
		if shown > time.Second {
			t.Errorf("the call took %v to reach the board (issue 6: within 1 s)", shown)
		}
		if got := eval[string](board, `document.getElementById('cur-number').textContent + ' ' + document.getElementById('cur-counter').textContent`); got != tk.Number+" 1号窗口" {
			t.Errorf("the board shows %q", got)
		}
		if eval[string](board, `window.__marker || ''`) == "" {
			t.Error("the board reloaded")
		}
		if small := eval[string](board, smallText); small != "" {
			t.Errorf("text under 18 px on the board: %s", small)
		}
	})

	// Two calls in quick succession are announced one after the other, in
	// order, never over each other (peers.md: NovoSGA #78).
	t.Run("announcements queue", func(t *testing.T) {
		var browserBoard *tab
		if serverVoice {
			// The server speaks here; a second board tests the browser's
			// voice, the path of a server without espeak-ng.
			browserBoard = newTab(t, browser, "board (browser voice)")
			browserBoard.open(srv.url+"/board?repeat=1&voice=browser", 1920, 1080) // the token is in localStorage now
			wait[bool](browserBoard, `window.__board && window.__board.ready`, 20*time.Second)
			board.open(srv.url+"/board?repeat=1", 1920, 1080)
			wait[bool](board, `window.__board && window.__board.ready`, 20*time.Second)
		}
		api.cmd("win-02", "open")
		api.cmd("win-03", "open")
		a := api.issue("petition")
		b := api.issue("law-petition")
		if t1 := api.cmd("win-02", "call-next"); t1 == nil || t1.Number != a.Number {
			t.Fatalf("win-02 called %+v", t1)
		}
		if t2 := api.cmd("win-03", "call-next"); t2 == nil || t2.Number != b.Number {
			t.Fatalf("win-03 called %+v", t2)
		}
		check := func(tb *tab, wantPath string) {
			t.Helper()
			raw := wait[string](tb, `(() => { const a = window.__announcements.filter(x => x.number === `+jsString(a.Number)+
				` || x.number === `+jsString(b.Number)+`); return a.length === 2 ? JSON.stringify(window.__announcements) : ''; })()`, 60*time.Second)
			var all []announcement
			if err := json.Unmarshal([]byte(raw), &all); err != nil {
				t.Fatal(err)
			}
			t.Logf("announcements (%s): %s", wantPath, raw)
			var ours []announcement
			for i, x := range all {
				if x.End <= x.Start {
					t.Errorf("announcement %s ends (%f) before it starts (%f)", x.Number, x.End, x.Start)
				}
				if i > 0 && all[i-1].End > x.Start {
					t.Errorf("%s starts at %.0f while %s plays until %.0f: announcements overlap", x.Number, x.Start, all[i-1].Number, all[i-1].End)
				}
				if x.Number == a.Number || x.Number == b.Number {
					ours = append(ours, x)
				}
				if !strings.HasPrefix(x.Path, wantPath) {
					t.Errorf("%s was spoken by %q, want %s", x.Number, x.Path, wantPath)
				}
			}
			if got := announcedNumbers(ours); got != a.Number+" "+b.Number {
				t.Errorf("announced %q, want %s then %s", got, a.Number, b.Number)
			}
		}
		if serverVoice {
			check(board, "server")
			check(browserBoard, "browser")
		} else {
			check(board, "browser")
		}
	})

	// The pad at a counter asks for a rating when that counter completes a
	// ticket; a tap stores it with the ticket.
	t.Run("pad rates", func(t *testing.T) {
		padSecret, padID := api.token("pad", "4号窗口评价器", "win-04")
		pad := newTab(t, browser, "pad")
		pad.open(srv.url+"/pad?token="+url.QueryEscape(padSecret), 1280, 800)
		wait[bool](pad, `window.__pad && window.__pad.ready`, 20*time.Second)
		if got := eval[string](pad, `document.getElementById('counter-name').textContent`); got != "4号窗口" {
			t.Errorf("the pad names %q", got)
		}
		api.cmd("win-04", "open")
		rate := func(service, button string, reason bool) apiTicket {
			t.Helper()
			tk := api.issue(service)
			api.cmd("win-04", "call-next")
			api.cmd("win-04", "complete")
			wait[bool](pad, `window.__pad.screen === 'prompt' && document.getElementById('prompt-number').textContent === `+jsString(tk.Number+"号"), 10*time.Second)
			if small := eval[string](pad, smallText); small != "" {
				t.Errorf("text under 18 px on the pad: %s", small)
			}
			if tiny := eval[string](pad, smallTargets); tiny != "" {
				t.Errorf("touch targets under 15 mm (57 px) on the pad: %s", tiny)
			}
			pad.do(chromedp.Click(chromedp.CSS(button)))
			if reason {
				wait[bool](pad, `window.__pad.screen === 'reasons'`, 5*time.Second)
				if tiny := eval[string](pad, smallTargets); tiny != "" {
					t.Errorf("touch targets under 15 mm on the reasons screen: %s", tiny)
				}
				pad.do(chromedp.Click(chromedp.CSS(".reason")), chromedp.Click(chromedp.ID("reasons-send")))
			}
			wait[bool](pad, `window.__pad.sent.some(s => s.id === `+jsNumber(tk.ID)+`)`, 10*time.Second)
			return api.ticket(tk.ID)
		}
		got := rate("law-petition", ".level.l4", false)
		if got.Rating == nil || got.Rating.Level != 4 || got.Rating.By != "pad:"+padID || got.Counter != "win-04" {
			t.Errorf("after tapping 满意 the ticket holds %+v (rating %+v)", got, got.Rating)
		}
		got = rate("consult", ".level.l1", true)
		if got.Rating == nil || got.Rating.Level != 1 || len(got.Rating.Reasons) != 1 || got.Rating.Reasons[0] != "等候时间太长" {
			t.Errorf("after 非常不满意 with a reason the ticket holds %+v", got.Rating)
		}
	})

	// A clerk logs in and calls the next visitor with the N key.
	t.Run("console by keyboard", func(t *testing.T) {
		api.user("clerk5", "周*", "clerk5-password", "win-05")
		con := newTab(t, browser, "console", chromedp.WithNewBrowserContext())
		con.open(srv.url+"/console", 1440, 900)
		wait[bool](con, `location.pathname === '/login'`, 10*time.Second)
		con.do(chromedp.SendKeys(chromedp.ID("user"), "clerk5"), chromedp.SendKeys(chromedp.ID("password"), "clerk5-password"),
			chromedp.Click(chromedp.ID("login-submit")))
		wait[bool](con, `location.pathname === '/console' && window.__console && window.__console.ready`, 15*time.Second)
		con.do(chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`), chromedp.KeyEvent("o"))
		wait[bool](con, `document.getElementById('counter-status').dataset.status === 'open'`, 10*time.Second)
		tk := api.issue("litigation")
		wait[bool](con, `!!document.querySelector('#waiting-list tr[data-number=`+jsString(tk.Number)+`]')`, 10*time.Second)
		con.do(chromedp.KeyEvent("n"))
		wait[bool](con, `document.getElementById('cur-number').textContent === `+jsString(tk.Number), 10*time.Second)
		if got := api.counterTicket("win-05"); got != tk.Number {
			t.Errorf("the console shows %s; the server holds %q", tk.Number, got)
		}
		wait[bool](board, `document.getElementById('cur-number').textContent === `+jsString(tk.Number), 10*time.Second)
	})

	// The service desk: a visitor who forgot the card gets a ticket from the
	// console, with its case and QR; the clerk calls and starts it, and the
	// case is received at that window — all in the browser.
	t.Run("service desk and the case moving on start", func(t *testing.T) {
		api.user("desk4", "孙*", "desk4-password", "win-04")
		con := newTab(t, browser, "desk", chromedp.WithNewBrowserContext())
		con.open(srv.url+"/login?next=%2Fconsole", 1440, 900)
		con.do(chromedp.SendKeys(chromedp.ID("user"), "desk4"), chromedp.SendKeys(chromedp.ID("password"), "desk4-password"),
			chromedp.Click(chromedp.ID("login-submit")))
		wait[bool](con, `!!(window.__console && window.__console.ready && window.__desk)`, 15*time.Second)
		con.do(chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`), chromedp.KeyEvent("i"))
		wait[bool](con, `document.getElementById('dlg-desk').open`, 5*time.Second)
		con.do(chromedp.SetValue(chromedp.ID("desk-service"), "law-petition"),
			chromedp.SendKeys(chromedp.ID("desk-name"), "赵测试"),
			chromedp.SendKeys(chromedp.ID("desk-id"), "421224198001011235"), // a wrong check character
			chromedp.Click(chromedp.ID("desk-submit")))
		wait[bool](con, `document.getElementById('desk-error').textContent.includes('校验位')`, 5*time.Second)
		con.do(chromedp.Click(chromedp.ID("desk-noid")), chromedp.Click(chromedp.ID("desk-submit")))
		wait[bool](con, `document.getElementById('desk-error').textContent.includes('原因')`, 5*time.Second)
		con.do(chromedp.SendKeys(chromedp.ID("desk-noid-reason"), "身份证遗忘未带"), chromedp.Click(chromedp.ID("desk-submit")))
		wait[bool](con, `document.getElementById('dlg-desk-ticket').open && !!document.querySelector('#desk-qr svg path')`, 10*time.Second)
		number := eval[string](con, `document.getElementById('desk-number').textContent`)
		code := eval[string](con, `window.__desk.issued[0].case_code`)
		if !strings.HasPrefix(number, "B") || !strings.Contains(eval[string](con, `document.getElementById('desk-case').textContent`), code) || code == "" {
			t.Fatalf("desk ticket %q, case %q", number, code)
		}
		if strings.Contains(eval[string](con, `document.getElementById('desk-ticket').textContent`), "赵测试") {
			t.Error("the printed ticket shows the full name")
		}
		// The clerk closes the ticket and, at the window the pad test left
		// open, calls and starts.
		con.do(chromedp.Click(chromedp.ID("desk-close")), chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`))
		wait[bool](con, `document.getElementById('counter-status').dataset.status === 'open' && !document.querySelector('[data-cmd="call-next"]').disabled`, 10*time.Second)
		con.do(chromedp.KeyEvent("n"))
		wait[bool](con, `document.getElementById('cur-number').textContent === `+jsString(number), 10*time.Second)
		if got := eval[string](con, `document.getElementById('cur-case').textContent`); got != code {
			t.Errorf("the console shows case %q, want %s", got, code)
		}
		con.do(chromedp.KeyEvent("s"))
		wait[bool](con, `document.getElementById('current').dataset.status === 'serving'`, 10*time.Second)
		var c struct {
			Case struct {
				Status  string `json:"status"`
				Unit    string `json:"unit"`
				Handler struct {
					CounterID string `json:"counter"`
					StaffID   string `json:"staff"`
				} `json:"handler"`
			} `json:"case"`
		}
		api.do("GET", "/api/v1/cases/"+code, nil, &c)
		if c.Case.Status != "received" || c.Case.Unit != "检察院" || c.Case.Handler.CounterID != "win-04" || c.Case.Handler.StaffID != "desk4" {
			t.Errorf("after start the case is %+v", c.Case)
		}
	})

	// Two clerks at two counters press N at the same instant for the one
	// visitor both could serve: one gets the visitor, the other is told
	// nobody waits — each console shows its server's answer.
	t.Run("two clerks, one visitor", func(t *testing.T) {
		api.user("clerk9", "吴*", "clerk9-password", "win-09")
		api.user("clerk10", "郑*", "clerk10-password", "win-10")
		var tabs []*tab
		for _, c := range []struct{ user, counter string }{{"clerk9", "win-09"}, {"clerk10", "win-10"}} {
			tb := newTab(t, browser, c.user, chromedp.WithNewBrowserContext())
			tb.open(srv.url+"/login?next=%2Fconsole", 1440, 900)
			tb.do(chromedp.SendKeys(chromedp.ID("user"), c.user), chromedp.SendKeys(chromedp.ID("password"), c.user+"-password"),
				chromedp.Click(chromedp.ID("login-submit")))
			wait[bool](tb, `window.__console && window.__console.ready`, 15*time.Second)
			api.cmd(c.counter, "open")
			tabs = append(tabs, tb)
		}
		tk := api.issue("consult")
		for _, tb := range tabs {
			wait[bool](tb, `!!document.querySelector('#waiting-list tr[data-number=`+jsString(tk.Number)+`]') && !document.querySelector('[data-cmd="call-next"]').disabled`, 10*time.Second)
		}
		var wg sync.WaitGroup
		for _, tb := range tabs {
			wg.Add(1)
			go func() { defer wg.Done(); tb.do(chromedp.KeyEvent("n")) }()
		}
		wg.Wait()
		got := 0
		for _, tb := range tabs {
			// The console shows what the server answered it.
			wait[bool](tb, `(() => { const a = window.__console.answers.filter(a => a.cmd === 'call-next').pop();
				const n = document.getElementById('cur-number').textContent;
				return !!a && (a.ticket ? n === a.ticket.number : n === '—'); })()`, 10*time.Second)
			shown := eval[string](tb, `document.getElementById('cur-number').textContent`)
			msg := eval[string](tb, `document.getElementById('message').textContent`)
			switch shown {
			case tk.Number:
				got++
			case "—":
				if msg != "当前没有等候的号" {
					t.Errorf("the console without the visitor says %q", msg)
				}
			default:
				t.Errorf("a console shows %q", shown)
			}
		}
		if got != 1 {
			t.Errorf("%d consoles show %s, want exactly 1", got, tk.Number)
		}
		n9, n10 := api.counterTicket("win-09"), api.counterTicket("win-10")
		if (n9 == tk.Number) == (n10 == tk.Number) {
			t.Errorf("the server holds %q at win-09 and %q at win-10", n9, n10)
		}
	})

	// The board resumes after the server stops and comes back on the same
	// port, without a reload, and shows the call made while it was away.
	t.Run("board resumes after a restart", func(t *testing.T) {
		board.open(srv.url+"/board?repeat=1", 1920, 1080)
		wait[bool](board, `window.__board && window.__board.ready`, 20*time.Second)
		eval[chromedp.Void](board, `window.__marker = 'no reload since'`)
		srv.stop(t)
		wait[bool](board, `!document.getElementById('status').hidden`, 15*time.Second) // it noticed
		// Both outlive this subtest: they belong to the outer test.
		srv = startServer(outer, env, "-data", dir, "-addr", addr, "-log-level", "warn")
		api = newHallClient(outer, srv.url, "admin", adminPW)
		api.cmd("win-06", "open")
		tk := api.issue("legal-aid")
		sent := time.Now()
		api.cmd("win-06", "call-next")
		at := wait[float64](board, `(window.__board.renders.find(r => r.number === `+jsString(tk.Number)+`) || {}).at`, 30*time.Second)
		t.Logf("call made while the board reconnected → board: %v", time.UnixMilli(int64(at)).Sub(sent))
		if eval[string](board, `window.__marker || ''`) == "" {
			t.Error("the board reloaded to recover")
		}
		wait[bool](board, `document.getElementById('status').hidden`, 10*time.Second)

		// And live again, within a second.
		api.cmd("win-06", "complete")
		tk2 := api.issue("legal-aid")
		sent = time.Now()
		api.cmd("win-06", "call-next")
		at = wait[float64](board, `(window.__board.renders.find(r => r.number === `+jsString(tk2.Number)+`) || {}).at`, 5*time.Second)
		if d := time.UnixMilli(int64(at)).Sub(sent); d > time.Second {
			t.Errorf("after the restart a call took %v to reach the board", d)
		}
	})

	// A new version of the server (an upgrade) makes the board reload
	// itself: nobody has to press F5 to get the new page.
	t.Run("board reloads for a new version", func(t *testing.T) {
		eval[chromedp.Void](board, `window.__marker = 'old page'; Y.data.version = 'v0-before-upgrade'; window.__board.check()`)
		wait[bool](board, `!window.__marker && window.__board && window.__board.ready && Y.data.version !== 'v0-before-upgrade'`, 20*time.Second)
	})

	// A board with neither token nor session says how to set it up.
	t.Run("board without a token", func(t *testing.T) {
		bare := newTab(t, browser, "bare board", chromedp.WithNewBrowserContext())
		bare.open(srv.url+"/board", 1920, 1080)
		wait[bool](bare, `!document.getElementById('setup').hidden`, 10*time.Second)
	})

	t.Run("screenshots", func(t *testing.T) { screenshots(t, browser, srv.url, api, displaySecret) })
}

// screenshots fills the hall with a morning's queue and captures each
// page at its resolution; with -screenshots it writes them to
// docs/screenshots.
func screenshots(t *testing.T, browser context.Context, base string, api *hallClient, displaySecret string) {
	for _, s := range []string{"petition", "petition", "law-petition", "consult", "consult", "labour-security", "mediation-family",
		"mediation-traffic", "legal-aid", "legal-advice", "housing", "consumer", "petition", "consult", "litigation"} {
		api.issue(s)
	}
	for _, c := range []string{"win-07", "win-08", "win-01", "win-02"} {
		api.cmd(c, "open")
		api.finish(c)
	}
	for _, c := range []string{"win-07", "win-08", "win-01", "win-02"} {
		api.cmd(c, "call-next")
	}
	shots := map[string][]byte{}

	board := newTab(t, browser, "board screenshot")
	board.open(base+"/board?voice=off&token="+url.QueryEscape(displaySecret), 1920, 1080)
	wait[bool](board, `window.__board && window.__board.ready`, 20*time.Second)
	api.finish("win-03")
	called := api.cmd("win-03", "call-next")
	if called != nil {
		wait[bool](board, `document.getElementById('cur-number').textContent === `+jsString(called.Number), 5*time.Second)
	}
	time.Sleep(3500 * time.Millisecond) // the flash ends
	shots["board.png"] = board.screenshot(1920, 1080, screenshotMax)

	padSecret, _ := api.token("pad", "7号窗口评价器", "win-07")
	pad := newTab(t, browser, "pad screenshot")
	pad.open(base+"/pad?token="+url.QueryEscape(padSecret), 1280, 800)
	wait[bool](pad, `window.__pad && window.__pad.ready`, 20*time.Second)
	api.cmd("win-07", "complete")
	wait[bool](pad, `window.__pad.screen === 'prompt'`, 10*time.Second)
	shots["pad.png"] = pad.screenshot(1280, 800, screenshotMax)

	staff := newTab(t, browser, "console screenshot", chromedp.WithNewBrowserContext())
	api.user("clerk8", "刘*", "clerk8-password", "win-08")
	staff.open(base+"/login?next=%2Fconsole", 1440, 900)
	shots["login.png"] = staff.screenshot(1440, 900, screenshotMax)
	staff.do(chromedp.SendKeys(chromedp.ID("user"), "clerk8"), chromedp.SendKeys(chromedp.ID("password"), "clerk8-password"),
		chromedp.Click(chromedp.ID("login-submit")))
	wait[bool](staff, `window.__console && window.__console.ready && document.getElementById('cur-number').textContent !== '—'`, 15*time.Second)
	staff.do(chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`), chromedp.KeyEvent("s"))
	wait[bool](staff, `document.getElementById('current').dataset.status === 'serving'`, 10*time.Second)
	shots["console.png"] = staff.screenshot(1440, 900, screenshotMax)

	admin := newTab(t, browser, "dashboard screenshot", chromedp.WithNewBrowserContext())
	admin.open(base+"/login?next=%2Fdashboard%3Frange%3D30d", 1440, 900)
	admin.do(chromedp.SendKeys(chromedp.ID("user"), "admin"), chromedp.SendKeys(chromedp.ID("password"), "browser-admin-pw"),
		chromedp.Click(chromedp.ID("login-submit")))
	wait[bool](admin, `location.pathname === '/dashboard' && !!document.getElementById('kpi-visitors')`, 15*time.Second)
	if n := eval[string](admin, `document.getElementById('kpi-visitors').textContent`); n == "0" {
		t.Error("the dashboard over 30 days counts no visitors: the history is not read")
	}
	shots["dashboard.png"] = admin.screenshot(1440, 900, screenshotMax)
	admin.open(base+"/admin", 1440, 900)
	wait[bool](admin, `document.querySelectorAll('#tokens tbody tr').length > 0`, 10*time.Second)
	shots["admin.png"] = admin.screenshot(1440, 900, screenshotMax)
	// Browsers compile a form's pattern with the v flag, where a bare '-'
	// in a class is an error and the field then checks nothing.
	if bad := eval[[]string](admin, `[...document.querySelectorAll('input[pattern]')].filter(i => { try { new RegExp(i.pattern, 'v'); return false } catch (e) { return true } }).map(i => i.name)`); len(bad) > 0 {
		t.Errorf("invalid patterns on the admin page: %v", bad)
	}

	// The admin creates a display token on the page and the URL it shows
	// sets up a board.
	admin.do(chromedp.SetValue(chromedp.CSS(`#new-token [name=role]`), "display"),
		chromedp.SendKeys(chromedp.CSS(`#new-token [name=name]`), "二楼显示屏"), chromedp.Click(chromedp.CSS(`#new-token button`)))
	boardURL := wait[string](admin, `!document.getElementById('token-secret').hidden && document.getElementById('token-url').textContent`, 10*time.Second)
	if !strings.HasPrefix(boardURL, base+"/board?token=ytd_") {
		t.Fatalf("the admin page shows %q", boardURL)
	}
	// A dispatched unit's liaison has no window: the admin makes the
	// account with its unit only, then moves it to another unit.
	admin.do(chromedp.SendKeys(chromedp.CSS(`#new-user [name=name]`), "liaison1"),
		chromedp.SendKeys(chromedp.CSS(`#new-user [name=password]`), "lianluoyuan-pw1"),
		chromedp.Click(chromedp.CSS(`#new-user [data-units] input[value="自然资源和规划局"]`)),
		chromedp.Click(chromedp.CSS(`#new-user button.primary`)))
	row := `document.querySelector('#users tr[data-user="liaison1"]')`
	if got := wait[string](admin, row+` && `+row+`.cells[4].textContent`, 10*time.Second); got != "自然资源和规划局" {
		t.Errorf("the liaison's units on the page: %q", got)
	}
	admin.do(chromedp.Evaluate[chromedp.Void](`[...`+row+`.querySelectorAll('button')].find(b => b.textContent === '窗口与单位').click()`),
		chromedp.Click(chromedp.CSS(`#dlg-counters [data-units] input[value="自然资源和规划局"]`)),
		chromedp.Click(chromedp.CSS(`#dlg-counters [data-units] input[value="农业农村局"]`)),
		chromedp.Click(chromedp.CSS(`#dlg-counters button.primary`)))
	if got := wait[string](admin, row+` && `+row+`.cells[4].textContent !== '自然资源和规划局' && `+row+`.cells[4].textContent`, 10*time.Second); got != "农业农村局" {
		t.Errorf("the liaison's units after the change: %q (message %q)", got, eval[string](admin, `document.getElementById('message').textContent`))
	}

	fresh := newTab(t, browser, "board set up from the admin page", chromedp.WithNewBrowserContext())
	fresh.open(boardURL, 1920, 1080)
	wait[bool](fresh, `window.__board && window.__board.ready`, 20*time.Second)

	for name, png := range shots {
		t.Logf("%s: %d KB", name, len(png)>>10)
		if !*writeScreenshots {
			continue
		}
		dir := filepath.Join("..", "..", "docs", "screenshots")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// smallText lists visible text drawn under 18 px (issue 6: none on the
// board and the pad).
const smallText = `[...document.querySelectorAll('body *')].filter(e => e.offsetParent !== null &&
	[...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) && parseFloat(getComputedStyle(e).fontSize) < 18)
	.map(e => e.tagName + '#' + e.id + ' ' + getComputedStyle(e).fontSize + ' ' + e.textContent.trim().slice(0, 20)).join('; ')`

// smallTargets lists visible buttons smaller than 15 mm (57 CSS px).
const smallTargets = `[...document.querySelectorAll('button')].filter(b => b.offsetParent !== null)
	.map(b => [b, b.getBoundingClientRect()]).filter(([b, r]) => r.width < 57 || r.height < 57)
	.map(([b, r]) => b.textContent.trim() + ' ' + Math.round(r.width) + '×' + Math.round(r.height)).join('; ')`

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func jsNumber(n uint64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
