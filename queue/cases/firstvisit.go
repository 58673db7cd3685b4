package cases

import (
	"context"
	"fmt"

	"yiting/queue"
)

// Lookup finds the open case of a returning visitor, by the keyed hash of
// the ID number (personal.Keys.VisitorKey), for first-visit responsibility
// (首访负责制): the kiosk links the new ticket to caseCode and, when
// counterID is not "", issues it with TargetCounter = counterID so that
// only the counter that first received the visitor calls it (staffID is
// the clerk who did). Of several open cases the latest registered wins (the higher code on a tie).
//
// ok is false when the visitor has no open case. counterID is "" when the
// case has not been received at a counter yet. The kiosk must check that
// the counter serves the service the visitor chose (queue.Counter.Serves)
// before targeting it: the engine refuses a counter that does not.
func (b *Book) Lookup(ctx context.Context, visitorKey string) (counterID, staffID, caseCode string, ok bool, err error) {
	if visitorKey == "" {
		return "", "", "", false, nil
	}
	codes, err := b.store.OpenCodesOf(ctx, visitorKey)
	if err != nil {
		return "", "", "", false, err
	}
	var best *Case
	for _, code := range codes {
		c, err := b.store.Case(ctx, code)
		if err != nil {
			if queue.ErrorCode(err) == queue.ENOTFOUND {
				continue
			}
			return "", "", "", false, err
		}
		if !c.Status.Open() {
			continue
		}
		if best == nil || c.Registered.After(best.Registered) || (c.Registered.Equal(best.Registered) && c.Code > best.Code) {
			best = c
		}
	}
	if best == nil {
		return "", "", "", false, nil
	}
	counterID, staffID = best.Handler.CounterID, best.Handler.StaffID
	if counterID == "" {
		if r, ok := best.Route(); ok {
			counterID, staffID = r.CounterID, r.StaffID
		}
	}
	return counterID, staffID, best.Code, true, nil
}

// LookupID is Lookup by an ID number, for a kiosk that reaches the hall
// server over the API and has no key of its own.
func (b *Book) LookupID(ctx context.Context, p queue.Principal, idNumber string) (counterID, staffID, caseCode string, ok bool, err error) {
	if !p.CanIssue() {
		return "", "", "", false, queue.Errorf(queue.EFORBIDDEN, "无权查询 (not allowed)")
	}
	if err := checkIDNumber(normalizeID(idNumber)); err != nil || idNumber == "" {
		return "", "", "", false, queue.Errorf(queue.EINVALID, "证件号码无效 (invalid ID number)")
	}
	return b.Lookup(ctx, b.keys.VisitorKey(idNumber))
}

// Router is first-visit routing in the shape the kiosk declares
// (kiosk.FirstVisit): the counter that first received the visitor's open
// case, when it serves the service chosen now. Build it with Book.Router.
type Router struct{ b *Book }

// Router returns the kiosk's first-visit router over the book.
func (b *Book) Router() Router { return Router{b} }

// Lookup returns the counter to route the visitor's new ticket to; ok is
// false when the visitor has no open case, its first receiver is not known
// yet, or that counter does not serve serviceID.
func (r Router) Lookup(ctx context.Context, visitorKey, serviceID string) (counterID string, ok bool, err error) {
	counterID, _, _, found, err := r.b.Lookup(ctx, visitorKey)
	if err != nil || !found || counterID == "" {
		return "", false, err
	}
	if !r.b.serves(counterID, serviceID) {
		return "", false, nil
	}
	return counterID, true, nil
}

func (b *Book) serves(counterID, serviceID string) bool {
	c, ok := b.hall.Counter(counterID)
	if !ok {
		return false
	}
	_, ok = c.Serves(serviceID)
	return ok
}

// Intake is what the kiosk gets for a visitor's card and choice.
type Intake struct {
	Case View
	URL  string // the inquiry page, for the ticket's QR code
	// TargetCounter is the counter that first received the visitor of a
	// linked case, if it serves the service: issue the ticket to it.
	TargetCounter string
	Linked        bool // a visit on an open case, not a new one
	Replayed      bool // the idempotency key was seen before
}

