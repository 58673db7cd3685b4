package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"yiting/queue"
)

// In the browser, as a group: 信访接待, then 多人来访（集体访）, two
// representatives' cards with the demo panel, 完成 — one ticket named
// after the first with 等2人. Set YITING_KIOSK_GROUP_SCREENSHOT to a file
// to save the group screen with two names, at half scale.
func TestKioskGroupPageInChromium(t *testing.T) {
	const pw = "kiosk-group-browser-password"
	srv := startServer(t, []string{"YITING_ADMIN_PASSWORD=" + pw}, "-data", t.TempDir(), "-addr", "127.0.0.1:0")
	ctx := kioskBrowser(t)
	step, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	err := chromedp.Do(step,
		choosePetition(srv.url),
		chromedp.WaitVisible(chromedp.CSS(`#wc-group`)),
		chromedp.Click(chromedp.CSS(`#wc-group`)),
		chromedp.WaitVisible(chromedp.CSS(`#s-group.on`)),
	)
	if err != nil {
		t.Fatalf("choosing 多人来访: %v", err)
	}
	msg, err := chromedp.Run(step, chromedp.Text(chromedp.CSS(`#g-message`)))
	if err != nil || msg != "请第1位代表放置身份证" {
		t.Errorf("group prompt %q: %v", msg, err)
	}
	disabled, err := chromedp.Run(step, chromedp.Evaluate[bool](`document.querySelector("#g-finish").disabled`))
	if err != nil || !disabled {
		t.Errorf("完成 enabled before any card: %v %v", disabled, err)
	}
	err = chromedp.Do(step,
		chromedp.WaitVisible(chromedp.CSS(`button[data-card="resident"]`)),
		chromedp.Click(chromedp.CSS(`button[data-card="resident"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#g-names li:nth-child(1)`)),
		chromedp.Click(chromedp.CSS(`#demo-remove`)),
		chromedp.Click(chromedp.CSS(`button[data-card="elderly"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#g-names li:nth-child(2)`)),
	)
	if err != nil {
		t.Fatalf("placing two cards: %v", err)
	}
	names, err := chromedp.Run(step, chromedp.Text(chromedp.CSS(`#g-names`)))
	if err != nil || !strings.Contains(names, "王*明") || strings.Contains(names, "王小明") {
		t.Errorf("names on the group screen %q: %v", names, err)
	}
	if path := os.Getenv("YITING_KIOSK_GROUP_SCREENSHOT"); path != "" {
		shot, err := chromedp.Run(step, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	err = chromedp.Do(step,
		chromedp.Click(chromedp.CSS(`#g-finish`)),
		chromedp.WaitVisible(chromedp.CSS(`#s-ticket.on`)),
	)
	if err != nil {
		t.Fatalf("完成: %v", err)
	}
	number, err := chromedp.Run(step, chromedp.Text(chromedp.CSS(`#t-number`)))
	if err != nil {
		t.Fatal(err)
	}
	api, err := login(testCtx(t), srv.url, "admin", pw)
	if err != nil {
		t.Fatal(err)
	}
	var tv queue.TicketView
	if _, err := api.do(testCtx(t), "GET", "/api/v1/tickets/by-number/"+number, "", nil, &tv); err != nil {
		t.Fatalf("the page shows %q, which the hall does not know: %v", number, err)
	}
	if tv.Visitor.MaskedName != "王*明等2人" || tv.CaseCode == "" {
		t.Errorf("the hall's ticket %s: visitor %q, case %q", number, tv.Visitor.MaskedName, tv.CaseCode)
	}
}
