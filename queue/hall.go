package queue

import (
	"fmt"
	"time"
)

// Category groups services as the hall groups its windows and rooms.
type Category string

// The categories of docs/domain.md.
const (
	CategoryPetition   Category = "petition"    // 信访接待
	CategoryMediation  Category = "mediation"   // 矛盾纠纷调解
	CategoryLegal      Category = "legal"       // 法律服务
	CategoryCounseling Category = "counselling" // 心理疏导
	CategoryLitigation Category = "litigation"  // 诉讼服务
	CategoryOther      Category = "other"
)

// Categories lists the valid categories in the order the kiosk shows them.
func Categories() []Category {
	return []Category{CategoryPetition, CategoryMediation, CategoryLegal, CategoryCounseling, CategoryLitigation, CategoryOther}
}

// CounterKind tells a window in the hall from a room or the court.
type CounterKind string

// Counter kinds.
const (
	KindWindow CounterKind = "window" // 窗口 in the joint reception hall
	KindRoom   CounterKind = "room"   // 调解室, 心理疏导室 …
	KindCourt  CounterKind = "court"  // 审判庭
)

// Service is what a visitor chooses at the kiosk.
type Service struct {
	ID       string   // stable identifier, e.g. "petition"
	Name     string   // Chinese name shown on kiosk and ticket
	Prefix   string   // ticket prefix letter, e.g. "A"
	Category Category //
	Group    string   // optional sub-group on the kiosk, e.g. the committee's name
	NeedsID  bool     // an ID card must be read before issuing
	CaseType string   // the case type a ticket of this service opens ("" = none)
	Pinyin   string   // optional, for the spoken announcement
	// DutyOnly: offered only on the days the duty rota opens it (领导接访:
	// a county leader receives in person), its tickets going to that
	// day's room (queue/rota, queue/cases).
	DutyOnly bool
}

// CounterService is one service a counter serves, with its weight: a
// higher weight is called first when several services wait.
type CounterService struct {
	ServiceID string
	Weight    int // 1 (default) .. 100
}

// Counter is a window, room or court room where tickets are served.
type Counter struct {
	ID       string
	Name     string // "3号窗口", "医患纠纷调解室"
	Kind     CounterKind
	Unit     string // the unit staffing it, e.g. "信访局"
	Location string // where it is, for ticket and board: "一楼大厅东侧"
	Pinyin   string // optional, for the spoken announcement
	Services []CounterService
}

// Serves reports whether the counter serves the service, and its weight.
func (c Counter) Serves(serviceID string) (weight int, ok bool) {
	for _, s := range c.Services {
		if s.ServiceID == serviceID {
			return s.Weight, true
		}
	}
	return 0, false
}

// PriorityClass is a legal ground for priority service (docs/domain.md:
// 老年人权益保障法, 残疾人保障法 Art. 55, 军人地位和权益保障法).
type PriorityClass struct {
	ID     string // "elderly", "disabled", "military", "pregnant"
	Name   string // "老年人"
	MinAge int    // for the class read from the card's birth date; 0 = not age based
}

// PriorityPolicy decides how priority tickets mix with normal ones.
type PriorityPolicy struct {
	Classes []PriorityClass
	// Ratio is how many priority tickets a counter may call in a row
	// before the longest-waiting normal ticket goes next. 0 means
	// priority tickets always go first (not recommended).
	Ratio int
	// AgingAfter bounds overtaking: priority and service weight let a
	// ticket go before others that arrived less than AgingAfter before
	// it, never more, so no ticket waits forever behind a stream of
	// others. 0 disables aging.
	AgingAfter time.Duration
}

// Class returns the priority class of that id.
func (p PriorityPolicy) Class(id string) (PriorityClass, bool) {
	for _, c := range p.Classes {
		if c.ID == id {
			return c, true
		}
	}
	return PriorityClass{}, false
}

// Hours are the hall's opening hours on working days, in local time.
type Hours struct {
	Open  time.Duration // since local midnight, e.g. 8h30m
	Close time.Duration // e.g. 17h30m
}

// Hall is the whole configuration the domain needs.
type Hall struct {
	Name       string         // "通山县综治中心"
	RegionCode string         // "421224"
	Location   *time.Location // business days begin at this zone's midnight
	Hours      Hours
	Services   []Service
	Units      []Unit // the units of the centre (unit.go); counters name theirs
	Counters   []Counter
	Priority   PriorityPolicy
	// RecallLimit: a ticket recalled more than this many times becomes a
	// no-show on the next recall. 0 means no limit.
	RecallLimit int
	// AppointmentPrefix is the ticket prefix of appointment tickets
	// (appointment.go), a letter no service uses; "" when the hall takes
	// no appointments.
	AppointmentPrefix string
}

// Service returns the service of that id.
func (h *Hall) Service(id string) (Service, bool) {
	for _, s := range h.Services {
		if s.ID == id {
			return s, true
		}
	}
	return Service{}, false
}

// Counter returns the counter of that id.
func (h *Hall) Counter(id string) (Counter, bool) {
	for _, c := range h.Counters {
		if c.ID == id {
			return c, true
		}
	}
	return Counter{}, false
}

