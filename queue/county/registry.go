package county

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"yiting/queue"
	"yiting/queue/sites"
)

// Registry changes the hub's sites (issue 14, items 5 and 6): adding one
// makes its credentials, which the caller hands over once, and lets it
// link at once; removing one revokes its key and closes its link at once.
// The registry (sites.Store) is the truth; the hub's NATS server, when it
// runs, and whatever else follows the sites (OnChange: the read model's
// names, the outbox's deliveries) are set from it after every change, so
// the hub's admin changes the sites on a page without a restart. Without a
// server (the command line, the hub stopped) only the registry changes.
// A Registry is safe for concurrent use: changes are made one at a time.
type Registry struct {
	store    sites.Store
	pin      string
	hub      *HubServer
	onChange func([]sites.Site)
	now      func() time.Time
	log      *slog.Logger

	mu sync.Mutex // one change at a time: the registry and the server agree
}

// RegistryOptions configure a Registry. Store and Pin are required.
type RegistryOptions struct {
	Store sites.Store
	// Pin is the hub certificate's (tlspin): every site's credentials
	// carry it.
	Pin string
	// Hub is the running hub's server; nil when the hub is stopped.
	Hub *HubServer
	// OnChange is told the sites after each change.
	OnChange func([]sites.Site)
	Now      func() time.Time // time.Now if nil
	Logger   *slog.Logger     // slog.Default() if nil
}

// NewRegistry returns a registry on o.Store.
func NewRegistry(o RegistryOptions) (*Registry, error) {
	if o.Store == nil || o.Pin == "" {
		return nil, errors.New("county: a registry needs its store and the hub's pin")
	}
	r := &Registry{store: o.Store, pin: o.Pin, hub: o.Hub, onChange: o.OnChange, now: o.Now, log: o.Logger}
	if r.now == nil {
		r.now = time.Now
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	return r, nil
}

// Sites lists the registered sites, by id.
func (r *Registry) Sites(ctx context.Context) ([]sites.Site, error) { return r.store.Sites(ctx) }

// Add registers s as actor and returns its credentials, the only time
// their secret exists outside the caller: the hub keeps the public key.
// A 9-digit id is the site's region code unless s names one. It returns
// EINVALID for a bad id, name or region code, ECONFLICT for an id
// registered already; with a running hub the site may link as soon as
// Add returns.
func (r *Registry) Add(ctx context.Context, actor queue.Principal, s sites.Site) (Credentials, error) {
	s.Created, s.By = r.now(), actor.Actor()
	if s.RegionCode == "" && len(s.ID) == 9 {
		s.RegionCode = s.ID
	}
	if err := s.Check(); err != nil {
		return Credentials{}, err
	}
	creds, pub, err := NewCredentials(s.ID, r.pin)
	if err != nil {
		return Credentials{}, err
	}
	s.PublicKey = pub
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.store.AddSite(ctx, s); errors.Is(err, queue.ErrConflict) {
		return Credentials{}, queue.Errorf(queue.ECONFLICT, "站点 %s 已存在：如需新的凭据，先删除再重新添加 (site %s exists)", s.ID, s.ID)
	} else if err != nil {
		return Credentials{}, err
	}
	if err := r.apply(ctx); err != nil {
		if rerr := r.store.RemoveSite(ctx, s.ID); rerr != nil {
			r.log.Error("county: a site the hub refused stays registered", "site", s.ID, "err", rerr)
		}
		return Credentials{}, err
	}
	r.log.Info("county site added", "actor", s.By, "site", s.ID, "name", s.Name, "region", s.RegionCode)
	return creds, nil
}

// Remove removes the site id as actor: its credentials stop working and,
// with a running hub, its link is closed before Remove returns. What it
// sent stays in the county stream and the read model. It returns
// ENOTFOUND for no such site.
func (r *Registry) Remove(ctx context.Context, actor queue.Principal, id string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	list, err := r.store.Sites(ctx)
	if err != nil {
		return err
	}
	var old *sites.Site
	for i := range list {
		if list[i].ID == id {
			old = &list[i]
		}
	}
	if old == nil {
		return queue.Errorf(queue.ENOTFOUND, "没有这个站点：%q (no such site)", id)
	}
	if err := r.store.RemoveSite(ctx, id); err != nil {
		return err
	}
	if err := r.apply(ctx); err != nil {
		if rerr := r.store.AddSite(ctx, *old); rerr != nil {
			r.log.Error("county: a site the hub still knows is no longer registered", "site", id, "err", rerr)
		}
		return err
	}
	r.log.Info("county site removed", "actor", actor.Actor(), "site", id, "name", old.Name)
	return nil
}

// apply sets the running hub's sites from the registry and tells
// OnChange. r.mu is held.
func (r *Registry) apply(ctx context.Context) error {
	list, err := r.store.Sites(ctx)
	if err != nil {
		return err
	}
	if r.hub != nil {
		if err := r.hub.SetSites(ctx, HubSites(list)); err != nil {
			return fmt.Errorf("county: the hub's server did not take the sites: %w", err)
		}
	}
	if r.onChange != nil {
		r.onChange(list)
	}
	return nil
}

// HubSites are the registered sites as the hub's server knows them.
func HubSites(list []sites.Site) []HubSite {
	out := make([]HubSite, len(list))
	for i, s := range list {
		out[i] = HubSite{ID: s.ID, PublicKey: s.PublicKey}
	}
	return out
}
