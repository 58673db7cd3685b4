package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"yiting/queue"
	"yiting/queue/county"
)

// TestCountySiteStream: a hall file naming a county site makes yiting
// copy its events into the site's stream, in its data directory; /metrics
// shows how far; after a stop and a restart, with tickets issued before
// and after, the stream holds every event of the log once, in order.
func TestCountySiteStream(t *testing.T) {
	path := siteHallFile(t, "421224101", "", "")
	dir := t.TempDir()
	env := []string{"YITING_ADMIN_PASSWORD=county-site-pw"}
	ctx := testCtx(t)
	last := uint64(0)
	for round := 0; round < 2; round++ {
		srv := startServer(t, env, "-config", path, "-data", dir, "-role", "server", "-addr", "127.0.0.1:0")
		c, err := login(ctx, srv.url, "admin", "county-site-pw")
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 5; i++ {
			if _, err := c.do(ctx, "POST", "/api/v1/tickets", "county-"+strconv.Itoa(round)+"-"+strconv.Itoa(i), map[string]any{"service": "consult"}, nil); err != nil {
				t.Fatal(err)
			}
		}
		// Everything in the log is in the stream: no lag, and more than
		// before the restart.
		deadline := time.Now().Add(20 * time.Second)
		for {
			published, lag := countyMetrics(t, ctx, c)
			if lag == 0 && published > last {
				last = published
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("round %d: published %d (before: %d), lag %d", round, published, last, lag)
			}
			time.Sleep(50 * time.Millisecond)
		}
		srv.stop(t)
	}

	site, err := county.StartSiteServer(county.SiteServerOptions{Site: "421224101", StoreDir: filepath.Join(dir, "nats")})
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	js, _ := jetstream.New(site.Conn())
	st, err := js.Stream(ctx, county.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := st.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.State.Msgs != last || info.State.FirstSeq != 1 {
		t.Fatalf("the stream holds %d messages from %d; the log %d events", info.State.Msgs, info.State.FirstSeq, last)
	}
	for seq := uint64(1); seq <= info.State.LastSeq; seq++ {
		m, err := st.GetMsg(ctx, seq)
		if err != nil {
			t.Fatal(err)
		}
		var ev queue.Event
		if err := json.Unmarshal(m.Data, &ev); err != nil || ev.Seq != seq {
			t.Fatalf("message %d: event %d, %v", seq, ev.Seq, err)
		}
	}
}

var metricLine = regexp.MustCompile(`(?m)^(yiting_county_published_event|yiting_county_lag_events) (\S+)$`)

// siteMetricsPage reads a site's /metrics as its admin.
func siteMetricsPage(t *testing.T, ctx context.Context, c *client) (body string, status int) {
	t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", c.base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b), resp.StatusCode
}

// countyMetrics reads the county link's two gauges from /metrics.
func countyMetrics(t *testing.T, ctx context.Context, c *client) (published, lag uint64) {
	t.Helper()
	body, status := siteMetricsPage(t, ctx, c)
	found := 0
	for _, m := range metricLine.FindAllStringSubmatch(body, -1) {
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			t.Fatal(err)
		}
		found++
		if m[1] == "yiting_county_published_event" {
			published = uint64(v)
		} else {
			lag = uint64(v)
		}
	}
	if found != 2 {
		t.Fatalf("/metrics lacks the county gauges: %d found (status %d)", found, status)
	}
	return published, lag
}

// siteHallFile writes the default hall file as a county site's: its site
// id, and the hub and credentials file when not "" (a site alone
// otherwise); it returns its path.
func siteHallFile(t *testing.T, site, hub, creds string) string {
	t.Helper()
	def, err := os.ReadFile(filepath.Join("..", "..", "firmware-config", "default.toml"))
	if err != nil {
		t.Fatal(err)
	}
	hall := strings.Replace(string(def), "[county]\nsite = \"\"\nhub = \"\"\ncredentials = \"\"",
		fmt.Sprintf("[county]\nsite = %q\nhub = %q\ncredentials = %q", site, hub, creds), 1)
	if hall == string(def) {
		t.Fatal("the default hall file has no empty [county] section to set")
	}
	if len(site) == 9 && strings.Trim(site, "0123456789") == "" { // a township: its codes carry its region
		hall = strings.Replace(hall, `region_code = "421224"`, fmt.Sprintf("region_code = %q", site), 1)
	}
	path := filepath.Join(t.TempDir(), "hall.toml")
	if err := os.WriteFile(path, []byte(hall), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
