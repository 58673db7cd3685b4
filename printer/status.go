package printer

import (
	"errors"
	"fmt"

	"yiting/printer/escpos"
)

// Conditions that stop a ticket. Test for them with errors.Is.
var (
	ErrPaperOut    = errors.New("printer: paper out")
	ErrCoverOpen   = errors.New("printer: cover open")
	ErrOffline     = errors.New("printer: offline")
	ErrCutter      = errors.New("printer: cutter error")
	ErrFault       = errors.New("printer: printer error (head overheated or unrecoverable fault)")
	ErrTimeout     = errors.New("printer: no reply from the printer")
	ErrInterrupted = errors.New("printer: ticket interrupted after bytes were sent")
	ErrClosed      = errors.New("printer: driver closed")
)

// Status is the printer state read before (and after) a ticket. Known is
// false when the printer gave no status (a USB printer-class device that
// cannot be read, with Opts.StatusOptional).
type Status struct {
	escpos.Status
	Known bool
}

// Warning returns a warning for staff that does not stop printing (paper
// near end), in Chinese, or "".
func (s Status) Warning() string {
	if s.Known && s.PaperNearEnd && !s.PaperOut {
		return "打印纸即将用完，请及时更换纸卷"
	}
	return ""
}

// Err returns the error for a condition that stops printing, or nil. When
// several hold, the one staff must fix first wins: cover, paper, cutter,
// fault, offline.
func (s Status) Err() error {
	if !s.Known {
		return nil
	}
	var err error
	switch {
	case s.CoverOpen:
		err = ErrCoverOpen
	case s.PaperOut:
		err = ErrPaperOut
	case s.CutterError:
		err = ErrCutter
	case s.Unrecoverable || s.AutoRecoverable:
		err = ErrFault
	case s.Offline:
		err = ErrOffline
	default:
		return nil
	}
	return &StatusError{Status: s, Err: err}
}

// StatusError is a printer condition that stopped a ticket, with the full
// status read from the printer.
type StatusError struct {
	Status Status
	Err    error // one of ErrCoverOpen, ErrPaperOut, ErrCutter, ErrFault, ErrOffline
}

func (e *StatusError) Error() string { return e.Err.Error() }
func (e *StatusError) Unwrap() error { return e.Err }

// InterruptedError says a ticket failed after some of its bytes reached the
// printer: it may be partly printed and must be reprinted, marked as such.
// errors.Is(err, ErrInterrupted) holds, and so does errors.Is for the cause
// (ErrPaperOut, ErrTimeout, ...).
type InterruptedError struct {
	Sent  int // bytes written before the failure
	Total int // bytes of the ticket
	Err   error
}

func (e *InterruptedError) Error() string {
	return fmt.Sprintf("printer: ticket interrupted after %d of %d bytes: %v", e.Sent, e.Total, e.Err)
}

// Unwrap returns the cause.
func (e *InterruptedError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrInterrupted) true.
func (e *InterruptedError) Is(target error) bool { return target == ErrInterrupted }

// Advice returns what to tell people about err: a Chinese sentence for the
// kiosk and staff, and an English one for the installer and the log.
func Advice(err error) (zh, en string) {
	switch {
	case err == nil:
		return "打印机正常", "printer ready"
	case errors.Is(err, ErrCoverOpen):
		return "打印机盖未关好，请合上打印机盖", "printer cover is open: close the cover"
	case errors.Is(err, ErrPaperOut):
		return "打印机缺纸，请装入新纸卷", "printer is out of paper: load a new roll"
	case errors.Is(err, ErrCutter):
		return "打印机切刀故障，请检查切刀是否卡纸", "printer cutter error: check the cutter for jammed paper"
	case errors.Is(err, ErrFault):
		return "打印机故障（打印头过热或硬件错误），请稍候或重启打印机", "printer error (head overheated or hardware fault): wait or power-cycle the printer"
	case errors.Is(err, ErrOffline):
		return "打印机离线，请检查电源和连接线", "printer is offline: check its power and cable"
	case errors.Is(err, ErrTimeout):
		return "打印机无响应，请检查电源、连接线和波特率", "printer does not answer: check power, cable and baud rate"
	case errors.Is(err, ErrInvalidTicket):
		return "凭条内容有误，无法打印", "ticket cannot be printed as given"
	}
	return "打印机出错，请联系工作人员", "printer error: " + err.Error()
}
