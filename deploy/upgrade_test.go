package deploy

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakes builds deploy/testdata/fakeyiting once per stamped version and mode.
var fakes struct {
	sync.Mutex
	dir   string
	built map[string]string
}

// fake returns a fake yiting binary with that version, mode and schema
// (see testdata/fakeyiting).
func fake(t testing.TB, version, mode string, schema int) string {
	t.Helper()
	fakes.Lock()
	defer fakes.Unlock()
	if fakes.built == nil {
		dir, err := os.MkdirTemp("", "yiting-fakes-")
		if err != nil {
			t.Fatal(err)
		}
		fakes.dir, fakes.built = dir, map[string]string{}
	}
	key := fmt.Sprintf("%s-%s-%d", version, mode, schema)
	if p, ok := fakes.built[key]; ok {
		return p
	}
	p := filepath.Join(fakes.dir, key)
	runCmd(t, []string{"CGO_ENABLED=0"}, "go", "build", "-buildvcs=false", "-o", p,
		"-ldflags", fmt.Sprintf("-X main.version=%s -X main.mode=%s -X main.schema=%d", version, mode, schema),
		"./testdata/fakeyiting")
	fakes.built[key] = p
	return p
}

func TestMain(m *testing.M) {
	code := m.Run()
	if fakes.dir != "" {
		os.RemoveAll(fakes.dir)
	}
	os.Exit(code)
}

// hall is an installed yiting managed by start and stop scripts, the way
// systemd would manage it: the upgrade script's --start-cmd/--stop-cmd.
type hall struct {
	dir, bin, data, url string
	start, stop         string
}

func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// newHall installs bin with a database of the given schema and starts it.
func newHall(t *testing.T, bin string, schema int) *hall {
	t.Helper()
	dir := t.TempDir()
	h := &hall{dir: dir, bin: filepath.Join(dir, "bin/yiting"), data: filepath.Join(dir, "data")}
	os.MkdirAll(filepath.Dir(h.bin), 0o755)
	os.MkdirAll(h.data, 0o700)
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(h.bin, b, 0o755)
	os.WriteFile(filepath.Join(h.data, "yiting.db"), fmt.Appendf(nil, "schema=%d\n", schema), 0o600)
	port := freePort(t)
	h.url = fmt.Sprintf("http://127.0.0.1:%d/healthz", port)
	h.start = filepath.Join(dir, "start.sh")
	h.stop = filepath.Join(dir, "stop.sh")
	// The server is started in the background with its own output, as a
	// service manager would; stop waits until it is gone (a zombie
	// counts as gone: nobody may reap it in a container).
	os.WriteFile(h.start, fmt.Appendf(nil, `#!/bin/sh
cd %[1]q
%[2]q -addr 127.0.0.1:%[3]d -data %[4]q >>server.log 2>&1 </dev/null &
echo $! >pid
`, dir, h.bin, port, h.data), 0o755)
	os.WriteFile(h.stop, fmt.Appendf(nil, `#!/bin/sh
cd %[1]q
[ -f pid ] || exit 0
p=$(cat pid)
kill "$p" 2>/dev/null
while [ -e /proc/"$p" ] && ! grep -q '^[0-9]* ([^)]*) Z' /proc/"$p"/stat 2>/dev/null; do sleep 0.05; done
rm -f pid
`, dir), 0o755)
	runCmd(t, nil, h.start)
	t.Cleanup(func() { tryCmd(nil, h.stop) })
	if v := h.waitVersion(t); v == "" {
		t.Fatalf("the old version did not start: %s", readFile(t, filepath.Join(dir, "server.log")))
	}
	return h
}

// version asks /healthz who is serving; "" if nobody answers 200.
func (h *hall) version() string {
	c := http.Client{Timeout: time.Second}
	resp, err := c.Get(h.url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v struct{ Version string }
	if resp.StatusCode != 200 || json.Unmarshal(b, &v) != nil {
		return ""
	}
	return v.Version
}

func (h *hall) waitVersion(t testing.TB) string {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if v := h.version(); v != "" {
			return v
		}
	}
	return ""
}

// upgrade runs upgrade.sh to the new binary and returns its exit code and
// output.
func (h *hall) upgrade(t *testing.T, newBin string, extra ...string) (int, string) {
	t.Helper()
	args := append([]string{filepath.Join(repo(t), "deploy/upgrade.sh"),
		"--bin", h.bin, "--data", h.data, "--health-url", h.url, "--timeout", "3",
		"--start-cmd", h.start, "--stop-cmd", h.stop}, extra...)
	args = append(args, newBin)
	cmd := exec.Command("bash", args...)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	t.Logf("upgrade.sh (exit %d):\n%s", code, out)
	return code, string(out)
}

func (h *hall) db(t testing.TB) string { return readFile(t, filepath.Join(h.data, "yiting.db")) }

func sameFile(t testing.TB, a, b string) bool {
	t.Helper()
	return readFile(t, a) == readFile(t, b)
}

