package boltstore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
)

var _ queue.Store = (*Store)(nil)

var keyState = []byte("state") // in bucketMeta: the engine's queue.Meta

// Load reads what the engine rebuilds its memory from: a short read
// transaction that touches only the current business day, so start-up
// does not grow with the event log.
func (s *Store) Load(ctx context.Context) (*queue.Snapshot, error) {
	snap := &queue.Snapshot{Numbers: map[string]int{}, Idem: map[string]uint64{}}
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyState); v != nil {
			if err := json.Unmarshal(v, &snap.Meta); err != nil {
				return fmt.Errorf("meta: %w", err)
			}
		}
		c := tx.Bucket(bucketTickets).Cursor()
		for k, v := c.Seek(itob(snap.Meta.DayStartID)); k != nil; k, v = c.Next() {
			t, err := decodeTicket(v)
			if err != nil {
				return fmt.Errorf("ticket %d: %w", btoi(k), err)
			}
			snap.Tickets = append(snap.Tickets, t)
		}
		err := tx.Bucket(bucketCounters).ForEach(func(k, v []byte) error {
			cs := new(queue.CounterState)
			if err := json.Unmarshal(v, cs); err != nil {
				return fmt.Errorf("counter %s: %w", k, err)
			}
			snap.Counters = append(snap.Counters, cs)
			return nil
		})
		if err != nil {
			return err
		}
		prefix := []byte(snap.Meta.Day + "|")
		c = tx.Bucket(bucketSeq).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			snap.Numbers[string(k[len(prefix):])] = int(btoi(v))
		}
		c = tx.Bucket(bucketIdem).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			snap.Idem[string(k[len(prefix):])] = btoi(v)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: load: %w", err)
	}
	return snap, nil
}

// Commit writes one batch in one transaction, fsynced before it returns.
func (s *Store) Commit(ctx context.Context, b *queue.Batch) error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		meta, err := json.Marshal(b.Meta)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketMeta).Put(keyState, meta); err != nil {
			return err
		}
		if b.Meta.Day != "" {
			db := tx.Bucket(bucketDays)
			if db.Get([]byte(b.Meta.Day)) == nil {
				if err := db.Put([]byte(b.Meta.Day), itob(b.Meta.DayStartID)); err != nil {
					return err
				}
			}
		}
		tb := tx.Bucket(bucketTickets)
		tb.FillPercent = 0.9 // ids only grow: pack pages
		for _, t := range b.Tickets {
			v, err := encodeTicket(t)
			if err != nil {
				return err
			}
			if err := tb.Put(itob(t.ID), v); err != nil {
				return err
			}
		}
		if err := dropDayStats(tx, b.Tickets); err != nil {
			return err
		}
		cb := tx.Bucket(bucketCounters)
		for _, c := range b.Counters {
			v, err := json.Marshal(c)
			if err != nil {
				return err
			}
			if err := cb.Put([]byte(c.ID), v); err != nil {
				return err
			}
		}
		if b.DropDay != "" {
			for _, bk := range [][]byte{bucketSeq, bucketIdem} {
				if err := dropPrefix(tx.Bucket(bk), []byte(b.DropDay+"|")); err != nil {
					return err
				}
			}
		}
		day := b.Meta.Day + "|"
		sb := tx.Bucket(bucketSeq)
		for svc, n := range b.Numbers {
			if err := sb.Put([]byte(day+svc), itob(uint64(n))); err != nil {
				return err
			}
		}
		ib := tx.Bucket(bucketIdem)
		for k, id := range b.Idem {
			if err := ib.Put([]byte(day+k), itob(id)); err != nil {
				return err
			}
		}
		eb := tx.Bucket(bucketEvents)
		eb.FillPercent = 1.0 // append-only
		for i := range b.Events {
			v, err := encodeEvent(&b.Events[i])
			if err != nil {
				return err
			}
			if err := eb.Put(itob(b.Events[i].Seq), v); err != nil {
				return err
			}
		}
		for _, w := range b.Writes {
			if err := writeRecord(tx, w); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return unavailable("commit", err)
	}
	return nil
}

func dropPrefix(b *bolt.Bucket, prefix []byte) error {
	c := b.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
		if err := c.Delete(); err != nil {
			return err
		}
	}
	return nil
}

// Events returns up to limit events after the given sequence number.
func (s *Store) Events(ctx context.Context, after uint64, limit int) ([]queue.Event, error) {
	var out []queue.Event
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketEvents).Cursor()
		for k, v := c.Seek(itob(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
			ev, err := decodeEvent(v)
			if err != nil {
				return fmt.Errorf("event %d: %w", btoi(k), err)
			}
			out = append(out, ev)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: events: %w", err)
	}
	return out, nil
}

// Ticket returns any ticket ever issued.
func (s *Store) Ticket(ctx context.Context, id uint64) (*queue.Ticket, error) {
	var t *queue.Ticket
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketTickets).Get(itob(id))
		if v == nil {
			return nil
		}
		var err error
		t, err = decodeTicket(v)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("boltstore: ticket %d: %w", id, err)
	}
	if t == nil {
		return nil, queue.Errorf(queue.ENOTFOUND, "没有%s号票 (no such ticket)", strconv.FormatUint(id, 10))
	}
	return t, nil
}

// EachTicket calls fn for every ticket ever issued, in id order, inside
// one read transaction: keep fn quick.
func (s *Store) EachTicket(ctx context.Context, fn func(*queue.Ticket) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTickets).ForEach(func(k, v []byte) error {
			t, err := decodeTicket(v)
			if err != nil {
				return fmt.Errorf("boltstore: ticket %d: %w", btoi(k), err)
			}
			return fn(t)
		})
	})
}

// TicketsBetween calls fn for every ticket of the business days from..to
// (inclusive, "2006-01-02"), in id order, inside one read transaction.
func (s *Store) TicketsBetween(ctx context.Context, from, to string, fn func(*queue.Ticket) error) error {
	return s.db.View(func(tx *bolt.Tx) error {
		k, v := tx.Bucket(bucketDays).Cursor().Seek([]byte(from))
		if k == nil || string(k) > to {
			return nil
		}
		c := tx.Bucket(bucketTickets).Cursor()
		for k, v := c.Seek(v); k != nil; k, v = c.Next() {
			t, err := decodeTicket(v)
			if err != nil {
				return fmt.Errorf("boltstore: ticket %d: %w", btoi(k), err)
			}
			if t.Day > to {
				return nil
			}
			if t.Day >= from {
				if err := fn(t); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
