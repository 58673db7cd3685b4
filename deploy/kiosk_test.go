package deploy

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// session runs kiosk-session in dry-run mode with the given kiosk.env
// settings and returns the command it would run.
func session(t *testing.T, env ...string) ([]string, error) {
	t.Helper()
	home := t.TempDir()
	base := []string{"YITING_KIOSK_DRY_RUN=1", "YITING_CHROMIUM=chromium", "HOME=" + home,
		"YITING_ROLE=", "YITING_SERVER=", "YITING_COUNTER=", "YITING_TOKEN=", "YITING_ROTATE="}
	out, err := tryCmd(append(base, env...), filepath.Join(repo(t), "deploy/kiosk-session"))
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, out)
	}
	return strings.Split(strings.TrimSpace(out), "\n"), nil
}

func TestKioskSessionOpensTheRolesPage(t *testing.T) {
	for _, c := range []struct {
		env []string
		url string
	}{
		{nil, "http://127.0.0.1:8080/kiosk"},
		{[]string{"YITING_ROLE=kiosk", "YITING_SERVER=http://192.168.1.10:8080/", "YITING_TOKEN=ytd_0a1b2c_Xy-z9"},
			"http://192.168.1.10:8080/kiosk?token=ytd_0a1b2c_Xy-z9"},
		{[]string{"YITING_ROLE=board", "YITING_SERVER=http://hall.local:8080"}, "http://hall.local:8080/board"},
		{[]string{"YITING_ROLE=pad", "YITING_COUNTER=win-03", "YITING_TOKEN=ytd_1_abc"}, "http://127.0.0.1:8080/pad?counter=win-03&token=ytd_1_abc"},
		{[]string{"YITING_ROLE=console"}, "http://127.0.0.1:8080/console"},
		{[]string{"YITING_ROLE=dashboard"}, "http://127.0.0.1:8080/dashboard"},
	} {
		cmd, err := session(t, c.env...)
		if err != nil {
			t.Fatalf("%v: %v", c.env, err)
		}
		if cmd[len(cmd)-1] != c.url {
			t.Errorf("%v: opens %q, want %q", c.env, cmd[len(cmd)-1], c.url)
		}
		if cmd[0] != "cage" || !slices.Contains(cmd, "--") || cmd[slices.Index(cmd, "--")+1] != "chromium" {
			t.Errorf("not chromium inside cage: %v", cmd)
		}
		for _, flag := range []string{"--kiosk", "--noerrdialogs", "--disable-infobars", "--ozone-platform=wayland",
			"--autoplay-policy=no-user-gesture-required"} {
			if !slices.Contains(cmd, flag) {
				t.Errorf("chromium lacks %s: %v", flag, cmd)
			}
		}
	}
	// The watchdog's URL is the page without the token.
	out := runCmd(t, []string{"YITING_ROLE=pad", "YITING_COUNTER=win-03", "YITING_TOKEN=secret"},
		filepath.Join(repo(t), "deploy/kiosk-session"), "--url")
	if strings.TrimSpace(out) != "http://127.0.0.1:8080/pad?counter=win-03" {
		t.Errorf("--url: %q", out)
	}
	// Rotation for a portrait kiosk on a landscape screen.
	cmd, _ := session(t, "YITING_ROTATE=3")
	if strings.Join(cmd[:6], " ") != "cage -d -r -r -r --" {
		t.Errorf("YITING_ROTATE=3: %v", cmd[:6])
	}
}

func TestKioskSessionRefusesBadSettings(t *testing.T) {
	for _, c := range []struct {
		env  []string
		want string
	}{
		{[]string{"YITING_ROLE=pad"}, "YITING_COUNTER"},
		{[]string{"YITING_ROLE=pad", "YITING_COUNTER=win 3"}, "YITING_COUNTER"},
		{[]string{"YITING_ROLE=tv"}, "YITING_ROLE must be"},
		{[]string{"YITING_TOKEN=a&b=c"}, "YITING_TOKEN"},
		{[]string{"YITING_SERVER=192.168.1.10:8080"}, "http://HOST:PORT"},
		{[]string{"YITING_ROTATE=4"}, "YITING_ROTATE"},
	} {
		if _, err := session(t, c.env...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want a refusal naming %s", c.env, err, c.want)
		}
	}
}

