package kiosk

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	hallconfig "yiting/firmware-config"
	"yiting/kiosk/idcard"
	"yiting/queue"
)

func defaultInfo(t *testing.T) HallInfo {
	t.Helper()
	cfg, err := hallconfig.Default()
	if err != nil {
		t.Fatal(err)
	}
	info := HallInfo{Name: cfg.Hall.Name, Counters: cfg.Hall.Counters, Priority: cfg.Hall.Priority.Classes}
	for _, s := range cfg.Hall.Services {
		info.Services = append(info.Services, ServiceInfo{Service: s})
	}
	return info
}

// The Tongshan hall's menu is grouped as the hall is.
func TestMenuOfTheDefaultHall(t *testing.T) {
	m := menu(defaultInfo(t).Services)
	var titles []string
	for _, c := range m {
		titles = append(titles, c.Title)
	}
	if got, _ := json.Marshal(titles); string(got) != `["信访接待","矛盾纠纷调解","法律服务","心理疏导","诉讼服务","咨询"]` {
		t.Errorf("categories %s", got)
	}
	pet := m[0]
	var groups []string
	for _, g := range pet.Groups {
		groups = append(groups, g.Title)
	}
	if got, _ := json.Marshal(groups); string(got) != `["","涉法涉诉","部门事项"]` {
		t.Errorf("petition groups %s", got)
	}
	if s := pet.Groups[0].Services; len(s) != 1 || s[0].ID != "petition" || !s[0].NeedsID {
		t.Errorf("first petition group %+v", s)
	}
	if med := m[1]; len(med.Groups) != 1 || med.Groups[0].Title != "" || len(med.Groups[0].Services) != 8 {
		t.Errorf("mediation: one untitled group of 8, got %+v", med.Groups)
	}
	if c := m[3]; len(c.Groups) != 1 || c.Groups[0].Services[0].ID != "counselling" || c.Groups[0].Services[0].NeedsID {
		t.Errorf("counselling %+v", c)
	}
}

func TestMenuUntitledGroupLeads(t *testing.T) {
	s := func(id, group string) ServiceInfo {
		return ServiceInfo{Service: queue.Service{ID: id, Name: id, Category: queue.CategoryLegal, Group: group}, Waiting: 1}
	}
	m := menu([]ServiceInfo{s("a", "甲"), s("b", ""), s("c", "甲")})
	if len(m) != 1 || len(m[0].Groups) != 2 || m[0].Groups[0].Title != "" || m[0].Groups[1].Title != "甲" ||
		len(m[0].Groups[1].Services) != 2 || m[0].Title != "法律服务" {
		t.Errorf("menu %+v", m)
	}
}

func TestWhere(t *testing.T) {
	info := defaultInfo(t)
	cases := []struct {
		service, target, counter, location string
	}{
		{"petition", "", "1号窗口、2号窗口", "一楼联合接访大厅"},
		{"consult", "", "一楼联合接访大厅", ""},                        // eleven windows at the same weight
		{"mediation-medical", "", "医患纠纷调解室、矛盾纠纷多元调解室", "二楼东侧"}, // the shared room takes it too
		{"judicial-confirmation", "", "法官工作室", "三楼 审判庭旁"},
		{"law-petition", "win-04", "4号窗口", "一楼联合接访大厅 4号窗口"},
		{"law-petition", "", "3号窗口、4号窗口", "一楼联合接访大厅"},
	}
	for _, c := range cases {
		counter, location := where(info, queue.Ticket{ServiceID: c.service, TargetCounter: c.target})
		if counter != c.counter || location != c.location {
			t.Errorf("%s→%q: got %q %q, want %q %q", c.service, c.target, counter, location, c.counter, c.location)
		}
	}
}

