package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	"github.com/gin-gonic/gin"

	hallconfig "yiting/firmware-config"
	"yiting/queue"
	"yiting/queue/access"
	"yiting/queue/boltstore"
	"yiting/queue/booking"
	"yiting/queue/cases"
	"yiting/queue/httpapi"
	"yiting/queue/personal"
	"yiting/queue/rota"
)

// options are the flags of the hall server and of a kiosk.
type options struct {
	config      string
	data        string
	addr        string
	printConfig bool
	printVer    bool
	logLevel    string
	reader      string // overrides the configuration's devices.reader: a path or "sim"
	printer     string // overrides devices.printer
	role        string // "hall" (server and kiosk), "server" (no kiosk on this machine) or "kiosk" (only a kiosk, against -server)
	server      string // with -role kiosk: the hall server's URL
	token       string // with -role kiosk: its kiosk device token
	pin         string // with -role kiosk: the server certificate's fingerprint
	backupDir   string
	backupKeep  int
	backupEvery time.Duration
	memLimit    int // MiB; see applyMemoryLimit
	// Limits on connections and slow clients (httpapi.Limits); 0: none.
	maxConns    int
	maxStreams  int // a principal's event streams
	bodyTimeout time.Duration
	hub         hubOptions // -role hub
	// now is the hall's clock: time.Now. No flag sets it; a test of this
	// package running the server in process sets it to move the day (the
	// appointments' browser test).
	now func() time.Time
}

// clock is the hall's clock.
func (o *options) clock() func() time.Time {
	if o.now == nil {
		return time.Now
	}
	return o.now
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("yiting", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.config, "config", "", "hall configuration file (TOML); the embedded Tongshan hall if empty")
	fs.StringVar(&o.data, "data", "./yiting-data", "data directory: the database and the personal-data key")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "HTTP listen address (use 0.0.0.0:8080 to serve other devices in the hall)")
	fs.BoolVar(&o.printConfig, "print-config", false, "print the effective configuration and exit")
	fs.StringVar(&o.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.BoolVar(&o.printVer, "version", false, "print the version and exit")
	fs.StringVar(&o.reader, "reader", "", "ID card reader: a serial device such as /dev/ttyUSB0, or sim (overrides the configuration)")
	fs.StringVar(&o.printer, "printer", "", "ticket printer: a serial device, /dev/usb/lp0, or sim (overrides the configuration)")
	fs.StringVar(&o.role, "role", "hall", "hall: the hall server and a kiosk on this machine; server: the hall server only (kiosks on other Pis); kiosk: only a kiosk, issuing through -server; hub: the county hub (deploy/README.md)")
	fs.StringVar(&o.server, "server", "", "with -role kiosk: the hall server's URL, e.g. https://192.168.1.10:8080")
	fs.StringVar(&o.token, "token", "", "with -role kiosk: the kiosk's device token (or YITING_KIOSK_TOKEN)")
	fs.StringVar(&o.pin, "pin", "", "with -role kiosk: the SHA-256 pin of the hall server's certificate, shown on /admin with the kiosk's token")
	fs.StringVar(&o.backupDir, "backup-dir", "", "directory of the scheduled database backups (default <data>/backups)")
	fs.IntVar(&o.backupKeep, "backup-keep", 14, "delete scheduled backups older than this many days (never the newest that many); 0 keeps all")
	fs.DurationVar(&o.backupEvery, "backup-every", 24*time.Hour, "interval between scheduled backups; 0 turns them off")
	fs.IntVar(&o.memLimit, "memory-limit", 0, "soft memory limit of the Go heap in MiB (GOMEMLIMIT wins); 0: none")
	fs.IntVar(&o.maxConns, "max-conns", httpapi.DefaultMaxConns, "connections served at once; one more is answered 503 (0: no limit)")
	fs.IntVar(&o.maxStreams, "max-streams", httpapi.DefaultMaxStreams, "event streams of one account or device token; one more closes its oldest (0: no limit)")
	o.hub.flags(fs)
	fs.DurationVar(&o.bodyTimeout, "body-timeout", httpapi.DefaultBodyTimeout, "time to send a request body, plus 1 s for every 8 KiB received; slower is answered 408 (0: no limit)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (subcommands: idcard, printer, load, backup, restore)", fs.Arg(0))
	}
	if (o.hub.addSite != "" || o.hub.removeSite != "") && o.role != "hub" {
		return nil, errors.New("-add-site and -remove-site go with -role hub")
	}
	switch o.role {
	case "hall", "server", "hub":
	case "kiosk":
		if o.server == "" {
			return nil, errors.New("-role kiosk needs -server URL")
		}
	default:
		return nil, fmt.Errorf("-role %q: use hall, server, kiosk or hub", o.role)
	}
	return o, nil
}

