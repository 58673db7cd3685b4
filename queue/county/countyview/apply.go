package countyview

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/county"
)

// message is one message of the hub's stream: its sequence in COUNTY,
// its subject (yiting.<site>.events), its Yiting-Seq header and its body
// (the JSON of one queue.Event, as county.Publisher wrote it).
type message struct {
	stream  uint64
	subject string
	seq     string
	data    []byte
}

// caseRec is what the model keeps of a case: the last step a site
// reported, with the case's facts from the last step that had them.
type caseRec struct {
	Site    string         `json:"site"`
	Step    queue.CaseStep `json:"step"`
	Updated time.Time      `json:"updated"` // the last step's time at the site
	Seq     uint64         `json:"seq"`     // the last step's event
}

// Step is one step of a case's timeline as its site reported it.
type Step struct {
	Seq     uint64    `json:"seq"` // the event's sequence in the site's log
	Time    time.Time `json:"time"`
	Kind    string    `json:"kind"` // cases.StepKind: registered, routed, …
	Name    string    `json:"name"` // the kind in Chinese
	Status  string    `json:"status,omitempty"`
	Unit    string    `json:"unit,omitempty"`
	Counter string    `json:"counter,omitempty"`
	Actor   string    `json:"actor,omitempty"` // who, at the site: a staff id, "system", a device
}

// rejected is a message that was no event of a site, for the log.
type rejected struct {
	stream uint64
	site   string
	err    error
}

// apply applies msgs in one transaction with the last stream sequence
// and each site's link: all of them or, on an error, none. Messages at
// or below the stream sequence the file holds are skipped (a consumer
// that delivered them again).
func (m *Model) apply(msgs []message) error {
	var bad []rejected
	err := m.db.Update(func(tx *bolt.Tx) error {
		bad = bad[:0]
		now := m.now()
		cur := streamSeq(tx)
		links := map[string]*SiteLink{}
		link := func(site string) (*SiteLink, error) {
			if l := links[site]; l != nil {
				return l, nil
			}
			l := &SiteLink{Site: site}
			if v := tx.Bucket(bucketSites).Get([]byte(site)); v != nil {
				if err := json.Unmarshal(v, l); err != nil {
					return nil, fmt.Errorf("countyview: site %s: %w", site, err)
				}
			}
			links[site] = l
			return l, nil
		}
		for i := range msgs {
			msg := &msgs[i]
			if msg.stream <= cur {
				continue
			}
			cur = msg.stream
			site, ok := county.SiteOf(msg.subject)
			if !ok {
				bad = append(bad, rejected{msg.stream, "", fmt.Errorf("subject %q is no site's events", msg.subject)})
				continue
			}
			l, err := link(site)
			if err != nil {
				return err
			}
			ev, err := decode(msg)
			if err != nil {
				l.Bad++
				bad = append(bad, rejected{msg.stream, site, err})
				continue
			}
			if !l.accept(ev.Seq, now) {
				continue
			}
			if ev.Time.After(l.LastTime) {
				l.LastTime = ev.Time
			}
			if err := applyEvent(tx, site, &ev); err != nil {
				return err
			}
		}
		for site, l := range links {
			v, err := json.Marshal(l)
			if err != nil {
				return err
			}
			if err := tx.Bucket(bucketSites).Put([]byte(site), v); err != nil {
				return err
			}
		}
		return tx.Bucket(bucketMeta).Put([]byte("stream"), be64(cur))
	})
	if err != nil {
		return fmt.Errorf("countyview: apply: %w", err)
	}
	for _, r := range bad {
		m.log.Warn("countyview: a message of the county stream is no site event; skipped", "stream_seq", r.stream, "site", r.site, "err", r.err)
	}
	return nil
}

// decode reads a message's event and checks it against its header.
func decode(msg *message) (queue.Event, error) {
	var ev queue.Event
	if err := json.Unmarshal(msg.data, &ev); err != nil {
		return queue.Event{}, fmt.Errorf("body: %w", err)
	}
	seq, err := strconv.ParseUint(msg.seq, 10, 64)
	if err != nil || seq == 0 || seq != ev.Seq {
		return queue.Event{}, fmt.Errorf("header %s %q does not name the event's sequence %d", county.SeqHeader, msg.seq, ev.Seq)
	}
	return ev, nil
}

// applyEvent folds one event of a site into the model.
func applyEvent(tx *bolt.Tx, site string, ev *queue.Event) error {
	if ev.Ticket != nil {
		if err := putTicket(tx, site, ev.Ticket); err != nil {
			return err
		}
	}
	if c := ev.Case; c != nil && c.Code != "" {
		return putStep(tx, site, ev, c)
	}
	if r := ev.Refusal; r != nil && r.Command != "" {
		return putRefusal(tx, site, ev, r)
	}
	return nil
}

// putTicket keeps the ticket as it stands after the event, without its
// visitor (masked name and keyed hash) and its clerk's note: the county
// counts tickets, it does not follow visitors.
func putTicket(tx *bolt.Tx, site string, t *queue.Ticket) error {
	if t.Day == "" {
		return errors.New("countyview: a ticket without a business day")
	}
	c := *t
	c.Visitor, c.Note = queue.Visitor{}, ""
	v, err := json.Marshal(&c)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketTickets).Put(key([]byte(site), []byte(t.Day), be64(t.ID)), v)
}

// putStep adds a case step to the case's timeline and, when it says where
// the case stands (a rectification's step does not), updates the case.
func putStep(tx *bolt.Tx, site string, ev *queue.Event, c *queue.CaseStep) error {
	s := Step{Seq: ev.Seq, Time: ev.Time, Kind: c.Step, Name: cases.StepKind(c.Step).Name(), Status: c.Status, Unit: c.Unit,
		Counter: c.Counter, Actor: ev.Actor}
	v, err := json.Marshal(&s)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketSteps).Put(key([]byte(site), []byte(c.Code), be64(ev.Seq)), v); err != nil {
		return err
	}
	if c.Status == "" {
		return nil
	}
	k := key([]byte(site), []byte(c.Code))
	rec := caseRec{Site: site}
	if old := tx.Bucket(bucketCases).Get(k); old != nil {
		if err := json.Unmarshal(old, &rec); err != nil {
			return fmt.Errorf("countyview: case %s of %s: %w", c.Code, site, err)
		}
	}
	step := *c
	if step.Facts == nil { // an event written before events carried the facts
		step.Facts = rec.Step.Facts
	}
	rec.Step, rec.Updated, rec.Seq = step, ev.Time, ev.Seq
	if v, err = json.Marshal(&rec); err != nil {
		return err
	}
	if err := tx.Bucket(bucketCases).Put(k, v); err != nil {
		return err
	}
	if f := c.Facts; f != nil && f.TokenHash != "" {
		if err := tx.Bucket(bucketTokens).Put([]byte(f.TokenHash), k); err != nil {
			return err
		}
	}
	if cases.Status(c.Status).Open() {
		return tx.Bucket(bucketOpen).Put(k, []byte{})
	}
	return tx.Bucket(bucketOpen).Delete(k)
}
