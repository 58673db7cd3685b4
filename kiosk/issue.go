package kiosk

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"time"

	"yiting/kiosk/idcard"
	"yiting/printer"
	"yiting/printer/spool"
	"yiting/queue"
)

// newKey returns a tap's idempotency key: 128 random bits.
func newKey() string {
	var b [16]byte
	_, _ = crand.Read(b[:]) // crypto/rand.Read never fails
	return "tap-" + hex.EncodeToString(b[:])
}

// visitorView is what the screen shows of a card: the masked name and the
// priority the holder's age gives.
func (l *Loop) visitorView(id *idcard.Identity) *VisitorView {
	v := &VisitorView{MaskedName: id.MaskedName()}
	if c, ok := priorityFor(l.st.info.Priority, id, l.now()); ok {
		v.Priority = c.Name
	}
	return v
}

// priorityFor returns the age-based priority class the card's holder is
// entitled to: of the classes with a MinAge, the highest one the holder's
// age reaches (老年人: 60).
func priorityFor(classes []queue.PriorityClass, id *idcard.Identity, now time.Time) (queue.PriorityClass, bool) {
	var best queue.PriorityClass
	found := false
	if id == nil || id.Birth.IsZero() {
		return best, false
	}
	age := id.Age(now)
	for _, c := range classes {
		if c.MinAge > 0 && age >= c.MinAge && (!found || c.MinAge > best.MinAge) {
			best, found = c, true
		}
	}
	return best, found
}

// startIssue begins a tap: the hall is asked for a ticket, again and again
// while it cannot be reached, always with the same key. cards are the
// visitor's card, a group visit's representatives' cards, or none. The
// ticket gets the highest age-based priority any of them is entitled to.
func (l *Loop) startIssue(svc ServiceInfo, cards []*idcard.Identity) {
	s := &l.st
	s.tap++
	s.service = &svc
	s.card, s.group = nil, nil
	s.visitor, s.priority = nil, ""
	req := Request{ServiceID: svc.ID, IdempotencyKey: newKey()}
	if len(cards) > 0 {
		s.card = cards[0]
		req.Card = cards[0]
		if len(cards) > 1 {
			s.group = cards
			req.Cards = cards
		}
		var best queue.PriorityClass
		found := false
		for _, c := range cards {
			if p, ok := priorityFor(s.info.Priority, c, l.now()); ok && (!found || p.MinAge > best.MinAge) {
				best, found = p, true
			}
		}
		s.visitor = &VisitorView{MaskedName: GroupName(cards)}
		if found {
			s.priority = best.ID
			s.visitor.Priority = best.Name
		}
	}
	l.to(StepIssuing, 0)
	ctx, cancel := context.WithCancel(l.runCtx)
	s.cancelIssue = cancel
	tap := s.tap
	l.workers.Add(1)
	go l.attempt(ctx, cancel, tap, func(ctx context.Context) (Issued, error) { return l.opts.Desk.Issue(ctx, req) })
}

// attempt runs one tap's requests on its own goroutine: call (a ticket, a
// check-in) again and again while the hall cannot be reached, with the
// tap's one key.
func (l *Loop) attempt(ctx context.Context, cancel context.CancelFunc, tap uint64, call func(context.Context) (Issued, error)) {
	defer l.workers.Done()
	defer cancel()
	start := l.now()
	wait := l.opts.RetryMin
	for attempt := 1; ; attempt++ {
		actx, acancel := context.WithTimeout(ctx, l.opts.IssueTimeout)
		is, err := call(actx)
		acancel()
		switch {
		case err == nil:
			l.post(l.runCtx, func() { l.issued(tap, is) })
			return
		case ctx.Err() != nil:
			return // the visitor left, or the kiosk stops
		case !transient(ctx, err):
			l.post(l.runCtx, func() { l.refused(tap, err) })
			return
		case l.now().Sub(start) >= l.opts.IssueGiveUp:
			l.post(l.runCtx, func() { l.gaveUp(tap, err, attempt) })
			return
		}
		l.post(l.runCtx, func() { l.retrying(tap, err, attempt) })
		// Full jitter on the upper half: kiosks that lost the hall together
		// do not all come back in the same millisecond.
		if !sleep(ctx, wait/2+rand.N(wait/2+1)) {
			return
		}
		wait = min(2*wait, l.opts.RetryMax)
	}
}

// current reports whether a worker's result belongs to the tap on screen.
func (l *Loop) current(tap uint64, step Step) bool {
	return l.st.tap == tap && l.st.step == step
}

func (l *Loop) retrying(tap uint64, err error, attempt int) {
	if !l.current(tap, StepIssuing) {
		return
	}
	s := &l.st
	if !s.retrying {
		l.log.Warn("kiosk: hall unreachable; retrying the ticket with the same key", "service", s.serviceID(), "err", err)
	} else {
		l.log.Debug("kiosk: retrying the ticket", "attempt", attempt, "err", err)
	}
	s.retrying = true
	s.hall.OK, s.hall.Message = false, MsgMaintenance
}

func (l *Loop) gaveUp(tap uint64, err error, attempts int) {
	if !l.current(tap, StepIssuing) {
		return
	}
	l.log.Warn("kiosk: gave up issuing: the hall stayed unreachable", "attempts", attempts, "err", err)
	l.fail(ErrCodeHallDown, MsgHallDown, false)
}

func (l *Loop) refused(tap uint64, err error) {
	if !l.current(tap, StepIssuing) {
		return
	}
	if l.st.checkin {
		l.refusedCheckIn(err)
		return
	}
	l.log.Error("kiosk: the hall refused the ticket", "service", l.st.serviceID(), "err", err)
	l.fail(ErrCodeRefused, MsgRefused, false)
}

