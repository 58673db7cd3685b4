package boltstore

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"yiting/queue/cases"
)

// A case's journal (cases.Journal), schema 6: its steps and its visits,
// one record each, beside the case document so that a return visit
// appends two small records instead of rewriting a document that grows
// with every visit.
//
//	case_steps   code + "/" + index (4 bytes) → JSON cases.Step
//	case_visits  code + "/" + index (4 bytes) → JSON cases.Visit
var (
	bucketCaseSteps  = []byte("case_steps")
	bucketCaseVisits = []byte("case_visits")
)

func journalKey(code string, i int) []byte {
	k := make([]byte, 0, len(code)+5)
	k = append(k, code...)
	k = append(k, '/')
	return binary.BigEndian.AppendUint32(k, uint32(i))
}

// putJournal stores a write's journal entries at their indexes.
func putJournal(tx *bolt.Tx, code string, w *cases.Write) error {
	if err := putEntries(tx.Bucket(bucketCaseSteps), code, w.StepsFrom, w.Steps); err != nil {
		return err
	}
	return putEntries(tx.Bucket(bucketCaseVisits), code, w.VisitsFrom, w.Visits)
}

func putEntries[T any](b *bolt.Bucket, code string, from int, entries []T) error {
	for i := range entries {
		v, err := json.Marshal(&entries[i])
		if err != nil {
			return fmt.Errorf("boltstore: case %s journal: %w", code, err)
		}
		if err := b.Put(journalKey(code, from+i), v); err != nil {
			return err
		}
	}
	return nil
}

// Journal implements cases.Store.
func (s *Store) Journal(ctx context.Context, code string) (steps []cases.Step, visits []cases.Visit, err error) {
	err = s.view(ctx, "cases", func(tx *bolt.Tx) (err error) {
		steps, visits, err = readJournal(tx, code)
		return err
	})
	return steps, visits, err
}

func readJournal(tx *bolt.Tx, code string) ([]cases.Step, []cases.Visit, error) {
	steps, err := readEntries[cases.Step](tx.Bucket(bucketCaseSteps), code)
	if err != nil {
		return nil, nil, err
	}
	visits, err := readEntries[cases.Visit](tx.Bucket(bucketCaseVisits), code)
	return steps, visits, err
}

func readEntries[T any](b *bolt.Bucket, code string) ([]T, error) {
	var out []T
	prefix := append([]byte(code), '/')
	c := b.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(k) != len(prefix)+4 || int(binary.BigEndian.Uint32(k[len(prefix):])) != len(out) {
			return nil, fmt.Errorf("boltstore: case %s journal: entry %x out of order", code, k[len(prefix):])
		}
		var e T
		if err := json.Unmarshal(v, &e); err != nil {
			return nil, fmt.Errorf("boltstore: case %s journal: corrupt entry: %w", code, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// migrateJournal moves the visits and steps a case document held (schema
// 5 and before) into the journal, and counts them in the document.
func migrateJournal(tx *bolt.Tx) error {
	for _, b := range [][]byte{bucketCaseSteps, bucketCaseVisits} {
		if _, err := tx.CreateBucketIfNotExists(b); err != nil {
			return err
		}
	}
	cb := tx.Bucket(bucketCases)
	type inline struct {
		History []cases.Step  `json:"history"`
		Visits  []cases.Visit `json:"visits"`
	}
	var codes [][]byte
	if err := cb.ForEach(func(k, _ []byte) error { codes = append(codes, bytes.Clone(k)); return nil }); err != nil {
		return err
	}
	for _, k := range codes {
		code := string(k)
		old := cb.Get(k)
		var in inline
		if err := json.Unmarshal(old, &in); err != nil {
			return fmt.Errorf("case %s: corrupt record: %w", code, err)
		}
		c, err := decodeCase(old, code)
		if err != nil {
			return err
		}
		c.Journal = cases.Journal{}
		c.Journal.Add(len(in.History), in.Visits)
		val, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("case %s: %w", code, err)
		}
		if err := cb.Put(k, val); err != nil {
			return err
		}
		if err := putJournal(tx, code, &cases.Write{Steps: in.History, Visits: in.Visits}); err != nil {
			return err
		}
	}
	return nil
}
