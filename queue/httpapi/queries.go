package httpapi

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"yiting/queue"
	"yiting/queue/rota"
)

// canWatch refuses a principal that may not read the hall's state (today
// every valid role may; the check keeps a future read-less role out).
func (a *API) canWatch(c *gin.Context, p queue.Principal) bool {
	if !p.CanWatch() {
		a.fail(c, queue.Errorf(queue.EFORBIDDEN, "无权查看 (not allowed to read the queue)"))
		return false
	}
	return true
}

type serviceJSON struct {
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Prefix     string         `json:"prefix"`
	Category   queue.Category `json:"category"`
	Group      string         `json:"group,omitempty"`
	NeedsID    bool           `json:"needs_id"`
	CaseType   string         `json:"case_type,omitempty"`
	Pinyin     string         `json:"pinyin,omitempty"`
	Waiting    int            `json:"waiting"`
	Priority   int            `json:"priority_waiting"`
	LastIssued string         `json:"last_issued,omitempty"`
	DutyOnly   bool           `json:"duty_only,omitempty"`
	Today      string         `json:"today,omitempty"` // a duty-only service: who receives today; offered only then
}

type priorityClassJSON struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	MinAge int    `json:"min_age,omitempty"`
}

type servicesResponse struct {
	Day             string              `json:"day"`
	Services        []serviceJSON       `json:"services"`
	PriorityClasses []priorityClassJSON `json:"priority_classes"`
	Duty            []string            `json:"duty"` // who receives today, by the duty rota
	// Appointments: the hall takes bookings, and a kiosk offers 预约签到.
	Appointments bool `json:"appointments,omitempty"`
}

// services is what a kiosk shows: each service with how many wait, and
// the priority classes it may issue.
func (a *API) services(c *gin.Context, p queue.Principal) {
	if !a.canWatch(c, p) {
		return
	}
	h := a.eng.Hall()
	st := a.eng.State()
	out := servicesResponse{Day: st.Day, Services: make([]serviceJSON, len(h.Services)), PriorityClasses: make([]priorityClassJSON, len(h.Priority.Classes)),
		Duty: []string{}, Appointments: a.diary != nil && len(a.diary.Config().Plans) > 0}
	today := map[string]string{}
	if a.rota != nil {
		es, err := a.rota.Today(c.Request.Context())
		if err != nil {
			a.fail(c, err)
			return
		}
		if lines, by := rota.Lines(es); lines != nil {
			out.Duty, today = lines, by
		}
	}
	for i, s := range h.Services {
		out.Services[i] = serviceJSON{ID: s.ID, Name: s.Name, Prefix: s.Prefix, Category: s.Category, Group: s.Group,
			NeedsID: s.NeedsID, CaseType: s.CaseType, Pinyin: s.Pinyin, DutyOnly: s.DutyOnly, Today: today[s.ID]}
		for _, q := range st.Services { // the same order, but do not rely on it
			if q.ServiceID == s.ID {
				out.Services[i].Waiting, out.Services[i].Priority, out.Services[i].LastIssued = q.Waiting, q.Priority, q.LastIssued
				break
			}
		}
	}
	for i, pc := range h.Priority.Classes {
		out.PriorityClasses[i] = priorityClassJSON{ID: pc.ID, Name: pc.Name, MinAge: pc.MinAge}
	}
	writeJSON(c, http.StatusOK, out)
}

type counterServiceJSON struct {
	ServiceID string `json:"service"`
	Weight    int    `json:"weight"`
}

type counterJSON struct {
	ID       string               `json:"id"`
	Name     string               `json:"name"`
	Kind     queue.CounterKind    `json:"kind"`
	Unit     string               `json:"unit,omitempty"`
	Location string               `json:"location,omitempty"`
	Pinyin   string               `json:"pinyin,omitempty"`
	Services []counterServiceJSON `json:"services"`
	State    queue.CounterState   `json:"state"`
	Ticket   *queue.Ticket        `json:"ticket"` // called or being served; null when none
}

