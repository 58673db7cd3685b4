package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	hallconfig "yiting/firmware-config"
	"yiting/queue"
	"yiting/queue/boltstore"
	"yiting/queue/booking"
)

// runLoad is `yiting load`: it starts a fresh hall server on loopback in
// a child process (or uses -url) and measures what issue 2 sets targets
// for: issuing from 64 kiosks, call-next from 30 counters with 10,000
// tickets waiting, one event reaching 200 SSE subscribers, the server's
// resident memory, and start-up on a year of history.
func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("yiting load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "measure a running server instead of starting one (needs -user and -password)")
	user := fs.String("user", "admin", "with -url: an admin or supervisor account")
	password := fs.String("password", "", "with -url: its password")
	kiosks := fs.Int("kiosks", 64, "concurrent kiosks issuing tickets")
	issueN := fs.Int("issue", 10000, "tickets the kiosks issue; they are then the queue the counters call from")
	counters := fs.Int("counters", 30, "counters calling concurrently")
	waiting := fs.Int("waiting", 10000, "tickets waiting before the counters start calling")
	subscribers := fs.Int("subscribers", 200, "SSE subscribers")
	events := fs.Int("events", 100, "events sent to the subscribers, one at a time")
	startupEvents := fs.Int("startup-events", 500000, "events of history for the start-up measurement (0 skips it)")
	dayRounds := fs.Int("day", 0, "instead of the other measurements: a busy day of this many rounds of -round each, nobody called (5 for about 200,000 tickets)")
	round := fs.Duration("round", 4*time.Second, "with -day: the length of a round")
	memLimit := fs.String("memory-limit", "", "the server's -memory-limit (MiB), if any")
	streams := fs.Int("streams", 0, "instead of the other measurements: the server's memory with this many idle event streams (2000 for issue 13)")
	slow := fs.Int("slow", 0, "instead of the other measurements: this many POSTs that send their body a byte every -slow-gap (2000 for issue 13)")
	slowGap := fs.Duration("slow-gap", 5*time.Second, "with -slow: the time between two bytes of a body")
	maxConns := fs.String("max-conns", "", "the server's -max-conns, if not its default (0: no limit)")
	procs := fs.Int("procs", 0, "the server's GOMAXPROCS: 1 for a Pi-class profile, the server on one core (0: as many as the machine has)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *procs > 0 && *url != "" {
		return errors.New("load: -procs sets the GOMAXPROCS of the server the tool starts: not with -url")
	}
	rep := &loadReport{w: stdout}
	fmt.Fprintf(stdout, "yiting load — %s\n", time.Now().Format(time.RFC3339))

	var srv *childServer
	base, pass := *url, *password
	if base == "" {
		pass = randomHex(12)
		var err error
		var extra []string
		if *memLimit != "" {
			extra = append(extra, "-memory-limit", *memLimit)
		}
		if *maxConns != "" {
			extra = append(extra, "-max-conns", *maxConns)
		}
		srv, err = startChild(ctx, loadHall(*counters), "", pass, *procs, extra...)
		if err != nil {
			return err
		}
		defer srv.stop()
		base = srv.url
		cores := "all cores"
		if *procs > 0 {
			cores = fmt.Sprintf("GOMAXPROCS=%d", *procs)
		}
		fmt.Fprintf(stdout, "server: %s (pid %d, fresh data directory, fsync on, %s)\n", base, srv.cmd.Process.Pid, cores)
	}
	c, err := login(ctx, base, *user, pass)
	if err != nil {
		return err
	}
	hall, err := c.hall(ctx)
	if err != nil {
		return err
	}
	if *slow > 0 {
		// A body of 66 bytes at -slow-gap would take minutes; 30 s is
		// three times the default body deadline.
		if err := c.loadSlow(ctx, rep, *slow, *slowGap, 30*time.Second); err != nil {
			return err
		}
		return rep.finish()
	}
	if *streams > 0 {
		if srv == nil {
			return errors.New("load: -streams measures the server's memory: it starts its own (no -url)")
		}
		if err := c.loadStreams(ctx, rep, srv, *streams, hall); err != nil {
			return err
		}
		return rep.finish()
	}
	if *dayRounds > 0 {
		if srv == nil {
			return errors.New("load: -day measures the server's memory: it starts its own (no -url)")
		}
		if err := c.loadDay(ctx, rep, srv, *kiosks, *dayRounds, *round, hall); err != nil {
			return err
		}
		return rep.finish()
	}
	if err := c.loadIssue(ctx, rep, *kiosks, *issueN, hall); err != nil {
		return err
	}
	if err := c.loadCallNext(ctx, rep, *counters, *waiting, hall); err != nil {
		return err
	}
	if err := c.loadEvents(ctx, rep, *subscribers, *events, hall); err != nil {
		return err
	}
	if srv != nil {
		rss, err := srv.memory("VmHWM")
		if err != nil {
			return err
		}
		anon, _ := srv.memory("RssAnon")
		file, _ := srv.memory("RssFile")
		var dbSize int64
		if fi, err := os.Stat(filepath.Join(srv.dir, "data", boltstore.FileName)); err == nil {
			dbSize = fi.Size()
		}
		fmt.Fprintf(stdout, "memory at the end: %.1f MB anonymous (Go heap and runtime), %.1f MB file-backed (the binary and the mapped database of %.1f MB)\n",
			float64(anon)/1e6, float64(file)/1e6, float64(dbSize)/1e6)
		rep.row("server resident memory, peak during the run", fmt.Sprintf("%.1f MB", float64(rss)/1e6), "≤ 80 MB", rss <= 80e6)
		srv.stop()
	}
	if *startupEvents > 0 && *url == "" {
		if err := loadStartup(ctx, rep, *startupEvents, *procs); err != nil {
			return err
		}
	}
	return rep.finish()
}

