package local

import (
	"context"
	"errors"
	"fmt"

	"yiting/kiosk"
	"yiting/queue"
	"yiting/queue/booking"
	"yiting/queue/cases"
	"yiting/queue/rota"
)

// Opts configures a Desk. Engine and Cases are required.
type Opts struct {
	Engine *queue.Engine
	// Cases is the hall's desk: it issues every ticket (cases.Book.Issue).
	Cases *cases.Book
	// Principal issues the tickets; the zero value means the in-process
	// kiosk, {Role: kiosk, ID: "local"}.
	Principal queue.Principal
	// Rota says who receives today; nil: no duty-only service is offered.
	Rota *rota.Rota
	// Diary checks booked visitors in (预约签到); nil: the hall takes no
	// appointments.
	Diary *booking.Diary
}

// Desk is the hall server's desk for the kiosk in its own process.
type Desk struct {
	eng   *queue.Engine
	cases *cases.Book
	rota  *rota.Rota
	diary *booking.Diary
	p     queue.Principal
}

var _ kiosk.Desk = (*Desk)(nil)

// New returns the in-process desk.
func New(opts Opts) (*Desk, error) {
	if opts.Engine == nil || opts.Cases == nil {
		return nil, errors.New("local: Opts.Engine and Opts.Cases are required")
	}
	d := &Desk{eng: opts.Engine, cases: opts.Cases, rota: opts.Rota, diary: opts.Diary, p: opts.Principal}
	if d.p.Role == "" {
		d.p = queue.Principal{ID: "local", Name: "本机自助取号机", Role: queue.RoleKiosk}
	}
	return d, nil
}

// Info returns the hall's configuration with today's waiting counts and
// duty rota. It fails only when the rota cannot be read.
func (d *Desk) Info(ctx context.Context) (kiosk.HallInfo, error) {
	hall := d.eng.Hall()
	st := d.eng.State()
	info := kiosk.HallInfo{
		Name:         hall.Name,
		Region:       hall.RegionCode,
		Day:          st.Day,
		Location:     hall.Location,
		Counters:     hall.Counters,
		Priority:     hall.Priority.Classes,
		Appointments: d.diary != nil && len(d.diary.Config().Plans) > 0,
	}
	waiting := make(map[string]int, len(st.Services))
	for _, q := range st.Services {
		waiting[q.ServiceID] = q.Waiting
	}
	today := map[string]string{}
	if d.rota != nil {
		es, err := d.rota.Today(ctx)
		if err != nil {
			return kiosk.HallInfo{}, fmt.Errorf("%w: the duty rota: %v", kiosk.ErrUnreachable, err)
		}
		info.Duty, today = rota.Lines(es)
	}
	for _, s := range hall.Services {
		info.Services = append(info.Services, kiosk.ServiceInfo{Service: s, Waiting: waiting[s.ID], Today: today[s.ID]})
	}
	return info, nil
}

// Issue hands the tap to the desk. Errors are the desk's (*queue.Error).
func (d *Desk) Issue(ctx context.Context, req kiosk.Request) (kiosk.Issued, error) {
	dr := cases.IssueRequest{ServiceID: req.ServiceID, IdempotencyKey: req.IdempotencyKey}
	for _, h := range req.Holders() {
		dr.Persons = append(dr.Persons, cases.Person{IDNumber: h.IDNumber, Name: h.Name, Address: h.Address, CardType: h.CardType, Birth: h.Birth})
	}
	is, err := d.cases.Issue(ctx, d.p, dr)
	if err != nil {
		return kiosk.Issued{}, err
	}
	return kiosk.Issued{Ticket: is.Ticket, Ahead: is.Ahead, Replayed: is.Replayed, CaseURL: is.CaseURL}, nil
}
