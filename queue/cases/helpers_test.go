package cases_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"yiting/queue/queuetest"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/personal"
)

// memStore is an in-memory cases.Store and queue.Store: values are copied
// in and out through JSON, as a real store copies them through its file.
// The engine commits the book's writes into it (Commit).
type memStore struct {
	mu      sync.Mutex
	meta    queue.Meta
	events  []queue.Event
	tickets map[uint64]queue.Ticket
	cases   map[string][]byte
	facts   map[string]cases.Facts
	idem    map[string]string
	seq     map[cases.Date]int
	rects   map[uint64][]byte
	cursor  uint64
	audit   []cases.AuditEntry
	files   map[string][]byte   // code + "/" + name
	steps   map[string][][]byte // code → the journal's steps, JSON
	visits  map[string][][]byte // code → the journal's visits, JSON
	failPut error               // returned by Commit when set
	logged  bool                // a LoggedWrite was committed
}

func (m *memStore) CasesLogged(ctx context.Context) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.logged, nil
}

var (
	_ cases.Store = (*memStore)(nil)
	_ queue.Store = (*memStore)(nil)
)

func (m *memStore) Load(ctx context.Context) (*queue.Snapshot, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return &queue.Snapshot{Meta: m.meta, Numbers: map[string]int{}, Idem: map[string]uint64{}}, nil
}

// Commit applies a batch: the book's writes, the tickets and the events.
func (m *memStore) Commit(ctx context.Context, b *queue.Batch) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failPut != nil {
		return m.failPut
	}
	for _, w := range b.Writes {
		switch w := w.(type) {
		case *cases.Write:
			if err := m.putCase(w); err != nil {
				return err
			}
		case *cases.RectificationWrite:
			m.putRectifications(w.Items, w.Cursor)
		case *cases.LoggedWrite:
			m.logged = true
		default:
			return fmt.Errorf("memStore: cannot write a %T", w)
		}
	}
	for _, t := range b.Tickets {
		m.tickets[t.ID] = *t
	}
	m.events = append(m.events, b.Events...)
	m.meta = b.Meta
	return nil
}