// loadHall is a hall with the given number of counters over six services;
// it takes no appointments (the default's plans name its rooms).
func loadHall(counters int) *hallconfig.Config {
	cfg, err := hallconfig.Default()
	if err != nil {
		panic(err) // the embedded default is tested
	}
	cfg.Appointments, cfg.Hall.AppointmentPrefix = booking.Config{}, ""
	h := &cfg.Hall
	h.Services = h.Services[:min(6, len(h.Services))]
	h.Counters = nil
	for i := 0; i < counters; i++ {
		var cs []queue.CounterService
		for j, s := range h.Services {
			if (i+j)%2 == 0 || j == i%len(h.Services) {
				cs = append(cs, queue.CounterService{ServiceID: s.ID, Weight: 1 + (i+j)%3})
			}
		}
		h.Counters = append(h.Counters, queue.Counter{ID: fmt.Sprint("c", i+1), Name: fmt.Sprint(i+1, "号窗口"), Kind: queue.KindWindow, Services: cs})
	}
	return cfg
}

// childServer is a yiting process started by the load tool.
type childServer struct {
	cmd  *exec.Cmd
	url  string
	dir  string
	done chan error
}

// startChild starts the server with its flags extra; procs > 0 sets its
// GOMAXPROCS.
func startChild(ctx context.Context, cfg *hallconfig.Config, dataDir, adminPassword string, procs int, extra ...string) (*childServer, error) {
	dir, err := os.MkdirTemp("", "yiting-load-")
	if err != nil {
		return nil, err
	}
	if dataDir == "" {
		dataDir = filepath.Join(dir, "data")
	}
	// The hall server alone: kiosks are other machines, as in a hall busy
	// enough to need 64 of them.
	args := append([]string{"-role", "server", "-data", dataDir, "-addr", "127.0.0.1:0", "-log-level", "error", "-backup-every", "0"}, extra...)
	if cfg != nil {
		b, err := cfg.MarshalTOML()
		if err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		path := filepath.Join(dir, "hall.toml")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		args = append(args, "-config", path)
	}
	return startProcess(ctx, dir, adminPassword, procs, args...)
}

// startProcess starts yiting with args until it serves; dir is removed
// when it stops.
func startProcess(ctx context.Context, dir, adminPassword string, procs int, args ...string) (*childServer, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Env = append(os.Environ(), "YITING_ADMIN_PASSWORD="+adminPassword)
	if procs > 0 {
		cmd.Env = append(cmd.Env, fmt.Sprint("GOMAXPROCS=", procs))
	}
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &childServer{cmd: cmd, dir: dir, done: make(chan error, 1)}
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		if u, ok := strings.CutPrefix(lines.Text(), "yiting: serving "); ok {
			s.url = u
			break
		}
	}
	go func() { io.Copy(io.Discard, out); s.done <- cmd.Wait() }()
	if s.url == "" {
		s.stop()
		return nil, errors.New("load: the server did not start (see its log above)")
	}
	return s, nil
}

