package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"yiting/queue/queuetest"
)

// Issue 16, items 1, 2 and 4, in Chromium on the default hall file: a
// supervisor raises legal aid's places on the plans page and closes
// Friday; the visitor's booking page then offers the new places and no
// Friday, and the visitor books. Closing that day is refused while the
// booking holds it (the page says how many and where); the supervisor
// moves the booking on the appointments page, closes the day, and the
// booking page no longer offers it. The plans page and the appointments
// page with its move form pass axe-core.
func TestAppointmentPlansInChromium(t *testing.T) {
	axeSource(t)
	loc := queuetest.Shanghai(t)
	clock := queuetest.NewClock(time.Date(2026, 12, 3, 8, 50, 0, 0, loc)) // a Thursday
	const adminPW = "plans-admin-pw"
	_, base := clockedHall(t, clock, adminPW)
	admin := newHallClient(t, base, "admin", adminPW)
	admin.do("POST", "/api/v1/admin/users", map[string]any{"name": "boss", "display_name": "督导", "role": "supervisor",
		"password": "boss-password-1"}, nil)

	browser := newBrowser(t)
	boss := loginTab(t, browser, base, "boss", "boss", "boss-password-1", "/dashboard/appointments/plans")
	const plan = `#plan-legal-aid`
	if got := eval[string](boss, `document.querySelector('`+plan+` table.week td').textContent`); !strings.Contains(got, "09:00 0/1") {
		t.Fatalf("Thursday's slots before the change: %q", got)
	}
	axeCheck(t, boss, "dashboard/appointments/plans")

	// submit sends a form of the page and waits for the page to come
	// back, or for the error it shows.
	submit := func(form string, fill ...chromedp.Action[chromedp.Void]) string {
		t.Helper()
		eval[chromedp.Void](boss, `window.__before = true`)
		boss.do(fill...)
		boss.do(chromedp.Click(chromedp.CSS(form + ` button[type=submit]`)))
		return wait[string](boss, `(!window.__before && document.readyState === 'complete' && 'ok') ||
			(window.__before && !document.getElementById('slots-error').hidden && document.getElementById('slots-error').textContent) || ''`, 15*time.Second)
	}
	setValue := func(sel, v string) chromedp.Action[chromedp.Void] { return chromedp.SetValue(chromedp.CSS(sel), v) }
	if got := submit(plan+` form.plan-edit`, setValue(plan+` input[name=capacity]`, "4")); got != "ok" {
		t.Fatalf("changing the capacity: %s", got)
	}
	section := eval[string](boss, `document.querySelector('`+plan+`').textContent`)
	if !strings.Contains(section, "本页修改（配置文件：2）") || !strings.Contains(section, "09:00 0/3") {
		t.Fatalf("the plan after the change: %q", section)
	}
	if got := submit(plan+` form.plan-close`, setValue(plan+` form.plan-close input[name=day]`, "2026-12-04"),
		setValue(plan+` form.plan-close input[name=reason]`, "律师外出培训")); got != "ok" {
		t.Fatalf("closing Friday: %s", got)
	}
	if section = eval[string](boss, `document.querySelector('`+plan+`').textContent`); !strings.Contains(section, "该日暂停预约：律师外出培训") {
		t.Fatalf("the week after closing Friday: %q", section)
	}

	// The visitor's booking page offers three places a slot, no Friday.
	visitor := newTab(t, browser, "visitor", chromedp.WithNewBrowserContext())
	visitor.open(base+"/book?plan=legal-aid", 390, 844)
	days := wait[string](visitor, `document.readyState === 'complete' && document.body.textContent`, 15*time.Second)
	if !strings.Contains(days, "2026-12-03 星期四　余 30") || strings.Contains(days, "2026-12-04") || !strings.Contains(days, "2026-12-07 星期一　余 30") {
		t.Fatalf("the days offered: %q", days)
	}
	visitor.open(base+"/book?plan=legal-aid&day=2026-12-03", 390, 844)
	wait[bool](visitor, `document.querySelector('input[name=start][value="2026-12-03T09:00:00+08:00"]') !== null`, 15*time.Second)
	if got := eval[string](visitor, `document.querySelector('input[name=start]').parentElement.textContent`); !strings.Contains(got, "09:00–09:30（余 3）") {
		t.Fatalf("the first slot offered: %q", got)
	}
	visitor.do(
		chromedp.Click(chromedp.CSS(`input[name=start][value="2026-12-03T09:00:00+08:00"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=name]`), "吴测试"),
		chromedp.SendKeys(chromedp.CSS(`input[name=id_number]`), withCheckChar("42122419800101004")),
		chromedp.Click(chromedp.CSS(`form button[type=submit]`)),
	)
	if code := wait[string](visitor, `(document.getElementById('booked-code') || {}).textContent || ''`, 15*time.Second); len(code) != 9 {
		t.Fatalf("booked: %q", code)
	}

	// Closing Thursday now would strand the booking: refused, with where.
	boss.open(base+"/dashboard/appointments/plans", 1440, 900)
	got := submit(plan+` form.plan-close`, setValue(plan+` form.plan-close input[name=day]`, "2026-12-03"),
		setValue(plan+` form.plan-close input[name=reason]`, "律师外出培训"))
	if !strings.Contains(got, "1个已有预约") || !strings.Contains(got, "12月03日 09:00") {
		t.Fatalf("closing a day with a booking: %q", got)
	}

	// The supervisor moves it to Monday 09:00 on the appointments page.
	boss.open(base+"/dashboard/appointments?day=2026-12-03", 1440, 900)
	wait[bool](boss, `document.querySelector('.appt-change') !== null`, 15*time.Second)
	boss.do(chromedp.Click(chromedp.CSS(`.appt-change`)))
	wait[bool](boss, `!document.getElementById('change').hidden && document.querySelectorAll('#move-start option').length > 0`, 15*time.Second)
	axeCheck(t, boss, "dashboard/appointments (move)")
	boss.do(setValue(`#move-day`, "2026-12-07"))
	eval[chromedp.Void](boss, `document.getElementById('move-day').dispatchEvent(new Event('change'))`)
	wait[bool](boss, `document.querySelector('#move-start option[value="2026-12-07T09:00:00+08:00"]:not([disabled])') !== null`, 15*time.Second)
	eval[chromedp.Void](boss, `window.__before = true`)
	boss.do(setValue(`#move-start`, "2026-12-07T09:00:00+08:00"), chromedp.Click(chromedp.CSS(`#move button[type=submit]`)))
	if got := wait[string](boss, `(!window.__before && document.readyState === 'complete' && 'ok') ||
		(!document.getElementById('appt-error').hidden && document.getElementById('appt-error').textContent) || ''`, 15*time.Second); got != "ok" {
		t.Fatalf("moving the booking: %s", got)
	}
	boss.open(base+"/dashboard/appointments?day=2026-12-07", 1440, 900)
	if got := wait[string](boss, `document.readyState === 'complete' && document.getElementById('bookings').textContent`, 15*time.Second); !strings.Contains(got, "12-07 09:00") || !strings.Contains(got, "吴*试") {
		t.Fatalf("Monday's bookings: %q", got)
	}

	// Now Thursday closes, and the booking page offers neither day.
	boss.open(base+"/dashboard/appointments/plans", 1440, 900)
	if got := submit(plan+` form.plan-close`, setValue(plan+` form.plan-close input[name=day]`, "2026-12-03"),
		setValue(plan+` form.plan-close input[name=reason]`, "律师外出培训")); got != "ok" {
		t.Fatalf("closing Thursday after the move: %s", got)
	}
	visitor.open(base+"/book?plan=legal-aid", 390, 844)
	days = wait[string](visitor, `document.readyState === 'complete' && document.body.textContent`, 15*time.Second)
	if strings.Contains(days, "2026-12-03") || strings.Contains(days, "2026-12-04") || !strings.Contains(days, "2026-12-07 星期一　余 29") {
		t.Fatalf("the days offered after closing Thursday: %q", days)
	}
}
