package countyview

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SiteLink is what the hub has received of one site's event log.
type SiteLink struct {
	Site string `json:"site"`
	// Last is the sequence of the last event applied, LastTime its time
	// at the site; Applied is when the hub applied it (the hub's clock).
	Last     uint64    `json:"last_event"`
	LastTime time.Time `json:"last_event_time,omitzero"`
	Applied  time.Time `json:"applied,omitzero"`
	Received uint64    `json:"received"`   // events applied
	Skipped  uint64    `json:"duplicates"` // duplicates skipped (at or below Last)
	Bad      uint64    `json:"malformed"`  // messages on its subject that were no event
	// Missing counts the events the hub never received: the sum of the
	// gaps. Gaps keeps the latest maxGaps of them.
	Missing uint64 `json:"missing"`
	Gaps    []Gap  `json:"gaps,omitempty"`
}

// Gap is a run of a site's events the hub never received: its stream
// dropped them (full while the township was cut off) before the hub
// sourced them. The events after it are applied; the site's own log still
// holds the missing ones.
type Gap struct {
	From uint64    `json:"from"` // first missing event
	To   uint64    `json:"to"`   // last missing event
	Seen time.Time `json:"seen"` // when the hub noticed (the hub's clock)
}

// maxGaps bounds the gaps a site keeps (Missing counts them all).
const maxGaps = 50

// accept decides what to do with a site's event seq: apply it (after
// recording the gap before it, if any) or skip it as a duplicate.
func (l *SiteLink) accept(seq uint64, now time.Time) bool {
	if seq <= l.Last {
		l.Skipped++
		return false
	}
	if seq > l.Last+1 {
		l.Missing += seq - l.Last - 1
		l.Gaps = append(l.Gaps, Gap{From: l.Last + 1, To: seq - 1, Seen: now})
		if n := len(l.Gaps); n > maxGaps {
			l.Gaps = append(l.Gaps[:0], l.Gaps[n-maxGaps:]...)
		}
	}
	l.Last = seq
	l.Received++
	l.Applied = now
	return true
}

// Links are every site's link as the model holds it, by site: cheap (no
// tickets or cases read), for the hub's /metrics.
func (m *Model) Links() (map[string]SiteLink, error) {
	out := map[string]SiteLink{}
	err := m.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSites).ForEach(func(k, v []byte) error {
			var l SiteLink
			if err := json.Unmarshal(v, &l); err != nil {
				return fmt.Errorf("countyview: site %s: %w", k, err)
			}
			out[string(k)] = l
			return nil
		})
	})
	return out, err
}
