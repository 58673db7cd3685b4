package access

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"

	"yiting/queue"
)

// DefaultSessionTTL is how long a session lives without being used.
const DefaultSessionTTL = 12 * time.Hour

// DefaultSessionMaxAge is how long a session lives however much it is
// used: a working day and its overtime, so a console left logged in ends
// overnight and a stolen cookie does not live for ever.
const DefaultSessionMaxAge = 16 * time.Hour

// extendEvery bounds the session extension writes: a session used
// constantly is written once a minute, not once a request.
const extendEvery = time.Minute

// Options configure a Service. The zero value of each field means its
// default.
type Options struct {
	Now        func() time.Time // default time.Now
	Logger     *slog.Logger     // default discards
	BcryptCost int              // default bcrypt.DefaultCost; tests use bcrypt.MinCost
	SessionTTL time.Duration    // idle lifetime of a session, sliding; default DefaultSessionTTL
	SessionMax time.Duration    // absolute lifetime of a session from its login; default DefaultSessionMaxAge
	UserLimit  Limit            // failed logins per user name; default DefaultUserLimit()
	IPLimit    Limit            // failed logins per client address; default DefaultIPLimit()

	// CounterExists reports whether a counter id names a counter of the
	// hall; staff and pads may be bound only to those. Nil accepts any
	// well-formed id.
	CounterExists func(id string) bool
	// UnitExists reports whether a name is a unit of the hall; staff may
	// belong only to those. Nil accepts any name.
	UnitExists func(name string) bool
}

// Service keeps accounts, sessions and device tokens, and turns a secret
// into a queue.Principal. It is safe for concurrent use. It must be the
// only writer of its Store's records while it runs.
type Service struct {
	store         Store
	now           func() time.Time
	log           *slog.Logger
	cost          int
	ttl           time.Duration
	maxAge        time.Duration
	revokeHook    atomic.Pointer[func(actor string)]
	userLimit     Limit
	ipLimit       Limit
	counterExists func(string) bool
	unitExists    func(string) bool
	dummyHash     []byte // compared against when the user is unknown
	lim           *limiter

	// mu serialises changes (one account change at a time), so that
	// memory and store apply them in the same order. Taken before cmu.
	mu sync.Mutex

	// cmu guards the in-memory mirror of the store.
	cmu    sync.RWMutex
	users  map[string]*userEntry  // by user name; entries are replaced, never changed
	creds  map[digest]*cred       // sessions and tokens by SHA-256 of the secret
	tokens map[string]*tokenEntry // by token id; entries are replaced, never changed
}

type userEntry struct {
	rec UserRecord
	p   queue.Principal
}

type tokenEntry struct {
	rec TokenRecord
	d   digest
}

// cred is what a secret stands for: a session of a user or a device token.
type cred struct {
	session bool
	hash    string // hex digest, the session's key in the store
	user    string // sessions: the owner, looked up on every use
	expires atomic.Int64
	ends    int64 // sessions: the absolute end (login + SessionMax), Unix ns

	p       queue.Principal // tokens
	revoked bool            // tokens
}

