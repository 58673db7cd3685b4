package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
	"yiting/queue/booking"
	"yiting/queue/cases"
)

// The appointment diary (queue/booking), schema 7:
//
//	bookings          id → JSON booking.Booking (sealed personal data inside)
//	booking_codes     keyed hash of a code → id + "|" + party index
//	booking_days      day (4 bytes) + id → ""
//	booking_visitors  visitor key + "|" + day (4 bytes) + id → ""
//	booking_cases     case code + "|" + id → ""
//	booking_slots     plan + "|" + start (8 bytes, Unix seconds) → active bookings
//	booking_idem      hashed idempotency key → id
//
// Every index is derived in putBooking from the record it replaces and the
// new one, so they cannot drift from the bookings.
var (
	bucketBookings        = []byte("bookings")
	bucketBookingCodes    = []byte("booking_codes")
	bucketBookingDays     = []byte("booking_days")
	bucketBookingVisitors = []byte("booking_visitors")
	bucketBookingCases    = []byte("booking_cases")
	bucketBookingSlots    = []byte("booking_slots")
	bucketBookingIdem     = []byte("booking_idem")
)

var bookingBuckets = [][]byte{bucketBookings, bucketBookingCodes, bucketBookingDays, bucketBookingVisitors, bucketBookingCases,
	bucketBookingSlots, bucketBookingIdem}

var _ booking.Store = (*Store)(nil)

func slotKeyOf(plan string, start time.Time) []byte {
	k := make([]byte, 0, len(plan)+9)
	k = append(append(k, plan...), '|')
	return binary.BigEndian.AppendUint64(k, uint64(start.Unix()))
}

func visitorDayKey(vk string, day cases.Date, id string) []byte {
	k := append([]byte(vk+"|"), dayKey(day, "")...)
	return append(k, id...)
}

func getBooking(tx *bolt.Tx, id string) (*booking.Booking, error) {
	v := tx.Bucket(bucketBookings).Get([]byte(id))
	if v == nil {
		return nil, queue.Errorf(queue.ENOTFOUND, "没有这个预约 (no such booking)")
	}
	b := new(booking.Booking)
	if err := json.Unmarshal(v, b); err != nil {
		return nil, fmt.Errorf("boltstore: booking %s: corrupt record: %w", id, err)
	}
	return b, nil
}

// putBooking writes a booking and moves its indexes from the record it
// replaces.
func putBooking(tx *bolt.Tx, w *booking.Write) error {
	b := w.Booking
	if b == nil || b.ID == "" || b.Day == 0 {
		return fmt.Errorf("boltstore: booking write: the write needs a booking with an id and a day")
	}
	old, err := getBooking(tx, b.ID)
	switch {
	case err == nil && w.New:
		return fmt.Errorf("boltstore: booking %s exists", b.ID)
	case err != nil && queue.ErrorCode(err) != queue.ENOTFOUND:
		return err
	case err != nil:
		old = nil
	}
	if old != nil {
		if err := indexBooking(tx, old, -1); err != nil {
			return err
		}
	}
	if err := indexBooking(tx, b, 1); err != nil {
		return err
	}
	val, err := json.Marshal(b)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketBookings).Put([]byte(b.ID), val); err != nil {
		return err
	}
	if w.IdemKey != "" {
		return tx.Bucket(bucketBookingIdem).Put([]byte(w.IdemKey), []byte(b.ID))
	}
	return nil
}

// indexBooking adds (dir 1) or removes (dir -1) a booking's index entries.
func indexBooking(tx *bolt.Tx, b *booking.Booking, dir int) error {
	put := func(bk []byte, k, v []byte) error {
		if dir < 0 {
			return tx.Bucket(bk).Delete(k)
		}
		return tx.Bucket(bk).Put(k, v)
	}
	if err := put(bucketBookingDays, dayKey(b.Day, b.ID), nil); err != nil {
		return err
	}
	if b.CaseCode != "" {
		if err := put(bucketBookingCases, []byte(b.CaseCode+"|"+b.ID), nil); err != nil {
			return err
		}
	}
	for i, pt := range b.Parties {
		if pt.VisitorKey != "" {
			if err := put(bucketBookingVisitors, visitorDayKey(pt.VisitorKey, b.Day, b.ID), nil); err != nil {
				return err
			}
		}
		if err := put(bucketBookingCodes, []byte(pt.CodeKey), []byte(b.ID+"|"+strconv.Itoa(i))); err != nil {
			return err
		}
	}
	if !b.Active() {
		return nil
	}
	sb := tx.Bucket(bucketBookingSlots)
	k := slotKeyOf(b.Plan, b.Start)
	n := int64(btoi(sb.Get(k))) + int64(dir)
	switch {
	case n < 0:
		return fmt.Errorf("boltstore: booking %s: the slot's count would go below zero", b.ID)
	case n == 0:
		return sb.Delete(k)
	}
	return sb.Put(k, itob(uint64(n)))
}

