package boltstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"yiting/queue"
)

// Online backup and restore of the database file.
//
// A backup is a copy written through one read transaction (bbolt's
// Tx.WriteTo): it is the state of the last commit before the backup
// began, whatever writers do meanwhile, and writers keep committing while
// it runs. The transaction is as long as the copy, and a long read
// transaction blocks the remap a growing file needs (docs/platform-notes.md):
// the store maps 64 MiB up front, so this only bites once the file is
// bigger than that and grows during the copy; the writers then wait for
// the copy to end, they do not fail.

// ErrBadBackup is wrapped by CheckFile and Restore when a file is not a
// usable yiting database: damaged, not a yiting database, or written by a
// newer yiting.
var ErrBadBackup = errors.New("boltstore: not a usable yiting backup")

// Backup writes a consistent copy of the whole database to w and returns
// the number of bytes written. It holds one read transaction for the
// duration of the copy; writers are not blocked (see the note above on
// remapping). An error from w ends the copy and is returned.
func (s *Store) Backup(w io.Writer) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("boltstore: backup: %w", err)
	}
	return n, nil
}

// BackupFile writes a consistent copy of the database to path, which
// appears complete or not at all: the copy goes to a temporary file
// beside it (".NAME.tmp-*", mode 0600), is fsynced, checked with CheckFile,
// then renamed to path and the directory fsynced. An existing file at path
// is replaced. The directory must exist.
func (s *Store) BackupFile(path string) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("boltstore: backup: %w", err)
	}
	tmp := f.Name()
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := s.Backup(f); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("boltstore: backup: fsync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("boltstore: backup: %w", err)
	}
	// A copy nobody has read back is a hope, not a backup.
	if _, err := CheckFile(tmp); err != nil {
		return fmt.Errorf("boltstore: backup failed its check: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("boltstore: backup: %w", err)
	}
	done = true
	return syncDir(dir)
}

// OpenReadOnly opens the database in dir for reading only, without
// migrating it: for a backup or an inspection while no server runs. It
// fails with ErrLocked within a second while a server holds the file, and
// a server cannot start while it is open. The write methods of the
// returned Store fail.
func OpenReadOnly(dir string, log *slog.Logger) (*Store, error) {
	path := filepath.Join(dir, FileName)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("boltstore: no database: %w", err)
	}
	db, err := openShared(path)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("%w (%s)", ErrLocked, path)
	}
	if err != nil {
		return nil, fmt.Errorf("boltstore: open %s: %w", path, err)
	}
	return &Store{db: db, log: log}, nil
}

// FileInfo describes a database file that passed CheckFile.
type FileInfo struct {
	Size     int64     // bytes
	Schema   int       // layout version (SchemaVersion or older)
	Tickets  int       // tickets stored
	Events   int       // events in the log
	LastSeen time.Time // the latest time the hall saw before the file was written; zero if it never issued
}

// CheckFile opens the database file at path read-only and checks it:
// bbolt's consistency check over every page, the buckets of a yiting
// database, and a schema no newer than this program's. Failures wrap
// ErrBadBackup. The file is not modified; a file that a process holds
// open for writing (a running server's) fails with ErrLocked.
func CheckFile(path string) (info FileInfo, err error) {
	fi, err := os.Stat(path)
	if err != nil {
		return info, fmt.Errorf("boltstore: check: %w", err)
	}
	info.Size = fi.Size()
	if info.Size == 0 {
		// bbolt would try to initialise an empty file, and fail read-only.
		return info, fmt.Errorf("%w: %s is empty", ErrBadBackup, path)
	}
	// bbolt's check recovers from panics on damaged pages; reading the
	// buckets' statistics below does not, so recover here too.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %s is damaged: %v", ErrBadBackup, path, r)
		}
	}()
	db, err := openShared(path)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return info, fmt.Errorf("%w (%s)", ErrLocked, path)
	}
	if err != nil {
		return info, fmt.Errorf("%w: %s: %w", ErrBadBackup, path, err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		// A truncated copy (a full USB stick, an interrupted transfer)
		// still has valid meta pages; the pages past its end are mapped
		// but not backed, and reading them would kill the process with
		// SIGBUS inside bbolt's check. So compare sizes first.
		if need := tx.Size(); need > info.Size {
			return fmt.Errorf("%w: %s is truncated: %d bytes, the database needs %d", ErrBadBackup, path, info.Size, need)
		}
		var errs []error
		for err := range tx.Check() {
			if len(errs) < 10 {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			return fmt.Errorf("%w: %s is damaged: %w", ErrBadBackup, path, errors.Join(errs...))
		}
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			return fmt.Errorf("%w: %s is a bbolt file but not a yiting database (no meta bucket)", ErrBadBackup, path)
		}
		if b := meta.Get([]byte("schema")); len(b) == 8 {
			info.Schema = int(btoi(b))
		}
		if info.Schema < 1 {
			return fmt.Errorf("%w: %s has no schema version", ErrBadBackup, path)
		}
		if info.Schema > SchemaVersion {
			return fmt.Errorf("%w: %s has schema %d, newer than this program's %d: restore it with the yiting that wrote it",
				ErrBadBackup, path, info.Schema, SchemaVersion)
		}
		if v := meta.Get(keyState); v != nil {
			var m queue.Meta
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("%w: %s: engine state: %w", ErrBadBackup, path, err)
			}
			info.LastSeen = m.LastSeen
		}
		if b := tx.Bucket(bucketTickets); b != nil {
			info.Tickets = b.Stats().KeyN
		}
		if b := tx.Bucket(bucketEvents); b != nil {
			info.Events = b.Stats().KeyN
		}
		return nil
	})
	return info, err
}

