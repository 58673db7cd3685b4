package booking

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/personal"
)

// Runner runs a command on the engine's writer: *queue.Engine.
type Runner interface {
	Do(ctx context.Context, fn func(*queue.Tx) (any, error)) (any, error)
}

// Desk issues a ticket inside a command's transaction: *cases.Book (the
// one desk of the hall).
type Desk interface {
	IssueIn(ctx context.Context, tx *queue.Tx, p queue.Principal, req cases.IssueRequest) (cases.Issued, error)
}

// Cases reads a case a session is scheduled for: *cases.Book.
type Cases interface {
	Case(ctx context.Context, p queue.Principal, code string) (cases.View, error)
	Personal(ctx context.Context, p queue.Principal, code, reason string) ([]cases.PersonDetail, error)
}

// Options configure a Diary. Hall, Engine, Store, Keys, Desk and Config
// are required.
type Options struct {
	Hall   *queue.Hall
	Engine Runner
	Store  Store
	Keys   *personal.Keys
	Desk   Desk
	Cases  Cases // nil: no sessions for cases
	// Config is the hall file's: its plans are the starting point of the
	// plans in effect, which the edits in the store change (plans.go).
	Config Config
	// Calendar returns the working-day calendar of the moment (closed
	// days): cases.Book.Calendar. Nil: weekends only.
	Calendar func() *cases.Calendar
	// Duty tells the days a duty plan runs (queue/rota); nil: never.
	Duty cases.Duty
	// Notifier sends the reminders; nil: a LogNotifier on Logger.
	Notifier Notifier
	Now      func() time.Time
	Logger   *slog.Logger
	Rand     io.Reader // crypto/rand if nil
}

// Diary is the hall's appointment diary. All methods are safe for
// concurrent use.
type Diary struct {
	hall     *queue.Hall
	eng      Runner
	store    Store
	keys     *personal.Keys
	desk     Desk
	cases    Cases
	file     Config                    // the hall file's
	plans    atomic.Pointer[planState] // in effect: the file's and the store's edits
	calendar func() *cases.Calendar
	duty     cases.Duty
	notifier Notifier
	now      func() time.Time
	log      *slog.Logger
	rand     io.Reader
	limit    *guessLimit
}

// New checks the options, reads the plans' edits from the store and
// returns the diary.
func New(opts Options) (*Diary, error) {
	switch {
	case opts.Hall == nil, opts.Engine == nil, opts.Store == nil, opts.Keys == nil, opts.Desk == nil:
		return nil, errors.New("booking: Options.Hall, Engine, Store, Keys and Desk are required")
	}
	if err := opts.Config.Validate(opts.Hall); err != nil {
		return nil, err
	}
	d := &Diary{hall: opts.Hall, eng: opts.Engine, store: opts.Store, keys: opts.Keys, desk: opts.Desk, cases: opts.Cases,
		file: opts.Config, calendar: opts.Calendar, duty: opts.Duty, notifier: opts.Notifier, now: opts.Now, log: opts.Logger, rand: opts.Rand}
	if d.calendar == nil {
		cal := cases.NewCalendar()
		d.calendar = func() *cases.Calendar { return cal }
	}
	if d.now == nil {
		d.now = time.Now
	}
	if d.log == nil {
		d.log = slog.Default()
	}
	if d.rand == nil {
		d.rand = rand.Reader
	}
	if d.notifier == nil {
		d.notifier = LogNotifier{Log: d.log}
	}
	d.limit = newGuessLimit()
	if _, err := d.load(context.Background()); err != nil {
		return nil, fmt.Errorf("booking: reading the plans' edits: %w", err)
	}
	return d, nil
}

// Config is the diary's configuration in effect: the policy of the hall
// file and the plans of the file and the page.
func (d *Diary) Config() Config { return d.current().cfg }

// Policy is the diary's rules.
func (d *Diary) Policy() Policy { return d.file.Policy }

func (d *Diary) today() cases.Date { return cases.DateOf(d.now(), d.hall.Location) }

// run runs a command on the engine's writer.
func run[T any](ctx context.Context, d *Diary, fn func(tx *queue.Tx) (T, error)) (T, error) {
	v, err := d.eng.Do(ctx, func(tx *queue.Tx) (any, error) { return fn(tx) })
	if err != nil {
		var zero T
		return zero, err
	}
	return v.(T), nil
}

func bookingKey(id string) string { return "booking " + id }

func slotKey(plan string, start time.Time) string {
	return "booking slot " + plan + " " + start.UTC().Format(time.RFC3339)
}

// get reads a booking inside a command: the version written earlier in
// the batch, else the store's. The copy is the caller's.
func (d *Diary) get(ctx context.Context, tx *queue.Tx, id string) (*Booking, error) {
	if v, ok := tx.Pending(bookingKey(id)); ok {
		return v.(*Write).Booking.clone(), nil
	}
	return d.store.Booking(ctx, id)
}

// taken is how many active bookings hold a slot inside a command.
func (d *Diary) taken(ctx context.Context, tx *queue.Tx, plan string, start time.Time) (int, error) {
	if v, ok := tx.Pending(slotKey(plan, start)); ok {
		return v.(int), nil
	}
	return d.store.Taken(ctx, plan, start)
}

// hold changes a slot's count for the later commands of the batch.
func (d *Diary) hold(ctx context.Context, tx *queue.Tx, plan string, start time.Time, delta int) error {
	n, err := d.taken(ctx, tx, plan, start)
	if err != nil {
		return err
	}
	tx.Keep(slotKey(plan, start), n+delta)
	return nil
}

// save writes a booking in the command's transaction with the event of
// its step.
func (d *Diary) save(tx *queue.Tx, w *Write, actor, step string, party int, ticket string) {
	tx.Write(bookingKey(w.Booking.ID), w)
	tx.EmitBooking(actor, d.stepOf(w.Booking, step, party, ticket))
}

func (d *Diary) stepOf(b *Booking, step string, party int, ticket string) queue.BookingStep {
	return queue.BookingStep{ID: b.ID, Step: step, Plan: b.Plan, Service: b.ServiceID, Counter: b.CounterID, Start: b.Start,
		Parties: len(b.Parties), Party: party, Ticket: ticket, Case: b.CaseCode, Channel: string(b.Channel)}
}

// View is the booking as staff see it.
func (d *Diary) View(b *Booking) View {
	v := View{ID: b.ID, Plan: b.Plan, ServiceID: b.ServiceID, CounterID: b.CounterID, Day: b.Day.String(), Start: b.Start, End: b.End,
		CaseCode: b.CaseCode, Channel: b.Channel, Note: b.Note, By: b.By, Cancelled: !b.Active(), Reason: b.CancelReason}
	v.PlanName = d.planName(b.Plan)
	if c, ok := d.hall.Counter(b.CounterID); ok {
		v.Room = c.Name
	}
	for _, pt := range b.Parties {
		v.Parties = append(v.Parties, PartyView{MaskedName: pt.MaskedName, MaskedID: pt.MaskedID, MaskedPhone: pt.MaskedPhone,
			Status: pt.Status, StatusName: pt.Status.Name(), At: pt.At, Ticket: pt.Ticket})
	}
	return v
}
