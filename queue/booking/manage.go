package booking

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"yiting/queue"
	"yiting/queue/cases"
)

// Managing the plans on the appointments page (issue 16, item 1): admins
// and supervisors change a plan's days, hours, slot length, capacity and
// places kept for walk-ins, close a day or reopen it, add a plan or
// remove one. Each change is one command on the engine's writer with its
// event (a booking step of the plan, with what changed: the event log is
// the audit trail) and takes effect for the next command, without a
// restart.
//
// A change never drops a booking silently: one that would leave an active
// booking of a slot not yet begun without its slot (hours, days, length,
// a closed day, a removed plan) or a slot with more bookings than its new
// bookable places is refused, saying how many bookings and which slots;
// staff move or cancel them first (the bookings' list on the same page),
// then change the plan.

// PlanValues are the values of a plan the page sets.
type PlanValues struct {
	Weekdays []time.Weekday
	Periods  []Period
	Length   time.Duration
	Capacity int
	WalkIn   int
}

// checkKeeper: admins and supervisors manage the plans; staff book in
// them, devices neither.
func checkKeeper(p queue.Principal) error {
	if p.Role == queue.RoleAdmin || p.Role == queue.RoleSupervisor {
		return nil
	}
	return queue.Errorf(queue.EFORBIDDEN, "只有管理员和督导人员可以管理预约时段 (admins and supervisors only)")
}

// SetPlan sets the values of a plan in effect. On a plan of the hall
// file, a value equal to the file's follows the file again. Errors:
// ENOTFOUND for no such plan; EINVALID for a bad value or no change;
// ECONFLICT when bookings would lose their slot.
func (d *Diary) SetPlan(ctx context.Context, p queue.Principal, id string, v PlanValues) (PlanInfo, error) {
	return d.editPlan(ctx, p, id, "plan_changed", func(st *planState, e *Edit, _ time.Time) (string, error) {
		old, ok := st.plan(id)
		if !ok {
			return "", noPlan(id)
		}
		v.Weekdays = sortedDays(v.Weekdays)
		if e.Plan != nil {
			pl := *e.Plan
			pl.Weekdays, pl.Periods, pl.Length, pl.Capacity, pl.WalkIn = v.Weekdays, v.Periods, v.Length, v.Capacity, v.WalkIn
			e.Plan = &pl
		} else {
			fp, _ := d.file.Plan(id)
			e.Weekdays = unless(v.Weekdays, slices.Equal(v.Weekdays, fp.Weekdays))
			e.Periods = unless(v.Periods, slices.Equal(v.Periods, fp.Periods))
			e.Length = unless(v.Length, v.Length == fp.Length)
			e.Capacity = unless(&v.Capacity, v.Capacity == fp.Capacity)
			e.WalkIn = unless(&v.WalkIn, v.WalkIn == fp.WalkIn)
		}
		fp, _ := d.file.Plan(id)
		nw := e.over(fp)
		if err := checkPlan(d.hall, nw, "plan"); err != nil {
			return "", planInvalid(err)
		}
		change := describe(old, nw)
		if change == "" {
			return "", queue.Errorf(queue.EINVALID, "与现在的设置相同，没有更改 (nothing changed)")
		}
		return change, nil
	})
}

// unless is v, or the zero value (the file's) when same.
func unless[T any](v T, same bool) T {
	if same {
		var zero T
		return zero
	}
	return v
}

// AddPlan adds a plan on the page: its id new, its service and room the
// hall's; a duty-only service's plan is a duty plan. Errors: EINVALID for
// a bad plan; ECONFLICT for an id in use (a removed plan's too).
func (d *Diary) AddPlan(ctx context.Context, p queue.Principal, pl Plan) (PlanInfo, error) {
	pl.Name = strings.TrimSpace(pl.Name)
	pl.Weekdays = sortedDays(pl.Weekdays)
	if sv, ok := d.hall.Service(pl.ServiceID); ok {
		pl.Duty = sv.DutyOnly
	}
	return d.editPlan(ctx, p, pl.ID, "plan_added", func(st *planState, e *Edit, _ time.Time) (string, error) {
		_, inFile := d.file.Plan(pl.ID)
		if _, edited := st.edits[pl.ID]; inFile || edited {
			return "", queue.Errorf(queue.ECONFLICT, "编号%q已被使用，请换一个 (the id is in use)", pl.ID)
		}
		if d.hall.AppointmentPrefix == "" {
			return "", queue.Errorf(queue.ECONFLICT, "本中心未设置预约号的字头，请先在配置文件 [appointments] 中设置 prefix (no appointment ticket prefix)")
		}
		if utf8.RuneCountInString(pl.Name) > 50 {
			return "", queue.Errorf(queue.EINVALID, "项目名称最多50字 (name too long)")
		}
		if err := checkPlan(d.hall, pl, "plan"); err != nil {
			return "", planInvalid(err)
		}
		e.Plan = &pl
		return "新增：" + pl.Name + "，" + summary(pl), nil
	})
}

