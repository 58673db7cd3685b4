package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
	"yiting/queue/booking"
	"yiting/queue/cases"
)

// Cases (一件一码) live in their own buckets, created by schema 3:
//
//	cases          code → JSON cases.Case (sealed personal data inside)
//	case_facts     day (4 bytes) + code → binary cases.Facts (casefacts.go), the statistics' path
//	case_tokens    hex SHA-256 of the inquiry token → code
//	case_open      code → "" for every case not closed
//	case_visitors  visitor key + "|" + code → "" for open cases (首访负责制)
//	case_closed    closing day (4 bytes) + code → "" until anonymised (retention)
//	case_idem      hashed idempotency key → code
//	case_seq       day (4 bytes) → last sequence number of that day's codes
//	case_meta      "rating_cursor" → event seq
//	rectifications ticket id → JSON cases.Rectification
//	audit          seq → JSON cases.AuditEntry (who opened personal data)
//	case_files     code + "/" + name → a photo the visitor sent (schema 4)
//	case_steps, case_visits  each case's journal (schema 6, casejournal.go)
//
// Days are cases.Date big-endian, so ranges are cursor seeks. Each method
// is one transaction; fsync stays on.
var (
	bucketCases        = []byte("cases")
	bucketCaseFacts    = []byte("case_facts")
	bucketCaseTokens   = []byte("case_tokens")
	bucketCaseOpen     = []byte("case_open")
	bucketCaseVisitors = []byte("case_visitors")
	bucketCaseClosed   = []byte("case_closed")
	bucketCaseIdem     = []byte("case_idem")
	bucketCaseSeq      = []byte("case_seq")
	bucketCaseMeta     = []byte("case_meta")
	bucketRectify      = []byte("rectifications")
	bucketAudit        = []byte("audit")
	bucketCaseFiles    = []byte("case_files")
)

var caseBuckets = [][]byte{bucketCases, bucketCaseFacts, bucketCaseTokens, bucketCaseOpen, bucketCaseVisitors,
	bucketCaseClosed, bucketCaseIdem, bucketCaseSeq, bucketCaseMeta, bucketRectify, bucketAudit}

var (
	keyRatingCursor = []byte("rating_cursor")
	keyCasesLogged  = []byte("cases_logged") // every case is in the event log
)

var _ cases.Store = (*Store)(nil)

func dayKey(d cases.Date, code string) []byte {
	k := make([]byte, 4, 4+len(code))
	binary.BigEndian.PutUint32(k, uint32(d))
	return append(k, code...)
}

func dayOf(k []byte) cases.Date { return cases.Date(binary.BigEndian.Uint32(k[:4])) }

func caseNotFound(code string) error {
	return queue.Errorf(queue.ENOTFOUND, "没有案件%s (no such case)", code)
}

func decodeCase(v []byte, code string) (*cases.Case, error) {
	c := new(cases.Case)
	if err := json.Unmarshal(v, c); err != nil {
		return nil, fmt.Errorf("boltstore: case %s: corrupt record: %w", code, err)
	}
	return c, nil
}

func getCase(tx *bolt.Tx, code string) (*cases.Case, error) {
	v := tx.Bucket(bucketCases).Get([]byte(code))
	if v == nil {
		return nil, caseNotFound(code)
	}
	return decodeCase(v, code)
}

// Case implements cases.CaseStore.
func (s *Store) Case(ctx context.Context, code string) (*cases.Case, error) {
	var c *cases.Case
	err := s.view(ctx, "cases", func(tx *bolt.Tx) (err error) {
		c, err = getCase(tx, code)
		return err
	})
	return c, err
}

// CaseByToken implements cases.CaseStore.
func (s *Store) CaseByToken(ctx context.Context, tokenHash string) (*cases.Case, error) {
	var c *cases.Case
	err := s.view(ctx, "cases", func(tx *bolt.Tx) (err error) {
		code := tx.Bucket(bucketCaseTokens).Get([]byte(tokenHash))
		if code == nil {
			return queue.Errorf(queue.ENOTFOUND, "没有找到该事项 (no such case)")
		}
		c, err = getCase(tx, string(code))
		return err
	})
	return c, err
}

