package queue_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"
	"yiting/queue/queuetest"

	"yiting/queue"
	"yiting/queue/boltstore"
)

type testClock = queuetest.Clock

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// testHall: two windows for petitions and enquiries, one mediation room,
// one court room.
func testHall() *queue.Hall {
	return &queue.Hall{
		Name:       "测试综治中心",
		RegionCode: "421224",
		Location:   shanghai,
		Services: []queue.Service{
			{ID: "petition", Name: "信访接待", Prefix: "A", Category: queue.CategoryPetition, NeedsID: true},
			{ID: "consult", Name: "咨询", Prefix: "Z", Category: queue.CategoryOther},
			{ID: "medical", Name: "医患纠纷调解", Prefix: "D", Category: queue.CategoryMediation, NeedsID: true},
			{ID: "court", Name: "诉讼服务", Prefix: "S", Category: queue.CategoryLitigation, NeedsID: true},
		},
		Counters: []queue.Counter{
			{ID: "w1", Name: "1号窗口", Kind: queue.KindWindow, Services: []queue.CounterService{{"petition", 2}, {"consult", 1}}},
			{ID: "w2", Name: "2号窗口", Kind: queue.KindWindow, Services: []queue.CounterService{{"petition", 1}, {"consult", 2}}},
			{ID: "r1", Name: "医患纠纷调解室", Kind: queue.KindRoom, Services: []queue.CounterService{{"medical", 1}}},
			{ID: "c1", Name: "审判庭", Kind: queue.KindCourt, Services: []queue.CounterService{{"court", 1}}},
		},
		Priority: queue.PriorityPolicy{
			Classes:    []queue.PriorityClass{{ID: "elderly", Name: "老年人", MinAge: 60}, {ID: "military", Name: "军人"}},
			Ratio:      2,
			AgingAfter: 30 * time.Minute,
		},
		RecallLimit: 2,
	}
}

var (
	kiosk      = queue.Principal{ID: "k1", Role: queue.RoleKiosk}
	supervisor = queue.Principal{ID: "boss", Role: queue.RoleSupervisor}
)

func staffOf(counters ...string) queue.Principal {
	return queue.Principal{ID: "clerk-" + counters[0], Role: queue.RoleStaff, Counters: counters}
}

type fixture struct {
	t     testing.TB
	dir   string
	hall  *queue.Hall
	clock *testClock
	store *boltstore.Store
	eng   *queue.Engine
	keys  int
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newFixture opens a real bbolt store in a temp dir and an engine on it,
// at 09:00 Shanghai time on a working day.
func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureOn(t, testHall())
}

// newFixtureOn is newFixture on another hall.
func newFixtureOn(t testing.TB, h *queue.Hall) *fixture {
	t.Helper()
	f := &fixture{t: t, dir: t.TempDir(), hall: h, clock: queuetest.NewClock(time.Date(2026, 11, 26, 9, 0, 0, 0, shanghai))}
	f.open()
	t.Cleanup(func() { f.close() })
	return f
}

func (f *fixture) open() {
	f.t.Helper()
	st, err := boltstore.Open(f.dir, quietLog())
	if err != nil {
		f.t.Fatal(err)
	}
	eng, err := queue.New(context.Background(), f.hall, st, queue.Options{Now: f.clock.Now, Logger: quietLog()})
	if err != nil {
		st.Close()
		f.t.Fatal(err)
	}
	f.store, f.eng = st, eng
}

// close stops the engine and checks the database's consistency.
func (f *fixture) close() {
	if f.eng == nil {
		return
	}
	f.eng.Close()
	checkDB(f.t, f.store)
	f.store.Close()
	f.eng, f.store = nil, nil
}

func (f *fixture) restart() {
	f.t.Helper()
	f.close()
	f.open()
}

func checkDB(t testing.TB, st *boltstore.Store) {
	t.Helper()
	if err := st.Check(); err != nil {
		t.Errorf("bbolt consistency: %v", err)
	}
}

func (f *fixture) issue(service string, mods ...func(*queue.IssueRequest)) queue.Issued {
	f.t.Helper()
	f.keys++
	req := queue.IssueRequest{ServiceID: service, IdempotencyKey: "key-" + strconv.Itoa(f.keys)}
	for _, m := range mods {
		m(&req)
	}
	is, err := f.eng.Issue(context.Background(), kiosk, req)
	if err != nil {
		f.t.Fatalf("issue %s: %v", service, err)
	}
	return is
}

func priority(class string) func(*queue.IssueRequest) {
	return func(r *queue.IssueRequest) { r.Priority = class }
}

func (f *fixture) openCounters(ids ...string) {
	f.t.Helper()
	for _, id := range ids {
		if _, err := f.eng.OpenCounter(context.Background(), supervisor, id); err != nil {
			f.t.Fatal(err)
		}
	}
}

// next calls the next ticket at the counter and completes it; it
// returns the number called, or "" when nobody waits.
func (f *fixture) next(counter string) string {
	f.t.Helper()
	ctx := context.Background()
	t, err := f.eng.CallNext(ctx, supervisor, counter)
	if err != nil {
		f.t.Fatalf("call next at %s: %v", counter, err)
	}
	if t == nil {
		return ""
	}
	if _, err := f.eng.Complete(ctx, supervisor, counter); err != nil {
		f.t.Fatal(err)
	}
	return t.Number
}
