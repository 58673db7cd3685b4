package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"yiting/queue"
	"yiting/queue/booking"
	"yiting/queue/cases"
)

// The page that manages the appointment plans (/dashboard/appointments/plans,
// issue 16, item 1): admins and supervisors see each plan with a week of
// its slots and how full each is, change its days, hours, slot length,
// capacity and places kept for walk-ins, close a day or reopen it, remove
// a plan, restore one, add one. Each value says whether it is the hall
// file's or the page's (with the file's beside it). The page's script
// sends the changes to the API (booking.Diary.SetPlan and the rest); a
// change that would strand bookings comes back with how many and where.

type weekDay struct {
	Label, Closed string
	Slots         []slotLine
}

type planForm struct {
	ID, Name, Room, Changed string
	FromFile, Public, Duty  bool
	Days                    []option // Value "Mon"…, Selected: the plan's
	Hours                   string
	Length, Capacity        int
	WalkIn                  int
	Src                     map[string]string // booking.Field… → where the value comes from
	Week                    []weekDay
	Closed                  []closedDay
}

type closedDay struct{ Plan, Day, Reason, By string }

// weekOrder is the week from Monday, as a form lists it.
var weekOrder = []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday}

func dayOptions(on []time.Weekday) []option {
	out := make([]option, 0, 7)
	for _, d := range weekOrder {
		out = append(out, option{d.String()[:3], booking.DayName(d), slices.Contains(on, d)})
	}
	return out
}

func (p *Pages) slotsPage(w http.ResponseWriter, r *http.Request) {
	pr, ok := p.staffPage(w, r, queue.RoleSupervisor, queue.RoleAdmin)
	if !ok {
		return
	}
	if p.diary == nil {
		p.errorPage(w, http.StatusServiceUnavailable, "未开放预约", "配置文件中没有 [appointments] 预约设置。")
		return
	}
	today := cases.DateOf(p.now(), p.hall.Location)
	from, ok := p.dayParam(w, r, "from", today)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), casesTimeout)
	defer cancel()
	var plans []planForm
	var removed []option
	for _, pi := range p.diary.Plans() {
		if pi.Removed {
			removed = append(removed, option{pi.ID, pi.Name, false})
			continue
		}
		f, err := p.planForm(ctx, pi, from)
		if err != nil {
			p.casesFailed(w, r, err)
			return
		}
		plans = append(plans, f)
	}
	services := make([]option, 0, len(p.hall.Services))
	for _, s := range p.hall.Services {
		services = append(services, option{s.ID, s.Name, false})
	}
	counters := []option{{"", "任一办理该事项的窗口", true}}
	for _, c := range p.hall.Counters {
		counters = append(counters, option{c.ID, c.Name, false})
	}
	p.render(w, http.StatusOK, "slots.html", view{Title: "预约时段管理", Page: "slots", Body: struct {
		From, To, Prev, Next, Today string
		Plans                       []planForm
		Removed, Services, Counters []option
		NewDays                     []option
	}{from.String(), from.AddDays(6).String(), from.AddDays(-7).String(), from.AddDays(7).String(), today.String(), plans, removed,
		services, counters, dayOptions(weekOrder[:5])}, Data: struct {
		pageData
		Me principalData `json:"me"`
	}{p.data, principalOut(pr)}})
}

// planForm is a plan with its week from a day, for the page.
func (p *Pages) planForm(ctx context.Context, pi booking.PlanInfo, from cases.Date) (planForm, error) {
	f := planForm{ID: pi.ID, Name: pi.Name, Room: p.counterName(pi.CounterID), FromFile: pi.File != nil, Public: pi.Public, Duty: pi.Duty,
		Days: dayOptions(pi.Weekdays), Length: int(pi.Length / time.Minute), Capacity: pi.Capacity, WalkIn: pi.WalkIn,
		Src: map[string]string{}}
	f.Hours = strings.ReplaceAll(booking.HoursName(pi.Periods), "、", ", ")
	if pi.CounterID == "" {
		f.Room = p.serviceName(pi.ServiceID) + "（任一办理窗口）"
	}
	if !pi.At.IsZero() {
		f.Changed = p.when(pi.At) + " " + pi.By
	}
	for _, fld := range []string{booking.FieldDays, booking.FieldHours, booking.FieldLength, booking.FieldCapacity, booking.FieldWalkIn} {
		switch {
		case pi.File == nil:
			f.Src[fld] = "本页添加"
		case slices.Contains(pi.Edited, fld):
			f.Src[fld] = "本页修改（配置文件：" + fileValue(*pi.File, fld) + "）"
		default:
			f.Src[fld] = "配置文件"
		}
	}
	for _, c := range pi.Closed {
		f.Closed = append(f.Closed, closedDay{pi.ID, c.Day.String(), c.Reason, c.By})
	}
	for d := from; d < from.AddDays(7); d++ {
		slots, why, err := p.diary.Slots(ctx, pi.ID, d)
		if err != nil {
			return f, err
		}
		wd := weekDay{Label: fmt.Sprintf("%s %s", d.String()[5:], booking.DayName(d.Weekday())), Closed: why}
		for _, s := range slots {
			wd.Slots = append(wd.Slots, slotLine{Start: p.clock(s.Start), End: p.clock(s.End), StartISO: s.Start.Format(time.RFC3339),
				Capacity: s.Capacity, Bookable: s.Bookable, Taken: s.Taken, Free: s.Free})
		}
		f.Week = append(f.Week, wd)
	}
	return f, nil
}

// fileValue says a value of the hall file's plan.
func fileValue(p booking.Plan, field string) string {
	switch field {
	case booking.FieldDays:
		return booking.DaysName(p.Weekdays)
	case booking.FieldHours:
		return booking.HoursName(p.Periods)
	case booking.FieldLength:
		return booking.Spoken(p.Length)
	case booking.FieldCapacity:
		return fmt.Sprint(p.Capacity)
	case booking.FieldWalkIn:
		return fmt.Sprint(p.WalkIn)
	}
	return ""
}
