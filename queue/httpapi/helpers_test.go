package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"yiting/queue"
	"yiting/queue/access"
	"yiting/queue/boltstore"
	"yiting/queue/booking"
	"yiting/queue/cases"
	"yiting/queue/httpapi"
	"yiting/queue/personal"
	"yiting/queue/queuetest"
)

func TestMain(m *testing.M) {
	// gin's mode is a library global: cmd/ sets it in production; the
	// tests only keep gin's debug route listing out of their output.
	gin.SetMode(gin.TestMode)
	os.Exit(m.Run())
}

type testClock = queuetest.Clock

// testHall: two windows for petitions and enquiries, one mediation room.
func testHall(tb testing.TB) *queue.Hall {
	return &queue.Hall{
		Name:       "测试综治中心",
		RegionCode: "421224",
		Location:   queuetest.Shanghai(tb),
		Services: []queue.Service{
			{ID: "petition", Name: "信访接待", Prefix: "A", Category: queue.CategoryPetition, NeedsID: true},
			{ID: "consult", Name: "咨询", Prefix: "Z", Category: queue.CategoryOther},
			{ID: "medical", Name: "医患纠纷调解", Prefix: "D", Category: queue.CategoryMediation, NeedsID: true},
		},
		Counters: []queue.Counter{
			{ID: "w1", Name: "1号窗口", Kind: queue.KindWindow, Services: []queue.CounterService{{ServiceID: "petition", Weight: 2}, {ServiceID: "consult", Weight: 1}}},
			{ID: "w2", Name: "2号窗口", Kind: queue.KindWindow, Services: []queue.CounterService{{ServiceID: "petition", Weight: 1}, {ServiceID: "consult", Weight: 2}}},
			{ID: "r1", Name: "医患纠纷调解室", Kind: queue.KindRoom, Services: []queue.CounterService{{ServiceID: "medical", Weight: 1}}},
		},
		Priority: queue.PriorityPolicy{
			Classes:    []queue.PriorityClass{{ID: "elderly", Name: "老年人", MinAge: 60}},
			Ratio:      2,
			AgingAfter: 30 * time.Minute,
		},
		RecallLimit: 2,
	}
}

// Secrets the fake authenticator knows.
const (
	secKiosk   = "tok-kiosk"
	secKiosk2  = "tok-kiosk-2"
	secDisplay = "tok-display"
	secStaffW1 = "tok-staff-w1"
	secStaffW2 = "tok-staff-w2"
	secSuper   = "tok-super"
	secPadW1   = "tok-pad-w1"
	secPadW2   = "tok-pad-w2"
	secAdmin   = "tok-admin"
	secExpired = "tok-expired" // a session that timed out
	secRevoked = "tok-revoked" // a device token an admin revoked
	secPanic   = "tok-panic"   // makes Authenticate panic, for the recovery test
)

// fakeAuth is an Authenticator over a fixed table, shaped like
// access.Service's errors.
type fakeAuth struct {
	now func() time.Time

	mu      sync.Mutex
	logouts []string
}

var _ httpapi.Authenticator = (*fakeAuth)(nil)