// Booking implements booking.Store.
func (s *Store) Booking(ctx context.Context, id string) (*booking.Booking, error) {
	var b *booking.Booking
	err := s.view(ctx, "bookings", func(tx *bolt.Tx) (err error) {
		b, err = getBooking(tx, id)
		return err
	})
	return b, err
}

// BookingByCode implements booking.Store.
func (s *Store) BookingByCode(ctx context.Context, key string) (*booking.Booking, int, error) {
	var (
		b     *booking.Booking
		party int
	)
	err := s.view(ctx, "bookings", func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketBookingCodes).Get([]byte(key))
		if v == nil {
			return queue.Errorf(queue.ENOTFOUND, "没有这个预约码 (no such code)")
		}
		id, idx, ok := bytes.Cut(v, []byte("|"))
		if !ok {
			return fmt.Errorf("boltstore: booking code index: corrupt entry")
		}
		var err error
		if party, err = strconv.Atoi(string(idx)); err != nil {
			return fmt.Errorf("boltstore: booking code index: %w", err)
		}
		b, err = getBooking(tx, string(id))
		return err
	})
	return b, party, err
}

// BookingsOf implements booking.Store.
func (s *Store) BookingsOf(ctx context.Context, vk string, day cases.Date) ([]*booking.Booking, error) {
	return s.bookingsUnder(ctx, bucketBookingVisitors, visitorDayKey(vk, day, ""))
}

// BookingsOfCase implements booking.Store.
func (s *Store) BookingsOfCase(ctx context.Context, code string) ([]*booking.Booking, error) {
	out, err := s.bookingsUnder(ctx, bucketBookingCases, []byte(code+"|"))
	sortByStart(out)
	return out, err
}

// bookingsUnder reads the bookings of an index's keys under a prefix,
// each key the prefix and the booking's id.
func (s *Store) bookingsUnder(ctx context.Context, bucket, prefix []byte) ([]*booking.Booking, error) {
	var out []*booking.Booking
	err := s.view(ctx, "bookings", func(tx *bolt.Tx) error {
		c := tx.Bucket(bucket).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			b, err := getBooking(tx, string(k[len(prefix):]))
			if err != nil {
				return err
			}
			out = append(out, b)
		}
		return nil
	})
	return out, err
}

func sortByStart(bs []*booking.Booking) {
	for i := 1; i < len(bs); i++ {
		for j := i; j > 0 && bs[j].Start.Before(bs[j-1].Start); j-- {
			bs[j], bs[j-1] = bs[j-1], bs[j]
		}
	}
}

// EachBooking implements booking.Store.
func (s *Store) EachBooking(ctx context.Context, from, to cases.Date, fn func(*booking.Booking) error) error {
	return s.view(ctx, "bookings", func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketBookingDays).Cursor()
		for k, _ := c.Seek(dayKey(from, "")); k != nil && dayOf(k) <= to; k, _ = c.Next() {
			b, err := getBooking(tx, string(k[4:]))
			if err != nil {
				return err
			}
			if err := fn(b); err != nil {
				return err
			}
		}
		return nil
	})
}

// Taken implements booking.Store.
func (s *Store) Taken(ctx context.Context, plan string, start time.Time) (int, error) {
	var n int
	err := s.view(ctx, "bookings", func(tx *bolt.Tx) error {
		n = int(btoi(tx.Bucket(bucketBookingSlots).Get(slotKeyOf(plan, start))))
		return nil
	})
	return n, err
}

// BookingByIdem implements booking.Store.
func (s *Store) BookingByIdem(ctx context.Context, key string) (string, error) {
	var id string
	err := s.view(ctx, "bookings", func(tx *bolt.Tx) error {
		id = string(tx.Bucket(bucketBookingIdem).Get([]byte(key)))
		return nil
	})
	return id, err
}
