// Package countytest holds what the county network's tests share, as
// queuetest does for the hall's: a township (a real hall with its own
// NATS server and the real publisher into its stream), a day's work at
// it, and the hub's JetStream with the stream COUNTY that the test fills
// from the sites' streams as the hub's sourcing does.
package countytest

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	hallconfig "yiting/firmware-config"
	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/county"
	"yiting/queue/county/countyview"
	"yiting/queue/queuetest"
)

var (
	ctx   = context.Background()
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
	// Boss is the supervisor every site's work is done as.
	Boss = queue.Principal{ID: "Boss", Role: queue.RoleSupervisor}
)

// Site is a township: a real hall (bbolt, engine, case book) on the
// default configuration, its own NATS server with JetStream in its own
// domain, and the real publisher copying its events into its stream.
type Site struct {
	ID   string
	Hall *queuetest.Hall

	t    testing.TB
	srv  *county.SiteServer
	js   jetstream.JetStream // to the site's own server
	next uint64              // the next message of the site's stream to relay
	n    int

	published func() uint64 // the publisher's Published
}

func NewSite(t testing.TB, id, name, region string, now time.Time) *Site {
	t.Helper()
	cfg, err := hallconfig.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Hall.Name, cfg.Hall.RegionCode = name, region
	s := &Site{t: t, ID: id, next: 1}
	s.Hall = queuetest.NewHall(t, &cfg.Hall, queuetest.HallOptions{Now: now, Cases: func(o *cases.Options) { o.County = true }})
	if s.srv, err = county.StartSiteServer(county.SiteServerOptions{Site: id, StoreDir: filepath.Join(t.TempDir(), "nats")}); err != nil {
		t.Fatal(err)
	}
	pub, err := county.NewPublisher(ctx, county.PublisherOptions{Site: id, Conn: s.srv.Conn(), Events: s.Hall.Engine.Events(),
		Logger: quiet, Retry: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if s.js, err = jetstream.New(s.srv.Conn()); err != nil {
		t.Fatal(err)
	}
	pctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); pub.Run(pctx) }()
	t.Cleanup(func() { cancel(); <-done; s.srv.Close() })
	s.published = func() uint64 { return pub.Published() }
	return s
}

