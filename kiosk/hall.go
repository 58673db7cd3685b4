package kiosk

import (
	"context"
	"errors"
	"time"

	"yiting/kiosk/idcard"
	"yiting/queue"
)

// ErrUnreachable is wrapped by a Hall's error when the hall server could
// not be asked or did not answer (network down, server restarting, 5xx).
// The loop retries such a request with the same idempotency key; so does it
// for queue.ErrUnavailable (the hall's storage cannot commit right now).
var ErrUnreachable = errors.New("kiosk: hall server unreachable")

// Hall is the kiosk's view of the hall: what it offers and how to take a
// ticket. The in-process engine (kiosk/local) and the hall server's API
// (kiosk/hallclient) satisfy it. Methods are safe for concurrent use.
type Hall interface {
	// Info returns the services with their waiting counts, the counters
	// and the priority classes. Errors wrap ErrUnreachable when the hall
	// cannot be asked.
	Info(ctx context.Context) (HallInfo, error)
	// Issue takes a ticket. Sent again with the same IdempotencyKey it
	// returns the ticket issued the first time (Replayed), never a second
	// one. Errors wrap ErrUnreachable or queue.ErrUnavailable when a retry
	// may succeed; other errors are *queue.Error (errors.Is
	// queue.ErrInvalid, queue.ErrNotFound, queue.ErrForbidden …) and a retry
	// will not help.
	Issue(ctx context.Context, req Request) (Issued, error)
}

// Request asks the hall for a ticket on behalf of one tap at the kiosk.
type Request struct {
	ServiceID string
	// Card is the identity read from the visitor's card, nil for a
	// service that needs none. The hall derives the visitor from it (the
	// masked name; a keyed hash of the ID number that recognises a
	// returning visitor) and routes a returning visitor to whoever first
	// received them (首访负责制). It never leaves the hall's adapters whole.
	Card *idcard.Identity
	// Cards are the representatives' cards of a group visit (集体访), in
	// the order they were tapped, Card (Cards[0]) first; nil for a visit
	// of one. The hall registers them all as the case's persons; the
	// ticket carries the first one's masked name with 等N人 (GroupName).
	Cards []*idcard.Identity
	// Priority is the priority class id ("elderly"), "" for none.
	Priority string
	// IdempotencyKey is random, made once per tap and sent again on every
	// retry of that tap.
	IdempotencyKey string
}

// Persons returns the cards of the request: Cards for a group visit,
// else Card alone, else none.
func (r Request) Persons() []*idcard.Identity {
	switch {
	case len(r.Cards) > 0:
		return r.Cards
	case r.Card != nil:
		return []*idcard.Identity{r.Card}
	}
	return nil
}

// GroupHall is a Hall that registers group visits: it takes every card of
// Request.Cards as a party of the case. The loop offers 多人来访 only on
// such a hall (the in-process kiosk/local does, when it keeps cases; the
// hall server's ticket API takes one visitor, so kiosk/hallclient does
// not).
type GroupHall interface {
	Hall
	// GroupVisits reports whether Issue registers every representative.
	GroupVisits() bool
}

// Issued is a ticket the hall issued. A ticket whose TargetCounter is set
// was routed to that counter by first-visit responsibility.
type Issued struct {
	Ticket   queue.Ticket
	Ahead    int  // waiting tickets expected to be called first
	Replayed bool // a retry found the ticket of the first attempt
	// CaseURL is the public inquiry page of the matter the hall registered
	// for the ticket (its QR code), "" when none: the ticket's QR then
	// carries TicketURL.
	CaseURL string
}

// HallInfo is what the kiosk shows and prints about the hall.
type HallInfo struct {
	Name     string         // 通山县综治中心
	Day      string         // the business day, "2006-01-02"
	Location *time.Location // the hall's time zone, for the ticket's time
	Services []ServiceInfo  // in the configuration's order
	Counters []queue.Counter
	Priority []queue.PriorityClass
}

// ServiceInfo is a service with how many wait for it.
type ServiceInfo struct {
	queue.Service
	Waiting int
}

// Service returns the service of that id.
func (h HallInfo) Service(id string) (ServiceInfo, bool) {
	for _, s := range h.Services {
		if s.ID == id {
			return s, true
		}
	}
	return ServiceInfo{}, false
}

// Counter returns the counter of that id.
func (h HallInfo) Counter(id string) (queue.Counter, bool) {
	for _, c := range h.Counters {
		if c.ID == id {
			return c, true
		}
	}
	return queue.Counter{}, false
}

// VisitorKeyer makes the keyed hash of an ID number that recognises a
// returning visitor without storing the number (queue/personal's Keys).
type VisitorKeyer interface {
	VisitorKey(idNumber string) string
}

// FirstVisit finds the counter that first received a returning visitor
// (首访负责制), to route the new ticket back there. Lookup returns ok false
// when the visitor has no open matter the counter could continue, or when
// that counter does not serve serviceID. It is safe for concurrent use.
type FirstVisit interface {
	Lookup(ctx context.Context, visitorKey, serviceID string) (counterID string, ok bool, err error)
}
