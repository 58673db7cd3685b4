package booking

import (
	"context"
	"log/slog"
	"time"
)

// Reminder is the day-before reminder of one booked person. It carries
// what an SMS needs — the phone number and the code are the visitor's own
// — so a Notifier must not log them.
type Reminder struct {
	Booking    string // the booking's id
	Party      int    // 1-based
	Phone      string // full number, for the gateway only
	MaskedName string
	Plan       string // the plan's name
	Room       string // the counter or room, "" for a service
	Start      time.Time
	Code       string // the party's booking code, formatted
	Text       string // the message, Chinese, with the code
}

// Notifier sends reminders: an SMS gateway is what a hall connects. Remind
// returns an error when the message could not be handed over; the diary
// then tries again at its next sweep. It must not block longer than ctx.
type Notifier interface {
	Remind(ctx context.Context, r Reminder) error
}

// LogNotifier is the shipped notifier: it writes that a reminder is due to
// the log, with the masked name only — never the phone number or the code.
type LogNotifier struct{ Log *slog.Logger }

var _ Notifier = LogNotifier{}

// Remind implements Notifier.
func (n LogNotifier) Remind(_ context.Context, r Reminder) error {
	n.Log.Info("appointment reminder (no SMS gateway configured)", "booking", r.Booking, "party", r.Party,
		"name", r.MaskedName, "plan", r.Plan, "start", r.Start)
	return nil
}