// CodeByIdem implements cases.CaseStore.
func (s *Store) CodeByIdem(ctx context.Context, key string) (string, error) {
	var code string
	err := s.view(ctx, "cases", func(tx *bolt.Tx) error {
		code = string(tx.Bucket(bucketCaseIdem).Get([]byte(key)))
		return nil
	})
	return code, err
}

// LastSeq implements cases.CaseStore.
func (s *Store) LastSeq(ctx context.Context, day cases.Date) (int, error) {
	var n int
	err := s.view(ctx, "cases", func(tx *bolt.Tx) error {
		n = int(btoi(tx.Bucket(bucketCaseSeq).Get(dayKey(day, ""))))
		return nil
	})
	return n, err
}

// writeCaseRecord writes a record of the case book that came in the
// engine's batch (queue.Batch.Writes), inside the batch's transaction.
func writeRecord(tx *bolt.Tx, v any) error {
	switch w := v.(type) {
	case *cases.Write:
		return putCase(tx, w)
	case *cases.RectificationWrite:
		return putRectifications(tx, w.Items, w.Cursor)
	case *cases.LoggedWrite:
		return tx.Bucket(bucketCaseMeta).Put(keyCasesLogged, []byte{1})
	case *booking.Write:
		return putBooking(tx, w)
	case *booking.PlanWrite:
		return putPlanEdit(tx, w)
	}
	return fmt.Errorf("boltstore: no way to write a %T", v)
}

// putCase writes a case, its facts and every index, and its audit
// entries. The indexes are derived from the previous facts record and the
// new one, so they cannot drift from the case.
func putCase(tx *bolt.Tx, w *cases.Write) error {
	c := w.Case
	if c == nil {
		return appendAudit(tx, w.Audit)
	}
	if c.Code == "" || w.Facts.Code != c.Code || c.Day == 0 {
		return fmt.Errorf("boltstore: case write: the write needs a case with a code, a day and its facts")
	}
	val, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("boltstore: case %s: %w", c.Code, err)
	}
	facts := encodeFacts(&w.Facts)
	{
		cb := tx.Bucket(bucketCases)
		code := []byte(c.Code)
		fkey := dayKey(c.Day, c.Code)
		fb := tx.Bucket(bucketCaseFacts)
		var oldKeys []string
		if old := cb.Get(code); old != nil {
			if w.New {
				return queue.Errorf(queue.ECONFLICT, "案件码%s已存在 (case code exists)", c.Code)
			}
			if prev := fb.Get(fkey); prev != nil {
				pf, err := newFactsDecoder().decode(prev)
				if err != nil {
					return fmt.Errorf("boltstore: case %s facts: %w", c.Code, err)
				}
				if err := dropIndexes(tx, pf); err != nil {
					return err
				}
				oldKeys = pf.VisitorKeys
			}
		} else if !w.New {
			return caseNotFound(c.Code)
		}
		if err := markCaseStats(tx, c.Day, c.Code, oldKeys, w.Facts.VisitorKeys); err != nil {
			return err
		}
		if err := cb.Put(code, val); err != nil {
			return err
		}
		if err := fb.Put(fkey, facts); err != nil {
			return err
		}
		if c.TokenHash != "" {
			if err := tx.Bucket(bucketCaseTokens).Put([]byte(c.TokenHash), code); err != nil {
				return err
			}
		}
		if c.Status.Open() {
			if err := tx.Bucket(bucketCaseOpen).Put(code, nil); err != nil {
				return err
			}
			vb := tx.Bucket(bucketCaseVisitors)
			for _, k := range w.Facts.VisitorKeys {
				if err := vb.Put([]byte(k+"|"+c.Code), nil); err != nil {
					return err
				}
			}
		} else if c.Anonymised.IsZero() && w.Facts.Closed != 0 {
			if err := tx.Bucket(bucketCaseClosed).Put(dayKey(w.Facts.Closed, c.Code), nil); err != nil {
				return err
			}
		}
		if w.New {
			cc, err := cases.ParseCode(c.Code)
			if err != nil {
				return fmt.Errorf("boltstore: case %s: %w", c.Code, err)
			}
			sb := tx.Bucket(bucketCaseSeq)
			if n := btoi(sb.Get(dayKey(cc.Day, ""))); uint64(cc.Seq) > n {
				if err := sb.Put(dayKey(cc.Day, ""), itob(uint64(cc.Seq))); err != nil {
					return err
				}
			}
		}
		if err := putJournal(tx, c.Code, w); err != nil {
			return err
		}
		if err := putFiles(tx, c.Code, w); err != nil {
			return err
		}
		if w.IdemKey != "" {
			if err := tx.Bucket(bucketCaseIdem).Put([]byte(w.IdemKey), code); err != nil {
				return err
			}
		}
		return appendAudit(tx, w.Audit)
	}
}

