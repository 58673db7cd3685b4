package idcard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// OpenFunc opens the reader's port. cmd/ opens a tarm/serial port, which it
// must configure with a ReadTimeout (100–500 ms): its Close hangs behind a
// read without one. Tests open a pseudo-terminal.
type OpenFunc func(ctx context.Context) (io.ReadWriteCloser, error)

// ReaderOpts configures a Reader. Zero fields take the defaults shown.
type ReaderOpts struct {
	// Baud is the line rate the port was opened at; it scales the default
	// read timeouts. Default 115200.
	Baud int
	// Timeouts per command. Default DefaultTimeouts(Baud).
	Timeouts *Timeouts
	// Poll is the interval between two looks for a card. Default 300 ms.
	Poll time.Duration
	// SAMCheck is how often the SAM's health is checked while no card is
	// being read. Default 1 minute.
	SAMCheck time.Duration
	// BackoffMin and BackoffMax bound the wait before reopening a port that
	// failed: it doubles from BackoffMin up to BackoffMax, with jitter (a
	// random half of it). Defaults 250 ms and 10 s.
	BackoffMin, BackoffMax time.Duration
	// MaxSilence is how many commands in a row may go unanswered before the
	// reader counts as gone and the port is reopened. Default 3.
	MaxSilence int
	// NewestAddress also reads the newest (appended) address after each
	// card (30 03). A reader that does not know the command is asked no
	// more until the port is reopened.
	NewestAddress bool
	// Now is the calendar against which expiry is judged. Default time.Now.
	// Timeouts and polling always use the real clock.
	Now func() time.Time
	// Logger receives the reader's log. Default: discard.
	Logger *slog.Logger
}

// Reader runs the kiosk's card loop over a port it opens itself. Create it
// with NewReader and start it with Run.
type Reader struct {
	open     OpenFunc
	opts     ReaderOpts
	timeouts Timeouts
	log      *slog.Logger
}

