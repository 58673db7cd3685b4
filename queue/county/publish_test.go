package county_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"yiting/queue"
	"yiting/queue/county"
	"yiting/queue/queuetest"
)

func smallHall(tb testing.TB) *queue.Hall {
	return &queue.Hall{
		Name: "南林桥镇综治中心", RegionCode: "421224101", Location: queuetest.Shanghai(tb),
		Services: []queue.Service{{ID: "consult", Name: "咨询", Prefix: "C", Category: queue.CategoryOther}},
		Counters: []queue.Counter{{ID: "w1", Name: "1号窗口", Kind: queue.KindWindow,
			Services: []queue.CounterService{{ServiceID: "consult", Weight: 1}}}},
	}
}

var (
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
	boss  = queue.Principal{ID: "boss", Role: queue.RoleSupervisor}
)

// site is a running site: its hall and its NATS server with the
// publisher copying into the stream.
type site struct {
	t      *testing.T
	id     string // "nanlinqiao" if empty
	hub    string // the hub's leaf URL, with creds
	creds  string
	hall   *queuetest.Hall
	store  string
	srv    *county.SiteServer
	pub    *county.Publisher
	cancel context.CancelFunc
	done   chan struct{}
	n      int
}

func (s *site) start() {
	s.t.Helper()
	if s.id == "" {
		s.id = "nanlinqiao"
	}
	srv, err := county.StartSiteServer(county.SiteServerOptions{Site: s.id, StoreDir: s.store, Hub: s.hub, Credentials: s.creds, Logger: quiet})
	if err != nil {
		s.t.Fatal(err)
	}
	pub, err := county.NewPublisher(context.Background(), county.PublisherOptions{Site: s.id, Conn: srv.Conn(),
		Events: s.hall.Engine.Events(), Logger: quiet, Retry: 50 * time.Millisecond})
	if err != nil {
		srv.Close()
		s.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.srv, s.pub, s.cancel, s.done = srv, pub, cancel, make(chan struct{})
	go func() { defer close(s.done); pub.Run(ctx) }()
}

func (s *site) stop() {
	s.cancel()
	<-s.done
	s.srv.Close()
}

func (s *site) issue(n int) {
	s.t.Helper()
	for i := 0; i < n; i++ {
		s.n++
		if _, err := s.hall.Engine.Issue(context.Background(), boss, queue.IssueRequest{ServiceID: "consult", IdempotencyKey: "k" + strconv.Itoa(s.n)}); err != nil {
			s.t.Fatal(err)
		}
	}
}

// waitPublished waits until the stream holds the log's last event.
func (s *site) waitPublished() {
	s.t.Helper()
	want := s.hall.Engine.Events().Last()
	deadline := time.Now().Add(10 * time.Second)
	for s.pub.Published() < want {
		if time.Now().After(deadline) {
			s.t.Fatalf("published %d of %d events", s.pub.Published(), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// streamEvents reads the whole stream: each message's event sequence.
func (s *site) streamEvents() []uint64 {
	s.t.Helper()
	js, err := jetstream.New(s.srv.Conn())
	if err != nil {
		s.t.Fatal(err)
	}
	ctx := context.Background()
	st, err := js.Stream(ctx, county.StreamName)
	if err != nil {
		s.t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		s.t.Fatal(err)
	}
	var out []uint64
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			s.t.Fatal(err)
		}
		var ev queue.Event
		if err := json.Unmarshal(m.Data, &ev); err != nil {
			s.t.Fatal(err)
		}
		if h := m.Header.Get("Yiting-Seq"); h != strconv.FormatUint(ev.Seq, 10) || m.Subject != county.Subject(s.id) {
			s.t.Fatalf("message %d: header %q, subject %q, event %d", seq, h, m.Subject, ev.Seq)
		}
		out = append(out, ev.Seq)
	}
	return out
}

func wantInOrder(t *testing.T, got []uint64, n uint64) {
	t.Helper()
	if uint64(len(got)) != n {
		t.Fatalf("the stream holds %d events, the log %d", len(got), n)
	}
	for i, seq := range got {
		if seq != uint64(i+1) {
			t.Fatalf("message %d is event %d: %v", i+1, seq, got[:min(len(got), i+3)])
		}
	}
}

// TestPublisherCopiesTheLogOnce: the site's committed events reach its
// stream in order, each once — across a restart of the server and the
// publisher while the hall kept issuing, and with a second publisher
// racing the first.
func TestPublisherCopiesTheLogOnce(t *testing.T) {
	dir := t.TempDir()
	s := &site{t: t, hall: queuetest.NewHall(t, smallHall(t), queuetest.HallOptions{}), store: filepath.Join(dir, "nats")}
	s.issue(20) // before the publisher runs: it copies the log from its start
	s.start()
	s.waitPublished()
	wantInOrder(t, s.streamEvents(), s.hall.Engine.Events().Last())

	// The township's server stops (a power cut) while the hall goes on.
	s.stop()
	s.issue(30)
	s.start()
	s.issue(10)
	s.waitPublished()
	wantInOrder(t, s.streamEvents(), s.hall.Engine.Events().Last())

	// A second publisher on the same stream (two processes by mistake):
	// each message expects the stream's previous one, so neither doubles
	// an event.
	second, err := county.NewPublisher(context.Background(), county.PublisherOptions{Site: "nanlinqiao", Conn: s.srv.Conn(),
		Events: s.hall.Engine.Events(), Logger: quiet, Retry: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); second.Run(ctx) }()
	for i := 0; i < 5; i++ {
		s.issue(20)
		time.Sleep(10 * time.Millisecond)
	}
	s.waitPublished()
	cancel()
	<-done
	wantInOrder(t, s.streamEvents(), s.hall.Engine.Events().Last())
	s.stop()
}

func TestSiteIDs(t *testing.T) {
	for _, id := range []string{"", "a.b", "县*", strings.Repeat("x", 33), "a b"} {
		if _, err := county.StartSiteServer(county.SiteServerOptions{Site: id, StoreDir: t.TempDir()}); err == nil {
			t.Errorf("site id %q accepted", id)
		}
	}
	if _, err := county.StartSiteServer(county.SiteServerOptions{Site: "ok", StoreDir: t.TempDir(), Hub: "::bad"}); err == nil ||
		!strings.Contains(err.Error(), "nats-leaf://") {
		t.Errorf("a bad hub URL: %v", err)
	}
}