func TestUpgrade(t *testing.T) {
	need(t, "curl", "curl")
	v1 := fake(t, "v1", "ok", 1)

	t.Run("a good binary is installed and serves", func(t *testing.T) {
		h := newHall(t, v1, 1)
		v2 := fake(t, "v2", "ok", 2)
		code, _ := h.upgrade(t, v2)
		if code != 0 || h.version() != "v2" {
			t.Fatalf("exit %d, serving %q; want 0 and v2", code, h.version())
		}
		if !sameFile(t, h.bin+".prev", v1) || !sameFile(t, h.bin, v2) {
			t.Error("want the new binary in place and the old one as .prev")
		}
		if h.db(t) != "schema=1\n" || readFile(t, filepath.Join(h.data, "yiting.db.pre-upgrade")) != "schema=1\n" {
			t.Error("the database or its pre-upgrade copy changed")
		}
	})

	// Each broken binary: the upgrade fails, the old binary is back in
	// place and serving, the database is as before.
	for _, c := range []struct {
		name, mode string
		aside      bool // the database the failed version left is kept aside
	}{
		{"a binary that exits at start", "exit1", false},
		{"a binary that never answers 200", "unhealthy", false},
		{"a binary that migrates the database, then fails", "migrate-exit1", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHall(t, v1, 1)
			broken := fake(t, "v3", c.mode, 3)
			code, out := h.upgrade(t, broken)
			if code != 1 {
				t.Fatalf("exit %d, want 1 (rolled back)", code)
			}
			if v := h.waitVersion(t); v != "v1" {
				t.Fatalf("serving %q after the rollback, want v1", v)
			}
			if !sameFile(t, h.bin, v1) || !sameFile(t, h.bin+".failed", broken) {
				t.Error("want the old binary in place and the broken one as .failed")
			}
			if h.db(t) != "schema=1\n" {
				t.Errorf("database after the rollback: %q", h.db(t))
			}
			kept, _ := filepath.Glob(filepath.Join(h.data, "yiting.db.failed-upgrade-*"))
			if c.aside != (len(kept) == 1) {
				t.Fatalf("databases kept aside: %v (want one: %v)", kept, c.aside)
			}
			if c.aside && readFile(t, kept[0]) != "schema=3\n" {
				t.Error("the database the failed version left was not kept")
			}
			if !strings.Contains(out, "v1 is serving again") {
				t.Error("the output does not say the old version serves again")
			}
		})
	}

	t.Run("a binary that does not run here changes nothing", func(t *testing.T) {
		h := newHall(t, v1, 1)
		pid := readFile(t, filepath.Join(h.dir, "pid"))
		code, out := h.upgrade(t, fake(t, "v4", "noversion", 1))
		if code != 1 || !strings.Contains(out, "does not run on this machine") {
			t.Fatalf("exit %d", code)
		}
		if readFile(t, filepath.Join(h.dir, "pid")) != pid || h.version() != "v1" || !sameFile(t, h.bin, v1) {
			t.Fatal("the running server was touched")
		}
	})

	t.Run("a failure while the server is stopped starts the old one again", func(t *testing.T) {
		h := newHall(t, v1, 1)
		// The database cannot be copied aside: a directory is in the way.
		os.MkdirAll(filepath.Join(h.data, "yiting.db.pre-upgrade.tmp", "yiting.db", "x"), 0o700)
		code, out := h.upgrade(t, fake(t, "v2", "ok", 2))
		if code != 1 || !strings.Contains(out, "could not copy the database aside") {
			t.Fatalf("exit %d", code)
		}
		if v := h.waitVersion(t); v != "v1" || !sameFile(t, h.bin, v1) {
			t.Fatalf("serving %q: want v1, started again", v)
		}
	})

	t.Run("the same binary again", func(t *testing.T) {
		h := newHall(t, v1, 1)
		code, out := h.upgrade(t, v1)
		if code != 0 || !strings.Contains(out, "already") {
			t.Fatalf("exit %d", code)
		}
	})

	t.Run("an unhealthy server is not upgraded without --force", func(t *testing.T) {
		h := newHall(t, fake(t, "v1", "ok", 1), 1)
		// Replace the running server by an unhealthy one of the same version.
		runCmd(t, nil, h.stop)
		sick := fake(t, "v1s", "unhealthy", 1)
		os.WriteFile(h.bin, []byte(readFile(t, sick)), 0o755)
		runCmd(t, nil, h.start)
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			if out, _ := tryCmd(nil, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", h.url); out == "503" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the unhealthy server did not start")
			}
		}
		code, out := h.upgrade(t, fake(t, "v2", "ok", 2))
		if code != 1 || !strings.Contains(out, "HTTP 503") || !sameFile(t, h.bin, sick) {
			t.Fatalf("exit %d: want a refusal", code)
		}
		if code, _ := h.upgrade(t, fake(t, "v2", "ok", 2), "--force"); code != 0 || h.version() != "v2" {
			t.Fatalf("--force: exit %d, serving %q", code, h.version())
		}
	})
}