// After a crash or power cut Chromium would cover the page with a
// "restore pages?" bar: the session marks the last exit clean first.
func TestKioskSessionClearsTheCrashFlag(t *testing.T) {
	home := t.TempDir()
	prefs := filepath.Join(home, ".config/yiting-chromium/Default/Preferences")
	os.MkdirAll(filepath.Dir(prefs), 0o700)
	os.WriteFile(prefs, []byte(`{"profile":{"exit_type":"Crashed","exited_cleanly":false,"name":"Person 1"}}`), 0o600)
	runCmd(t, []string{"YITING_KIOSK_DRY_RUN=1", "YITING_CHROMIUM=chromium", "HOME=" + home}, filepath.Join(repo(t), "deploy/kiosk-session"))
	if got := readFile(t, prefs); got != `{"profile":{"exit_type":"Normal","exited_cleanly":true,"name":"Person 1"}}` {
		t.Fatalf("Preferences: %s", got)
	}
}

// The session finds Chromium under either Debian's or Raspberry Pi OS's
// name, and says what to install when there is neither.
func TestKioskSessionFindsChromium(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir() // PATH: bash, and the browser when there is one
	os.Symlink(bash, filepath.Join(bin, "bash"))
	env := []string{"YITING_KIOSK_DRY_RUN=1", "YITING_CHROMIUM=", "PATH=" + bin, "HOME=" + t.TempDir()}
	script := filepath.Join(repo(t), "deploy/kiosk-session")
	out, err := tryCmd(env, script)
	if err == nil || !strings.Contains(out, "apt install chromium") {
		t.Fatalf("without Chromium: %v %s", err, out)
	}
	os.WriteFile(filepath.Join(bin, "chromium-browser"), []byte("#!/bin/sh\n"), 0o755)
	out = runCmd(t, env, script)
	if !strings.Contains(out, "\nchromium-browser\n") {
		t.Fatalf("did not pick chromium-browser:\n%s", out)
	}
}

// pageServer is the hall server as the watchdog sees it: it answers, or
// fails the next n requests with 503, and counts requests.
type pageServer struct {
	failNext atomic.Int64
	requests atomic.Int64
}

func (p *pageServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.requests.Add(1)
	for n := p.failNext.Load(); n > 0; n = p.failNext.Load() {
		if p.failNext.CompareAndSwap(n, n-1) {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
	}
	if r.URL.Path != "/board" {
		http.NotFound(w, r)
		return
	}
	w.Write([]byte("<!doctype html><title>board</title>"))
}

// waitFor polls cond until it holds, failing after a deadline.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// The watchdog restarts the session once the page answers again after
// three failed checks, and not after a shorter hiccup; also when this Pi
// came up before the server.
func TestKioskWatchdog(t *testing.T) {
	need(t, "curl", "curl")
	port := freePort(t)
	restarts := filepath.Join(t.TempDir(), "restarts")
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, filepath.Join(repo(t), "deploy/kiosk-watchdog"))
	cmd.Env = append(os.Environ(), "YITING_ROLE=board", fmt.Sprintf("YITING_SERVER=http://127.0.0.1:%d", port),
		"YITING_WATCHDOG_INTERVAL=0.05", "YITING_WATCHDOG_FAILS=3",
		"YITING_WATCHDOG_RESTART_CMD=echo restart >>"+restarts)
	var out strings.Builder
	var mu sync.Mutex
	cmd.Stdout = writerFunc(func(b []byte) { mu.Lock(); out.Write(b); mu.Unlock() })
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cancel()
		cmd.Wait()
		mu.Lock()
		t.Logf("watchdog said:\n%s", out.String())
		mu.Unlock()
	}()
	count := func() int {
		b, _ := os.ReadFile(restarts)
		return strings.Count(string(b), "restart")
	}

	// The server is not up yet: the board Pi booted first. Once the
	// watchdog reports three failed checks, start the server on that port.
	waitFor(t, "the watchdog to notice the server is missing", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Contains(out.String(), "does not answer")
	})
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	srv := &pageServer{}
	go http.Serve(ln, srv)
	defer ln.Close()
	waitFor(t, "a restart once the server is up", func() bool { return count() == 1 })

	// Healthy: many checks, no restart.
	n := srv.requests.Load()
	waitFor(t, "checks while healthy", func() bool { return srv.requests.Load() >= n+10 })
	if count() != 1 {
		t.Fatalf("%d restarts while the page answered", count())
	}

	// Two failures in a row (fewer than three): no restart.
	srv.failNext.Store(2)
	waitFor(t, "the hiccup to pass", func() bool { return srv.failNext.Load() <= 0 })
	n = srv.requests.Load()
	waitFor(t, "checks after the hiccup", func() bool { return srv.requests.Load() >= n+5 })
	if count() != 1 {
		t.Fatalf("restarted after a two-check hiccup (%d restarts)", count())
	}

	// Five failures: one restart when it answers again.
	srv.failNext.Store(5)
	waitFor(t, "a restart after the outage", func() bool { return count() == 2 })
	n = srv.requests.Load()
	waitFor(t, "checks after the restart", func() bool { return srv.requests.Load() >= n+10 })
	if count() != 2 {
		t.Fatalf("%d restarts, want exactly one per outage", count())
	}
}

