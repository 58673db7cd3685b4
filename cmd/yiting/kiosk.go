package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/tarm/serial"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"
	"periph.io/x/host/v3"

	hallconfig "yiting/firmware-config"
	"yiting/kiosk"
	"yiting/kiosk/hallclient"
	"yiting/kiosk/idcard"
	"yiting/kiosk/idcard/idcardsim"
	"yiting/kiosk/kioskweb"
	"yiting/kiosk/local"
	"yiting/kiosk/panel"
	"yiting/printer"
	"yiting/printer/printersim"
	"yiting/printer/spool"
)

// startKiosk starts the in-process kiosk loop (reader, printer, buttons)
// and mounts its touchscreen page on mux. The returned stop function ends
// the loop and waits for it.
func startKiosk(ctx context.Context, mux *http.ServeMux, s *server) (stop func(), err error) {
	desk, err := local.New(local.Opts{Engine: s.eng, Cases: s.book, Rota: s.rota, Diary: s.diary})
	if err != nil {
		return nil, err
	}
	k, err := newKiosk(ctx, kioskOptions{cfg: s.cfg, dataDir: s.data, desk: desk, log: s.log})
	if err != nil {
		return nil, err
	}
	k.mount(mux)
	stop = k.start(ctx)
	if _, port, _ := net.SplitHostPort(s.opts.addr); port != "0" {
		s.log.Info("kiosk page", "url", kioskURL(s.opts.addr))
	}
	return stop, nil
}

// kioskURL is where the kiosk page is, from the listen address.
func kioskURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr + "/kiosk"
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/kiosk"
}

// runKioskRole runs only the kiosk loop, issuing through a hall server's
// API (-role kiosk -server URL -token TOKEN).
func runKioskRole(ctx context.Context, o *options, cfg *hallconfig.Config, log *slog.Logger, stdout io.Writer) error {
	token := o.token
	if token == "" {
		token = os.Getenv("YITING_KIOSK_TOKEN")
	}
	if token == "" {
		return errors.New("-role kiosk needs the kiosk's device token: -token TOKEN or YITING_KIOSK_TOKEN (an admin creates it: POST /api/v1/admin/tokens with role kiosk)")
	}
	if err := os.MkdirAll(o.data, 0o700); err != nil {
		return fmt.Errorf("kiosk: data directory: %w", err)
	}
	client, err := hallclient.New(o.server, &hallclient.Opts{
		Token: token, Pin: o.pin, Name: cfg.Hall.Name, Region: cfg.Hall.RegionCode, Location: cfg.Hall.Location, Logger: log,
	})
	if err != nil {
		return err
	}
	k, err := newKiosk(ctx, kioskOptions{cfg: cfg, dataDir: o.data, desk: client, log: log})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	k.mount(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.addr, err)
	}
	stopKiosk := k.start(ctx)
	defer stopKiosk()
	srv := &http.Server{ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	o.limits(log).Serve(srv, mux)
	log.Info("yiting kiosk is serving", "server", o.server, "url", "http://"+ln.Addr().String())
	fmt.Fprintf(stdout, "yiting: serving http://%s\nkiosk: %s\n", ln.Addr(), kioskURL(ln.Addr().String()))
	return serveUntil(ctx, srv, ln, log)
}

// serveUntil serves HTTP on ln until ctx ends (SIGTERM) or the server
// fails; then it stops taking requests and lets the running ones finish,
// 10 s at most.
func serveUntil(ctx context.Context, srv *http.Server, ln net.Listener, log *slog.Logger) error {
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil {
		log.Warn("http shutdown", "err", err)
	}
	<-served
	return nil
}

// kioskApp is a kiosk's parts, wired: the loop over a hall, its devices
// and its page.
type kioskApp struct {
	log    *slog.Logger
	loop   *kiosk.Loop
	web    *kioskweb.Handler
	dev    *kioskDevices
	reader *idcard.Reader
	panel  *panel.Panel // nil without GPIO
}

