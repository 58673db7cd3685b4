// Package boltstore keeps the hall's state in one bbolt file: tickets,
// counters, numbering, idempotency keys, the event log, accounts, and the
// case book (cases.go).
// Every domain command is one transaction; fsync stays on (the kiosk
// loses power) and throughput comes from group commit in the engine.
package boltstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"yiting/queue"
)

// SchemaVersion is the layout this code writes. Open migrates older
// files forward and refuses newer ones.
const SchemaVersion = 12

// FileName is the database file inside the data directory.
const FileName = "yiting.db"

// Bucket names. Keys of ordered buckets are big-endian integers.
var (
	bucketMeta     = []byte("meta")     // schema, clock floor, counters of ids
	bucketTickets  = []byte("tickets")  // ticket id → JSON
	bucketCounters = []byte("counters") // counter id → JSON state
	bucketSeq      = []byte("seq")      // "day|service" → last number
	bucketIdem     = []byte("idem")     // idempotency key → ticket id
	bucketEvents   = []byte("events")   // event seq → JSON
	bucketUsers    = []byte("users")    // accounts: see accounts.go
	bucketSessions = []byte("sessions") //
	bucketTokens   = []byte("tokens")   //
	bucketDays     = []byte("days")     // business day → first ticket id of that day
)

// Store is the bbolt-backed state of one hall.
type Store struct {
	db  *bolt.DB
	log *slog.Logger
}

// ErrLocked is returned by Open when another process holds the file.
var ErrLocked = errors.New("boltstore: the data directory is in use by another yiting process")

// Open opens (creating if needed) the database in dir. A second process
// on the same directory fails within a second with ErrLocked.
func Open(dir string, log *slog.Logger) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("boltstore: data directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:         time.Second,
		InitialMmapSize: 64 << 20, // room to grow without remapping under a long read
		FreelistType:    bolt.FreelistMapType,
	})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%w (%s)", ErrLocked, path)
	}
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	s := &Store{db: db, log: log}
	if err := s.migrate(); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the file. Call it last, after the engine has stopped.
func (s *Store) Close() error { return s.db.Close() }

// Path is the database file.
func (s *Store) Path() string { return s.db.Path() }

// DB exposes the handle for backups and consistency checks in tests.
func (s *Store) DB() *bolt.DB { return s.db }

func (s *Store) migrate() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		v := 0
		if b := meta.Get([]byte("schema")); b != nil {
			v = int(btoi(b))
		}
		if v > SchemaVersion {
			return fmt.Errorf("boltstore: the database has schema %d, newer than this program's %d: install the newer yiting or restore a backup", v, SchemaVersion)
		}
		for v < SchemaVersion {
			v++
			if err := migrate(tx, v); err != nil {
				return fmt.Errorf("boltstore: migrate to schema %d: %w", v, err)
			}
			if s.log != nil {
				s.log.Info("database migrated", "schema", v)
			}
		}
		return meta.Put([]byte("schema"), itob(uint64(v)))
	})
}

// migrate brings a file from schema v-1 to v.
func migrate(tx *bolt.Tx, v int) error {
	switch v {
	case 1:
		for _, b := range [][]byte{bucketTickets, bucketCounters, bucketSeq, bucketIdem, bucketEvents, bucketUsers, bucketSessions, bucketTokens} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	case 2: // the index of business days, for statistics over a period
		_, err := tx.CreateBucketIfNotExists(bucketDays)
		return err
	case 3: // cases (一件一码), rectifications, the personal-data audit log: cases.go
		for _, b := range caseBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	case 4: // the photos of the visitors' messages about their cases
		_, err := tx.CreateBucketIfNotExists(bucketCaseFiles)
		return err
	case 5: // the duty rota: rota.go
		_, err := tx.CreateBucketIfNotExists(bucketRota)
		return err
	case 6: // each case's visits and steps in its journal: casejournal.go
		return migrateJournal(tx)
	case 7: // the statistics of each business day: daystats.go
		_, err := tx.CreateBucketIfNotExists(bucketDayStats)
		return err
	case 8: // the case statistics of each registration day: casestats.go
		return migrateCaseStats(tx)
	case 9: // the county hub's registry of its sites: sites.go
		_, err := tx.CreateBucketIfNotExists(bucketSites)
		return err
	case 10: // the appointment diary: bookings.go
		for _, b := range bookingBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	case 11: // the case statistics of each month and year: casestats.go
		return migrateCaseSpans(tx)
	case 12: // the appointment plans' edits made on the page: bookingplans.go
		_, err := tx.CreateBucketIfNotExists(bucketBookingPlans)
		return err
	}
	return fmt.Errorf("no migration to schema %d", v)
}

// Check runs bbolt's consistency check over the whole file.
func (s *Store) Check() error {
	return s.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	})
}

// Healthy reports whether the database answers a read.
func (s *Store) Healthy(ctx context.Context) error {
	return s.db.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta) == nil {
			return errors.New("boltstore: the meta bucket is missing")
		}
		return ctx.Err()
	})
}

// view runs fn in a read transaction unless ctx is already done (bbolt
// takes no context). fn's own errors come back as they are; bbolt's are
// prefixed with what was being read.
func (s *Store) view(ctx context.Context, what string, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("boltstore: %w", err)
	}
	var inner error
	err := s.db.View(func(tx *bolt.Tx) error {
		inner = fn(tx)
		return inner
	})
	switch {
	case inner != nil:
		return inner
	case err != nil:
		return fmt.Errorf("boltstore: %s: %w", what, err)
	}
	return nil
}

// update runs fn in a write transaction unless ctx is already done. fn's
// own errors come back as they are; a failure of bbolt itself (a full
// disk, an I/O error) is EUNAVAILABLE, as for the engine's commits.
func (s *Store) update(ctx context.Context, what string, fn func(*bolt.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("boltstore: %w", err)
	}
	var inner error
	err := s.db.Update(func(tx *bolt.Tx) error {
		inner = fn(tx)
		return inner
	})
	switch {
	case inner != nil:
		return inner
	case err != nil:
		return unavailable(what, err)
	}
	return nil
}

// unavailable is the error of a write the disk refused.
func unavailable(what string, err error) error {
	return &queue.Error{Code: queue.EUNAVAILABLE, Message: "系统暂时无法保存，请稍后重试 (storage unavailable)", Err: fmt.Errorf("boltstore: %s: %w", what, err)}
}
