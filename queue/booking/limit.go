package booking

import (
	"sync"
	"time"

	"yiting/queue"
)

// guessLimit bounds the failed look-ups (a code or a card that finds no
// booking) of one principal — a kiosk token, a client of the public page:
// a visitor mistypes a few times; a program searching codes or probing ID
// numbers for bookings is stopped after MaxMisses in MissWindow.
type guessLimit struct {
	mu     sync.Mutex
	misses map[string][]time.Time
}

// MaxMisses failed look-ups in MissWindow lock a principal out until the
// oldest leaves the window.
const (
	MaxMisses  = 10
	MissWindow = 10 * time.Minute
)

func newGuessLimit() *guessLimit { return &guessLimit{misses: map[string][]time.Time{}} }

func (g *guessLimit) recent(who string, now time.Time) []time.Time {
	ms := g.misses[who]
	i := 0
	for i < len(ms) && now.Sub(ms[i]) >= MissWindow {
		i++
	}
	ms = ms[i:]
	if len(ms) == 0 {
		delete(g.misses, who)
	} else {
		g.misses[who] = ms
	}
	return ms
}

func (g *guessLimit) check(who string, now time.Time) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.recent(who, now)) >= MaxMisses {
		return queue.Errorf(queue.ETOOMANY, "查询错误次数过多，请%d分钟后再试或到服务台办理 (too many failed look-ups)", int(MissWindow/time.Minute))
	}
	return nil
}

func (g *guessLimit) miss(who string, now time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.misses) > 10000 { // many clients: forget those out of the window
		for k := range g.misses {
			g.recent(k, now)
		}
	}
	g.misses[who] = append(g.recent(who, now), now)
}
