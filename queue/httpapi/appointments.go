package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"yiting/queue"
	"yiting/queue/booking"
	"yiting/queue/cases"
)

// The appointment diary (queue/booking). Staff and supervisors book for a
// visitor at the desk or by phone, a mediator schedules a session for a
// case, and they list, move and cancel; kiosks (and staff) check a visitor
// in. Devices get nothing else: no plans, no lists, no bookings. Visitors
// book on the public pages (queue/web), not here. Every answer shows
// bookings masked; a code appears only in the answer of the booking that
// made it, to be told to the visitor.
func (a *API) appointmentRoutes(v1 *gin.RouterGroup) {
	v1.GET("/appointments/plans", a.authed(a.appointmentPlans))
	v1.GET("/appointments/slots", a.authed(a.appointmentSlots))
	v1.GET("/appointments", a.authed(a.appointmentDay))
	v1.POST("/appointments", a.authed(a.appointmentBook))
	v1.GET("/appointments/:id", a.authed(a.appointmentGet))
	v1.POST("/appointments/:id/cancel", a.authed(a.appointmentCancel))
	v1.POST("/appointments/:id/move", a.authed(a.appointmentMove))
	v1.POST("/appointments/arrive", a.authed(a.appointmentArrive))
	v1.GET("/cases/:code/appointments", a.authed(a.caseAppointments))
	a.appointmentPlanRoutes(v1)
}

func (a *API) diaryReady(c *gin.Context) bool {
	if a.diary == nil {
		a.fail(c, queue.Errorf(queue.EUNAVAILABLE, "本中心未开放预约 (no appointments)"))
		return false
	}
	return true
}

// staffOnly: people of the hall (staff, supervisors, admins), no device.
func staffOnly(p queue.Principal) error {
	if p.Role.IsDevice() {
		return queue.Errorf(queue.EFORBIDDEN, "设备无权查看预约 (devices cannot read appointments)")
	}
	return nil
}

type planJSON struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Service  string   `json:"service"`
	Counter  string   `json:"counter,omitempty"`
	Days     []string `json:"days"`
	Hours    []string `json:"hours"`
	Length   int      `json:"length_minutes"`
	Capacity int      `json:"capacity"`
	WalkIn   int      `json:"walk_in"`
	Duty     bool     `json:"duty,omitempty"`
	Public   bool     `json:"public,omitempty"`
	// Where the values come from: File holds the hall file's (none for a
	// plan added on the page), Edited names those set on the page.
	File      *planJSON     `json:"file,omitempty"`
	Edited    []string      `json:"edited,omitempty"`
	Closed    []closureJSON `json:"closed,omitempty"`
	Removed   bool          `json:"removed,omitempty"`
	ChangedAt *time.Time    `json:"changed_at,omitempty"`
	ChangedBy string        `json:"changed_by,omitempty"`
}

type closureJSON struct {
	Day    string `json:"day"`
	Reason string `json:"reason"`
	By     string `json:"by"`
}

func planOut(p booking.Plan) planJSON {
	out := planJSON{ID: p.ID, Name: p.Name, Service: p.ServiceID, Counter: p.CounterID, Length: int(p.Length / time.Minute),
		Capacity: p.Capacity, WalkIn: p.WalkIn, Duty: p.Duty, Public: p.Public}
	for _, d := range p.Weekdays {
		out.Days = append(out.Days, d.String()[:3])
	}
	for _, pd := range p.Periods {
		out.Hours = append(out.Hours, booking.ClockName(pd.From)+"-"+booking.ClockName(pd.To))
	}
	return out
}

func planInfoOut(pi booking.PlanInfo) planJSON {
	out := planOut(pi.Plan)
	if pi.File != nil {
		f := planOut(*pi.File)
		out.File = &f
	}
	out.Edited, out.Removed, out.ChangedBy = pi.Edited, pi.Removed, pi.By
	if !pi.At.IsZero() {
		out.ChangedAt = &pi.At
	}
	for _, c := range pi.Closed {
		out.Closed = append(out.Closed, closureJSON{Day: c.Day.String(), Reason: c.Reason, By: c.By})
	}
	return out
}