func TestCommonPlace(t *testing.T) {
	cases := []struct {
		locs []string
		want string
	}{
		{[]string{"一楼大厅 1号窗口", "一楼大厅 2号窗口"}, "一楼大厅"},
		{[]string{"一楼大厅 1号窗口", "一楼大厅 12号窗口 综合受理"}, "一楼大厅"},
		{[]string{"二楼东侧", "二楼东侧"}, "二楼东侧"},
		{[]string{"二楼东侧", "二楼西侧"}, "二楼"},
		{[]string{"东楼", "西楼"}, ""},
		{[]string{"", "一楼"}, ""},
	}
	for _, c := range cases {
		if got := commonPlace(c.locs); got != c.want {
			t.Errorf("commonPlace(%q) = %q, want %q", c.locs, got, c.want)
		}
	}
}

func TestPriorityByAge(t *testing.T) {
	classes := []queue.PriorityClass{{ID: "elderly", Name: "老年人", MinAge: 60}, {ID: "old", Name: "高龄", MinAge: 80}, {ID: "military", Name: "军人"}}
	at := time.Date(2026, 3, 10, 12, 0, 0, 0, idcard.ChinaTime())
	born := func(y, m, d int) *idcard.Identity {
		return &idcard.Identity{Birth: time.Date(y, time.Month(m), d, 0, 0, 0, 0, idcard.ChinaTime())}
	}
	cases := []struct {
		id   *idcard.Identity
		want string
	}{
		{born(1966, 3, 11), ""},        // 59 until tomorrow
		{born(1966, 3, 10), "elderly"}, // 60 today
		{born(1946, 3, 10), "old"},     // 80: the higher class
		{&idcard.Identity{}, ""},       // no birth date
		{nil, ""},
	}
	for _, c := range cases {
		got, ok := priorityFor(classes, c.id, at)
		if got.ID != c.want || ok != (c.want != "") {
			t.Errorf("%+v: %q %v, want %q", c.id, got.ID, ok, c.want)
		}
	}
}

func TestStepText(t *testing.T) {
	for s := StepIdle; s <= StepError; s++ {
		b, err := s.MarshalText()
		if err != nil || string(b) != s.String() {
			t.Fatalf("%d: %q %v", s, b, err)
		}
		var back Step
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("%s round trip: %v %v", s, back, err)
		}
	}
	if _, err := Step(99).MarshalText(); err == nil {
		t.Error("Step(99) marshals")
	}
	if Step(99).String() != "Step(99)" {
		t.Error(Step(99).String())
	}
	var s Step
	if err := s.UnmarshalText([]byte("nope")); err == nil {
		t.Error("unknown step accepted")
	}
}

// The view never carries an ID number.
func TestViewCarriesNoIDNumber(t *testing.T) {
	id := &idcard.Identity{Name: "王小明", Number: "421224198506150012", Birth: time.Date(1985, 6, 15, 0, 0, 0, 0, idcard.ChinaTime())}
	s := state{step: StepChoose, card: id, visitor: &VisitorView{MaskedName: id.MaskedName()}}
	b, err := json.Marshal(s.view(1))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"421224198506150012", "王小明", "0012"} {
		if strings.Contains(string(b), secret) {
			t.Errorf("view carries %q: %s", secret, b)
		}
	}
}

// A duty-only service (领导接访) is on the menu on the days the rota opens
// it, with who receives; otherwise it is not.
func TestMenuDutyOnly(t *testing.T) {
	leader := ServiceInfo{Service: queue.Service{ID: "leader", Name: "领导接访", Category: queue.CategoryPetition, DutyOnly: true}}
	petition := ServiceInfo{Service: queue.Service{ID: "petition", Name: "信访接待", Category: queue.CategoryPetition}}
	if m := menu([]ServiceInfo{leader, petition}); len(m) != 1 || len(m[0].Groups[0].Services) != 1 || m[0].Groups[0].Services[0].ID != "petition" {
		t.Errorf("a day without a leader: %+v", m)
	}
	leader.Today = "县委副书记 某某（领导接访室）"
	m := menu([]ServiceInfo{leader, petition})
	if len(m[0].Groups[0].Services) != 2 || m[0].Groups[0].Services[0].Note != leader.Today {
		t.Errorf("a leader's day: %+v", m)
	}
}
