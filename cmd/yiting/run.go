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
	"runtime/debug"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	hallconfig "yiting/firmware-config"
	"yiting/queue"
	"yiting/queue/access"
	"yiting/queue/boltstore"
	"yiting/queue/cases"
	"yiting/queue/httpapi"
	"yiting/queue/personal"
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
	backupDir   string
	backupKeep  int
	backupEvery time.Duration
	memLimit    int // MiB; see applyMemoryLimit
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
	fs.StringVar(&o.role, "role", "hall", "hall: the hall server and a kiosk on this machine; server: the hall server only (kiosks on other Pis); kiosk: only a kiosk, issuing through -server")
	fs.StringVar(&o.server, "server", "", "with -role kiosk: the hall server's URL, e.g. http://192.168.1.10:8080")
	fs.StringVar(&o.token, "token", "", "with -role kiosk: the kiosk's device token (or YITING_KIOSK_TOKEN)")
	fs.StringVar(&o.backupDir, "backup-dir", "", "directory of the scheduled database backups (default <data>/backups)")
	fs.IntVar(&o.backupKeep, "backup-keep", 14, "delete scheduled backups older than this many days (never the newest that many); 0 keeps all")
	fs.DurationVar(&o.backupEvery, "backup-every", 24*time.Hour, "interval between scheduled backups; 0 turns them off")
	fs.IntVar(&o.memLimit, "memory-limit", 0, "soft memory limit of the Go heap in MiB (GOMEMLIMIT wins); 0: 32 with -role server, none otherwise")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (subcommands: idcard, printer, load, backup, restore)", fs.Arg(0))
	}
	switch o.role {
	case "hall", "server":
	case "kiosk":
		if o.server == "" {
			return nil, errors.New("-role kiosk needs -server URL")
		}
	default:
		return nil, fmt.Errorf("-role %q: use hall, server or kiosk", o.role)
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

// run starts the hall server and serves until ctx ends (SIGTERM, Ctrl-C):
// then it stops taking requests, lets running ones finish, ends the event
// streams, stops the engine after its last commit, and closes bbolt last.
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
	if o.role == "kiosk" {
		return runKioskRole(ctx, o, cfg, log, stdout)
	}
	applyMemoryLimit(o, log)

	store, err := boltstore.Open(o.data, log)
	if err != nil {
		return err
	}
	defer store.Close()
	stopBackups := startBackups(ctx, store, o.backupDir, o.backupEvery, o.backupKeep, log)
	defer stopBackups() // before the store closes

	eng, err := queue.New(ctx, &cfg.Hall, store, queue.Options{Logger: log})
	if err != nil {
		return err
	}
	defer eng.Close()

	keys, err := personal.LoadOrCreateKey(keyPath(cfg, o.data))
	if err != nil {
		return err
	}
	book, err := openCases(cfg, keys, store, log)
	if err != nil {
		return err
	}

	acc, err := access.New(ctx, store, access.Options{
		Logger:        log,
		CounterExists: func(id string) bool { _, ok := cfg.Hall.Counter(id); return ok },
	})
	if err != nil {
		return err
	}
	generated, err := acc.Bootstrap(ctx, os.Getenv("YITING_ADMIN_PASSWORD"))
	if err != nil {
		return err
	}
	if generated != "" {
		// Printed once, to the terminal or journal of the first start only.
		fmt.Fprintf(stdout, "首次启动：管理员账号 admin 的一次性密码是 %s ，请登录后立即修改。\n"+
			"First start: the one-time password of user admin is %s — log in and change it.\n", generated, generated)
	}

	gin.SetMode(gin.ReleaseMode)
	api, err := httpapi.New(httpapi.Options{
		Engine:   eng,
		Auth:     acc,
		Accounts: acc,
		Logger:   log,
		Version:  version,
		Cases:    book,
		Health:   store.Healthy,
		// Every request at Info would be a journal line per ticket at a
		// busy kiosk; failures still log at Warn and Error.
		RequestLogLevel: slog.LevelDebug,
	})
	if err != nil {
		return err
	}
	h := &hall{cfg: cfg, eng: eng, store: store, acc: acc, book: book, keys: keys, log: log, data: o.data, opts: o}
	mux := http.NewServeMux()
	for _, p := range []string{"/api/", "/healthz", "/metrics"} {
		mux.Handle(p, api.Handler())
	}
	mux.Handle("/c/", api.Inquiry(httpapi.InquiryOptions{})) // the public inquiry page of a case (一件一码)
	registerWeb(mux, h)
	var wg sync.WaitGroup
	defer wg.Wait()
	bookCtx, stopBook := context.WithCancel(context.Background())
	defer stopBook() // before the engine and the store close
	wg.Add(1)
	go func() { // supervision sweeps, rectification of bad ratings, retention
		defer wg.Done()
		book.Run(bookCtx, eng.Events())
	}()
	if o.role == "hall" {
		stopKiosk, err := startKiosk(ctx, mux, h)
		if err != nil {
			return err
		}
		defer stopKiosk()
	}

	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.addr, err)
	}
	srv := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(api.Shutdown)

	sweepCtx, stopSweep := context.WithCancel(context.Background())
	defer stopSweep()
	wg.Add(1)
	go func() { // expired sessions leave memory and disk
		defer wg.Done()
		t := time.NewTicker(10 * time.Minute)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				if _, err := acc.Sweep(sweepCtx); err != nil {
					log.Warn("session sweep", "err", err)
				}
			case <-sweepCtx.Done():
				return
			}
		}
	}()

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("yiting is serving", "hall", cfg.Hall.Name, "url", "http://"+ln.Addr().String(), "data", o.data)
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
	return nil // deferred: sweeper stops, engine finishes its last commit, bbolt closes last
}

