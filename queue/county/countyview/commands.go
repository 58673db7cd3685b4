package countyview

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
)

// The commands the county sent about a case (交办, 督办, 预警, 办结), kept
// beside the case so its page lists them: whether the site applied one
// shows in the case's timeline, by the command's actor ("county:<id>");
// whether it refused one, and why, in the site's refusal event
// (queue.EventCommandRefused), kept by the command's id.
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
	Outcome  string    `json:"outcome,omitempty"`  // conclude: the county's result
	Referral string    `json:"referral,omitempty"` // conclude: with failed, where the parties are sent
	// Applied is when the site's first step under the command's actor
	// happened; zero until the county has it.
	Applied time.Time `json:"applied,omitzero"`
	// Refused is when the site refused it, and RefusedWhy why, in
	// Chinese (an unknown unit, a closed case…); zero and "" unless it did.
	Refused    time.Time `json:"refused,omitzero"`
	RefusedWhy string    `json:"refused_why,omitempty"`
}

// refusal is a site's refusal of a command as the model keeps it.
type refusal struct {
	Case   string    `json:"case,omitempty"`
	Kind   string    `json:"kind"`
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`  // at the site
	Seq    uint64    `json:"seq"` // the event's, in the site's log
}

// putRefusal keeps a site's refusal of a command by the command's id: a
// second refusal of the same command (the site refused it again after a
// crash before acknowledging it) replaces the first.
func putRefusal(tx *bolt.Tx, site string, ev *queue.Event, r *queue.Refusal) error {
	v, err := json.Marshal(refusal{Case: r.Case, Kind: r.Kind, Reason: r.Reason, At: ev.Time, Seq: ev.Seq})
	if err != nil {
		return err
	}
	return tx.Bucket(bucketRefusals).Put(key([]byte(site), []byte(r.Command)), v)
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
			if v := tx.Bucket(bucketRefusals).Get(key([]byte(d.Site), []byte(sc.ID))); v != nil {
				var r refusal
				if err := json.Unmarshal(v, &r); err != nil {
					return fmt.Errorf("countyview: the refusal of command %s: %w", sc.ID, err)
				}
				sc.Refused, sc.RefusedWhy = r.At, r.Reason
			}
			out = append(out, sc)
		}
		return ctx.Err()
	})
	slices.SortStableFunc(out, func(x, y SentCommand) int { return x.At.Compare(y.At) })
	return out, err
}