// RemovePlan removes a plan: it takes no more bookings and leaves the
// pages. A plan of the hall file stays removed whatever the file says,
// until restored. Errors: ENOTFOUND; ECONFLICT while it has bookings to
// come.
func (d *Diary) RemovePlan(ctx context.Context, p queue.Principal, id string) (PlanInfo, error) {
	return d.editPlan(ctx, p, id, "plan_removed", func(st *planState, e *Edit, _ time.Time) (string, error) {
		pl, ok := st.plan(id)
		if !ok {
			return "", noPlan(id)
		}
		e.Removed = true
		return "停用：" + pl.Name, nil
	})
}

// RestorePlan puts a removed plan back with the values it had. Errors:
// ENOTFOUND for no removed plan of that id.
func (d *Diary) RestorePlan(ctx context.Context, p queue.Principal, id string) (PlanInfo, error) {
	return d.editPlan(ctx, p, id, "plan_restored", func(st *planState, e *Edit, _ time.Time) (string, error) {
		if !e.Removed {
			return "", queue.Errorf(queue.ENOTFOUND, "没有已停用的预约项目%q (no removed plan)", id)
		}
		e.Removed = false
		fp, _ := d.file.Plan(id)
		pl := e.over(fp)
		if err := checkPlan(d.hall, pl, "plan"); err != nil {
			return "", planInvalid(err)
		}
		return "恢复：" + pl.Name, nil
	})
}

// maxReason bounds a closed day's reason.
const maxReason = 100

// CloseDay closes a day of a plan (the leader is away): today or later,
// with a reason the booking pages show. Errors: ENOTFOUND; EINVALID for a
// past day, one beyond a year or no reason; ECONFLICT when the day is
// closed already or has bookings to come (move or cancel them first).
func (d *Diary) CloseDay(ctx context.Context, p queue.Principal, id string, day cases.Date, reason string) (PlanInfo, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > maxReason {
		return PlanInfo{}, queue.Errorf(queue.EINVALID, "请填写暂停原因（%d字以内），预约页面会显示 (a reason is required)", maxReason)
	}
	return d.editPlan(ctx, p, id, "day_closed", func(st *planState, e *Edit, now time.Time) (string, error) {
		pl, ok := st.plan(id)
		switch today := cases.DateOf(now, d.hall.Location); {
		case !ok:
			return "", noPlan(id)
		case day < today:
			return "", queue.Errorf(queue.EINVALID, "%s已过，不能暂停 (the day is past)", day)
		case day > today.AddDays(366):
			return "", queue.Errorf(queue.EINVALID, "只能暂停一年以内的日期 (at most a year ahead)")
		}
		if _, ok := e.closure(day); ok {
			return "", queue.Errorf(queue.ECONFLICT, "%s %s已经暂停预约 (already closed)", pl.Name, day)
		}
		e.Closed = append(e.Closed, Closure{Day: day, Reason: reason, By: actorOf(p), At: now})
		slices.SortFunc(e.Closed, func(a, b Closure) int { return int(a.Day) - int(b.Day) })
		return "暂停 " + day.String() + "：" + reason, nil
	})
}

// ReopenDay reopens a day closed on the page. Errors: ENOTFOUND for no
// such plan or closed day.
func (d *Diary) ReopenDay(ctx context.Context, p queue.Principal, id string, day cases.Date) (PlanInfo, error) {
	return d.editPlan(ctx, p, id, "day_reopened", func(st *planState, e *Edit, _ time.Time) (string, error) {
		if _, ok := st.plan(id); !ok {
			return "", noPlan(id)
		}
		if _, ok := e.closure(day); !ok {
			return "", queue.Errorf(queue.ENOTFOUND, "%s没有暂停预约 (the day is not closed)", day)
		}
		e.Closed = slices.DeleteFunc(e.Closed, func(c Closure) bool { return c.Day == day })
		return "恢复 " + day.String(), nil
	})
}