// New returns a Service over store, loading users, live sessions and
// tokens into memory (expired sessions are deleted from the store).
func New(ctx context.Context, store Store, opts Options) (*Service, error) {
	s := &Service{
		store:         store,
		now:           opts.Now,
		log:           opts.Logger,
		cost:          opts.BcryptCost,
		ttl:           opts.SessionTTL,
		maxAge:        opts.SessionMax,
		userLimit:     opts.UserLimit,
		ipLimit:       opts.IPLimit,
		counterExists: opts.CounterExists,
		unitExists:    opts.UnitExists,
		lim:           newLimiter(),
		users:         make(map[string]*userEntry),
		creds:         make(map[digest]*cred),
		tokens:        make(map[string]*tokenEntry),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.cost == 0 {
		s.cost = bcrypt.DefaultCost
	}
	if s.cost < bcrypt.MinCost || s.cost > bcrypt.MaxCost {
		return nil, fmt.Errorf("access: bcrypt cost %d outside %d…%d", s.cost, bcrypt.MinCost, bcrypt.MaxCost)
	}
	if s.ttl == 0 {
		s.ttl = DefaultSessionTTL
	}
	if s.maxAge == 0 {
		s.maxAge = DefaultSessionMaxAge
	}
	if s.ttl < extendEvery {
		return nil, fmt.Errorf("access: session TTL %v shorter than %v", s.ttl, extendEvery)
	}
	if s.userLimit == (Limit{}) {
		s.userLimit = DefaultUserLimit()
	}
	if s.ipLimit == (Limit{}) {
		s.ipLimit = DefaultIPLimit()
	}
	if !s.userLimit.valid() || !s.ipLimit.valid() {
		return nil, errors.New("access: a login limit needs Failures, Window and Delay above zero and MaxDelay ≥ Delay")
	}
	dummy, err := bcrypt.GenerateFromPassword([]byte(randomText(16)), s.cost)
	if err != nil {
		return nil, fmt.Errorf("access: dummy hash: %w", err)
	}
	s.dummyHash = dummy
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Service) load(ctx context.Context) error {
	now := s.now()
	if n, err := s.store.DeleteExpiredSessions(ctx, now); err != nil {
		return fmt.Errorf("access: delete expired sessions: %w", err)
	} else if n > 0 {
		s.log.Info("expired sessions deleted", "count", n)
	}
	users, err := s.store.ListUsers(ctx)
	if err != nil {
		return fmt.Errorf("access: load users: %w", err)
	}
	for _, u := range users {
		s.users[u.Name] = newUserEntry(u)
	}
	tokens, err := s.store.ListTokens(ctx)
	if err != nil {
		return fmt.Errorf("access: load tokens: %w", err)
	}
	for _, t := range tokens {
		d, err := parseDigest(t.Hash)
		if err != nil {
			return fmt.Errorf("access: token %s: %w", t.ID, err)
		}
		s.tokens[t.ID] = &tokenEntry{rec: t, d: d}
		s.creds[d] = tokenCred(t)
	}
	sessions, err := s.store.ListSessions(ctx)
	if err != nil {
		return fmt.Errorf("access: load sessions: %w", err)
	}
	for _, r := range sessions {
		d, err := parseDigest(r.Hash)
		if err != nil {
			return fmt.Errorf("access: session of %s: %w", r.User, err)
		}
		// Sessions of a disabled user, or older than the user's
		// password, can only be left behind by a failed delete: the
		// change that ended them stands.
		if u := s.users[r.User]; u == nil || u.rec.Disabled || r.Created.Before(u.rec.PasswordSet) {
			continue
		}
		s.creds[d] = s.sessionCred(r)
	}
	return nil
}

func newUserEntry(u UserRecord) *userEntry {
	return &userEntry{rec: u, p: queue.Principal{ID: u.Name, Name: u.DisplayName, Role: u.Role, Counters: u.Counters, Units: u.Units, MustChangePassword: u.MustChange}}
}

func tokenCred(t TokenRecord) *cred {
	return &cred{p: tokenPrincipal(t), revoked: !t.Revoked.IsZero()}
}

func tokenPrincipal(t TokenRecord) queue.Principal {
	p := queue.Principal{ID: t.ID, Name: t.Name, Role: t.Role}
	if t.CounterID != "" {
		p.Counters = []string{t.CounterID}
	}
	return p
}

func (s *Service) sessionCred(r SessionRecord) *cred {
	c := &cred{session: true, hash: r.Hash, user: r.User, ends: r.Created.Add(s.maxAge).UnixNano()}
	c.expires.Store(min(r.Expires.UnixNano(), c.ends))
	return c
}

// Sweep deletes expired sessions from memory and from the store and
// returns how many the store held. Authenticate refuses expired sessions
// without it; Sweep only keeps abandoned ones from piling up. Call it
// now and then (say hourly).
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.now()
	s.cmu.Lock()
	for d, c := range s.creds {
		if c.session && now.UnixNano() >= c.expires.Load() {
			delete(s.creds, d)
		}
	}
	s.cmu.Unlock()
	n, err := s.store.DeleteExpiredSessions(ctx, now)
	if err != nil {
		return 0, storageError("sweep sessions", err)
	}
	return n, nil
}

// requireAdmin checks that actor is an enabled administrator now, not
// only when the request was authenticated.
func (s *Service) requireAdmin(actor queue.Principal) error {
	if actor.Role == queue.RoleAdmin {
		s.cmu.RLock()
		u := s.users[actor.ID]
		s.cmu.RUnlock()
		if u != nil && u.rec.Role == queue.RoleAdmin && !u.rec.Disabled {
			return nil
		}
	}
	return queue.Errorf(queue.EFORBIDDEN, "只有管理员可以管理账号和设备 (admin only)")
}

// dropSessions removes the sessions of user from memory. Called with mu
// held, before the store is told, so that a failing store fails closed.
func (s *Service) dropSessions(user string) int {
	s.cmu.Lock()
	defer s.cmu.Unlock()
	n := 0
	for d, c := range s.creds {
		if c.session && c.user == user {
			delete(s.creds, d)
			n++
		}
	}
	return n
}

// storageError wraps a store failure for the caller: the clerk is told to
// retry, the cause goes to the log with the error.
func storageError(op string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("access: %s: %w", op, err)
	}
	return &queue.Error{
		Code:    queue.EUNAVAILABLE,
		Message: "账号数据无法保存，请稍后重试或联系管理员 (account storage unavailable)",
		Err:     fmt.Errorf("access: %s: %w", op, err),
	}
}

// OnRevoke sets what is told, with the principal's Actor, when a
// principal's credentials end — a device token revoked, a user disabled,
// a password set, counters changed — so that what it holds open (event
// streams) closes at once rather than at its next check. It must not
// block.
func (s *Service) OnRevoke(f func(actor string)) { s.revokeHook.Store(&f) }

// revoked tells the OnRevoke hook, if any.
func (s *Service) revoked(actor string) {
	if f := s.revokeHook.Load(); f != nil {
		(*f)(actor)
	}
}
