package kiosk

import (
	"context"

	"yiting/printer"
	"yiting/printer/spool"
)

// Printer prints tickets and keeps those it could not print; a
// *spool.Spool over a *printer.Driver is one. Print returns an error
// matching spool.ErrPending (and the printer's cause: printer.ErrPaperOut,
// printer.ErrCoverOpen …) when the ticket was kept to print later, and
// printer.ErrInvalidTicket when it can never be printed. Methods are safe
// for concurrent use.
type Printer interface {
	Print(ctx context.Context, t printer.Ticket) (printer.Status, error)
	// Pending returns the tickets kept for printing later.
	Pending() []spool.Job
}

var _ Printer = (*spool.Spool)(nil)

// Signals are the kiosk's lights and sounds: the panel's status LED and
// buzzer (package kiosk/panel). The loop calls them from its own goroutine;
// they must not block.
type Signals interface {
	// Fault is called with true when the kiosk cannot serve every visitor
	// (reader offline, printer fault, hall unreachable) and with false when
	// it can again.
	Fault(on bool)
	// CardRead is called when a card was read, to beep.
	CardRead()
}