func (m *memStore) Events(ctx context.Context, after uint64, limit int) ([]queue.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []queue.Event
	for _, e := range m.events {
		if e.Seq > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (m *memStore) Ticket(ctx context.Context, id uint64) (*queue.Ticket, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.tickets[id]
	if !ok {
		return nil, notFound()
	}
	return &t, nil
}

// caseEvents returns the case steps of the event log.
func (m *memStore) caseEvents() []queue.Event {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []queue.Event
	for _, e := range m.events {
		if e.Type.IsCase() {
			out = append(out, e)
		}
	}
	return out
}

func newMemStore() *memStore {
	return &memStore{tickets: map[uint64]queue.Ticket{}, cases: map[string][]byte{}, facts: map[string]cases.Facts{}, idem: map[string]string{},
		seq: map[cases.Date]int{}, rects: map[uint64][]byte{}, steps: map[string][][]byte{}, visits: map[string][][]byte{}}
}

func notFound() error { return queue.Errorf(queue.ENOTFOUND, "not found") }

func (m *memStore) decode(b []byte) *cases.Case {
	var c cases.Case
	if err := json.Unmarshal(b, &c); err != nil {
		panic(err)
	}
	return &c
}

func (m *memStore) Case(ctx context.Context, code string) (*cases.Case, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.cases[code]
	if !ok {
		return nil, notFound()
	}
	return m.decode(b), nil
}

func (m *memStore) CaseByToken(ctx context.Context, hash string) (*cases.Case, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, b := range m.cases {
		if c := m.decode(b); c.TokenHash == hash {
			return c, nil
		}
	}
	return nil, notFound()
}

func (m *memStore) CodeByIdem(ctx context.Context, key string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.idem[key], nil
}

func (m *memStore) LastSeq(ctx context.Context, day cases.Date) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seq[day], nil
}

func (m *memStore) putCase(w *cases.Write) error {
	if w.Case == nil {
		return m.appendAudit(w.Audit)
	}
	if _, ok := m.cases[w.Case.Code]; ok && w.New {
		return queue.Errorf(queue.ECONFLICT, "exists")
	}
	b, err := json.Marshal(w.Case)
	if err != nil {
		return err
	}
	m.cases[w.Case.Code] = b
	m.facts[w.Case.Code] = w.Facts
	if err := putEntries(m.steps, w.Case.Code, w.StepsFrom, w.Steps); err != nil {
		return err
	}
	if err := putEntries(m.visits, w.Case.Code, w.VisitsFrom, w.Visits); err != nil {
		return err
	}
	if m.files == nil {
		m.files = map[string][]byte{}
	}
	for k := range m.files {
		if w.DropFiles && strings.HasPrefix(k, w.Case.Code+"/") {
			delete(m.files, k)
		}
	}
	for _, f := range w.Files {
		m.files[w.Case.Code+"/"+f.Name] = f.Data
	}
	if w.New {
		code, err := cases.ParseCode(w.Case.Code)
		if err != nil {
			return err
		}
		m.seq[code.Day] = max(m.seq[code.Day], code.Seq)
	}
	if w.IdemKey != "" {
		m.idem[w.IdemKey] = w.Case.Code
	}
	return m.appendAudit(w.Audit)
}

// putEntries stores journal entries at their indexes: the next one, or
// over stored ones (a rewrite); never leaving a gap.
func putEntries[T any](into map[string][][]byte, code string, from int, entries []T) error {
	for i := range entries {
		b, err := json.Marshal(&entries[i])
		if err != nil {
			return err
		}
		switch list := into[code]; {
		case from+i < len(list):
			list[from+i] = b
		case from+i == len(list):
			into[code] = append(list, b)
		default:
			return fmt.Errorf("memStore: case %s journal: entry %d after %d", code, from+i, len(list))
		}
	}
	return nil
}

func getEntries[T any](from map[string][][]byte, code string) []T {
	var out []T
	for _, b := range from[code] {
		var e T
		if err := json.Unmarshal(b, &e); err != nil {
			panic(err)
		}
		out = append(out, e)
	}
	return out
}

func (m *memStore) Journal(ctx context.Context, code string) ([]cases.Step, []cases.Visit, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return getEntries[cases.Step](m.steps, code), getEntries[cases.Visit](m.visits, code), nil
}

func (m *memStore) sorted() []*cases.Case {
	var out []*cases.Case
	for _, b := range m.cases {
		out = append(out, m.decode(b))
	}
	slices.SortFunc(out, func(a, b *cases.Case) int { return cmp.Compare(a.Code, b.Code) })
	return out
}

func (m *memStore) OpenCases(ctx context.Context, fn func(*cases.Case) error) error {
	m.mu.Lock()
	all := m.sorted()
	m.mu.Unlock()
	for _, c := range all {
		if c.Status.Open() {
			if err := fn(c); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *memStore) OpenFacts(ctx context.Context, r cases.FactsRange, fn func(*cases.Facts) error) error {
	m.mu.Lock()
	var fs []cases.Facts
	for _, f := range m.facts {
		if f.Status.Open() && f.Day >= r.From && f.Day <= r.To {
			fs = append(fs, f)
		}
	}
	m.mu.Unlock()
	slices.SortFunc(fs, func(a, b cases.Facts) int { return cmp.Compare(a.Code, b.Code) })
	for i := range fs {
		if err := fn(&fs[i]); err != nil {
			return err
		}
	}
	return nil
}

func (m *memStore) CaseFile(ctx context.Context, code, name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.files[code+"/"+name]
	if !ok {
		return nil, notFound()
	}
	return b, nil
}

func (m *memStore) CaseFacts(ctx context.Context, code string) (*cases.Facts, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.facts[code]
	if !ok {
		return nil, notFound()
	}
	return &f, nil
}

func (m *memStore) OpenCodesOf(ctx context.Context, key string) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	// From the Facts, as the real store answers from an index: decoding
	// every case here made each tap cost the whole book.
	var out []string
	for code, f := range m.facts {
		if f.Status.Open() && slices.Contains(f.VisitorKeys, key) {
			out = append(out, code)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (m *memStore) EachCase(ctx context.Context, from, to cases.Date, fn func(*cases.Case) error) error {
	m.mu.Lock()
	all := m.sorted()
	m.mu.Unlock()
	for _, c := range all {
		if c.Day >= from && c.Day <= to {
			steps, visits, _ := m.Journal(ctx, c.Code)
			c.SetJournal(steps, visits)
			if err := fn(c); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *memStore) EachFacts(ctx context.Context, r cases.FactsRange, fn func(*cases.Facts) error) error {
	from, to := r.From, r.To
	m.mu.Lock()
	var fs []cases.Facts
	for _, f := range m.facts {
		if f.Day >= from && f.Day <= to {
			fs = append(fs, f)
		}
	}
	m.mu.Unlock()
	for i := range fs {
		if err := fn(&fs[i]); err != nil {
			return err
		}
	}
	return nil
}

func (m *memStore) StatsDays(ctx context.Context, from, to cases.Date) ([]cases.StatsDay, error) {
	m.mu.Lock()
	all := make([]cases.Facts, 0, len(m.facts))
	for _, f := range m.facts {
		all = append(all, f)
	}
	m.mu.Unlock()
	return cases.CountStatsDays(all, from, to), nil
}

func (m *memStore) ClosedBefore(ctx context.Context, day cases.Date) ([]string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []string
	for _, c := range m.sorted() {
		if !c.Status.Open() && c.Anonymised.IsZero() && m.facts[c.Code].Closed < day {
			out = append(out, c.Code)
		}
	}
	return out, nil
}

func (m *memStore) putRectifications(rs []cases.Rectification, cursor uint64) {
	for _, r := range rs {
		b, _ := json.Marshal(r)
		m.rects[r.TicketID] = b
	}
	if cursor != 0 {
		m.cursor = cursor
	}
}

func (m *memStore) Rectification(ctx context.Context, id uint64) (*cases.Rectification, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.rects[id]
	if !ok {
		return nil, notFound()
	}
	var r cases.Rectification
	json.Unmarshal(b, &r)
	return &r, nil
}

func (m *memStore) EachRectification(ctx context.Context, fn func(*cases.Rectification) error) error {
	m.mu.Lock()
	var ids []uint64
	for id := range m.rects {
		ids = append(ids, id)
	}
	m.mu.Unlock()
	slices.Sort(ids)
	for _, id := range ids {
		r, _ := m.Rectification(ctx, id)
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (m *memStore) RatingCursor(ctx context.Context) (uint64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cursor, nil
}

func (m *memStore) appendAudit(es []cases.AuditEntry) error {
	for _, e := range es {
		e.Seq = uint64(len(m.audit) + 1)
		m.audit = append(m.audit, e)
	}
	return nil
}

func (m *memStore) EachAudit(ctx context.Context, after uint64, fn func(cases.AuditEntry) error) error {
	m.mu.Lock()
	es := slices.Clone(m.audit)
	m.mu.Unlock()
	for _, e := range es {
		if e.Seq > after {
			if err := fn(e); err != nil {
				return err
			}
		}
	}
	return nil
}

type clock = queuetest.Clock

// testHall is a slice of the Tongshan hall: petition windows of 信访局, the
// consumer window of 市场监督管理局, the medical and labour rooms, the shared
// mediation room of 司法局, the counselling room, and legal aid.
func testHall(tb testing.TB) *queue.Hall {
	cs := func(ids ...string) []queue.CounterService {
		var out []queue.CounterService
		for _, id := range ids {
			out = append(out, queue.CounterService{ServiceID: id, Weight: 1})
		}
		return out
	}
	return &queue.Hall{
		Name: "通山县综治中心", RegionCode: "421224", Location: queuetest.Shanghai(tb),
		Services: []queue.Service{
			{ID: "petition", Name: "信访接待", Prefix: "A", Category: queue.CategoryPetition, NeedsID: true, CaseType: "petition"},
			{ID: "housing", Name: "住房建设", Prefix: "W", Category: queue.CategoryPetition, NeedsID: true, CaseType: "petition.housing"},
			{ID: "consumer", Name: "消费投诉", Prefix: "Y", Category: queue.CategoryPetition, NeedsID: true, CaseType: "complaint.consumer"},
			{ID: "mediation-medical", Name: "医患纠纷调解", Prefix: "D", Category: queue.CategoryMediation, NeedsID: true, CaseType: "mediation.medical"},
			{ID: "mediation-labour", Name: "劳动争议调解", Prefix: "F", Category: queue.CategoryMediation, NeedsID: true, CaseType: "mediation.labour"},
			{ID: "mediation-general", Name: "其他矛盾纠纷调解", Prefix: "M", Category: queue.CategoryMediation, NeedsID: true, CaseType: "mediation.general"},
			{ID: "legal-aid", Name: "法律援助", Prefix: "L", Category: queue.CategoryLegal, NeedsID: true, CaseType: "legal_aid"},
			{ID: "counselling", Name: "心理疏导", Prefix: "P", Category: queue.CategoryCounseling, CaseType: "counselling"},
			{ID: "consult", Name: "咨询", Prefix: "C", Category: queue.CategoryOther},
			{ID: "review", Name: "复查申请", Prefix: "R", Category: queue.CategoryPetition, NeedsID: true, CaseType: "petition.review"},
			{ID: "rereview", Name: "复核申请", Prefix: "G", Category: queue.CategoryPetition, NeedsID: true, CaseType: "petition.rereview"},
			{ID: "law-petition", Name: "涉法涉诉", Prefix: "B", Category: queue.CategoryPetition, NeedsID: true, CaseType: "petition.law_related"},
			{ID: "labour-security", Name: "劳动保障", Prefix: "V", Category: queue.CategoryPetition, NeedsID: true, CaseType: "complaint.labour_security"},
			{ID: "court-pre", Name: "诉前委派调解", Prefix: "J", Category: queue.CategoryLitigation, NeedsID: true, CaseType: "mediation.court.pre"},
		},
		Counters: []queue.Counter{
			{ID: "win-01", Name: "1号窗口", Kind: queue.KindWindow, Unit: "信访局", Location: "一楼大厅", Services: cs("petition", "consult", "review", "rereview", "law-petition", "labour-security", "court-pre")},
			{ID: "win-02", Name: "2号窗口", Kind: queue.KindWindow, Unit: "信访局", Location: "一楼大厅", Services: cs("petition", "housing", "consult")},
			{ID: "win-11", Name: "11号窗口", Kind: queue.KindWindow, Unit: "市场监督管理局", Location: "一楼大厅", Services: cs("consumer", "consult")},
			{ID: "room-medical", Name: "医患纠纷调解室", Kind: queue.KindRoom, Unit: "医患纠纷人民调解委员会", Location: "二楼东侧", Services: cs("mediation-medical")},
			{ID: "room-labour", Name: "劳动争议调解室", Kind: queue.KindRoom, Unit: "劳动争议调解委员会", Location: "二楼东侧", Services: cs("mediation-labour")},
			{ID: "room-multi", Name: "矛盾纠纷多元调解室", Kind: queue.KindRoom, Unit: "司法局", Location: "二楼东侧", Services: cs("mediation-general", "mediation-medical", "mediation-labour")},
			{ID: "room-legal", Name: "法律服务室", Kind: queue.KindRoom, Unit: "司法局", Location: "二楼西侧", Services: cs("legal-aid")},
			{ID: "room-counselling", Name: "心理疏导室", Kind: queue.KindRoom, Unit: "心理咨询师", Location: "二楼西侧", Services: cs("counselling")},
		},
	}
}

// Principals of the tests.
var (
	kiosk      = queue.Principal{ID: "k1", Role: queue.RoleKiosk}
	pad        = queue.Principal{ID: "p1", Role: queue.RolePad, Counters: []string{"win-01"}}
	clerk1     = queue.Principal{ID: "clerk1", Role: queue.RoleStaff, Counters: []string{"win-01"}}
	clerk2     = queue.Principal{ID: "clerk2", Role: queue.RoleStaff, Counters: []string{"win-02"}}
	mediator   = queue.Principal{ID: "med1", Role: queue.RoleStaff, Counters: []string{"room-medical"}}
	multiClerk = queue.Principal{ID: "multi1", Role: queue.RoleStaff, Counters: []string{"room-multi"}}
	boss       = queue.Principal{ID: "boss", Role: queue.RoleSupervisor}
	admin      = queue.Principal{ID: "admin", Role: queue.RoleAdmin}
)

// synthID and synthPerson are queuetest's invented ID numbers and people.
func synthID(n int) string { return queuetest.IDNumber(n) }

func synthPerson(n int) cases.Person { return queuetest.Person(n) }

type fixture struct {
	t     testing.TB
	clock *clock
	store *memStore
	eng   *queue.Engine
	book  *cases.Book
	keys  *personal.Keys
	logs  *queuetest.Buffer
	n     int
}

// newFixture opens a book at 09:00 on Thursday 2026-11-26 in Shanghai with
// the embedded holiday calendar.
func newFixture(t testing.TB, opts ...func(*cases.Options)) *fixture {
	t.Helper()
	return newFixtureOn(t, testHall(t), opts...)
}

// newFixtureOn is newFixture on another hall.
func newFixtureOn(t testing.TB, hall *queue.Hall, opts ...func(*cases.Options)) *fixture {
	t.Helper()
	cal, err := cases.LoadCalendar(cases.DefaultHolidays())
	if err != nil {
		t.Fatal(err)
	}
	keys, err := personal.New(bytes.Repeat([]byte{9}, personal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, clock: queuetest.NewClock(time.Date(2026, 11, 26, 9, 0, 0, 0, queuetest.Shanghai(t))), store: newMemStore(), keys: keys, logs: &queuetest.Buffer{}}
	log := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.eng, err = queue.New(context.Background(), hall, f.store, queue.Options{Now: f.clock.Now, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.eng.Close() })
	o := cases.Options{
		Hall: hall, Engine: f.eng, Store: f.store, Keys: keys, PublicURL: "http://yiting.local", Calendar: cal,
		Now: f.clock.Now, Logger: log,
	}
	for _, fn := range opts {
		fn(&o)
	}
	f.book, err = cases.New(o)
	if err != nil {
		t.Fatal(err)
	}
	f.eng.SetFollower(f.book)
	return f
}

// register registers a case of the service for n synthetic persons, as
// a clerk at the desk.
func (f *fixture) register(service string, persons ...cases.Person) cases.Registered {
	f.t.Helper()
	f.n++
	r, err := f.book.Register(context.Background(), boss, cases.RegisterRequest{
		ServiceID: service, Persons: persons, Summary: "要求解决问题", IdempotencyKey: fmt.Sprintf("tap-%d", f.n)})
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

func wantCode(t testing.TB, err error, code string, fragments ...string) {
	t.Helper()
	if got := queue.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
	for _, fr := range fragments {
		if !bytes.Contains([]byte(queue.ErrorMessage(err)), []byte(fr)) {
			t.Errorf("message %q lacks %q", queue.ErrorMessage(err), fr)
		}
	}
}

func must[T any](tb testing.TB) func(T, error) T {
	return func(v T, err error) T {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return v
	}
}

func mustUnmarshal(t testing.TB, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatal(err)
	}
}
