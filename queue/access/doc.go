// Package access decides who may use the hall server: staff accounts with
// passwords and sessions, device tokens for kiosks, display boards and
// evaluation pads, login rate limiting, and the first administrator.
//
// Roles and what they may do are queue.Role and queue.Principal (see
// queue/access.go); this package turns a credential into a Principal.
// It imports the standard library, golang.org/x/crypto and yiting/queue
// only; persistence is the Store interface, which queue/boltstore
// implements.
//
// # Secrets
//
// Both kinds of secret carry 32 random bytes from crypto/rand, encoded
// base64url without padding, and only their SHA-256 is stored, so a copy
// of the database file yields no working credential:
//
//	yts_<43 characters>            a staff session, returned by Login
//	ytd_<8 hex digits>_<43 chars>  a device token, returned once by CreateDeviceToken
//
// The 8 hex digits are the token's id as ListTokens shows it, so an
// installer can tell which token a device is configured with; lookup
// never relies on them (Authenticate hashes the whole string). Passwords
// are bcrypt hashes.
//
// # Hot path
//
// Authenticate runs on every API request. It hashes the secret and looks
// it up in memory (loaded from the store at start, changed on every grant
// and revocation): no bcrypt and no disk read. Sessions slide: a request
// extends the session to SessionTTL from now, written to the store at
// most once a minute per session, but never past SessionMax (16 hours)
// after the login.
//
// # Consistency with the store
//
// Grants (a new user, session or token) become visible in memory only
// after the store committed them. Revocations (logout, revoked token,
// disabled user, changed password) take effect in memory first and are
// then written, so a storage failure fails closed: the credential stays
// refused until a restart, and the caller gets EUNAVAILABLE.
package access
