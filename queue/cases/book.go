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
	"time"

	"yiting/queue"
	"yiting/queue/personal"
)

// Options configure a Book. Hall, Store, Keys and PublicURL are required;
// the zero value of the others means their default.
type Options struct {
	Hall  *queue.Hall
	Store Store
	Keys  *personal.Keys
	// PublicURL is the base of the inquiry page's URL, without a
	// trailing slash (hallconfig.Config.PublicURL).
	PublicURL string
	// Calendar counts working days. Nil: weekends only, and every year
	// shows in Calendar().Warnings.
	Calendar *Calendar
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
	// Sensitive lists case types (and their sub-types) visible only to
	// the case's unit and supervisors: health matters. Nil: DefaultSensitive.
	Sensitive []string
	Now       func() time.Time // time.Now if nil
	Logger    *slog.Logger     // slog.Default() if nil
	Rand      io.Reader        // crypto/rand if nil
}

// DefaultSensitive: medical disputes and counselling (docs/domain.md,
// "Personal information": health matters are sensitive).
func DefaultSensitive() []string { return []string{"mediation.medical", "counselling"} }

// Book is the hall's case book. Commands are serialised (a hall
// registers at most hundreds of cases a day) and each is one store
// transaction; reads go to the store directly. All methods are safe for
// concurrent use.
type Book struct {
	hall      *queue.Hall
	store     Store
	keys      *personal.Keys
	publicURL string
	cal       *Calendar
	limits    Limits
	notices   []NoticeLevel
	auto      AutoSupervision
	rectify   Span
	retention int
	sensitive []string
	now       func() time.Time
	log       *slog.Logger
	rand      io.Reader

	mu sync.Mutex // serialises commands
}

// New checks the options and returns the book.
func New(opts Options) (*Book, error) {
	switch {
	case opts.Hall == nil:
		return nil, errors.New("cases: Options.Hall is required")
	case opts.Store == nil:
		return nil, errors.New("cases: Options.Store is required")
	case opts.Keys == nil:
		return nil, errors.New("cases: Options.Keys is required")
	case !strings.HasPrefix(opts.PublicURL, "http://") && !strings.HasPrefix(opts.PublicURL, "https://"):
		return nil, errors.New("cases: Options.PublicURL must be an http or https URL")
	}
	b := &Book{
		hall:      opts.Hall,
		store:     opts.Store,
		keys:      opts.Keys,
		publicURL: strings.TrimRight(opts.PublicURL, "/"),
		cal:       opts.Calendar,
		limits:    mergedLimits(opts.Limits),
		notices:   opts.Notices,
		auto:      opts.Auto,
		rectify:   opts.RectifyWithin,
		retention: opts.RetentionYears,
		sensitive: opts.Sensitive,
		now:       opts.Now,
		log:       opts.Logger,
		rand:      opts.Rand,
	}
	if b.cal == nil {
		b.cal = NewCalendar()
	}
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
	return b, nil
}

// Calendar is the working-day calendar the book counts with.
func (b *Book) Calendar() *Calendar { return b.cal }

// Limits is the effective table of time limits.
func (b *Book) Limits() Limits { return b.limits }

// Notices are the supervision notice levels, most urgent first.
func (b *Book) Notices() []NoticeLevel { return b.notices }

func (b *Book) today() Date { return DateOf(b.now(), b.hall.Location) }

// InquiryURL is the URL of a token's public inquiry page.
func (b *Book) InquiryURL(token string) string { return b.publicURL + "/c/" + token }

// load reads a case by a code as typed.
func (b *Book) load(ctx context.Context, code string) (*Case, error) {
	canon, err := NormalizeCode(code)
	if err != nil {
		return nil, err
	}
	return b.store.Case(ctx, canon)
}

// mutate runs one command on one case: load, check and change (fn),
// write, log. fn returns the step's note for the log (no personal data).
func (b *Book) mutate(ctx context.Context, code string, fn func(c *Case, now time.Time) error) (*Case, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c, err := b.load(ctx, code)
	if err != nil {
		return nil, err
	}
	now := b.now()
	before := len(c.History)
	if err := fn(c, now); err != nil {
		return nil, err
	}
	if err := b.put(ctx, Write{Case: c}); err != nil {
		return nil, err
	}
	for _, s := range c.History[before:] {
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

// put writes a case with its facts.
func (b *Book) put(ctx context.Context, w Write) error {
	w.Facts = w.Case.Facts(b.hall.Location)
	return b.store.PutCase(ctx, w)
}
