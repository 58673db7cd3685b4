package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"yiting/queue"
	"yiting/queue/access"
	"yiting/queue/boltstore"
	"yiting/queue/county"
	"yiting/queue/sites"
)

// runCountyLoad is `yiting county-load`: issue 14's "Done when" figures
// for the county network. It registers the sites in a fresh hub's
// registry, starts `yiting -role hub` as its own process (its memory read
// from /proc) and, in this process, one real NATS server a site — JetStream
// in the site's own domain, its own credentials, a TLS leaf link dialled
// out to the hub — with the real publisher copying a site's event log into
// its stream. What the county sees is the hub's read model, read from the
// hub's /metrics (yiting_county_site_view_event). It measures (a) a week's
// backlog of one busy township caught up after its line returns, (b) a
// live event's time from its commit at a site to the hub's read model
// while every site works at a busy hall's rate, and (c) the hub's
// resident memory with every site linked, after busy days' worth of
// events.
func runCountyLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("yiting county-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	nSites := fs.Int("sites", 20, "sites linked to the hub")
	backlog := fs.Int("backlog", 50000, "events of one township piled up while its line is down (a busy week: 5 working days of -day-events)")
	rate := fs.Float64("rate", 1, "events a second at each site while live: a busy township's market-day peak (see the README)")
	live := fs.Duration("live", time.Minute, "how long every site works live")
	days := fs.Int("days", 5, "busy days of every site's events to fill the hub with, measuring its memory after each (0 skips)")
	dayEvents := fs.Int("day-events", 10000, "events of a busy township's working day")
	settle := fs.Duration("settle", 150*time.Second, "after the busy days, the hub's memory again after this long idle (Go collects at least every 2 min; JetStream's caches expire)")
	poll := fs.Duration("poll", 20*time.Millisecond, "how often the hub's /metrics is read: the latency's resolution")
	procs := fs.Int("procs", 0, "the hub's GOMAXPROCS (0: as many as the machine has)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *nSites < 1 || *backlog < 1 || *rate <= 0 || *dayEvents < 1 {
		return errors.New("county-load: -sites, -backlog, -rate and -day-events must be positive")
	}
	fmt.Fprintf(stdout, "yiting county-load — %s, load average %s\n", time.Now().Format(time.RFC3339), loadAverage())
	dir, err := os.MkdirTemp("", "yiting-county-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))

	// The sites registered in the hub's registry, the hub stopped, as
	// -add-site does.
	hubDir := filepath.Join(dir, "hub")
	ids := make([]string, *nSites)
	for i := range ids {
		ids[i] = fmt.Sprintf("4212241%02d", i+1)
	}
	creds, err := registerLoadSites(ctx, hubDir, ids, quiet)
	if err != nil {
		return err
	}
	leaf, err := freeLoopback()
	if err != nil {
		return err
	}
	adminPassword := randomHex(12)
	hub, err := startProcess(ctx, "", adminPassword, *procs, "-role", "hub", "-data", hubDir, "-addr", "127.0.0.1:0", "-leaf-addr", leaf, "-log-level", "error")
	if err != nil {
		return err
	}
	defer hub.stop()
	fmt.Fprintf(stdout, "hub: %s (pid %d, its own process, fsync on), %d sites, each a NATS server with JetStream in its own domain and its own credentials in this process\n",
		hub.url, hub.cmd.Process.Pid, *nSites)
	// The first site's line goes through a proxy that cuts it.
	line, err := newLinkProxy(leaf)
	if err != nil {
		return err
	}
	defer line.close()
	line.block(true)

	w := &countyWatch{url: hub.url + "/metrics", hub: hub, views: map[string]uint64{}}
	sitesByID := map[string]*loadSite{}
	var all []*loadSite
	for i, id := range ids {
		hubURL := "tls://" + leaf
		if i == 0 {
			hubURL = "tls://" + line.addr()
		}
		s, err := startLoadSite(ctx, id, filepath.Join(dir, "sites", id), hubURL, creds[id], quiet)
		if err != nil {
			return err
		}
		defer s.close()
		all = append(all, s)
		sitesByID[id] = s
	}
	wctx, stopWatch := context.WithCancel(ctx)
	watchDone := make(chan struct{})
	go func() { defer close(watchDone); w.run(wctx, *poll, sitesByID) }()
	defer func() { stopWatch(); <-watchDone }()
	rep := &loadReport{w: stdout}

	// Every site but the first linked: the hub's memory before any event.
	if err := waitLinks(ctx, all[1:], time.Minute); err != nil {
		return err
	}
	if err := rssRow(rep, hub, fmt.Sprintf("hub resident memory, %d sites linked, no events yet", *nSites-1)); err != nil {
		return err
	}

	// (a) The backlog: the first site writes a week while cut off, then
	// its line returns.
	first := all[0]
	start := time.Now()
	first.log.commit(*backlog)
	if err := first.waitPublished(ctx, uint64(*backlog), 5*time.Minute); err != nil {
		return err
	}
	rep.row(fmt.Sprintf("site: %d events copied into its own stream (cut off)", *backlog), rateOf(*backlog, time.Since(start)), "—", true)
	back := time.Now()
	line.block(false)
	firstSeen, err := w.wait(ctx, first.id, 1, 10*time.Minute)
	if err != nil {
		return err
	}
	done, err := w.wait(ctx, first.id, uint64(*backlog), 10*time.Minute)
	if err != nil {
		return err
	}
	rep.row(fmt.Sprintf("a week's backlog (%d events) from the site's stream to the hub's read model, from the line's return", *backlog),
		fmt.Sprintf("%s (%.1f s; first event after %.1f s)", rateOf(*backlog, done.Sub(back)), done.Sub(back).Seconds(), firstSeen.Sub(back).Seconds()),
		"—", true)
	rep.row("the same, from the first event in", rateOf(*backlog-1, done.Sub(firstSeen)), "—", true)

	// (b) Live: every site commits at the rate, each event timed from
	// its commit to the read model.
	for _, s := range all {
		s.log.timing.Store(true)
	}
	lctx, stopLive := context.WithTimeout(ctx, *live)
	var wg sync.WaitGroup
	for _, s := range all {
		wg.Add(1)
		go func() { defer wg.Done(); s.work(lctx, *rate) }()
	}
	wg.Wait()
	stopLive()
	if err := w.caughtUp(ctx, all, 2*time.Minute); err != nil {
		return err
	}
	lat := w.latencies()
	for _, s := range all {
		s.log.timing.Store(false)
	}
	rep.row(fmt.Sprintf("live: an event from its commit at a site to the hub's read model, %d sites at %g events/s each (%d events, %v)", *nSites, *rate, len(lat), *live),
		lat.String(), "—", len(lat) > 0)
	if err := rssRow(rep, hub, fmt.Sprintf("hub resident memory, %d sites linked, after the backlog and the live minute", *nSites)); err != nil {
		return err
	}

	// (c) Busy days: every site writes a day's events as fast as its
	// publisher copies them; the hub's memory after each day.
	for d := 1; d <= *days; d++ {
		start := time.Now()
		for _, s := range all {
			s.log.commit(*dayEvents)
		}
		if err := w.caughtUp(ctx, all, 30*time.Minute); err != nil {
			return err
		}
		n := *nSites * *dayEvents
		took := time.Since(start)
		time.Sleep(5 * time.Second) // the hub's collector after the rush
		mem, err := hubMemory(hub)
		if err != nil {
			return err
		}
		rep.row(fmt.Sprintf("busy day %d: %d sites × %d events into the read model; county.db, JetStream store", d, *nSites, *dayEvents),
			fmt.Sprintf("%s; %.0f MB, %.0f MB", rateOf(n, took),
				float64(fileSize(filepath.Join(hubDir, "county.db")))/1e6, float64(dirSize(filepath.Join(hubDir, "nats")))/1e6), "—", true)
		var held uint64
		for _, s := range all {
			held += s.log.Last()
		}
		rep.row(fmt.Sprintf("hub resident memory after busy day %d (%d events held), 5 s after", d, held), mem, "—", true)
	}
	if *days > 0 && *settle > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(*settle):
		}
		if err := rssRow(rep, hub, fmt.Sprintf("hub resident memory after the busy days and %v idle", *settle)); err != nil {
			return err
		}
	}
	if *nSites > 1 {
		if err := removalCost(ctx, rep, w, hub.url, adminPassword, all); err != nil {
			return err
		}
	}
	peak, err := hub.memory("VmHWM")
	if err != nil {
		return err
	}
	rep.row("hub resident memory, peak over the run (all / anonymous)", fmt.Sprintf("%.0f MB / %.0f MB", float64(peak)/1e6, float64(w.peakAnon.Load())/1e6), "—", true)
	fmt.Fprintf(stdout, "load average at the end %s\n", loadAverage())
	return rep.finish()
}

