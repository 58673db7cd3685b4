package kiosk

import (
	"context"
	"errors"
	"time"

	"yiting/kiosk/idcard"
	"yiting/queue"
)

// ErrUnreachable is wrapped by a Desk's error when the hall server could
// not be asked or did not answer (network down, server restarting, 5xx).
// The loop retries such a request with the same idempotency key; so does it
// for queue.ErrUnavailable (the hall's storage cannot commit right now).
var ErrUnreachable = errors.New("kiosk: hall server unreachable")

// Desk is where the kiosk takes a ticket: the hall server's one issue
// command (the desk, queue/cases), in-process (kiosk/local) or over the
// API (kiosk/hallclient); and what the hall offers. Methods are safe for
// concurrent use.
type Desk interface {
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
	// service that needs none. The desk seals it, derives the visitor
	// from it (the masked name, the keyed hash that recognises a returning
	// visitor, the age-based priority) and routes a returning visitor to
	// whoever first received them (首访负责制). The kiosk keeps none of it.
	Card *idcard.Identity
	// Cards are the representatives' cards of a group visit (集体访), in
	// the order they were tapped, Card (Cards[0]) first; nil for a visit
	// of one. The desk registers them all as the case's persons; the
	// ticket carries the first one's masked name with 等N人 (GroupName).
	Cards []*idcard.Identity
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

// Holder is what a card says of its holder, as the desk takes it.
type Holder struct {
	IDNumber string
	Name     string // the Chinese name, else the card's English name
	Address  string
	CardType string
	Birth    time.Time
}

// Holders returns the holders of the request's cards (Persons).
func (r Request) Holders() []Holder {
	var out []Holder
	for _, c := range r.Persons() {
		name := c.Name
		if name == "" {
			name = c.EnglishName
		}
		out = append(out, Holder{IDNumber: c.Number, Name: name, Address: c.CurrentAddress(), CardType: c.Type.String(), Birth: c.Birth})
	}
	return out
}

// Issued is a ticket the desk issued. A ticket whose TargetCounter is set
// was routed to that counter by first-visit responsibility.
type Issued struct {
	Ticket   queue.Ticket
	Ahead    int  // waiting tickets expected to be called first
	Replayed bool // a retry found the ticket of the first attempt
	// CaseURL is the public inquiry page of the ticket's case (its QR
	// code), "" when it has none: the ticket then prints no QR code.
	CaseURL string
}

// HallInfo is what the kiosk shows and prints about the hall.
type HallInfo struct {
	Name     string         // 通山县综治中心
	Region   string         // its division code, the head of its case codes: "421224"
	Day      string         // the business day, "2006-01-02"
	Location *time.Location // the hall's time zone, for the ticket's time
	Services []ServiceInfo  // in the configuration's order
	Counters []queue.Counter
	Priority []queue.PriorityClass
	// Duty is who receives today by the duty rota ("县领导坐班接访：县委副书记
	// 张某（领导接访室）"), for the kiosk's home screen.
	Duty []string
	// Appointments: the hall takes bookings; the kiosk offers 预约签到
	// (when its Desk is an Appointer).
	Appointments bool
}

// ServiceInfo is a service with how many wait for it. Today, for a
// duty-only service, is who receives today; "" when it is not offered
// today (the menu leaves it out).
type ServiceInfo struct {
	queue.Service
	Waiting int
	Today   string
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
