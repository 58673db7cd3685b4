package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"yiting/queue/cases"
)

// holidaySubdir of the data directory keeps the holiday files an admin
// sends on /admin (cases.Book.SetHolidayFile); they are read at every start
// after the built-in files and /etc/yiting/holidays, so they win.
const holidaySubdir = "holidays"

// holidayFiles keeps the files in a directory, one YYYY.toml a year.
type holidayFiles struct{ dir string }

var _ cases.HolidayFiles = holidayFiles{}

// Save writes the file beside its final name, syncs it and renames it
// over the old one, then syncs the directory: after a power cut the year
// has the old file or the new one, whole.
func (h holidayFiles) Save(year int, data []byte) error {
	if err := os.MkdirAll(h.dir, 0o755); err != nil {
		return err
	}
	name := filepath.Join(h.dir, fmt.Sprintf("%d.toml", year))
	tmp, err := os.CreateTemp(h.dir, ".holiday-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone after the rename; cleans up a failure
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return err
	}
	d, err := os.Open(h.dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// checkCalendar, at start, moves the running deadlines a holiday file
// installed or sent since the last start changes (the upload's own
// recomputation may not have finished), and logs each year the running
// deadlines touch that has no holiday file.
func checkCalendar(ctx context.Context, book *cases.Book, log *slog.Logger) error {
	if _, err := book.Recompute(ctx); err != nil {
		return fmt.Errorf("recomputing deadlines with the holiday calendar: %w", err)
	}
	ws, err := book.CalendarWarnings(ctx)
	if err != nil {
		return err
	}
	for _, w := range ws {
		log.Warn("holiday calendar", "warning", w)
	}
	return nil
}
