package local

import (
	"context"

	"yiting/kiosk"
	"yiting/queue"
	"yiting/queue/booking"
	"yiting/queue/cases"
)

var _ kiosk.Appointer = (*Desk)(nil)

// Arrive is 预约签到: the diary's check-in (booking.Diary.Arrive) for the
// card read or the code typed. Without a diary the hall takes no bookings:
// ENOTFOUND.
func (d *Desk) Arrive(ctx context.Context, a kiosk.Arrival) (kiosk.CheckIn, error) {
	if d.diary == nil {
		return kiosk.CheckIn{}, queue.Errorf(queue.ENOTFOUND, "本中心未开放预约 (no appointments)")
	}
	req := booking.ArriveRequest{Code: a.Code, IdempotencyKey: a.IdempotencyKey}
	if a.Card != nil {
		h := kiosk.Request{Card: a.Card}.Holders()[0]
		req.Person = &cases.Person{IDNumber: h.IDNumber, Name: h.Name, Address: h.Address, CardType: h.CardType, Birth: h.Birth}
	}
	ar, err := d.diary.Arrive(ctx, d.p, req)
	if err != nil {
		return kiosk.CheckIn{}, err
	}
	ci := kiosk.CheckIn{Message: ar.Message}
	if ar.Outcome == booking.OutcomeIssued {
		is := ar.Issued
		ci.Issued = &kiosk.Issued{Ticket: is.Ticket, Ahead: is.Ahead, Replayed: is.Replayed, CaseURL: is.CaseURL}
	}
	return ci, nil
}
