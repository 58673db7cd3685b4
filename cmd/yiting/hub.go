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
	"regexp"
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
	fs.StringVar(&h.addSite, "add-site", "", "with -role hub: register a site by its id (its township's region code, e.g. 421224101), print its credentials file once and exit; the hub must be stopped (a running hub's admin uses its page /county/admin)")
	fs.StringVar(&h.siteName, "site-name", "", "with -add-site: the site's name, e.g. 南林桥镇综治中心")
	fs.StringVar(&h.siteRegion, "site-region", "", "with -add-site: the site's region code (6 or 9 digits), if not its id")
	fs.StringVar(&h.countyName, "county-name", "县综治中心", "with -role hub: the county centre's name on its pages, e.g. 通山县综治中心")
	fs.StringVar(&h.addUser, "add-user", "", "with -role hub: make a county staff account (login name), print its one-time password once and exit; the hub must be stopped (a running hub's admin uses /county/admin)")
	fs.StringVar(&h.userRole, "user-role", "supervisor", "with -add-user: supervisor (reads every case), staff (with -user-unit) or admin (the sites and the assessment)")
	fs.StringVar(&h.userUnit, "user-unit", "", "with -add-user -user-role staff: the unit the person belongs to")
	fs.StringVar(&h.removeSite, "remove-site", "", "with -role hub: remove a registered site (its credentials stop working) and exit; the hub must be stopped (a running hub's admin uses /county/admin)")
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
		return fmt.Errorf("%w: the hub is running on %s: its admin adds and removes sites and accounts on its page /county/admin (or stop it: systemctl stop yiting-hub, change them here, start it again)", err, o.data)
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
		return addSite(ctx, store, o.hub, pin, log, stdout)
	case o.hub.addUser != "":
		return addHubUser(ctx, store, o.hub, log, stdout)
	case o.hub.removeSite != "":
		reg, err := county.NewRegistry(county.RegistryOptions{Store: store, Pin: pin, Logger: log})
		if err != nil {
			return err
		}
		if err := reg.Remove(ctx, cliActor, o.hub.removeSite); err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "已删除站点 %s，其凭据不再有效。\nSite %s removed: its credentials no longer work.\n", o.hub.removeSite, o.hub.removeSite)
		return err
	}
	list, err := store.Sites(ctx)
	if err != nil {
		return err
	}
	hub, err := county.StartHubServer(ctx, county.HubServerOptions{StoreDir: filepath.Join(o.data, "nats"), LeafAddr: o.hub.leafAddr,
		Certificate: cert, Sites: county.HubSites(list), Logger: log})
	if err != nil {
		return err
	}
	defer hub.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := store.Healthy(r.Context()); err != nil {
			http.Error(w, "unhealthy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintf(w, "ok %s\n", version)
	})
	view, err := startCountyView(ctx, o, store, hub, pin, list, mux, log, stdout)
	if err != nil {
		return err
	}
	defer view.stop()
	reg := prometheus.NewRegistry()
	// The live heap (go_gc_heap_live_bytes) besides the default figures:
	// the hub's heap in use is mostly garbage and JetStream's pooled
	// buffers, which say nothing of what it holds.
	live := collectors.GoRuntimeMetricsRule{Matcher: regexp.MustCompile(`^/gc/heap/live:bytes$`)}
	reg.MustRegister(collectors.NewGoCollector(collectors.WithGoCollectorRuntimeMetrics(live)), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		linkCollector{links: view.links, model: view.model, log: log})
	metrics := promhttp.HandlerFor(reg, promhttp.HandlerOpts{})
	// Prometheus on the hub itself; the county's pages, with their logins.
	mux.Handle("GET /metrics", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !httpapi.LocalRequest(r) {
			http.Error(w, "只能在本机查看监控指标 (metrics: this machine only)", http.StatusForbidden)
			return
		}
		metrics.ServeHTTP(w, r)
	}))
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

// cliActor is who changes the hub's sites and accounts from its command
// line, in the log and the registry.
var cliActor = queue.Principal{ID: "admin", Role: queue.RoleAdmin}

// addSite registers a site and prints its credentials file, the only
// time its secret is shown: the hub keeps its public key.
func addSite(ctx context.Context, store sites.Store, h hubOptions, pin string, log *slog.Logger, stdout io.Writer) error {
	reg, err := county.NewRegistry(county.RegistryOptions{Store: store, Pin: pin, Logger: log})
	if err != nil {
		return err
	}
	s := sites.Site{ID: h.addSite, Name: h.siteName, RegionCode: h.siteRegion}
	creds, err := reg.Add(ctx, cliActor, s)
	if err != nil {
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
	// The command line acts as the account admin (made here when the hub
	// never started: its password is printed as on a first start).
	if err := bootstrapAdmin(ctx, acc, stdout); err != nil {
		return err
	}
	pw, info, err := acc.CreateUserOneTime(ctx, cliActor, nu)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "账号 %s（%s）已开设，一次性密码 %s ：首次登录后须设置自己的密码。\n"+
		"Account %s (%s) made; its one-time password is %s — the first login must set the person's own.\n",
		info.Name, info.Role, pw, info.Name, info.Role, pw)
	return err
}
