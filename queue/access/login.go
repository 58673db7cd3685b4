package access

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"yiting/queue"
)

// LockedError is the cause inside the ETOOMANY error of a refused login:
// Until is when to try again (an HTTP adapter can send it as Retry-After).
type LockedError struct {
	Until time.Time
}

func (e *LockedError) Error() string {
	return "access: login refused until " + e.Until.Format(time.RFC3339)
}

// Login checks a user's password and starts a session. It returns the
// session secret (give it to the browser, e.g. in an HttpOnly cookie) and
// the user's principal.
//
// Errors: EUNAUTH for a wrong user name or password (the same message for
// both, and an unknown user costs the same bcrypt comparison as a known
// one); EFORBIDDEN for a disabled account with the right password;
// ETOOMANY, with a *LockedError inside, while the user name or clientIP is
// locked after repeated failures — refused without checking the password.
// A successful login clears the user name's failures (not the address's).
// An empty clientIP counts as one unknown client.
func (s *Service) Login(ctx context.Context, user, password, clientIP string) (string, queue.Principal, error) {
	if err := ctx.Err(); err != nil {
		return "", queue.Principal{}, fmt.Errorf("access: login: %w", err)
	}
	name := strings.ToLower(strings.TrimSpace(user))
	keys := []limitKey{
		{name: "user:" + truncate(name, 64), lim: s.userLimit},
		{name: "ip:" + truncate(clientIP, 64), lim: s.ipLimit},
	}
	if retry, ok := s.lim.admit(s.now(), keys...); !ok {
		s.log.Warn("login refused: rate limited", "ip", clientIP, "until", retry)
		return "", queue.Principal{}, errLocked(retry)
	}

	s.cmu.RLock()
	u := s.users[name]
	s.cmu.RUnlock()
	hash := s.dummyHash
	if u != nil {
		hash = []byte(u.rec.PasswordHash)
	}
	err := bcrypt.CompareHashAndPassword(hash, []byte(password))
	if err != nil && !errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) && u != nil {
		s.log.Error("stored password hash unusable; set a new password", "user", name, "err", err)
	}
	// bcrypt reads only the first 72 bytes; stored passwords are no
	// longer, so a longer one cannot be right.
	if u == nil || err != nil || len(password) > maxPasswordBytes {
		s.lim.fail(s.now(), keys...)
		if u != nil {
			s.log.Warn("login failed", "user", name, "ip", clientIP)
		} else {
			// The name is not logged: it may be a password typed into
			// the wrong field.
			s.log.Warn("login failed: unknown user", "ip", clientIP)
		}
		return "", queue.Principal{}, errWrongPassword()
	}
	if u.rec.Disabled {
		s.lim.done(keys)
		s.log.Warn("login refused: account disabled", "user", name, "ip", clientIP)
		return "", queue.Principal{}, errDisabled(queue.EFORBIDDEN)
	}

	secret, p, err := s.startSession(ctx, u, clientIP)
	if err != nil {
		s.lim.done(keys)
		return "", queue.Principal{}, err
	}
	s.lim.done(keys, keys[0])
	s.log.Info("login", "user", name, "ip", clientIP)
	return secret, p, nil
}

// startSession stores a new session for u unless u changed (password or
// disabled) while its password was being checked.
func (s *Service) startSession(ctx context.Context, u *userEntry, clientIP string) (string, queue.Principal, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cmu.RLock()
	cur := s.users[u.rec.Name]
	s.cmu.RUnlock()
	switch {
	case cur == nil || cur.rec.PasswordHash != u.rec.PasswordHash:
		return "", queue.Principal{}, errWrongPassword()
	case cur.rec.Disabled:
		return "", queue.Principal{}, errDisabled(queue.EFORBIDDEN)
	}
	secret := newSessionSecret()
	d := digestOf(secret)
	now := s.now()
	rec := SessionRecord{Hash: hexOf(d), User: cur.rec.Name, Created: now, Expires: now.Add(s.ttl), ClientIP: clientIP}
	if err := s.store.PutSession(ctx, rec); err != nil {
		return "", queue.Principal{}, storageError("save session", err)
	}
	s.cmu.Lock()
	s.creds[d] = s.sessionCred(rec)
	s.cmu.Unlock()
	return secret, clonePrincipal(cur.p), nil
}

// Logout ends the session of secret. Ending an unknown or expired session
// is not an error; a device token is not a session and is left alone
// (RevokeToken ends it). The session is refused from the moment Logout is
// called, even when the store then fails (EUNAVAILABLE).
func (s *Service) Logout(ctx context.Context, secret string) error {
	if secret == "" || len(secret) > maxSecretLen {
		return nil
	}
	d := digestOf(secret)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cmu.Lock()
	c := s.creds[d]
	if c == nil || !c.session {
		s.cmu.Unlock()
		return nil
	}
	delete(s.creds, d)
	s.cmu.Unlock()
	if err := s.store.DeleteSession(ctx, c.hash); err != nil {
		return storageError("delete session", err)
	}
	s.log.Info("logout", "user", c.user)
	return nil
}

func errWrongPassword() error {
	return queue.Errorf(queue.EUNAUTH, "用户名或密码错误 (wrong user name or password)")
}

// errLocked says when to try again, rounded up to the minute the clerk
// reads on the wall clock.
func errLocked(until time.Time) error {
	e := &queue.Error{Code: queue.ETOOMANY, Err: &LockedError{Until: until}}
	if t := until.Truncate(time.Minute); t.Before(until) {
		until = t.Add(time.Minute)
	}
	e.Message = fmt.Sprintf("登录失败次数过多，请于 %s 后再试 (too many failed logins; try again after %s)",
		until.Format("15:04"), until.Format("15:04"))
	return e
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
