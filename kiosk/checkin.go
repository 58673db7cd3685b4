package kiosk

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"yiting/kiosk/idcard"
	"yiting/queue"
)

// 预约签到: a visitor who booked a time (queue/booking) taps the ID card, or
// types the booking code, and gets an appointment ticket for the booked
// counter or room, printed like any ticket. Too early, the screen says
// when to come back; too late, the booking has lapsed: either way the
// visitor may take a walk-in ticket from the menu. The hall decides
// everything (booking.Diary.Arrive, through the one desk); the kiosk keeps
// nothing once the screen returns to the start.

// Appointer checks a visitor in; the Desk implements it when the hall
// takes appointments (kiosk/local, kiosk/hallclient). Errors are as
// Issue's: ErrUnreachable or queue.ErrUnavailable when a retry with the
// same key may succeed, else *queue.Error (queue.ErrNotFound: no booking
// of today; queue.ErrConflict: already checked in; queue.ErrTooMany: the
// device keeps guessing).
type Appointer interface {
	Arrive(ctx context.Context, a Arrival) (CheckIn, error)
}

// Arrival is the card read, or the code typed, with the tap's key.
type Arrival struct {
	Card           *idcard.Identity
	Code           string
	IdempotencyKey string
}

// CheckIn is the hall's answer: the appointment ticket, or (Issued nil)
// what to tell a visitor who is too early or too late.
type CheckIn struct {
	Issued  *Issued
	Message string
}

// What the kiosk says during 预约签到.
const (
	MsgCheckIn     = "请将身份证放在感应区，或输入预约码签到"
	MsgCheckingIn  = "正在签到，请稍候"
	MsgNoBooking   = "没有找到您今天的预约，请核对预约码，或取普通号"
	MsgCheckInBusy = "签到查询过于频繁，请稍后再试，或到服务台咨询"
)

// Error codes of 预约签到.
const (
	ErrCodeNoBooking = "no_booking"      // no booking of today for that card or code
	ErrCodeCheckIn   = "checkin_refused" // early, lapsed or already checked in: the message says
)

// ErrNoAppointments is returned by CheckIn when the desk takes no
// appointments; ErrBadBookingCode by CheckInCode for input that cannot be
// a code.
var (
	ErrNoAppointments = errors.New("kiosk: this desk takes no appointments")
	ErrBadBookingCode = errors.New("kiosk: not a booking code")
)

var bookingCodeInput = regexp.MustCompile(`^[2-9A-HJ-NP-Z]{4}-?[2-9A-HJ-NP-Z]{4}$`)

// notice is an early or lapsed check-in: not an error of the hall, the
// message to show.
type notice struct{ msg string }

func (n *notice) Error() string { return "kiosk: check-in: " + n.msg }

// CheckIn is the 预约签到 tile: the kiosk waits for a card or a code. It
// returns ErrNoAppointments when the desk takes none, ErrBusy while a
// ticket is being issued or printed, or ErrStopped.
func (l *Loop) CheckIn(ctx context.Context) error {
	errc := make(chan error, 1)
	if err := l.exec(ctx, func() { errc <- l.checkIn() }); err != nil {
		return err
	}
	return <-errc
}

// CheckInCode checks in with a typed booking code, in the check-in step.
// It returns ErrBadBookingCode for input that cannot be one, ErrBusy
// outside the step, or ErrStopped.
func (l *Loop) CheckInCode(ctx context.Context, code string) error {
	code = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), " ", ""))
	if !bookingCodeInput.MatchString(code) {
		return ErrBadBookingCode
	}
	errc := make(chan error, 1)
	if err := l.exec(ctx, func() {
		if l.st.step != StepCheckIn {
			errc <- ErrBusy
			return
		}
		l.startCheckIn(nil, code)
		errc <- nil
	}); err != nil {
		return err
	}
	return <-errc
}

func (l *Loop) checkIn() error {
	s := &l.st
	if _, ok := l.opts.Desk.(Appointer); !ok || !s.info.Appointments {
		return ErrNoAppointments
	}
	switch s.step {
	case StepIdle, StepChoose, StepTicket, StepError, StepCases, StepWaitCard, StepInquiry, StepCheckIn:
	default:
		return ErrBusy
	}
	l.idle()
	s.checkin = true
	l.to(StepCheckIn, l.opts.CardWait)
	return nil
}

// startCheckIn asks the hall with the card or the code, retried like a
// ticket while the hall cannot be reached, with one key.
func (l *Loop) startCheckIn(card *idcard.Identity, code string) {
	s := &l.st
	s.tap++
	s.service, s.card, s.visitor = nil, nil, nil
	if card != nil {
		s.visitor = l.visitorView(card)
	}
	a := Arrival{Card: card, Code: code, IdempotencyKey: newKey()}
	ap := l.opts.Desk.(Appointer)
	l.to(StepIssuing, 0)
	ctx, cancel := context.WithCancel(l.runCtx)
	s.cancelIssue = cancel
	tap := s.tap
	l.workers.Add(1)
	go l.attempt(ctx, cancel, tap, func(ctx context.Context) (Issued, error) {
		ci, err := ap.Arrive(ctx, a)
		switch {
		case err != nil:
			return Issued{}, err
		case ci.Issued == nil:
			return Issued{}, &notice{msg: ci.Message}
		}
		return *ci.Issued, nil
	})
}

// refusedCheckIn shows why a check-in gave no ticket.
func (l *Loop) refusedCheckIn(err error) {
	var n *notice
	switch {
	case errors.As(err, &n):
		l.log.Info("kiosk: check-in gave no ticket", "message", n.msg)
		l.fail(ErrCodeCheckIn, n.msg, false)
	case errors.Is(err, queue.ErrNotFound):
		l.fail(ErrCodeNoBooking, MsgNoBooking, false)
	case errors.Is(err, queue.ErrTooMany):
		l.fail(ErrCodeInquiryLimit, MsgCheckInBusy, false)
	case errors.Is(err, queue.ErrConflict), errors.Is(err, queue.ErrInvalid):
		msg, _, _ := strings.Cut(queue.ErrorMessage(err), " (") // the Chinese sentence, without its English gloss
		l.fail(ErrCodeCheckIn, msg, false)
	default:
		l.log.Error("kiosk: the hall refused the check-in", "err", err)
		l.fail(ErrCodeRefused, MsgRefused, false)
	}
}
