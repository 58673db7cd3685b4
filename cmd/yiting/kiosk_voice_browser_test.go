package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestKioskSpeaksInChromium: the kiosk says a short prompt at each step
// with the machine's voice (espeak-ng, as the board), repeats it on 重听,
// and 大字 enlarges the type until the kiosk is back at the start; each
// screen passes axe-core (issue 13, item 19; 无障碍环境建设法 Art. 40).
func TestKioskSpeaksInChromium(t *testing.T) {
	if !espeakInstalled() {
		t.Fatal("this test needs espeak-ng: apt-get install espeak-ng")
	}
	axeSource(t)
	srv, _ := freshHall(t, "")
	k := newTab(t, kioskBrowser(t), "kiosk")
	k.do(chromedp.EmulateViewport(1080, 1920))
	k.do(choosePetition(srv.url))
	// spoke waits for the prompt key to have been said, and returns how.
	spoke := func(key string, n int) string {
		t.Helper()
		return wait[string](k, `(() => { const s = window.__kioskSpoken.filter(x => x.key === `+jsString(key)+` && x.path);
			return s.length >= `+jsNumber(uint64(n))+` ? s[s.length - 1].path : ''; })()`, 30*time.Second)
	}
	spoke("category", 1) // cut short by the next, as the visitor chose at once
	if got := spoke("wait_card", 1); got != "server" {
		t.Errorf("the card prompt was said by %q, want the server's voice", got)
	}
	axeCheck(t, k, "kiosk: place the card")

	// 大字, then the card: the ticket with its number and window, spoken.
	small := eval[float64](k, `parseFloat(getComputedStyle(document.querySelector('#s-wait-card .say')).fontSize)`)
	k.do(chromedp.Click(chromedp.ID("large")))
	large := eval[float64](k, `parseFloat(getComputedStyle(document.querySelector('#s-wait-card .say')).fontSize)`)
	if large < small*1.25 {
		t.Errorf("大字: the prompt grows from %.0f px to %.0f px only", small, large)
	}
	axeCheck(t, k, "kiosk: large type")
	k.do(chromedp.Click(chromedp.CSS(`button[data-card="resident"]`)))
	wait[bool](k, `document.getElementById('s-ticket').classList.contains('on')`, 30*time.Second)
	if got := spoke("ticket", 1); got != "server" {
		t.Errorf("the ticket prompt was said by %q", got)
	}
	number := eval[string](k, `document.getElementById('t-number').textContent`)
	said := eval[string](k, `window.__kioskSpoken.filter(x => x.key === 'ticket').pop().text`)
	if want := "您的号码是" + number + "，请到"; len(said) < len(want) || said[:len(want)] != want {
		t.Errorf("the ticket prompt says %q, want it to begin %q", said, want)
	}
	axeCheck(t, k, "kiosk: ticket")

	// 重听 says it again.
	eval[chromedp.Void](k, `document.getElementById('repeat').click()`)
	spoke("ticket", 2)

	// Back at the start, the next visitor gets the usual type.
	eval[chromedp.Void](k, `document.getElementById('back').click()`)
	wait[bool](k, `document.getElementById('s-menu').classList.contains('on') && !document.body.classList.contains('large')`, 30*time.Second)
}
