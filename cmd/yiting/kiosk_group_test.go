package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"yiting/kiosk/idcard/idcardsim"
	"yiting/queue"
	"yiting/queue/cases"
)

// groupKioskView is the part of the kiosk's view a group visit shows.
type groupKioskView struct {
	Step    string `json:"step"`
	Message string `json:"message"`
	Service *struct {
		ID    string `json:"id"`
		Group bool   `json:"group"`
	} `json:"service"`
	Group *struct {
		Names []string `json:"names"`
		Note  string   `json:"note"`
	} `json:"group"`
	Ticket *struct {
		ID      uint64 `json:"id"`
		Number  string `json:"number"`
		Printed bool   `json:"printed"`
	} `json:"ticket"`
}

func (k *kioskClient) groupUntil(what string, ok func(groupKioskView) bool) groupKioskView {
	k.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var v groupKioskView
		if _, err := k.c.do(context.Background(), "GET", "/kiosk/state", "", nil, &v); err != nil {
			k.t.Fatal(err)
		}
		if ok(v) {
			return v
		}
		if time.Now().After(deadline) {
			k.t.Fatalf("waiting for %s: last view %+v", what, v)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A group visit in the real binary with its simulated devices: 多人来访 on
// the page, two demo cards placed on the simulated reader one after
// another, 完成 — one ticket, printed with the first representative's
// masked name and 等2人, and one case with both as parties.
func TestKioskGroupVisitEndToEnd(t *testing.T) {
	const pw = "kiosk-group-password"
	srv := startServer(t, []string{"YITING_ADMIN_PASSWORD=" + pw}, "-data", t.TempDir(), "-addr", "127.0.0.1:0")
	k := newKioskClient(t, srv.url)
	k.until("the kiosk is ready", func(v kioskView) bool { return v.Hall.OK && v.Devices.Reader.OK })

	k.post("/kiosk/choose", map[string]string{"service": "petition"})
	v := k.groupUntil("wait_card", func(v groupKioskView) bool { return v.Step == "wait_card" })
	if v.Service == nil || !v.Service.Group {
		t.Fatalf("the in-process kiosk does not offer 多人来访 for petitions: %+v", v.Service)
	}
	k.post("/kiosk/group", map[string]string{"service": "petition"})
	k.groupUntil("the group screen", func(v groupKioskView) bool {
		return v.Step == "group" && v.Message == "请第1位代表放置身份证"
	})
	k.post("/kiosk/demo/place", map[string]string{"card": idcardsim.LabelResident})
	k.groupUntil("one representative", func(v groupKioskView) bool { return v.Group != nil && len(v.Group.Names) == 1 })
	// The next representative lifts the first card and places theirs (the
	// same card twice is refused: the loop's tests).
	k.post("/kiosk/demo/remove", nil)
	k.post("/kiosk/demo/place", map[string]string{"card": idcardsim.LabelElderly})
	v = k.groupUntil("two representatives", func(v groupKioskView) bool { return v.Group != nil && len(v.Group.Names) == 2 })
	if v.Group.Names[0] != "王*明" || !strings.Contains(v.Group.Names[1], "*") {
		t.Errorf("names on screen %q", v.Group.Names)
	}
	k.post("/kiosk/finish", nil)
	v = k.groupUntil("the ticket", func(v groupKioskView) bool { return v.Step == "ticket" })
	if v.Ticket == nil || !v.Ticket.Printed {
		t.Fatalf("ticket %+v", v.Ticket)
	}

	ctx := testCtx(t)
	api, err := login(ctx, srv.url, "admin", pw)
	if err != nil {
		t.Fatal(err)
	}
	var tv queue.TicketView
	if _, err := api.do(ctx, "GET", fmt.Sprint("/api/v1/tickets/", v.Ticket.ID), "", nil, &tv); err != nil {
		t.Fatal(err)
	}
	if tv.Visitor.MaskedName != "王*明等2人" || tv.Priority != "elderly" || tv.CaseCode == "" {
		t.Errorf("API ticket: visitor %q, priority %q, case %q", tv.Visitor.MaskedName, tv.Priority, tv.CaseCode)
	}
	var qs queue.QueueState
	if _, err := api.do(ctx, "GET", "/api/v1/queue", "", nil, &qs); err != nil {
		t.Fatal(err)
	}
	waiting := 0
	for _, s := range qs.Services {
		waiting += s.Waiting
		if s.ServiceID == "petition" && s.LastIssued != v.Ticket.Number {
			t.Errorf("petition's last ticket %q, the kiosk showed %q", s.LastIssued, v.Ticket.Number)
		}
	}
	if waiting != 1 {
		t.Errorf("%d tickets waiting, want the group's one", waiting)
	}
	var list struct {
		Cases []cases.View `json:"cases"`
	}
	if _, err := api.do(ctx, "GET", "/api/v1/cases", "", nil, &list); err != nil {
		t.Fatal(err)
	}
	if len(list.Cases) != 1 {
		t.Fatalf("%d cases, want 1", len(list.Cases))
	}
	c := list.Cases[0]
	if c.Code != tv.CaseCode || len(c.Persons) != 2 || c.VisitCount != 1 {
		t.Errorf("case %s: %d persons, %d visits (ticket's case %s)", c.Code, len(c.Persons), c.VisitCount, tv.CaseCode)
	}
	var one struct {
		Case cases.View `json:"case"` // one case's answer has its journal
	}
	if _, err := api.do(ctx, "GET", "/api/v1/cases/"+tv.CaseCode, "", nil, &one); err != nil {
		t.Fatal(err)
	}
	if len(one.Case.Visits) != 1 || one.Case.Visits[0].Persons != 2 {
		t.Errorf("case %s: visits %+v", one.Case.Code, one.Case.Visits)
	}
	for _, p := range c.Persons {
		if !strings.Contains(p.Name, "*") || !strings.Contains(p.ID, "****") {
			t.Errorf("person not masked: %+v", p)
		}
	}
	srv.stop(t)
}