// removalCost removes the first site on the running hub as its admin
// would (DELETE /api/v1/sites/<site>) and measures what it costs: how
// soon the removed site's link is closed, and how soon every other
// site's next event reaches the read model again (the hub closes every
// link on a removal).
func removalCost(ctx context.Context, rep *loadReport, w *countyWatch, base, adminPassword string, all []*loadSite) error {
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.PostForm(base+"/login", url.Values{"user": {"admin"}, "password": {adminPassword}})
	if err != nil {
		return err
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == access.CookieName {
			session = c
		}
	}
	if session == nil {
		return fmt.Errorf("county-load: the hub's login: %s", resp.Status)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodDelete, base+"/api/v1/sites/"+all[0].id, nil)
	req.AddCookie(session)
	start := time.Now()
	if resp, err = http.DefaultClient.Do(req); err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("county-load: removing site %s: %s", all[0].id, resp.Status)
	}
	for all[0].srv.LinkUp() {
		if time.Since(start) > time.Minute {
			return fmt.Errorf("county-load: the removed site %s is still linked", all[0].id)
		}
		time.Sleep(time.Millisecond)
	}
	closed := time.Since(start)
	rest := all[1:]
	start = time.Now()
	for _, s := range rest {
		s.log.commit(1)
	}
	if err := w.caughtUp(ctx, rest, 5*time.Minute); err != nil {
		return err
	}
	rep.row(fmt.Sprintf("a site removed on the running hub: its link closed after; the other %d sites' next event in the read model after", len(rest)),
		fmt.Sprintf("%.0f ms; %.1f s", float64(closed)/1e6, time.Since(start).Seconds()), "—", true)
	return nil
}

