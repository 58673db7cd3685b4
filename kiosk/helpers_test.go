package kiosk_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
	"yiting/queue/queuetest"

	"yiting/kiosk"
	"yiting/kiosk/idcard"
	"yiting/kiosk/idcard/idcardsim"
	"yiting/printer"
	"yiting/printer/escpos"
	"yiting/printer/spool"
	"yiting/queue"
)

var cst = time.FixedZone("CST", 8*3600)

// testInfo is a small hall: petitions and mediation need a card, the
// enquiry desk does not.
func testInfo() kiosk.HallInfo {
	return kiosk.HallInfo{
		Name:         "测试综治中心",
		Day:          "2026-11-20",
		Location:     cst,
		Appointments: true,
		Services: []kiosk.ServiceInfo{
			{Service: queue.Service{ID: "petition", Name: "信访接待", Prefix: "A", Category: queue.CategoryPetition, NeedsID: true, CaseType: "petition"}, Waiting: 2},
			{Service: queue.Service{ID: "law", Name: "涉法涉诉", Prefix: "B", Category: queue.CategoryPetition, Group: "涉法涉诉", NeedsID: true, CaseType: "petition.law_related"}},
			{Service: queue.Service{ID: "medical", Name: "医患纠纷调解", Prefix: "D", Category: queue.CategoryMediation, Group: "矛盾纠纷调解", NeedsID: true, CaseType: "mediation.medical"}},
			{Service: queue.Service{ID: "consult", Name: "咨询", Prefix: "C", Category: queue.CategoryOther}, Waiting: 5},
		},
		Counters: []queue.Counter{
			{ID: "w1", Name: "1号窗口", Location: "一楼大厅 1号窗口", Services: []queue.CounterService{{ServiceID: "petition", Weight: 2}, {ServiceID: "consult", Weight: 1}}},
			{ID: "w2", Name: "2号窗口", Location: "一楼大厅 2号窗口", Services: []queue.CounterService{{ServiceID: "petition", Weight: 2}, {ServiceID: "consult", Weight: 1}}},
			{ID: "w3", Name: "3号窗口", Location: "一楼大厅 3号窗口", Services: []queue.CounterService{{ServiceID: "law", Weight: 1}, {ServiceID: "petition", Weight: 1}}},
			{ID: "r1", Name: "医患纠纷调解室", Location: "二楼东侧", Services: []queue.CounterService{{ServiceID: "medical", Weight: 1}}},
		},
		Priority: []queue.PriorityClass{{ID: "elderly", Name: "老年人", MinAge: 60}, {ID: "military", Name: "军人"}},
	}
}

// fakeDesk issues numbered tickets, or fails as its script says. Like the
// hall's desk it gives the age-based priority the cards entitle to.
type fakeDesk struct {
	mu      sync.Mutex
	info    kiosk.HallInfo
	reqs    []kiosk.Request
	fail    func(n int, req kiosk.Request) error // nil: succeed; n counts Issue calls from 1
	infoErr error
	next    uint64
	issue   func(req kiosk.Request, t *queue.Ticket) // adjusts the ticket issued
	byKey   map[string]kiosk.Issued
	// lose makes call n issue the ticket and lose the answer (the server
	// died before replying).
	lose func(n int) bool
	// 查询进度: the inquiries asked, and the answer.
	inquiries []kiosk.Inquiry
	cases     []kiosk.CaseStatus
	inqErr    error
	// 预约签到: the check-ins asked, and the answer to each (nil: an
	// appointment ticket Q00n for the medical room).
	arrivals []kiosk.Arrival
	arrive   func(a kiosk.Arrival) (kiosk.CheckIn, error)
}

func (h *fakeDesk) Arrive(ctx context.Context, a kiosk.Arrival) (kiosk.CheckIn, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.arrivals = append(h.arrivals, a)
	if h.arrive != nil {
		return h.arrive(a)
	}
	h.next++
	t := queue.Ticket{ID: h.next, Seq: int(h.next), Number: queue.FormatNumber("Q", int(h.next)), ServiceID: "medical", TargetCounter: "r1",
		Status: queue.StatusWaiting, IssuedAt: time.Date(2026, 11, 20, 1, 30, 0, 0, time.UTC), Appointment: time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)}
	return kiosk.CheckIn{Issued: &kiosk.Issued{Ticket: t}, Message: "签到成功"}, nil
}