// editPlan runs one change of a plan's edit on the writer: fn changes the
// edit and says what changed; the bookings the change would strand refuse
// it; the edit, the plans in effect for the rest of the batch and the
// event go into the batch.
func (d *Diary) editPlan(ctx context.Context, p queue.Principal, id, step string, fn func(st *planState, e *Edit, now time.Time) (string, error)) (PlanInfo, error) {
	if err := checkKeeper(p); err != nil {
		return PlanInfo{}, err
	}
	var change string
	next, err := run(ctx, d, func(tx *queue.Tx) (*planState, error) {
		st, err := d.stateIn(ctx, tx)
		if err != nil {
			return nil, err
		}
		now := tx.Now()
		e := Edit{ID: id}
		if old, ok := st.edits[id]; ok {
			e = old.clone()
		}
		if change, err = fn(st, &e, now); err != nil {
			return nil, err
		}
		today := cases.DateOf(now, d.hall.Location)
		e.Closed = slices.DeleteFunc(e.Closed, func(c Closure) bool { return c.Day < today })
		e.At, e.By = now, actorOf(p)
		edits := maps.Clone(st.edits)
		edits[id] = e
		next := d.stateOf(edits, st.version+1)
		if err := d.checkStranded(ctx, tx, st, next, id); err != nil {
			return nil, err
		}
		tx.Write(planKey(id), &PlanWrite{Edit: e})
		tx.Keep(plansKey, next)
		pl, ok := next.plan(id)
		if !ok {
			pl, _ = st.plan(id)
		}
		tx.EmitBooking(actorOf(p), queue.BookingStep{Step: step, Plan: id, Service: pl.ServiceID, Counter: pl.CounterID, Change: change})
		return next, nil
	})
	if err != nil {
		return PlanInfo{}, err
	}
	d.publish(next)
	d.log.Info("appointment plan "+step, "plan", id, "change", change, "actor", p.Actor())
	return d.info(next, id), nil
}

func planKey(id string) string { return "booking plan " + id }

// checkStranded refuses a change that leaves bookings of slots not yet
// begun without their slot or beyond their slot's bookable places.
func (d *Diary) checkStranded(ctx context.Context, tx *queue.Tx, st, next *planState, id string) error {
	old, had := st.plan(id)
	if !had {
		return nil // a new plan, or a removed one restored: no bookings
	}
	nw, has := next.plan(id)
	now := tx.Now()
	loc := d.hall.Location
	today := cases.DateOf(now, loc)
	last := today.AddDays(d.file.Policy.Horizon + 1)
	counts := map[int64]int{}
	err := d.store.EachTaken(ctx, id, now, last.Start(loc), func(start time.Time, n int) error {
		counts[start.Unix()] = n
		return nil
	})
	if err != nil {
		return err
	}
	// Bookings made or moved earlier in this batch are not in the store
	// yet: their slots' counts are pending, at the old plan's starts.
	for day := today; day <= last; day++ {
		if !old.runsOn(day.Weekday()) {
			continue
		}
		midnight := day.Start(loc)
		for _, s := range old.starts() {
			start := clockAt(midnight, s, loc)
			if v, ok := tx.Pending(slotKey(id, start)); ok {
				counts[start.Unix()] = v.(int)
			}
		}
	}
	type lost struct {
		start time.Time
		n     int
	}
	var strand []lost
	total := 0
	for unix, n := range counts {
		start := time.Unix(unix, 0).In(loc)
		if n <= 0 || !start.After(now) {
			continue
		}
		keep := 0
		if has && next.fits(nw, start, loc) {
			keep = nw.Bookable()
		}
		if n > keep {
			strand = append(strand, lost{start, n - keep})
			total += n - keep
		}
	}
	if total == 0 {
		return nil
	}
	slices.SortFunc(strand, func(a, b lost) int { return a.start.Compare(b.start) })
	var where []string
	for i, l := range strand {
		if i == 5 {
			where = append(where, fmt.Sprintf("等%d个时段", len(strand)))
			break
		}
		where = append(where, fmt.Sprintf("%s %d个", l.start.Format("01月02日 15:04"), l.n))
	}
	return &queue.Error{Code: queue.ECONFLICT, Err: &StrandedError{Bookings: total, Slots: len(strand)},
		Message: fmt.Sprintf("此项更改会使%d个已有预约失去时段或超出名额（%s），请先为这些预约改约或取消，再修改 (the change would strand %d bookings)",
			total, strings.Join(where, "，"), total)}
}