type countersResponse struct {
	Day      string        `json:"day"`
	Counters []counterJSON `json:"counters"`
}

// counters is what consoles and boards show: each counter's
// configuration, live state and current ticket.
func (a *API) counters(c *gin.Context, p queue.Principal) {
	if !a.canWatch(c, p) {
		return
	}
	h := a.eng.Hall()
	st := a.eng.State()
	out := countersResponse{Day: st.Day, Counters: make([]counterJSON, len(h.Counters))}
	for i, hc := range h.Counters {
		cj := counterJSON{ID: hc.ID, Name: hc.Name, Kind: hc.Kind, Unit: hc.Unit, Location: hc.Location, Pinyin: hc.Pinyin,
			Services: make([]counterServiceJSON, len(hc.Services))}
		for j, s := range hc.Services {
			cj.Services[j] = counterServiceJSON{ServiceID: s.ServiceID, Weight: s.Weight}
		}
		for _, cs := range st.Counters {
			if cs.ID == hc.ID {
				cj.State = cs
				break
			}
		}
		if cj.State.Current != 0 {
			// Read after State: the ticket may have moved on meanwhile;
			// then it is shown as it is now, and the stream's next event
			// brings the counter up to date.
			if tv, err := a.eng.Ticket(c.Request.Context(), cj.State.Current); err == nil {
				t := redactTicket(tv.Ticket, p)
				cj.Ticket = &t
			}
		}
		out.Counters[i] = cj
	}
	writeJSON(c, http.StatusOK, out)
}

// queueState is the engine's QueueState; its last_event is where a page
// opens the event stream from.
func (a *API) queueState(c *gin.Context, p queue.Principal) {
	if !a.canWatch(c, p) {
		return
	}
	writeJSON(c, http.StatusOK, a.eng.State())
}

// maxCalls bounds GET /api/v1/calls: a board shows a handful.
const maxCalls = 20

type callsResponse struct {
	Day   string       `json:"day"`
	Calls []queue.Call `json:"calls"`
}

// calls is today's latest calls (?limit=, 1..20, default 6), newest
// first: a board that reloads shows the last calls again. Numbers and
// counters only — no visitor, no case — for any principal that may read
// the queue.
func (a *API) calls(c *gin.Context, p queue.Principal) {
	if !a.canWatch(c, p) {
		return
	}
	n := 6
	if v := c.Query("limit"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 || n > maxCalls {
			a.fail(c, invalid("limit 应为 1 到 20 之间的整数 (limit must be 1..20)"))
			return
		}
	}
	writeJSON(c, http.StatusOK, callsResponse{Day: a.eng.State().Day, Calls: a.eng.RecentCalls(n)})
}

// ticket is any ticket by id, today's or older.
func (a *API) ticket(c *gin.Context, p queue.Principal) {
	if !a.canWatch(c, p) {
		return
	}
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil || id == 0 {
		a.fail(c, invalid("票号 id 应为正整数 (ticket id must be a positive integer)"))
		return
	}
	tv, err := a.eng.Ticket(c.Request.Context(), id)
	if err == nil && !fullView(p) && tv.Ticket.Day != a.eng.State().Day {
		err = queue.Errorf(queue.ENOTFOUND, "没有这张票 (no such ticket today)") // a device reads today's only
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	tv.Ticket = redactTicket(tv.Ticket, p)
	writeJSON(c, http.StatusOK, tv)
}

// ticketByNumber is today's ticket of a number such as A012.
func (a *API) ticketByNumber(c *gin.Context, p queue.Principal) {
	if !a.canWatch(c, p) {
		return
	}
	tv, err := a.eng.TicketByNumber(c.Param("number"))
	if err != nil {
		a.fail(c, err)
		return
	}
	tv.Ticket = redactTicket(tv.Ticket, p)
	writeJSON(c, http.StatusOK, tv)
}
