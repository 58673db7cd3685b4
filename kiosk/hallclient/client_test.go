package hallclient_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"yiting/kiosk"
	"yiting/kiosk/hallclient"
	"yiting/kiosk/idcard/idcardsim"
	"yiting/queue"
	"yiting/queue/access"
	"yiting/queue/booking"
	"yiting/queue/cases"
	"yiting/queue/httpapi"
	"yiting/queue/queuetest"
)

func TestMain(m *testing.M) {
	gin.SetMode(gin.TestMode) // a library global: the tests' own choice
	os.Exit(m.Run())
}

func testHall(t *testing.T) *queue.Hall {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	return &queue.Hall{
		Name: "测试综治中心", RegionCode: "421224", Location: loc,
		Services: []queue.Service{
			{ID: "petition", Name: "信访接待", Prefix: "A", Category: queue.CategoryPetition, Group: "", NeedsID: true, CaseType: "petition"},
			{ID: "consult", Name: "咨询", Prefix: "C", Category: queue.CategoryOther},
		},
		Counters: []queue.Counter{
			{ID: "w1", Name: "1号窗口", Kind: queue.KindWindow, Location: "一楼大厅", Services: []queue.CounterService{{ServiceID: "petition", Weight: 2}, {ServiceID: "consult", Weight: 1}}},
		},
		Priority: queue.PriorityPolicy{Classes: []queue.PriorityClass{{ID: "elderly", Name: "老年人", MinAge: 60}}, Ratio: 2},
	}
}

// server is the real API over a real bbolt, with a kiosk token.
type server struct {
	hall  *queuetest.Hall
	eng   *queue.Engine
	srv   *httptest.Server
	token string
}

func newServer(t *testing.T) *server {
	t.Helper()
	return newServerWith(t, nil)
}

