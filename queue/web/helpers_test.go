package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"yiting/queue/queuetest"

	"yiting/queue"
	"yiting/queue/boltstore"
	"yiting/queue/httpapi"
	"yiting/queue/web"
)

type testClock = queuetest.Clock

// testHall: two windows with pinyin, a room without.
func testHall(tb testing.TB) *queue.Hall {
	return &queue.Hall{
		Name:       "测试综治中心",
		RegionCode: "421224",
		Location:   queuetest.Shanghai(tb),
		Services: []queue.Service{
			{ID: "petition", Name: "信访接待", Prefix: "A", Category: queue.CategoryPetition},
			{ID: "consult", Name: "咨询", Prefix: "Z", Category: queue.CategoryOther},
			{ID: "medical", Name: "医患纠纷调解", Prefix: "D", Category: queue.CategoryMediation},
		},
		Counters: []queue.Counter{
			{ID: "w1", Name: "1号窗口", Kind: queue.KindWindow, Pinyin: "yi1 hao4 chuang1 kou3", Location: "一楼大厅",
				Services: []queue.CounterService{{ServiceID: "petition", Weight: 1}, {ServiceID: "consult", Weight: 1}}},
			{ID: "w2", Name: "2号窗口", Kind: queue.KindWindow, Pinyin: "er4 hao4 chuang1 kou3",
				Services: []queue.CounterService{{ServiceID: "petition", Weight: 1}, {ServiceID: "consult", Weight: 1}}},
			{ID: "r1", Name: "医患纠纷调解室", Kind: queue.KindRoom, Services: []queue.CounterService{{ServiceID: "medical", Weight: 1}}},
		},
	}
}

// Secrets the fake authenticator knows.
const (
	secStaff   = "sec-staff-w1"
	secSuper   = "sec-super"
	secAdmin   = "sec-admin"
	secDisplay = "sec-display"
	secPad     = "sec-pad-w1"
	secNewbie  = "sec-must-change" // an admin whose password someone else set
)

var principals = map[string]queue.Principal{
	secStaff:   {ID: "zhangsan", Name: "张三", Role: queue.RoleStaff, Counters: []string{"w1"}},
	secNewbie:  {ID: "admin", Name: "管理员", Role: queue.RoleAdmin, MustChangePassword: true},
	secSuper:   {ID: "boss", Name: "主管", Role: queue.RoleSupervisor},
	secAdmin:   {ID: "admin", Name: "管理员", Role: queue.RoleAdmin},
	secDisplay: {ID: "d1", Name: "大厅显示屏", Role: queue.RoleDisplay},
	secPad:     {ID: "p1", Name: "1号窗口评价器", Role: queue.RolePad, Counters: []string{"w1"}},
}

type fakeAuth struct{}

func (fakeAuth) Authenticate(ctx context.Context, secret string) (queue.Principal, error) {
	if p, ok := principals[secret]; ok {
		return p, nil
	}
	return queue.Principal{}, queue.Errorf(queue.EUNAUTH, "未登录")
}

// fakeSynth records what it was asked to say; gate, if set, holds every
// synthesis until it is closed.
type fakeSynth struct {
	mu    sync.Mutex
	texts []string
	fail  error
	gate  chan struct{}
	// absent: its program is not installed now (web.Prober).
	absent bool
}

func (s *fakeSynth) Available() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.absent
}

func (s *fakeSynth) Synthesize(ctx context.Context, pinyin string) ([]byte, error) {
	s.mu.Lock()
	s.texts = append(s.texts, pinyin)
	fail, gate := s.fail, s.gate
	s.mu.Unlock()
	if gate != nil {
		<-gate
	}
	if fail != nil {
		return nil, fail
	}
	return append([]byte("RIFF....WAVEfmt fake wav of: "), pinyin+strings.Repeat(" ", 20)...), nil
}

func (s *fakeSynth) calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.texts...)
}

type fixture struct {
	t     testing.TB
	clock *testClock
	store *boltstore.Store
	eng   *queue.Engine
	synth *fakeSynth
	pages *web.Pages
	mux   *http.ServeMux
	keys  int
}

type fixtureOpts struct {
	noSpeech  bool
	noTickets bool
	synth     *fakeSynth
}