// issued shows the ticket and prints it.
func (l *Loop) issued(tap uint64, is Issued) {
	s := &l.st
	if !l.current(tap, StepIssuing) {
		// Only a tap abandoned while retrying gets here.
		l.log.Warn("kiosk: a ticket was issued for a tap the visitor abandoned; nobody holds it",
			"number", is.Ticket.Number, "ticket", is.Ticket.ID)
		return
	}
	s.card, s.group = nil, nil // the hall has what it needs; the kiosk keeps nothing
	s.cancelIssue = nil
	if s.service == nil { // a check-in: the booking named the service
		if sv, ok := s.info.Service(is.Ticket.ServiceID); ok {
			s.service = &sv
		} else {
			s.service = &ServiceInfo{Service: queue.Service{ID: is.Ticket.ServiceID, Name: is.Ticket.ServiceID}}
		}
	}
	s.hall.OK, s.hall.Message = true, ""
	t := is.Ticket
	pt := PaperTicket(s.info, is)
	tv := &TicketView{
		ID: t.ID, Number: t.Number, Service: s.service.Name, Counter: pt.Counter, Location: pt.Location,
		Ahead: is.Ahead, Issued: t.IssuedAt, Replayed: is.Replayed, Note: pt.Note,
	}
	if c, ok := s.info.priorityClass(t.Priority); ok {
		tv.Priority = c.Name
	}
	if _, _, named := whereCounters(s.info, t); len(named) > 0 {
		tv.CounterPinyin = make([]string, len(named))
		for i, c := range named {
			tv.CounterPinyin[i] = c.Pinyin
		}
	}
	s.ticket = tv
	l.log.Info("kiosk: ticket issued", "number", t.Number, "ticket", t.ID, "service", t.ServiceID,
		"priority", t.Priority, "target", t.TargetCounter, "replayed", is.Replayed)
	l.to(StepPrinting, 0)
	l.workers.Add(1)
	go func() { // the menu's waiting counts now include this ticket
		defer l.workers.Done()
		l.fetchInfo(l.runCtx)
	}()
	l.workers.Add(1)
	go func() {
		defer l.workers.Done()
		// Not the tap's context: once issued, the ticket is printed even
		// if the visitor walks away.
		st, err := l.opts.Printer.Print(l.runCtx, pt)
		pending := len(l.opts.Printer.Pending())
		l.post(l.runCtx, func() { l.printed(tap, st, err, pending) })
	}()
}

// PaperTicket lays out a ticket the desk issued for the printer: where
// to go (the counter of first-visit routing, or the counters that take
// the service), the priority, the case's code and QR. The kiosk prints it;
// so does the service desk's printer on the server.
func PaperTicket(info HallInfo, is Issued) printer.Ticket {
	t := is.Ticket
	counter, location := where(info, t)
	issued := t.IssuedAt
	if info.Location != nil {
		issued = issued.In(info.Location)
	}
	pt := printer.Ticket{
		Hall:     info.Name,
		Number:   t.Number,
		Counter:  counter,
		Location: location,
		Ahead:    is.Ahead,
		Issued:   issued,
		Visitor:  t.Visitor.MaskedName,
		Footer:   Footer,
		CaseCode: t.CaseCode,
		CaseURL:  is.CaseURL,
	}
	if sv, ok := info.Service(t.ServiceID); ok {
		pt.Service = sv.Name
	}
	if c, ok := info.priorityClass(t.Priority); ok {
		pt.Priority = c.Name + "优先"
	}
	switch {
	case !t.Appointment.IsZero():
		at := t.Appointment
		if info.Location != nil {
			at = at.In(info.Location)
		}
		pt.Note = AppointmentNote + at.Format("15:04")
		if counter != "" {
			pt.Note += "，请到" + counter
		}
	case t.TargetCounter != "" && counter != "":
		pt.Note = FirstVisitNote + counter
	}
	return pt
}

func (l *Loop) printed(tap uint64, st printer.Status, err error, pending int) {
	s := &l.st
	if !l.current(tap, StepPrinting) {
		return
	}
	wait := l.opts.TicketShow
	if err != nil {
		zh := printerAdvice(err)
		s.ticket.PrintProblem = zh
		wait *= 2 // time to note the number
		if errors.Is(err, spool.ErrPending) {
			l.log.Warn("kiosk: ticket issued but not printed; kept to print when the printer is fixed",
				"number", s.ticket.Number, "err", err, "pending", pending)
			s.printer = PrinterStatus{OK: false, Message: zh, Pending: pending}
		} else {
			// The ticket itself cannot be printed (a bug, not the printer).
			l.log.Error("kiosk: ticket issued but cannot be printed", "number", s.ticket.Number, "err", err)
		}
	} else {
		s.ticket.Printed = true
		s.printer = PrinterStatus{OK: true, Warning: st.Warning(), Pending: pending}
	}
	l.to(StepTicket, wait)
}

// printerAdvice is the Chinese sentence for a printer problem.
func printerAdvice(err error) string {
	zh, _ := printer.Advice(err)
	return zh
}

// isUnavailable reports whether err is the hall's "cannot commit now".
func isUnavailable(err error) bool {
	return errors.Is(err, queue.ErrUnavailable)
}

// priorityClass returns the priority class of that id.
func (h HallInfo) priorityClass(id string) (queue.PriorityClass, bool) {
	for _, c := range h.Priority {
		if id != "" && c.ID == id {
			return c, true
		}
	}
	return queue.PriorityClass{}, false
}