// WaitPublished waits until the site's stream holds its whole log.
func (s *Site) WaitPublished() {
	s.t.Helper()
	want := s.Hall.Engine.Events().Last()
	deadline := time.Now().Add(10 * time.Second)
	for s.published() < want {
		if time.Now().After(deadline) {
			s.t.Fatalf("site %s: published %d of %d events", s.ID, s.published(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Issue issues a petition ticket with its case at the desk.
func (s *Site) Issue(service string) cases.Issued {
	s.t.Helper()
	s.n++
	req := cases.IssueRequest{ServiceID: service, IdempotencyKey: fmt.Sprintf("%s-%d", s.ID, s.n)}
	if service != "consult" {
		req.Persons = []cases.Person{queuetest.Person(s.n + 1000*len(s.ID))}
	}
	is, err := s.Hall.Book.Issue(ctx, Boss, req)
	if err != nil {
		s.t.Fatal(err)
	}
	return is
}

// Serve calls, starts and completes the next ticket at win-01 (receiving
// its case there), and rates it when level is one.
func (s *Site) Serve(level queue.Level) *queue.Ticket {
	s.t.Helper()
	e := s.Hall.Engine
	if _, err := e.CallNext(ctx, Boss, "win-01"); err != nil {
		s.t.Fatal(err)
	}
	if _, err := e.Start(ctx, Boss, "win-01"); err != nil {
		s.t.Fatal(err)
	}
	tk, err := e.Complete(ctx, Boss, "win-01")
	if err != nil {
		s.t.Fatal(err)
	}
	if level.Valid() {
		var reasons []string
		if level.Bad() {
			reasons = []string{"等待太久"}
		}
		if tk, err = e.Rate(ctx, Boss, tk.ID, level, reasons); err != nil {
			s.t.Fatal(err)
		}
	}
	return tk
}

// WorkDay is a township's day: tickets issued, served, rated and missed;
// a letter registered, assigned to a unit, supervised and warned about;
// a case answered and closed. k varies the numbers between sites.
func (s *Site) WorkDay(k int) {
	s.t.Helper()
	b := s.Hall.Book
	must := func(_ cases.View, err error) {
		s.t.Helper()
		if err != nil {
			s.t.Fatal(err)
		}
	}
	if _, err := s.Hall.Engine.OpenCounter(ctx, Boss, "win-01"); err != nil { // counters start closed each day
		s.t.Fatal(err)
	}
	for i := range 3 + k {
		s.Issue("petition")
		if i%2 == 0 {
			s.Issue("consult")
		}
	}
	var served []string // the cases received at the window
	for i := range 3 + k {
		if tk := s.Serve([]queue.Level{queue.VerySatisfied, queue.Dissatisfied, 0, queue.Satisfied}[i%4]); tk.CaseCode != "" {
			served = append(served, tk.CaseCode)
		}
	}
	if len(served) == 0 {
		s.t.Fatal("no case received at the window")
	}
	if _, err := s.Hall.Engine.CallNext(ctx, Boss, "win-01"); err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.Hall.Engine.NoShow(ctx, Boss, "win-01"); err != nil {
		s.t.Fatal(err)
	}
	s.n++
	r, err := b.Register(ctx, Boss, cases.RegisterRequest{ServiceID: "petition", Channel: cases.ChannelLetter,
		Persons: []cases.Person{queuetest.Person(5000 + s.n)}, Summary: "要求解决问题", IdempotencyKey: fmt.Sprintf("letter-%d", s.n)})
	if err != nil {
		s.t.Fatal(err)
	}
	must(b.Receive(ctx, Boss, r.Case.Code, "win-01"))
	must(b.Route(ctx, Boss, r.Case.Code, cases.RouteTo{Kind: cases.RouteUnit, Unit: "住建局"}))
	must(b.Supervise(ctx, Boss, r.Case.Code, "yellow", "请加快办理"))
	must(b.Warn(ctx, Boss, r.Case.Code, "住建局", "当事人情绪激动"))
	must(b.AddMeeting(ctx, Boss, r.Case.Code, cases.Meeting{Participants: "中心、住建局", Conclusion: "限期办理"}))
	// The first case served is answered and closed.
	must(b.Route(ctx, Boss, served[0], cases.RouteTo{Kind: cases.RouteCounter, CounterID: "win-01"}))
	must(b.StartHandling(ctx, Boss, served[0]))
	must(b.Conclude(ctx, Boss, served[0], cases.Result{Outcome: cases.OutcomeAnswered, Note: "已答复"}))
	must(b.Close(ctx, Boss, served[0], cases.CloseRequest{Note: "回访满意"}))
}

// Hub is the county hub's JetStream with the stream COUNTY, which the
// test fills from the sites' streams as the hub's sourcing does: each
// message as the site's stream holds it, subject, headers and body.
type Hub struct {
	JS jetstream.JetStream

	t testing.TB
}

func NewHub(t testing.TB) *Hub {
	t.Helper()
	srv, err := server.NewServer(&server.Options{ServerName: "hub", DontListen: true, JetStream: true, JetStreamDomain: "hub",
		StoreDir: t.TempDir(), NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("the hub's NATS server did not start")
	}
	nc, err := nats.Connect("", nats.InProcessServer(srv))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close(); srv.Shutdown(); srv.WaitForShutdown() })
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: countyview.Stream, Subjects: []string{"yiting.*.events"},
		Storage: jetstream.FileStorage, Duplicates: time.Minute}); err != nil {
		t.Fatal(err)
	}
	return &Hub{t: t, JS: js}
}

// Relay copies the site's stream into COUNTY from where it stopped;
// skip drops messages of the site's events (a stream that overflowed),
// again publishes a message a second time without its id (what the
// duplicate window does not catch).
func (h *Hub) Relay(s *Site, skip, again func(seq uint64) bool) {
	h.t.Helper()
	s.WaitPublished()
	st, err := s.js.Stream(ctx, county.StreamName)
	if err != nil {
		h.t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	for ; s.next <= info.State.LastSeq; s.next++ {
		m, err := st.GetMsg(ctx, s.next)
		if err != nil {
			h.t.Fatal(err)
		}
		if skip != nil && skip(s.next) {
			continue
		}
		// The site's publisher expects the stream's last sequence: an
		// expectation for its own stream, which sourcing does not apply.
		hd := nats.Header{}
		for k, v := range m.Header {
			if !strings.HasPrefix(k, "Nats-Expected-") {
				hd[k] = v
			}
		}
		msg := &nats.Msg{Subject: m.Subject, Header: hd, Data: m.Data}
		if _, err := h.JS.PublishMsg(ctx, msg); err != nil {
			h.t.Fatal(err)
		}
		if again != nil && again(s.next) {
			dup := &nats.Msg{Subject: m.Subject, Header: nats.Header{county.SeqHeader: m.Header[county.SeqHeader]}, Data: m.Data}
			if _, err := h.JS.PublishMsg(ctx, dup); err != nil {
				h.t.Fatal(err)
			}
		}
	}
}

// Publish puts a raw message on the hub's stream.
func (h *Hub) Publish(subject, seq string, data []byte) {
	h.t.Helper()
	msg := &nats.Msg{Subject: subject, Header: nats.Header{}, Data: data}
	msg.Header.Set(county.SeqHeader, seq)
	if _, err := h.JS.PublishMsg(ctx, msg); err != nil {
		h.t.Fatal(err)
	}
}

// Last is COUNTY's last sequence.
func (h *Hub) Last() uint64 {
	h.t.Helper()
	st, err := h.JS.Stream(ctx, countyview.Stream)
	if err != nil {
		h.t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	return info.State.LastSeq
}

// OpenModel opens a read model at path on the clock.
func OpenModel(t testing.TB, path string, clock *queuetest.Clock, batch int, sites ...countyview.SiteName) *countyview.Model {
	t.Helper()
	m, err := countyview.Open(path, countyview.Options{Sites: sites, Location: queuetest.Shanghai(t), Now: clock.Now,
		Logger: quiet, Batch: batch})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Running runs m on the hub until stop, which waits for Run to return.
func Running(t testing.TB, m *countyview.Model, h *Hub) (stop func()) {
	t.Helper()
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- m.Run(rctx, h.JS) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

// CaughtUp waits until m holds COUNTY's last message.
func CaughtUp(t testing.TB, m *countyview.Model, h *Hub) {
	t.Helper()
	want := h.Last()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := m.StreamSeq()
		if err != nil {
			t.Fatal(err)
		}
		if got >= want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the model holds stream message %d of %d", got, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
