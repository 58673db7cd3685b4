package booking

import (
	"fmt"
	"slices"
	"time"

	"yiting/queue"
)

// Plan is when a service or a room takes bookings: the days of the week,
// the periods of each day, the slot length, how many bookings a slot holds
// and how many of those places stay for walk-ins. A room's plan books the
// room (its tickets go there); a service's plan books the service (any
// counter serving it calls its tickets).
type Plan struct {
	ID        string         `json:"id"`                // stable id, letters, digits, - and _
	Name      string         `json:"name"`              // what the pages show: "调解预约（矛盾纠纷多元调解室）"
	ServiceID string         `json:"service"`           // the service booked: the ticket's service
	CounterID string         `json:"counter,omitempty"` // the room or counter booked; "" = any counter serving the service
	Weekdays  []time.Weekday `json:"days"`
	Periods   []Period       `json:"hours"` // within a day, in order, not overlapping
	Length    time.Duration  `json:"length"`
	// Capacity is how many bookings one slot holds. A mediation session
	// is one booking whatever the number of its parties.
	Capacity int `json:"capacity"`
	// WalkIn places of each slot are never booked: kept for visitors who
	// come without an appointment.
	WalkIn int `json:"walk_in"`
	// Duty: bookable only on the days the duty rota opens the service in
	// this room (县负责人坐班接访).
	Duty bool `json:"duty,omitempty"`
	// Public: visitors may book it themselves (the hall's booking page,
	// their case's page); otherwise staff book it (sessions, counselling).
	Public bool `json:"public,omitempty"`
}

// Bookable is the places of a slot bookings may take.
func (p Plan) Bookable() int { return max(p.Capacity-p.WalkIn, 0) }

// Period is a part of a day, from and to since local midnight.
type Period struct {
	From time.Duration `json:"from"`
	To   time.Duration `json:"to"`
}

// Policy is the diary's rules for every plan. (The appointment tickets'
// prefix is the hall's: queue.Hall.AppointmentPrefix.)
type Policy struct {
	// Early: a visitor may check in this long before the slot; earlier,
	// the kiosk says when to come back (or offers a walk-in ticket).
	Early time.Duration
	// Late: the booking holds this long after the slot's start; later,
	// it lapses and the visitor is offered a walk-in ticket. A booking
	// nobody arrived for is a no-show once this has passed.
	Late time.Duration
	// Cutoff: the visitor may move or cancel their booking until this
	// long before the slot; staff always may.
	Cutoff time.Duration
	// Horizon is how many days ahead a slot may be booked.
	Horizon int
	// RemindAt is the time of day (since local midnight) the reminders of
	// the next day's bookings go out.
	RemindAt time.Duration
}

// Config is the appointments section of the hall file.
type Config struct {
	Policy Policy
	Plans  []Plan
}

// DefaultPolicy: check in from 30 minutes before (time to find the room
// without crowding the hall), late by 15 (a bus from a township runs late,
// the next session starts), move or cancel until 2 hours before (the slot
// can go to someone else), 30 days ahead (the hall plans a month), the
// reminder at 18:00 the day before (after work, before the evening).
func DefaultPolicy() Policy {
	return Policy{Early: 30 * time.Minute, Late: 15 * time.Minute, Cutoff: 2 * time.Hour, Horizon: 30, RemindAt: 18 * time.Hour}
}

// Plan returns the plan of that id.
func (c Config) Plan(id string) (Plan, bool) {
	for _, p := range c.Plans {
		if p.ID == id {
			return p, true
		}
	}
	return Plan{}, false
}

// Validate checks the configuration against the hall; errors name the
// field (queue.Invalid).
func (c *Config) Validate(h *queue.Hall) error {
	bad := queue.Invalid
	pol := c.Policy
	if len(c.Plans) > 0 && h.AppointmentPrefix == "" {
		return bad("appointments.prefix", "plans need an appointment ticket prefix")
	}
	if h.AppointmentPrefix == "" {
		return nil // no appointments
	}
	switch {
	case pol.Early < 0 || pol.Early > 4*time.Hour:
		return bad("appointments.early", "must be 0 to 4h")
	case pol.Late < 0 || pol.Late > 2*time.Hour:
		return bad("appointments.late", "must be 0 to 2h")
	case pol.Cutoff < 0 || pol.Cutoff > 7*24*time.Hour:
		return bad("appointments.cutoff", "must be 0 to 168h")
	case pol.Horizon < 1 || pol.Horizon > 366:
		return bad("appointments.horizon_days", "must be 1 to 366")
	case pol.RemindAt < 0 || pol.RemindAt >= 24*time.Hour:
		return bad("appointments.remind_at", "must be a time of day")
	}
	ids := map[string]bool{}
	for i, p := range c.Plans {
		f := fmt.Sprintf("appointments.plans[%d]", i)
		if ids[p.ID] {
			return bad(f+".id", "%q is used twice", p.ID)
		}
		ids[p.ID] = true
		if err := checkPlan(h, p, f); err != nil {
			return err
		}
	}
	return nil
}

// checkPlan checks one plan against the hall; errors name the field
// under f (queue.Invalid).
func checkPlan(h *queue.Hall, p Plan, f string) error {
	bad := queue.Invalid
	if !queue.ValidID(p.ID) {
		return bad(f+".id", "%q is not a valid id", p.ID)
	}
	if p.Name == "" {
		return bad(f+".name", "missing")
	}
	sv, ok := h.Service(p.ServiceID)
	if !ok {
		return bad(f+".service", "no service %q", p.ServiceID)
	}
	if p.CounterID != "" {
		ct, ok := h.Counter(p.CounterID)
		if !ok {
			return bad(f+".counter", "no counter %q", p.CounterID)
		}
		if _, ok := ct.Serves(sv.ID); !ok {
			return bad(f+".counter", "%q does not serve %q", ct.ID, sv.ID)
		}
	}
	if p.Duty != sv.DutyOnly || (p.Duty && p.CounterID == "") {
		return bad(f+".duty", "a duty-only service (%q) is booked by a duty plan, in one room, and a duty plan books only such a service", sv.ID)
	}
	if len(p.Weekdays) == 0 {
		return bad(f+".days", "at least one day of the week")
	}
	if p.Length < 5*time.Minute || p.Length > 8*time.Hour {
		return bad(f+".length", "must be 5m to 8h")
	}
	if p.Capacity < 1 || p.Capacity > 1000 {
		return bad(f+".capacity", "must be 1 to 1000")
	}
	if p.WalkIn < 0 || p.WalkIn >= p.Capacity {
		return bad(f+".walk_in", "must be 0 to capacity-1 (%d)", p.Capacity-1)
	}
	if len(p.Periods) == 0 {
		return bad(f+".hours", "at least one period")
	}
	var end time.Duration
	for j, pd := range p.Periods {
		if pd.From < end || pd.To <= pd.From || pd.To > 24*time.Hour || pd.To-pd.From < p.Length {
			return bad(fmt.Sprintf("%s.hours[%d]", f, j), "periods must be in order, not overlap, and hold at least one slot")
		}
		end = pd.To
	}
	return nil
}

// starts lists the slot starts of a plan within a day, as durations since
// midnight: each period cut into whole slots.
func (p Plan) starts() []time.Duration {
	var out []time.Duration
	for _, pd := range p.Periods {
		for s := pd.From; s+p.Length <= pd.To; s += p.Length {
			out = append(out, s)
		}
	}
	return out
}

func (p Plan) runsOn(wd time.Weekday) bool { return slices.Contains(p.Weekdays, wd) }