func (h *fakeDesk) Inquire(ctx context.Context, q kiosk.Inquiry) ([]kiosk.CaseStatus, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.inquiries = append(h.inquiries, q)
	return h.cases, h.inqErr
}

func newFakeDesk() *fakeDesk { return &fakeDesk{info: testInfo(), byKey: map[string]kiosk.Issued{}} }

func (h *fakeDesk) Info(ctx context.Context) (kiosk.HallInfo, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.infoErr != nil {
		return kiosk.HallInfo{}, h.infoErr
	}
	return h.info, nil
}

func (h *fakeDesk) Issue(ctx context.Context, req kiosk.Request) (kiosk.Issued, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.reqs = append(h.reqs, req)
	if h.fail != nil {
		if err := h.fail(len(h.reqs), req); err != nil {
			return kiosk.Issued{}, err
		}
	}
	// A retried key gets the ticket of the first success.
	if is, ok := h.byKey[req.IdempotencyKey]; ok {
		is.Replayed = true
		return is, nil
	}
	h.next++
	svc, _ := h.info.Service(req.ServiceID)
	t := queue.Ticket{
		ID: h.next, Seq: int(h.next), Number: queue.FormatNumber(svc.Prefix, int(h.next)), ServiceID: req.ServiceID,
		Status: queue.StatusWaiting, IssuedAt: time.Date(2026, 11, 20, 1, 30, 0, 0, time.UTC),
	}
	for _, c := range req.Persons() {
		if !c.Birth.IsZero() && c.Age(t.IssuedAt) >= 60 {
			t.Priority = "elderly"
		}
	}
	t.Visitor.MaskedName = kiosk.GroupName(req.Persons()) // as the desk does
	if h.issue != nil {
		h.issue(req, &t)
	}
	is := kiosk.Issued{Ticket: t, Ahead: 3}
	if t.CaseCode != "" {
		is.CaseURL = "http://hall.test/c/token-of-" + t.CaseCode
	}
	h.byKey[req.IdempotencyKey] = is
	if h.lose != nil && h.lose(len(h.reqs)) {
		return kiosk.Issued{}, fmt.Errorf("hallclient: %w: read: connection reset by peer", kiosk.ErrUnreachable)
	}
	return is, nil
}

func (h *fakeDesk) requests() []kiosk.Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]kiosk.Request(nil), h.reqs...)
}

func (h *fakeDesk) setFail(f func(n int, req kiosk.Request) error) {
	h.mu.Lock()
	h.fail = f
	h.mu.Unlock()
}

func (h *fakeDesk) issuedCount() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.next
}

func (h *fakeDesk) setInfoErr(err error) {
	h.mu.Lock()
	h.infoErr = err
	h.mu.Unlock()
}

// fakeDevice is a printer for the spool: it prints, or fails with err.
type fakeDevice struct {
	mu      sync.Mutex
	err     error
	printed []printer.Ticket
	done    chan printer.Ticket
}

func newFakeDevice() *fakeDevice { return &fakeDevice{done: make(chan printer.Ticket, 16)} }

func (d *fakeDevice) Print(ctx context.Context, t printer.Ticket) (printer.Status, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return printer.Status{}, d.err
	}
	d.printed = append(d.printed, t)
	d.done <- t
	return printer.Status{Known: true}, nil
}

func (d *fakeDevice) setErr(err error) {
	d.mu.Lock()
	d.err = err
	d.mu.Unlock()
}

// paperOut is what the driver returns when the printer reports paper out.
func paperOut() error {
	return (printer.Status{Known: true, Status: escpos.Status{PaperOut: true, PaperNearEnd: true, Offline: true}}).Err()
}

type fakeClock = queuetest.Clock

// signals records what the loop told the panel.
type signals struct {
	mu     sync.Mutex
	faults []bool
	reads  int
}

func (s *signals) Fault(on bool) { s.mu.Lock(); s.faults = append(s.faults, on); s.mu.Unlock() }
func (s *signals) CardRead()     { s.mu.Lock(); s.reads++; s.mu.Unlock() }
func (s *signals) get() ([]bool, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]bool(nil), s.faults...), s.reads
}

type logBuffer = queuetest.Buffer

// rig is a running loop with its fakes.
type rig struct {
	loop    *kiosk.Loop
	desk    *fakeDesk
	dev     *fakeDevice
	spool   *spool.Spool
	clock   *fakeClock
	ticks   chan time.Time
	cards   chan idcard.Event
	signals *signals
	log     *logBuffer
}