// memory reads a field of the child's /proc status ("VmHWM", the peak
// resident set; "RssAnon", "RssFile") in bytes.
func (s *childServer) memory(field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, fmt.Errorf("load: read the server's memory: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("load: no %s in /proc status", field)
}

func (s *childServer) stop() {
	if s.cmd.ProcessState == nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.done:
		case <-time.After(15 * time.Second):
			s.cmd.Process.Kill()
			<-s.done
		}
	}
	os.RemoveAll(s.dir)
}

// loadStartup fills a data directory with a year of history and times a
// server start on it, until it answers /healthz.
func loadStartup(ctx context.Context, rep *loadReport, events, procs int) error {
	dir, err := os.MkdirTemp("", "yiting-year-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg := loadHall(8)
	st, err := boltstore.Open(dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	err = boltstore.FillYear(ctx, st, &cfg.Hall, events, time.Now().AddDate(-1, 0, 0))
	st.Close()
	if err != nil {
		return err
	}
	fi, _ := os.Stat(filepath.Join(dir, boltstore.FileName))
	start := time.Now()
	srv, err := startChild(ctx, cfg, dir, randomHex(12), procs)
	if err != nil {
		return err
	}
	defer srv.stop()
	for {
		resp, err := http.Get(srv.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		if time.Since(start) > 30*time.Second {
			return errors.New("load: the server did not become healthy in 30 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	d := time.Since(start)
	rep.row(fmt.Sprintf("start-up on %d events of history (%.0f MB file), to healthy", events, float64(fi.Size())/1e6),
		d.Round(time.Millisecond).String(), "≤ 2 s", d <= 2*time.Second)
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// loadReport collects result rows.
type loadReport struct {
	w      io.Writer
	rows   [][4]string
	missed int
}

func (r *loadReport) row(what, got, target string, ok bool) {
	verdict := "met"
	if !ok {
		verdict = "MISSED"
		r.missed++
	}
	r.rows = append(r.rows, [4]string{what, got, target, verdict})
	fmt.Fprintf(r.w, "  %s: %s (target %s) %s\n", what, got, target, verdict)
}

// finish prints the report's table and fails when a target was missed.
func (r *loadReport) finish() error {
	r.print()
	if r.missed > 0 {
		return fmt.Errorf("%d target(s) missed", r.missed)
	}
	return nil
}

func (r *loadReport) print() {
	fmt.Fprintln(r.w, "\n| measure | result | target | |\n|---|---|---|---|")
	for _, row := range r.rows {
		fmt.Fprintf(r.w, "| %s | %s | %s | %s |\n", row[0], row[1], row[2], row[3])
	}
}

// latencies summarises a set of durations.
type latencies []time.Duration

func (l latencies) pct(p float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	s := append(latencies(nil), l...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(float64(len(s)-1) * p)
	return s[i]
}

func (l latencies) String() string {
	return fmt.Sprintf("p50 %v, p90 %v, p99 %v, max %v", ms(l.pct(0.5)), ms(l.pct(0.9)), ms(l.pct(0.99)), ms(l.pct(1)))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d)/1e6) }

// client talks to the hall server's API.
type client struct {
	base  string
	token string
	http  *http.Client
}

func login(ctx context.Context, base, user, password string) (*client, error) {
	c := &client{base: strings.TrimRight(base, "/"), http: &http.Client{
		Transport: &http.Transport{MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, IdleConnTimeout: time.Minute},
		Timeout:   30 * time.Second,
	}}
	var out struct {
		Token string `json:"token"`
	}
	if _, err := c.do(ctx, "POST", "/api/v1/login", "", map[string]string{"user": user, "password": password}, &out); err != nil {
		return nil, fmt.Errorf("load: login as %s: %w", user, err)
	}
	c.token = out.Token
	return c, nil
}

// do sends a JSON request and decodes a JSON answer; non-2xx is an error.
func (c *client) do(ctx context.Context, method, path, idem string, body, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if idem != "" {
		req.Header.Set("Idempotency-Key", idem)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode/100 != 2 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(b))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, nil
}
