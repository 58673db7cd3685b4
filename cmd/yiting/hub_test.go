package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"yiting/queue"
	"yiting/queue/access"
	"yiting/queue/county"
	"yiting/queue/county/countyview"
	"yiting/tlspin"
)

// TestCountyNetwork (issue 14, "Done when", the transport): a hub and
// three sites as separate processes on loopback, each site a hall server
// with its own data and hall file. The sites issue tickets through their
// APIs while the links are cut — the hub stopped, a site stopped, a leaf
// port blocked — and restored; then every event of each site's log is in
// the hub's county stream once and in order, and a server holding site
// A's credentials put nothing there as site B.
func TestCountyNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("minutes of waiting for the hub's source retries")
	}
	// Minutes: the hub's retries of its sources and deliveries back off.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	hubDir := t.TempDir()
	leaf := freeAddr(t)
	ids := []string{"421224101", "421224102", "421224103"}
	creds, bossOneTime, startHub := countyHub(t, ctx, hubDir, leaf, ids...)
	if err := dispatch(ctx, []string{"-role", "hub", "-data", hubDir, "-add-site", ids[0], "-site-name", "x"}, io.Discard, io.Discard); err == nil {
		t.Fatal("a site added twice")
	}
	hub := startHub()
	proxy, err := newLinkProxy(leaf) // the third site's line
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.close)

	type siteProc struct {
		id, data, hall string
		proc           *process
		c              *client
		n              int
	}
	env := []string{"YITING_ADMIN_PASSWORD=county-net-pw"}
	sites := make([]*siteProc, len(ids))
	for i, id := range ids {
		hubURL := "tls://" + leaf
		if i == 2 {
			hubURL = "tls://" + proxy.addr()
		}
		sites[i] = &siteProc{id: id, data: t.TempDir(), hall: siteHallFile(t, id, hubURL, creds[id])}
	}
	start := func(s *siteProc) {
		s.proc = startServer(t, env, "-config", s.hall, "-data", s.data, "-role", "server", "-addr", "127.0.0.1:0")
		var err error
		if s.c, err = login(ctx, s.proc.url, "admin", "county-net-pw"); err != nil {
			t.Fatal(err)
		}
	}
	issue := func(s *siteProc, n int) {
		for i := 0; i < n; i++ {
			s.n++
			if _, err := s.c.do(ctx, "POST", "/api/v1/tickets", s.id+"-"+strconv.Itoa(s.n), map[string]any{"service": "consult"}, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, s := range sites {
		start(s)
		issue(s, 3)
	}

	// Site A's key in a server of its holder's making, in site B's
	// domain with a stream of B's subject, linked all along.
	rogueBy(t, creds[ids[0]], "tls://"+leaf, ids[1])

	// The hub stops while every site writes.
	hub.stop(t)
	for _, s := range sites {
		issue(s, 2)
	}
	hub = startHub()
	// A site stops, the others write; it comes back and writes.
	sites[1].proc.stop(t)
	issue(sites[0], 2)
	issue(sites[2], 2)
	start(sites[1])
	issue(sites[1], 2)
	// The third site's line is blocked while it writes.
	proxy.block(true)
	issue(sites[2], 4)
	time.Sleep(2 * time.Second)
	proxy.block(false)
	issue(sites[2], 1)

	// Every site's log reaches the hub: its /metrics shows each site's
	// last event equal to the site's own.
	// settled is a site's last event once all are in its stream.
	settled := func(s *siteProc) uint64 {
		for deadline := time.Now().Add(30 * time.Second); ; {
			published, lag := countyMetrics(t, ctx, s.c)
			if lag == 0 {
				return published
			}
			if time.Now().After(deadline) {
				t.Fatalf("site %s: lag %d", s.id, lag)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	want := map[string]uint64{}
	for _, s := range sites {
		want[s.id] = settled(s)
	}
	for deadline := time.Now().Add(4 * time.Minute); ; {
		got := hubLastEvents(t, hub.url)
		done := true
		for id, n := range want {
			done = done && got[id] == n
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub's last events %v, the sites' %v", got, want)
		}
		time.Sleep(500 * time.Millisecond)
	}
	// The hub's read model equals each site's own: every event applied
	// once, none missing, the day's tickets as the site issued them (all
	// still waiting: nobody called).
	cookie := hubLogin(t, hub.url, "admin", "county-hub-pw")
	for deadline := time.Now().Add(time.Minute); ; {
		model := hubModelSites(t, hub.url, cookie)
		done := true
		for _, s := range sites {
			m := model[s.id]
			if m.Last != want[s.id] {
				done = false
				continue
			}
			if m.Received != want[s.id] || m.Missing != 0 || m.Tickets.Issued != s.n || m.Tickets.Waiting != s.n {
				t.Fatalf("site %s at the hub: %+v; the site wrote %d events, issued %d tickets", s.id, m, want[s.id], s.n)
			}
		}
		if done {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub's read model %+v, the sites' last events %v", model, want)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Assignments go down. A supervisor at the first site registers a
	// letter; once the county has the case, the site goes off line, the
	// county supervises it and assigns it to a unit, and the site applies
	// both once when it comes back: its case shows one step by each
	// command, and the county's copy of the case shows them too.
	bossCookie := hubFirstLogin(t, hub.url, "county-boss", bossOneTime, "county-boss-own-1")
	siteBoss := siteSupervisor(t, ctx, sites[0].c, sites[0].proc.url)
	var reg struct {
		Case struct{ Code string } `json:"case"`
	}
	if _, err := siteBoss.do(ctx, "POST", "/api/v1/cases", "letter-1", map[string]any{"service": "petition", "channel": "letter",
		"persons": []any{synthCard(7)}, "summary": "反映村道损坏"}, &reg); err != nil {
		t.Fatal(err)
	}
	code := reg.Case.Code
	if !strings.HasPrefix(code, sites[0].id+"-") || len(code) != 25 {
		t.Errorf("the township's case code %s does not carry its region %s", code, sites[0].id)
	}
	casePath := "/api/v1/county/cases/" + sites[0].id + "/" + code
	waitHubCase(t, hub.url, bossCookie, casePath, nil)
	sites[0].proc.stop(t)
	var cmdIDs []string
	for _, cmd := range []map[string]any{
		{"kind": "supervise", "level": "yellow", "text": "请三日内报告办理进展"},
		{"kind": "assign", "unit": "信访局", "text": "请信访局依法办理并答复"},
	} {
		var sent struct {
			Command struct{ ID string } `json:"command"`
		}
		if st := hubPost(t, hub.url, bossCookie, casePath+"/commands", cmd, &sent); st != http.StatusAccepted {
			t.Fatalf("command %v: %d", cmd, st)
		}
		cmdIDs = append(cmdIDs, sent.Command.ID)
	}
	time.Sleep(time.Second)
	start(sites[0])
	siteBoss = siteSupervisor(t, ctx, sites[0].c, sites[0].proc.url)
	waitHubCase(t, hub.url, bossCookie, casePath, cmdIDs)
	var sc struct {
		Case struct {
			History []struct{ Actor, Kind string } `json:"history"`
		} `json:"case"`
	}
	if _, err := siteBoss.do(ctx, "GET", "/api/v1/cases/"+code, "", nil, &sc); err != nil {
		t.Fatal(err)
	}
	for _, id := range cmdIDs {
		n := 0
		for _, st := range sc.Case.History {
			if st.Actor == "county:"+id {
				n++
			}
		}
		if n != 1 {
			t.Errorf("command %s: %d steps at the site, want 1: %+v", id, n, sc.Case.History)
		}
	}

	// The public inquiry page at the county: a letter the site closed
	// early, found by the token of its QR; the visitor's rating there
	// reaches the site's case once.
	var letter struct {
		Case struct{ Code string } `json:"case"`
		URL  string                `json:"url"`
	}
	if _, err := siteBoss.do(ctx, "POST", "/api/v1/cases", "letter-2", map[string]any{"service": "petition", "channel": "letter",
		"persons": []any{synthCard(8)}, "summary": "咨询"}, &letter); err != nil {
		t.Fatal(err)
	}
	if _, err := siteBoss.do(ctx, "POST", "/api/v1/cases/"+letter.Case.Code+"/close", "", map[string]any{"outcome": "not_accepted",
		"note": "不属于受理范围，已告知途径"}, nil); err != nil {
		t.Fatal(err)
	}
	token := letter.URL[strings.LastIndex(letter.URL, "/")+1:]
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for deadline := time.Now().Add(time.Minute); ; {
		resp, err := http.Get(hub.url + "/c/" + token)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK && strings.Contains(string(body), `id="rate"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the county's public page: %s %.300s", resp.Status, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	resp, err := noRedirect.PostForm(hub.url+"/c/"+token+"/rate", url.Values{"satisfied": {"1"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for deadline := time.Now().Add(2 * time.Minute); ; {
		var v struct {
			Case struct {
				Satisfaction *struct{ Satisfied bool } `json:"satisfaction"`
			} `json:"case"`
		}
		if _, err := siteBoss.do(ctx, "GET", "/api/v1/cases/"+letter.Case.Code, "", nil, &v); err != nil {
			t.Fatal(err)
		}
		if s := v.Case.Satisfaction; s != nil {
			if !s.Satisfied {
				t.Fatal("the rating arrived as 不满意")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the rating given at the county never reached the site")
		}
		time.Sleep(300 * time.Millisecond)
	}

	want[sites[0].id] = settled(sites[0])
	for deadline := time.Now().Add(time.Minute); hubLastEvents(t, hub.url)[sites[0].id] != want[sites[0].id]; {
		if time.Now().After(deadline) {
			t.Fatalf("the hub's last events %v, the first site's %d", hubLastEvents(t, hub.url), want[sites[0].id])
		}
		time.Sleep(200 * time.Millisecond)
	}
	hub.stop(t)
	for _, s := range sites {
		s.proc.stop(t)
	}

	// The county stream, read from the hub's store: each site's events
	// 1…N once and in order, each the event of that sequence, none fake.
	srv, err := natsserver.NewServer(&natsserver.Options{DontListen: true, JetStream: true, JetStreamDomain: county.HubDomain,
		StoreDir: filepath.Join(hubDir, "nats"), NoSigs: true, NoLog: true})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	defer srv.Shutdown()
	if !srv.ReadyForConnections(10 * time.Second) {
		t.Fatal("the hub's store did not open")
	}
	nc, err := nats.Connect("", nats.InProcessServer(srv))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	st, err := js.Stream(ctx, county.CountyStream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	next := map[string]uint64{}
	for seq := info.State.FirstSeq; seq <= info.State.LastSeq; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		var ev queue.Event
		if err := json.Unmarshal(m.Data, &ev); err != nil || ev.Type == "fake" {
			t.Fatalf("county message %d (%s): %s", seq, m.Subject, m.Data)
		}
		site := strings.TrimSuffix(strings.TrimPrefix(m.Subject, "yiting."), ".events")
		if h := m.Header.Get(county.SeqHeader); ev.Seq != next[site]+1 || h != strconv.FormatUint(ev.Seq, 10) {
			t.Fatalf("county message %d: site %s event %d (header %s) after %d", seq, site, ev.Seq, h, next[site])
		}
		next[site] = ev.Seq
	}
	for id, n := range want {
		if next[id] != n {
			t.Errorf("site %s: the county holds %d of its %d events", id, next[id], n)
		}
	}
}

var hubMetricLine = regexp.MustCompile(`(?m)^yiting_county_site_last_event\{site="([^"]+)"\} (\S+)$`)

// hubLastEvents reads each site's last event from the hub's /metrics.
func hubLastEvents(t *testing.T, base string) map[string]uint64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	out := map[string]uint64{}
	for _, m := range hubMetricLine.FindAllStringSubmatch(string(body), -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		out[m[1]] = uint64(v)
	}
	return out
}

// rogueBy runs a NATS server holding a site's credentials in another
// site's domain, with a stream of that site's subject holding a fake
// event, linked to the hub.
func rogueBy(t *testing.T, credsPath, hubURL, asSite string) {
	t.Helper()
	c, err := county.ReadCredentials(credsPath)
	if err != nil {
		t.Fatal(err)
	}
	tc, err := tlspin.Config(c.HubPin)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(hubURL)
	srv, err := natsserver.NewServer(&natsserver.Options{DontListen: true, JetStream: true, JetStreamDomain: asSite, StoreDir: t.TempDir(),
		NoSigs: true, NoLog: true, LeafNode: natsserver.LeafNodeOpts{Remotes: []*natsserver.RemoteLeafOpts{{URLs: []*url.URL{u}, Nkey: c.Seed, TLSConfig: tc}}}})
	if err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(srv.Shutdown)
	nc, err := nats.Connect("", nats.InProcessServer(srv))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, _ := jetstream.New(nc)
	ctx := context.Background()
	if _, err := js.CreateStream(ctx, jetstream.StreamConfig{Name: county.StreamName, Subjects: []string{county.Subject(asSite)}}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 3; i++ {
		data, _ := json.Marshal(queue.Event{Seq: uint64(i), Type: "fake"})
		msg := &nats.Msg{Subject: county.Subject(asSite), Data: data, Header: nats.Header{county.SeqHeader: []string{strconv.Itoa(i)}}}
		if _, err := js.PublishMsg(ctx, msg); err != nil {
			t.Fatal(err)
		}
	}
}

// hubLogin logs in at the hub's login form and returns the session
// cookie.
func hubLogin(t *testing.T, base, user, password string) *http.Cookie {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(base+"/login", url.Values{"user": {user}, "password": {password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if ck.Name == access.CookieName && resp.StatusCode == http.StatusSeeOther {
			return ck
		}
	}
	t.Fatalf("login at the hub: %s", resp.Status)
	return nil
}

// hubModelSites reads the hub's read model of every site.
func hubModelSites(t *testing.T, base string, cookie *http.Cookie) map[string]countyview.SiteSummary {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/sites", nil)
	req.AddCookie(cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Sites []countyview.SiteSummary `json:"sites"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/sites at the hub: %s %v", resp.Status, err)
	}
	out := map[string]countyview.SiteSummary{}
	for _, s := range body.Sites {
		out[s.Site] = s
	}
	return out
}

var oneTimeRe = regexp.MustCompile(`一次性密码 (\S+) `)

// oneTimePassword reads the password -add-user printed.
func oneTimePassword(t *testing.T, out string) string {
	t.Helper()
	m := oneTimeRe.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no one-time password in %q", out)
	}
	return m[1]
}

// hubFirstLogin logs in with a one-time password, sets the person's own
// and logs in with it.
func hubFirstLogin(t *testing.T, base, user, oneTime, own string) *http.Cookie {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	first := hubLogin(t, base, user, oneTime)
	req, _ := http.NewRequest(http.MethodPost, base+"/password", strings.NewReader(url.Values{"old": {oneTime}, "new": {own}, "confirm": {own}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(first)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Fatalf("setting the password at the hub: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
	return hubLogin(t, base, user, own)
}

// hubPost posts JSON to the hub as the cookie's person and decodes the
// answer; it returns the status.
func hubPost(t *testing.T, base string, cookie *http.Cookie, path string, body, out any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, base+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		_ = json.NewDecoder(resp.Body).Decode(out)
	}
	return resp.StatusCode
}

// waitHubCase waits until the hub has the case, and in its timeline a
// step by each command's actor.
func waitHubCase(t *testing.T, base string, cookie *http.Cookie, path string, commands []string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		req, _ := http.NewRequest(http.MethodGet, base+path, nil)
		req.AddCookie(cookie)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var d countyview.CaseDetail
		err = json.NewDecoder(resp.Body).Decode(&d)
		resp.Body.Close()
		done := resp.StatusCode == http.StatusOK && err == nil
		for _, id := range commands {
			found := false
			for _, st := range d.Timeline {
				found = found || st.Actor == "county:"+id
			}
			done = done && found
		}
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub's case %s: %s, timeline %+v; want steps of %v", path, resp.Status, d.Timeline, commands)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// siteSupervisor makes (once) and logs in a supervisor at a site, by its
// admin's client.
func siteSupervisor(t *testing.T, ctx context.Context, admin *client, base string) *client {
	t.Helper()
	_, _ = admin.do(ctx, "POST", "/api/v1/admin/users", "", map[string]any{"name": "boss", "role": "supervisor",
		"password": "site-boss-pw-1"}, nil) // a conflict the second time: it exists
	c, err := login(ctx, base, "boss", "site-boss-pw-1")
	if err != nil {
		t.Fatal(err)
	}
	return c
}
