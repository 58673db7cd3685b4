package local

import (
	"context"
	"errors"
	"log/slog"

	"yiting/kiosk"
	"yiting/queue"
	"yiting/queue/cases"
)

// Opts configures a Hall. Engine is required.
type Opts struct {
	Engine *queue.Engine
	// Principal issues the tickets; the zero value means the in-process
	// kiosk, {Role: kiosk, ID: "local"}.
	Principal queue.Principal
	// Keyer makes the keyed hash of the ID number (queue/personal's Keys);
	// nil: tickets carry the masked name only and no visitor is recognised.
	Keyer kiosk.VisitorKeyer
	// FirstVisit routes a returning visitor; nil: no routing.
	FirstVisit kiosk.FirstVisit
	// Cases registers the visitor's matter (一件一码) or links the visit to
	// their open one before the ticket is issued; nil: tickets carry no
	// case.
	Cases  Intaker
	Logger *slog.Logger // nil: discard
}

// Intaker registers a matter for a card and a choice: queue/cases' Book.
type Intaker interface {
	Intake(ctx context.Context, p queue.Principal, req cases.RegisterRequest) (cases.Intake, error)
}

// Hall is the in-process hall.
type Hall struct {
	eng   *queue.Engine
	p     queue.Principal
	keyer kiosk.VisitorKeyer
	first kiosk.FirstVisit
	cases Intaker
	log   *slog.Logger
}

var _ kiosk.GroupHall = (*Hall)(nil)

// New returns the in-process hall.
func New(opts Opts) (*Hall, error) {
	if opts.Engine == nil {
		return nil, errors.New("local: Opts.Engine is required")
	}
	h := &Hall{eng: opts.Engine, p: opts.Principal, keyer: opts.Keyer, first: opts.FirstVisit, cases: opts.Cases, log: opts.Logger}
	if h.p.Role == "" {
		h.p = queue.Principal{ID: "local", Name: "本机自助取号机", Role: queue.RoleKiosk}
	}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	return h, nil
}

// Info returns the hall's configuration with today's waiting counts. It
// does not fail.
func (h *Hall) Info(ctx context.Context) (kiosk.HallInfo, error) {
	hall := h.eng.Hall()
	st := h.eng.State()
	info := kiosk.HallInfo{
		Name:     hall.Name,
		Day:      st.Day,
		Location: hall.Location,
		Counters: hall.Counters,
		Priority: hall.Priority.Classes,
	}
	waiting := make(map[string]int, len(st.Services))
	for _, q := range st.Services {
		waiting[q.ServiceID] = q.Waiting
	}
	for _, s := range hall.Services {
		info.Services = append(info.Services, kiosk.ServiceInfo{Service: s, Waiting: waiting[s.ID]})
	}
	return info, nil
}

// GroupVisits reports whether the hall registers group visits: it does
// when it keeps cases (Opts.Cases), every representative a party.
func (h *Hall) GroupVisits() bool { return h.cases != nil }

// Issue derives the visitor from the card (masked name, keyed hash; for a
// group visit the first representative's, the name with 等N人),
// routes a returning visitor back to the counter that first received them
// and issues the ticket. A failed first-visit lookup is logged and the
// ticket issued unrouted: the visitor is not turned away for it. Errors
// are the engine's (*queue.Error).
func (h *Hall) Issue(ctx context.Context, req kiosk.Request) (kiosk.Issued, error) {
	ir := queue.IssueRequest{ServiceID: req.ServiceID, Priority: req.Priority, IdempotencyKey: req.IdempotencyKey}
	if persons := req.Persons(); len(persons) > 0 {
		first := persons[0]
		ir.Visitor.MaskedName = kiosk.GroupName(persons)
		if h.keyer != nil && first.Number != "" {
			ir.Visitor.Key = h.keyer.VisitorKey(first.Number)
		}
	}
	if ir.Visitor.Key != "" && h.first != nil {
		counter, ok, err := h.first.Lookup(ctx, ir.Visitor.Key, req.ServiceID)
		switch {
		case err != nil:
			h.log.Warn("local: first-visit lookup failed; ticket issued without routing", "err", err)
		case ok:
			ir.TargetCounter = counter
		}
	}
	caseURL := h.intake(ctx, req, &ir)
	is, err := h.eng.Issue(ctx, h.p, ir)
	if err != nil {
		return kiosk.Issued{}, err
	}
	return kiosk.Issued{Ticket: is.Ticket, Ahead: is.Ahead, Replayed: is.Replayed, CaseURL: caseURL}, nil
}

// intake registers the matter of a card holder's visit, or links it to
// their open case, and points the ticket at the case (and at the counter
// that first received them). It returns the case's inquiry URL for the
// ticket's QR code. Every card of a group visit is a party of the case
// (at most 5: the book refuses more). A service that opens no case, a
// visitor without a card, or a failure (logged: the visitor still gets a ticket; the clerk
// registers the matter at the counter) leaves the ticket without a case.
func (h *Hall) intake(ctx context.Context, req kiosk.Request, ir *queue.IssueRequest) string {
	sv, ok := h.eng.Hall().Service(req.ServiceID)
	cards := req.Persons()
	if h.cases == nil || len(cards) == 0 || !ok || sv.CaseType == "" {
		return ""
	}
	persons := make([]cases.Person, 0, len(cards))
	for _, c := range cards {
		name := c.Name
		if name == "" {
			name = c.EnglishName
		}
		persons = append(persons, cases.Person{IDNumber: c.Number, Name: name, Address: c.CurrentAddress(), CardType: c.Type.String()})
	}
	in, err := h.cases.Intake(ctx, h.p, cases.RegisterRequest{
		ServiceID:      req.ServiceID,
		Persons:        persons,
		IdempotencyKey: req.IdempotencyKey,
	})
	if err != nil {
		h.log.Error("local: registering the case failed; ticket issued without one", "err", err, "service", req.ServiceID, "persons", len(persons))
		return ""
	}
	ir.CaseCode = in.Case.Code
	if in.TargetCounter != "" {
		ir.TargetCounter = in.TargetCounter
	}
	return in.URL
}
