package spool

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// store is a directory of job files.
type store struct {
	dir string
	log *slog.Logger
}

func openStore(dir string, log *slog.Logger) (*store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	return &store{dir: dir, log: log}, nil
}

// validID keeps ids to the characters newID produces, so an id from a
// request cannot name a file outside the directory.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '.') {
			return false
		}
	}
	return !strings.HasPrefix(id, ".")
}

func (s *store) path(id string) string { return filepath.Join(s.dir, id+".json") }

// save writes j atomically: temporary file, fsync, rename, fsync the
// directory.
func (s *store) save(j Job) error {
	if !validID(j.ID) {
		return fmt.Errorf("spool: bad job id %q", j.ID)
	}
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	tmp := filepath.Join(s.dir, "."+j.ID+".tmp")
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, s.path(j.ID))
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("spool: saving job %s: %w", j.ID, err)
	}
	return s.syncDir()
}

func (s *store) remove(id string) error {
	if !validID(id) {
		return fmt.Errorf("spool: bad job id %q", id)
	}
	if err := os.Remove(s.path(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("spool: %w", err)
	}
	return s.syncDir()
}

func (s *store) syncDir() error {
	d, err := os.Open(s.dir)
	if err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("spool: syncing %s: %w", s.dir, err)
	}
	return nil
}

// load reads every job. Leftover temporary files (a crash before rename)
// are removed: their job was never recorded. A file that does not decode is
// renamed to *.bad so staff can look at it.
func (s *store) load() ([]Job, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	var jobs []Job
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".tmp"):
			os.Remove(filepath.Join(s.dir, name))
		case strings.HasSuffix(name, ".json") && !e.IsDir():
			id := strings.TrimSuffix(name, ".json")
			data, err := os.ReadFile(filepath.Join(s.dir, name))
			if err != nil {
				return nil, fmt.Errorf("spool: %w", err)
			}
			var j Job
			if err := json.Unmarshal(data, &j); err != nil || j.ID != id || !validID(id) {
				if err == nil {
					err = fmt.Errorf("id %q does not match the file name", j.ID)
				}
				s.log.Error("spool: unreadable job file set aside", "file", name, "err", err)
				if rerr := os.Rename(filepath.Join(s.dir, name), filepath.Join(s.dir, name+".bad")); rerr != nil {
					return nil, fmt.Errorf("spool: %w", rerr)
				}
				continue
			}
			jobs = append(jobs, j)
		}
	}
	return jobs, nil
}
