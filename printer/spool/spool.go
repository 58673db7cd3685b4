// Package spool keeps the tickets that could not be printed and prints them
// later: when the printer recovers (Run retries with backoff) or when staff
// ask for a reprint. A ticket that may have been printed in part (paper ran
// out in the middle) is printed again with the 补打 mark.
//
// Jobs live in a directory, one JSON file per job, written atomically
// (write a temporary file, fsync, rename, fsync the directory), so a pending
// ticket survives a power cut. A job file is written before the ticket is
// sent; if the process dies during an attempt, the job is found at the next
// Open and printed again as a reprint. The protocol side is described in
// docs/escpos.md; the printer package does the printing.
package spool

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"yiting/printer"
)

// ErrPending is matched (errors.Is) by the error of a ticket that was not
// printed and is kept for later. errors.Is also matches the printer's cause
// (printer.ErrPaperOut, ...). Use errors.As with *PendingError for the job.
var ErrPending = errors.New("spool: ticket not printed, kept pending")

// ErrNotFound is returned for a job id that is not pending.
var ErrNotFound = errors.New("spool: no such pending job")

// Device prints one ticket; *printer.Driver implements it. It returns an
// error wrapping printer.ErrInterrupted when the ticket may be partly
// printed, printer.ErrInvalidTicket when it can never be printed.
type Device interface {
	Print(ctx context.Context, t printer.Ticket) (printer.Status, error)
}

var _ Device = (*printer.Driver)(nil)

// Job is a ticket waiting to be printed.
type Job struct {
	ID        string
	Ticket    printer.Ticket // Ticket.Reprint is set when it must print as 补打
	Created   time.Time
	Attempts  int
	LastTry   time.Time `json:",omitzero"`
	LastError string    `json:",omitempty"`
	// InFlight is set while an attempt runs; a job found with it set after
	// a restart may have been printed in part.
	InFlight bool `json:",omitempty"`
}

// PendingError says a ticket was not printed and is kept as Job.
type PendingError struct {
	Job Job
	Err error
}

func (e *PendingError) Error() string {
	return fmt.Sprintf("spool: ticket %s kept pending as job %s: %v", e.Job.Ticket.Number, e.Job.ID, e.Err)
}

// Unwrap returns the printer's error.
func (e *PendingError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrPending) true.
func (e *PendingError) Is(target error) bool { return target == ErrPending }

// Opts configures a Spool. A nil *Opts means all defaults.
type Opts struct {
	Logger *slog.Logger
	Now    func() time.Time // default time.Now
	// MinBackoff and MaxBackoff bound the wait between retries in Run
	// (default 2 s and 30 s; the wait doubles after each failure).
	MinBackoff, MaxBackoff time.Duration
	// AutoRetryFor is the age after which Run no longer prints a job by
	// itself (the visitor has long gone); staff can still Reprint it.
	// Default 30 minutes.
	AutoRetryFor time.Duration
}

// Spool prints tickets through a Device and keeps those that fail. Its
// methods are safe for concurrent use; printing is one ticket at a time.
type Spool struct {
	store    *store
	dev      Device
	log      *slog.Logger
	now      func() time.Time
	min, max time.Duration
	maxAge   time.Duration

	printMu sync.Mutex // one ticket at a time on the device

	mu   sync.Mutex
	jobs map[string]Job
	wake chan struct{}
}

// Open loads the pending jobs from dir (creating it) and returns the spool.
// Jobs interrupted by a crash are marked as reprints; unreadable job files
// are renamed *.bad and logged, never deleted.
func Open(dir string, dev Device, opts *Opts) (*Spool, error) {
	if opts == nil {
		opts = &Opts{}
	}
	s := &Spool{
		dev:    dev,
		log:    opts.Logger,
		now:    opts.Now,
		min:    opts.MinBackoff,
		max:    opts.MaxBackoff,
		maxAge: opts.AutoRetryFor,
		jobs:   make(map[string]Job),
		wake:   make(chan struct{}, 1),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.min <= 0 {
		s.min = 2 * time.Second
	}
	if s.max < s.min {
		s.max = max(30*time.Second, s.min)
	}
	if s.maxAge <= 0 {
		s.maxAge = 30 * time.Minute
	}
	st, err := openStore(dir, s.log)
	if err != nil {
		return nil, err
	}
	s.store = st
	jobs, err := st.load()
	if err != nil {
		return nil, err
	}
	for _, j := range jobs {
		if j.InFlight {
			s.log.Warn("spool: job was being printed when the process stopped; it will print as a reprint", "job", j.ID, "ticket", j.Ticket.Number)
			j.InFlight = false
			j.Ticket.Reprint = true
			if err := st.save(j); err != nil {
				return nil, err
			}
		}
		s.jobs[j.ID] = j
	}
	if len(s.jobs) > 0 {
		s.kick()
	}
	return s, nil
}

// Print prints t. If it fails the ticket is kept and the error is a
// *PendingError (errors.Is ErrPending and the printer's cause); a ticket
// that may be partly printed will print again as a reprint. An invalid
// ticket is not kept. On success the Status may carry a warning.
func (s *Spool) Print(ctx context.Context, t printer.Ticket) (printer.Status, error) {
	j := Job{ID: s.newID(), Ticket: t, Created: s.now()}
	return s.attempt(ctx, j, false, false)
}

// Reprint prints the pending job id now, marked 补打.
func (s *Spool) Reprint(ctx context.Context, id string) (printer.Status, error) {
	return s.attempt(ctx, Job{ID: id}, true, true)
}

// ReprintTicket prints a ticket again that was printed before (the visitor
// lost it), marked 补打. If that fails it is kept like any other.
func (s *Spool) ReprintTicket(ctx context.Context, t printer.Ticket) (printer.Status, error) {
	t.Reprint = true
	return s.Print(ctx, t)
}

// Pending returns the jobs waiting, oldest first.
func (s *Spool) Pending() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Job, 0, len(s.jobs))
	for _, j := range s.jobs {
		out = append(out, j)
	}
	sort.Slice(out, func(a, b int) bool {
		if !out[a].Created.Equal(out[b].Created) {
			return out[a].Created.Before(out[b].Created)
		}
		return out[a].ID < out[b].ID
	})
	return out
}

