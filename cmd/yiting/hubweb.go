package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/nats-io/nats.go/jetstream"

	hallconfig "yiting/firmware-config"
	"yiting/queue/access"
	"yiting/queue/boltstore"
	"yiting/queue/county"
	"yiting/queue/county/countyview"
	"yiting/queue/county/countyweb"
	"yiting/queue/sites"
	"yiting/queue/web"
)

// countyView is the hub's read model with what runs around it.
type countyView struct {
	model *countyview.Model
	links *hubLinks
	stop  func() // after the HTTP server stopped
}

// startCountyView opens the hub's read model (county.db beside the
// registry), folds the county stream into it until ctx ends, delivers the
// outbox's commands to the sites, and mounts the county's pages, API and
// logins on mux, with the admin's page where sites and accounts change
// while the hub runs (county.Registry: the NATS server's keys at once,
// then the read model's names and the outbox's sites). Accounts are the
// hub's own, in its bbolt: the first start prints the admin's one-time
// password.
func startCountyView(ctx context.Context, o *options, store *boltstore.Store, hub *county.HubServer, pin string, list []sites.Site,
	mux *http.ServeMux, log *slog.Logger, stdout io.Writer) (*countyView, error) {
	acc, err := access.New(ctx, store, access.Options{Logger: log})
	if err != nil {
		return nil, err
	}
	if err := bootstrapAdmin(ctx, acc, stdout); err != nil {
		return nil, err
	}
	loc, err := time.LoadLocation(hallconfig.DefaultTimezone)
	if err != nil {
		return nil, err
	}
	model, err := countyview.Open(filepath.Join(o.data, "county.db"), countyview.Options{Sites: siteNames(list), Location: loc, Logger: log})
	if err != nil {
		return nil, err
	}
	js, err := jetstream.New(hub.Conn())
	if err != nil {
		model.Close()
		return nil, err
	}
	outbox, err := county.NewOutbox(ctx, hub, log)
	if err != nil {
		model.Close()
		return nil, err
	}
	var ids atomic.Pointer[[]string]
	follow := func(list []sites.Site) {
		if err := model.SetSites(siteNames(list)); err != nil {
			log.Error("county: the read model's sites", "err", err)
		}
		l := make([]string, len(list))
		for i, s := range list {
			l[i] = s.ID
		}
		ids.Store(&l)
	}
	follow(list)
	registry, err := county.NewRegistry(county.RegistryOptions{Store: store, Pin: pin, Hub: hub, OnChange: follow, Logger: log})
	if err != nil {
		model.Close()
		return nil, err
	}
	rctx, cancel := context.WithCancel(ctx)
	links := &hubLinks{hub: hub, log: log, links: map[string]countyweb.Link{}}
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); model.Run(rctx, js) }()
	go func() { defer wg.Done(); links.run(rctx, 2*time.Second) }()
	go func() { defer wg.Done(); outbox.Run(rctx, func() []string { return *ids.Load() }) }()
	v := &countyView{model: model, links: links, stop: func() {
		cancel()
		wg.Wait()
		model.Close()
	}}
	srv, err := countyweb.New(countyweb.Options{Model: model, Auth: acc, Links: links, Commands: outbox, Registry: registry, Users: acc,
		County: o.hub.countyName, Logger: log})
	if err != nil {
		v.stop()
		return nil, err
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	if err := r.SetTrustedProxies(nil); err != nil {
		v.stop()
		return nil, err
	}
	srv.Routes(r)
	for _, p := range []string{"/login", "/password", "/logout", "/c/", "/county", "/county/", "/api/v1/sites", "/api/v1/sites/", "/api/v1/county/"} {
		mux.Handle(p, r)
	}
	assets, err := web.Assets()
	if err != nil {
		v.stop()
		return nil, err
	}
	mux.Handle("GET /ui/", assets)
	mux.Handle("GET /{$}", http.RedirectHandler("/county", http.StatusSeeOther))
	return v, nil
}

// siteNames are the registered sites as the county's pages name them.
func siteNames(list []sites.Site) []countyview.SiteName {
	names := make([]countyview.SiteName, len(list))
	for i, s := range list {
		names[i] = countyview.SiteName{ID: s.ID, Name: s.Name}
	}
	return names
}

// hubLinks keeps the sites' links as the hub's NATS server last told
// them, refreshed every few seconds: the pages ask for every site on
// every request, which must not wait on the server.
type hubLinks struct {
	hub *county.HubServer
	log *slog.Logger

	mu    sync.Mutex
	links map[string]countyweb.Link
	last  []county.Link // as the server told them last, for /metrics
}

// raw are the links as the server told them last.
func (h *hubLinks) raw() []county.Link {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.last
}

func (h *hubLinks) Link(site string) countyweb.Link {
	h.mu.Lock()
	defer h.mu.Unlock()
	if l, ok := h.links[site]; ok {
		return l
	}
	return countyweb.Link{Pending: -1}
}

func (h *hubLinks) run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		h.refresh(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (h *hubLinks) refresh(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	links, err := h.hub.Links(ctx)
	if err != nil {
		if ctx.Err() == nil {
			h.log.Warn("county links", "err", err)
		}
		return
	}
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	h.last = links
	// Only the registered sites: a removed one's link is unknown (down).
	fresh := make(map[string]countyweb.Link, len(links))
	for _, l := range links {
		prev, known := h.links[l.Site]
		next := countyweb.Link{Connected: l.Up, Since: prev.Since, Pending: int64(l.Lag)}
		switch {
		case !known && l.Up && l.Seen >= 0:
			next.Since = time.Time{} // up since before the hub knew: unknown
		case !known:
		case prev.Connected != l.Up:
			next.Since = now
		}
		fresh[l.Site] = next
	}
	h.links = fresh
}

// bootstrapAdmin makes the account admin on the first start, with
// $YITING_ADMIN_PASSWORD or a generated password that works once, printed
// to the terminal or journal of that start only.
func bootstrapAdmin(ctx context.Context, acc *access.Service, stdout io.Writer) error {
	generated, err := acc.Bootstrap(ctx, os.Getenv("YITING_ADMIN_PASSWORD"))
	if err != nil {
		return err
	}
	if generated != "" {
		fmt.Fprintf(stdout, "首次启动：管理员账号 admin 的一次性密码是 %s ，请登录后立即修改。\n"+
			"First start: the one-time password of user admin is %s — log in and change it.\n", generated, generated)
	}
	return nil
}