func loadConfig(path string) (*hallconfig.Config, error) {
	if path == "" {
		return hallconfig.Default()
	}
	return hallconfig.Load(path)
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level: %w", err)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

// run starts the hall server (or, with -role kiosk, a kiosk alone) and
// serves until ctx ends (SIGTERM, Ctrl-C); server.close says in which
// order it stops.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	if o.printVer {
		_, err := fmt.Fprintln(stdout, "yiting", version)
		return err
	}
	cfg, err := loadConfig(o.config)
	if err != nil {
		return err
	}
	if o.reader != "" {
		cfg.Devices.Reader = o.reader
	}
	if o.printer != "" {
		cfg.Devices.Printer = o.printer
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if o.printConfig {
		b, err := cfg.MarshalTOML()
		if err != nil {
			return err
		}
		_, err = stdout.Write(b)
		return err
	}
	log, err := newLogger(stderr, o.logLevel)
	if err != nil {
		return err
	}
	switch o.role {
	case "kiosk":
		return runKioskRole(ctx, o, cfg, log, stdout)
	case "hub":
		return runHub(ctx, o, log, stdout)
	}
	applyMemoryLimit(o, log)
	s, err := openServer(ctx, o, cfg, log, stdout)
	if err != nil {
		return err
	}
	defer s.close()
	return s.serve(ctx, stdout)
}

// server is the hall server's parts: the pages, the kiosk loop and the API
// are wired from them. openServer opens them in order; close stops them in
// the reverse order — the shutdown order, written once: the HTTP server
// has stopped taking requests (serve), then the kiosk loop, the case
// book's background work, the sweeps and backups stop, the engine makes
// its last commit, and bbolt closes last.
type server struct {
	cfg   *hallconfig.Config
	eng   *queue.Engine
	store *boltstore.Store
	acc   *access.Service
	book  *cases.Book
	rota  *rota.Rota     // the duty rota (领导接访, 心理咨询日)
	diary *booking.Diary // the appointment diary (预约)
	keys  *personal.Keys // personal data: keyed hash and sealing
	log   *slog.Logger
	data  string // the data directory
	opts  *options
	api   *httpapi.API
	mux   *http.ServeMux
	cert  tls.Certificate // the server's own: kiosks pin it
	pin   string          // its fingerprint (tlspin.Of)
	// deskPrint prints the service desk's tickets on deskPrinter
	// (devices.desk_printer); nil without one.
	deskPrint   func(ctx context.Context, ticketID uint64, caseURL string) error
	deskPrinter *ticketPrinter

	stops []func() // what close runs, last opened first
}

// onClose adds what close must run, after everything opened later.
func (s *server) onClose(stop func()) { s.stops = append(s.stops, stop) }

// close stops everything openServer started, in reverse order.
func (s *server) close() {
	for i := len(s.stops) - 1; i >= 0; i-- {
		s.stops[i]()
	}
	s.stops = nil
}

// background runs fn until close, which cancels its context and waits for
// it.
func (s *server) background(fn func(ctx context.Context)) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(ctx)
	}()
	s.onClose(func() { cancel(); <-done })
}

