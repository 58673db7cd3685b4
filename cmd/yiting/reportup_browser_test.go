package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestReportUpInChromium (issue 14, item 3): on a hall that is a county
// site, a supervisor's case page offers 上报县综治中心 with a reason; sent,
// the page shows the case reported up and offers no routing or closing
// any more, and a clerk's page of it still takes records. Both pages pass
// axe-core.
func TestReportUpInChromium(t *testing.T) {
	axeSource(t)
	browser := newBrowser(t)
	path := siteHallFile(t, "421224105", "", "")
	const adminPW = "report-up-admin-pw"
	srv := startServer(t, []string{"YITING_ADMIN_PASSWORD=" + adminPW}, "-config", path, "-data", t.TempDir(), "-addr", freeAddr(t), "-log-level", "warn")
	api := newHallClient(t, srv.url, "admin", adminPW)
	api.user("clerk1", "王*", "clerk1-password", "win-01")
	api.do("POST", "/api/v1/admin/users", map[string]any{"name": "boss", "display_name": "督导", "role": "supervisor",
		"password": "boss-password-1"}, nil)
	var issued struct {
		CaseCode string `json:"case_code"`
	}
	api.do("POST", "/api/v1/tickets", map[string]any{"service": "petition", "persons": []any{synthCard(9101)}}, &issued)
	api.cmd("win-01", "open")
	api.cmd("win-01", "call-next")
	api.cmd("win-01", "start") // the clerk at 1号窗口 receives the case

	sup := loginTab(t, browser, srv.url, "supervisor", "boss", "boss-password-1", "/cases/"+issued.CaseCode)
	wait[bool](sup, `!!document.getElementById('report-up') && !!document.querySelector('form[data-cmd=route]')`, 10*time.Second)
	axeCheck(t, sup, "case with 上报")
	submitAct(sup, `#report-up`, `!!document.getElementById('case-county')`,
		chromedp.SendKeys(chromedp.CSS(`#report-up [name=reason]`), "涉及县住建局的历史遗留问题，本镇无法协调"))
	if got := eval[string](sup, `document.getElementById('case-reported').textContent`); !strings.Contains(got, "本镇无法协调") || !strings.Contains(got, "等待县级交办或办结") {
		t.Errorf("the page says %q", got)
	}
	if eval[bool](sup, `!!document.querySelector('#report-up, form[data-cmd=route], form[data-cmd=close], form[data-cmd=extend]')`) {
		t.Error("a case reported up still offers reporting, routing, closing or extending to the site")
	}
	if next := eval[string](sup, `document.getElementById('case-next').textContent`); next != "已上报县综治中心，等待县级交办或办结" {
		t.Errorf("the next step says %q", next)
	}
	axeCheck(t, sup, "case reported up")

	clerk := loginTab(t, browser, srv.url, "clerk", "clerk1", "clerk1-password", "/cases/"+issued.CaseCode)
	wait[bool](clerk, `!!document.getElementById('case-county')`, 10*time.Second)
	submitAct(clerk, `form[data-cmd=records]`, `document.querySelectorAll('section[aria-labelledby=h-records] article').length === 1`,
		chromedp.SendKeys(chromedp.CSS(`form[data-cmd=records] [name=text]`), "电话联系住建局了解情况"))
	if eval[bool](clerk, `!!document.querySelector('form[data-cmd=route], form[data-cmd=conclude], #report-up')`) {
		t.Error("the clerk may still route, conclude or report up a case reported up")
	}
}