// kioskOptions say what newKiosk builds. The tune fields are for tests
// and benchmarks: nil leaves the defaults.
type kioskOptions struct {
	cfg     *hallconfig.Config
	dataDir string
	desk    kiosk.Desk
	log     *slog.Logger

	tuneLoop    func(*kiosk.Opts)
	tuneReader  func(*idcard.ReaderOpts)
	tuneDevices func(*deviceTuning)
}

// newKiosk opens the kiosk's devices and builds its loop over the desk.
// The event streams of its page end when ctx ends.
func newKiosk(ctx context.Context, o kioskOptions) (*kioskApp, error) {
	var tune deviceTuning
	if o.tuneDevices != nil {
		o.tuneDevices(&tune)
	}
	dev, err := openKioskDevices(ctx, o.cfg.Devices, o.dataDir, o.log, tune)
	if err != nil {
		return nil, err
	}
	log := o.log
	k := &kioskApp{log: log, dev: dev}
	pnl, err := openPanel(o.cfg.Devices, log)
	if err != nil {
		dev.close()
		return nil, err
	}
	var signals kiosk.Signals
	if pnl != nil {
		k.panel, signals = pnl, pnl
	}
	drv := dev.driver
	lo := kiosk.Opts{
		Desk:    o.desk,
		Printer: dev.spool,
		Signals: signals,
		Logger:  log,
		PrinterCheck: func(ctx context.Context) (kiosk.PrinterCheckResult, error) {
			st, err := drv.Status(ctx)
			if err != nil {
				return kiosk.PrinterCheckResult{}, err
			}
			return kiosk.PrinterCheckResult{Err: st.Err(), Warning: st.Warning()}, nil
		},
	}
	if o.tuneLoop != nil {
		o.tuneLoop(&lo)
	}
	k.loop, err = kiosk.New(lo)
	if err != nil {
		dev.close()
		return nil, err
	}
	ro := idcard.ReaderOpts{Baud: dev.readerBaud, Logger: log}
	if o.tuneReader != nil {
		o.tuneReader(&ro)
	}
	k.reader = idcard.NewReader(dev.readerOpen, &ro)
	var demo kioskweb.Demo
	if dev.readerSim != nil && dev.printerSim != nil {
		demo = &kioskweb.SimDemo{Reader: dev.readerSim, Printer: dev.printerSim}
	}
	// The kiosk speaks its prompts with the board's voice: espeak-ng on
	// this machine when it is installed (looked for again while missing),
	// else the browser's.
	k.web, err = kioskweb.New(kioskweb.Opts{Loop: k.loop, Demo: demo, Done: ctx.Done(), Logger: log, Speech: newEspeakFinder(time.Now)})
	if err != nil {
		dev.close()
		return nil, err
	}
	return k, nil
}

// deviceTuning adjusts the simulated devices and the spool (tests and
// benchmarks: wire-time emulation, quick retries).
type deviceTuning struct {
	readerSim  idcardsim.Opts
	printerSim printersim.Opts
	spool      spool.Opts
}

func (k *kioskApp) mount(mux *http.ServeMux) {
	mux.Handle("/kiosk", k.web)
	mux.Handle("/kiosk/", k.web)
}

// start runs the reader, the loop, the spool's retries and the panel until
// ctx ends or stop is called; stop waits for them and closes the devices.
func (k *kioskApp) start(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	run := func(name string, fn func(context.Context) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(ctx); err != nil && ctx.Err() == nil {
				k.log.Error("kiosk: "+name+" stopped", "err", err)
			}
		}()
	}
	cards := make(chan idcard.Event, 8)
	run("card reader", func(ctx context.Context) error { return k.reader.Run(ctx, cards) })
	run("loop", func(ctx context.Context) error { return k.loop.Run(ctx, cards) })
	run("print spool", k.dev.spool.Run)
	if k.panel != nil {
		run("panel", func(ctx context.Context) error {
			return k.panel.Run(ctx, func(service string) {
				if err := k.loop.Choose(ctx, service); err != nil {
					k.log.Info("kiosk: button press ignored", "service", service, "err", err)
				}
			})
		})
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			wg.Wait()
			k.dev.close()
		})
	}
}

