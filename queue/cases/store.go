package cases

import "context"

// Store reads cases, rectifications and the audit log. The book writes
// through the engine (Runner): *Write and *RectificationWrite values go
// into the engine's batch (queue.Batch.Writes), and the store writes them
// in the batch's transaction. Every method is one read transaction.
// Errors from the disk wrap queue.ErrUnavailable; a missing case or item
// is an error matching queue.ErrNotFound. Methods are safe for concurrent
// use.
type Store interface {
	CaseStore
	RectificationStore
	AuditLog
}

// CaseStore keeps cases and their indexes.
type CaseStore interface {
	// Case returns the case of a canonical code.
	Case(ctx context.Context, code string) (*Case, error)
	// CaseByToken returns the case whose inquiry token has that hash
	// (TokenHash).
	CaseByToken(ctx context.Context, tokenHash string) (*Case, error)
	// CodeByIdem returns the code registered under a hashed idempotency
	// key, or "".
	CodeByIdem(ctx context.Context, key string) (string, error)
	// LastSeq is the last sequence number of a case code of that day.
	LastSeq(ctx context.Context, day Date) (int, error)
	// OpenCases calls fn for every case not closed.
	OpenCases(ctx context.Context, fn func(*Case) error) error
	// OpenFacts calls fn with the Facts of every case not closed in the
	// range: the case list's path, which decodes no case and no facts
	// outside the range. fn must not keep the pointer.
	OpenFacts(ctx context.Context, r FactsRange, fn func(*Facts) error) error
	// OpenCodesOf lists the codes of the open cases a visitor key is a
	// party of.
	OpenCodesOf(ctx context.Context, visitorKey string) ([]string, error)
	// CaseFacts returns the Facts of the case of a canonical code: what
	// first-visit routing chooses by, without decoding the case.
	CaseFacts(ctx context.Context, code string) (*Facts, error)
	// EachCase calls fn for every case registered on the days from..to
	// (inclusive), in code order, each with its whole journal
	// (Case.SetJournal).
	EachCase(ctx context.Context, from, to Date, fn func(*Case) error) error
	// EachFacts calls fn with the Facts of every case in the range: the
	// statistics' and the case list's path, which must not decode whole
	// cases. fn must not keep the pointer.
	EachFacts(ctx context.Context, r FactsRange, fn func(*Facts) error) error
	// StatsDays returns the statistics of the cases registered on each
	// day from..to that has cases, in order, kept by the store so that a
	// year is not recounted case by case (StatsDay).
	StatsDays(ctx context.Context, from, to Date) ([]StatsDay, error)
	// Journal returns a case's journal: every step and visit, in order.
	Journal(ctx context.Context, code string) ([]Step, []Visit, error)
	// ClosedBefore lists the codes of cases closed before day that are
	// not yet anonymised.
	ClosedBefore(ctx context.Context, day Date) ([]string, error)
	// CaseFile returns a photo stored with a case's write (Write.Files).
	CaseFile(ctx context.Context, code, name string) ([]byte, error)
	// CasesLogged reports whether every case is in the event log: true
	// once a LoggedWrite was committed (Book.LogExisting).
	CasesLogged(ctx context.Context) (bool, error)
}

// FactsRange selects the Facts a scan reads: of the cases registered on
// the days From..To (inclusive; AllDays for every day from From on). If
// Containing is not "", a store may skip, without decoding them, the
// records that do not contain it as written — the code, the masked names
// and the visitor keys are kept verbatim, so a search by them decodes its
// candidates only; fn may still get others and applies its own test.
type FactsRange struct {
	From, To   Date
	Containing string
	// NoKeys: the scan does not need the visitor keys (Facts.VisitorKeys
	// may come empty): a list that does not search by ID number.
	NoKeys bool
}

// Write is one case command's write: the case with everything that
// follows from it — the token, visitor, open, registration-day and closed
// indexes, its Facts, the day's sequence number of a new case, the
// idempotency key if any — and the audit entries. Case may be nil for
// audit entries alone. A new case whose code exists fails the commit: the
// book never numbers one twice.
type Write struct {
	Case    *Case
	Facts   Facts  // of Case, for EachFacts
	New     bool   // a registration
	IdemKey string // the hashed idempotency key of the command, if any
	Audit   []AuditEntry
	Files   []File // photos of the case's messages, stored beside it
	// DropFiles deletes every photo of the case (anonymisation).
	DropFiles bool
	// The journal entries the write stores (journal.go): Steps from the
	// case's step StepsFrom on, Visits from its visit VisitsFrom on —
	// the new ones, or with RewriteSteps every step, rewritten
	// (anonymisation redacts their notes).
	Steps        []Step
	StepsFrom    int
	Visits       []Visit
	VisitsFrom   int
	RewriteSteps bool
}

// LoggedWrite records that the cases registered before case steps were
// events are now in the event log (Book.LogExisting).
type LoggedWrite struct{}

// RectificationWrite writes rectification items and, if Cursor is not 0,
// the sequence number of the last rating event handled.
type RectificationWrite struct {
	Items  []Rectification
	Cursor uint64
}

// RectificationStore keeps the rectification items of bad ratings.
type RectificationStore interface {
	// Rectification returns the item of a ticket.
	Rectification(ctx context.Context, ticketID uint64) (*Rectification, error)
	// EachRectification calls fn for every item, in ticket order.
	EachRectification(ctx context.Context, fn func(*Rectification) error) error
	// RatingCursor is the cursor last written (0 at first).
	RatingCursor(ctx context.Context) (uint64, error)
}

// AuditLog keeps who opened personal data, when, on which case and why.
type AuditLog interface {
	// EachAudit calls fn for the entries after seq, oldest first.
	EachAudit(ctx context.Context, after uint64, fn func(AuditEntry) error) error
}