// dropIndexes removes what the previous version of a case put in the
// open, visitor and closed indexes.
func dropIndexes(tx *bolt.Tx, pf *cases.Facts) error {
	code := []byte(pf.Code)
	if err := tx.Bucket(bucketCaseOpen).Delete(code); err != nil {
		return err
	}
	vb := tx.Bucket(bucketCaseVisitors)
	for _, k := range pf.VisitorKeys {
		if err := vb.Delete([]byte(k + "|" + pf.Code)); err != nil {
			return err
		}
	}
	if pf.Closed != 0 {
		if err := tx.Bucket(bucketCaseClosed).Delete(dayKey(pf.Closed, pf.Code)); err != nil {
			return err
		}
	}
	return nil
}

// OpenCases implements cases.CaseStore. fn runs inside the read
// transaction: it must be quick and must not call the store.
func (s *Store) OpenCases(ctx context.Context, fn func(*cases.Case) error) error {
	return s.view(ctx, "cases", func(tx *bolt.Tx) error {
		cb := tx.Bucket(bucketCases)
		return tx.Bucket(bucketCaseOpen).ForEach(func(k, _ []byte) error {
			v := cb.Get(k)
			if v == nil {
				return fmt.Errorf("boltstore: open case %s has no record", k)
			}
			c, err := decodeCase(v, string(k))
			if err != nil {
				return err
			}
			return fn(c)
		})
	})
}

// putFiles stores a write's photos beside its case, or drops them all.
func putFiles(tx *bolt.Tx, code string, w *cases.Write) error {
	fb := tx.Bucket(bucketCaseFiles)
	prefix := []byte(code + "/")
	if w.DropFiles {
		c := fb.Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Seek(prefix) {
			if err := fb.Delete(k); err != nil {
				return err
			}
		}
	}
	for _, f := range w.Files {
		if err := fb.Put([]byte(code+"/"+f.Name), f.Data); err != nil {
			return err
		}
	}
	return nil
}

// CaseFile implements cases.CaseStore.
func (s *Store) CaseFile(ctx context.Context, code, name string) ([]byte, error) {
	var out []byte
	err := s.view(ctx, "cases", func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketCaseFiles).Get([]byte(code + "/" + name))
		if v == nil {
			return fmt.Errorf("boltstore: case %s file %s: %w", code, name, queue.ErrNotFound)
		}
		out = bytes.Clone(v)
		return nil
	})
	return out, err
}

