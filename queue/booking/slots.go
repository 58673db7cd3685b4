package booking

import (
	"context"
	"time"

	"yiting/queue"
	"yiting/queue/cases"
)

// Slot is one slot of a plan on a day with its places.
type Slot struct {
	Plan     string    `json:"plan"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Capacity int       `json:"capacity"`
	Bookable int       `json:"bookable"` // Capacity less the walk-in places
	Taken    int       `json:"taken"`
	Free     int       `json:"free"` // bookable places left
}

// Closed tells why a day has no slots of a plan, "" when it has.
func (d *Diary) closed(ctx context.Context, st *planState, p Plan, day cases.Date) (string, error) {
	if !p.runsOn(day.Weekday()) {
		return "该日不开放预约", nil
	}
	if c, ok := st.closure(p.ID, day); ok {
		return "该日暂停预约：" + c.Reason, nil
	}
	if !d.calendar().Workday(day) {
		return "节假日不办公", nil
	}
	if p.Duty {
		if d.duty == nil {
			return "该日没有安排领导接访", nil
		}
		counter, _, ok, err := d.duty.Receiving(ctx, day.String(), p.ServiceID)
		if err != nil {
			return "", err
		}
		if !ok || counter != p.CounterID {
			return "该日没有安排领导接访", nil
		}
	}
	return "", nil
}

// Slots lists a plan's slots on a day with their free places; none on a
// closed day (the weekday is not the plan's, a day closed on the page, a
// holiday of the calendar, a duty plan's day without its duty), with the
// reason in Chinese.
func (d *Diary) Slots(ctx context.Context, planID string, day cases.Date) ([]Slot, string, error) {
	st := d.current()
	p, ok := st.plan(planID)
	if !ok {
		return nil, "", noPlan(planID)
	}
	why, err := d.closed(ctx, st, p, day)
	if err != nil || why != "" {
		return nil, why, err
	}
	midnight := day.Start(d.hall.Location)
	var out []Slot
	for _, s := range p.starts() {
		start := clockAt(midnight, s, d.hall.Location)
		n, err := d.store.Taken(ctx, p.ID, start)
		if err != nil {
			return nil, "", err
		}
		out = append(out, Slot{Plan: p.ID, Start: start, End: start.Add(p.Length), Capacity: p.Capacity, Bookable: p.Bookable(),
			Taken: n, Free: max(p.Bookable()-n, 0)})
	}
	return out, "", nil
}

// clockAt is the local time of day since midnight (a wall clock time,
// right across a change of the zone's offset).
func clockAt(midnight time.Time, since time.Duration, loc *time.Location) time.Time {
	y, m, dd := midnight.In(loc).Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc).Add(since)
}

// checkSlot checks that start is a slot of the plan on an open day within
// the horizon, not past.
func (d *Diary) checkSlot(ctx context.Context, st *planState, p Plan, start time.Time, now time.Time) error {
	if start.IsZero() {
		return queue.Errorf(queue.EINVALID, "请选择预约时段 (a slot is required)")
	}
	day := cases.DateOf(start, d.hall.Location)
	if !start.After(now) {
		return queue.Errorf(queue.EINVALID, "该时段已过，请选择以后的时段 (the slot is past)")
	}
	if today := cases.DateOf(now, d.hall.Location); int(day-today) > d.file.Policy.Horizon {
		return queue.Errorf(queue.EINVALID, "只能预约%d天以内的时段 (at most %d days ahead)", d.file.Policy.Horizon, d.file.Policy.Horizon)
	}
	why, err := d.closed(ctx, st, p, day)
	if err != nil {
		return err
	}
	if why != "" {
		return queue.Errorf(queue.EINVALID, "%s：%s (the day is closed)", day, why)
	}
	since := start.Sub(clockAt(day.Start(d.hall.Location), 0, d.hall.Location))
	for _, s := range p.starts() {
		if s == since {
			return nil
		}
	}
	return queue.Errorf(queue.EINVALID, "%s 不是%s的预约时段 (not a slot of the plan)", start.In(d.hall.Location).Format("15:04"), p.Name)
}
