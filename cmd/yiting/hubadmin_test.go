package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestHubSitesWhileRunning (issue 14, items 5 and 6): the hub's admin
// adds a site on the running hub's page and downloads its credentials;
// a hall with them links at once and its events reach the county's read
// model, without the hub restarting. The admin removes it: its link is
// closed at once and stays refused, and what it writes after is not the
// county's; what it sent before stays.
func TestHubSitesWhileRunning(t *testing.T) {
	if testing.Short() {
		t.Skip("a hub and a site as processes")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	leaf := freeAddr(t)
	hub := startServer(t, []string{"YITING_ADMIN_PASSWORD=county-hub-pw"}, "-role", "hub", "-data", t.TempDir(), "-addr", "127.0.0.1:0", "-leaf-addr", leaf)
	admin := hubLogin(t, hub.url, "admin", "county-hub-pw")
	const id = "421224105"

	// The page's form answers with the credentials file.
	resp := hubForm(t, hub.url, admin, "/county/admin/sites", url.Values{"id": {id}, "name": {"大畈镇综治中心"}})
	creds, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), id+".creds") {
		t.Fatalf("adding a site: %s %v", resp.Status, resp.Header)
	}
	credsPath := filepath.Join(t.TempDir(), "county.creds")
	if err := os.WriteFile(credsPath, creds, 0o600); err != nil {
		t.Fatal(err)
	}
	site := startServer(t, []string{"YITING_ADMIN_PASSWORD=county-net-pw"}, "-config", siteHallFile(t, id, "tls://"+leaf, credsPath), "-data", t.TempDir(), "-role", "server", "-addr", "127.0.0.1:0")
	c, err := login(ctx, site.url, "admin", "county-net-pw")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	issue := func(k int) {
		for range k {
			n++
			if _, err := c.do(ctx, "POST", "/api/v1/tickets", "t-"+strconv.Itoa(n), map[string]any{"service": "consult"}, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	issue(3)
	// The site's whole log reaches the county's read model, under the
	// name the admin gave, with no restart of the hub.
	published := sitePublished(t, ctx, c)
	for deadline := time.Now().Add(2 * time.Minute); ; {
		m := hubModelSites(t, hub.url, admin)[id]
		if m.Last == published {
			if !m.Named || m.Name != "大畈镇综治中心" || m.Tickets.Issued != n {
				t.Fatalf("the site at the hub: %+v", m)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the hub's model of the site added while it ran: %+v; the site published %d", m, published)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if up := siteLinkUp(t, ctx, c); up != 1 {
		t.Fatalf("the site's link: %v", up)
	}
	// The hub's /metrics shows what the county sees of the site.
	views, err := (&countyWatch{url: hub.url + "/metrics"}).read(ctx, http.DefaultClient)
	if err != nil || views[id] != published {
		t.Fatalf("the hub's yiting_county_site_view_event: %v %v, want %d for %s", views, err, published, id)
	}

	for deadline := time.Now().Add(15 * time.Second); ; {
		if c := hubSiteConnected(t, hub.url, admin, id); c != nil && *c {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the county's API never showed the site linked")
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Removed: the link is closed at once and the site cannot return.
	resp = hubForm(t, hub.url, admin, "/county/admin/sites/"+id+"/remove", url.Values{"confirm": {id}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/county/admin?removed="+id {
		t.Fatalf("removing the site: %s to %q", resp.Status, resp.Header.Get("Location"))
	}
	for deadline := time.Now().Add(10 * time.Second); siteLinkUp(t, ctx, c) != 0; {
		if time.Now().After(deadline) {
			t.Fatal("the removed site's link stays up")
		}
		time.Sleep(100 * time.Millisecond)
	}
	issue(2)
	after := sitePublished(t, ctx, c)
	if after <= published {
		t.Fatalf("the site published %d after %d", after, published)
	}
	time.Sleep(5 * time.Second) // the site dials again every second or so
	if up := siteLinkUp(t, ctx, c); up != 0 {
		t.Fatal("the removed site linked again")
	}
	m := hubModelSites(t, hub.url, admin)[id]
	if m.Last != published || m.Named {
		t.Fatalf("the removed site at the hub: %+v; it had published %d before", m, published)
	}
	// Its row on the county's pages says it is off line, not what its
	// link was before the removal.
	if c := hubSiteConnected(t, hub.url, admin, id); c == nil || *c {
		t.Fatalf("the removed site's link on the county's API: %v", c)
	}
	if _, ok := hubLastEvents(t, hub.url)[id]; ok {
		t.Fatal("the hub's /metrics still lists the removed site's link")
	}
}

// hubSiteConnected reads a site's link from the hub's API: nil when
// unknown.
func hubSiteConnected(t *testing.T, base string, cookie *http.Cookie, site string) *bool {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/api/v1/sites", nil)
	req.AddCookie(cookie)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Sites []struct {
			Site      string `json:"site"`
			Connected *bool  `json:"connected"`
		} `json:"sites"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	for _, s := range body.Sites {
		if s.Site == site {
			return s.Connected
		}
	}
	t.Fatalf("the hub's API lists no site %s", site)
	return nil
}

// hubForm posts a form to the hub as the cookie's person, not following
// a redirect.
func hubForm(t *testing.T, base string, cookie *http.Cookie, path string, form url.Values) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(cookie)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

var linkUpLine = regexp.MustCompile(`(?m)^yiting_county_link_up (\S+)$`)

// siteLinkUp reads the site's yiting_county_link_up.
func siteLinkUp(t *testing.T, ctx context.Context, c *client) float64 {
	t.Helper()
	body, status := siteMetricsPage(t, ctx, c)
	m := linkUpLine.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the site's /metrics lacks yiting_county_link_up: %d", status)
	}
	v, _ := strconv.ParseFloat(m[1], 64)
	return v
}

// sitePublished waits until the site's own stream holds its whole log,
// and returns its last event.
func sitePublished(t *testing.T, ctx context.Context, c *client) uint64 {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); ; {
		published, lag := countyMetrics(t, ctx, c)
		if lag == 0 && published > 0 {
			return published
		}
		if time.Now().After(deadline) {
			t.Fatalf("the site's stream lags its log by %d", lag)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
