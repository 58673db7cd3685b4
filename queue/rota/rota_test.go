package rota_test

import (
	"context"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/queuetest"
	"yiting/queue/rota"
)

var (
	ctx   = context.Background()
	boss  = queue.Principal{ID: "boss", Role: queue.RoleSupervisor}
	admin = queue.Principal{ID: "admin", Role: queue.RoleAdmin}
	clerk = queue.Principal{ID: "clerk1", Role: queue.RoleStaff, Counters: []string{"w1"}}
	kiosk = queue.Principal{ID: "k1", Role: queue.RoleKiosk}
)

// leaderHall: a petition window and the leaders' room, whose 领导接访 is
// offered on the rota's days only.
func leaderHall(t *testing.T) *queue.Hall {
	return &queue.Hall{
		Name: "测试综治中心", RegionCode: "421224", Location: queuetest.Shanghai(t),
		Services: []queue.Service{
			{ID: "petition", Name: "信访接待", Prefix: "A", Category: queue.CategoryPetition, NeedsID: true, CaseType: "petition"},
			{ID: "leader", Name: "领导接访", Prefix: "T", Category: queue.CategoryPetition, NeedsID: true, CaseType: "petition", DutyOnly: true},
		},
		Counters: []queue.Counter{
			{ID: "w1", Name: "1号窗口", Kind: queue.KindWindow, Unit: "信访局", Services: []queue.CounterService{{ServiceID: "petition", Weight: 1}}},
			{ID: "room-leader", Name: "领导接访室", Kind: queue.KindRoom, Unit: "信访局", Services: []queue.CounterService{{ServiceID: "leader", Weight: 1}}},
		},
	}
}

// card is an invented visitor with a valid check character.
func card(n int) cases.Person {
	body := []byte("42122419800101" + string(rune('0'+n%10)) + "23")
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	s := 0
	for i, c := range body {
		s += int(c-'0') * w[i]
	}
	return cases.Person{IDNumber: string(body) + string("10X98765432"[s%11]), Name: "测试人", CardType: "居民身份证"}
}

// The rota is kept by admins and supervisors, checked, and read by all;
// a duty-only service is issued on its days only, to the day's room.
func TestRotaOpensTheLeadersReception(t *testing.T) {
	h := queuetest.NewHall(t, leaderHall(t), queuetest.HallOptions{}) // Thu 2026-11-26 09:00
	r := h.Rota
	tap := func(key string) (cases.Issued, error) {
		return h.Book.Issue(ctx, kiosk, cases.IssueRequest{ServiceID: "leader", Persons: []cases.Person{card(1)}, IdempotencyKey: key})
	}
	if _, err := tap("before"); queue.ErrorCode(err) != queue.ECONFLICT {
		t.Fatalf("领导接访 on a day without a leader: %v", err)
	}

	e := rota.Entry{Day: "2026-11-26", Kind: rota.KindLeader, Who: "县委副书记 某某", CounterID: "room-leader", ServiceID: "leader"}
	for _, c := range []struct {
		p    queue.Principal
		edit func(*rota.Entry)
		code string
	}{
		{clerk, nil, queue.EFORBIDDEN},
		{kiosk, nil, queue.EFORBIDDEN},
		{boss, func(e *rota.Entry) { e.Day = "2026-11-25" }, queue.EINVALID},
		{boss, func(e *rota.Entry) { e.Day = "2026/11/26" }, queue.EINVALID},
		{boss, func(e *rota.Entry) { e.Kind = "party" }, queue.EINVALID},
		{boss, func(e *rota.Entry) { e.Who = " " }, queue.EINVALID},
		{boss, func(e *rota.Entry) { e.CounterID = "w9" }, queue.EINVALID},
		{boss, func(e *rota.Entry) { e.CounterID = "w1" }, queue.EINVALID}, // 1号窗口 does not serve 领导接访
	} {
		x := e
		if c.edit != nil {
			c.edit(&x)
		}
		if _, err := r.Set(ctx, c.p, x); queue.ErrorCode(err) != c.code {
			t.Errorf("%s sets %+v: %v, want %s", c.p.ID, x, err, c.code)
		}
	}
	got, err := r.Set(ctx, admin, e)
	if err != nil || got.Room != "领导接访室" || got.KindName != "县领导坐班接访" {
		t.Fatalf("set: %+v %v", got, err)
	}
	is, err := tap("today")
	if err != nil || is.Ticket.TargetCounter != "room-leader" || is.CaseCode == "" {
		t.Fatalf("领导接访 today: %+v %v", is.Ticket, err)
	}
	// Tomorrow there is none.
	h.Clock.Set(time.Date(2026, 11, 27, 9, 0, 0, 0, queuetest.Shanghai(t)))
	if _, err := tap("tomorrow"); queue.ErrorCode(err) != queue.ECONFLICT {
		t.Errorf("领导接访 the next day: %v", err)
	}
	es, err := r.Between(ctx, "2026-11-01", "2026-11-30")
	if err != nil || len(es) != 1 {
		t.Fatalf("the month: %+v %v", es, err)
	}
	if err := r.Remove(ctx, clerk, es[0].Key()); queue.ErrorCode(err) != queue.EFORBIDDEN {
		t.Errorf("a clerk removes: %v", err)
	}
	if err := r.Remove(ctx, boss, es[0].Key()); err != nil {
		t.Fatal(err)
	}
	if err := r.Remove(ctx, boss, es[0].Key()); queue.ErrorCode(err) != queue.ENOTFOUND {
		t.Errorf("removed twice: %v", err)
	}
	lines, by := rota.Lines([]rota.Entry{got})
	if len(lines) != 1 || lines[0] != "县领导坐班接访：县委副书记 某某（领导接访室）" || by["leader"] != "县委副书记 某某（领导接访室）" {
		t.Errorf("lines %q %v", lines, by)
	}
}
