package local_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
	"yiting/queue/queuetest"

	"yiting/kiosk"
	"yiting/kiosk/idcard/idcardsim"
	"yiting/kiosk/local"
	"yiting/queue"
	"yiting/queue/boltstore"
	"yiting/queue/personal"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

type clock = queuetest.Clock

func testHall() *queue.Hall {
	return &queue.Hall{
		Name: "测试综治中心", RegionCode: "421224", Location: shanghai,
		Services: []queue.Service{
			{ID: "petition", Name: "信访接待", Prefix: "A", Category: queue.CategoryPetition, NeedsID: true},
			{ID: "law", Name: "涉法涉诉", Prefix: "B", Category: queue.CategoryPetition, NeedsID: true},
			{ID: "consult", Name: "咨询", Prefix: "C", Category: queue.CategoryOther},
			{ID: "medical", Name: "医患纠纷调解", Prefix: "D", Category: queue.CategoryMediation, NeedsID: true},
		},
		Counters: []queue.Counter{
			{ID: "w1", Name: "1号窗口", Kind: queue.KindWindow, Services: []queue.CounterService{{ServiceID: "petition", Weight: 1}, {ServiceID: "consult", Weight: 1}}},
			{ID: "w3", Name: "3号窗口", Kind: queue.KindWindow, Services: []queue.CounterService{{ServiceID: "law", Weight: 1}, {ServiceID: "petition", Weight: 1}}},
			{ID: "r1", Name: "医患纠纷调解室", Kind: queue.KindRoom, Services: []queue.CounterService{{ServiceID: "medical", Weight: 1}}},
		},
		Priority: queue.PriorityPolicy{Classes: []queue.PriorityClass{{ID: "elderly", Name: "老年人", MinAge: 60}}, Ratio: 2},
	}
}

type fixture struct {
	t     *testing.T
	clock *clock
	store *boltstore.Store
	eng   *queue.Engine
	keys  *personal.Keys
	hist  *local.History
	hall  *local.Hall
	n     int
}

var boss = queue.Principal{ID: "boss", Role: queue.RoleSupervisor}

