package cases_test

import (
	"strings"
	"testing"
	"time"
	"yiting/queue/queuetest"

	"yiting/queue"
	"yiting/queue/cases"
)

// TestAutoSupervisionTiming: under an injected clock, notices open exactly
// when the pending deadline comes within 2 working days (blue), when its
// day has ended (yellow) and 5 working days later (red), once each, and
// end when the case is accepted.
func TestAutoSupervisionTiming(t *testing.T) {
	f := newFixture(t)
	loc := queuetest.Shanghai(t)
	code := f.register("petition", synthPerson(1)).Case.Code // accept due Fri 2026-12-11
	at := func(y int, m time.Month, day, h, min, s int) { f.clock.Set(time.Date(y, m, day, h, min, s, 0, loc)) }
	sweep := func(want int) {
		t.Helper()
		n, err := f.book.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Fatalf("%s: sweep opened %d, want %d", f.clock.Now().Format(time.DateTime), n, want)
		}
	}
	levels := func() string {
		v := must[cases.View](t)(f.book.Case(ctx, boss, code))
		var out []string
		for _, s := range v.Supervisions {
			st := "open"
			if !s.Open {
				st = "ended"
			}
			out = append(out, s.Level+":"+st)
		}
		return strings.Join(out, " ")
	}

	at(2026, 12, 8, 23, 59, 59) // Tue: 3 working days left (9, 10, 11)
	sweep(0)
	at(2026, 12, 9, 0, 0, 0) // Wed: 2 left
	sweep(1)
	sweep(0)
	if l := levels(); l != "blue:open" {
		t.Fatalf("levels %q", l)
	}
	at(2026, 12, 11, 23, 59, 59) // the last second of the due day
	sweep(0)
	at(2026, 12, 12, 0, 0, 0) // Saturday: overdue
	sweep(1)
	if l := levels(); l != "blue:ended yellow:open" {
		t.Fatalf("levels %q", l)
	}
	v := must[cases.View](t)(f.book.Case(ctx, boss, code))
	if v.Due.State != "overdue" || v.Supervisions[1].ReplyDue != d(2026, 12, 14) || !v.Supervisions[1].Auto {
		// yellow: 2 days from Sat 12-12 → Mon 12-14
		t.Fatalf("due %+v reply due %s", v.Due, v.Supervisions[1].ReplyDue)
	}
	at(2026, 12, 17, 18, 0, 0) // Thu: 4 working days overdue
	sweep(0)
	at(2026, 12, 18, 8, 0, 0) // Fri: 5
	sweep(1)
	if l := levels(); l != "blue:ended yellow:ended red:open" {
		t.Fatalf("levels %q", l)
	}
	// The unit replies late (red: the same day), then accepts: the notices end.
	at(2026, 12, 21, 9, 0, 0)
	v = must[cases.View](t)(f.book.Reply(ctx, clerk1, code, 3, "已安排专人办理"))
	if !v.Supervisions[2].Late || v.Supervisions[2].Open {
		t.Fatalf("late reply %+v", v.Supervisions[2])
	}
	_, err := f.book.Reply(ctx, clerk1, code, 3, "again")
	wantCode(t, err, queue.ECONFLICT)
	must[cases.View](t)(f.book.Receive(ctx, clerk1, code, "win-01"))
	v = must[cases.View](t)(f.book.Route(ctx, clerk1, code, cases.RouteTo{Kind: cases.RouteCounter, CounterID: "win-01"}))
	for _, s := range v.Supervisions {
		if s.Open {
			t.Fatalf("supervision %d still open after acceptance", s.ID)
		}
	}
	// Now the handling limit (60 days from 12-21 → 2027-02-19) is
	// pending and far away.
	sweep(0)
	if v.Due.Which != "handle" || v.HandleDue != d(2027, 2, 19) {
		t.Fatalf("due %+v %s", v.Due, v.HandleDue)
	}
}

func TestManualSupervision(t *testing.T) {
	f := newFixture(t)
	code := f.register("mediation-general", synthPerson(1)).Case.Code
	_, err := f.book.Supervise(ctx, clerk1, code, "red", "群众反映久拖不决")
	wantCode(t, err, queue.EFORBIDDEN)
	_, err = f.book.Supervise(ctx, boss, code, "purple", "x")
	wantCode(t, err, queue.EINVALID, "red")
	_, err = f.book.Supervise(ctx, boss, code, "yellow", " ")
	wantCode(t, err, queue.EINVALID)
	v := must[cases.View](t)(f.book.Supervise(ctx, boss, code, "blue", "群众反映久拖不决"))
	s := v.Supervisions[0]
	// Blue: 3 days from Thu 2026-11-26 → Sun 11-29 → Mon 11-30.
	if s.Level != "blue" || s.Auto || s.ReplyDue != d(2026, 11, 30) || !s.Open || s.LevelName != "蓝色督办" {
		t.Fatalf("supervision %+v", s)
	}
	list := must[[]cases.View](t)(f.book.List(ctx, boss, cases.ListFilter{Supervised: true}))
	if len(list) != 1 || list[0].Code != code {
		t.Fatalf("supervised list %d", len(list))
	}
	v = must[cases.View](t)(f.book.Reply(ctx, boss, code, 1, "已约谈"))
	if v.Supervisions[0].Open || v.Supervisions[0].Late {
		t.Fatalf("%+v", v.Supervisions[0])
	}
	_, err = f.book.Reply(ctx, boss, code, 9, "x")
	wantCode(t, err, queue.ENOTFOUND)
}

func TestDueList(t *testing.T) {
	f := newFixture(t)
	loc := queuetest.Shanghai(t)
	f.clock.Set(time.Date(2026, 11, 2, 9, 0, 0, 0, loc))
	old := f.register("mediation-labour", synthPerson(1)).Case.Code // handle due Tue 11-17
	f.clock.Set(time.Date(2026, 11, 26, 9, 0, 0, 0, loc))
	soon := f.register("consumer", synthPerson(2)).Case.Code // accept due: 7 working days → Mon 12-07
	f.register("petition", synthPerson(3))                   // due 12-11: ok
	f.clock.Set(time.Date(2026, 12, 3, 9, 0, 0, 0, loc))     // Thu: 2 working days to 12-07
	list := must[[]cases.View](t)(f.book.List(ctx, boss, cases.ListFilter{Due: "due"}))
	if len(list) != 2 || list[0].Code != old || list[0].Due.State != "overdue" || list[1].Code != soon || list[1].Due.State != "soon" {
		t.Fatalf("due list %+v", list)
	}
	if all := must[[]cases.View](t)(f.book.List(ctx, boss, cases.ListFilter{})); len(all) != 3 {
		t.Fatalf("%d open", len(all))
	}
	if over := must[[]cases.View](t)(f.book.List(ctx, boss, cases.ListFilter{Due: "overdue"})); len(over) != 1 {
		t.Fatalf("%d overdue", len(over))
	}
	if _, err := f.book.List(ctx, kiosk, cases.ListFilter{}); queue.ErrorCode(err) != queue.EFORBIDDEN {
		t.Fatal(err)
	}
}
