package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"yiting/queue"
	"yiting/queue/access"
	"yiting/queue/boltstore"
	"yiting/queue/county"
	"yiting/queue/httpapi"
	"yiting/queue/sites"
)

// hubOptions are the flags of -role hub.
type hubOptions struct {
	leafAddr   string
	addSite    string
	siteName   string
	siteRegion string
	removeSite string
	countyName string
	addUser    string
	userRole   string
	userUnit   string
}

func (h *hubOptions) flags(fs *flag.FlagSet) {
	fs.StringVar(&h.leafAddr, "leaf-addr", "0.0.0.0:7422", "with -role hub: where the sites' NATS leaf links dial in (TLS with the hub's certificate)")
	fs.StringVar(&h.addSite, "add-site", "", "with -role hub: register a site by its id (its township's region code, e.g. 421224101), print its credentials file once and exit; the hub must be stopped")
	fs.StringVar(&h.siteName, "site-name", "", "with -add-site: the site's name, e.g. 南林桥镇综治中心")
	fs.StringVar(&h.siteRegion, "site-region", "", "with -add-site: the site's region code (6 or 9 digits), if not its id")
	fs.StringVar(&h.countyName, "county-name", "县综治中心", "with -role hub: the county centre's name on its pages, e.g. 通山县综治中心")
	fs.StringVar(&h.addUser, "add-user", "", "with -role hub: make a county staff account (login name), print its one-time password once and exit; the hub must be stopped")
	fs.StringVar(&h.userRole, "user-role", "supervisor", "with -add-user: supervisor (reads every case), staff (with -user-unit) or admin (the sites and the assessment)")
	fs.StringVar(&h.userUnit, "user-unit", "", "with -add-user -user-role staff: the unit the person belongs to")
	fs.StringVar(&h.removeSite, "remove-site", "", "with -role hub: remove a registered site (its credentials stop working) and exit; the hub must be stopped")
}

// runHub runs the county hub: its NATS server, where the registered sites
// link in and the county stream sources theirs, its read model of every
// site, and its HTTP server (the county's pages and API with their
// logins, /healthz, /metrics). Its data directory holds its own bbolt (the site
// registry), its certificate and the JetStream store. With -add-site or
// -remove-site it changes the registry and exits.
func runHub(ctx context.Context, o *options, log *slog.Logger, stdout io.Writer) error {
	store, err := boltstore.Open(o.data, log)
	if errors.Is(err, boltstore.ErrLocked) && (o.hub.addSite != "" || o.hub.removeSite != "" || o.hub.addUser != "") {
		return fmt.Errorf("%w: the hub is running on %s: stop it (systemctl stop yiting-hub), change the sites, start it again", err, o.data)
	}
	if err != nil {
		return err
	}
	defer store.Close()
	cert, pin, err := loadOrCreateCert(o.data)
	if err != nil {
		return err
	}
	switch {
	case o.hub.addSite != "":
		return addSite(ctx, store, o.hub, pin, stdout)
	case o.hub.addUser != "":
		return addHubUser(ctx, store, o.hub, log, stdout)
	case o.hub.removeSite != "":
		if err := store.RemoveSite(ctx, o.hub.removeSite); err != nil {
			return err
		}
		_, err := fmt.Fprintf(stdout, "已删除站点 %s，其凭据不再有效。\nSite %s removed: its credentials no longer work.\n", o.hub.removeSite, o.hub.removeSite)
		return err
	}
	list, err := store.Sites(ctx)
	if err != nil {
		return err
	}
	hub, err := county.StartHubServer(ctx, county.HubServerOptions{StoreDir: filepath.Join(o.data, "nats"), LeafAddr: o.hub.leafAddr,
		Certificate: cert, Sites: hubSites(list), Logger: log})
	if err != nil {
		return err
	}
	defer hub.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), linkCollector{hub: hub, log: log})
	mux := http.NewServeMux()
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	// Prometheus on the hub itself; the county's pages, with their logins.
	mux.Handle("GET /metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !httpapi.LocalRequest(r) {
			http.Error(w, "只能在本机查看监控指标 (metrics: this machine only)", http.StatusForbidden)
			return
		}
		metrics.ServeHTTP(w, r)
	}))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := store.Healthy(r.Context()); err != nil {
			http.Error(w, "unhealthy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, "ok %s\n", version)
	})
	stopView, err := startCountyView(ctx, o, store, hub, list, mux, log, stdout)
	if err != nil {
		return err
	}
	defer stopView()
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.addr, err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	log.Info("the county hub is serving", "url", "http://"+ln.Addr().String(), "leaf", hub.LeafAddr().String(), "sites", len(list), "tls_pin", pin)
	fmt.Fprintf(stdout, "hub: sites link to tls://%s, certificate pin %s, %d sites\n", hub.LeafAddr(), pin, len(list))
	fmt.Fprintf(stdout, "yiting: serving http://%s\n", ln.Addr())
	return serveUntil(ctx, srv, ln, log)
}

