package boltstore

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
	"yiting/queue/rota"
)

// The duty rota (queue/rota), schema 5:
//
//	rota  day + "|" + kind + "|" + counter → JSON rota.Entry
//
// Keys start with the day, so a range of days is a cursor seek.
var bucketRota = []byte("rota")

var _ rota.Store = (*Store)(nil)

// RotaBetween implements rota.Store.
func (s *Store) RotaBetween(ctx context.Context, from, to string) ([]rota.Entry, error) {
	var out []rota.Entry
	err := s.view(ctx, "rota", func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRota).Cursor()
		end := to + "|\xff"
		for k, v := c.Seek([]byte(from)); k != nil && string(k) <= end; k, v = c.Next() {
			var e rota.Entry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("boltstore: rota %s: %w", k, err)
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// PutRota implements rota.Store.
func (s *Store) PutRota(ctx context.Context, e rota.Entry) error {
	v, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return s.update(ctx, "rota", func(tx *bolt.Tx) error { return tx.Bucket(bucketRota).Put([]byte(e.Key()), v) })
}

// DeleteRota implements rota.Store.
func (s *Store) DeleteRota(ctx context.Context, key string) error {
	return s.update(ctx, "rota", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRota)
		if b.Get([]byte(key)) == nil {
			return queue.Errorf(queue.ENOTFOUND, "没有这条值班安排 (no such entry)")
		}
		return b.Delete([]byte(key))
	})
}
