package kiosk

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"yiting/kiosk/idcard"
)

// Errors of the loop's inputs.
var (
	// ErrUnknownService: Choose named no service of the hall.
	ErrUnknownService = errors.New("kiosk: no such service")
	// ErrBusy: the input does not fit the current step (a choice while a
	// ticket prints).
	ErrBusy = errors.New("kiosk: busy with the current visitor")
	// ErrNoGroup: GroupVisit named a service that offers no group visit
	// (it opens no case or reads no card), or the hall registers none.
	ErrNoGroup = errors.New("kiosk: this service takes no group visit")
	// ErrNoCard: Finish before any representative tapped a card.
	ErrNoCard = errors.New("kiosk: no card placed yet")
	// ErrStopped: the loop is not running.
	ErrStopped = errors.New("kiosk: the kiosk loop is not running")
)

// Opts configures a Loop. Desk and Printer are required; a zero field
// means the default shown.
type Opts struct {
	Desk    Desk
	Printer Printer
	Signals Signals          // LED and buzzer; nil: none
	Logger  *slog.Logger     // nil: discard
	Now     func() time.Time // the clock of the steps' timeouts; time.Now
	// Ticks wakes the loop to check the steps' timeouts; nil: a ticker of
	// 200 ms. Tests pass a channel they drive, with a fake Now.
	Ticks <-chan time.Time

	CardWait   time.Duration // wait for the card after a choice; 60 s
	ChooseWait time.Duration // wait for a choice after a card; 60 s
	ReadWait   time.Duration // a card being read must be read by then; 5 s
	TicketShow time.Duration // the printed ticket stays on screen; 20 s (twice if not printed)
	ErrorShow  time.Duration // a failure stays on screen; 20 s
	CasesShow  time.Duration // 查询进度's cases stay on screen; 60 s

	IssueTimeout time.Duration // one attempt to issue; 10 s
	// IssueGiveUp is how long the loop keeps asking an unreachable hall
	// for one tap's ticket before it tells the visitor to come back; 2 min.
	IssueGiveUp        time.Duration
	RetryMin, RetryMax time.Duration // backoff between attempts; 500 ms, 5 s

	// InfoEvery is how often the services' waiting counts are refreshed
	// (and the hall's reachability checked); 3 s.
	InfoEvery time.Duration
	// PrinterCheck reads the printer's status (the driver's Status), so a
	// fault shows before the next visitor and a fixed printer clears it;
	// nil: the status comes from printing only.
	PrinterCheck func(ctx context.Context) (PrinterCheckResult, error)
	PrinterEvery time.Duration // 20 s
}

// PrinterCheckResult is what a printer check found: Err is the condition
// that stops printing (printer.Status.Err), Warning one that does not.
type PrinterCheckResult struct {
	Err     error
	Warning string
}

