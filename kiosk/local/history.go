package local

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"yiting/kiosk"
	"yiting/queue"
)

// DefaultDays is how far back History looks for the counter that first
// received a visitor.
const DefaultDays = 30

// TicketsFunc calls fn for every ticket of the business days from..to
// (inclusive, "2006-01-02"); boltstore's Store.TicketsBetween is one.
type TicketsFunc func(ctx context.Context, from, to string, fn func(*queue.Ticket) error) error

// History is first-visit responsibility (首访负责制) until the case tracker
// knows open matters: a visitor is routed to the counter that served their
// most recent completed ticket within Days, if that counter serves the
// service chosen now.
//
// Today's tickets come from the engine's memory. Earlier days come from
// the store once per business day into an index of each visitor's latest
// completed ticket (a scan of Days days of tickets: at a county hall's
// volume, a few thousand records), so a tap costs a map lookup and a scan
// of today's tickets in memory. It is safe for concurrent use.
type History struct {
	eng     *queue.Engine
	earlier TicketsFunc
	days    int
	now     func() time.Time

	mu      sync.Mutex
	through string          // the index holds the days before this one
	index   map[string]past // visitor key → latest completed ticket before today
}

// past is a completed ticket as the index keeps it.
type past struct {
	day     string
	done    time.Time
	counter string
}

var _ kiosk.FirstVisit = (*History)(nil)

// NewHistory returns a History over the engine's tickets and, for earlier
// days, earlier (nil: today only). days ≤ 0 means DefaultDays; now nil
// means time.Now.
func NewHistory(eng *queue.Engine, earlier TicketsFunc, days int, now func() time.Time) *History {
	if days <= 0 {
		days = DefaultDays
	}
	if now == nil {
		now = time.Now
	}
	return &History{eng: eng, earlier: earlier, days: days, now: now}
}

// Lookup returns the counter to route the visitor to.
func (h *History) Lookup(ctx context.Context, visitorKey, serviceID string) (string, bool, error) {
	if visitorKey == "" {
		return "", false, nil
	}
	hall := h.eng.Hall()
	today := h.now().In(hall.Location).Format(time.DateOnly)
	var best past
	for _, t := range h.eng.Tickets(func(t *queue.Ticket) bool {
		return t.Visitor.Key == visitorKey && t.Status == queue.StatusDone && t.CounterID != ""
	}) {
		if t.DoneAt.After(best.done) {
			best = past{day: t.Day, done: t.DoneAt, counter: t.CounterID}
		}
	}
	if best.counter == "" {
		p, err := h.before(ctx, today, visitorKey)
		if err != nil {
			return "", false, err
		}
		best = p
	}
	if best.counter == "" || best.day < h.firstDay(today) {
		return "", false, nil
	}
	c, ok := hall.Counter(best.counter)
	if !ok {
		return "", false, nil // the counter was removed from the configuration
	}
	if _, ok := c.Serves(serviceID); !ok {
		return "", false, nil
	}
	return c.ID, true, nil
}

// Warm builds the index of earlier days now, so the first tap of the day
// does not wait for it.
func (h *History) Warm(ctx context.Context) error {
	today := h.now().In(h.eng.Hall().Location).Format(time.DateOnly)
	_, err := h.before(ctx, today, "")
	return err
}

// before returns the visitor's latest completed ticket of the days before
// today, rebuilding the index when the business day has changed.
func (h *History) before(ctx context.Context, today, key string) (past, error) {
	if h.earlier == nil {
		return past{}, nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.through != today {
		idx := map[string]past{}
		yesterday := addDays(today, -1)
		err := h.earlier(ctx, h.firstDay(today), yesterday, func(t *queue.Ticket) error {
			if t.Visitor.Key == "" || t.Status != queue.StatusDone || t.CounterID == "" {
				return nil
			}
			if p, ok := idx[t.Visitor.Key]; !ok || t.DoneAt.After(p.done) {
				idx[t.Visitor.Key] = past{day: t.Day, done: t.DoneAt, counter: t.CounterID}
			}
			return ctx.Err()
		})
		if err != nil {
			return past{}, fmt.Errorf("local: first-visit history: %w", err)
		}
		h.index, h.through = idx, today
	}
	return h.index[key], nil
}

// firstDay is the oldest business day Lookup considers.
func (h *History) firstDay(today string) string {
	return addDays(today, -h.days)
}

// addDays moves a "2006-01-02" day by n days.
func addDays(day string, n int) string {
	t, err := time.Parse(time.DateOnly, day)
	if err != nil {
		panic(errors.New("local: bad business day " + day)) // the engine's own format
	}
	return t.AddDate(0, 0, n).Format(time.DateOnly)
}
