package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"yiting/queue"
	"yiting/queue/booking"
	"yiting/queue/cases"
)

// Managing the appointment plans (booking.Diary.SetPlan and the rest):
// admins and supervisors change a plan's values, close and reopen a day,
// add, remove and restore a plan. The diary refuses everyone else
// (EFORBIDDEN: staff book in the plans, devices get nothing), and a change
// that would strand bookings with 409 conflict saying how many and where.
func (a *API) appointmentPlanRoutes(v1 *gin.RouterGroup) {
	v1.POST("/appointments/plans", a.authed(a.appointmentPlanAdd))
	v1.PUT("/appointments/plans/:plan", a.authed(a.appointmentPlanSet))
	v1.DELETE("/appointments/plans/:plan", a.authed(a.appointmentPlanRemove))
	v1.POST("/appointments/plans/:plan/restore", a.authed(a.appointmentPlanRestore))
	v1.POST("/appointments/plans/:plan/close", a.authed(a.appointmentDayClose))
	v1.POST("/appointments/plans/:plan/reopen", a.authed(a.appointmentDayReopen))
}

// planValuesBody is a plan's values as planJSON shows them.
type planValuesBody struct {
	Days     []string `json:"days"`  // "Mon" … "Sun"
	Hours    []string `json:"hours"` // "09:00-11:30"
	Length   int      `json:"length_minutes"`
	Capacity int      `json:"capacity"`
	WalkIn   int      `json:"walk_in"`
}

// valuesBody is a request body that holds a plan's values.
type valuesBody interface {
	values() (booking.PlanValues, error)
}

// decodeValues decodes a body holding a plan's values into b and returns
// them; false when it answered the error.
func (a *API) decodeValues(c *gin.Context, b valuesBody) (booking.PlanValues, bool) {
	if !a.decode(c, b) {
		return booking.PlanValues{}, false
	}
	v, err := b.values()
	if err != nil {
		a.fail(c, err)
		return v, false
	}
	return v, true
}

func (b *planValuesBody) values() (booking.PlanValues, error) {
	v := booking.PlanValues{Length: time.Duration(b.Length) * time.Minute, Capacity: b.Capacity, WalkIn: b.WalkIn}
	for _, d := range b.Days {
		wd, ok := weekdayOf(d)
		if !ok {
			return v, invalid("开放日应为 Mon、Tue … Sun：" + d + " (bad day)")
		}
		v.Weekdays = append(v.Weekdays, wd)
	}
	for _, h := range b.Hours {
		pd, ok := periodOf(h)
		if !ok {
			return v, invalid("开放时间应为“09:00-11:30”这样的时间段：" + h + " (bad hours)")
		}
		v.Periods = append(v.Periods, pd)
	}
	return v, nil
}

func weekdayOf(s string) (time.Weekday, bool) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if strings.EqualFold(s, d.String()[:3]) {
			return d, true
		}
	}
	return 0, false
}

func periodOf(s string) (booking.Period, bool) {
	from, to, ok := strings.Cut(s, "-")
	a, err1 := time.Parse("15:04", strings.TrimSpace(from))
	b, err2 := time.Parse("15:04", strings.TrimSpace(to))
	if !ok || err1 != nil || err2 != nil {
		return booking.Period{}, false
	}
	since := func(t time.Time) time.Duration {
		return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute
	}
	return booking.Period{From: since(a), To: since(b)}, true
}

// answerPlan answers with one plan, or the error of the command.
func (a *API) answerPlan(c *gin.Context, status int) func(booking.PlanInfo, error) {
	return func(pi booking.PlanInfo, err error) {
		if err != nil {
			a.fail(c, err)
			return
		}
		writeJSON(c, status, struct {
			Plan planJSON `json:"plan"`
		}{planInfoOut(pi)})
	}
}

// appointmentPlanAdd: POST /appointments/plans — a plan added on the page.
func (a *API) appointmentPlanAdd(c *gin.Context, p queue.Principal) {
	if !a.diaryReady(c) {
		return
	}
	var b struct {
		planValuesBody
		ID      string `json:"id"`
		Name    string `json:"name"`
		Service string `json:"service"`
		Counter string `json:"counter"`
		Public  bool   `json:"public"`
	}
	v, ok := a.decodeValues(c, &b)
	if !ok {
		return
	}
	pl := booking.Plan{ID: b.ID, Name: b.Name, ServiceID: b.Service, CounterID: b.Counter, Public: b.Public,
		Weekdays: v.Weekdays, Periods: v.Periods, Length: v.Length, Capacity: v.Capacity, WalkIn: v.WalkIn}
	a.answerPlan(c, http.StatusCreated)(a.diary.AddPlan(c.Request.Context(), p, pl))
}

// appointmentPlanSet: PUT /appointments/plans/:plan — a plan's values.
func (a *API) appointmentPlanSet(c *gin.Context, p queue.Principal) {
	if !a.diaryReady(c) {
		return
	}
	var b planValuesBody
	v, ok := a.decodeValues(c, &b)
	if !ok {
		return
	}
	a.answerPlan(c, http.StatusOK)(a.diary.SetPlan(c.Request.Context(), p, c.Param("plan"), v))
}

func (a *API) appointmentPlanRemove(c *gin.Context, p queue.Principal) {
	if !a.diaryReady(c) {
		return
	}
	a.answerPlan(c, http.StatusOK)(a.diary.RemovePlan(c.Request.Context(), p, c.Param("plan")))
}

func (a *API) appointmentPlanRestore(c *gin.Context, p queue.Principal) {
	if !a.diaryReady(c) {
		return
	}
	a.answerPlan(c, http.StatusOK)(a.diary.RestorePlan(c.Request.Context(), p, c.Param("plan")))
}

type closeDayBody struct {
	Day    string `json:"day"`
	Reason string `json:"reason"`
}

func (a *API) closeDayBody(c *gin.Context) (closeDayBody, cases.Date, bool) {
	var b closeDayBody
	if !a.decode(c, &b) {
		return b, 0, false
	}
	day, err := cases.ParseDate(b.Day)
	if err != nil {
		a.fail(c, invalid("day 应为 2026-01-31 (day must be a date)"))
		return b, 0, false
	}
	return b, day, true
}

// appointmentDayClose: POST /appointments/plans/:plan/close — a day of a
// plan closed, with a reason.
func (a *API) appointmentDayClose(c *gin.Context, p queue.Principal) {
	if !a.diaryReady(c) {
		return
	}
	if b, day, ok := a.closeDayBody(c); ok {
		a.answerPlan(c, http.StatusOK)(a.diary.CloseDay(c.Request.Context(), p, c.Param("plan"), day, b.Reason))
	}
}

func (a *API) appointmentDayReopen(c *gin.Context, p queue.Principal) {
	if !a.diaryReady(c) {
		return
	}
	if _, day, ok := a.closeDayBody(c); ok {
		a.answerPlan(c, http.StatusOK)(a.diary.ReopenDay(c.Request.Context(), p, c.Param("plan"), day))
	}
}
