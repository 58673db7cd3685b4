package main

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestPagesAccessibleInChromium opens every page of the hall in Chromium
// with data on it and runs axe-core: no serious or critical violation
// (无障碍环境建设法 Art. 40 asks the hall's screens for visual, written
// and voice prompts; many visitors are old). Issue 13, item 19.
func TestPagesAccessibleInChromium(t *testing.T) {
	axeSource(t) // fail first, and clearly, without axe-core
	browser := newBrowser(t)
	dir := t.TempDir()
	fillHistory(t, dir, &defaultHall(t).Hall, 7) // the dashboard's charts have something to draw
	srv, api := freshHall(t, dir)

	// A case with its inquiry page, a called ticket and a waiting one.
	var issued struct {
		Ticket   apiTicket `json:"ticket"`
		CaseCode string    `json:"case_code"`
		CaseURL  string    `json:"case_url"`
	}
	api.do("POST", "/api/v1/tickets", map[string]any{"service": "petition", "persons": []any{synthCard(9001)}}, &issued)
	cu, err := url.Parse(issued.CaseURL)
	if err != nil || issued.CaseCode == "" {
		t.Fatalf("issued %+v: %v", issued, err)
	}
	api.cmd("win-01", "open")
	api.cmd("win-01", "call-next")
	api.issue("consult")
	display, _ := api.token("display", "大厅显示屏", "")
	padSecret, _ := api.token("pad", "1号窗口评价器", "win-01")

	staff := newTab(t, browser, "admin", chromedp.WithNewBrowserContext())
	staff.open(srv.url+"/login?next=%2Fadmin", 1440, 900)
	staff.do(chromedp.SendKeys(chromedp.ID("user"), "admin"), chromedp.SendKeys(chromedp.ID("password"), freshHallPW),
		chromedp.Click(chromedp.ID("login-submit")))
	wait[bool](staff, `location.pathname === '/admin' && document.readyState === 'complete'`, 15*time.Second)

	devices := newTab(t, browser, "devices", chromedp.WithNewBrowserContext())
	visitor := newTab(t, browser, "visitor", chromedp.WithNewBrowserContext())
	pages := []struct {
		name  string
		tab   *tab
		url   string
		w, h  int64
		ready string // a JavaScript expression true when the page has drawn
	}{
		{"login", visitor, "/login", 1440, 900, `!!document.getElementById('user')`},
		{"kiosk", visitor, "/kiosk", 1080, 1920, `!!document.querySelector('.tile, button')`},
		{"inquiry", visitor, cu.Path, 390, 844, `document.readyState === 'complete'`},
		{"board", devices, "/board?voice=off&token=" + url.QueryEscape(display), 1920, 1080, `window.__board && window.__board.ready`},
		{"pad", devices, "/pad?token=" + url.QueryEscape(padSecret), 1280, 800, `window.__pad && window.__pad.ready`},
		{"admin", staff, "/admin", 1440, 900, `document.readyState === 'complete' && !!document.querySelector('table tbody tr')`},
		{"password", staff, "/password", 1440, 900, `document.readyState === 'complete'`},
		{"console", staff, "/console", 1440, 900, `window.__console && window.__console.ready`},
		{"dashboard", staff, "/dashboard", 1440, 900, `document.readyState === 'complete'`},
		{"dashboard/cases", staff, "/dashboard/cases", 1440, 900, `document.readyState === 'complete'`},
		{"dashboard/units", staff, "/dashboard/units", 1440, 900, `document.readyState === 'complete'`},
		{"dashboard/rota", staff, "/dashboard/rota", 1440, 900, `document.readyState === 'complete'`},
		{"dashboard/audit", staff, "/dashboard/audit", 1440, 900, `document.readyState === 'complete'`},
		{"dashboard/appointments", staff, "/dashboard/appointments", 1440, 900, `document.readyState === 'complete'`},
		{"dashboard/appointments/plans", staff, "/dashboard/appointments/plans", 1440, 900, `document.readyState === 'complete'`},
		{"book", visitor, "/book", 390, 844, `document.readyState === 'complete'`},
		{"book/days", visitor, "/book?plan=legal-aid", 390, 844, `document.readyState === 'complete'`},
		{"book/mine", visitor, "/book/mine", 390, 844, `document.readyState === 'complete'`},
		{"cases", staff, "/cases", 1440, 900, `!!document.getElementById('case-list')`},
		{"case", staff, "/cases/" + issued.CaseCode, 1440, 900, `!!document.getElementById('case-code')`},
		{"index", visitor, "/", 1440, 900, `document.readyState === 'complete'`},
	}
	for _, p := range pages {
		t.Run(strings.ReplaceAll(p.name, "/", "_"), func(t *testing.T) {
			p.tab.open(srv.url+p.url, p.w, p.h)
			wait[bool](p.tab, p.ready, 20*time.Second)
			axeCheck(t, p.tab, p.name)
		})
	}
}
