package county_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"yiting/queue"
	"yiting/queue/boltstore"
	"yiting/queue/county"
	"yiting/queue/sites"
)

// The registry changes a running hub's sites: a site added links with
// the credentials Add returned, at once; the followers are told; a site
// added twice, a bad one and an unknown one to remove are refused by
// code; a removed site's link is closed at once and refused after.
func TestRegistryChangesTheRunningHub(t *testing.T) {
	ctx := context.Background()
	h := newHub(t)
	h.start()
	t.Cleanup(h.srv.Close)
	store, err := boltstore.Open(t.TempDir(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	var mu sync.Mutex
	var told [][]string
	reg, err := county.NewRegistry(county.RegistryOptions{Store: store, Pin: h.pin(), Hub: h.srv, Logger: quiet,
		OnChange: func(list []sites.Site) {
			mu.Lock()
			defer mu.Unlock()
			var ids []string
			for _, s := range list {
				ids = append(ids, s.ID)
			}
			told = append(told, ids)
		}})
	if err != nil {
		t.Fatal(err)
	}
	admin := queue.Principal{ID: "county-admin", Role: queue.RoleAdmin}
	creds, err := reg.Add(ctx, admin, sites.Site{ID: "site-c", Name: "丙镇综治中心"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "county.creds")
	if err := os.WriteFile(path, creds.Marshal("丙镇综治中心"), 0o600); err != nil {
		t.Fatal(err)
	}
	site, err := county.StartSiteServer(county.SiteServerOptions{Site: "site-c", StoreDir: t.TempDir(), Hub: h.url(), Credentials: path, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(site.Close)
	waitLink(t, site)
	if links, err := h.srv.Links(ctx); err != nil || len(links) != 1 || links[0].Site != "site-c" {
		t.Fatalf("the hub's links: %+v %v", links, err)
	}
	// The hub started with no site, when JetStream gives a stream without
	// sources a duplicate window: with its first source the county stream
	// has none, so no site's message id can drop another site's message.
	js, _ := jetstream.New(h.srv.Conn())
	st, err := js.Stream(ctx, county.CountyStream)
	if err != nil {
		t.Fatal(err)
	}
	if info, err := st.Info(ctx); err != nil || info.Config.Duplicates != 0 || len(info.Config.Sources) != 1 {
		t.Fatalf("the county stream: %+v %v", info.Config, err)
	}

	for _, bad := range []struct {
		s    sites.Site
		code string
	}{
		{sites.Site{ID: "site-c", Name: "又一个"}, queue.ECONFLICT},
		{sites.Site{ID: "county", Name: "县"}, queue.EINVALID},
		{sites.Site{ID: "site-d"}, queue.EINVALID},
	} {
		if _, err := reg.Add(ctx, admin, bad.s); queue.ErrorCode(err) != bad.code {
			t.Errorf("Add %+v: %v, want %s", bad.s, err, bad.code)
		}
	}
	if err := reg.Remove(ctx, admin, "site-x"); queue.ErrorCode(err) != queue.ENOTFOUND {
		t.Errorf("Remove of no such site: %v", err)
	}

	if err := reg.Remove(ctx, admin, "site-c"); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); site.LinkUp(); {
		if time.Now().After(deadline) {
			t.Fatal("the removed site's link stays up")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // the site dials again every second
	if site.LinkUp() {
		t.Fatal("the removed site linked again")
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.EqualFunc(told, [][]string{{"site-c"}, nil}, slices.Equal) {
		t.Fatalf("the followers were told %q", told)
	}
	if list, err := reg.Sites(ctx); err != nil || len(list) != 0 {
		t.Fatalf("the registry after: %+v %v", list, err)
	}
}
