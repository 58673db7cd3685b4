package access

import (
	"context"
	"time"

	"yiting/queue"
)

// UserRecord is a person's account as stored. PasswordHash is a bcrypt
// hash; it goes to the Store and nowhere else (ListUsers returns UserInfo).
type UserRecord struct {
	Name         string     `json:"name"` // login name, lower case; the key
	DisplayName  string     `json:"display_name"`
	Role         queue.Role `json:"role"` // admin, supervisor or staff
	Counters     []string   `json:"counters,omitempty"`
	Units        []string   `json:"units,omitempty"`
	PasswordHash string     `json:"password_hash"`
	Disabled     bool       `json:"disabled,omitempty"`
	Created      time.Time  `json:"created"`
	CreatedBy    string     `json:"created_by,omitempty"`
	PasswordSet  time.Time  `json:"password_set"`
	// MustChange: the password was set by someone else (generated at
	// the first start, or reset by an admin): it works only to set a new
	// one.
	MustChange bool `json:"must_change,omitempty"`
}

// SessionRecord is a login session as stored. Hash is the hex SHA-256 of
// the session secret, which is never stored.
type SessionRecord struct {
	Hash     string    `json:"hash"` // the key
	User     string    `json:"user"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
	ClientIP string    `json:"client_ip,omitempty"`
}

// TokenRecord is a device token as stored. Hash is the hex SHA-256 of the
// whole token string, which is never stored. A revoked token is kept (with
// Revoked set) so the refusal can say so and the list shows who revoked it.
type TokenRecord struct {
	ID        string     `json:"id"` // the key; 8 hex digits, also inside the token
	Hash      string     `json:"hash"`
	Role      queue.Role `json:"role"` // kiosk, display or pad
	Name      string     `json:"name"`
	CounterID string     `json:"counter_id,omitempty"` // pads only
	Created   time.Time  `json:"created"`
	CreatedBy string     `json:"created_by,omitempty"`
	Revoked   time.Time  `json:"revoked,omitzero"`
	RevokedBy string     `json:"revoked_by,omitempty"`
}

// UserStore keeps accounts. GetUser returns an error matching
// queue.ErrNotFound when there is no such user; PutUser creates or
// replaces. Any other error means the storage failed.
type UserStore interface {
	GetUser(ctx context.Context, name string) (UserRecord, error)
	PutUser(ctx context.Context, u UserRecord) error
	ListUsers(ctx context.Context) ([]UserRecord, error)
}

// SessionStore keeps login sessions by hash. ExtendSession changes the
// expiry of an existing session only: it returns nil and writes nothing
// when the session is gone, so a late extension cannot bring back a
// session that was logged out meanwhile. DeleteSession returns nil when
// the session is gone. DeleteUserSessions and DeleteExpiredSessions
// (Expires at or before now) return how many they deleted.
type SessionStore interface {
	PutSession(ctx context.Context, s SessionRecord) error
	ExtendSession(ctx context.Context, hash string, expires time.Time) error
	DeleteSession(ctx context.Context, hash string) error
	DeleteUserSessions(ctx context.Context, user string) (int, error)
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error)
	ListSessions(ctx context.Context) ([]SessionRecord, error)
}

// TokenStore keeps device tokens by id. GetToken returns an error matching
// queue.ErrNotFound when there is no such token; PutToken creates or
// replaces.
type TokenStore interface {
	PutToken(ctx context.Context, t TokenRecord) error
	GetToken(ctx context.Context, id string) (TokenRecord, error)
	ListTokens(ctx context.Context) ([]TokenRecord, error)
}

// Store is the persistence the Service needs. Each method is expected to
// be one atomic transaction. The Service serialises its own writes (one
// account change at a time) and keeps the store's contents mirrored in
// memory, so it must be the only writer of these records; it may call
// ExtendSession concurrently with the other methods.
type Store interface {
	UserStore
	SessionStore
	TokenStore
}
