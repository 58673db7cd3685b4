package booking

import (
	"context"
	"fmt"
	"time"

	"yiting/queue"
	"yiting/queue/cases"
)

// SweepEvery is how often Run marks no-shows and sends reminders.
const SweepEvery = time.Minute

// Run does the diary's background work until ctx ends: every SweepEvery
// it marks no-shows and sends the reminders due. Errors are logged and
// retried at the next sweep. The caller starts it in one goroutine and
// waits for it before closing the store.
func (d *Diary) Run(ctx context.Context) {
	tick := time.NewTicker(SweepEvery)
	defer tick.Stop()
	for {
		if n, err := d.NoShows(ctx); err != nil && ctx.Err() == nil {
			d.log.Error("appointment no-show sweep failed", "err", err)
		} else if n > 0 {
			d.log.Info("appointments not kept", "noshows", n)
		}
		if n, err := d.Remind(ctx); err != nil && ctx.Err() == nil {
			d.log.Error("appointment reminders failed", "err", err)
		} else if n > 0 {
			d.log.Info("appointment reminders sent", "reminders", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// NoShows marks every booked party whose window has passed (Policy.Late
// after the slot's start) without a check-in a no-show, with an event
// each; it looks back a week, so a hall that was switched off over a
// weekend settles them when it starts. It returns how many.
func (d *Diary) NoShows(ctx context.Context) (int, error) {
	now := d.now()
	today := cases.DateOf(now, d.hall.Location)
	var due []string
	err := d.store.EachBooking(ctx, today.AddDays(-7), today, func(b *Booking) error {
		if b.Active() && now.After(b.Start.Add(d.file.Policy.Late)) && b.has(PartyBooked) {
			due = append(due, b.ID)
		}
		return nil
	})
	if err != nil || len(due) == 0 {
		return 0, err
	}
	return run(ctx, d, func(tx *queue.Tx) (int, error) {
		n := 0
		for _, id := range due {
			b, err := d.get(ctx, tx, id)
			if err != nil {
				return 0, err
			}
			if !b.Active() || !tx.Now().After(b.Start.Add(d.file.Policy.Late)) {
				continue
			}
			for i := range b.Parties {
				if pt := &b.Parties[i]; pt.Status == PartyBooked {
					pt.Status, pt.At = PartyNoShow, tx.Now()
					d.save(tx, &Write{Booking: b}, "system", "noshow", i+1, "")
					n++
				}
			}
		}
		return n, nil
	})
}

func (b *Booking) has(s PartyStatus) bool {
	for _, pt := range b.Parties {
		if pt.Status == s {
			return true
		}
	}
	return false
}

// Remind sends the reminders of tomorrow's bookings once the day's
// RemindAt has passed, each once: a party is marked reminded in a
// committed transaction before its message goes to the notifier, so a
// restart never sends it twice; a failure the notifier reports clears the
// mark (and records why) for the next sweep to try again. A party without
// a phone number gets none. It returns how many went out.
func (d *Diary) Remind(ctx context.Context) (int, error) {
	now := d.now()
	today := cases.DateOf(now, d.hall.Location)
	if now.Before(today.Start(d.hall.Location).Add(d.file.Policy.RemindAt)) {
		return 0, nil
	}
	type claim struct {
		id    string
		party int
	}
	var due []claim
	err := d.store.EachBooking(ctx, today+1, today+1, func(b *Booking) error {
		for i, pt := range b.Parties {
			if b.Active() && pt.Status == PartyBooked && pt.Reminded.IsZero() && len(pt.SealedPhone) > 0 {
				due = append(due, claim{b.ID, i})
			}
		}
		return nil
	})
	if err != nil || len(due) == 0 {
		return 0, err
	}
	// Claim them all in one transaction, then send outside the writer.
	claimed, err := run(ctx, d, func(tx *queue.Tx) ([]*Booking, error) {
		var out []*Booking
		for _, c := range due {
			b, err := d.get(ctx, tx, c.id)
			if err != nil {
				return nil, err
			}
			pt := &b.Parties[c.party]
			if !b.Active() || pt.Status != PartyBooked || !pt.Reminded.IsZero() || cases.DateOf(b.Start, d.hall.Location) != today+1 {
				continue
			}
			pt.Reminded, pt.RemindErr = tx.Now(), ""
			d.save(tx, &Write{Booking: b}, "system", "reminded", c.party+1, "")
			out = append(out, b.clone())
		}
		return out, nil
	})
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, b := range claimed {
		for i, pt := range b.Parties {
			if pt.Reminded.IsZero() || pt.Status != PartyBooked {
				continue
			}
			r, err := d.reminder(b, i)
			if err == nil {
				err = d.notifier.Remind(ctx, r)
			}
			if err != nil {
				d.log.Error("appointment reminder not sent; trying again at the next sweep", "booking", b.ID, "party", i+1, "err", err)
				d.unclaim(ctx, b.ID, i, err)
				continue
			}
			sent++
		}
	}
	return sent, nil
}

// unclaim clears a reminder's mark after the notifier failed.
func (d *Diary) unclaim(ctx context.Context, id string, i int, cause error) {
	_, err := run(ctx, d, func(tx *queue.Tx) (bool, error) {
		b, err := d.get(ctx, tx, id)
		if err != nil {
			return false, err
		}
		b.Parties[i].Reminded, b.Parties[i].RemindErr = time.Time{}, truncate(cause.Error(), 200)
		tx.Write(bookingKey(b.ID), &Write{Booking: b})
		return true, nil
	})
	if err != nil {
		d.log.Error("appointment reminder: clearing the mark failed", "booking", id, "err", err)
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// reminder builds a party's reminder, opening the phone and the code.
func (d *Diary) reminder(b *Booking, i int) (Reminder, error) {
	pt := b.Parties[i]
	phone, err := d.open(b, i, "phone", pt.SealedPhone)
	if err != nil {
		return Reminder{}, err
	}
	code, err := d.open(b, i, "code", pt.SealedCode)
	if err != nil {
		return Reminder{}, err
	}
	v := d.View(b)
	where := v.Room
	if where == "" {
		if sv, ok := d.hall.Service(b.ServiceID); ok {
			where = sv.Name
		}
	}
	at := b.Start.In(d.hall.Location)
	text := fmt.Sprintf("【%s】%s，您预约了%s %s的%s，请提前到大厅自助机刷身份证或输入预约码%s签到。如需改约，请至少提前%s办理。",
		d.hall.Name, pt.MaskedName, at.Format("01月02日"), at.Format("15:04"), where, FormatCode(code), Spoken(d.file.Policy.Cutoff))
	return Reminder{Booking: b.ID, Party: i + 1, Phone: phone, MaskedName: pt.MaskedName, Plan: v.PlanName, Room: v.Room,
		Start: b.Start, Code: FormatCode(code), Text: text}, nil
}