// hall is what the parts of the hall server share: the pages, the kiosk
// loop and the API are wired from it.
type hall struct {
	cfg   *hallconfig.Config
	eng   *queue.Engine
	store *boltstore.Store
	acc   *access.Service
	book  *cases.Book
	keys  *personal.Keys // personal data: keyed hash and sealing
	log   *slog.Logger
	data  string // the data directory
	opts  *options
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
// overridden by files in /etc/yiting/holidays) and the book on the store.
func openCases(cfg *hallconfig.Config, keys *personal.Keys, store *boltstore.Store, log *slog.Logger) (*cases.Book, error) {
	cal, err := cases.LoadCalendar(cases.DefaultHolidays(), os.DirFS(holidayDir))
	if err != nil {
		return nil, err
	}
	for _, w := range cal.Warnings() {
		log.Warn("holiday calendar", "warning", w)
	}
	return cases.New(cases.Options{Hall: &cfg.Hall, Store: store, Keys: keys, PublicURL: cfg.PublicURL, Calendar: cal, Logger: log,
		Limits: cfg.Cases.Limits, RectifyWithin: cfg.Cases.RectifyWithin, RetentionYears: cfg.Cases.RetentionYears})
}

// holidayDir holds the yearly holiday files an admin updates without a
// new release (queue/cases/holidays/*.toml shows the format).
const holidayDir = "/etc/yiting/holidays"

// applyMemoryLimit sets a soft limit on the Go heap: near it the garbage
// collector works harder instead of letting the heap double, and it never
// refuses memory. A hall server alone keeps ~10 MB live at 10,000 waiting
// tickets, so 32 MiB keeps its resident memory well under 80 MB at load;
// with the kiosk in the process (the CJK font stays live) no default is
// set, so the collector never runs against a limit it cannot reach.
func applyMemoryLimit(o *options, log *slog.Logger) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	mib := o.memLimit
	if mib == 0 && o.role == "server" {
		mib = 32
	}
	if mib > 0 {
		debug.SetMemoryLimit(int64(mib) << 20)
		log.Debug("soft memory limit", "MiB", mib)
	}
}
