package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"yiting/queue"
)

// kioskBrowser starts a headless Chromium for the test, with a viewport
// of the kiosk's screen, 1080×1920 portrait.
func kioskBrowser(t *testing.T) context.Context {
	t.Helper()
	ctx := newBrowser(t, chromedp.WindowSize(1080, 1920))
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1080, 1920)); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

// In the browser, as a visitor: choose 信访接待 on the touchscreen, place a
// card with the demo panel, see the ticket with the number the hall issued
// and the printed ticket's image. Set YITING_KIOSK_SCREENSHOT to a file to
// also save the menu as the visitor sees it, at half scale.
func TestKioskPageInChromium(t *testing.T) {
	const pw = "kiosk-browser-password"
	srv := startServer(t, []string{"YITING_ADMIN_PASSWORD=" + pw}, "-data", t.TempDir(), "-addr", "127.0.0.1:0")
	ctx := kioskBrowser(t)
	step, cancel := context.WithTimeout(ctx, 90*time.Second)
	defer cancel()

	err := chromedp.Do(step,
		choosePetition(srv.url),
		chromedp.WaitVisible(chromedp.CSS(`#s-wait-card.on`)),
	)
	if err != nil {
		t.Fatalf("choosing 信访接待: %v", err)
	}
	prompt, err := chromedp.Run(step, chromedp.Text(chromedp.CSS(`#s-wait-card .say`)))
	if err != nil || prompt != "请将身份证放在感应区" {
		t.Errorf("wait-card prompt %q: %v", prompt, err)
	}
	err = chromedp.Do(step,
		chromedp.WaitVisible(chromedp.CSS(`button[data-card="resident"]`)),
		chromedp.Click(chromedp.CSS(`button[data-card="resident"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#s-ticket.on`)),
		chromedp.WaitVisible(chromedp.CSS(`#demo-ticket img.on`)),
	)
	if err != nil {
		t.Fatalf("placing the card: %v", err)
	}
	number, err := chromedp.Run(step, chromedp.Text(chromedp.CSS(`#t-number`)))
	if err != nil {
		t.Fatal(err)
	}
	where, _ := chromedp.Run(step, chromedp.Text(chromedp.CSS(`#t-where`)))
	message, _ := chromedp.Run(step, chromedp.Text(chromedp.CSS(`#t-message`)))
	api, err := login(testCtx(t), srv.url, "admin", pw)
	if err != nil {
		t.Fatal(err)
	}
	var tv queue.TicketView
	if _, err := api.do(testCtx(t), "GET", "/api/v1/tickets/by-number/"+number, "", nil, &tv); err != nil {
		t.Fatalf("the page shows %q, which the hall does not know: %v", number, err)
	}
	if tv.ServiceID != "petition" || tv.Visitor.MaskedName != "王*明" {
		t.Errorf("the hall's ticket %s: %+v", number, tv.Ticket)
	}
	if !strings.HasPrefix(where, "请到：") || message != "请取走凭条，留意叫号" {
		t.Errorf("ticket screen: %q, %q", where, message)
	}
	naturalWidth, err := chromedp.Run(step, chromedp.Evaluate[int](`document.querySelector("#demo-ticket img").naturalWidth`))
	if err != nil || naturalWidth == 0 {
		t.Errorf("the printed ticket's image did not load: width %d, %v", naturalWidth, err)
	}
	// Its text beside it, readable whatever fonts the machine has.
	if _, err := chromedp.Run(step, chromedp.Poll[bool](`document.getElementById("demo-ticket-text").textContent.includes(`+jsString(number)+`)`,
		chromedp.WithPollingTimeout(10*time.Second))); err != nil {
		t.Errorf("the printed ticket's text is not beside its picture: %v", err)
	}

	// 返回 takes the visitor back to the menu.
	err = chromedp.Do(step,
		chromedp.Click(chromedp.CSS(`#back`)),
		chromedp.WaitVisible(chromedp.CSS(`#s-menu.on`)),
	)
	if err != nil {
		t.Fatalf("返回: %v", err)
	}
	if path := os.Getenv("YITING_KIOSK_SCREENSHOT"); path != "" {
		kioskScreenshot(t, step, srv.url+"/kiosk?nodemo", path)
	}
}

// screenshot saves the page at half scale (540×960): small enough for
// the repository, large enough to judge the layout.
func kioskScreenshot(t *testing.T, ctx context.Context, url, path string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(1080, 1920, chromedp.EmulateScale(0.5)),
		chromedp.Navigate(url),
		chromedp.WaitVisible(chromedp.CSS(`button[data-category="petition"]`)),
		chromedp.Sleep(300*time.Millisecond), // fonts and layout settle
	)
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s (%d bytes)", path, b.Len())
}

// choosePetition opens the kiosk page and chooses 信访接待 → 信访接待, as a
// visitor does.
func choosePetition(base string) chromedp.Action[chromedp.Void] {
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/kiosk"),
		chromedp.WaitVisible(chromedp.CSS(`button[data-category="petition"]`)),
		chromedp.Click(chromedp.CSS(`button[data-category="petition"]`)),
		chromedp.WaitVisible(chromedp.CSS(`button[data-service="petition"]`)),
		chromedp.Click(chromedp.CSS(`button[data-service="petition"]`)),
	}
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		var v chromedp.Void
		for _, step := range steps {
			if _, err := step(ctx, t); err != nil {
				return v, err
			}
		}
		return v, nil
	}
}