// OpenFacts implements cases.CaseStore: the open index and one Get in the
// facts bucket per case of the days, keyed by the code's own day; no case
// decoded.
func (s *Store) OpenFacts(ctx context.Context, r cases.FactsRange, fn func(*cases.Facts) error) error {
	needle := []byte(r.Containing)
	return s.view(ctx, "cases", func(tx *bolt.Tx) error {
		d := newFactsDecoder()
		d.noKeys = r.NoKeys
		fb := tx.Bucket(bucketCaseFacts)
		return tx.Bucket(bucketCaseOpen).ForEach(func(k, _ []byte) error {
			day, ok := cases.CodeDay(string(k))
			if !ok {
				return fmt.Errorf("boltstore: open index: %q is not a case code", k)
			}
			if day < r.From || day > r.To {
				return nil
			}
			v := fb.Get(dayKey(day, string(k)))
			if v == nil {
				return fmt.Errorf("boltstore: open case %s has no facts", k)
			}
			if len(v) > 0 && v[0] >= 2 && !bytes.Contains(v, needle) { // a version 1 record lacks the names: read it
				return nil
			}
			f, err := d.decode(v)
			if err != nil {
				return fmt.Errorf("boltstore: case %s: %w", k, err)
			}
			return fn(f)
		})
	})
}

// CaseFacts implements cases.CaseStore: one Get in the facts bucket, the
// key made from the code's own day.
func (s *Store) CaseFacts(ctx context.Context, code string) (*cases.Facts, error) {
	cc, err := cases.ParseCode(code)
	if err != nil {
		return nil, err
	}
	var f *cases.Facts
	err = s.view(ctx, "cases", func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketCaseFacts).Get(dayKey(cc.Day, code))
		if v == nil {
			return caseNotFound(code)
		}
		var err error
		f, err = newFactsDecoder().decode(v)
		return err
	})
	return f, err
}

// OpenCodesOf implements cases.CaseStore.
func (s *Store) OpenCodesOf(ctx context.Context, visitorKey string) ([]string, error) {
	var out []string
	err := s.view(ctx, "cases", func(tx *bolt.Tx) error {
		prefix := []byte(visitorKey + "|")
		c := tx.Bucket(bucketCaseVisitors).Cursor()
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			out = append(out, string(k[len(prefix):]))
		}
		return nil
	})
	return out, err
}

// EachCase implements cases.CaseStore. fn runs inside the read
// transaction: it must be quick and must not call the store.
func (s *Store) EachCase(ctx context.Context, from, to cases.Date, fn func(*cases.Case) error) error {
	return s.view(ctx, "cases", func(tx *bolt.Tx) error {
		cb := tx.Bucket(bucketCases)
		c := tx.Bucket(bucketCaseFacts).Cursor()
		for k, _ := c.Seek(dayKey(from, "")); k != nil && dayOf(k) <= to; k, _ = c.Next() {
			code := string(k[4:])
			v := cb.Get(k[4:])
			if v == nil {
				return fmt.Errorf("boltstore: case %s has facts but no record", code)
			}
			cs, err := decodeCase(v, code)
			if err != nil {
				return err
			}
			steps, visits, err := readJournal(tx, code)
			if err != nil {
				return err
			}
			cs.SetJournal(steps, visits)
			if err := fn(cs); err != nil {
				return err
			}
		}
		return nil
	})
}

// EachFacts implements cases.CaseStore: one cursor over the facts bucket,
// no case record decoded.
func (s *Store) EachFacts(ctx context.Context, r cases.FactsRange, fn func(*cases.Facts) error) error {
	needle := []byte(r.Containing)
	return s.view(ctx, "cases", func(tx *bolt.Tx) error {
		d := newFactsDecoder()
		d.noKeys = r.NoKeys
		c := tx.Bucket(bucketCaseFacts).Cursor()
		for k, v := c.Seek(dayKey(max(r.From, 0), "")); k != nil && dayOf(k) <= r.To; k, v = c.Next() {
			if len(v) > 0 && v[0] >= 2 && !bytes.Contains(v, needle) { // a version 1 record lacks the names: read it
				continue
			}
			f, err := d.decode(v)
			if err != nil {
				return fmt.Errorf("boltstore: case %s: %w", k[4:], err)
			}
			if err := fn(f); err != nil {
				return err
			}
		}
		return nil
	})
}

