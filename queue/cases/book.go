package cases

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"yiting/queue"
	"yiting/queue/personal"
)

// Runner runs a command on the engine's writer, in the transaction of the
// batch it joins: *queue.Engine. Every write of the book goes through it,
// so a case and its events commit with the tickets of the same moment.
type Runner interface {
	Do(ctx context.Context, fn func(*queue.Tx) (any, error)) (any, error)
}

// Options configure a Book. Hall, Engine, Store, Keys and PublicURL are
// required; the zero value of the others means their default.
type Options struct {
	Hall   *queue.Hall
	Engine Runner
	Store  Store
	Keys   *personal.Keys
	// PublicURL is the base of the inquiry page's URL, without a
	// trailing slash (hallconfig.Config.PublicURL).
	PublicURL string
	// Calendar counts working days. Nil: weekends only, and every year
	// shows in Calendar().Warnings.
	Calendar *Calendar
	// HolidayFiles keeps the holiday files an admin sends
	// (SetHolidayFile); nil: they are refused.
	HolidayFiles HolidayFiles
	// Limits override DefaultLimits by case type.
	Limits Limits
	// Notices are the supervision notice levels, most urgent first.
	// DefaultNotices if nil.
	Notices []NoticeLevel
	// Auto is when supervision opens by itself. DefaultAuto if zero.
	Auto AutoSupervision
	// RectifyWithin is the deadline of a rectification item after a bad
	// rating (国办发〔2019〕51号; local rules say 5 or 15 working days).
	// 15 working days if zero.
	RectifyWithin Span
	// RetentionYears: closed cases are anonymised this many years after
	// closing (个人信息保护法 Art. 19). 5 if 0; negative: never.
	RetentionYears int
	// ArchiveYears: the anonymised case record is kept this many years
	// after closing (保管期限), then listed for the archive's appraisal
	// (ArchiveDue); 0 or negative: permanently. The book destroys no
	// record (档案法 Art. 21).
	ArchiveYears int
	// Sensitive lists case types (and their sub-types) visible only to
	// the case's unit and supervisors: health matters. Nil: DefaultSensitive.
	Sensitive []string
	// Duty is the duty rota: a duty-only service (领导接访) is issued on
	// the days it opens it, to its room; without it such a service is
	// never offered.
	Duty Duty
	// StaffUnits returns the units a clerk belongs to directly, besides
	// their counters' (access.Service.UserUnits): a case received at a
	// shared window without a unit (12号窗口, where the dispatched units
	// take turns) goes to the receiving clerk's unit when they have
	// exactly one. Nil: such a case keeps no unit until it is assigned.
	StaffUnits func(staffID string) []string
	// County: the hall is a site of a county network (hall file
	// [county] site): its supervisors may report a case up (ReportUp).
	County bool
	Now    func() time.Time // time.Now if nil
	Logger *slog.Logger     // slog.Default() if nil
	Rand   io.Reader        // crypto/rand if nil
}

// DefaultSensitive: medical disputes and counselling (docs/domain.md,
// "Personal information": health matters are sensitive).
func DefaultSensitive() []string { return []string{"mediation.medical", "counselling"} }

// Book is the hall's case book. Its commands run on the engine's writer
// (Runner), one at a time, and commit in the engine's transaction with
// one event per step; reads go to the store directly. All methods are
// safe for concurrent use.
type Book struct {
	hall      *queue.Hall
	eng       Runner
	store     Store
	keys      *personal.Keys
	publicURL string
	calendar  atomic.Pointer[Calendar] // replaced whole by SetHolidayFile
	// holidayMu: one holiday file at a time, each replacing the calendar
	// with a copy of the one before with one year changed.
	holidayMu    sync.Mutex
	holidayFiles HolidayFiles
	dueYears     dueYears // CalendarWarnings' scan, for a minute
	limits       Limits
	notices      []NoticeLevel
	auto         AutoSupervision
	rectify      Span
	retention    int
	archive      int // years; 0: permanently
	sensitive    []string
	now          func() time.Time
	log          *slog.Logger
	rand         io.Reader
	limit        *issuerLimit // card taps per device
	duty         Duty
	staffOf      func(staffID string) []string
	county       bool // a county site: ReportUp
}