func (o *Opts) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.CardWait, 60*time.Second)
	def(&o.ChooseWait, 60*time.Second)
	def(&o.ReadWait, 5*time.Second)
	def(&o.TicketShow, 20*time.Second)
	def(&o.ErrorShow, 20*time.Second)
	def(&o.CasesShow, 60*time.Second)
	def(&o.IssueTimeout, 10*time.Second)
	def(&o.IssueGiveUp, 2*time.Minute)
	def(&o.RetryMin, 500*time.Millisecond)
	def(&o.RetryMax, 5*time.Second)
	def(&o.InfoEvery, 3*time.Second)
	def(&o.PrinterEvery, 20*time.Second)
	if o.RetryMax < o.RetryMin {
		o.RetryMax = o.RetryMin
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Loop is the kiosk's state machine. Create it with New, run it with Run;
// feed it the visitor's choices (Choose, Back), and read its state with
// View and Wait. All methods are safe for concurrent use.
type Loop struct {
	opts Opts
	log  *slog.Logger

	ops     chan func()   // run on the loop's goroutine
	stopped chan struct{} // closed when Run has returned
	running atomic.Bool

	mu      sync.Mutex
	view    View
	changed chan struct{} // closed and replaced on every new view

	// Owned by Run's goroutine.
	st      state
	runCtx  context.Context
	workers sync.WaitGroup
}

// New returns a loop in the idle step. It does nothing until Run.
func New(opts Opts) (*Loop, error) {
	if opts.Desk == nil {
		return nil, errors.New("kiosk: Opts.Desk is required")
	}
	if opts.Printer == nil {
		return nil, errors.New("kiosk: Opts.Printer is required")
	}
	opts.defaults()
	l := &Loop{
		opts:    opts,
		log:     opts.Logger,
		ops:     make(chan func()),
		stopped: make(chan struct{}),
		changed: make(chan struct{}),
	}
	l.st = state{
		step:    StepIdle,
		since:   opts.Now(),
		reader:  DeviceStatus{OK: false, Message: "读卡器正在连接"},
		printer: PrinterStatus{OK: true},
		hall:    HallView{OK: false, Message: MsgMaintenance},
		fault:   false,
	}
	l.view = l.st.view(0)
	return l, nil
}

// Run runs the loop until ctx ends, taking the card reader's events from
// cards (an idcard.Reader's Run feeds it; nil: no reader). It returns nil
// when ctx ends, after the loop's own goroutines have stopped. It may be
// called once.
func (l *Loop) Run(ctx context.Context, cards <-chan idcard.Event) error {
	if !l.running.CompareAndSwap(false, true) {
		return errors.New("kiosk: Run called twice")
	}
	ctx, cancel := context.WithCancel(ctx)
	l.runCtx = ctx
	defer func() {
		cancel()
		l.workers.Wait()
		close(l.stopped)
	}()
	ticks := l.opts.Ticks
	if ticks == nil {
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		ticks = t.C
	}
	l.workers.Add(1)
	go l.refresh(ctx)
	l.publish()
	for {
		select {
		case <-ctx.Done():
			if l.st.cancelIssue != nil {
				l.st.cancelIssue()
			}
			return nil
		case fn := <-l.ops:
			fn()
		case ev, ok := <-cards:
			if !ok {
				cards = nil
				continue
			}
			l.card(ev)
		case <-ticks:
			l.expire()
		}
		l.publish()
	}
}

// exec runs fn on the loop's goroutine and waits for it to be taken.
func (l *Loop) exec(ctx context.Context, fn func()) error {
	select {
	case l.ops <- fn:
		return nil
	case <-l.stopped:
		return ErrStopped
	case <-ctx.Done():
		return ctx.Err()
	}
}

// post hands a worker's result to the loop; it is dropped when the loop
// stops (ctx is the loop's).
func (l *Loop) post(ctx context.Context, fn func()) {
	select {
	case l.ops <- fn:
	case <-ctx.Done():
	}
}

// Choose is the visitor choosing a service on the page or with a button.
// It returns ErrUnknownService, ErrBusy while a ticket is being issued or
// printed, or ErrStopped.
func (l *Loop) Choose(ctx context.Context, serviceID string) error {
	errc := make(chan error, 1)
	if err := l.exec(ctx, func() { errc <- l.choose(serviceID) }); err != nil {
		return err
	}
	return <-errc
}

// Back is 返回: the visitor leaves the current step for the menu. A card
// read is forgotten. It returns ErrBusy while the hall is numbering the
// ticket or it prints (an issue that is being retried because the hall
// cannot be reached may be abandoned).
func (l *Loop) Back(ctx context.Context) error {
	errc := make(chan error, 1)
	if err := l.exec(ctx, func() { errc <- l.back() }); err != nil {
		return err
	}
	return <-errc
}

// GroupVisit is 多人来访（集体访）: the representatives of a group (at most
// MaxRepresentatives, 信访工作条例 Art. 20) tap their cards for one ticket
// of the service. It is taken on the menu and while the kiosk waits for a
// card. It returns ErrUnknownService, ErrNoGroup for a service that takes
// none, ErrBusy while a ticket is being issued or printed, or ErrStopped.
func (l *Loop) GroupVisit(ctx context.Context, serviceID string) error {
	errc := make(chan error, 1)
	if err := l.exec(ctx, func() { errc <- l.groupVisit(serviceID) }); err != nil {
		return err
	}
	return <-errc
}

// Finish is 完成 of a group visit: one ticket for the representatives who
// tapped their cards. It returns ErrNoCard before the first card, ErrBusy
// outside a group visit, or ErrStopped.
func (l *Loop) Finish(ctx context.Context) error {
	errc := make(chan error, 1)
	if err := l.exec(ctx, func() { errc <- l.finish() }); err != nil {
		return err
	}
	return <-errc
}

// View returns the current view.
func (l *Loop) View() View {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.view
}

// Wait returns the first view newer than seq, waiting for it until ctx
// ends or the loop stops (it then returns the current view and ctx's error
// or ErrStopped).
func (l *Loop) Wait(ctx context.Context, seq uint64) (View, error) {
	for {
		l.mu.Lock()
		v, ch := l.view, l.changed
		l.mu.Unlock()
		if v.Seq > seq {
			return v, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return v, ctx.Err()
		case <-l.stopped:
			return v, ErrStopped
		}
	}
}

// publish makes the state the current view if it changed, and tells the
// signals when the kiosk's fault state changed.
func (l *Loop) publish() {
	l.mu.Lock()
	v := l.st.view(l.view.Seq)
	if viewEqual(v, l.view) {
		l.mu.Unlock()
		return
	}
	v.Seq = l.view.Seq + 1
	l.view = v
	close(l.changed)
	l.changed = make(chan struct{})
	l.mu.Unlock()
	if f := v.Fault(); f != l.st.fault {
		l.st.fault = f
		if l.opts.Signals != nil {
			l.opts.Signals.Fault(f)
		}
	}
}

func (l *Loop) now() time.Time { return l.opts.Now() }

// refresh asks the hall for its services (waiting counts, reachability)
// and the printer for its status, now and then, until ctx ends.
func (l *Loop) refresh(ctx context.Context) {
	defer l.workers.Done()
	info := time.NewTicker(l.opts.InfoEvery)
	defer info.Stop()
	var check <-chan time.Time
	if l.opts.PrinterCheck != nil {
		t := time.NewTicker(l.opts.PrinterEvery)
		defer t.Stop()
		check = t.C
		l.checkPrinter(ctx)
	}
	l.fetchInfo(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-info.C:
			l.fetchInfo(ctx)
		case <-check:
			l.checkPrinter(ctx)
		}
	}
}

func (l *Loop) fetchInfo(ctx context.Context) {
	actx, cancel := context.WithTimeout(ctx, l.opts.IssueTimeout)
	info, err := l.opts.Desk.Info(actx)
	cancel()
	if ctx.Err() != nil {
		return
	}
	l.post(ctx, func() { l.gotInfo(info, err) })
}

func (l *Loop) checkPrinter(ctx context.Context) {
	actx, cancel := context.WithTimeout(ctx, l.opts.IssueTimeout)
	res, err := l.opts.PrinterCheck(actx)
	cancel()
	if ctx.Err() != nil {
		return
	}
	if err != nil {
		res.Err = err
	}
	pending := len(l.opts.Printer.Pending())
	l.post(ctx, func() { l.printerChecked(res, pending) })
}

// sleep waits d unless ctx ends first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		// Both may be ready, and select then picks at random: a visitor
		// who left while the timer fired gets no attempt more.
		return ctx.Err() == nil
	}
}