// ClosedBefore implements cases.CaseStore.
func (s *Store) ClosedBefore(ctx context.Context, day cases.Date) ([]string, error) {
	var out []string
	err := s.view(ctx, "cases", func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketCaseClosed).Cursor()
		for k, _ := c.First(); k != nil && dayOf(k) < day; k, _ = c.Next() {
			out = append(out, string(k[4:]))
		}
		return nil
	})
	return out, err
}

func putRectifications(tx *bolt.Tx, rs []cases.Rectification, cursor uint64) error {
	b := tx.Bucket(bucketRectify)
	for i := range rs {
		v, err := json.Marshal(&rs[i])
		if err != nil {
			return fmt.Errorf("boltstore: rectification %d: %w", rs[i].TicketID, err)
		}
		if err := b.Put(itob(rs[i].TicketID), v); err != nil {
			return err
		}
	}
	if cursor != 0 {
		return tx.Bucket(bucketCaseMeta).Put(keyRatingCursor, itob(cursor))
	}
	return nil
}

// Rectification implements cases.RectificationStore.
func (s *Store) Rectification(ctx context.Context, ticketID uint64) (*cases.Rectification, error) {
	var r *cases.Rectification
	err := s.view(ctx, "cases", func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketRectify).Get(itob(ticketID))
		if v == nil {
			return queue.Errorf(queue.ENOTFOUND, "没有票%d的整改事项 (no rectification for this ticket)", ticketID)
		}
		r = new(cases.Rectification)
		if err := json.Unmarshal(v, r); err != nil {
			return fmt.Errorf("boltstore: rectification %d: corrupt record: %w", ticketID, err)
		}
		return nil
	})
	return r, err
}

// EachRectification implements cases.RectificationStore.
func (s *Store) EachRectification(ctx context.Context, fn func(*cases.Rectification) error) error {
	return s.view(ctx, "cases", func(tx *bolt.Tx) error {
		return tx.Bucket(bucketRectify).ForEach(func(k, v []byte) error {
			r := new(cases.Rectification)
			if err := json.Unmarshal(v, r); err != nil {
				return fmt.Errorf("boltstore: rectification %d: corrupt record: %w", btoi(k), err)
			}
			return fn(r)
		})
	})
}

// CasesLogged implements cases.CaseStore.
func (s *Store) CasesLogged(ctx context.Context) (bool, error) {
	var ok bool
	err := s.view(ctx, "cases", func(tx *bolt.Tx) error {
		ok = tx.Bucket(bucketCaseMeta).Get(keyCasesLogged) != nil
		return nil
	})
	return ok, err
}

// RatingCursor implements cases.RectificationStore.
func (s *Store) RatingCursor(ctx context.Context) (uint64, error) {
	var n uint64
	err := s.view(ctx, "cases", func(tx *bolt.Tx) error {
		n = btoi(tx.Bucket(bucketCaseMeta).Get(keyRatingCursor))
		return nil
	})
	return n, err
}

func appendAudit(tx *bolt.Tx, entries []cases.AuditEntry) error {
	b := tx.Bucket(bucketAudit)
	b.FillPercent = 1.0 // append-only
	for _, e := range entries {
		seq, err := b.NextSequence()
		if err != nil {
			return err
		}
		e.Seq = seq
		v, err := json.Marshal(&e)
		if err != nil {
			return err
		}
		if err := b.Put(itob(seq), v); err != nil {
			return err
		}
	}
	return nil
}

// EachAudit implements cases.AuditLog.
func (s *Store) EachAudit(ctx context.Context, after uint64, fn func(cases.AuditEntry) error) error {
	return s.view(ctx, "cases", func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketAudit).Cursor()
		for k, v := c.Seek(itob(after + 1)); k != nil; k, v = c.Next() {
			var e cases.AuditEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("boltstore: audit %d: corrupt record: %w", btoi(k), err)
			}
			if err := fn(e); err != nil {
				return err
			}
		}
		return nil
	})
}
