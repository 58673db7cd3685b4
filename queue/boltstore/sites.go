package boltstore

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
	"yiting/queue/sites"
)

// bucketSites is the county hub's registry of its sites: id → JSON
// sites.Site (schema 7). A hall's file has the bucket and leaves it empty.
var bucketSites = []byte("county_sites")

var _ sites.Store = (*Store)(nil)

// AddSite implements sites.Store.
func (s *Store) AddSite(ctx context.Context, site sites.Site) error {
	return s.update(ctx, "sites", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSites)
		if b.Get([]byte(site.ID)) != nil {
			return fmt.Errorf("boltstore: site %q: %w", site.ID, queue.ErrConflict)
		}
		// Two sites of one region would number their cases alike.
		if site.RegionCode != "" {
			err := b.ForEach(func(_, v []byte) error {
				var other sites.Site
				if err := json.Unmarshal(v, &other); err != nil {
					return err
				}
				if other.RegionCode == site.RegionCode {
					return queue.Invalid("region_code", "区划代码 %s 已由站点 %s（%s）使用：两个站点的案件码会重复", site.RegionCode, other.ID, other.Name)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		return putAccountJSON(b, site.ID, site)
	})
}

// RemoveSite implements sites.Store.
func (s *Store) RemoveSite(ctx context.Context, id string) error {
	return s.update(ctx, "sites", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSites)
		if b.Get([]byte(id)) == nil {
			return fmt.Errorf("boltstore: site %q: %w", id, queue.ErrNotFound)
		}
		return b.Delete([]byte(id))
	})
}

// Sites implements sites.Store: every site, by id.
func (s *Store) Sites(ctx context.Context) ([]sites.Site, error) {
	return listAccounts[sites.Site](s, ctx, bucketSites, "site")
}
