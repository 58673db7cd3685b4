package local

import (
	"context"

	"yiting/kiosk"
	"yiting/queue/cases"
)

var _ kiosk.Inquirer = (*Desk)(nil)

// Inquire is 查询进度: the hall's answer (cases.Book.InquireAtKiosk) for
// the card read or the code and the ID number's last four.
func (d *Desk) Inquire(ctx context.Context, q kiosk.Inquiry) ([]kiosk.CaseStatus, error) {
	ki := cases.KioskInquiry{Code: q.Code, IDLast4: q.IDLast4}
	if q.Card != nil {
		ki.IDNumber = q.Card.Number
	}
	vs, err := d.cases.InquireAtKiosk(ctx, d.p, ki)
	if err != nil {
		return nil, err
	}
	out := make([]kiosk.CaseStatus, len(vs))
	for i, v := range vs {
		out[i] = kiosk.CaseStatus{Code: v.Code, Type: v.TypeName, Status: v.StatusName, NextStep: v.NextStep,
			Contact: v.Contact, Location: v.Location, Unit: v.Unit, MaskedName: v.MaskedName}
		if v.Due != nil {
			out[i].Due = &kiosk.CaseDue{Name: v.Due.WhichName, Date: v.Due.Date.String(), State: v.Due.State}
		}
	}
	return out, nil
}
