package local_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"yiting/queue/queuetest"

	"yiting/kiosk"
	"yiting/kiosk/idcard"
	"yiting/kiosk/idcard/idcardsim"
	"yiting/kiosk/local"
	"yiting/queue"
	"yiting/queue/boltstore"
	"yiting/queue/cases"
	"yiting/queue/personal"
)

// caseHall is the in-process hall with a case book: petitions open cases.
func caseHall(t *testing.T) (*local.Hall, *cases.Book, *queue.Engine) {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := queuetest.NewClock(day(20)).Now
	hall := testHall()
	for i := range hall.Services {
		switch hall.Services[i].ID {
		case "petition":
			hall.Services[i].CaseType = "petition"
		case "medical":
			hall.Services[i].CaseType = "mediation.medical"
		}
	}
	st, err := boltstore.Open(t.TempDir(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := queue.New(context.Background(), hall, st, queue.Options{Now: now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		eng.Close()
		st.Close()
	})
	keys, err := personal.New(make([]byte, personal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	book, err := cases.New(cases.Options{Hall: hall, Store: st, Keys: keys, PublicURL: "http://hall.test", Now: now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	h, err := local.New(local.Opts{Engine: eng, Keyer: keys, Cases: book, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return h, book, eng
}

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
	h, book, eng := caseHall(t)
	if !h.GroupVisits() {
		t.Fatal("a hall with a case book takes no group visits")
	}
	ctx := context.Background()
	cards := cardsOf(t, idcardsim.LabelResident, idcardsim.LabelElderly, idcardsim.LabelMinority)
	req := kiosk.Request{ServiceID: "petition", Card: cards[0], Cards: cards, Priority: "elderly", IdempotencyKey: "tap-group"}
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
	if n := len(eng.Tickets(nil)); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
	// One representative alone is a visit of one.
	is, err = h.Issue(ctx, kiosk.Request{ServiceID: "medical", Card: cards[1], IdempotencyKey: "tap-one"})
	if err != nil {
		t.Fatal(err)
	}
	if is.Ticket.Visitor.MaskedName != cards[1].MaskedName() {
		t.Errorf("single visitor named %q", is.Ticket.Visitor.MaskedName)
	}
	if c, err := book.Case(ctx, boss, is.Ticket.CaseCode); err != nil || len(c.Persons) != 1 {
		t.Errorf("single visit's case: %d persons, %v", len(c.Persons), err)
	}
}

// Without a case book the hall takes no group visits: the kiosk offers none.
func TestNoGroupVisitsWithoutCases(t *testing.T) {
	f := newFixture(t, day(20))
	if f.hall.GroupVisits() {
		t.Error("a hall without cases offers group visits")
	}
}
