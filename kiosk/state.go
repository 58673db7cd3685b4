package kiosk

import (
	"context"
	"errors"
	"reflect"
	"time"

	"yiting/kiosk/idcard"
)

// state is the loop's memory, owned by Run's goroutine.
type state struct {
	step     Step
	since    time.Time
	deadline time.Time // zero: the step waits for an event

	service *ServiceInfo
	card    *idcard.Identity   // held from the read until the ticket is issued, never longer
	group   []*idcard.Identity // a group visit's cards, held like card
	// groupNote says why the last card of a group visit was refused.
	groupNote string
	groupOK   bool // the chosen service offers a group visit
	visitor   *VisitorView
	priority  string // class id
	ticket    *TicketView
	err       *ErrorView
	retrying  bool
	inquiry   bool         // 查询进度: a card read is an inquiry, not a ticket
	cases     []CaseStatus // in step cases
	checkin   bool         // 预约签到: a card read checks in, not a ticket

	tap         uint64             // the current tap's number; results of older taps are stale
	cancelIssue context.CancelFunc // stops the current tap's retries
	// readingMuted ignores reading notices until then: a reader that
	// reads a card lying on it again and again (some clones do) must not
	// keep the screen on 请不要移动.
	readingMuted time.Time

	info    HallInfo
	menu    []Category
	hall    HallView
	reader  DeviceStatus
	printer PrinterStatus
	fault   bool // what Signals was last told
}

// view renders the state.
func (s *state) view(seq uint64) View {
	v := View{
		Seq:      seq,
		Step:     s.step,
		Since:    s.since,
		Deadline: s.deadline,
		Retrying: s.retrying,
		Visitor:  s.visitor,
		Error:    s.err,
		Hall:     s.hall,
		Menu:     s.menu,
		Devices:  Devices{Reader: s.reader, Printer: s.printer},
	}
	if s.ticket != nil {
		// A copy: the loop marks its ticket printed while a page encodes
		// the view it was given.
		t := *s.ticket
		v.Ticket = &t
	}
	if s.service != nil {
		v.Service = &ServiceView{ID: s.service.ID, Name: s.service.Name, NeedsID: s.service.NeedsID, Group: s.groupOK}
	}
	switch s.step {
	case StepIdle:
		v.Message = MsgIdle
	case StepWaitCard:
		v.Message = MsgWaitCard
	case StepReading:
		v.Message = MsgReading
	case StepChoose:
		v.Message = MsgChoose
		if s.visitor != nil && s.visitor.MaskedName != "" {
			v.Message = s.visitor.MaskedName + "，" + MsgChoose
		}
	case StepIssuing:
		v.Message = MsgIssuing
		if s.checkin {
			v.Message = MsgCheckingIn
		}
		if s.retrying {
			v.Message = MsgMaintenance
		}
	case StepPrinting:
		v.Message = MsgPrinting
	case StepTicket:
		v.Message = MsgTakeTicket
		if s.ticket != nil && !s.ticket.Printed {
			v.Message = MsgNotPrinted
		}
	case StepError:
		if s.err != nil {
			v.Message = s.err.Message
		}
	case StepGroup:
		v.Message = s.groupMessage()
		v.Group = s.groupView()
	case StepInquiry:
		v.Message = MsgInquiry
	case StepCheckIn:
		v.Message = MsgCheckIn
	case StepInquiring:
		v.Message = MsgInquiring
	case StepCases:
		v.Message = MsgCases
		if len(s.cases) == 0 {
			v.Message = MsgNoCases
		}
		v.Inquiry = &InquiryView{Cases: s.cases}
	}
	return v
}

// serviceID is the chosen service's id, "" for a check-in (the booking
// names the service).
func (s *state) serviceID() string {
	if s.service == nil {
		return ""
	}
	return s.service.ID
}

// viewEqual reports whether two views show the same, whatever their Seq.
func viewEqual(a, b View) bool {
	a.Seq, b.Seq = 0, 0
	return reflect.DeepEqual(a, b)
}

