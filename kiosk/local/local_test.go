package local_test

import (
	"context"
	"strings"
	"testing"

	"yiting/kiosk"
	"yiting/kiosk/idcard"
	"yiting/kiosk/idcard/idcardsim"
	"yiting/kiosk/local"
	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/personal"
	"yiting/queue/queuetest"
)

func testHall(tb testing.TB) *queue.Hall {
	return &queue.Hall{
		Name: "测试综治中心", RegionCode: "421224", Location: queuetest.Shanghai(tb),
		Services: []queue.Service{
			{ID: "petition", Name: "信访接待", Prefix: "A", Category: queue.CategoryPetition, NeedsID: true, CaseType: "petition"},
			{ID: "consult", Name: "咨询", Prefix: "C", Category: queue.CategoryOther},
		},
		Counters: []queue.Counter{
			{ID: "w1", Name: "1号窗口", Kind: queue.KindWindow, Unit: "信访局", Services: []queue.CounterService{{ServiceID: "petition", Weight: 1}, {ServiceID: "consult", Weight: 1}}},
		},
		Priority: queue.PriorityPolicy{Classes: []queue.PriorityClass{{ID: "elderly", Name: "老年人", MinAge: 60}}, Ratio: 2},
	}
}

// newDesk is the in-process desk over a real store, engine and case book.
func newDesk(t *testing.T) (*local.Desk, *cases.Book) {
	t.Helper()
	h := queuetest.NewHall(t, testHall(t), queuetest.HallOptions{Cases: func(o *cases.Options) { o.PublicURL = "http://hall.test" }})
	d, err := local.New(local.Opts{Engine: h.Engine, Cases: h.Book})
	if err != nil {
		t.Fatal(err)
	}
	return d, h.Book
}

func card(t *testing.T, label string) *idcard.Identity {
	t.Helper()
	c, ok := idcardsim.CardByLabel(label)
	if !ok {
		t.Fatalf("no card %q", label)
	}
	return &c.Identity
}

// TestDesk: the in-process kiosk's tap goes to the hall's desk: the card
// is sealed into a case, the ticket carries the masked name, the age-based
// priority and the case's QR; a consultation has neither case nor QR.
func TestDesk(t *testing.T) {
	ctx := context.Background()
	d, book := newDesk(t)
	old := card(t, idcardsim.LabelElderly)
	is, err := d.Issue(ctx, kiosk.Request{ServiceID: "petition", Card: old, IdempotencyKey: "tap-1"})
	if err != nil {
		t.Fatal(err)
	}
	tk := is.Ticket
	if tk.Number != "A001" || tk.Priority != "elderly" || tk.Visitor.MaskedName != old.MaskedName() || tk.CaseCode == "" ||
		!strings.HasPrefix(is.CaseURL, "http://hall.test/c/") || tk.Kiosk != "kiosk:local" {
		t.Fatalf("issued %+v %q", tk, is.CaseURL)
	}
	v, err := book.Case(ctx, queue.Principal{ID: "boss", Role: queue.RoleSupervisor}, tk.CaseCode)
	if err != nil || len(v.Persons) != 1 || v.Persons[0].ID != personal.MaskID(old.Number) {
		t.Fatalf("case %+v %v", v, err)
	}
	again, err := d.Issue(ctx, kiosk.Request{ServiceID: "petition", Card: old, IdempotencyKey: "tap-1"})
	if err != nil || !again.Replayed || again.Ticket.ID != tk.ID || again.CaseURL != is.CaseURL {
		t.Fatalf("retry %+v %v", again, err)
	}
	// A foreigner's card: the English name, with its comma, is a name.
	fo, err := d.Issue(ctx, kiosk.Request{ServiceID: "petition", Card: card(t, idcardsim.LabelForeign2017), IdempotencyKey: "tap-2"})
	if err != nil || fo.Ticket.CaseCode == "" {
		t.Fatalf("foreign card %+v %v", fo, err)
	}
	c, err := d.Issue(ctx, kiosk.Request{ServiceID: "consult", IdempotencyKey: "tap-3"})
	if err != nil || c.Ticket.CaseCode != "" || c.CaseURL != "" {
		t.Fatalf("consultation %+v %v", c, err)
	}
	info, err := d.Info(ctx)
	if err != nil || info.Name != "测试综治中心" || len(info.Services) != 2 || info.Services[0].Waiting != 2 || info.Services[1].Waiting != 1 {
		t.Fatalf("info %+v %v", info, err)
	}
}
