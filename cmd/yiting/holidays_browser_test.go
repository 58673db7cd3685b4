package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestStatuteClocksInChromium: a supervisor stops a medical mediation's
// clock for the appraisal, starts it again and extends it with the
// parties' agreement, which the form asks for; an admin sends a year's
// holiday file from /admin and the page lists the year.
func TestStatuteClocksInChromium(t *testing.T) {
	browser := newBrowser(t)
	const adminPW = "statute-admin-pw-1"
	srv := startServer(t, []string{"YITING_ADMIN_PASSWORD=" + adminPW}, "-role", "server", "-data", t.TempDir(), "-addr", freeAddr(t), "-log-level", "warn")
	api := newHallClient(t, srv.url, "admin", adminPW)
	api.do("POST", "/api/v1/admin/users", map[string]any{"name": "boss", "display_name": "督导", "role": "supervisor",
		"password": "boss-password-1"}, nil)
	boss := newHallClient(t, srv.url, "boss", "boss-password-1")
	var reg struct {
		Case struct {
			Code string `json:"code"`
		} `json:"case"`
	}
	boss.do("POST", "/api/v1/cases", map[string]any{"service": "mediation-medical", "channel": "in_person",
		"persons": []map[string]string{synthCard(4801)}}, &reg)
	code := reg.Case.Code
	boss.do("POST", "/api/v1/cases/"+code+"/receive", map[string]any{"counter": "room-medical"}, nil)
	boss.do("POST", "/api/v1/cases/"+code+"/route", map[string]any{"kind": "counter", "counter": "room-medical"}, nil)

	login := func(name, user, password, next string) *tab {
		t.Helper()
		return loginTab(t, browser, srv.url, name, user, password, next)
	}
	// submit sends an action form and waits for the page to come back
	// with the limits showing want.
	submit := func(tb *tab, form, want string, fill ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		submitAct(tb, form, `document.getElementById('limits').textContent.includes(`+jsString(want)+`)`, fill...)
	}

	sup := login("supervisor", "boss", "boss-password-1", "/cases/"+code)
	if lim := eval[string](sup, `document.getElementById('limits').textContent`); !strings.Contains(lim, "鉴定所需时间不计入") || !strings.Contains(lim, "双方当事人同意延长调解期限") {
		t.Fatalf("limits: %s", lim)
	}
	submit(sup, `form[data-cmd=pause]`, "鉴定期间暂停计时", chromedp.SendKeys(chromedp.CSS(`form[data-cmd=pause] [name=reason]`), "委托医疗损害鉴定"))
	if eval[bool](sup, `!!document.querySelector('form[data-cmd=extend]')`) {
		t.Error("the extension form shows while the clock is stopped")
	}
	submit(sup, `form[data-cmd=resume]`, "计时中")
	// The form does not send an extension without the parties' agreement.
	sup.do(chromedp.SendKeys(chromedp.CSS(`form[data-cmd=extend] [name=reason]`), "需补充调查"))
	if eval[bool](sup, `document.querySelector('form[data-cmd=extend]').checkValidity()`) {
		t.Error("the extension form is valid without the parties' agreement")
	}
	submit(sup, `form[data-cmd=extend]`, "双方于12月15日书面同意", chromedp.SendKeys(chromedp.CSS(`form[data-cmd=extend] [name=consent]`), "双方于12月15日书面同意"))

	adm := login("admin", "admin", adminPW, "/admin")
	file := filepath.Join(t.TempDir(), "2030.toml")
	if err := os.WriteFile(file, []byte("# a test file, not the State Council's arrangement\nsource = \"test\"\nholidays = [\"2030-01-01\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	adm.do(chromedp.SetValue(chromedp.CSS(`#holiday-form [name=year]`), "2030"),
		chromedp.SetUploadFiles(`#holiday-form [name=file]`, []string{file}),
		chromedp.Click(chromedp.CSS(`#holiday-form button`)))
	msg := wait[string](adm, `!document.getElementById('holiday-result').hidden && document.getElementById('holiday-result').textContent`, 15*time.Second)
	if !strings.Contains(msg, "2030年节假日安排已保存") || !strings.Contains(eval[string](adm, `document.getElementById('holiday-years').textContent`), "2030年（2030.toml）") {
		t.Errorf("after the upload: %q, years %q", msg, eval[string](adm, `document.getElementById('holiday-years').textContent`))
	}
}