// to enters a step; wait > 0 sets its timeout.
func (l *Loop) to(step Step, wait time.Duration) {
	s := &l.st
	s.step = step
	s.since = l.now()
	s.deadline = time.Time{}
	if wait > 0 {
		s.deadline = s.since.Add(wait)
	}
	if step != StepError {
		s.err = nil
	}
	if step != StepIssuing {
		s.retrying = false
	}
}

// idle forgets the visitor and shows the menu.
func (l *Loop) idle() {
	s := &l.st
	s.service, s.card, s.visitor, s.priority, s.ticket = nil, nil, nil, "", nil
	s.group, s.groupNote, s.groupOK = nil, "", false
	s.inquiry, s.cases, s.checkin = false, nil, false
	s.cancelIssue = nil
	l.to(StepIdle, 0)
}

// fail shows a failure. The chosen service is kept when keepService, so a
// card placed again goes on with it.
func (l *Loop) fail(code, msg string, keepService bool) {
	s := &l.st
	svc := s.service
	l.idle()
	if keepService {
		s.service = svc
	}
	l.to(StepError, l.opts.ErrorShow)
	s.err = &ErrorView{Code: code, Message: msg}
}

func (l *Loop) choose(id string) error {
	s := &l.st
	svc, ok := s.info.Service(id)
	if !ok {
		return ErrUnknownService
	}
	switch s.step {
	case StepIdle, StepTicket, StepError:
		l.idle() // a new visitor, or this one starting over
	case StepWaitCard:
		// Another service before the card: take it instead.
	case StepChoose:
		card := s.card
		if !svc.NeedsID {
			// A service that needs no card issues an anonymous ticket even
			// to a visitor who tapped one: nobody should stay away from
			// counselling for fear of being registered.
			card = nil
		}
		var cards []*idcard.Identity
		if card != nil {
			cards = []*idcard.Identity{card}
		}
		l.startIssue(svc, cards)
		return nil
	default:
		return ErrBusy
	}
	if !svc.NeedsID {
		l.startIssue(svc, nil)
		return nil
	}
	if !s.reader.OK {
		l.fail(ErrCodeReaderOffline, MsgReaderOffline, false)
		return nil
	}
	s.service = &svc
	s.groupOK = l.groupOffered(svc)
	l.to(StepWaitCard, l.opts.CardWait)
	return nil
}

func (l *Loop) back() error {
	s := &l.st
	switch s.step {
	case StepPrinting:
		return ErrBusy
	case StepIssuing:
		if !s.retrying {
			return ErrBusy
		}
		// The hall could not be reached and the visitor gives up. If an
		// attempt did reach it, a ticket exists that nobody holds: it will
		// be a no-show.
		l.log.Warn("kiosk: visitor left while the hall was unreachable; a ticket may have been issued that nobody holds",
			"tap", s.tap, "service", s.serviceID())
		s.cancelIssue()
	}
	l.idle()
	return nil
}

func (l *Loop) reading() {
	s := &l.st
	now := l.now()
	if now.Before(s.readingMuted) {
		return
	}
	switch s.step {
	case StepIdle, StepWaitCard, StepInquiry, StepCheckIn:
	case StepError:
		if s.err.Code != ErrCodeUnreadable {
			return
		}
	default:
		return
	}
	l.to(StepReading, l.opts.ReadWait)
}