// newFixture: a real engine over bbolt in a temp dir at 09:00 on a
// Thursday, the pages on a mux.
func newFixture(t testing.TB, opts ...func(*fixtureOpts)) *fixture {
	t.Helper()
	var o fixtureOpts
	for _, f := range opts {
		f(&o)
	}
	f := &fixture{t: t, clock: queuetest.NewClock(time.Date(2026, 11, 26, 9, 0, 0, 0, queuetest.Shanghai(t)))}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := boltstore.Open(t.TempDir(), log)
	if err != nil {
		t.Fatal(err)
	}
	f.store = st
	eng, err := queue.New(context.Background(), testHall(t), st, queue.Options{Now: f.clock.Now, Logger: log})
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	f.eng = eng
	t.Cleanup(func() { eng.Close(); st.Close() })
	wo := web.Options{Engine: eng, Auth: fakeAuth{}, Tickets: st, ConfigTOML: []byte("name = \"测试综治中心\"\nkey_file = \"\"\n"),
		Version: "v9.9.9", Logger: log, Now: f.clock.Now}
	if o.noTickets {
		wo.Tickets = nil
	}
	if !o.noSpeech {
		f.synth = o.synth
		if f.synth == nil {
			f.synth = &fakeSynth{}
		}
		wo.Speech, wo.SpeechName = f.synth, "fake voice"
	}
	f.pages, err = web.New(wo)
	if err != nil {
		t.Fatal(err)
	}
	f.mux = http.NewServeMux()
	f.pages.Register(f.mux)
	return f
}

// pagesWith is the fixture with pages that read tickets from src.
func (f *fixture) pagesWith(src web.TicketSource) *fixture {
	f.t.Helper()
	p, err := web.New(web.Options{Engine: f.eng, Auth: fakeAuth{}, Tickets: src, Now: f.clock.Now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		f.t.Fatal(err)
	}
	g := *f
	g.pages, g.mux = p, http.NewServeMux()
	p.Register(g.mux)
	return &g
}

// get requests path with a secret as the session cookie (staff) or a
// Bearer header (devices).
func (f *fixture) get(path, secret string) *httptest.ResponseRecorder {
	f.t.Helper()
	r := httptest.NewRequest("GET", path, nil)
	if p, ok := principals[secret]; ok && p.Role.IsDevice() {
		r.Header.Set("Authorization", "Bearer "+secret)
	} else if secret != "" {
		// The API's cookie: if it were renamed, every staff page test here
		// would fail.
		r.AddCookie(&http.Cookie{Name: httpapi.CookieName, Value: secret})
	}
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, r)
	return w
}

// conditional revalidates path with If-None-Match.
func (f *fixture) conditional(path, etag string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", path, nil)
	r.Header.Set("If-None-Match", etag)
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, r)
	return w
}

func wantStatus(t testing.TB, w *httptest.ResponseRecorder, status int) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d; body: %.500s", w.Code, status, w.Body)
	}
}

// pageData extracts the JSON block a page's script reads.
func pageData(t testing.TB, body string) map[string]any {
	t.Helper()
	m := regexp.MustCompile(`(?s)<script id="page-data" type="application/json">(.*?)</script>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no page-data block in %.300s", body)
	}
	var d map[string]any
	if err := json.Unmarshal([]byte(m[1]), &d); err != nil {
		t.Fatalf("page-data is not JSON: %v: %s", err, m[1])
	}
	return d
}

// issue takes a ticket as a kiosk.
func (f *fixture) issue(service string) queue.Ticket {
	f.t.Helper()
	f.keys++
	is, err := f.eng.Issue(context.Background(), queue.Principal{ID: "k1", Role: queue.RoleKiosk},
		queue.IssueRequest{ServiceID: service, IdempotencyKey: "k" + strconv.Itoa(f.keys), Visitor: queue.Visitor{MaskedName: "张*三"}})
	if err != nil {
		f.t.Fatal(err)
	}
	return is.Ticket
}

// serve runs one visitor through a counter: called after wait, served
// for service, by clerk.
func (f *fixture) serve(counter string, clerk queue.Principal, wait, service time.Duration) *queue.Ticket {
	f.t.Helper()
	ctx := context.Background()
	f.clock.Advance(wait)
	t, err := f.eng.CallNext(ctx, clerk, counter)
	if err != nil || t == nil {
		f.t.Fatalf("call-next at %s: %v, %v", counter, t, err)
	}
	if _, err := f.eng.Start(ctx, clerk, counter); err != nil {
		f.t.Fatal(err)
	}
	f.clock.Advance(service)
	t, err = f.eng.Complete(ctx, clerk, counter)
	if err != nil {
		f.t.Fatal(err)
	}
	return t
}