// appointmentPlans: GET /appointments/plans — the plans in effect with
// where their values come from, the plans removed on the page, and the
// policy.
func (a *API) appointmentPlans(c *gin.Context, p queue.Principal) {
	if !a.diaryReady(c) {
		return
	}
	if err := staffOnly(p); err != nil {
		a.fail(c, err)
		return
	}
	cfg := a.diary.Policy()
	out := struct {
		Prefix        string     `json:"prefix"`
		EarlyMinutes  int        `json:"early_minutes"`
		LateMinutes   int        `json:"late_minutes"`
		CutoffMinutes int        `json:"cutoff_minutes"`
		HorizonDays   int        `json:"horizon_days"`
		Plans         []planJSON `json:"plans"`
		Removed       []planJSON `json:"removed_plans"`
	}{a.eng.Hall().AppointmentPrefix, int(cfg.Early / time.Minute), int(cfg.Late / time.Minute), int(cfg.Cutoff / time.Minute),
		cfg.Horizon, []planJSON{}, []planJSON{}}
	for _, pi := range a.diary.Plans() {
		if pi.Removed {
			out.Removed = append(out.Removed, planInfoOut(pi))
		} else {
			out.Plans = append(out.Plans, planInfoOut(pi))
		}
	}
	writeJSON(c, http.StatusOK, out)
}

func queryDay(c *gin.Context) (cases.Date, error) {
	d, err := cases.ParseDate(c.Query("day"))
	if err != nil {
		return 0, invalid("day 应为 2026-01-31 (day must be a date)")
	}
	return d, nil
}

