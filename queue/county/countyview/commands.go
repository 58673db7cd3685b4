package countyview

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The commands the county sent about a case (交办, 督办, 预警), kept beside
// the case so its page lists them: whether the site applied one shows in
// the case's timeline, by the command's actor ("county:<id>").
var bucketCommands = []byte("commands") // site 0 code 0 command id → JSON SentCommand

// SentCommand is a command as the county's page lists it.
type SentCommand struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	KindName string    `json:"kind_name"`
	Unit     string    `json:"unit,omitempty"`
	Level    string    `json:"level,omitempty"`
	Text     string    `json:"text"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
	// Applied is when the site's first step under the command's actor
	// happened; zero until the county has it.
	Applied time.Time `json:"applied,omitzero"`
}

// Actor is the actor of the steps the command makes at the site.
func (c *SentCommand) Actor() string { return "county:" + c.ID }

// RecordCommand keeps a command sent about a case.
func (m *Model) RecordCommand(ctx context.Context, site, code string, c SentCommand) error {
	v, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return m.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCommands).Put(key([]byte(site), []byte(code), []byte(c.ID)), v)
	})
}

// Commands lists the commands sent about a case, oldest first, each with
// when the site applied it as its timeline shows.
func (m *Model) Commands(ctx context.Context, d *CaseDetail) ([]SentCommand, error) {
	var out []SentCommand
	err := m.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCommands)
		prefix := append(key([]byte(d.Site), []byte(d.Code)), 0)
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			var sc SentCommand
			if err := json.Unmarshal(v, &sc); err != nil {
				return fmt.Errorf("countyview: a command of case %s: %w", d.Code, err)
			}
			for _, st := range d.Timeline {
				if st.Actor == sc.Actor() {
					sc.Applied = st.Time
					break
				}
			}
			out = append(out, sc)
		}
		return ctx.Err()
	})
	slices.SortStableFunc(out, func(x, y SentCommand) int { return x.At.Compare(y.At) })
	return out, err
}
