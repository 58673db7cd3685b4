package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	hallconfig "yiting/firmware-config"
)

func TestSecondProcessOnSameDataFailsFast(t *testing.T) {
	dir := t.TempDir()
	startServer(t, []string{"YITING_ADMIN_PASSWORD=first-process-pw"}, "-data", dir, "-addr", "127.0.0.1:0")
	var out bytes.Buffer
	start := time.Now()
	err := run(context.Background(), []string{"-data", dir, "-addr", "127.0.0.1:0"}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "in use by another yiting process") || !strings.Contains(err.Error(), dir) {
		t.Fatalf("second process: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("second process took %v to give up", d)
	}
}

func TestInvalidConfigNamesFileAndField(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hall.toml")
	bad := strings.Replace(string(hallconfig.DefaultFile()), `prefix = "A"`, `prefix = "AA"`, 1)
	if err := os.WriteFile(path, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"-config", path, "-data", t.TempDir()}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "prefix") || !strings.Contains(err.Error(), `"AA"`) {
		t.Fatalf("invalid config: %v", err)
	}
}

func TestPrintConfigRoundTrips(t *testing.T) {
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"-print-config"}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	cfg, err := hallconfig.Parse("printed", out.Bytes())
	if err != nil {
		t.Fatalf("printed configuration does not load: %v", err)
	}
	if cfg.Hall.Name != "通山县综治中心" || cfg.Hall.RegionCode != "421224" {
		t.Fatalf("printed configuration: %s %s", cfg.Hall.Name, cfg.Hall.RegionCode)
	}
}

// SIGTERM with requests in flight: the server finishes them, closes the
// database and exits 0; a restart finds every acknowledged ticket.
func TestSigtermDrains(t *testing.T) {
	dir := t.TempDir()
	env := []string{"YITING_ADMIN_PASSWORD=sigterm-test-pw"}
	srv := startServer(t, env, "-data", dir, "-addr", "127.0.0.1:0")
	ctx := testCtx(t)
	c, err := login(ctx, srv.url, "admin", "sigterm-test-pw")
	if err != nil {
		t.Fatal(err)
	}
	acked := make(chan string, 1000)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			var out issuedTicket
			if _, err := c.do(ctx, "POST", "/api/v1/tickets", "sig-"+strings.Repeat("x", i%3)+time.Now().Format("150405.000000000"), map[string]any{"service": "petition", "persons": []any{synthCard(i)}}, &out); err != nil {
				return
			}
			acked <- out.Ticket.Number
		}
	}()
	time.Sleep(300 * time.Millisecond)
	srv.stop(t)
	<-done
	close(acked)
	srv = startServer(t, env, "-data", dir, "-addr", "127.0.0.1:0")
	c, err = login(ctx, srv.url, "admin", "sigterm-test-pw")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for number := range acked {
		if _, err := c.do(ctx, "GET", "/api/v1/tickets/by-number/"+number, "", nil, nil); err != nil {
			t.Errorf("acknowledged %s after SIGTERM and restart: %v", number, err)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no ticket was issued before SIGTERM")
	}
}

// -role server runs the hall server without a kiosk on the machine: no
// reader or printer is opened and /kiosk is not served.
func TestRoleServerRunsNoKiosk(t *testing.T) {
	srv := startServer(t, []string{"YITING_ADMIN_PASSWORD=role-server-pw"}, "-role", "server", "-data", t.TempDir(), "-addr", "127.0.0.1:0")
	resp, err := http.Get(srv.url + "/kiosk")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("GET /kiosk on a server without a kiosk: %d", resp.StatusCode)
	}
	if resp, err = http.Get(srv.url + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	srv.stop(t)
}
