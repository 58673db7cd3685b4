package httpapi

import (
	"context"
	"log/slog"
	"sync"

	"yiting/queue"
)

// DefaultMaxStreams is the most event streams one principal holds open.
// A browser holds at most six connections to a host over HTTP/1.1, so
// one principal's pages in one browser never reach it; the two over that
// are a board or console reconnecting while its old connection, switched
// off without closing TCP, is not yet noticed dead.
const DefaultMaxStreams = 8

// streamSet is the open event streams by principal (queue.Principal.Actor),
// oldest first. A principal over its limit loses its oldest stream rather
// than being refused a new one: the oldest is the one most likely dead (a
// board that lost power reconnects before its old connection times out),
// and a refusal would lock such a board out until then.
type streamSet struct {
	max int
	log *slog.Logger

	mu   sync.Mutex
	open map[string][]*context.CancelFunc
}

func newStreamSet(max int, log *slog.Logger) *streamSet {
	if max == 0 {
		max = DefaultMaxStreams
	}
	return &streamSet{max: max, log: log, open: map[string][]*context.CancelFunc{}}
}

// add registers a stream of p that cancel ends, ending p's oldest streams
// over the limit; it returns the unregistering.
func (s *streamSet) add(p queue.Principal, cancel *context.CancelFunc) func() {
	actor := p.Actor()
	s.mu.Lock()
	defer s.mu.Unlock()
	open := append(s.open[actor], cancel)
	if over := len(open) - s.max; s.max > 0 && over > 0 {
		for _, old := range open[:over] {
			(*old)()
		}
		open = append(open[:0:0], open[over:]...)
		// The role, and a device's token id, find a board sharing its
		// token with too many others; a person's name stays out of logs.
		s.log.Warn("event stream: a principal opened more streams than its limit, the oldest was closed",
			"role", p.Role, "device", deviceID(p), "limit", s.max)
	}
	s.open[actor] = open
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		open := s.open[actor]
		for i, c := range open {
			if c == cancel {
				open = append(open[:i:i], open[i+1:]...)
				break
			}
		}
		if len(open) == 0 {
			delete(s.open, actor)
		} else {
			s.open[actor] = open
		}
	}
}

// closeAll ends every stream of the principal actor.
func (s *streamSet) closeAll(actor string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, cancel := range s.open[actor] {
		(*cancel)()
	}
}

// deviceID is a device principal's token id, "" for a person.
func deviceID(p queue.Principal) string {
	if !p.Role.IsDevice() {
		return ""
	}
	return p.ID
}
