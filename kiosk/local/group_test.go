package local_test

import (
	"context"
	"strings"
	"testing"

	"yiting/kiosk"
	"yiting/kiosk/idcard"
	"yiting/kiosk/idcard/idcardsim"
	"yiting/queue"
	"yiting/queue/cases"
)

func cardsOf(t *testing.T, labels ...string) []*idcard.Identity {
	t.Helper()
	var out []*idcard.Identity
	for _, l := range labels {
		c, ok := idcardsim.CardByLabel(l)
		if !ok {
			t.Fatalf("no card %s", l)
		}
		out = append(out, &c.Identity)
	}
	return out
}

// A group visit is one ticket and one case with every representative a
// party (masked in the case's view), the visit counted with its persons.
func TestGroupVisitRegistersEveryRepresentative(t *testing.T) {
	if kiosk.MaxRepresentatives != cases.MaxPersons {
		t.Fatalf("the kiosk takes %d representatives, the case book %d", kiosk.MaxRepresentatives, cases.MaxPersons)
	}
	h, book := newDesk(t)
	ctx := context.Background()
	cards := cardsOf(t, idcardsim.LabelResident, idcardsim.LabelElderly, idcardsim.LabelMinority)
	req := kiosk.Request{ServiceID: "petition", Card: cards[0], Cards: cards, IdempotencyKey: "tap-group"}
	is, err := h.Issue(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	tk := is.Ticket
	if tk.Visitor.MaskedName != "王*明等3人" || tk.CaseCode == "" || tk.Priority != "elderly" || is.CaseURL == "" {
		t.Fatalf("ticket: visitor %q, case %q, priority %q, url %q", tk.Visitor.MaskedName, tk.CaseCode, tk.Priority, is.CaseURL)
	}
	boss := queue.Principal{ID: "boss", Role: queue.RoleSupervisor}
	c, err := book.Case(ctx, boss, tk.CaseCode)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Persons) != 3 {
		t.Fatalf("case %s has %d persons, want 3", c.Code, len(c.Persons))
	}
	for i, p := range c.Persons {
		if !strings.Contains(p.Name, "*") || p.Name != cards[i].MaskedName() || p.ID != cards[i].MaskedNumber() {
			t.Errorf("person %d: %+v, want %s %s masked", i, p, cards[i].MaskedName(), cards[i].MaskedNumber())
		}
		if strings.Contains(p.Name, cards[i].Name) {
			t.Errorf("person %d's name is not masked: %q", i, p.Name)
		}
	}
	if len(c.Visits) != 1 || c.Visits[0].Persons != 3 {
		t.Errorf("visits %+v: want one visit of 3 persons (人次)", c.Visits)
	}
	list, err := book.List(ctx, boss, cases.ListFilter{})
	if err != nil || len(list) != 1 || len(list[0].Persons) != 3 {
		t.Errorf("List: %d cases, err %v", len(list), err)
	}
	// The retried tap finds the same ticket and case.
	again, err := h.Issue(ctx, req)
	if err != nil || !again.Replayed || again.Ticket.ID != tk.ID || again.Ticket.CaseCode != tk.CaseCode {
		t.Errorf("retry: %+v %v", again.Ticket, err)
	}
	// One of the representatives alone, later: a visit of one on the
	// group's case (first-visit responsibility follows every party).
	is, err = h.Issue(ctx, kiosk.Request{ServiceID: "petition", Card: cards[1], IdempotencyKey: "tap-one"})
	if err != nil {
		t.Fatal(err)
	}
	if is.Ticket.Visitor.MaskedName != cards[1].MaskedName() || is.Ticket.CaseCode != tk.CaseCode {
		t.Errorf("single visitor named %q, case %s", is.Ticket.Visitor.MaskedName, is.Ticket.CaseCode)
	}
	if c, err := book.Case(ctx, boss, tk.CaseCode); err != nil || len(c.Visits) != 2 || c.Visits[1].Persons != 1 {
		t.Errorf("the case's visits: %+v, %v", c.Visits, err)
	}
}
