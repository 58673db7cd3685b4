package queue

import (
	"context"

	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Options configure an Engine; the zero value is usable.
type Options struct {
	Now      func() time.Time // the wall clock; time.Now if nil
	Logger   *slog.Logger     // slog.Default() if nil
	MaxBatch int              // commands sharing one commit; 256 if 0
	// FeedSize is how many recent events stay in memory for live
	// subscribers; older ones are read from the store. 4096 if 0.
	FeedSize int
}

// Engine runs the hall's commands. Commands are decided one at a time by
// a single writer goroutine — so two counters calling at the same instant
// never get the same ticket — and committed in groups: the commands that
// arrive while one commit is on its way to disk share the next one.
// Readers see only committed state: the writer holds the lock from the
// first decision of a batch until its commit returns, and a failed commit
// rebuilds memory from the store. Events go out after the commit.
//
// All methods are safe for concurrent use.
type Engine struct {
	hall  *Hall
	store Store
	now   func() time.Time
	log   *slog.Logger
	max   int
	feed  *Feed

	mu sync.RWMutex // guards st
	st *state

	ops      chan *op
	quit     chan struct{}
	done     chan struct{}
	stopOnce sync.Once

	clockWarned bool     // writer only
	follower    Follower // guarded by mu
}

type op struct {
	ctx  context.Context
	fn   func(*txn) (any, error)
	done chan result
}

type result struct {
	v   any
	err error
}

// New loads the state from the store and starts the writer. Call Close
// when done; the store must stay open until Close returns.
func New(ctx context.Context, hall *Hall, store Store, opts Options) (*Engine, error) {
	if err := hall.Validate(); err != nil {
		return nil, err
	}
	e := &Engine{
		hall:  hall,
		store: store,
		now:   opts.Now,
		log:   opts.Logger,
		max:   opts.MaxBatch,
		ops:   make(chan *op),
		quit:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	if e.now == nil {
		e.now = time.Now
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	if e.max <= 0 {
		e.max = 256
	}
	snap, err := store.Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("queue: load state: %w", err)
	}
	e.st = newState(hall, snap)
	size := opts.FeedSize
	if size <= 0 {
		size = 4096
	}
	e.feed = newFeed(store, snap.Meta.LastEventSeq, size)
	if now := e.now(); now.Before(snap.Meta.LastSeen) {
		e.log.Warn("the clock is behind the last time this hall saw; keeping the business day until it catches up (is NTP working?)",
			"clock", now, "last_seen", snap.Meta.LastSeen)
		e.clockWarned = true
	}
	go e.writer()
	if len(e.st.orphans) > 0 { // settle them now, not at the first command
		if _, err := e.exec(ctx, func(*txn) (any, error) { return nil, nil }); err != nil {
			e.Close()
			return nil, fmt.Errorf("queue: settling the tickets of removed services and counters: %w", err)
		}
	}
	return e, nil
}

// Close stops taking commands, finishes the ones already taken, and
// returns when the writer has stopped. Commands after Close fail with
// ErrUnavailable.
func (e *Engine) Close() error {
	e.stopOnce.Do(func() { close(e.quit) })
	<-e.done
	e.feed.close()
	return nil
}

// SetFollower makes f follow every ticket event of a ticket with a case,
// from the next batch on (the case book, which is made after the engine
// because its commands run through it).
func (e *Engine) SetFollower(f Follower) {
	e.mu.Lock()
	e.follower = f
	e.mu.Unlock()
}

// Hall returns the configuration the engine runs on. Do not modify it.
func (e *Engine) Hall() *Hall { return e.hall }

// exec hands a command to the writer and waits for its result. A command
// the writer has taken runs to its end even if ctx ends meanwhile: its
// effect is then committed, and a retry with the same idempotency key
// finds it.
func (e *Engine) exec(ctx context.Context, fn func(*txn) (any, error)) (any, error) {
	o := &op{ctx: ctx, fn: fn, done: make(chan result, 1)}
	select {
	case e.ops <- o:
	case <-e.quit:
		return nil, Errorf(EUNAVAILABLE, "系统正在停止，请稍后重试 (shutting down)")
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	r := <-o.done
	return r.v, r.err
}

// writer is the only goroutine that changes state.
func (e *Engine) writer() {
	defer close(e.done)
	tick := time.NewTicker(time.Minute) // notices midnight without a command
	defer tick.Stop()
	for {
		var batch []*op
		select {
		case o := <-e.ops:
			batch = append(batch, o)
		drain:
			for len(batch) < e.max {
				select {
				case o := <-e.ops:
					batch = append(batch, o)
				default:
					break drain
				}
			}
		case <-tick.C:
		case <-e.quit:
			return
		}
		e.runBatch(batch)
	}
}

// clock returns the time the batch runs at: never before the latest time
// the hall has seen, so a Pi that boots with its clock in the past does
// not go back to a business day it has already numbered.
func (e *Engine) clock() time.Time {
	now := e.now()
	if last := e.st.meta.LastSeen; now.Before(last) {
		if !e.clockWarned {
			e.log.Warn("the clock went back; holding time at the latest seen until it catches up",
				"clock", now, "last_seen", last)
			e.clockWarned = true
		}
		return last
	}
	e.clockWarned = false
	return now
}

func (e *Engine) runBatch(batch []*op) {
	e.mu.Lock()
	now := e.clock()
	tx := newTxn(e.st, now)
	if e.follower != nil {
		tx.follow = e.follower.Follow
	}
	if day := now.In(e.hall.Location).Format(time.DateOnly); day > e.st.meta.Day {
		e.rollover(tx, day)
	}
	if len(e.st.orphans) > 0 {
		e.settleOrphans(tx)
	}
	results := make([]result, len(batch))
	for i, o := range batch {
		if err := o.ctx.Err(); err != nil {
			results[i].err = err
			continue
		}
		results[i].v, results[i].err = o.fn(tx)
	}
	var events []Event
	if tx.dirty() {
		b := tx.batch()
		if err := e.store.Commit(context.Background(), b); err != nil {
			e.log.Error("commit failed; state rebuilt from the store", "err", err, "commands", len(batch))
			e.reload()
			ue := &Error{Code: EUNAVAILABLE, Message: "系统暂时无法保存，请稍后重试 (storage unavailable)", Err: err}
			for i := range results {
				if results[i].err == nil {
					results[i] = result{err: ue}
				}
			}
		} else {
			e.st.meta = b.Meta
			events = b.Events
		}
	}
	e.mu.Unlock()
	e.feed.publish(events)
	for i, o := range batch {
		o.done <- results[i]
	}
}

// reload rebuilds memory from the store after a failed commit.
func (e *Engine) reload() {
	snap, err := e.store.Load(context.Background())
	if err != nil {
		// Memory may now hold uncommitted changes; refuse to go on
		// rather than serve them.
		panic(fmt.Sprintf("queue: cannot reload state after a failed commit: %v", err))
	}
	e.st = newState(e.hall, snap)
}

// view runs fn with the committed state under the read lock.
func (e *Engine) view(fn func(*state)) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	fn(e.st)
}
