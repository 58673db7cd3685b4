package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"yiting/kiosk/idcard/idcardsim"
)

// TestKioskInquiryInChromium: a visitor who lost the ticket taps 查询进度
// and the ID card, and sees the case the kiosk opened for them; or types
// the case code and the ID number's last four on the keypad; wrong digits
// show nothing of the case; the screen returns to the start by itself
// (issue 13, item 18). The screens pass axe-core.
func TestKioskInquiryInChromium(t *testing.T) {
	axeSource(t)
	srv, api := freshHall(t, "")
	k := newTab(t, kioskBrowser(t), "kiosk")
	k.do(chromedp.EmulateViewport(1080, 1920))
	// A ticket with its case, as a visitor takes it.
	k.do(choosePetition(srv.url))
	wait[bool](k, `document.getElementById('s-wait-card').classList.contains('on')`, 20*time.Second)
	eval[chromedp.Void](k, `document.querySelector('button[data-card="resident"]').click()`)
	wait[bool](k, `document.getElementById('s-ticket').classList.contains('on')`, 30*time.Second)
	var list struct {
		Cases []struct {
			Code string `json:"code"`
		} `json:"cases"`
	}
	api.do("GET", "/api/v1/cases", nil, &list)
	if len(list.Cases) != 1 {
		t.Fatalf("cases %+v", list)
	}
	code := list.Cases[0].Code
	eval[chromedp.Void](k, `document.getElementById('back').click()`)
	wait[bool](k, `document.getElementById('s-menu').classList.contains('on')`, 20*time.Second)

	inquire := func() {
		t.Helper()
		eval[chromedp.Void](k, `document.querySelector('button[data-category="inquiry"]').click()`)
		wait[bool](k, `document.getElementById('s-inquire').classList.contains('on')`, 20*time.Second)
	}
	// By card.
	inquire()
	axeCheck(t, k, "kiosk: 查询进度")
	eval[chromedp.Void](k, `document.querySelector('button[data-card="resident"]').click()`)
	wait[bool](k, `document.getElementById('s-cases').classList.contains('on')`, 30*time.Second)
	shown := eval[string](k, `document.getElementById('c-list').innerText`)
	if !strings.Contains(shown, code) || !strings.Contains(shown, "王*明") || strings.Contains(shown, "王小明") {
		t.Errorf("the cases by card show %q, want %s and the masked name", shown, code)
	}
	axeCheck(t, k, "kiosk: cases")

	// By code, on the keypad: wrong digits first.
	card, _ := idcardsim.CardByLabel(idcardsim.LabelResident)
	last4 := card.Identity.Number[len(card.Identity.Number)-4:]
	wrong := "0000"
	if last4 == wrong {
		wrong = "1111"
	}
	typeIn := func(s string) {
		t.Helper()
		for _, ch := range strings.ReplaceAll(s, "-", "") {
			eval[chromedp.Void](k, `document.querySelector('#keypad button[data-key="`+string(ch)+`"]').click()`)
		}
	}
	inquire()
	typeIn(code)
	if got := eval[string](k, `document.getElementById('q-code').value`); got != code {
		t.Errorf("the keypad wrote %q, want %s", got, code)
	}
	typeIn(wrong)
	eval[chromedp.Void](k, `document.getElementById('q-submit').click()`)
	wait[bool](k, `document.getElementById('s-error').classList.contains('on')`, 20*time.Second)
	if msg := eval[string](k, `document.getElementById('e-message').textContent`); !strings.Contains(msg, "没有查到") || strings.Contains(eval[string](k, `document.body.innerText`), "下一步") {
		t.Errorf("wrong digits: %q", msg)
	}
	inquire()
	typeIn(code)
	typeIn(last4)
	eval[chromedp.Void](k, `document.getElementById('q-submit').click()`)
	wait[bool](k, `document.getElementById('s-cases').classList.contains('on') && document.getElementById('c-list').innerText.includes(`+jsString(code)+`)`, 20*time.Second)
	// And back to the start by itself (CasesShow; a minute in the hall).
	wait[bool](k, `document.getElementById('s-menu').classList.contains('on')`, 90*time.Second)
}