// openServer opens the store, the engine, the personal-data key, the case
// book (the desk), the accounts, the API, the pages and — with -role hall —
// the kiosk loop. On an error it closes what it opened.
func openServer(ctx context.Context, o *options, cfg *hallconfig.Config, log *slog.Logger, stdout io.Writer) (_ *server, err error) {
	s := &server{cfg: cfg, log: log, data: o.data, opts: o, mux: http.NewServeMux()}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if s.store, err = boltstore.Open(o.data, log); err != nil {
		return nil, err
	}
	s.onClose(func() { s.store.Close() })
	s.onClose(startBackups(ctx, s.store, o.backupDir, o.backupEvery, o.backupKeep, log))

	if s.eng, err = queue.New(ctx, &cfg.Hall, s.store, queue.Options{Logger: log, Now: o.clock()}); err != nil {
		return nil, err
	}
	s.onClose(func() { s.eng.Close() })
	if s.keys, err = personal.LoadOrCreateKey(keyPath(cfg, o.data)); err != nil {
		return nil, err
	}
	if s.cert, s.pin, err = loadOrCreateCert(o.data); err != nil {
		return nil, err
	}
	s.acc, err = access.New(ctx, s.store, access.Options{
		Logger:        log,
		CounterExists: func(id string) bool { _, ok := cfg.Hall.Counter(id); return ok },
		UnitExists:    cfg.Hall.HasUnit,
	})
	if err != nil {
		return nil, err
	}
	s.rota = rota.New(&cfg.Hall, s.store, o.clock(), log)
	if s.book, err = openCases(cfg, s.eng, s.keys, s.store, s.rota, s.acc.UserUnits, o.data, o.clock(), log); err != nil {
		return nil, err
	}
	if _, err := s.book.LogExisting(ctx); err != nil { // a data directory from before case events
		return nil, err
	}
	if err := checkCalendar(ctx, s.book, log); err != nil {
		return nil, err
	}
	s.background(func(ctx context.Context) { s.book.Run(ctx, s.eng.Events()) }) // supervision sweeps, rectification, retention
	s.diary, err = booking.New(booking.Options{Hall: &cfg.Hall, Engine: s.eng, Store: s.store, Keys: s.keys, Desk: s.book, Cases: s.book,
		Config: cfg.Appointments, Calendar: s.book.Calendar, Duty: s.rota, Now: o.clock(), Logger: log})
	if err != nil {
		return nil, err
	}
	if cfg.Hall.AppointmentPrefix != "" { // plans from the file or, later, the page
		s.background(s.diary.Run) // no-shows, reminders
	}

	if err := bootstrapAdmin(ctx, s.acc, stdout); err != nil {
		return nil, err
	}
	s.background(func(ctx context.Context) { // expired sessions leave memory and disk
		t := time.NewTicker(10 * time.Minute)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				if _, err := s.acc.Sweep(ctx); err != nil {
					log.Warn("session sweep", "err", err)
				}
			case <-ctx.Done():
				return
			}
		}
	})

	countyMetrics, err := startCounty(ctx, s, cfg.County)
	if err != nil {
		return nil, err
	}

	gin.SetMode(gin.ReleaseMode)
	s.api, err = httpapi.New(httpapi.Options{
		Collectors: countyMetrics,
		Engine:     s.eng,
		Auth:       s.acc,
		Accounts:   s.acc,
		Logger:     log,
		Version:    version,
		Cases:      s.book,
		Rota:       s.rota,
		Diary:      s.diary,
		Health:     s.store.Healthy,
		// Every request at Info would be a journal line per ticket at a
		// busy kiosk; failures still log at Warn and Error.
		RequestLogLevel: slog.LevelDebug,
		MaxStreams:      orNone(o.maxStreams),
	})
	if err != nil {
		return nil, err
	}
	for _, p := range []string{"/api/", "/healthz", "/metrics"} {
		s.mux.Handle(p, s.api.Handler())
	}
	if s.deskPrint, err = s.openDeskPrinter(ctx, cfg.Devices, log); err != nil {
		return nil, err
	}
	registerWeb(s.mux, s)
	if o.role == "hall" {
		stopKiosk, err := startKiosk(ctx, s.mux, s)
		if err != nil {
			return nil, err
		}
		s.onClose(stopKiosk)
	}
	return s, nil
}

