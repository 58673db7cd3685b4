package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"yiting/queue/county/countyview"
)

// TestCountyReportUp (issue 14, item 3): a hub and a township as separate
// processes. The township's supervisor reports a case up while the hub is
// down; once the hub is back the county has it once, marked and counted
// as reported, with its reason (the party's name masked). The township
// can no longer route it. The county's 交办 to a unit the township does
// not have is refused there, and the reason comes back up beside the
// command (the county's overview, list and case page, with the report
// and the refusal on them, pass axe-core in Chromium); the county then
// concludes the case, and the township's case is concluded with the
// county's result, no longer waiting at the county.
func TestCountyReportUp(t *testing.T) {
	if testing.Short() {
		t.Skip("a minute of waiting for the hub's source retries")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	const site = "421224104"
	leaf := freeAddr(t)
	creds, bossOneTime, startHub := countyHub(t, ctx, t.TempDir(), leaf, site)
	hub := startHub()

	hallPath := siteHallFile(t, site, "tls://"+leaf, creds[site])
	township := startServer(t, []string{"YITING_ADMIN_PASSWORD=county-net-pw"}, "-config", hallPath, "-data", t.TempDir(), "-role", "server", "-addr", "127.0.0.1:0")
	admin, err := login(ctx, township.url, "admin", "county-net-pw")
	if err != nil {
		t.Fatal(err)
	}
	boss := siteSupervisor(t, ctx, admin, township.url)
	var reg struct {
		Case struct{ Code string } `json:"case"`
	}
	card := synthCard(11)
	if _, err := boss.do(ctx, "POST", "/api/v1/cases", "letter-up", map[string]any{"service": "petition", "channel": "letter",
		"persons": []any{card}, "summary": "反映山林权属争议"}, &reg); err != nil {
		t.Fatal(err)
	}
	code := reg.Case.Code
	casePath := "/api/v1/county/cases/" + site + "/" + code
	bossCookie := hubFirstLogin(t, hub.url, "county-boss", bossOneTime, "county-boss-own-1")
	waitHubCase(t, hub.url, bossCookie, casePath, nil)

	// The hub is down while the township reports the case up.
	hub.stop(t)
	if _, err := boss.do(ctx, "POST", "/api/v1/cases/"+code+"/report-up", "", map[string]any{
		"reason": "涉及两个乡镇的山林权属，当事人" + card["name"] + "多次来访，本镇无法协调"}, nil); err != nil {
		t.Fatal(err)
	}
	if st, err := boss.do(ctx, "POST", "/api/v1/cases/"+code+"/route", "", map[string]any{"kind": "unit", "unit": "信访局"}, nil); st != http.StatusForbidden {
		t.Fatalf("the township routed a case the county owns: %d %v", st, err)
	}
	hub = startHub()
	bossCookie = hubLogin(t, hub.url, "county-boss", "county-boss-own-1")
	var d caseAtHub
	waitHub(t, "the case reported up", func() bool {
		d = getHubCase(t, hub.url, bossCookie, casePath)
		return d.Facts != nil && d.Facts.ReportedUp != nil
	})
	if !d.Reported || !strings.Contains(d.Facts.ReportedUp.Reason, "本镇无法协调") || strings.Contains(d.Facts.ReportedUp.Reason, card["name"]) {
		t.Fatalf("the county's case: reported %v, %+v", d.Reported, d.Facts.ReportedUp)
	}
	n := 0
	for _, st := range d.Timeline {
		if st.Kind == "reported_up" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("the report up is %d times in the county's timeline: %+v", n, d.Timeline)
	}
	var list countyview.CaseList
	hubGet(t, hub.url, bossCookie, "/api/v1/county/cases?reported=1", &list)
	if len(list.Rows) != 1 || list.Rows[0].Code != code || list.Counts.Reported != 1 {
		t.Fatalf("the county's reported cases: %+v", list)
	}

	// A 交办 to a unit the township does not have is refused there, and
	// the county learns why.
	var sent struct {
		Command struct{ ID string } `json:"command"`
	}
	if st := hubPost(t, hub.url, bossCookie, casePath+"/commands", map[string]any{"kind": "assign", "unit": "月球管理局", "text": "请办理"}, &sent); st != http.StatusAccepted {
		t.Fatalf("assign: %d", st)
	}
	waitHub(t, "the refusal", func() bool {
		d = getHubCase(t, hub.url, bossCookie, casePath)
		return len(d.Commands) == 1 && d.Commands[0].RefusedWhy != ""
	})
	if c := d.Commands[0]; c.ID != sent.Command.ID || !strings.Contains(c.RefusedWhy, "月球管理局") || !c.Applied.IsZero() {
		t.Fatalf("the refused command at the county: %+v", c)
	}
	// The county's pages with the report and the refusal on them pass
	// axe-core.
	axeSource(t)
	county := newTab(t, newBrowser(t), "county", chromedp.WithNewBrowserContext())
	county.open(hub.url+"/login?next="+url.QueryEscape("/county"), 1440, 900)
	county.do(chromedp.SendKeys(chromedp.ID("user"), "county-boss"), chromedp.SendKeys(chromedp.ID("password"), "county-boss-own-1"),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	wait[bool](county, `location.pathname === '/county' && document.readyState === 'complete'`, 15*time.Second)
	for _, p := range []struct{ path, ready string }{
		{"/county", `document.getElementById('kpi-reported').textContent === '1'`},
		{"/county/cases?reported=1", `document.querySelectorAll('#cases tr[data-code]').length === 1`},
		{"/county/cases/" + site + "/" + code, `!!document.getElementById('reported') && !!document.querySelector('#sent tr .error') && !!document.getElementById('cmd-outcome')`},
	} {
		county.open(hub.url+p.path, 1440, 900)
		wait[bool](county, `document.readyState === 'complete' && `+p.ready, 15*time.Second)
		axeCheck(t, county, p.path)
	}

	// The county concludes it; the township's case is concluded.
	if st := hubPost(t, hub.url, bossCookie, casePath+"/commands", map[string]any{"kind": "conclude", "outcome": "failed",
		"referral": "litigation", "text": "属山林权属争议，引导当事人依法起诉"}, &sent); st != http.StatusAccepted {
		t.Fatalf("conclude: %d", st)
	}
	waitHubCase(t, hub.url, bossCookie, casePath, []string{sent.Command.ID})
	var sc struct {
		Case struct {
			Status, Outcome, Referral string
			CountyOwns                bool `json:"county_owns"`
		} `json:"case"`
	}
	if _, err := boss.do(ctx, "GET", "/api/v1/cases/"+code, "", nil, &sc); err != nil {
		t.Fatal(err)
	}
	if sc.Case.Status != "followup" || sc.Case.Outcome != "failed" || sc.Case.Referral != "litigation" || sc.Case.CountyOwns {
		t.Fatalf("the township's case after the county's conclusion: %+v", sc.Case)
	}
	waitHub(t, "the case settled at the county", func() bool {
		hubGet(t, hub.url, bossCookie, "/api/v1/county/cases?reported=1", &list)
		return len(list.Rows) == 0 && list.Counts.Reported == 0
	})
	hub.stop(t)
	township.stop(t)
}

// caseAtHub is the hub's answer for a case.
type caseAtHub struct {
	countyview.CaseDetail
	Commands []countyview.SentCommand `json:"commands"`
}

func getHubCase(t *testing.T, base string, cookie *http.Cookie, path string) caseAtHub {
	t.Helper()
	var d caseAtHub
	hubGet(t, base, cookie, path, &d)
	return d
}

// hubGet reads JSON from the hub as the cookie's person; a status other
// than 200 leaves out as it was.
func hubGet(t *testing.T, base string, cookie *http.Cookie, path string, out any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	req.AddCookie(cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}

// waitHub polls done for up to three minutes: the hub's sourcing backs off
// while it was down.
func waitHub(t *testing.T, what string, done func() bool) {
	t.Helper()
	for deadline := time.Now().Add(3 * time.Minute); !done(); {
		if time.Now().After(deadline) {
			t.Fatalf("%s never reached the county", what)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// countyHub prepares a hub's data directory: the sites (named 第N乡镇综治中心)
// with their credentials files, and the supervisor county-boss with a
// one-time password; startHub starts the hub on it with its leaf listener
// on leaf (its admin's password county-hub-pw).
func countyHub(t *testing.T, ctx context.Context, dir, leaf string, sites ...string) (creds map[string]string, bossOneTime string, startHub func() *process) {
	t.Helper()
	creds = map[string]string{}
	for i, id := range sites {
		var out bytes.Buffer
		if err := dispatch(ctx, []string{"-role", "hub", "-data", dir, "-add-site", id, "-site-name", fmt.Sprintf("第%d乡镇综治中心", i+1)}, &out, io.Discard); err != nil {
			t.Fatal(err)
		}
		creds[id] = filepath.Join(t.TempDir(), "county.creds")
		if err := os.WriteFile(creds[id], out.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("YITING_ADMIN_PASSWORD", "county-hub-pw") // the hub's admin, made by the first -add-user
	var out bytes.Buffer
	if err := dispatch(ctx, []string{"-role", "hub", "-data", dir, "-add-user", "county-boss", "-user-role", "supervisor"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	return creds, oneTimePassword(t, out.String()), func() *process {
		return startServer(t, []string{"YITING_ADMIN_PASSWORD=county-hub-pw"}, "-role", "hub", "-data", dir, "-addr", "127.0.0.1:0", "-leaf-addr", leaf)
	}
}
