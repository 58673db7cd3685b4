package main

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestBoardReloadShowsLastCalls: a board that reloads (a power cut, an
// upgrade) shows the call in progress and the last calls again, served
// and all, not an empty list (issue 13, item 17).
func TestBoardReloadShowsLastCalls(t *testing.T) {
	browser := newBrowser(t)
	srv, api := freshHall(t, "")
	api.cmd("win-01", "open")
	api.cmd("win-02", "open")
	var numbers []string // in call order
	for i, counter := range []string{"win-01", "win-02", "win-01", "win-02"} {
		api.issue("consult")
		if i >= 2 {
			api.cmd(counter, "complete") // the earlier call was served
		}
		tk := api.cmd(counter, "call-next")
		numbers = append(numbers, tk.Number)
		time.Sleep(10 * time.Millisecond) // distinct call times
	}
	secret, _ := api.token("display", "大厅显示屏", "")
	board := newTab(t, browser, "board")
	board.open(srv.url+"/board?voice=off&token="+url.QueryEscape(secret), 1920, 1080)
	wait[bool](board, `window.__board && window.__board.ready`, 20*time.Second)
	check := func(when string) {
		t.Helper()
		if got := eval[string](board, `document.getElementById('cur-number').textContent`); got != numbers[3] {
			t.Errorf("%s: the board calls %q, want %s", when, got, numbers[3])
		}
		got := eval[string](board, `[...document.querySelectorAll('#recent .num')].map(e => e.textContent).join(' ')`)
		if want := numbers[2] + " " + numbers[1] + " " + numbers[0]; got != want {
			t.Errorf("%s: the last calls are %q, want %q", when, got, want)
		}
	}
	check("opened")
	board.open(srv.url+"/board?voice=off", 1920, 1080) // the token is kept by the page
	wait[bool](board, `window.__board && window.__board.ready`, 20*time.Second)
	check("reloaded")
	if text := eval[string](board, `document.body.innerText`); strings.Contains(text, "421224-") {
		t.Errorf("the board shows a case code: %s", text)
	}
}
