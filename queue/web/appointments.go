package web

import (
	"context"
	"net/http"
	"time"

	"yiting/queue"
	"yiting/queue/booking"
	"yiting/queue/cases"
)

// The appointments page (/dashboard/appointments): a day's slots of every
// plan with their places (capacity, kept for walk-ins, taken, free) —
// what admins and supervisors manage — and, for staff and supervisors,
// the day's bookings they work with cancel and move, and the form that
// books for a visitor at the desk or on the phone (the code is shown once,
// to be told to the visitor), and moves or cancels a booking (staff
// always may: no cut-off). The plans are those in effect (the hall file's
// [appointments] and the changes of /dashboard/appointments/plans); the
// page's script sends the changes to the API.

type slotLine struct {
	Start, End                      string
	StartISO                        string
	Capacity, Bookable, Taken, Free int
}

type planLine struct {
	ID, Name, Room, Closed string
	Public, Duty           bool
	WalkIn                 int
	Slots                  []slotLine
}

type bookingLine struct {
	ID, Start, End, Plan, Room, Channel, Parties, By, Note, Reason string
	PlanID, Day                                                    string
	Cancelled, CanChange                                           bool
}

func (p *Pages) appointmentsPage(w http.ResponseWriter, r *http.Request) {
	pr, ok := p.staffPage(w, r, queue.RoleSupervisor, queue.RoleAdmin, queue.RoleStaff)
	if !ok {
		return
	}
	if p.diary == nil || len(p.diary.Config().Plans) == 0 {
		p.errorPage(w, http.StatusServiceUnavailable, "未开放预约", "没有预约项目：配置文件中没有 [appointments]，或所有项目已在“预约时段管理”（/dashboard/appointments/plans）中停用。")
		return
	}
	today := cases.DateOf(p.now(), p.hall.Location)
	day, ok := p.dayParam(w, r, "day", today)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), casesTimeout)
	defer cancel()
	var plans []planLine
	var planOpts []option
	for _, pl := range p.diary.Config().Plans {
		line, err := p.planLine(ctx, pl, day)
		if err != nil {
			p.casesFailed(w, r, err)
			return
		}
		plans = append(plans, line)
		planOpts = append(planOpts, option{pl.ID, pl.Name, false})
	}
	var bookings []bookingLine
	if pr.Role != queue.RoleAdmin { // admins manage accounts, not visitors
		vs, err := p.diary.Day(ctx, pr, day)
		if err != nil {
			p.casesFailed(w, r, err)
			return
		}
		for _, v := range vs {
			bookings = append(bookings, p.bookingLine(v))
		}
	}
	p.render(w, http.StatusOK, "appointments.html", view{Title: "预约", Page: "appointments", Body: struct {
		Day, Today, Prev, Next string
		Plans                  []planLine
		PlanOptions            []option
		Bookings               []bookingLine
		CanBook, CanManage     bool
		Policy                 booking.Policy
	}{day.String(), today.String(), day.AddDays(-1).String(), day.AddDays(1).String(), plans, planOpts, bookings,
		pr.Role != queue.RoleAdmin, pr.Role != queue.RoleStaff, p.diary.Policy()}, Data: struct {
		pageData
		Me principalData `json:"me"`
	}{p.data, principalOut(pr)}})
}

// dayParam is the day of a query parameter, def without one; a bad one
// gets the error page.
func (p *Pages) dayParam(w http.ResponseWriter, r *http.Request, key string, def cases.Date) (cases.Date, bool) {
	q := r.URL.Query().Get(key)
	if q == "" {
		return def, true
	}
	d, err := cases.ParseDate(q)
	if err != nil {
		p.errorPage(w, http.StatusBadRequest, "日期有误", "日期应为 2026-01-31。")
		return 0, false
	}
	return d, true
}

// planLine is a plan's slots on a day, or why it is closed.
func (p *Pages) planLine(ctx context.Context, pl booking.Plan, day cases.Date) (planLine, error) {
	line := planLine{ID: pl.ID, Name: pl.Name, Room: p.counterName(pl.CounterID), Public: pl.Public, Duty: pl.Duty, WalkIn: pl.WalkIn}
	if pl.CounterID == "" {
		line.Room = p.serviceName(pl.ServiceID)
	}
	slots, why, err := p.diary.Slots(ctx, pl.ID, day)
	if err != nil {
		return line, err
	}
	line.Closed = why
	for _, s := range slots {
		line.Slots = append(line.Slots, slotLine{Start: p.clock(s.Start), End: p.clock(s.End), StartISO: s.Start.Format(time.RFC3339),
			Capacity: s.Capacity, Bookable: s.Bookable, Taken: s.Taken, Free: s.Free})
	}
	return line, nil
}

func (p *Pages) clock(t time.Time) string { return t.In(p.hall.Location).Format("15:04") }

// bookingLine is a booking as the pages list it: masked.
func (p *Pages) bookingLine(v booking.View) bookingLine {
	l := bookingLine{ID: v.ID, PlanID: v.Plan, Day: v.Day, Start: v.Start.In(p.hall.Location).Format("01-02 15:04"), End: p.clock(v.End), Plan: v.PlanName, Room: v.Room,
		Channel: v.Channel.Name(), By: v.By, Note: v.Note, Cancelled: v.Cancelled, Reason: v.Reason, CanChange: !v.Cancelled}
	for i, pt := range v.Parties {
		if i > 0 {
			l.Parties += "；"
		}
		l.Parties += pt.MaskedName + "（" + pt.StatusName
		if pt.Ticket != "" {
			l.Parties += " " + pt.Ticket
		}
		l.Parties += "）"
		if pt.Status != booking.PartyBooked {
			l.CanChange = false
		}
	}
	return l
}