// addSite registers a site and prints its credentials file, the only
// time its secret is shown: the hub keeps its public key.
func addSite(ctx context.Context, store sites.Store, h hubOptions, pin string, stdout io.Writer) error {
	s := sites.Site{ID: h.addSite, Name: h.siteName, RegionCode: h.siteRegion, Created: time.Now()}
	if s.RegionCode == "" && len(s.ID) == 9 {
		s.RegionCode = s.ID
	}
	if err := s.Check(); err != nil {
		return err
	}
	creds, pub, err := county.NewCredentials(s.ID, pin)
	if err != nil {
		return err
	}
	s.PublicKey = pub
	if err := store.AddSite(ctx, s); errors.Is(err, queue.ErrConflict) {
		return fmt.Errorf("站点 %s 已存在：先 -remove-site 再重新添加 (site %s exists: remove it first to make new credentials)", s.ID, s.ID)
	} else if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "站点 %s（%s）已添加。下面是它的凭据文件，只显示这一次：保存为站点上的 /etc/yiting/county.creds（权限 600）。\n"+
		"Site %s added. Its credentials file follows, shown this once: save it on the site as /etc/yiting/county.creds (mode 600).\n", s.ID, s.Name, s.ID)
	_, err = stdout.Write(creds.Marshal(s.Name))
	return err
}

// addHubUser makes a county staff account with a one-time password, the
// only time it is shown.
func addHubUser(ctx context.Context, store *boltstore.Store, h hubOptions, log *slog.Logger, stdout io.Writer) error {
	acc, err := access.New(ctx, store, access.Options{Logger: log})
	if err != nil {
		return err
	}
	nu := access.NewUser{Name: h.addUser, Role: queue.Role(h.userRole)}
	if h.userUnit != "" {
		nu.Units = []string{h.userUnit}
	}
	pw, info, err := acc.CreateUserOneTime(ctx, queue.Principal{ID: "hub-cli", Role: queue.RoleAdmin}, nu)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "账号 %s（%s）已开设，一次性密码 %s ：首次登录后须设置自己的密码。\n"+
		"Account %s (%s) made; its one-time password is %s — the first login must set the person's own.\n",
		info.Name, info.Role, pw, info.Name, info.Role, pw)
	return err
}

func hubSites(list []sites.Site) []county.HubSite {
	out := make([]county.HubSite, len(list))
	for i, s := range list {
		out[i] = county.HubSite{ID: s.ID, PublicKey: s.PublicKey}
	}
	return out
}

// linkCollector serves each site's link on /metrics.
type linkCollector struct {
	hub *county.HubServer
	log *slog.Logger
}

var (
	linkUpDesc    = prometheus.NewDesc("yiting_county_site_link_up", "1 when the hub heard from the site's stream in the last 10 s.", []string{"site"}, nil)
	lastEventDesc = prometheus.NewDesc("yiting_county_site_last_event", "The site's last event in the county stream (its sequence in the site's log).", []string{"site"}, nil)
	siteLagDesc   = prometheus.NewDesc("yiting_county_site_lag_messages", "Messages of the site's stream beyond the county's, when the hub last heard from it.", []string{"site"}, nil)
	seenDesc      = prometheus.NewDesc("yiting_county_site_seen_seconds", "Seconds since the hub last heard from the site; -1: not since the hub started.", []string{"site"}, nil)
)

func (c linkCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{linkUpDesc, lastEventDesc, siteLagDesc, seenDesc} {
		ch <- d
	}
}

func (c linkCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	links, err := c.hub.Links(ctx)
	if err != nil {
		c.log.Warn("county links", "err", err)
		return
	}
	for _, l := range links {
		up, seen := 0.0, -1.0
		if l.Up {
			up = 1
		}
		if l.Seen >= 0 {
			seen = l.Seen.Seconds()
		}
		ch <- prometheus.MustNewConstMetric(linkUpDesc, prometheus.GaugeValue, up, l.Site)
		ch <- prometheus.MustNewConstMetric(lastEventDesc, prometheus.GaugeValue, float64(l.LastEvent), l.Site)
		ch <- prometheus.MustNewConstMetric(siteLagDesc, prometheus.GaugeValue, float64(l.Lag), l.Site)
		ch <- prometheus.MustNewConstMetric(seenDesc, prometheus.GaugeValue, seen, l.Site)
	}
}