// NewReader returns a Reader that opens its port with open. A nil opts means
// the defaults.
func NewReader(open OpenFunc, opts *ReaderOpts) *Reader {
	r := &Reader{open: open}
	if opts != nil {
		r.opts = *opts
	}
	o := &r.opts
	if o.Baud <= 0 {
		o.Baud = 115200
	}
	if o.Timeouts != nil {
		r.timeouts = o.Timeouts.withDefaults()
	} else {
		r.timeouts = DefaultTimeouts(o.Baud)
	}
	if o.Poll <= 0 {
		o.Poll = 300 * time.Millisecond
	}
	if o.SAMCheck <= 0 {
		o.SAMCheck = time.Minute
	}
	if o.BackoffMin <= 0 {
		o.BackoffMin = 250 * time.Millisecond
	}
	if o.BackoffMax < o.BackoffMin {
		o.BackoffMax = max(10*time.Second, o.BackoffMin)
	}
	if o.MaxSilence <= 0 {
		o.MaxSilence = 3
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	r.log = o.Logger
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	return r
}

// runState is what the loop remembers across polls and reconnects.
type runState struct {
	ready      bool // an EventReady was delivered and no EventOffline since
	everReady  bool
	offlineSet bool // an EventOffline was delivered and no EventReady since
	// delivered is the ID number of the card delivered last, until find
	// reports no card. A reader finds a card again only after it was
	// lifted, but some clones find it on every poll while it lies there:
	// a card found again with the same number is not delivered again.
	delivered string
	// reported: an EventUnreadable was delivered for this placement.
	reported bool
}

// Run polls the reader until ctx ends, delivering events on events. It
// opens the port, checks the SAM (EventReady), then every Poll runs find and,
// when a card is newly there, select and read: one EventCard (or
// EventExpired, or EventUnreadable) per placement, not one per poll. When the
// port fails, the reader falls silent or the SAM fails, it delivers
// EventOffline, closes the port and reopens it with backoff.
//
// Run blocks while events is not received from: give it a buffered channel
// or a prompt receiver. It returns nil when ctx ends (within about the
// port's read timeout: the port is closed to unblock a read), after which
// it sends nothing more; it does not close events.
func (r *Reader) Run(ctx context.Context, events chan<- Event) error {
	st := &runState{}
	wait := newBackoff(r.opts.BackoffMin, r.opts.BackoffMax)
	for {
		err := r.session(ctx, events, st)
		if ctx.Err() != nil {
			return nil
		}
		if st.ready {
			wait.reset() // it worked for a while: start over
		}
		st.ready = false
		if !st.offlineSet {
			st.offlineSet = true
			r.log.Warn("idcard: reader offline", "err", err)
			if !send(ctx, events, Event{Kind: EventOffline, Err: err}) {
				return nil
			}
		} else {
			r.log.Debug("idcard: reader still offline", "err", err)
		}
		t := time.NewTimer(wait.next())
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// send delivers ev unless ctx ends first.
func send(ctx context.Context, events chan<- Event, ev Event) bool {
	select {
	case events <- ev:
		return true
	case <-ctx.Done():
		return false
	}
}

// session runs one opening of the port until it fails or ctx ends.
func (r *Reader) session(ctx context.Context, events chan<- Event, st *runState) error {
	raw, err := r.open(ctx)
	if err != nil {
		return fmt.Errorf("idcard: open port: %w: %w", ErrDisconnected, err)
	}
	port := &guardedPort{ReadWriteCloser: raw}
	closePort := func() {
		if err := port.Close(); err != nil {
			r.log.Debug("idcard: close port", "err", err)
		}
	}
	// A read blocked in the port does not see ctx: closing the port ends it.
	stop := context.AfterFunc(ctx, closePort)
	defer func() {
		stop()
		closePort()
	}()

	conn := NewConn(port, &r.timeouts)
	id, err := r.checkSAM(ctx, conn)
	if err != nil {
		return err
	}
	st.ready, st.offlineSet, st.delivered, st.reported = true, false, "", false
	r.log.Info("idcard: reader ready", "sam", id.String(), "reconnected", st.everReady)
	if !send(ctx, events, Event{Kind: EventReady, SAMID: id, Reconnected: st.everReady}) {
		return ctx.Err()
	}
	st.everReady = true

	newest := r.opts.NewestAddress
	lastCheck := time.Now()
	silent := 0
	poll := time.NewTicker(r.opts.Poll)
	defer poll.Stop()
	for {
		if time.Since(lastCheck) >= r.opts.SAMCheck {
			err := conn.SAMStatus(ctx)
			if err = r.judge(err, &silent); err != nil {
				return err
			}
			lastCheck = time.Now()
		}
		err := r.poll(ctx, conn, events, st, &newest)
		if err = r.judge(err, &silent); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-poll.C:
		}
	}
}

// judge decides whether err ends the session: the context ended, the port
// failed, the SAM failed, or MaxSilence commands in a row had no answer.
func (r *Reader) judge(err error, silent *int) error {
	switch {
	case err == nil:
		*silent = 0
		return nil
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, ErrDisconnected), errors.Is(err, ErrSAM):
		return err
	case errors.Is(err, ErrTimeout):
		*silent++
		if *silent >= r.opts.MaxSilence {
			return fmt.Errorf("idcard: %d commands in a row unanswered: %w", *silent, err)
		}
		return nil
	}
	*silent = 0 // an answer came, even if a bad one
	r.log.Debug("idcard: poll", "err", err)
	return nil
}

// checkSAM checks the SAM's health, resetting it once if it reports a
// failure, and reads its id.
func (r *Reader) checkSAM(ctx context.Context, conn *Conn) (SAMID, error) {
	err := conn.SAMStatus(ctx)
	if errors.Is(err, ErrSAM) {
		r.log.Warn("idcard: SAM unhealthy, resetting it", "err", err)
		if err = conn.Reset(ctx); err == nil {
			err = conn.SAMStatus(ctx)
		}
	}
	if err != nil {
		return SAMID{}, err
	}
	id, err := conn.SAMID(ctx)
	var se *StatusError
	if errors.As(err, &se) {
		r.log.Warn("idcard: no SAM id", "err", err)
		return SAMID{}, nil
	}
	return id, err
}

// poll looks for a card once and reads it if it is there. Errors that
// concern the card become EventUnreadable; the rest are returned.
func (r *Reader) poll(ctx context.Context, conn *Conn, events chan<- Event, st *runState, newest *bool) error {
	err := conn.Find(ctx)
	if errors.Is(err, ErrNoCard) {
		st.delivered, st.reported = "", false
		return nil
	}
	if err != nil {
		return err
	}
	again := st.delivered != "" // found again with no "no card" since the last delivery
	if !again && !st.reported && !send(ctx, events, Event{Kind: EventReading}) {
		return ctx.Err()
	}
	id, err := r.readCard(ctx, conn, *newest && !again, newest)
	if err != nil {
		fatal := ctx.Err() != nil || errors.Is(err, ErrDisconnected) || errors.Is(err, ErrSAM)
		// A card delivered already that fails to read again is noise.
		if !fatal && !again && !st.reported {
			st.reported = true
			r.log.Info("idcard: card unreadable", "err", err)
			if !send(ctx, events, Event{Kind: EventUnreadable, Err: err}) {
				return ctx.Err()
			}
		}
		if fatal || errors.Is(err, ErrTimeout) {
			return err // a timeout counts towards silence
		}
		return nil
	}
	if again && id.Number == st.delivered {
		return nil // the card delivered still lies there
	}
	if again && *newest {
		// A different card swapped in between two polls: read its newest
		// address too.
		r.readNewest(ctx, conn, id, newest)
	}
	st.delivered, st.reported = id.Number, false
	ev := Event{Kind: EventCard, Identity: id}
	if id.Expired(r.opts.Now()) {
		ev.Kind = EventExpired
		ev.Err = fmt.Errorf("%w on %s", ErrExpired, id.ValidTo.Format(time.DateOnly))
	}
	r.log.Info("idcard: card read", "event", ev)
	if !send(ctx, events, ev) {
		return ctx.Err()
	}
	return nil
}

// readCard selects and reads the card found, and its newest address if
// withNewest.
func (r *Reader) readCard(ctx context.Context, conn *Conn, withNewest bool, newest *bool) (*Identity, error) {
	if err := conn.Select(ctx); err != nil {
		return nil, err
	}
	m, err := conn.ReadBase(ctx)
	if err != nil {
		return nil, err
	}
	id, err := ParseText(m.Text)
	if err != nil {
		return nil, err
	}
	if withNewest {
		if err := r.readNewest(ctx, conn, id, newest); err != nil {
			return nil, err
		}
	}
	return id, nil
}

// readNewest reads the newest address into id. Only a failing port or
// context is an error: the base message is good without it. A reader that
// does not know the command is not asked again (*newest = false).
func (r *Reader) readNewest(ctx context.Context, conn *Conn, id *Identity, newest *bool) error {
	addr, err := conn.NewestAddress(ctx)
	switch {
	case err == nil:
		id.NewestAddress = addr
	case errors.Is(err, ErrUnsupported):
		*newest = false
		r.log.Info("idcard: reader does not read the newest address", "err", err)
	case errors.Is(err, ErrNoContent):
	case ctx.Err() != nil, errors.Is(err, ErrDisconnected):
		return err
	default:
		r.log.Warn("idcard: newest address", "err", err)
	}
	return nil
}
