package access

import (
	"context"
	"slices"
	"time"

	"yiting/queue"
)

// Authenticate returns the principal a session secret or device token
// stands for. It returns an error with code EUNAUTH for an unknown,
// malformed or expired secret, a revoked token, or a session of a
// disabled user. It does no bcrypt and reads nothing from disk; using a
// session extends it to SessionTTL from now — never past SessionMax after
// its login — written to the store at most once a minute per session (a
// write failure is logged, not returned).
// Safe for concurrent use.
func (s *Service) Authenticate(ctx context.Context, secret string) (queue.Principal, error) {
	if secret == "" || len(secret) > maxSecretLen {
		return queue.Principal{}, errNotLoggedIn()
	}
	d := digestOf(secret)
	s.cmu.RLock()
	c := s.creds[d]
	var u *userEntry
	if c != nil && c.session {
		u = s.users[c.user]
	}
	s.cmu.RUnlock()

	switch {
	case c == nil:
		return queue.Principal{}, errNotLoggedIn()
	case !c.session && c.revoked:
		return queue.Principal{}, queue.Errorf(queue.EUNAUTH, "该设备令牌已被吊销，请联系管理员重新配置 (device token revoked)")
	case !c.session:
		return clonePrincipal(c.p), nil
	case u == nil:
		return queue.Principal{}, errNotLoggedIn()
	case u.rec.Disabled:
		return queue.Principal{}, errDisabled(queue.EUNAUTH)
	}

	now := s.now().UnixNano()
	exp := c.expires.Load()
	if now >= exp {
		s.expire(ctx, d, c)
		return queue.Principal{}, errNotLoggedIn()
	}
	if next := min(now+int64(s.ttl), c.ends); next-exp >= int64(extendEvery) && c.expires.CompareAndSwap(exp, next) {
		// Only the goroutine that won the swap writes. The store ignores
		// an extension of a session logged out meanwhile.
		if err := s.store.ExtendSession(context.WithoutCancel(ctx), c.hash, time.Unix(0, next)); err != nil {
			s.log.Warn("session extension not saved", "user", c.user, "err", err)
		}
	}
	return clonePrincipal(u.p), nil
}

// expire removes an expired session found by Authenticate.
func (s *Service) expire(ctx context.Context, d digest, c *cred) {
	s.cmu.Lock()
	if s.creds[d] == c {
		delete(s.creds, d)
	}
	s.cmu.Unlock()
	if err := s.store.DeleteSession(context.WithoutCancel(ctx), c.hash); err != nil {
		s.log.Warn("expired session not deleted", "user", c.user, "err", err)
	}
}

// clonePrincipal copies the counters so that a caller cannot change the
// cached principal.
func clonePrincipal(p queue.Principal) queue.Principal {
	p.Counters, p.Units = slices.Clone(p.Counters), slices.Clone(p.Units)
	return p
}

func errNotLoggedIn() error {
	return queue.Errorf(queue.EUNAUTH, "未登录或登录已过期，请重新登录 (not logged in or session expired)")
}

func errDisabled(code string) error {
	return queue.Errorf(code, "账号已停用，请联系管理员 (account disabled)")
}