// serve serves HTTP until ctx ends (SIGTERM, Ctrl-C) or the listener
// fails; then it stops taking requests, lets running ones finish and ends
// the event streams. close does the rest.
func (s *server) serve(ctx context.Context, stdout io.Writer) error {
	o, log := s.opts, s.log
	inner, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.addr, err)
	}
	// http:// and https:// on the one port (sniffListener).
	ln := newSniffListener(inner, &tls.Config{Certificates: []tls.Certificate{s.cert}, MinVersion: tls.VersionTLS12})
	srv := &http.Server{
		IdleTimeout: 2 * time.Minute,
		ErrorLog:    slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	o.limits(log).Serve(srv, s.mux)
	srv.RegisterOnShutdown(s.api.Shutdown)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("yiting is serving", "hall", s.cfg.Hall.Name, "url", "http://"+ln.Addr().String(), "tls_pin", s.pin, "data", o.data)
	fmt.Fprintf(stdout, "tls: https://%s on the same port, certificate pin %s\n", ln.Addr(), s.pin)
	fmt.Fprintf(stdout, "yiting: serving http://%s\n", ln.Addr())
	if o.role == "hall" {
		fmt.Fprintf(stdout, "kiosk: http://%s/kiosk\n", ln.Addr())
	}
	fmt.Fprintf(stdout, "pages: http://%[1]s/board  http://%[1]s/console  http://%[1]s/dashboard  http://%[1]s/admin\n", ln.Addr())

	select {
	case err := <-served:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	log.Info("stopping")
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	<-served
	s.api.Shutdown() // the streams that took their connections are not the server's to wait for
	return nil
}

// limits are the server's limits on connections and slow clients.
func (o *options) limits(log *slog.Logger) *httpapi.Limits {
	return httpapi.NewLimits(httpapi.LimitOptions{MaxConns: orNone(o.maxConns), BodyTimeout: orNone(o.bodyTimeout), Logger: log})
}

// orNone turns a flag's "0: no limit" into the options' "negative: no
// limit" (their 0 means the default).
func orNone[T int | time.Duration](n T) T {
	if n == 0 {
		return -1
	}
	return n
}

// keyFileName is the personal-data key in the data directory when the
// configuration names no other file. It is created on first start, mode
// 0600; without it the sealed personal data cannot be read: back it up.
const keyFileName = "yiting.key"

func keyPath(cfg *hallconfig.Config, dataDir string) string {
	if cfg.KeyFile != "" {
		return cfg.KeyFile
	}
	return filepath.Join(dataDir, keyFileName)
}

// openCases opens the case book: the holiday calendar (embedded years,
// overridden by files in /etc/yiting/holidays, overridden by the files an
// admin sent, kept in the data directory) and the book on the store. The
// book follows the engine's ticket events: serving a ticket moves its
// case.
func openCases(cfg *hallconfig.Config, eng *queue.Engine, keys *personal.Keys, store *boltstore.Store, duty cases.Duty,
	staffUnits func(string) []string, dataDir string, now func() time.Time, log *slog.Logger) (*cases.Book, error) {
	sent := holidayFiles{dir: filepath.Join(dataDir, holidaySubdir)}
	cal, err := cases.LoadCalendar(cases.DefaultHolidays(), os.DirFS(holidayDir), os.DirFS(sent.dir))
	if err != nil {
		return nil, err
	}
	book, err := cases.New(cases.Options{Hall: &cfg.Hall, Engine: eng, Store: store, Keys: keys, PublicURL: cfg.PublicURL, Calendar: cal, Now: now, Logger: log, Duty: duty, StaffUnits: staffUnits,
		Limits: cfg.Cases.Limits, RectifyWithin: cfg.Cases.RectifyWithin, RetentionYears: cfg.Cases.RetentionYears, ArchiveYears: cfg.Cases.ArchiveYears,
		HolidayFiles: sent, County: cfg.County.Site != ""})
	if err != nil {
		return nil, err
	}
	eng.SetFollower(book)
	return book, nil
}

// holidayDir holds the yearly holiday files an admin updates without a
// new release (queue/cases/holidays/*.toml shows the format).
const holidayDir = "/etc/yiting/holidays"

// applyMemoryLimit sets a soft limit on the Go heap when one is asked for:
// near it the garbage collector works harder instead of letting the heap
// double, and it never refuses memory. There is no default: the 32 MiB
// one there was, sized to the load tool's 10,000 tickets, made the
// collector the bottleneck of a busy day — the heap grows with the day's
// tickets (`yiting load -day 5`: 13 MB and about 1.3 KB a waiting ticket,
// garbage included) and a limit below it halves the rate. A hall short of
// memory sets one knowing the cost.
func applyMemoryLimit(o *options, log *slog.Logger) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	if mib := o.memLimit; mib > 0 {
		debug.SetMemoryLimit(int64(mib) << 20)
		log.Debug("soft memory limit", "MiB", mib)
	}
}
