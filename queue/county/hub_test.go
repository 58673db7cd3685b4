package county_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"yiting/queue"
	"yiting/queue/county"
	"yiting/queue/queuetest"
	"yiting/tlspin"
)

// hubCert is a certificate with its key for the hub's leaf listener.
func hubCert(tb testing.TB) tls.Certificate {
	tb.Helper()
	ts := httptest.NewUnstartedServer(nil)
	ts.StartTLS()
	defer ts.Close()
	return ts.TLS.Certificates[0]
}

// hub is a running hub and what a site needs to reach it.
type hub struct {
	t     *testing.T
	cert  tls.Certificate
	store string
	addr  string // the leaf listener, kept across restarts
	srv   *county.HubServer
	sites []county.HubSite
}

func newHub(t *testing.T) *hub {
	h := &hub{t: t, cert: hubCert(t), store: filepath.Join(t.TempDir(), "nats"), addr: "127.0.0.1:0"}
	return h
}

func (h *hub) start() {
	h.t.Helper()
	srv, err := county.StartHubServer(context.Background(), county.HubServerOptions{StoreDir: h.store, LeafAddr: h.addr,
		Certificate: h.cert, Sites: h.sites, Logger: quiet})
	if err != nil {
		h.t.Fatal(err)
	}
	h.srv, h.addr = srv, srv.LeafAddr().String()
}

func (h *hub) url() string { return "tls://" + h.addr }

func (h *hub) pin() string { return tlspin.Of(h.cert.Certificate[0]) }

// register makes a site's credentials, writes them to a file and adds the
// site to the hub (at once when it runs).
func (h *hub) register(id string) string {
	h.t.Helper()
	c, pub, err := county.NewCredentials(id, h.pin())
	if err != nil {
		h.t.Fatal(err)
	}
	path := filepath.Join(h.t.TempDir(), id+".creds")
	if err := os.WriteFile(path, c.Marshal("测试站点"), 0o600); err != nil {
		h.t.Fatal(err)
	}
	h.sites = append(h.sites, county.HubSite{ID: id, PublicKey: pub})
	if h.srv != nil {
		if err := h.srv.SetSites(context.Background(), h.sites); err != nil {
			h.t.Fatal(err)
		}
	}
	return path
}

// countyMsg is a message of the county stream as the read model sees it.
type countyMsg struct {
	subject string
	seq     uint64 // Yiting-Seq
	event   queue.Event
}

func (h *hub) messages() []countyMsg {
	h.t.Helper()
	return readCounty(h.t, h.srv.Conn())
}

func readCounty(tb testing.TB, nc *nats.Conn) []countyMsg {
	tb.Helper()
	ctx := context.Background()
	js, _ := jetstream.New(nc)
	st, err := js.Stream(ctx, county.CountyStream)
	if err != nil {
		tb.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	var out []countyMsg
	for seq := info.State.FirstSeq; info.State.Msgs > 0 && seq <= info.State.LastSeq; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			tb.Fatal(err)
		}
		cm := countyMsg{subject: m.Subject}
		cm.seq, _ = strconv.ParseUint(m.Header.Get(county.SeqHeader), 10, 64)
		_ = json.Unmarshal(m.Data, &cm.event)
		out = append(out, cm)
	}
	return out
}

// bySite checks the county stream's contract — each site's messages
// under its subject, in the order of its log, each once, the header
// equal to the event's own sequence — and returns the events per site.
func bySite(tb testing.TB, msgs []countyMsg) map[string][]uint64 {
	tb.Helper()
	out := map[string][]uint64{}
	for _, m := range msgs {
		site, ok := strings.CutSuffix(strings.TrimPrefix(m.subject, "yiting."), ".events")
		if !ok || m.seq != m.event.Seq {
			tb.Fatalf("a county message %q with Yiting-Seq %d holds event %d", m.subject, m.seq, m.event.Seq)
		}
		out[site] = append(out[site], m.seq)
	}
	return out
}