func newRig(t *testing.T, tune func(*kiosk.Opts)) *rig {
	t.Helper()
	r := &rig{
		desk:    newFakeDesk(),
		dev:     newFakeDevice(),
		clock:   queuetest.NewClock(time.Date(2026, 11, 20, 9, 30, 0, 0, cst)),
		ticks:   make(chan time.Time),
		cards:   make(chan idcard.Event),
		signals: &signals{},
		log:     &logBuffer{},
	}
	sp, err := spool.Open(t.TempDir(), r.dev, &spool.Opts{MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	r.spool = sp
	opts := kiosk.Opts{
		Desk:      r.desk,
		Printer:   sp,
		Signals:   r.signals,
		Logger:    slog.New(slog.NewTextHandler(r.log, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:       r.clock.Now,
		Ticks:     r.ticks,
		RetryMin:  time.Millisecond,
		RetryMax:  4 * time.Millisecond,
		InfoEvery: time.Hour, // the first look only, unless a test asks
	}
	if tune != nil {
		tune(&opts)
	}
	l, err := kiosk.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	r.loop = l
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- l.Run(ctx, r.cards) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
		if t.Failed() {
			t.Logf("loop log:\n%s", r.log.String())
		}
	})
	r.until(t, "the hall's services", func(v kiosk.View) bool { return v.Hall.OK && len(v.Menu) > 0 })
	r.card(t, idcard.Event{Kind: idcard.EventReady})
	r.until(t, "reader ready", func(v kiosk.View) bool { return v.Devices.Reader.OK })
	return r
}

// until waits for a view that satisfies ok.
func (r *rig) until(t *testing.T, what string, ok func(kiosk.View) bool) kiosk.View {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v := r.loop.View()
	for !ok(v) {
		var err error
		if v, err = r.loop.Wait(ctx, v.Seq); err != nil {
			t.Fatalf("waiting for %s: %v; last view: step %s, message %q, error %+v", what, err, v.Step, v.Message, v.Error)
		}
	}
	return v
}

// faultsSettled waits until the fault LED's last signal is on (or off,
// or none was sent when off), and returns the signals so far: the loop
// calls the signals just after it publishes the view a test waits for.
func (r *rig) faultsSettled(t *testing.T, on bool) []bool {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		faults, _ := r.signals.get()
		if (len(faults) == 0 && !on) || (len(faults) > 0 && faults[len(faults)-1] == on) {
			return faults
		}
		if time.Now().After(deadline) {
			t.Fatalf("the fault LED never settled %v: %v", on, faults)
		}
		time.Sleep(time.Millisecond)
	}
}

// step waits for a step.
func (r *rig) step(t *testing.T, s kiosk.Step) kiosk.View {
	t.Helper()
	return r.until(t, "step "+s.String(), func(v kiosk.View) bool { return v.Step == s })
}

func (r *rig) card(t *testing.T, ev idcard.Event) {
	t.Helper()
	select {
	case r.cards <- ev:
	case <-time.After(5 * time.Second):
		t.Fatal("the loop does not take card events")
	}
}

func (r *rig) placed(t *testing.T, label string) *idcard.Identity {
	t.Helper()
	c, ok := idcardsim.CardByLabel(label)
	if !ok {
		t.Fatalf("no card %s", label)
	}
	id := c.Identity
	kind := idcard.EventCard
	if id.Expired(r.clock.Now()) {
		kind = idcard.EventExpired
	}
	r.card(t, idcard.Event{Kind: kind, Identity: &id})
	return &id
}

// tick makes the loop look at the clock.
func (r *rig) tick(t *testing.T) {
	t.Helper()
	select {
	case r.ticks <- r.clock.Now():
	case <-time.After(5 * time.Second):
		t.Fatal("the loop does not take ticks")
	}
}

func (r *rig) choose(t *testing.T, service string) {
	t.Helper()
	if err := r.loop.Choose(context.Background(), service); err != nil {
		t.Fatalf("Choose(%s): %v", service, err)
	}
}

func (r *rig) printedTicket(t *testing.T) printer.Ticket {
	t.Helper()
	select {
	case pt := <-r.dev.done:
		return pt
	case <-time.After(5 * time.Second):
		t.Fatal("nothing printed")
	}
	return printer.Ticket{}
}

func containsAll(s string, parts ...string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}

var errNet = errors.New("dial tcp 192.0.2.1:8080: connect: connection refused")

// eventually polls cond until it holds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: timed out", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}