func newFixture(t *testing.T, now time.Time) *fixture {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f := &fixture{t: t, clock: queuetest.NewClock(now)}
	st, err := boltstore.Open(t.TempDir(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := queue.New(context.Background(), testHall(), st, queue.Options{Now: f.clock.Now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		eng.Close()
		if err := st.Check(); err != nil {
			t.Errorf("bbolt: %v", err)
		}
		st.Close()
	})
	f.store, f.eng = st, eng
	f.keys, err = personal.New(make([]byte, personal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	f.hist = local.NewHistory(eng, st.TicketsBetween, 30, f.clock.Now)
	f.hall, err = local.New(local.Opts{Engine: eng, Keyer: f.keys, FirstVisit: f.hist, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) issue(service, card string) kiosk.Issued {
	f.t.Helper()
	f.n++
	req := kiosk.Request{ServiceID: service, IdempotencyKey: "tap-" + string(rune('a'+f.n))}
	if card != "" {
		c, _ := idcardsim.CardByLabel(card)
		req.Card = &c.Identity
	}
	is, err := f.hall.Issue(context.Background(), req)
	if err != nil {
		f.t.Fatalf("issue %s: %v", service, err)
	}
	return is
}

// serve calls the next ticket at the counter and completes it.
func (f *fixture) serve(counter string) {
	f.t.Helper()
	ctx := context.Background()
	if _, err := f.eng.OpenCounter(ctx, boss, counter); err != nil {
		f.t.Fatal(err)
	}
	tk, err := f.eng.CallNext(ctx, boss, counter)
	if err != nil || tk == nil {
		f.t.Fatalf("call next at %s: %v %v", counter, tk, err)
	}
	if _, err := f.eng.Complete(ctx, boss, counter); err != nil {
		f.t.Fatal(err)
	}
}

func day(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, shanghai) }

func TestIssueDerivesTheVisitor(t *testing.T) {
	f := newFixture(t, day(20))
	is := f.issue("petition", idcardsim.LabelResident)
	c, _ := idcardsim.CardByLabel(idcardsim.LabelResident)
	v := is.Ticket.Visitor
	if v.MaskedName != "王*明" || v.Key != f.keys.VisitorKey(c.Identity.Number) || v.Key == "" {
		t.Errorf("visitor %+v", v)
	}
	if is.Ticket.Kiosk != "kiosk:local" || is.Ticket.Number != "A001" || is.Ticket.TargetCounter != "" {
		t.Errorf("ticket %+v", is.Ticket)
	}
	anon := f.issue("consult", "")
	if anon.Ticket.Visitor != (queue.Visitor{}) {
		t.Errorf("anonymous ticket has a visitor: %+v", anon.Ticket.Visitor)
	}
}

func TestIssueReplaysTheSameKey(t *testing.T) {
	f := newFixture(t, day(20))
	req := kiosk.Request{ServiceID: "consult", IdempotencyKey: "tap-once"}
	a, err := f.hall.Issue(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := f.hall.Issue(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !b.Replayed || a.Replayed || a.Ticket.ID != b.Ticket.ID {
		t.Errorf("first %+v, retry %+v", a, b)
	}
	if st := f.eng.State(); st.Services[2].Waiting != 1 {
		t.Errorf("%d waiting after a retried tap", st.Services[2].Waiting)
	}
	_, err = f.hall.Issue(context.Background(), kiosk.Request{ServiceID: "nope", IdempotencyKey: "x"})
	if !errors.Is(err, queue.ErrNotFound) {
		t.Errorf("unknown service: %v", err)
	}
}

func TestInfo(t *testing.T) {
	f := newFixture(t, day(20))
	f.issue("consult", "")
	info, err := f.hall.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c, ok := info.Service("consult")
	if info.Name != "测试综治中心" || info.Day != "2026-11-20" || info.Location != shanghai || !ok || c.Waiting != 1 ||
		len(info.Counters) != 3 || len(info.Priority) != 1 {
		t.Errorf("info %+v", info)
	}
}

// 首访负责制: a visitor served at 3号窗口 comes back for a service 3号窗口
// takes and is routed there; for one it does not take, not.
func TestFirstVisitToday(t *testing.T) {
	f := newFixture(t, day(20))
	f.issue("law", idcardsim.LabelResident)
	f.serve("w3")
	back := f.issue("petition", idcardsim.LabelResident)
	if back.Ticket.TargetCounter != "w3" {
		t.Errorf("returning visitor not routed: %+v", back.Ticket)
	}
	other := f.issue("petition", idcardsim.LabelElderly)
	if other.Ticket.TargetCounter != "" {
		t.Errorf("another visitor routed: %+v", other.Ticket)
	}
	med := f.issue("medical", idcardsim.LabelResident)
	if med.Ticket.TargetCounter != "" {
		t.Errorf("routed to a counter that does not serve the service: %+v", med.Ticket)
	}
	// Only completed tickets count: a waiting one routes nobody.
	f.issue("law", idcardsim.LabelMinority)
	if again := f.issue("petition", idcardsim.LabelMinority); again.Ticket.TargetCounter != "" {
		t.Errorf("routed by a ticket never served: %+v", again.Ticket)
	}
}

// Earlier days come from the store, within the window.
func TestFirstVisitEarlierDays(t *testing.T) {
	f := newFixture(t, time.Date(2026, 10, 10, 9, 0, 0, 0, shanghai))
	f.issue("medical", idcardsim.LabelElderly) // 41 days before the 20th
	f.serve("r1")
	f.clock.Set(day(5))
	f.issue("law", idcardsim.LabelResident) // 15 days before
	f.serve("w3")

	f.clock.Set(day(20))
	if err := f.hist.Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	if is := f.issue("petition", idcardsim.LabelResident); is.Ticket.TargetCounter != "w3" {
		t.Errorf("visitor of 15 days ago not routed: %+v", is.Ticket)
	}
	if is := f.issue("medical", idcardsim.LabelElderly); is.Ticket.TargetCounter != "" {
		t.Errorf("visitor of 41 days ago routed: %+v", is.Ticket)
	}
	// Today's completed ticket wins over an earlier one.
	f.issue("consult", idcardsim.LabelResident)
	f.serve("w1")
	if is := f.issue("petition", idcardsim.LabelResident); is.Ticket.TargetCounter != "w1" {
		t.Errorf("today's counter should win: %+v", is.Ticket)
	}
}

func TestFirstVisitLookupFailureStillIssues(t *testing.T) {
	f := newFixture(t, day(20))
	broken := local.NewHistory(f.eng, func(ctx context.Context, from, to string, fn func(*queue.Ticket) error) error {
		return errors.New("disk on fire")
	}, 30, f.clock.Now)
	h, err := local.New(local.Opts{Engine: f.eng, Keyer: f.keys, FirstVisit: broken})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := idcardsim.CardByLabel(idcardsim.LabelResident)
	is, err := h.Issue(context.Background(), kiosk.Request{ServiceID: "petition", Card: &c.Identity, IdempotencyKey: "k"})
	if err != nil || is.Ticket.Number != "A001" {
		t.Errorf("issue with a broken history: %+v %v", is, err)
	}
	if _, err := local.New(local.Opts{}); err == nil {
		t.Error("New without an engine")
	}
}