// waitCounty waits until the county stream holds each site's log up to
// its last event, then checks each arrived once and in order.
func (h *hub) waitCounty(want map[string]uint64) {
	h.t.Helper()
	deadline := time.Now().Add(150 * time.Second) // the hub retries a failed source after 10 s, then longer
	for {
		got := bySite(h.t, h.messages())
		done := true
		for site, n := range want {
			if uint64(len(got[site])) < n {
				done = false
			}
		}
		if done {
			for site, n := range want {
				wantInOrder(h.t, got[site], n)
			}
			return
		}
		if time.Now().After(deadline) {
			links, err := h.srv.Links(context.Background())
			h.t.Fatalf("the county stream after 90 s: %d messages; want %v; links %+v %v", len(h.messages()), want, links, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestHubSourcesEverySite: two sites linked to the hub reach the county
// stream, each event once, in order, under its site's subject with its
// sequence header — across a hub stopped while the sites kept writing and
// started again, a site's server restarted, and a third site added to the
// running hub.
func TestHubSourcesEverySite(t *testing.T) {
	h := newHub(t)
	credsA, credsB := h.register("site-a"), h.register("site-b")
	h.start()
	mk := func(id, creds string) *site {
		s := &site{t: t, id: id, hub: h.url(), creds: creds, hall: queuetest.NewHall(t, smallHall(t), queuetest.HallOptions{}),
			store: filepath.Join(t.TempDir(), "nats")}
		s.start()
		t.Cleanup(s.stop)
		return s
	}
	a, b := mk("site-a", credsA), mk("site-b", credsB)
	a.issue(10)
	b.issue(5)
	waitLink(t, a.srv)
	last := func(s *site) uint64 { return s.hall.Engine.Events().Last() }
	h.waitCounty(map[string]uint64{"site-a": last(a), "site-b": last(b)})
	links, err := h.srv.Links(context.Background())
	if err != nil || len(links) != 2 || !links[0].Up || links[0].LastEvent != last(a) || links[1].LastEvent != last(b) {
		t.Fatalf("links: %+v, %v", links, err)
	}

	// The county's line drops: the sites keep writing into their streams.
	h.srv.Close()
	a.issue(7)
	b.issue(3)
	a.waitPublished()
	b.waitPublished()
	h.start()
	defer h.srv.Close()
	h.waitCounty(map[string]uint64{"site-a": last(a), "site-b": last(b)})

	// A site's server stops (a power cut at the township) and comes back.
	b.stop()
	b.issue(4)
	b.start()
	a.issue(2)
	h.waitCounty(map[string]uint64{"site-a": last(a), "site-b": last(b)})

	// A third site joins the running hub.
	c := mk("site-c", h.register("site-c"))
	c.issue(3)
	h.waitCounty(map[string]uint64{"site-a": last(a), "site-b": last(b), "site-c": last(c)})
}

// waitLink waits until a site's leaf link is up.
func waitLink(tb testing.TB, s *county.SiteServer) {
	tb.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !s.LinkUp() {
		if time.Now().After(deadline) {
			tb.Fatal("the site's link to the hub did not come up in 15 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// rogue is a NATS server that holds one site's credentials and does with
// them what it likes: another JetStream domain, streams of other sites'
// subjects, any publication and subscription.
func rogue(t *testing.T, h *hub, creds, domain string) (*server.Server, *nats.Conn) {
	t.Helper()
	c, err := county.ReadCredentials(creds)
	if err != nil {
		t.Fatal(err)
	}
	tc, err := tlspin.Config(c.HubPin)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(h.url())
	srv, err := server.NewServer(&server.Options{ServerName: "rogue-" + domain, DontListen: true, JetStream: true,
		JetStreamDomain: domain, StoreDir: t.TempDir(), NoSigs: true, NoLog: true,
		LeafNode: server.LeafNodeOpts{Remotes: []*server.RemoteLeafOpts{{URLs: []*url.URL{u}, Nkey: c.Seed, TLSConfig: tc}},
			ReconnectInterval: 100 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(srv.Shutdown)
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("the rogue server did not start")
	}
	nc, err := nats.Connect("", nats.InProcessServer(srv))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	deadline := time.Now().Add(15 * time.Second)
	for srv.NumLeafNodes() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the rogue's link did not come up: the hub refused site A's own key")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return srv, nc
}

// fakeEvents makes the rogue's own EVENTS stream over subjects and puts
// a message on each, with the message id its site's event 1 would have.
func fakeEvents(t *testing.T, nc *nats.Conn, subjects ...string) {
	t.Helper()
	ctx := context.Background()
	js, _ := jetstream.New(nc)
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: county.StreamName, Subjects: subjects}); err != nil {
		t.Fatal(err)
	}
	for _, subj := range subjects {
		data, _ := json.Marshal(queue.Event{Seq: 1, Type: "fake"})
		msg := &nats.Msg{Subject: subj, Data: data, Header: nats.Header{}}
		msg.Header.Set(county.SeqHeader, "1")
		id := "site-a-1"
		if subj == county.Subject("site-b") {
			id = "site-b-1" // the id of site B's first event
		}
		if _, err := js.PublishMsg(ctx, msg, jetstream.WithMsgID(id)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSiteCannotActAsAnother: site A's credentials, in a server its
// holder controls, cannot answer the JetStream API of site B's domain
// (which would feed the county B's stream of A's making), cannot put a
// message under B's subject into the county stream, nor drop B's event by
// reusing its message id, cannot publish on B's subjects nor read B's
// commands, and cannot reach the hub's own JetStream API. Site B's own
// events still arrive. A removed site's key is refused at once.
func TestSiteCannotActAsAnother(t *testing.T) {
	h := newHub(t)
	credsA := h.register("site-a")
	h.start()
	defer h.srv.Close()
	ctx := context.Background()

	// A in B's domain, with a stream of B's subject, linked before B is
	// registered: registering B makes the hub ask B's domain at once for
	// the stream, and only a holder of B's key may answer.
	rogueB, asB := rogue(t, h, credsA, "site-b")
	fakeEvents(t, asB, county.Subject("site-b"))
	credsB := h.register("site-b")
	time.Sleep(3 * time.Second) // an answered request brings the message within milliseconds
	if msgs := h.messages(); len(msgs) != 0 {
		t.Fatalf("site A's key answered for site B: the county stream holds %+v", msgs)
	}

	// A in its own domain, with a stream that also takes B's subject: the
	// county stores what comes from A's stream under A's subject.
	rogueA, asA := rogue(t, h, credsA, "site-a")
	fakeEvents(t, asA, county.Subject("site-a"), county.Subject("site-b"))
	deadline := time.Now().Add(60 * time.Second)
	for len(h.messages()) < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("site A's own stream did not reach the county: %+v", h.messages())
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, m := range h.messages() {
		if m.subject != county.Subject("site-a") {
			t.Fatalf("a message of site A's stream is in the county stream as %q", m.subject)
		}
	}

	// The real site B: its event 1, whose message id A used, arrives.
	b := &site{t: t, id: "site-b", hub: h.url(), creds: credsB, hall: queuetest.NewHall(t, smallHall(t), queuetest.HallOptions{}),
		store: filepath.Join(t.TempDir(), "nats")}
	b.issue(1)
	b.start()
	defer b.stop()
	h.waitCounty(map[string]uint64{"site-b": b.hall.Engine.Events().Last()})
	for _, m := range h.messages() {
		if m.subject == county.Subject("site-b") && m.event.Type == "fake" {
			t.Fatalf("a fake event is in the county stream as site B's: %+v", m)
		}
	}

	// Plain messages: the hub hears A's own subject, not B's, and A's
	// holder hears A's commands, not B's. Each probe goes after the
	// forbidden message on the same link, so the forbidden one would have
	// arrived first.
	heard, err := h.srv.Conn().SubscribeSync("yiting.>")
	if err != nil {
		t.Fatal(err)
	}
	bCmds, _ := asA.SubscribeSync("yiting.site-b.commands.>")
	aCmds, _ := asA.SubscribeSync("yiting.site-a.commands.>")
	all, _ := asA.SubscribeSync(">")
	asA.Flush()
	h.srv.Conn().Flush()
	for probe := 0; ; probe++ {
		asA.Publish("yiting.site-b.events", []byte("forged"))
		asA.Publish("yiting.site-b.commands.x", []byte("forged"))
		asA.Publish("yiting.site-a.probe", []byte(strconv.Itoa(probe)))
		h.srv.Conn().Publish("yiting.site-b.commands.assign", []byte("for B"))
		h.srv.Conn().Publish("yiting.site-a.commands.assign", []byte("for A"))
		// What the hub hears besides: its own commands, and the sites'
		// deliveries to the county stream (a delivery is heard under the
		// subject its site sent, with an ack reply; A's own stream takes
		// "forged" too, and the county stores it as A's).
		var m *nats.Msg
		for m, err = heard.NextMsg(100 * time.Millisecond); err == nil; m, err = heard.NextMsg(100 * time.Millisecond) {
			if string(m.Data) == "forged" && !strings.HasPrefix(m.Reply, "$JS.ACK.") {
				t.Fatalf("the hub heard %s from site A's link", m.Subject)
			}
			if m.Subject == "yiting.site-a.probe" {
				break
			}
		}
		if err == nil {
			break
		}
		if probe > 100 {
			t.Fatal("the hub never heard site A's own subject")
		}
	}
	// A's interest in its commands reaches the hub over the leaf link in
	// its own time, and core NATS drops a message nobody has asked for
	// yet: the hub sends until A hears one (B's before A's each time).
	for try := 0; ; try++ {
		if _, err := aCmds.NextMsg(100 * time.Millisecond); err == nil {
			break
		}
		if try > 100 {
			t.Fatal("site A never received its own commands")
		}
		h.srv.Conn().Publish("yiting.site-b.commands.assign", []byte("for B"))
		h.srv.Conn().Publish("yiting.site-a.commands.assign", []byte("for A"))
	}
	for m, err := bCmds.NextMsg(100 * time.Millisecond); err == nil; m, err = bCmds.NextMsg(100 * time.Millisecond) {
		if string(m.Data) == "for B" { // not A's own "forged", which its own server loops back
			t.Fatalf("site A received site B's command %s", m.Subject)
		}
	}
	for {
		m, err := all.NextMsg(100 * time.Millisecond)
		if err != nil {
			break
		}
		if strings.HasPrefix(m.Subject, "yiting.site-b.") && string(m.Data) == "for B" {
			t.Fatalf("site A received %s", m.Subject)
		}
	}

	// The hub's own JetStream API is out of A's reach.
	// (Its own server answers "$JS.API.>" itself.)
	if m, err := asA.Request("$JS.county.API.STREAM.DELETE."+county.CountyStream, nil, time.Second); err == nil {
		t.Fatalf("the hub's JetStream answered site A: %s", m.Data)
	}
	for _, m := range h.messages() {
		if m.subject != county.Subject("site-a") && (m.subject != county.Subject("site-b") || m.event.Type == "fake") {
			t.Fatalf("after A's attempts the county stream holds %+v", m)
		}
	}

	// Site A is removed: its links are closed and it cannot come back.
	h.sites = h.sites[1:]
	if err := h.srv.SetSites(ctx, h.sites); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(10 * time.Second)
	for rogueA.NumLeafNodes()+rogueB.NumLeafNodes() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("a removed site's links stay up")
		}
		time.Sleep(20 * time.Millisecond)
	}
	waitLink(t, b.srv) // closed too, and back; the rogues try every 100 ms meanwhile
	if n := rogueA.NumLeafNodes() + rogueB.NumLeafNodes(); n > 0 {
		t.Fatalf("after removing site A: %d of its links are up", n)
	}
	if links, _ := h.srv.Links(ctx); len(links) != 1 || links[0].Site != "site-b" {
		t.Fatalf("links after removing A: %+v", links)
	}
}

// TestSiteCredentials: a site links only with its own credentials file
// and to the hub whose certificate it pins.
func TestSiteCredentials(t *testing.T) {
	h := newHub(t)
	creds := h.register("site-a")
	h.start()
	defer h.srv.Close()
	start := func(id, creds string) error {
		s, err := county.StartSiteServer(county.SiteServerOptions{Site: id, StoreDir: t.TempDir(), Hub: h.url(), Credentials: creds, Logger: quiet})
		if err == nil {
			s.Close()
		}
		return err
	}
	if err := start("site-b", creds); err == nil || !strings.Contains(err.Error(), `site "site-a"'s`) {
		t.Errorf("another site's file: %v", err)
	}
	if err := start("site-a", ""); err == nil || !strings.Contains(err.Error(), "credentials") {
		t.Errorf("no file: %v", err)
	}
	for name, body := range map[string]string{
		"garbage":  "not toml ===",
		"bad seed": "site = \"site-a\"\nseed = \"SUxyz\"\nhub_pin = \"" + h.pin() + "\"\n",
		"bad pin":  "site = \"site-a\"\nseed = \"" + seedOf(t, creds) + "\"\nhub_pin = \"abc\"\n",
	} {
		path := filepath.Join(t.TempDir(), "bad.creds")
		os.WriteFile(path, []byte(body), 0o600)
		if _, err := county.ReadCredentials(path); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}

	// The pinned hub is the only one: a site whose file pins another
	// certificate never links.
	c, err := county.ReadCredentials(creds)
	if err != nil {
		t.Fatal(err)
	}
	c.HubPin = strings.Repeat("ab", 32)
	other := filepath.Join(t.TempDir(), "other.creds")
	os.WriteFile(other, c.Marshal("x"), 0o600)
	s, err := county.StartSiteServer(county.SiteServerOptions{Site: "site-a", StoreDir: t.TempDir(), Hub: h.url(), Credentials: other, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	good, err := county.StartSiteServer(county.SiteServerOptions{Site: "site-a", StoreDir: t.TempDir(), Hub: h.url(), Credentials: creds, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	waitLink(t, good)
	good.Close()
	time.Sleep(500 * time.Millisecond)
	if s.LinkUp() {
		t.Fatal("a site linked to a hub whose certificate it does not pin")
	}
}

func seedOf(tb testing.TB, path string) string {
	c, err := county.ReadCredentials(path)
	if err != nil {
		tb.Fatal(err)
	}
	return c.Seed
}