// StrandedError is inside the ECONFLICT of a change of a plan refused
// because of the bookings it would strand.
type StrandedError struct {
	Bookings int // how many bookings
	Slots    int // in how many slots
}

func (e *StrandedError) Error() string {
	return fmt.Sprintf("booking: the change would strand %d bookings in %d slots", e.Bookings, e.Slots)
}

// fits reports whether start is still a slot of p on its day (the week's
// days, the closed days and the hours; the calendar and the duty rota do
// not change with a plan).
func (st *planState) fits(p Plan, start time.Time, loc *time.Location) bool {
	day := cases.DateOf(start, loc)
	if !p.runsOn(day.Weekday()) {
		return false
	}
	if _, closed := st.closure(p.ID, day); closed {
		return false
	}
	return slices.Contains(p.starts(), start.Sub(clockAt(day.Start(loc), 0, loc)))
}

// planInvalid says a plan's check in Chinese, for the page.
func planInvalid(err error) error {
	var ve *queue.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	field := ve.Field[strings.LastIndex(ve.Field, ".")+1:]
	field, _, _ = strings.Cut(field, "[")
	zh := map[string]string{
		"id":       "编号只能用字母、数字、- 和 _",
		"name":     "请填写项目名称",
		"service":  "请选择本中心的一项服务",
		"counter":  "所选窗口或接访室不办理这项服务",
		"duty":     "领导接访按值班表预约，须选择一个接访室",
		"days":     "请至少选择一个开放日",
		"length":   "每个时段应为5分钟至8小时",
		"capacity": "每个时段的名额应为1至1000",
		"walk_in":  "留给现场的名额应少于每个时段的名额",
		"hours":    "开放时间应为“09:00-11:30”这样的时间段，按先后排列、互不重叠，每段至少容纳一个时段",
	}[field]
	if zh == "" {
		return err
	}
	return &queue.Error{Code: queue.EINVALID, Message: zh + " (" + ve.Error() + ")", Err: ve}
}

// summary says a plan's values: "周一至周五 09:00-12:00，每60分钟1个名额".
func summary(p Plan) string {
	return DaysName(p.Weekdays) + " " + HoursName(p.Periods) + fmt.Sprintf("，每%s%d个名额（留现场%d个）", Spoken(p.Length), p.Capacity, p.WalkIn)
}

// describe says what changed from a to b, "" for nothing.
func describe(a, b Plan) string {
	var out []string
	add := func(name, x, y string) {
		if x != y {
			out = append(out, name+" "+x+"→"+y)
		}
	}
	add("开放日", DaysName(a.Weekdays), DaysName(b.Weekdays))
	add("开放时间", HoursName(a.Periods), HoursName(b.Periods))
	add("时段长度", Spoken(a.Length), Spoken(b.Length))
	add("名额", fmt.Sprint(a.Capacity), fmt.Sprint(b.Capacity))
	add("现场名额", fmt.Sprint(a.WalkIn), fmt.Sprint(b.WalkIn))
	return strings.Join(out, "；")
}

// dayNames are the weekdays in Chinese, Sunday first (time.Weekday).
var dayNames = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// DayName is a weekday in Chinese: "周一".
func DayName(d time.Weekday) string { return dayNames[d] }

// DaysName says a plan's days: "周一、周三、周五".
func DaysName(ds []time.Weekday) string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = DayName(d)
	}
	return strings.Join(out, "、")
}

// HoursName says a plan's periods: "09:00-11:30、14:30-16:30".
func HoursName(ps []Period) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = ClockName(p.From) + "-" + ClockName(p.To)
	}
	return strings.Join(out, "、")
}

// ClockName is a time of day since midnight: "09:30".
func ClockName(d time.Duration) string {
	m := int(d / time.Minute)
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// info is a plan of a state as the page shows it.
func (d *Diary) info(st *planState, id string) PlanInfo {
	if p, ok := st.plan(id); ok {
		return d.infoOf(st, p, false)
	}
	fp, ok := d.file.Plan(id)
	if e, edited := st.edits[id]; edited && (ok || e.Plan != nil) {
		fp, ok = e.over(fp), true
	}
	if !ok {
		return PlanInfo{}
	}
	return d.infoOf(st, fp, true)
}