// Validate checks the references and uniqueness rules the engine relies
// on. Adapters that read files check syntax and name the file; this
// names the field.
func (h *Hall) Validate() error {
	bad := func(field, format string, args ...any) error { return Invalid(field, format, args...) }
	if h.Name == "" {
		return bad("name", "the hall needs a name")
	}
	if h.Location == nil {
		return bad("timezone", "missing")
	}
	if len(h.Services) == 0 {
		return bad("services", "at least one service is needed")
	}
	ids := map[string]bool{}
	prefixes := map[string]string{}
	for i, s := range h.Services {
		f := fmt.Sprintf("services[%d]", i)
		if !ValidID(s.ID) {
			return bad(f+".id", "%q is not a valid id (letters, digits, '-' and '_', up to 32)", s.ID)
		}
		if ids[s.ID] {
			return bad(f+".id", "%q is used twice", s.ID)
		}
		ids[s.ID] = true
		if s.Name == "" {
			return bad(f+".name", "missing")
		}
		if len(s.Prefix) != 1 || s.Prefix[0] < 'A' || s.Prefix[0] > 'Z' {
			return bad(f+".prefix", "%q must be one capital letter A-Z", s.Prefix)
		}
		if other, dup := prefixes[s.Prefix]; dup {
			return bad(f+".prefix", "%q is already the prefix of service %q", s.Prefix, other)
		}
		prefixes[s.Prefix] = s.ID
		if !validCategory(s.Category) {
			return bad(f+".category", "%q is not one of petition, mediation, legal, counselling, litigation, other", s.Category)
		}
	}
	if ap := h.AppointmentPrefix; ap != "" {
		if len(ap) != 1 || ap[0] < 'A' || ap[0] > 'Z' {
			return bad("appointments.prefix", "%q must be one capital letter A-Z", ap)
		}
		if other, dup := prefixes[ap]; dup {
			return bad("appointments.prefix", "%q is already the prefix of service %q", ap, other)
		}
	}
	cids := map[string]bool{}
	for i, c := range h.Counters {
		f := fmt.Sprintf("counters[%d]", i)
		if !ValidID(c.ID) {
			return bad(f+".id", "%q is not a valid id", c.ID)
		}
		if cids[c.ID] {
			return bad(f+".id", "%q is used twice", c.ID)
		}
		cids[c.ID] = true
		if c.Name == "" {
			return bad(f+".name", "missing")
		}
		switch c.Kind {
		case KindWindow, KindRoom, KindCourt:
		default:
			return bad(f+".kind", "%q is not one of window, room, court", c.Kind)
		}
		if len(c.Services) == 0 {
			return bad(f+".services", "a counter must serve at least one service")
		}
		seen := map[string]bool{}
		for j, cs := range c.Services {
			g := fmt.Sprintf("%s.services[%d]", f, j)
			if !ids[cs.ServiceID] {
				return bad(g, "no service %q", cs.ServiceID)
			}
			if seen[cs.ServiceID] {
				return bad(g, "service %q listed twice", cs.ServiceID)
			}
			seen[cs.ServiceID] = true
			if cs.Weight < 1 || cs.Weight > 100 {
				return bad(g+".weight", "%d is outside 1..100", cs.Weight)
			}
		}
	}
	for _, s := range h.Services {
		served := false
		for _, c := range h.Counters {
			if _, ok := c.Serves(s.ID); ok {
				served = true
			}
		}
		if !served {
			return bad("services", "service %q is served by no counter: its tickets would never be called", s.ID)
		}
	}
	if err := h.validateUnits(); err != nil {
		return err
	}
	pids := map[string]bool{}
	for i, p := range h.Priority.Classes {
		f := fmt.Sprintf("priority.classes[%d]", i)
		if !ValidID(p.ID) {
			return bad(f+".id", "%q is not a valid id", p.ID)
		}
		if pids[p.ID] {
			return bad(f+".id", "%q is used twice", p.ID)
		}
		pids[p.ID] = true
		if p.MinAge < 0 || p.MinAge > 150 {
			return bad(f+".min_age", "%d is not an age", p.MinAge)
		}
	}
	if h.Priority.Ratio < 0 {
		return bad("priority.ratio", "must not be negative")
	}
	if h.Priority.AgingAfter < 0 {
		return bad("priority.aging_after", "must not be negative")
	}
	if h.RecallLimit < 0 {
		return bad("recall_limit", "must not be negative")
	}
	if h.Hours.Open < 0 || h.Hours.Close > 24*time.Hour || (h.Hours.Close != 0 && h.Hours.Close <= h.Hours.Open) {
		return bad("hours", "closing must come after opening, within one day")
	}
	return nil
}

// ValidID reports whether s is a valid configuration id: letters, digits,
// '-' and '_', 1 to 32 of them.
func ValidID(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
		default:
			return false
		}
	}
	return true
}

func validCategory(c Category) bool {
	for _, k := range Categories() {
		if c == k {
			return true
		}
	}
	return false
}
