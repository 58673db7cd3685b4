package boltstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
	"yiting/queue/access"
)

// Accounts live in three buckets, JSON values:
//
//	users     user name → access.UserRecord (bcrypt hash of the password)
//	sessions  hex SHA-256 of the session secret → access.SessionRecord
//	tokens    token id → access.TokenRecord (hex SHA-256 of the token)
//
// Secrets themselves are never stored. Each method is one transaction.

var _ access.Store = (*Store)(nil)

// GetUser implements access.UserStore.
func (s *Store) GetUser(ctx context.Context, name string) (access.UserRecord, error) {
	var u access.UserRecord
	err := s.view(ctx, "accounts", func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketUsers).Get([]byte(name))
		if v == nil {
			return fmt.Errorf("boltstore: user %q: %w", name, queue.ErrNotFound)
		}
		return decodeAccount(v, &u, "user", name)
	})
	return u, err
}

// PutUser implements access.UserStore.
func (s *Store) PutUser(ctx context.Context, u access.UserRecord) error {
	return s.accountPut(ctx, bucketUsers, u.Name, u)
}

// ListUsers implements access.UserStore.
func (s *Store) ListUsers(ctx context.Context) ([]access.UserRecord, error) {
	return listAccounts[access.UserRecord](s, ctx, bucketUsers, "user")
}

// PutSession implements access.SessionStore.
func (s *Store) PutSession(ctx context.Context, r access.SessionRecord) error {
	return s.accountPut(ctx, bucketSessions, r.Hash, r)
}

// ExtendSession implements access.SessionStore: it writes nothing when
// the session is gone.
func (s *Store) ExtendSession(ctx context.Context, hash string, expires time.Time) error {
	return s.update(ctx, "accounts", func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		v := b.Get([]byte(hash))
		if v == nil {
			return nil
		}
		var r access.SessionRecord
		if err := decodeAccount(v, &r, "session", hash); err != nil {
			return err
		}
		r.Expires = expires
		return putAccountJSON(b, hash, r)
	})
}

// DeleteSession implements access.SessionStore.
func (s *Store) DeleteSession(ctx context.Context, hash string) error {
	return s.update(ctx, "accounts", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).Delete([]byte(hash))
	})
}

// DeleteUserSessions implements access.SessionStore.
func (s *Store) DeleteUserSessions(ctx context.Context, user string) (int, error) {
	return s.deleteSessionsWhere(ctx, func(r access.SessionRecord) bool { return r.User == user })
}

// DeleteExpiredSessions implements access.SessionStore.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	return s.deleteSessionsWhere(ctx, func(r access.SessionRecord) bool { return !r.Expires.After(now) })
}

// deleteSessionsWhere deletes the sessions that match. Keys are collected
// first: deleting under a bbolt cursor makes it skip the next key.
func (s *Store) deleteSessionsWhere(ctx context.Context, match func(access.SessionRecord) bool) (int, error) {
	n := 0
	err := s.update(ctx, "accounts", func(tx *bolt.Tx) error {
		n = 0
		b := tx.Bucket(bucketSessions)
		var doomed [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var r access.SessionRecord
			if err := json.Unmarshal(v, &r); err != nil {
				// An unreadable session is useless: delete it too.
				doomed = append(doomed, k)
				return nil
			}
			if match(r) {
				doomed = append(doomed, k)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range doomed {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(doomed)
		return nil
	})
	return n, err
}

// ListSessions implements access.SessionStore.
func (s *Store) ListSessions(ctx context.Context) ([]access.SessionRecord, error) {
	return listAccounts[access.SessionRecord](s, ctx, bucketSessions, "session")
}

// PutToken implements access.TokenStore.
func (s *Store) PutToken(ctx context.Context, t access.TokenRecord) error {
	return s.accountPut(ctx, bucketTokens, t.ID, t)
}

// GetToken implements access.TokenStore.
func (s *Store) GetToken(ctx context.Context, id string) (access.TokenRecord, error) {
	var t access.TokenRecord
	err := s.view(ctx, "accounts", func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketTokens).Get([]byte(id))
		if v == nil {
			return fmt.Errorf("boltstore: token %q: %w", id, queue.ErrNotFound)
		}
		return decodeAccount(v, &t, "token", id)
	})
	return t, err
}

// ListTokens implements access.TokenStore.
func (s *Store) ListTokens(ctx context.Context) ([]access.TokenRecord, error) {
	return listAccounts[access.TokenRecord](s, ctx, bucketTokens, "token")
}

func (s *Store) accountPut(ctx context.Context, bucket []byte, key string, v any) error {
	if key == "" {
		return fmt.Errorf("boltstore: %s record with an empty key", bucket)
	}
	return s.update(ctx, "accounts", func(tx *bolt.Tx) error { return putAccountJSON(tx.Bucket(bucket), key, v) })
}

func putAccountJSON(b *bolt.Bucket, key string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Put([]byte(key), data)
}

// listAccounts decodes every value of bucket; values are copied out by decoding
// before the transaction ends.
func listAccounts[T any](s *Store, ctx context.Context, bucket []byte, what string) ([]T, error) {
	var out []T
	err := s.view(ctx, "accounts", func(tx *bolt.Tx) error {
		return tx.Bucket(bucket).ForEach(func(k, v []byte) error {
			var r T
			if err := decodeAccount(v, &r, what, string(k)); err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

func decodeAccount(v []byte, into any, what, key string) error {
	if err := json.Unmarshal(v, into); err != nil {
		return fmt.Errorf("boltstore: %s %q: corrupt record: %w", what, key, err)
	}
	return nil
}
