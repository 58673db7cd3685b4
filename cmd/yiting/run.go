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
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	hallconfig "yiting/firmware-config"
	"yiting/queue"
	"yiting/queue/access"
	"yiting/queue/boltstore"
	"yiting/queue/httpapi"
)

// options are the hall server's flags.
type options struct {
	config      string
	data        string
	addr        string
	printConfig bool
	logLevel    string
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
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q (subcommands: idcard, printer)", fs.Arg(0))
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
	cfg, err := loadConfig(o.config)
	if err != nil {
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

	store, err := boltstore.Open(o.data, log)
	if err != nil {
		return err
	}
	defer store.Close()

	eng, err := queue.New(ctx, &cfg.Hall, store, queue.Options{Logger: log})
	if err != nil {
		return err
	}
	defer eng.Close()

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
		Health:   store.Healthy,
		// Every request at Info would be a journal line per ticket at a
		// busy kiosk; failures still log at Warn and Error.
		RequestLogLevel: slog.LevelDebug,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.addr, err)
	}
	srv := &http.Server{
		Handler:           api.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(api.Shutdown)

	var wg sync.WaitGroup
	defer wg.Wait()
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