// New checks the options and returns the book.
func New(opts Options) (*Book, error) {
	switch {
	case opts.Hall == nil:
		return nil, errors.New("cases: Options.Hall is required")
	case opts.Engine == nil:
		return nil, errors.New("cases: Options.Engine is required")
	case opts.Store == nil:
		return nil, errors.New("cases: Options.Store is required")
	case opts.Keys == nil:
		return nil, errors.New("cases: Options.Keys is required")
	case !strings.HasPrefix(opts.PublicURL, "http://") && !strings.HasPrefix(opts.PublicURL, "https://"):
		return nil, errors.New("cases: Options.PublicURL must be an http or https URL")
	}
	b := &Book{
		hall:      opts.Hall,
		eng:       opts.Engine,
		store:     opts.Store,
		keys:      opts.Keys,
		publicURL: strings.TrimRight(opts.PublicURL, "/"),
		limits:    mergedLimits(opts.Limits),
		notices:   opts.Notices,
		auto:      opts.Auto,
		rectify:   opts.RectifyWithin,
		retention: opts.RetentionYears,
		archive:   max(opts.ArchiveYears, 0),
		sensitive: opts.Sensitive,
		now:       opts.Now,
		log:       opts.Logger,
		rand:      opts.Rand,
	}
	if opts.Calendar == nil {
		opts.Calendar = NewCalendar()
	}
	b.calendar.Store(opts.Calendar)
	b.holidayFiles = opts.HolidayFiles
	for typ, l := range b.limits {
		for _, sp := range []Span{l.Accept, l.Handle, l.Extension} {
			if sp.Days < 0 || sp.Days > 3650 {
				return nil, fmt.Errorf("cases: limit of %q: %d days is outside 0..3650", typ, sp.Days)
			}
		}
	}
	if b.notices == nil {
		b.notices = DefaultNotices()
	}
	if err := validNotices(b.notices); err != nil {
		return nil, err
	}
	if b.auto == (AutoSupervision{}) {
		b.auto = DefaultAuto()
	}
	if err := b.auto.valid(b.notices); err != nil {
		return nil, err
	}
	if b.rectify.Days <= 0 {
		b.rectify = Work(15)
	}
	if b.retention == 0 {
		b.retention = 5
	}
	if b.sensitive == nil {
		b.sensitive = DefaultSensitive()
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.log == nil {
		b.log = slog.Default()
	}
	if b.rand == nil {
		b.rand = rand.Reader
	}
	b.duty, b.staffOf, b.county = opts.Duty, opts.StaffUnits, opts.County
	b.limit = newIssuerLimit()
	return b, nil
}

// Calendar is the working-day calendar the book counts with.
// It is replaced, never changed, when an admin sends a holiday file.
func (b *Book) Calendar() *Calendar { return b.calendar.Load() }

func (b *Book) cal() *Calendar { return b.calendar.Load() }

// Limits is the effective table of time limits.
func (b *Book) Limits() Limits { return b.limits }

// Notices are the supervision notice levels, most urgent first.
func (b *Book) Notices() []NoticeLevel { return b.notices }

func (b *Book) today() Date { return DateOf(b.now(), b.hall.Location) }

// InquiryURL is the URL of a token's public inquiry page.
func (b *Book) InquiryURL(token string) string { return b.publicURL + "/c/" + token }

// load reads a committed case by a code as typed.
func (b *Book) load(ctx context.Context, code string) (*Case, error) {
	canon, err := NormalizeCode(code)
	if err != nil {
		return nil, err
	}
	return b.store.Case(ctx, canon)
}

// caseKey is a case's key among the batch's pending writes.
func caseKey(code string) string { return "case " + code }

// get reads a case inside a command: the version a command earlier in the
// same batch wrote, else the store's. The copy is the caller's own.
func (b *Book) get(ctx context.Context, tx *queue.Tx, code string) (*Case, error) {
	if v, ok := tx.Pending(caseKey(code)); ok {
		return v.(*Write).Case.clone(), nil
	}
	return b.store.Case(ctx, code)
}

// save writes a case in the command's transaction — the document, the
// journal entries it gained (all its steps with w.RewriteSteps), its
// facts — with one event for every step it gained, which it returns.
func (b *Book) save(tx *queue.Tx, w *Write) []Step {
	c := w.Case
	steps, visits := c.pending()
	w.StepsFrom, w.Visits, w.VisitsFrom = c.Journal.Steps, visits, c.Journal.Visits
	if w.Steps = steps; w.RewriteSteps {
		w.Steps, w.StepsFrom = c.History, 0 // a whole case: every step
	}
	c.flush()
	w.Facts = c.Facts(b.hall.Location)
	tx.Write(caseKey(c.Code), w)
	for _, s := range steps {
		tx.Emit(s.Actor, b.stepEvent(c, &w.Facts, s))
	}
	return steps
}

// run runs a command of the book on the engine's writer.
func run[T any](ctx context.Context, b *Book, fn func(tx *queue.Tx) (T, error)) (T, error) {
	v, err := b.eng.Do(ctx, func(tx *queue.Tx) (any, error) { return fn(tx) })
	if err != nil {
		var zero T
		return zero, err
	}
	return v.(T), nil
}

// mutate runs one command on one case: read, check and change (fn), write
// with the events of its steps, log.
func (b *Book) mutate(ctx context.Context, code string, fn func(c *Case, now time.Time) error) (*Case, error) {
	return b.change(ctx, code, func(c *Case, _ *Write, now time.Time) error { return fn(c, now) })
}

// handled is mutate for a command of the case's handlers: fn runs once p
// may handle the case (checkHandle).
func (b *Book) handled(ctx context.Context, p queue.Principal, code string, fn func(c *Case, now time.Time) error) (*Case, error) {
	return b.mutate(ctx, code, func(c *Case, now time.Time) error {
		if err := b.checkHandle(p, c); err != nil {
			return err
		}
		return fn(c, now)
	})
}

// change is mutate for a command that adds to the write (audit entries).
func (b *Book) change(ctx context.Context, code string, fn func(c *Case, w *Write, now time.Time) error) (*Case, error) {
	canon, err := NormalizeCode(code)
	if err != nil {
		return nil, err
	}
	var steps []Step
	c, err := run(ctx, b, func(tx *queue.Tx) (*Case, error) {
		c, err := b.get(ctx, tx, canon)
		if err != nil {
			return nil, err
		}
		w := &Write{Case: c}
		if err := fn(c, w, tx.Now()); err != nil {
			return nil, err
		}
		steps = b.save(tx, w)
		return c, nil
	})
	if err != nil {
		return nil, err
	}
	for _, s := range steps { // no personal data
		b.log.Info("case step", "case", c.Code, "step", string(s.Kind), "actor", s.Actor, "status", string(c.Status))
	}
	return c, nil
}

func hashKey(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// typeName is the Chinese name of a case type: the name of the service
// that opens it.
func (b *Book) typeName(caseType, serviceID string) string {
	if sv, ok := b.hall.Service(serviceID); ok && sv.CaseType == caseType {
		return sv.Name
	}
	for _, sv := range b.hall.Services {
		if sv.CaseType == caseType {
			return sv.Name
		}
	}
	return caseType
}

// Sensitive reports whether a case type is visible only to its unit and
// supervisors.
func (b *Book) Sensitive(caseType string) bool {
	for _, s := range b.sensitive {
		if caseType == s || strings.HasPrefix(caseType, s+".") {
			return true
		}
	}
	return false
}