func (f *fakeAuth) Authenticate(ctx context.Context, secret string) (queue.Principal, error) {
	switch secret {
	case secKiosk:
		return queue.Principal{ID: "k1", Name: "大厅取号机", Role: queue.RoleKiosk}, nil
	case secKiosk2:
		return queue.Principal{ID: "k2", Name: "二楼取号机", Role: queue.RoleKiosk}, nil
	case secDisplay:
		return queue.Principal{ID: "d1", Name: "大厅显示屏", Role: queue.RoleDisplay}, nil
	case secStaffW1:
		return queue.Principal{ID: "clerk1", Name: "李*明", Role: queue.RoleStaff, Counters: []string{"w1"}}, nil
	case secStaffW2:
		return queue.Principal{ID: "clerk2", Name: "王*", Role: queue.RoleStaff, Counters: []string{"w2"}}, nil
	case secPadW1:
		return queue.Principal{ID: "p1", Name: "1号窗口评价器", Role: queue.RolePad, Counters: []string{"w1"}}, nil
	case secPadW2:
		return queue.Principal{ID: "p2", Name: "2号窗口评价器", Role: queue.RolePad, Counters: []string{"w2"}}, nil
	case secSuper:
		return queue.Principal{ID: "boss", Name: "主管", Role: queue.RoleSupervisor}, nil
	case secAdmin:
		return queue.Principal{ID: "admin", Name: "管理员", Role: queue.RoleAdmin}, nil
	case secExpired:
		return queue.Principal{}, queue.Errorf(queue.EUNAUTH, "未登录或登录已过期，请重新登录 (not logged in or session expired)")
	case secRevoked:
		return queue.Principal{}, queue.Errorf(queue.EUNAUTH, "该设备令牌已被吊销，请联系管理员重新配置 (device token revoked)")
	case secPanic:
		panic("fake authenticator exploded")
	}
	return queue.Principal{}, queue.Errorf(queue.EUNAUTH, "未登录或登录已过期，请重新登录 (not logged in or session expired)")
}

func (f *fakeAuth) Login(ctx context.Context, user, password, clientIP string) (string, queue.Principal, error) {
	switch {
	case user == "locked":
		return "", queue.Principal{}, &queue.Error{Code: queue.ETOOMANY, Message: "登录失败次数过多 (too many failed logins)",
			Err: &access.LockedError{Until: f.now().Add(90 * time.Second)}}
	case user == "clerk1" && password == "right-password":
		p, _ := f.Authenticate(ctx, secStaffW1)
		return secStaffW1, p, nil
	}
	return "", queue.Principal{}, queue.Errorf(queue.EUNAUTH, "用户名或密码错误 (wrong user name or password)")
}

func (f *fakeAuth) Logout(ctx context.Context, secret string) error {
	f.mu.Lock()
	f.logouts = append(f.logouts, secret)
	f.mu.Unlock()
	return nil
}

type syncBuffer = queuetest.Buffer

// fixture is a real engine on a real bbolt store in a temp dir, and the
// API on it.
type fixture struct {
	t     testing.TB
	hall  *queue.Hall
	clock *testClock
	store *boltstore.Store
	eng   *queue.Engine
	auth  *fakeAuth
	api   *httpapi.API
	h     http.Handler
	logs  *syncBuffer
	keys  int
	book  *cases.Book    // the desk and the case book
	pkeys *personal.Keys // the hall's personal-data keys
}

type setup struct {
	hall   func(*queue.Hall) // changes the test hall
	engine queue.Options
	api    httpapi.Options
	// wire, if set, sets Auth (and Accounts) once the store is open;
	// otherwise Auth is the fake.
	wire func(f *fixture, o *httpapi.Options)
	// log, if set, replaces the debug log into f.logs.
	log *slog.Logger
	// cases, if set, adjusts the case book's options.
	cases func(*cases.Options)
	// appointments, if set, opens the appointment diary (the hall's
	// AppointmentPrefix is then "Q").
	appointments *booking.Config
}

