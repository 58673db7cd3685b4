package cases

import (
	"sync"
	"time"

	"yiting/queue"
)

// How many card taps one device may make. A kiosk serves one visitor at a
// time — a card, a choice, a printed ticket take half a minute — so a
// device that taps faster is broken or stolen; no device may take more
// than a small share of the day's MaxSeq codes from everyone else, nor
// probe ID numbers for open cases at speed. Staff act as accountable
// people and are not limited.
const (
	deviceBurst  = 20              // registrations at once, after a quiet while
	deviceRefill = 6 * time.Second // one more every so often
	deviceDaily  = 600             // per business day: 16 devices to use up MaxSeq
)

// issuerLimit counts the card taps of each device: a token bucket for
// the rate and a count for the day. It lives in memory: a restart gives a
// device a new bucket but not a new day of codes by much, and the
// registrations of a day are bounded by MaxSeq regardless.
type issuerLimit struct {
	mu   sync.Mutex
	day  Date
	byID map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
	today  int
}

func newIssuerLimit() *issuerLimit { return &issuerLimit{byID: map[string]*bucket{}} }

// take counts one card tap by actor, or refuses it with ETOOMANY.
func (l *issuerLimit) take(actor string, day Date, now time.Time) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if day != l.day {
		l.day, l.byID = day, map[string]*bucket{}
	}
	b := l.byID[actor]
	if b == nil {
		b = &bucket{tokens: deviceBurst, at: now}
		l.byID[actor] = b
	}
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(deviceBurst, b.tokens+d.Seconds()/deviceRefill.Seconds())
		b.at = now
	}
	switch {
	case b.today >= deviceDaily:
		return queue.Errorf(queue.ETOOMANY, "本设备今日刷证取号已达%d次，请到服务台办理 (this device took %d card taps today)", deviceDaily, deviceDaily)
	case b.tokens < 1:
		return queue.Errorf(queue.ETOOMANY, "刷证取号过于频繁，请稍后再试 (too many card taps from this device)")
	}
	b.tokens--
	b.today++
	return nil
}