// kioskDevices are the kiosk's card reader and printer, real or simulated.
type kioskDevices struct {
	readerOpen idcard.OpenFunc
	readerBaud int
	driver     *printer.Driver
	spool      *spool.Spool

	// The simulated devices of the demo, nil for real ones.
	readerSim  *idcardsim.Sim
	printerSim *printersim.Printer

	closers []func()
}

func (d *kioskDevices) close() {
	for i := len(d.closers) - 1; i >= 0; i-- {
		d.closers[i]()
	}
	d.closers = nil
}

// openKioskDevices opens the reader and printer the configuration names:
// a serial device (or a USB printer-class file), or "sim" for the
// simulated one on a pseudo-terminal, opened like a real port. The
// simulators live until ctx ends.
func openKioskDevices(ctx context.Context, cfg hallconfig.Devices, dataDir string, log *slog.Logger, tune deviceTuning) (d *kioskDevices, err error) {
	d = &kioskDevices{readerBaud: cfg.ReaderBaud}
	defer func() {
		if err != nil {
			d.close()
		}
	}()
	if d.readerBaud <= 0 {
		d.readerBaud = hallconfig.DefaultBaud
	}
	readerPath := cfg.Reader
	if readerPath == "sim" {
		so := tune.readerSim
		if so.Logger == nil {
			so.Logger = log
		}
		d.readerSim = idcardsim.New(&so)
		p, err := d.readerSim.ServePTY(ctx)
		if err != nil {
			return nil, err
		}
		d.closers = append(d.closers, func() { p.Close() })
		readerPath = p.Path
		log.Info("kiosk: simulated ID card reader (demo mode)", "pty", p.Path)
	}
	d.readerOpen = func(ctx context.Context) (io.ReadWriteCloser, error) {
		// A read timeout is a must: tarm/serial's Close hangs behind a
		// read without one (platform-notes.md).
		return serial.OpenPort(&serial.Config{Name: readerPath, Baud: d.readerBaud, ReadTimeout: 100 * time.Millisecond})
	}

	tp, err := openTicketPrinter(ctx, ticketPrinterConfig{path: cfg.Printer, baud: cfg.PrinterBaud, profile: cfg.PrinterProfile,
		spoolDir: filepath.Join(dataDir, "spool"), what: "kiosk"}, log, tune)
	if err != nil {
		return nil, err
	}
	d.closers = append(d.closers, tp.close)
	d.driver, d.spool, d.printerSim = tp.driver, tp.spool, tp.sim
	return d, nil
}

// openPanel finds the configured GPIO pins. Without any configured it
// returns nil; on a machine without GPIO (a PC: host.Init succeeds, the
// pins are not found) it says so once and returns nil: the kiosk runs
// without its panel.
func openPanel(cfg hallconfig.Devices, log *slog.Logger) (*panel.Panel, error) {
	if len(cfg.Buttons) == 0 && cfg.LED == "" && cfg.Buzzer == "" {
		return nil, nil
	}
	if _, err := host.Init(); err != nil {
		log.Warn("kiosk: no GPIO on this machine; running without buttons, LED and buzzer", "err", err)
		return nil, nil
	}
	var missing []string
	out := func(name string) gpio.PinOut {
		if name == "" {
			return nil
		}
		p := gpioreg.ByName(name)
		if p == nil {
			missing = append(missing, name)
			return nil
		}
		return p
	}
	opts := panel.Opts{LED: out(cfg.LED), Buzzer: out(cfg.Buzzer), Logger: log}
	for name, service := range cfg.Buttons {
		p := gpioreg.ByName(name)
		if p == nil {
			missing = append(missing, name)
			continue
		}
		opts.Buttons = append(opts.Buttons, panel.Button{Pin: p, ServiceID: service})
	}
	if len(missing) > 0 {
		log.Warn("kiosk: GPIO pins not found (no GPIO on this machine, or a wrong pin name); running without them",
			"pins", strings.Join(missing, ", "))
	}
	if opts.LED == nil && opts.Buzzer == nil && len(opts.Buttons) == 0 {
		return nil, nil
	}
	return panel.New(opts)
}