// Discard drops a pending job that staff dealt with otherwise.
func (s *Spool) Discard(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.jobs[id]; !ok {
		return fmt.Errorf("spool: job %q: %w", id, ErrNotFound)
	}
	if err := s.store.remove(id); err != nil {
		return err
	}
	delete(s.jobs, id)
	return nil
}

// attempt records j as in flight, prints it and records the outcome. For a
// job already pending (existing), it takes the current record, and fails
// with ErrNotFound if the job was printed or discarded meanwhile.
func (s *Spool) attempt(ctx context.Context, j Job, existing, reprint bool) (printer.Status, error) {
	s.printMu.Lock()
	defer s.printMu.Unlock()
	if existing {
		s.mu.Lock()
		cur, ok := s.jobs[j.ID]
		s.mu.Unlock()
		if !ok {
			return printer.Status{}, fmt.Errorf("spool: job %q: %w", j.ID, ErrNotFound)
		}
		j = cur
	}
	if reprint {
		j.Ticket.Reprint = true
	}

	j.InFlight = true
	saveErr := s.store.save(j)
	if saveErr != nil {
		// Print anyway: a full disk must not stop the kiosk.
		s.log.Error("spool: cannot record the job before printing", "job", j.ID, "err", saveErr)
	}
	st, err := s.dev.Print(ctx, j.Ticket)

	s.mu.Lock()
	defer s.mu.Unlock()
	_, stillPending := s.jobs[j.ID]
	if err == nil || errors.Is(err, printer.ErrInvalidTicket) || (existing && !stillPending) {
		if rmErr := s.store.remove(j.ID); rmErr != nil {
			s.log.Error("spool: job not removed; it may print again as a reprint", "job", j.ID, "err", rmErr)
		}
		delete(s.jobs, j.ID)
		if err != nil && errors.Is(err, printer.ErrInvalidTicket) {
			s.log.Error("spool: ticket can never be printed, dropped", "ticket", j.Ticket.Number, "err", err)
		}
		return st, err
	}
	j.InFlight = false
	j.Attempts++
	j.LastTry = s.now()
	j.LastError = err.Error()
	if errors.Is(err, printer.ErrInterrupted) {
		j.Ticket.Reprint = true
	}
	if saveErr := s.store.save(j); saveErr != nil {
		s.log.Error("spool: cannot record the pending job; it is kept in memory only", "job", j.ID, "err", saveErr)
	}
	s.jobs[j.ID] = j
	s.kick()
	return st, &PendingError{Job: j, Err: err}
}

func (s *Spool) kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run retries pending jobs until ctx is done: the oldest job that is not
// older than Opts.AutoRetryFor, after a wait that starts at MinBackoff,
// doubles after each failure up to MaxBackoff (with ±20 % jitter) and falls
// back to MinBackoff after a success. It returns nil when ctx is done.
func (s *Spool) Run(ctx context.Context) error {
	backoff := s.min
	for {
		j, ok := s.eligible()
		if !ok {
			select {
			case <-ctx.Done():
				return nil
			case <-s.wake:
				continue
			case <-time.After(s.max):
				continue // jobs may have aged out; nothing to do but look again
			}
		}
		wait := time.Duration(float64(backoff) * (0.8 + 0.4*rand.Float64()))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		_, err := s.attempt(ctx, j, true, false)
		switch {
		case ctx.Err() != nil:
			return nil
		case err == nil || !errors.Is(err, ErrPending):
			backoff = s.min
		default:
			backoff = min(2*backoff, s.max)
			s.log.Info("spool: retry failed", "job", j.ID, "ticket", j.Ticket.Number, "err", err, "next", backoff)
		}
	}
}

// eligible returns the oldest job Run may print by itself.
func (s *Spool) eligible() (Job, bool) {
	now := s.now()
	for _, j := range s.Pending() {
		if now.Sub(j.Created) <= s.maxAge {
			return j, true
		}
	}
	return Job{}, false
}

// newID returns a file-name-safe id that sorts by creation time.
func (s *Spool) newID() string {
	return fmt.Sprintf("%s-%08x", s.now().UTC().Format("20060102T150405.000000000"), rand.Uint32())
}
