package cases

import "context"

// Store keeps cases, rectifications and the audit log durably. Every
// method is one transaction; writes return after they are on disk. Errors
// from the disk wrap queue.ErrUnavailable; a missing case or item is an
// error matching queue.ErrNotFound. Methods are safe for concurrent use;
// the Book is the only writer.
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
	// PutCase writes a case with everything that follows from it — the
	// token, visitor, open, registration-day and closed indexes, its
	// Facts, the day's sequence number of a new case, the idempotency
	// key if any — and the audit entries, in one transaction. A new case
	// whose code exists fails with an error matching queue.ErrConflict.
	PutCase(ctx context.Context, w Write) error
	// OpenCases calls fn for every case not closed.
	OpenCases(ctx context.Context, fn func(*Case) error) error
	// OpenCodesOf lists the codes of the open cases a visitor key is a
	// party of.
	OpenCodesOf(ctx context.Context, visitorKey string) ([]string, error)
	// EachCase calls fn for every case registered on the days from..to
	// (inclusive), in code order.
	EachCase(ctx context.Context, from, to Date, fn func(*Case) error) error
	// EachFacts calls fn with the Facts of every case registered on the
	// days from..to: the statistics' path, which must not decode whole
	// cases. fn must not keep the pointer.
	EachFacts(ctx context.Context, from, to Date, fn func(*Facts) error) error
	// ClosedBefore lists the codes of cases closed before day that are
	// not yet anonymised.
	ClosedBefore(ctx context.Context, day Date) ([]string, error)
}

// Write is one case command's write.
type Write struct {
	Case    *Case
	Facts   Facts  // of Case, for EachFacts
	New     bool   // a registration
	IdemKey string // the hashed idempotency key of the command, if any
	Audit   []AuditEntry
}

// RectificationStore keeps the rectification items of bad ratings.
type RectificationStore interface {
	// PutRectifications writes the items and, if cursor is not 0, the
	// sequence number of the last rating event handled, in one
	// transaction.
	PutRectifications(ctx context.Context, rs []Rectification, cursor uint64) error
	// Rectification returns the item of a ticket.
	Rectification(ctx context.Context, ticketID uint64) (*Rectification, error)
	// EachRectification calls fn for every item, in ticket order.
	EachRectification(ctx context.Context, fn func(*Rectification) error) error
	// RatingCursor is the cursor last written (0 at first).
	RatingCursor(ctx context.Context) (uint64, error)
}

// AuditLog keeps who opened personal data, when, on which case and why.
type AuditLog interface {
	// AppendAudit appends entries, numbering them.
	AppendAudit(ctx context.Context, entries []AuditEntry) error
	// EachAudit calls fn for the entries after seq, oldest first.
	EachAudit(ctx context.Context, after uint64, fn func(AuditEntry) error) error
}
