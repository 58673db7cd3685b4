package kiosk

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"time"

	"yiting/kiosk/idcard"
	"yiting/queue"
)

// 查询进度: a visitor who lost the ticket (and its QR code) taps the ID
// card, or enters the case code with the last four characters of the ID
// number, and sees the matters' progress. The hall decides what may be
// shown (cases.Book.InquireAtKiosk: a code alone is not enough); the kiosk
// keeps nothing of it once the screen returns to the start.

// Inquirer finds a visitor's cases; the Desk implements it when the hall
// offers 查询进度 (kiosk/local, kiosk/hallclient). Errors are as Issue's:
// ErrUnreachable when the hall cannot be asked, else *queue.Error
// (queue.ErrNotFound for a code and digits that do not match,
// queue.ErrTooMany when the device asks too fast).
type Inquirer interface {
	Inquire(ctx context.Context, q Inquiry) ([]CaseStatus, error)
}

// Inquiry is the card read, or a case code and the ID number's last four.
type Inquiry struct {
	Card    *idcard.Identity
	Code    string
	IDLast4 string
}

// CaseStatus is one matter as the kiosk's screen shows it: what the
// public inquiry page shows, without the visitor's messages. Its JSON is
// the API's (POST /api/v1/kiosk/inquiry).
type CaseStatus struct {
	Code       string   `json:"code"`
	Type       string   `json:"type_name"`
	Status     string   `json:"status_name"`
	NextStep   string   `json:"next_step"`
	Due        *CaseDue `json:"due,omitempty"`
	Contact    string   `json:"contact,omitempty"` // the window or room to go to
	Location   string   `json:"location,omitempty"`
	Unit       string   `json:"unit,omitempty"`
	MaskedName string   `json:"masked_name,omitempty"`
}

// CaseDue is a matter's pending time limit.
type CaseDue struct {
	Name  string `json:"which_name"` // 受理期限, 办理期限
	Date  string `json:"date"`       // 2026-12-18
	State string `json:"state"`      // ok, soon, overdue
}

// InquiryView is the result on screen.
type InquiryView struct {
	Cases []CaseStatus `json:"cases"`
}

// What the kiosk says during 查询进度.
const (
	MsgInquiry       = "请将身份证放在感应区，或输入案件码查询"
	MsgInquiring     = "正在查询，请稍候"
	MsgCases         = "您正在办理的事项"
	MsgNoCases       = "没有查到您正在办理的事项"
	MsgInquiryLimit  = "查询过于频繁，请稍后再试，或到服务台咨询"
	MsgInquiryNoCase = "没有查到这个事项，请核对案件码和身份证号码后四位"
)

// ErrNoInquiry is returned by Inquire when the desk offers no 查询进度.
var ErrNoInquiry = errors.New("kiosk: this desk offers no inquiry")

// Errors of InquireCode's input, before the hall is asked.
var (
	ErrBadCode  = errors.New("kiosk: not a case code")
	ErrBadLast4 = errors.New("kiosk: not the last four characters of an ID number")
)

var (
	codeInput  = regexp.MustCompile(`^[0-9]{6}(?:[0-9]{3})?-?[0-9]{8}-?[0-9]{4}-?[0-9X]$`)
	last4Input = regexp.MustCompile(`^[0-9]{3}[0-9X]$`)
)

// codeDigits is how many characters a case code of the hall's region has
// without its dashes (queue/cases.Code): the region's 6 or 9 digits, the
// day's 8, the sequence's 4 and the check character.
func codeDigits(region string) int {
	if len(region) == 9 {
		return 22
	}
	return 19
}

// Inquire is the 查询进度 tile: the kiosk waits for a card or a code. It
// returns ErrNoInquiry when the desk offers none (the page then shows how
// to scan the ticket's QR code), ErrBusy while a ticket is being issued or
// printed, or ErrStopped.
func (l *Loop) Inquire(ctx context.Context) error {
	errc := make(chan error, 1)
	if err := l.exec(ctx, func() { errc <- l.inquire() }); err != nil {
		return err
	}
	return <-errc
}

// InquireCode asks for a case by code and the ID number's last four, in
// the inquiry step. It returns ErrBadCode or ErrBadLast4 for input that
// cannot be right, ErrBusy outside the inquiry step, or ErrStopped.
func (l *Loop) InquireCode(ctx context.Context, code, last4 string) error {
	code = strings.ToUpper(strings.TrimSpace(code))
	last4 = strings.ToUpper(strings.TrimSpace(last4))
	switch {
	case !codeInput.MatchString(code):
		return ErrBadCode
	case !last4Input.MatchString(last4):
		return ErrBadLast4
	}
	errc := make(chan error, 1)
	if err := l.exec(ctx, func() {
		if l.st.step != StepInquiry {
			errc <- ErrBusy
			return
		}
		l.startInquiry(Inquiry{Code: code, IDLast4: last4})
		errc <- nil
	}); err != nil {
		return err
	}
	return <-errc
}

func (l *Loop) inquire() error {
	s := &l.st
	if _, ok := l.opts.Desk.(Inquirer); !ok {
		return ErrNoInquiry
	}
	switch s.step {
	case StepIdle, StepChoose, StepTicket, StepError, StepCases, StepWaitCard, StepInquiry:
	default:
		return ErrBusy
	}
	if !s.reader.OK {
		// The code still works; the screen says the reader does not.
		l.log.Info("kiosk: inquiry with the reader offline")
	}
	l.idle()
	s.inquiry = true
	l.to(StepInquiry, l.opts.CardWait)
	return nil
}

// inquiryTimeout bounds one inquiry: the visitor is waiting in front of
// the screen.
const inquiryTimeout = 15 * time.Second

// startInquiry asks the hall; the card goes with the request and is not
// kept.
func (l *Loop) startInquiry(q Inquiry) {
	s := &l.st
	s.tap++
	tap := s.tap
	s.cases = nil
	l.to(StepInquiring, 0)
	in := l.opts.Desk.(Inquirer)
	l.workers.Add(1)
	go func() {
		defer l.workers.Done()
		ctx, cancel := context.WithTimeout(l.runCtx, inquiryTimeout)
		defer cancel()
		cs, err := in.Inquire(ctx, q)
		l.post(l.runCtx, func() { l.inquired(tap, cs, err) })
	}()
}

func (l *Loop) inquired(tap uint64, cs []CaseStatus, err error) {
	s := &l.st
	if !l.current(tap, StepInquiring) {
		return
	}
	switch {
	case err == nil:
		s.cases = cs
		if s.cases == nil {
			s.cases = []CaseStatus{}
		}
		l.to(StepCases, l.opts.CasesShow)
	case errors.Is(err, queue.ErrNotFound):
		l.fail(ErrCodeNoCase, MsgInquiryNoCase, false)
	case errors.Is(err, queue.ErrTooMany):
		l.fail(ErrCodeInquiryLimit, MsgInquiryLimit, false)
	case errors.Is(err, ErrUnreachable), isUnavailable(err), errors.Is(err, context.DeadlineExceeded):
		l.log.Warn("kiosk: inquiry: hall unreachable", "err", err)
		l.fail(ErrCodeHallDown, MsgHallDown, false)
	default:
		l.log.Warn("kiosk: inquiry refused", "err", err)
		l.fail(ErrCodeRefused, MsgRefused, false)
	}
}