// Intake is the kiosk's one call per tap: when the first person with an ID
// number has an open case of the same service, the visit is linked to it
// (首访负责制) and the ticket should go to TargetCounter; otherwise the
// matter is registered as Register does. Either way the answer carries the
// case code (IssueRequest.CaseCode) and the inquiry URL to print. It is
// idempotent per principal and key like Register.
func (b *Book) Intake(ctx context.Context, p queue.Principal, req RegisterRequest) (Intake, error) {
	if !p.CanIssue() {
		return Intake{}, queue.Errorf(queue.EFORBIDDEN, "无权登记案件 (not allowed to register cases)")
	}
	key := ""
	for _, ps := range req.Persons {
		id := normalizeID(ps.IDNumber)
		if id != "" && checkIDNumber(id) == nil {
			key = b.keys.VisitorKey(id)
			break
		}
	}
	if key != "" && req.IdempotencyKey != "" && len(req.Persons) <= MaxPersons {
		in, ok, err := b.link(ctx, p, req, key)
		if err != nil || ok {
			return in, err
		}
	}
	r, err := b.Register(ctx, p, req)
	if err != nil {
		return Intake{}, err
	}
	return Intake{Case: r.Case, URL: r.URL, Replayed: r.Replayed}, nil
}

// link adds a visit to the visitor's open case of the same service; ok is
// false when there is none (or the key was used for a registration).
func (b *Book) link(ctx context.Context, p queue.Principal, req RegisterRequest, visitorKey string) (Intake, bool, error) {
	codes, err := b.store.OpenCodesOf(ctx, visitorKey)
	if err != nil {
		return Intake{}, false, err
	}
	regIdem := hashKey(p.Actor() + "|" + req.IdempotencyKey)
	linkIdem := hashKey("link|" + p.Actor() + "|" + req.IdempotencyKey)
	b.mu.Lock()
	defer b.mu.Unlock()
	if code, err := b.store.CodeByIdem(ctx, regIdem); err != nil || code != "" {
		return Intake{}, false, err // a registration: Register replays it
	}
	if code, err := b.store.CodeByIdem(ctx, linkIdem); err != nil {
		return Intake{}, false, err
	} else if code != "" {
		c, err := b.store.Case(ctx, code)
		if err != nil {
			return Intake{}, false, err
		}
		return b.intakeOf(c, true, true)
	}
	var best *Case
	for _, code := range codes {
		c, err := b.store.Case(ctx, code)
		if err != nil {
			return Intake{}, false, err
		}
		if c.Status.Open() && c.ServiceID == req.ServiceID && (best == nil || c.Registered.After(best.Registered)) {
			best = c
		}
	}
	if best == nil {
		return Intake{}, false, nil
	}
	now := b.now()
	persons := max(1, len(req.Persons))
	best.Visits = append(best.Visits, Visit{At: now, Persons: persons})
	best.step(now, StepVisit, p.Actor(), fmt.Sprintf("再次来访 %d人", persons))
	if err := b.put(ctx, Write{Case: best, IdemKey: linkIdem}); err != nil {
		return Intake{}, false, err
	}
	b.log.Info("case step", "case", best.Code, "step", string(StepVisit), "actor", p.Actor(), "status", string(best.Status))
	return b.intakeOf(best, true, false)
}

func (b *Book) intakeOf(c *Case, linked, replayed bool) (Intake, bool, error) {
	url, err := b.urlOf(c)
	if err != nil {
		return Intake{}, false, err
	}
	in := Intake{Case: b.view(c), URL: url, Linked: linked, Replayed: replayed}
	counter := c.Handler.CounterID
	if counter == "" {
		if r, ok := c.Route(); ok {
			counter = r.CounterID
		}
	}
	if counter != "" && b.serves(counter, c.ServiceID) {
		in.TargetCounter = counter
	}
	return in, true, nil
}