// RestoreResult tells what Restore did.
type RestoreResult struct {
	Backup FileInfo // the restored file
	// Aside is where the replaced database was kept ("" if dir had none).
	Aside string
	// OldErr is why the replaced database could not be opened, if it
	// could not (a damaged file is a common reason to restore): it was
	// still kept aside.
	OldErr error
}

// Restore replaces the database in dir by the backup at from. It copies
// the backup into dir and checks the copy (CheckFile) before touching
// anything; it refuses with ErrLocked while a server holds the database;
// it keeps the replaced file as "yiting.db.before-restore-YYYYMMDD-HHMMSS"
// (now, local time) in dir. The new file is created by the calling
// process, owned by its user, mode 0600. A server that starts during the
// swap waits for it (the file lock) and then opens the restored file.
func Restore(from, dir string, now time.Time) (RestoreResult, error) {
	var res RestoreResult
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return res, fmt.Errorf("boltstore: restore: %w", err)
	}
	live := filepath.Join(dir, FileName)
	tmp, err := copyInto(from, dir, "."+FileName+".restore-*")
	if err != nil {
		return res, err
	}
	defer os.Remove(tmp) // a no-op once renamed
	if res.Backup, err = CheckFile(tmp); err != nil {
		if errors.Is(err, ErrBadBackup) {
			return res, fmt.Errorf("boltstore: restore from %s: %w", from, err)
		}
		return res, err
	}

	// Hold a lock on the old file (if any) so a running server is
	// detected, and on the new one until it has its final name, so a
	// server starting in between waits instead of opening half a swap.
	if _, err := os.Stat(live); err == nil {
		old, err := openShared(live)
		switch {
		case errors.Is(err, bolterrors.ErrTimeout):
			return res, fmt.Errorf("%w (%s): stop it before restoring", ErrLocked, live)
		case err != nil:
			res.OldErr = err
		default:
			defer old.Close()
		}
		res.Aside = live + ".before-restore-" + now.Format("20060102-150405")
		// A hard link: the old file keeps its name until the rename below
		// replaces it, so there is no moment without a database.
		if err := os.Link(live, res.Aside); err != nil {
			return res, fmt.Errorf("boltstore: restore: keep the old database aside: %w", err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return res, fmt.Errorf("boltstore: restore: %w", err)
	}
	undo := func() {
		if res.Aside != "" {
			os.Remove(res.Aside)
			res.Aside = ""
		}
	}
	lock, err := openShared(tmp)
	if err != nil {
		undo()
		return res, fmt.Errorf("boltstore: restore: %w", err)
	}
	defer lock.Close()
	if err := os.Rename(tmp, live); err != nil {
		undo()
		return res, fmt.Errorf("boltstore: restore: %w", err)
	}
	return res, syncDir(dir)
}

// openShared opens a database file read-only, which takes bbolt's shared
// file lock: it fails with bolterrors.ErrTimeout within a second while a
// writer (a server) holds the file, and a writer cannot open it meanwhile.
func openShared(path string) (db *bolt.DB, err error) {
	defer func() { // a damaged file can make bbolt panic while opening
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("%s is damaged: %v", path, r)
		}
	}()
	return bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
}

// copyInto copies the file src to a new temporary file in dir named by
// pattern, fsynced, and returns its path.
func copyInto(src, dir, pattern string) (string, error) {
	in, err := os.Open(src)
	if err != nil {
		return "", fmt.Errorf("boltstore: restore: %w", err)
	}
	defer in.Close()
	out, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", fmt.Errorf("boltstore: restore: %w", err)
	}
	_, err = io.Copy(out, in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out.Name())
		return "", fmt.Errorf("boltstore: restore: copy %s: %w", src, err)
	}
	return out.Name(), nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("boltstore: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("boltstore: fsync %s: %w", dir, err)
	}
	return nil
}