// newFixture opens the store and the engine at 09:00 Shanghai time on a
// working day and builds the API. Options change the defaults.
func newFixture(t testing.TB, opts ...func(*setup)) *fixture {
	t.Helper()
	f := &fixture{t: t, hall: testHall(t), logs: &syncBuffer{}}
	var s setup
	for _, o := range opts {
		o(&s)
	}
	if s.hall != nil {
		s.hall(f.hall)
	}
	if s.appointments != nil {
		f.hall.AppointmentPrefix = "Q"
	}
	log := s.log
	if log == nil {
		log = slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	h := queuetest.NewHall(t, f.hall, queuetest.HallOptions{Logger: log, Engine: s.engine, Cases: s.cases, Appointments: s.appointments})
	f.clock, f.store, f.eng, f.book, f.pkeys = h.Clock, h.Store, h.Engine, h.Book, h.Keys
	eng := f.eng
	f.auth = &fakeAuth{now: f.clock.Now}
	s.api.Engine, s.api.Cases, s.api.Logger, s.api.Now = eng, f.book, log, f.clock.Now
	s.api.Auth = f.auth
	s.api.Diary = h.Diary
	if s.wire != nil {
		s.wire(f, &s.api)
	}
	var err error
	f.api, err = httpapi.New(s.api)
	if err != nil {
		t.Fatal(err)
	}
	f.h = f.api.Handler()
	return f
}

// req builds a request. body: nil for none, a string or []byte sent as
// is with Content-Type application/json, anything else JSON-encoded.
// hdr are header name/value pairs.
func (f *fixture) req(method, path, secret string, body any, hdr ...string) *http.Request {
	f.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			f.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return req
}

func (f *fixture) serve(r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, r)
	return w
}

func (f *fixture) do(method, path, secret string, body any, hdr ...string) *httptest.ResponseRecorder {
	f.t.Helper()
	return f.serve(f.req(method, path, secret, body, hdr...))
}

// want checks the status and decodes the JSON answer into out (if not
// nil).
func want(t testing.TB, w *httptest.ResponseRecorder, status int, out any) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d; body: %s", w.Code, status, w.Body)
	}
	if out != nil {
		if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("Content-Type %q, want application/json", ct)
		}
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			t.Fatalf("decoding %s: %v", w.Body, err)
		}
	}
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// wantError checks an error answer: status, code, and that the message
// contains each of the fragments.
func wantError(t testing.TB, w *httptest.ResponseRecorder, status int, code string, fragments ...string) apiError {
	t.Helper()
	var e apiError
	want(t, w, status, &e)
	if e.Error.Code != code {
		t.Errorf("error code %q, want %q (message %q)", e.Error.Code, code, e.Error.Message)
	}
	for _, fr := range fragments {
		if !strings.Contains(e.Error.Message, fr) {
			t.Errorf("error message %q does not contain %q", e.Error.Message, fr)
		}
	}
	return e
}

type issued struct {
	Ticket   queue.Ticket `json:"ticket"`
	Ahead    int          `json:"ahead"`
	CaseCode string       `json:"case_code"`
	CaseURL  string       `json:"case_url"`
	Linked   bool         `json:"linked"`
}

// issue takes a ticket through the API as the kiosk, with a fresh key and,
// for a service that needs an ID card, a fresh synthetic card.
func (f *fixture) issue(service string) issued {
	f.t.Helper()
	f.keys++
	var out issued
	want(f.t, f.do("POST", "/api/v1/tickets", secKiosk, ticketBody(f.hall, service, f.keys),
		"Idempotency-Key", "tap-"+strconv.Itoa(f.keys)), http.StatusCreated, &out)
	return out
}

// ticketBody is what a kiosk sends for a tap: the service and, when it
// needs one, the card of synthetic person n.
func ticketBody(h *queue.Hall, service string, n int) map[string]any {
	b := map[string]any{"service": service}
	if sv, ok := h.Service(service); ok && sv.NeedsID {
		b["persons"] = []any{synthPerson(n)}
	}
	return b
}

type ticketAnswer struct {
	Ticket *queue.Ticket `json:"ticket"`
}

// cmd runs a counter command through the API and returns the ticket.
func (f *fixture) cmd(secret, counter, name string, body any) *queue.Ticket {
	f.t.Helper()
	var out ticketAnswer
	want(f.t, f.do("POST", "/api/v1/counters/"+counter+"/"+name, secret, body), http.StatusOK, &out)
	return out.Ticket
}

func (f *fixture) open(counters ...string) {
	f.t.Helper()
	for _, c := range counters {
		want(f.t, f.do("POST", "/api/v1/counters/"+c+"/open", secSuper, nil), http.StatusOK, nil)
	}
}