// newServerWith is newServer with the appointment diary on appts.
func newServerWith(t *testing.T, appts *booking.Config) *server {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	hall := testHall(t)
	if appts != nil {
		hall.AppointmentPrefix = "Q"
	}
	h := queuetest.NewHall(t, hall, queuetest.HallOptions{Appointments: appts})
	acc, err := access.New(ctx, h.Store, access.Options{Logger: quiet, BcryptCost: 4})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acc.Bootstrap(ctx, "test-admin-password"); err != nil {
		t.Fatal(err)
	}
	secret, _, err := acc.CreateDeviceToken(ctx, queue.Principal{ID: "admin", Role: queue.RoleAdmin}, queue.RoleKiosk, "二楼取号机", "")
	if err != nil {
		t.Fatal(err)
	}
	api, err := httpapi.New(httpapi.Options{Engine: h.Engine, Cases: h.Book, Diary: h.Diary, Auth: acc, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	s := &server{hall: h, eng: h.Engine, srv: httptest.NewServer(api.Handler()), token: secret}
	t.Cleanup(s.srv.Close)
	return s
}

func TestInfo(t *testing.T) {
	s := newServer(t)
	c, err := hallclient.New(s.srv.URL+"/", &hallclient.Opts{Token: s.token, Name: "测试综治中心"})
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p, ok := info.Service("petition")
	if !ok || !p.NeedsID || p.Prefix != "A" || p.Category != queue.CategoryPetition || info.Name != "测试综治中心" {
		t.Errorf("info %+v", info)
	}
	w1, ok := info.Counter("w1")
	if !ok || w1.Location != "一楼大厅" || len(w1.Services) != 2 || w1.Services[0].Weight != 2 {
		t.Errorf("counter %+v", w1)
	}
	if len(info.Priority) != 1 || info.Priority[0].MinAge != 60 {
		t.Errorf("priority %+v", info.Priority)
	}
}

// TestIssueAndRetry: a kiosk on another Pi gets what the in-process one
// gets — the case registered from the card, its QR, the age-based priority
// — without a key of its own; a retry gets the same ticket and case.
func TestIssueAndRetry(t *testing.T) {
	s := newServer(t)
	k := s.hall.Keys
	c, err := hallclient.New(s.srv.URL, &hallclient.Opts{Token: s.token})
	if err != nil {
		t.Fatal(err)
	}
	card, _ := idcardsim.CardByLabel(idcardsim.LabelElderly)
	req := kiosk.Request{ServiceID: "petition", Card: &card.Identity, IdempotencyKey: "tap-1"}
	a, err := c.Issue(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if a.Ticket.Number != "A001" || a.Ticket.Priority != "elderly" || a.Ticket.Visitor.MaskedName != "张*试" || a.Replayed ||
		a.Ticket.CaseCode == "" || !strings.HasPrefix(a.CaseURL, "http://yiting.local/c/") {
		t.Errorf("issued %+v", a)
	}
	if a.Ticket.Visitor.Key != "" {
		t.Error("the API returned the visitor key")
	}
	// The server has the keyed hash, never the number.
	tv, err := s.eng.TicketByNumber("A001")
	if err != nil {
		t.Fatal(err)
	}
	if tv.Visitor.Key != k.VisitorKey(card.Identity.Number) {
		t.Errorf("server's visitor %+v", tv.Visitor)
	}
	b, err := c.Issue(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if !b.Replayed || b.Ticket.ID != a.Ticket.ID || b.CaseURL != a.CaseURL {
		t.Errorf("retry: %+v", b)
	}
	if n := len(s.eng.Tickets(nil)); n != 1 {
		t.Errorf("%d tickets after a retry", n)
	}
}

func TestRefusalsAreQueueErrors(t *testing.T) {
	s := newServer(t)
	bad, _ := hallclient.New(s.srv.URL, &hallclient.Opts{Token: "not-a-token"})
	_, err := bad.Issue(context.Background(), kiosk.Request{ServiceID: "consult", IdempotencyKey: "k"})
	if !errors.Is(err, queue.ErrUnauth) || errors.Is(err, kiosk.ErrUnreachable) {
		t.Errorf("bad token: %v", err)
	}
	good, _ := hallclient.New(s.srv.URL, &hallclient.Opts{Token: s.token})
	_, err = good.Issue(context.Background(), kiosk.Request{ServiceID: "nope", IdempotencyKey: "k"})
	var qe *queue.Error
	if !errors.Is(err, queue.ErrNotFound) || !errors.As(err, &qe) || qe.Message == "" {
		t.Errorf("unknown service: %v", err)
	}
}

func TestUnreachable(t *testing.T) {
	s := newServer(t)
	c, _ := hallclient.New(s.srv.URL, &hallclient.Opts{Token: s.token})
	s.srv.Close() // the hall server is gone
	_, err := c.Issue(context.Background(), kiosk.Request{ServiceID: "consult", IdempotencyKey: "k"})
	if !errors.Is(err, kiosk.ErrUnreachable) {
		t.Errorf("closed server: %v", err)
	}
	if _, err := c.Info(context.Background()); !errors.Is(err, kiosk.ErrUnreachable) {
		t.Errorf("closed server, info: %v", err)
	}

	for _, h := range []http.HandlerFunc{
		func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"error":{"code":"unavailable","message":"系统暂时无法保存"}}`)
		},
		func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, `<html>bad gateway</html>`)
		},
	} {
		proxy := httptest.NewServer(h)
		c, _ := hallclient.New(proxy.URL, nil)
		_, err := c.Issue(context.Background(), kiosk.Request{ServiceID: "consult", IdempotencyKey: "k"})
		if !errors.Is(err, kiosk.ErrUnreachable) {
			t.Errorf("5xx: %v", err)
		}
		proxy.Close()
	}
}

func TestNewRefusesABadURL(t *testing.T) {
	for _, u := range []string{"", "hall:8080", "ftp://hall", "http://"} {
		if _, err := hallclient.New(u, nil); err == nil {
			t.Errorf("%q accepted", u)
		}
	}
}

// TestPinnedTLS: over https the client trusts exactly the pinned
// certificate; another is refused before anything is sent; a plain http
// server on another machine is refused outright; a malformed pin too.
func TestPinnedTLS(t *testing.T) {
	h := newServer(t)
	srv := httptest.NewTLSServer(h.srv.Config.Handler)
	defer srv.Close()
	sum := sha256.Sum256(srv.Certificate().Raw)
	right := hex.EncodeToString(sum[:])
	wrong := strings.Repeat("ab", 32)
	n := 0
	for pin, ok := range map[string]bool{right: true, strings.ToUpper(right): true, wrong: false} {
		n++
		c, err := hallclient.New(srv.URL, &hallclient.Opts{Token: h.token, Pin: pin})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Issue(context.Background(), kiosk.Request{ServiceID: "consult", IdempotencyKey: fmt.Sprint("pin-", n)})
		if (err == nil) != ok || (!ok && !errors.Is(err, kiosk.ErrUnreachable)) {
			t.Errorf("pin %.8s…: %v", pin, err)
		}
	}
	if n := len(h.eng.Tickets(nil)); n != 2 {
		t.Errorf("%d tickets: the wrong pin must send nothing", n)
	}
	for _, bad := range []struct{ url, pin string }{{"http://192.0.2.7:8080", right}, {srv.URL, "not-hex"}, {srv.URL, ""}} {
		if _, err := hallclient.New(bad.url, &hallclient.Opts{Pin: bad.pin}); err == nil {
			t.Errorf("New(%s, pin %q) accepted", bad.url, bad.pin)
		}
	}
}

// 查询进度 from a kiosk on another Pi (issue 13, item 18): the card finds
// the case the visitor's tap opened; a code with the wrong last four is
// queue.ErrNotFound.
func TestInquire(t *testing.T) {
	s := newServer(t)
	c, err := hallclient.New(s.srv.URL, &hallclient.Opts{Token: s.token})
	if err != nil {
		t.Fatal(err)
	}
	card, _ := idcardsim.CardByLabel(idcardsim.LabelElderly)
	ctx := context.Background()
	if _, err := c.Issue(ctx, kiosk.Request{ServiceID: "petition", Card: &card.Identity, IdempotencyKey: "tap-1"}); err != nil {
		t.Fatal(err)
	}
	tv, err := s.eng.TicketByNumber("A001")
	if err != nil {
		t.Fatal(err)
	}
	cs, err := c.Inquire(ctx, kiosk.Inquiry{Card: &card.Identity})
	if err != nil || len(cs) != 1 || cs[0].Code != tv.CaseCode || cs[0].Status == "" || cs[0].MaskedName != "张*试" || cs[0].Due == nil {
		t.Fatalf("by card: %+v %v", cs, err)
	}
	id := card.Identity.Number
	if cs, err := c.Inquire(ctx, kiosk.Inquiry{Code: tv.CaseCode, IDLast4: id[len(id)-4:]}); err != nil || len(cs) != 1 {
		t.Errorf("by code: %+v %v", cs, err)
	}
	wrong := "0000"
	if id[len(id)-4:] == wrong {
		wrong = "1111"
	}
	if _, err := c.Inquire(ctx, kiosk.Inquiry{Code: tv.CaseCode, IDLast4: wrong}); !errors.Is(err, queue.ErrNotFound) {
		t.Errorf("wrong digits: %v", err)
	}
	// Asking faster than a visitor could: the kiosk learns it was too
	// fast (and says so), not that the hall is down.
	for i := 0; ; i++ {
		_, err := c.Inquire(ctx, kiosk.Inquiry{Card: &card.Identity})
		if err == nil && i < 30 {
			continue
		}
		if !errors.Is(err, queue.ErrTooMany) {
			t.Fatalf("inquiry %d over the device's limit: %v", i, err)
		}
		break
	}
}

// TestArrive: a kiosk on another Pi checks a booked visitor in with the
// card and gets the appointment ticket the in-process kiosk would; a
// retry with the same key gets the same ticket; an unknown code is
// ErrNotFound.
func TestArrive(t *testing.T) {
	s := newServerWith(t, &booking.Config{Policy: booking.DefaultPolicy(), Plans: []booking.Plan{{ID: "p", Name: "信访预约",
		ServiceID: "petition", CounterID: "w1", Weekdays: []time.Weekday{time.Thursday}, Periods: []booking.Period{{From: 9 * time.Hour, To: 10 * time.Hour}},
		Length: 30 * time.Minute, Capacity: 2}}})
	card, _ := idcardsim.CardByLabel(idcardsim.LabelElderly)
	start := time.Date(2026, 11, 26, 9, 0, 0, 0, s.hall.Config.Location)
	if _, err := s.hall.Diary.Book(context.Background(), queue.Principal{ID: "boss", Role: queue.RoleSupervisor}, booking.BookRequest{
		Plan: "p", Start: start, Persons: []cases.Person{{Name: card.Identity.Name, IDNumber: card.Identity.Number}},
		Channel: booking.ChannelPhone, IdempotencyKey: "b"}); err == nil {
		t.Fatal("a slot at the clock's very minute was booked") // 09:00 is not after 09:00
	}
	start = start.Add(30 * time.Minute)
	if _, err := s.hall.Diary.Book(context.Background(), queue.Principal{ID: "boss", Role: queue.RoleSupervisor}, booking.BookRequest{
		Plan: "p", Start: start, Persons: []cases.Person{{Name: card.Identity.Name, IDNumber: card.Identity.Number}},
		Channel: booking.ChannelPhone, IdempotencyKey: "b2"}); err != nil {
		t.Fatal(err)
	}
	c, err := hallclient.New(s.srv.URL, &hallclient.Opts{Token: s.token})
	if err != nil {
		t.Fatal(err)
	}
	if info, err := c.Info(context.Background()); err != nil || !info.Appointments {
		t.Fatalf("info: appointments %v, %v", info.Appointments, err)
	}
	a := kiosk.Arrival{Card: &card.Identity, IdempotencyKey: "tap-1"}
	ci, err := c.Arrive(context.Background(), a)
	if err != nil || ci.Issued == nil || ci.Issued.Ticket.Number != "Q001" || ci.Issued.Ticket.TargetCounter != "w1" ||
		!ci.Issued.Ticket.Appointment.Equal(start) || ci.Issued.Replayed || ci.Issued.Ticket.CaseCode == "" {
		t.Fatalf("arrive: %+v %v", ci, err)
	}
	again, err := c.Arrive(context.Background(), a)
	if err != nil || again.Issued == nil || again.Issued.Ticket.ID != ci.Issued.Ticket.ID || !again.Issued.Replayed {
		t.Fatalf("retry: %+v %v", again, err)
	}
	if _, err := c.Arrive(context.Background(), kiosk.Arrival{Code: "2345-6789", IdempotencyKey: "tap-2"}); !errors.Is(err, queue.ErrNotFound) {
		t.Fatalf("unknown code: %v", err)
	}
}
