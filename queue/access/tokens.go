package access

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"yiting/queue"
)

// TokenInfo is a device token as ListTokens shows it: never the secret
// or its hash.
type TokenInfo struct {
	ID        string     `json:"id"` // the 8 hex digits inside the token
	Name      string     `json:"name"`
	Role      queue.Role `json:"role"`
	CounterID string     `json:"counter_id,omitempty"`
	Created   time.Time  `json:"created"`
	CreatedBy string     `json:"created_by,omitempty"`
	Revoked   time.Time  `json:"revoked,omitzero"` // zero while the token works
	RevokedBy string     `json:"revoked_by,omitempty"`
}

// CreateDeviceToken creates a token for a kiosk, display board or pad
// and returns its secret — the only time the secret is available; only
// its hash is kept. name says where the device is (e.g. 3号窗口评价器).
// A pad must be bound to a counter (its principal's Counters is then that
// counter); kiosks and displays must not be. Only an enabled admin may
// (EFORBIDDEN); EINVALID for a bad role, name or counter.
func (s *Service) CreateDeviceToken(ctx context.Context, actor queue.Principal, role queue.Role, name, counterID string) (string, TokenInfo, error) {
	if err := s.requireAdmin(actor); err != nil {
		return "", TokenInfo{}, err
	}
	if !role.IsDevice() {
		return "", TokenInfo{}, queue.Errorf(queue.EINVALID, "设备角色须为 kiosk、display 或 pad (invalid device role %q)", role)
	}
	name, err := cleanName(name, "")
	if err != nil {
		return "", TokenInfo{}, err
	}
	counterID = strings.TrimSpace(counterID)
	switch {
	case role == queue.RolePad && counterID == "":
		return "", TokenInfo{}, queue.Errorf(queue.EINVALID, "评价器须绑定一个窗口 (a pad needs a counter)")
	case role == queue.RolePad:
		if err := s.checkCounter(counterID); err != nil {
			return "", TokenInfo{}, err
		}
	case counterID != "":
		return "", TokenInfo{}, queue.Errorf(queue.EINVALID, "只有评价器绑定窗口 (only pads are bound to a counter)")
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.unusedTokenID()
	secret := tokenSecret(id)
	d := digestOf(secret)
	rec := TokenRecord{
		ID: id, Hash: hexOf(d), Role: role, Name: name, CounterID: counterID,
		Created: s.now(), CreatedBy: actor.ID,
	}
	if err := s.store.PutToken(ctx, rec); err != nil {
		return "", TokenInfo{}, storageError("save token", err)
	}
	s.cmu.Lock()
	s.tokens[id] = &tokenEntry{rec: rec, d: d}
	s.creds[d] = tokenCred(rec)
	s.cmu.Unlock()
	s.log.Info("device token created", "actor", actor.Actor(), "token", id, "role", role, "name", name, "counter", counterID)
	return secret, tokenInfo(rec), nil
}

// unusedTokenID draws ids until one is free. Called with mu held.
func (s *Service) unusedTokenID() string {
	s.cmu.RLock()
	defer s.cmu.RUnlock()
	for {
		id := newTokenID()
		if s.tokens[id] == nil {
			return id
		}
	}
}

// RevokeToken revokes the device token id: it is refused (EUNAUTH) from
// this call on, even when the store then fails (EUNAVAILABLE). Only an
// enabled admin may; ENOTFOUND for no such token. Revoking a revoked
// token does nothing.
func (s *Service) RevokeToken(ctx context.Context, actor queue.Principal, id string) error {
	if err := s.requireAdmin(actor); err != nil {
		return err
	}
	id = strings.ToLower(strings.TrimSpace(id))
	s.mu.Lock()
	defer s.mu.Unlock()
	rec, err := s.store.GetToken(ctx, id)
	if errors.Is(err, queue.ErrNotFound) {
		return queue.Errorf(queue.ENOTFOUND, "没有设备令牌 %q (no such token)", id)
	}
	if err != nil {
		return storageError("read token", err)
	}
	if !rec.Revoked.IsZero() {
		return nil
	}
	d, err := parseDigest(rec.Hash)
	if err != nil {
		return storageError("read token", err)
	}
	rec.Revoked, rec.RevokedBy = s.now(), actor.ID
	s.cmu.Lock()
	s.tokens[id] = &tokenEntry{rec: rec, d: d}
	s.creds[d] = tokenCred(rec)
	s.cmu.Unlock()
	s.revoked(tokenPrincipal(rec).Actor())
	if err := s.store.PutToken(ctx, rec); err != nil {
		return storageError("save token", err)
	}
	s.log.Info("device token revoked", "actor", actor.Actor(), "token", id, "name", rec.Name)
	return nil
}

// ListTokens returns every device token, revoked ones too, oldest first,
// without secrets or hashes. Only an enabled admin may.
func (s *Service) ListTokens(ctx context.Context, actor queue.Principal) ([]TokenInfo, error) {
	if err := s.requireAdmin(actor); err != nil {
		return nil, err
	}
	s.cmu.RLock()
	out := make([]TokenInfo, 0, len(s.tokens))
	for _, t := range s.tokens {
		out = append(out, tokenInfo(t.rec))
	}
	s.cmu.RUnlock()
	slices.SortFunc(out, func(a, b TokenInfo) int {
		return cmp.Or(a.Created.Compare(b.Created), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

func tokenInfo(r TokenRecord) TokenInfo {
	return TokenInfo{
		ID: r.ID, Name: r.Name, Role: r.Role, CounterID: r.CounterID,
		Created: r.Created, CreatedBy: r.CreatedBy, Revoked: r.Revoked, RevokedBy: r.RevokedBy,
	}
}
