package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"yiting/queue/booking"
)

// The appointment plans' edits made on the appointments page
// (queue/booking, plans.go), schema 12:
//
//	booking_plans  plan id → JSON booking.Edit
//	               "#version" → the plans' version (8 bytes): the edits committed
//
// A plan id never starts with '#' (queue.ValidID), so the version cannot
// meet an edit.
var (
	bucketBookingPlans = []byte("booking_plans")
	keyPlansVersion    = []byte("#version")
)

// putPlanEdit writes a plan's edit and counts the version up.
func putPlanEdit(tx *bolt.Tx, w *booking.PlanWrite) error {
	if w.Edit.ID == "" || w.Edit.ID[0] == '#' {
		return fmt.Errorf("boltstore: plan edit: a bad plan id %q", w.Edit.ID)
	}
	v, err := json.Marshal(w.Edit)
	if err != nil {
		return err
	}
	b := tx.Bucket(bucketBookingPlans)
	if err := b.Put([]byte(w.Edit.ID), v); err != nil {
		return err
	}
	return b.Put(keyPlansVersion, itob(btoi(b.Get(keyPlansVersion))+1))
}

// PlanEdits implements booking.Store.
func (s *Store) PlanEdits(ctx context.Context) ([]booking.Edit, uint64, error) {
	var out []booking.Edit
	var version uint64
	err := s.view(ctx, "booking plans", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketBookingPlans)
		version = btoi(b.Get(keyPlansVersion))
		return b.ForEach(func(k, v []byte) error {
			if bytes.Equal(k, keyPlansVersion) {
				return nil
			}
			var e booking.Edit
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("boltstore: plan edit %s: corrupt record: %w", k, err)
			}
			out = append(out, e)
			return nil
		})
	})
	return out, version, err
}

// PlansVersion implements booking.Store.
func (s *Store) PlansVersion(ctx context.Context) (uint64, error) {
	var version uint64
	err := s.view(ctx, "booking plans", func(tx *bolt.Tx) error {
		version = btoi(tx.Bucket(bucketBookingPlans).Get(keyPlansVersion))
		return nil
	})
	return version, err
}

// EachTaken implements booking.Store: a cursor over the plan's slots.
func (s *Store) EachTaken(ctx context.Context, plan string, from, to time.Time, fn func(start time.Time, n int) error) error {
	return s.view(ctx, "bookings", func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketBookingSlots).Cursor()
		prefix := []byte(plan + "|")
		end := slotKeyOf(plan, to)
		for k, v := c.Seek(slotKeyOf(plan, from)); k != nil && bytes.HasPrefix(k, prefix) && bytes.Compare(k, end) <= 0; k, v = c.Next() {
			if len(k) != len(prefix)+8 {
				continue
			}
			if n := int(btoi(v)); n > 0 {
				if err := fn(time.Unix(int64(binary.BigEndian.Uint64(k[len(prefix):])), 0), n); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