type writerFunc func([]byte)

func (f writerFunc) Write(b []byte) (int, error) { f(b); return len(b), nil }

// startProbe returns yiting.service's ExecStartPost command, pointed at
// url, with curl's retry count set to retries.
func startProbe(t *testing.T, url string, retries int) []string {
	t.Helper()
	u := parseUnit(t, filepath.Join(repo(t), "deploy/yiting.service"))
	cmd := strings.Fields(u.value("Service", "ExecStartPost"))
	if len(cmd) == 0 || cmd[0] != "/usr/bin/curl" || cmd[len(cmd)-1] != "http://127.0.0.1:8080/healthz" {
		t.Fatalf("ExecStartPost=%v", cmd)
	}
	cmd[0], cmd[len(cmd)-1] = need(t, "curl", "curl"), url
	if i := slices.Index(cmd, "--retry"); i > 0 && retries > 0 {
		cmd[i+1] = fmt.Sprint(retries)
	}
	return cmd
}

// The unit's readiness probe waits for the server to answer, accepts a
// 503 (a full disk is no reason to restart), and fails when nothing ever
// listens.
func TestStartProbe(t *testing.T) {
	t.Run("waits until the server listens", func(t *testing.T) {
		port := freePort(t)
		cmd := startProbe(t, fmt.Sprintf("http://127.0.0.1:%d/healthz", port), 0)
		done := make(chan struct{})
		defer close(done)
		go func() {
			select { // the server starts late; the probe must wait for it
			case <-time.After(1500 * time.Millisecond):
			case <-done:
				return
			}
			ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
			if err != nil {
				return
			}
			go func() { <-done; ln.Close() }()
			http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"status":"ok"}`)) }))
		}()
		if out, err := tryCmd(nil, cmd[0], cmd[1:]...); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
	})
	t.Run("accepts 503", func(t *testing.T) {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		defer ln.Close()
		go http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) }))
		cmd := startProbe(t, "http://"+ln.Addr().String()+"/healthz", 2)
		if out, err := tryCmd(nil, cmd[0], cmd[1:]...); err != nil {
			t.Fatalf("the probe failed on a 503 (the unit would restart a server with a full disk): %v %s", err, out)
		}
	})
	t.Run("fails when nothing listens", func(t *testing.T) {
		cmd := startProbe(t, fmt.Sprintf("http://127.0.0.1:%d/healthz", freePort(t)), 2)
		if _, err := tryCmd(nil, cmd[0], cmd[1:]...); err == nil {
			t.Fatal("the probe passed with no server")
		}
	})
}