// appointmentSlots: GET /appointments/slots?plan=&day= — a plan's slots
// on a day with their free places, or why the day is closed.
func (a *API) appointmentSlots(c *gin.Context, p queue.Principal) {
	if !a.diaryReady(c) {
		return
	}
	day, err := queryDay(c)
	if err == nil {
		err = staffOnly(p)
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	slots, why, err := a.diary.Slots(c.Request.Context(), c.Query("plan"), day)
	if err != nil {
		a.fail(c, err)
		return
	}
	if slots == nil {
		slots = []booking.Slot{}
	}
	writeJSON(c, http.StatusOK, struct {
		Slots  []booking.Slot `json:"slots"`
		Closed string         `json:"closed,omitempty"`
	}{slots, why})
}

// appointmentDay: GET /appointments?day= — the bookings of a day the
// principal may manage.
func (a *API) appointmentDay(c *gin.Context, p queue.Principal) {
	if !a.diaryReady(c) {
		return
	}
	day, err := queryDay(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	vs, err := a.diary.Day(c.Request.Context(), p, day)
	if err != nil {
		a.fail(c, err)
		return
	}
	if vs == nil {
		vs = []booking.View{}
	}
	writeJSON(c, http.StatusOK, struct {
		Bookings []booking.View `json:"bookings"`
	}{vs})
}

type bookBody struct {
	Plan    string          `json:"plan"`
	Start   time.Time       `json:"start"`
	Persons []personBody    `json:"persons"`
	Case    string          `json:"case"`
	Channel booking.Channel `json:"channel"` // desk, phone or session
	Note    string          `json:"note"`
}

// appointmentBook: POST /appointments (Idempotency-Key) — staff and
// supervisors book for a visitor (channel desk or phone, one person) or
// schedule a session for a case (channel session, the case's parties).
// 201 with the booking and each party's code; 409 code "full" when the
// slot has no place left.
func (a *API) appointmentBook(c *gin.Context, p queue.Principal) {
	if !a.diaryReady(c) {
		return
	}
	key, ok := a.idempotencyKey(c)
	if !ok {
		return
	}
	var b bookBody
	if !a.decode(c, &b) {
		return
	}
	if b.Channel.Public() {
		a.fail(c, invalid("工作人员请选择窗口、电话或调解预约 (channel must be desk, phone or session)"))
		return
	}
	ps, err := persons(b.Persons)
	if err != nil {
		a.fail(c, err)
		return
	}
	bk, err := a.diary.Book(c.Request.Context(), p, booking.BookRequest{Plan: b.Plan, Start: b.Start, Persons: ps, CaseCode: b.Case,
		Channel: b.Channel, Note: b.Note, IdempotencyKey: key})
	if err != nil {
		a.fail(c, err)
		return
	}
	status := http.StatusCreated
	if bk.Replayed {
		status = http.StatusOK
		c.Writer.Header().Set("Idempotent-Replayed", "true")
	}
	writeJSON(c, status, bk)
}

func (a *API) appointmentGet(c *gin.Context, p queue.Principal) {
	if !a.diaryReady(c) {
		return
	}
	a.answerBooking(c)(a.diary.Lookup(c.Request.Context(), p, booking.Ref{ID: c.Param("id")}))
}

func (a *API) appointmentCancel(c *gin.Context, p queue.Principal) {
	if !a.diaryReady(c) {
		return
	}
	var b reasonBody
	if !a.decode(c, &b) {
		return
	}
	a.answerBooking(c)(a.diary.Cancel(c.Request.Context(), p, booking.Ref{ID: c.Param("id")}, b.Reason))
}

func (a *API) appointmentMove(c *gin.Context, p queue.Principal) {
	if !a.diaryReady(c) {
		return
	}
	var b struct {
		Start time.Time `json:"start"`
	}
	if !a.decode(c, &b) {
		return
	}
	a.answerBooking(c)(a.diary.Move(c.Request.Context(), p, booking.Ref{ID: c.Param("id")}, b.Start))
}

type arriveBody struct {
	Person *personBody `json:"person"` // the card read
	Code   string      `json:"code"`   // or the typed booking code
}

type arriveResponse struct {
	Outcome  booking.Outcome `json:"outcome"`
	Message  string          `json:"message"`
	From     time.Time       `json:"from,omitzero"`
	Ticket   *queue.Ticket   `json:"ticket,omitempty"`
	Ahead    int             `json:"ahead,omitempty"`
	CaseCode string          `json:"case_code,omitempty"`
	CaseURL  string          `json:"case_url,omitempty"`
	Booking  booking.View    `json:"booking"`
}

// appointmentArrive: POST /appointments/arrive (Idempotency-Key) — a
// visitor checks in at a kiosk (or at the desk) with the card or the
// code: 201 with the appointment ticket (outcome issued), or 200 with
// outcome early or lapsed and what to tell the visitor. The card goes to
// the desk and is never echoed; a device sees the booking masked.
func (a *API) appointmentArrive(c *gin.Context, p queue.Principal) {
	if !a.diaryReady(c) {
		return
	}
	key, ok := a.idempotencyKey(c)
	if !ok {
		return
	}
	var b arriveBody
	if !a.decode(c, &b) {
		return
	}
	req := booking.ArriveRequest{Code: b.Code, IdempotencyKey: key}
	if b.Person != nil {
		ps, err := persons([]personBody{*b.Person})
		if err != nil {
			a.fail(c, err)
			return
		}
		req.Person = &ps[0]
	}
	ar, err := a.diary.Arrive(c.Request.Context(), p, req)
	if err != nil {
		a.fail(c, err)
		return
	}
	out := arriveResponse{Outcome: ar.Outcome, Message: ar.Message, From: ar.From, Booking: ar.Booking}
	status := http.StatusOK
	if ar.Outcome == booking.OutcomeIssued {
		t := redactTicket(ar.Issued.Ticket, p)
		t.CaseCode = ar.Issued.Ticket.CaseCode // the kiosk prints its own ticket's code
		out.Ticket, out.Ahead, out.CaseCode, out.CaseURL = &t, ar.Issued.Ahead, ar.Issued.CaseCode, ar.Issued.CaseURL
		if ar.Issued.Replayed {
			c.Writer.Header().Set("Idempotent-Replayed", "true")
		} else {
			status = http.StatusCreated
			a.metrics.issued.WithLabelValues(t.ServiceID).Inc()
		}
	}
	if p.Role.IsDevice() {
		out.Booking = booking.View{ID: ar.Booking.ID, PlanName: ar.Booking.PlanName, Room: ar.Booking.Room, Start: ar.Booking.Start,
			End: ar.Booking.End, Day: ar.Booking.Day}
	}
	writeJSON(c, status, out)
}

// answerBooking answers with one booking, or the error of the command
// that returned it.
func (a *API) answerBooking(c *gin.Context) func(booking.View, error) {
	return func(v booking.View, err error) {
		if err != nil {
			a.fail(c, err)
			return
		}
		writeJSON(c, http.StatusOK, struct {
			Booking booking.View `json:"booking"`
		}{v})
	}
}

// caseAppointments: GET /cases/:code/appointments — the sessions of a case
// the principal may see.
func (a *API) caseAppointments(c *gin.Context, p queue.Principal) {
	if !a.diaryReady(c) {
		return
	}
	ctx := c.Request.Context()
	if _, err := a.cases.Case(ctx, p, c.Param("code")); err != nil {
		a.fail(c, err)
		return
	}
	code, _ := cases.NormalizeCode(c.Param("code"))
	vs, err := a.diary.OfCase(ctx, code)
	if err != nil {
		a.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, struct {
		Bookings []booking.View `json:"bookings"`
	}{vs})
}

// canWatchBooking: a booking's steps reach supervisors and the staff who
// work it (booking.Works); never a device or an admin (who manages
// accounts, not visitors).
func canWatchBooking(h *queue.Hall, p queue.Principal, st *queue.BookingStep) bool {
	return p.Role == queue.RoleSupervisor || p.Role == queue.RoleStaff && booking.Works(h, p, st.Counter, st.Service)
}
