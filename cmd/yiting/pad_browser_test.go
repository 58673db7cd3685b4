package main

import (
	"net/url"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestPadInChromium drives a counter's pad through what visitors and
// clerks do to it (issue 13, item 14): a bad rating whose visitor walks
// away keeps the reasons tapped; a 1-star rating survives the clerk
// completing the next ticket while the reasons are being chosen; a
// revoked pad stops at once and never thanks for a rating it could not
// send.
func TestPadInChromium(t *testing.T) {
	browser := newBrowser(t)
	srv, api := freshHall(t, "")
	api.cmd("win-04", "open")
	padSecret, padID := api.token("pad", "4号窗口评价器", "win-04")
	pad := newTab(t, browser, "pad")
	pad.open(srv.url+"/pad?token="+url.QueryEscape(padSecret), 1280, 800)
	wait[bool](pad, `window.__pad && window.__pad.ready`, 20*time.Second)
	// Short screens, so the test does not wait a minute for each.
	eval[chromedp.Void](pad, `Y.data.thanks_s = 1`)

	// complete serves one visitor at win-04 and waits for the pad to ask.
	complete := func() apiTicket {
		t.Helper()
		tk := api.issue("consult")
		api.cmd("win-04", "call-next")
		api.cmd("win-04", "complete")
		return tk
	}
	asked := func(tk apiTicket) {
		t.Helper()
		wait[bool](pad, `window.__pad.screen === 'prompt' && document.getElementById('prompt-number').textContent === `+jsString(tk.Number+"号"), 10*time.Second)
	}
	rated := func(tk apiTicket) apiTicket {
		t.Helper()
		wait[bool](pad, `window.__pad.sent.some(s => s.id === `+jsNumber(tk.ID)+`)`, 15*time.Second)
		return api.ticket(tk.ID)
	}

	t.Run("reasons kept on timeout", func(t *testing.T) {
		eval[chromedp.Void](pad, `Y.data.prompt_s = 2`)
		tk := complete()
		asked(tk)
		pad.do(chromedp.Click(chromedp.CSS(".level.l2")))
		wait[bool](pad, `window.__pad.screen === 'reasons'`, 5*time.Second)
		pad.do(chromedp.Click(chromedp.CSS(".reason:nth-child(1)")), chromedp.Click(chromedp.CSS(".reason:nth-child(3)")))
		// Nobody taps 提交: the screen times out.
		got := rated(tk)
		if got.Rating == nil || got.Rating.Level != 2 || len(got.Rating.Reasons) != 2 ||
			got.Rating.Reasons[0] != "等候时间太长" || got.Rating.Reasons[1] != "办事效率低" || got.Rating.By != "pad:"+padID {
			t.Errorf("after the reasons screen timed out the ticket holds %+v", got.Rating)
		}
		wait[bool](pad, `window.__pad.screen === 'idle'`, 10*time.Second)
	})

	t.Run("1 star kept while the next visitor is completed", func(t *testing.T) {
		eval[chromedp.Void](pad, `Y.data.prompt_s = 60`)
		first := complete()
		asked(first)
		pad.do(chromedp.Click(chromedp.CSS(".level.l1")))
		wait[bool](pad, `window.__pad.screen === 'reasons'`, 5*time.Second)
		pad.do(chromedp.Click(chromedp.CSS(".reason:nth-child(2)")))
		second := complete()
		wait[bool](pad, `window.__pad.next === `+jsString(second.Number), 10*time.Second)
		if s := eval[string](pad, `window.__pad.screen`); s != "reasons" {
			t.Fatalf("the visitor choosing reasons was cut off: the pad shows %q", s)
		}
		pad.do(chromedp.Click(chromedp.ID("reasons-send")))
		got := rated(first)
		if got.Rating == nil || got.Rating.Level != 1 || len(got.Rating.Reasons) != 1 || got.Rating.Reasons[0] != "工作人员态度不好" {
			t.Errorf("the first visitor's 1 star: the ticket holds %+v", got.Rating)
		}
		// Then the next visitor is asked.
		asked(second)
		pad.do(chromedp.Click(chromedp.CSS(".level.l5")))
		if got := rated(second); got.Rating == nil || got.Rating.Level != 5 {
			t.Errorf("the second visitor's rating: %+v", got.Rating)
		}
		wait[bool](pad, `window.__pad.screen === 'idle'`, 10*time.Second)
	})

	t.Run("revoked pad stops", func(t *testing.T) {
		tk := complete()
		asked(tk)
		api.do("POST", "/api/v1/admin/tokens/"+padID+"/revoke", nil, nil)
		// The visitor taps at once, before or after the pad learns.
		eval[chromedp.Void](pad, `document.querySelector('.level.l2').click()`)
		wait[bool](pad, `window.__pad.stopped && !document.getElementById('setup').hidden`, 10*time.Second)
		for _, id := range []string{"prompt", "reasons", "thanks"} {
			if !eval[bool](pad, `document.getElementById(`+jsString(id)+`).hidden`) {
				t.Errorf("the stopped pad still shows #%s", id)
			}
		}
		if got := api.ticket(tk.ID); got.Rating != nil {
			t.Errorf("a revoked pad rated: %+v", got.Rating)
		}
		if eval[bool](pad, `document.body.innerText.includes('感谢您的评价')`) {
			t.Errorf("the revoked pad thanks: %s", eval[string](pad, `document.body.innerText`))
		}
	})
}