// registerLoadSites registers the sites in the hub's registry at dir and
// writes each one's credentials file beside it.
func registerLoadSites(ctx context.Context, dir string, ids []string, log *slog.Logger) (map[string]string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	store, err := boltstore.Open(dir, log)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	_, pin, err := loadOrCreateCert(dir)
	if err != nil {
		return nil, err
	}
	reg, err := county.NewRegistry(county.RegistryOptions{Store: store, Pin: pin, Logger: log})
	if err != nil {
		return nil, err
	}
	paths := map[string]string{}
	for i, id := range ids {
		c, err := reg.Add(ctx, cliActor, sites.Site{ID: id, Name: fmt.Sprintf("第%d乡镇综治中心", i+1)})
		if err != nil {
			return nil, err
		}
		paths[id] = filepath.Join(dir, id+".creds")
		if err := os.WriteFile(paths[id], c.Marshal(id), 0o600); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// loadSite is a site of the load: its NATS server linked to the hub and
// the publisher copying its synthetic log into its stream.
type loadSite struct {
	id   string
	srv  *county.SiteServer
	pub  *county.Publisher
	log  *loadLog
	stop context.CancelFunc
	done chan struct{}
}

func startLoadSite(ctx context.Context, id, dir, hubURL, creds string, log *slog.Logger) (*loadSite, error) {
	srv, err := county.StartSiteServer(county.SiteServerOptions{Site: id, StoreDir: dir, Hub: hubURL, Credentials: creds, Logger: log})
	if err != nil {
		return nil, err
	}
	s := &loadSite{id: id, srv: srv, log: newLoadLog(id), done: make(chan struct{})}
	s.pub, err = county.NewPublisher(ctx, county.PublisherOptions{Site: id, Conn: srv.Conn(), Events: s.log, Logger: log, Retry: 100 * time.Millisecond})
	if err != nil {
		srv.Close()
		return nil, err
	}
	pctx, stop := context.WithCancel(ctx)
	s.stop = stop
	go func() { defer close(s.done); s.pub.Run(pctx) }()
	return s, nil
}

func (s *loadSite) close() {
	s.stop()
	<-s.done
	s.srv.Close()
}

// work commits events at about rate a second, at random (exponential)
// intervals, as visitors and clerks would, until ctx ends.
func (s *loadSite) work(ctx context.Context, rate float64) {
	for {
		t := time.NewTimer(time.Duration(rand.ExpFloat64() / rate * float64(time.Second)))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
			s.log.commit(1)
		}
	}
}

func (s *loadSite) waitPublished(ctx context.Context, n uint64, within time.Duration) error {
	deadline := time.Now().Add(within)
	for s.pub.Published() < n {
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("county-load: site %s copied %d of %d events into its stream", s.id, s.pub.Published(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

func waitLinks(ctx context.Context, list []*loadSite, within time.Duration) error {
	deadline := time.Now().Add(within)
	for _, s := range list {
		for !s.srv.LinkUp() {
			if time.Now().After(deadline) || ctx.Err() != nil {
				return fmt.Errorf("county-load: site %s did not link to the hub", s.id)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	return nil
}

// loadLog is a site's event log for the load (county.Events): events are
// committed by count and made when the publisher reads them, so a million
// cost no memory here but their commit times. Their mix is a hall's: a
// visitor's ticket issued, called, started and completed, and the case
// registered with it, received at the window, routed to a unit, then
// closed (half) or handled — eight events of the shapes the hall writes,
// tickets with a masked name and a keyed hash, case events with their
// facts: 530 bytes of JSON on average (a real hall's day: 466, with its
// smaller counter and day events). The
// data is invented.
type loadLog struct {
	site   string
	timing atomic.Bool // keep commit times for the latency

	mu      sync.Mutex
	last    uint64
	changed chan struct{}
	times   map[uint64]time.Time // commit times of timed events
	at      time.Time            // the latest commit
}

func newLoadLog(site string) *loadLog {
	return &loadLog{site: site, changed: make(chan struct{}), times: map[uint64]time.Time{}}
}

// commit appends n events.
func (l *loadLog) commit(n int) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	for range n {
		l.last++
		if l.timing.Load() {
			l.times[l.last] = now
		}
	}
	l.at = now
	close(l.changed)
	l.changed = make(chan struct{})
}

// Last is the last event committed.
func (l *loadLog) Last() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last
}

// committed returns and forgets the commit time of a timed event.
func (l *loadLog) committed(seq uint64) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t, ok := l.times[seq]
	delete(l.times, seq)
	return t, ok
}

// Wait implements county.Events.
func (l *loadLog) Wait(ctx context.Context, after uint64, limit int) ([]queue.Event, error) {
	for {
		l.mu.Lock()
		last, changed, at := l.last, l.changed, l.at
		l.mu.Unlock()
		if last > after {
			n := min(last-after, uint64(limit))
			evs := make([]queue.Event, n)
			for i := range evs {
				evs[i] = loadEvent(l.site, after+uint64(i)+1, at)
			}
			return evs, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-changed:
		}
	}
}

// loadEvent is event seq of a site: the (seq-1)/8-th visitor's step.
func loadEvent(site string, seq uint64, at time.Time) queue.Event {
	k, step := (seq-1)/8, (seq-1)%8
	day := at.In(shanghai).Format(time.DateOnly)
	ymd := strings.ReplaceAll(day, "-", "")
	t := &queue.Ticket{ID: k + 1, Seq: int(k%500) + 1, Number: queue.FormatNumber("A", int(k%500)+1), Day: day, ServiceID: "petition",
		Kiosk: "kiosk:1", IssuedAt: at, ArrivedAt: at, Status: queue.StatusWaiting, CaseCode: fmt.Sprintf("%s-%s-%04d-0", site[:6], ymd, k%10000),
		Visitor: queue.Visitor{Key: fmt.Sprintf("%064x", k*2654435761), MaskedName: "张*"}}
	facts := &queue.CaseFacts{TypeName: "信访", Channel: "in_person", Day: day, AcceptDue: day, Persons: 1, Visits: 1, VisitPersons: 1,
		TokenHash: fmt.Sprintf("%064x", k*40503+7)}
	cs := func(kind, status string) *queue.CaseStep {
		return &queue.CaseStep{Code: t.CaseCode, Type: "petition", Service: "petition", Step: kind, Status: status, Ticket: t.ID, Persons: 1, Facts: facts}
	}
	ev := queue.Event{Seq: seq, Time: at, Actor: "c1"}
	switch step {
	case 0:
		ev.Type, ev.Ticket, ev.Actor = queue.EventIssued, t, "kiosk:1"
	case 1:
		ev.Type, ev.Case = queue.CaseEvent("registered"), cs("registered", "registered")
	case 2, 3, 5:
		t.Status, t.CounterID, t.CalledAt, t.FirstCall = queue.StatusCalled, "c1", at, at
		ev.Type = queue.EventCalled
		if step >= 3 {
			t.Status, t.StartedAt, ev.Type = queue.StatusServing, at, queue.EventStarted
		}
		if step == 5 {
			t.Status, t.DoneAt, ev.Type = queue.StatusDone, at, queue.EventCompleted
		}
		ev.Ticket = t
	case 4:
		ev.Type, ev.Case = queue.CaseEvent("received"), cs("received", "received")
		ev.Case.Counter = "c1"
	case 6:
		facts.Accepted, facts.HandleDue, facts.Routes, facts.RouteUnit = day, day, 1, "住建局"
		ev.Type, ev.Case = queue.CaseEvent("routed"), cs("routed", "routed")
		ev.Case.Unit = "住建局"
	default:
		facts.Accepted, facts.Routes, facts.RouteUnit = day, 1, "住建局"
		if k%2 == 0 {
			facts.Handled, facts.Closed, facts.Outcome = day, day, "answered"
			ev.Type, ev.Case = queue.CaseEvent("closed"), cs("closed", "closed")
		} else {
			ev.Type, ev.Case = queue.CaseEvent("handling"), cs("handling", "handling")
		}
		ev.Case.Unit = "住建局"
	}
	return ev
}

// shanghai is the county's zone, fixed: the load tool needs no tzdata.
var shanghai = time.FixedZone("CST", 8*3600)

// countyWatch reads each site's event in the hub's read model from the
// hub's /metrics, and times each timed event from its commit to the read
// of /metrics that first shows it.
type countyWatch struct {
	url      string
	hub      *childServer
	peakAnon atomic.Int64 // the hub's anonymous memory, its peak at the polls

	mu    sync.Mutex
	views map[string]uint64
	lat   latencies
	err   error
}

var viewLine = regexp.MustCompile(`^yiting_county_site_view_event\{site="([^"]+)"\} (\S+)$`)

func (w *countyWatch) run(ctx context.Context, every time.Duration, bySite map[string]*loadSite) {
	client := &http.Client{Timeout: 10 * time.Second}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		views, err := w.read(ctx, client)
		now := time.Now()
		if w.hub != nil {
			if anon, err := w.hub.memory("RssAnon"); err == nil && anon > w.peakAnon.Load() {
				w.peakAnon.Store(anon)
			}
		}
		w.mu.Lock()
		w.err = err
		for site, v := range views {
			if s := bySite[site]; s != nil {
				for seq := w.views[site] + 1; seq <= v; seq++ {
					if at, ok := s.log.committed(seq); ok {
						w.lat = append(w.lat, now.Sub(at))
					}
				}
			}
			w.views[site] = max(w.views[site], v)
		}
		w.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (w *countyWatch) read(ctx context.Context, client *http.Client) (map[string]uint64, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, w.url, nil)
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("county-load: the hub's /metrics: %s", resp.Status)
	}
	out := map[string]uint64{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if m := viewLine.FindStringSubmatch(sc.Text()); m != nil {
			v, _ := strconv.ParseFloat(m[2], 64)
			out[m[1]] = uint64(v)
		}
	}
	return out, sc.Err()
}

// wait waits until the read model holds event n of the site and returns
// when the watch first saw it.
func (w *countyWatch) wait(ctx context.Context, site string, n uint64, within time.Duration) (time.Time, error) {
	deadline := time.Now().Add(within)
	for {
		w.mu.Lock()
		v, err := w.views[site], w.err
		w.mu.Unlock()
		if v >= n {
			return time.Now(), nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return time.Time{}, fmt.Errorf("county-load: the hub's read model holds %d of site %s's %d events (last error: %v)", v, site, n, err)
		}
		time.Sleep(time.Millisecond)
	}
}

// caughtUp waits until the read model holds every site's last event.
func (w *countyWatch) caughtUp(ctx context.Context, list []*loadSite, within time.Duration) error {
	start := time.Now()
	for _, s := range list {
		if _, err := w.wait(ctx, s.id, s.log.Last(), within-time.Since(start)); err != nil {
			return err
		}
	}
	return nil
}

func (w *countyWatch) latencies() latencies {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append(latencies(nil), w.lat...)
}

// hubMemory is the hub's resident memory now: all of it, its anonymous
// part (the Go heap and runtime), its file-backed part (bbolt's and
// JetStream's mapped files, which the kernel can drop), and the live heap
// the hub's last collection marked (its /metrics' go_gc_heap_live_bytes):
// what it holds, without the garbage.
func hubMemory(hub *childServer) (string, error) {
	var mb [3]float64
	for i, f := range []string{"VmRSS", "RssAnon", "RssFile"} {
		v, err := hub.memory(f)
		if err != nil {
			return "", err
		}
		mb[i] = float64(v) / 1e6
	}
	heap := "?"
	if v, err := scrapeGauge(hub.url+"/metrics", "go_gc_heap_live_bytes"); err == nil {
		heap = fmt.Sprintf("%.0f", v/1e6)
	}
	return fmt.Sprintf("%.0f MB (anonymous %.0f, file %.0f; live heap %s)", mb[0], mb[1], mb[2], heap), nil
}

func rssRow(rep *loadReport, hub *childServer, what string) error {
	m, err := hubMemory(hub)
	if err != nil {
		return err
	}
	rep.row(what, m, "—", true)
	return nil
}

// scrapeGauge reads one unlabelled gauge from a /metrics page.
func scrapeGauge(url, name string) (float64, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			return strconv.ParseFloat(v, 64)
		}
	}
	return 0, fmt.Errorf("county-load: no %s at %s", name, url)
}

func rateOf(n int, d time.Duration) string {
	return fmt.Sprintf("%.0f events/s", float64(n)/d.Seconds())
}

// loadAverage is the machine's, from /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func freeLoopback() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