// card handles an event of the card reader.
func (l *Loop) card(ev idcard.Event) {
	s := &l.st
	busy := s.step == StepIssuing || s.step == StepPrinting
	// waiting: the visitor chose a service and this card is for it.
	waiting := s.service != nil && (s.step == StepWaitCard || s.step == StepReading || s.step == StepError)
	if s.step == StepGroup && ev.Kind != idcard.EventReady && ev.Kind != idcard.EventOffline {
		l.groupCard(ev) // a representative's card
		return
	}
	switch ev.Kind {
	case idcard.EventReading:
		l.reading()
	case idcard.EventReady:
		s.reader = DeviceStatus{OK: true}
		if s.step == StepError && s.err.Code == ErrCodeReaderOffline {
			l.idle()
		}
	case idcard.EventOffline:
		l.log.Warn("kiosk: card reader offline", "err", ev.Err)
		s.reader = DeviceStatus{OK: false, Message: "读卡器离线，请检查连接线和电源"}
		if s.step == StepWaitCard || s.step == StepReading || s.step == StepGroup {
			l.fail(ErrCodeReaderOffline, MsgReaderOffline, false)
		}
	case idcard.EventUnreadable:
		if busy {
			return
		}
		l.log.Info("kiosk: card unreadable", "err", ev.Err)
		l.fail(ErrCodeUnreadable, MsgUnreadable, waiting)
	case idcard.EventExpired:
		l.beep()
		if busy {
			return
		}
		l.log.Info("kiosk: expired card refused", "event", ev)
		l.fail(ErrCodeExpired, MsgExpired, false)
	case idcard.EventCard:
		l.beep()
		if busy || s.step == StepInquiring {
			l.log.Info("kiosk: card ignored while a ticket is being issued", "event", ev)
			return
		}
		s.readingMuted = time.Time{}
		if s.inquiry && (s.step == StepInquiry || s.step == StepReading) {
			l.startInquiry(Inquiry{Card: ev.Identity})
			return
		}
		if s.checkin && (s.step == StepCheckIn || s.step == StepReading) {
			l.startCheckIn(ev.Identity, "")
			return
		}
		if waiting {
			l.startIssue(*s.service, []*idcard.Identity{ev.Identity})
			return
		}
		// Card first: keep it and let the visitor choose.
		l.idle()
		s.card = ev.Identity
		s.visitor = l.visitorView(ev.Identity)
		l.to(StepChoose, l.opts.ChooseWait)
	}
}

func (l *Loop) beep() {
	if l.opts.Signals != nil {
		l.opts.Signals.CardRead()
	}
}

// expire ends a step whose time is up.
func (l *Loop) expire() {
	s := &l.st
	if s.deadline.IsZero() || l.now().Before(s.deadline) {
		return
	}
	switch s.step {
	case StepReading:
		// The read never finished (a reader re-reading a card it already
		// delivered, or a card pulled away): go back, and ignore such
		// notices for a while.
		s.readingMuted = l.now().Add(6 * l.opts.ReadWait)
		if s.inquiry {
			l.to(StepInquiry, l.opts.CardWait)
			return
		}
		if s.checkin {
			l.to(StepCheckIn, l.opts.CardWait)
			return
		}
		if s.service != nil {
			l.to(StepWaitCard, l.opts.CardWait)
			return
		}
		l.idle()
	default:
		l.idle()
	}
}

func (l *Loop) gotInfo(info HallInfo, err error) {
	s := &l.st
	if err != nil {
		if s.hall.OK {
			l.log.Warn("kiosk: hall unreachable", "err", err)
		}
		s.hall.OK, s.hall.Message = false, MsgMaintenance
		return
	}
	if !s.hall.OK && s.info.Name != "" {
		l.log.Info("kiosk: hall reachable again")
	}
	s.info = info
	s.menu = menu(info.Services)
	_, appointer := l.opts.Desk.(Appointer)
	s.hall = HallView{Name: info.Name, Day: info.Day, OK: true, Duty: info.Duty, Appointments: appointer && info.Appointments,
		CodeDigits: codeDigits(info.Region)}
}

func (l *Loop) printerChecked(res PrinterCheckResult, pending int) {
	s := &l.st
	ps := PrinterStatus{OK: res.Err == nil, Warning: res.Warning, Pending: pending}
	if res.Err != nil {
		ps.Message = printerAdvice(res.Err)
		if s.printer.OK {
			l.log.Warn("kiosk: printer fault; staff must fix it", "err", res.Err, "pending", pending)
		}
	}
	if ps.Warning != "" && s.printer.Warning == "" {
		l.log.Warn("kiosk: printer warning", "warning", ps.Warning)
	}
	s.printer = ps
}

// transient reports whether a failed issue may succeed when retried with
// the same key.
func transient(ctx context.Context, err error) bool {
	if errors.Is(err, ErrUnreachable) {
		return true
	}
	if isUnavailable(err) {
		return true
	}
	// The attempt's own timeout (not the tap's end): the hall may have
	// issued it; the retry with the same key finds out.
	return errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil
}
