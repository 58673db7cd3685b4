package httpapi

import (
	"cmp"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"yiting/queue"
)

// waitingLimit bounds each list of GET /counters/{id}/waiting: a console
// shows the head of the queue, and a market day's thousands of tickets
// would only slow the page. The totals are always exact.
const waitingLimit = 200

// waitingTicketJSON is a ticket as a counter's waiting list shows it: no
// visitor name. A clerk sees who it is once the ticket is called
// (peers.md: hide the visitor until called, so nobody picks visitors).
type waitingTicketJSON struct {
	ID        uint64       `json:"id"`
	Number    string       `json:"number"`
	Service   string       `json:"service"`
	Priority  string       `json:"priority,omitempty"`
	Status    queue.Status `json:"status"`
	IssuedAt  time.Time    `json:"issued_at"`
	ArrivedAt time.Time    `json:"arrived_at"`
	// Directed is true for a ticket only this counter may call (parked
	// here and put back, or routed here by first-visit responsibility).
	Directed  bool   `json:"directed,omitempty"`
	Transfers int    `json:"transfers,omitempty"`
	Note      string `json:"note,omitempty"` // the park reason
	// Appointment is an appointment ticket's booked time: it is called
	// first from then on.
	Appointment time.Time `json:"appointment,omitzero"`
}

type waitingResponse struct {
	Counter string `json:"counter"`
	// Waiting are the tickets this counter may call, in arrival order;
	// call-next picks among them by priority, fairness and weight.
	Waiting      []waitingTicketJSON `json:"waiting"`
	WaitingTotal int                 `json:"waiting_total"`
	// Parked are the tickets parked at this counter (to unpark).
	Parked []waitingTicketJSON `json:"parked"`
	// NoShows are today's no-shows of the services this counter serves
	// (to reactivate or call when the visitor comes back).
	NoShows      []waitingTicketJSON `json:"no_shows"`
	NoShowsTotal int                 `json:"no_shows_total"`
}

// counterWaiting answers GET /api/v1/counters/{id}/waiting: what a clerk
// at that counter may call, unpark or reactivate. Staff see their own
// counters, supervisors and admins every counter.
func (a *API) counterWaiting(c *gin.Context, p queue.Principal) {
	id := c.Param("id")
	counter, ok := a.eng.Hall().Counter(id)
	if !ok {
		a.fail(c, queue.Errorf(queue.ENOTFOUND, "没有这个窗口：%q (unknown counter)", id))
		return
	}
	if !p.CanOperate(id) {
		a.fail(c, queue.Errorf(queue.EFORBIDDEN, "您没有查看%s的权限 (not your counter)", counter.Name))
		return
	}
	out := waitingResponse{Counter: id, Waiting: []waitingTicketJSON{}, Parked: []waitingTicketJSON{}, NoShows: []waitingTicketJSON{}}
	mine := a.eng.Tickets(func(t *queue.Ticket) bool {
		_, serves := counter.Serves(t.ServiceID)
		switch t.Status {
		case queue.StatusWaiting:
			return t.TargetCounter == id || (t.TargetCounter == "" && serves)
		case queue.StatusParked:
			return t.CounterID == id
		case queue.StatusNoShow:
			return serves
		}
		return false
	})
	var waiting, noShows []queue.Ticket
	for i := range mine {
		switch t := &mine[i]; t.Status {
		case queue.StatusWaiting:
			waiting = append(waiting, *t)
		case queue.StatusParked:
			out.Parked = append(out.Parked, waitingJSON(t, id, p))
		case queue.StatusNoShow:
			noShows = append(noShows, *t)
		}
	}
	slices.SortStableFunc(waiting, func(x, y queue.Ticket) int { return cmp.Or(x.ArrivedAt.Compare(y.ArrivedAt), cmp.Compare(x.ID, y.ID)) })
	out.WaitingTotal = len(waiting)
	for i := range waiting[:min(len(waiting), waitingLimit)] {
		out.Waiting = append(out.Waiting, waitingJSON(&waiting[i], id, p))
	}
	// The latest no-shows first: the visitor who just stepped out is the
	// one likely to come back.
	slices.Reverse(noShows)
	out.NoShowsTotal = len(noShows)
	for i := range noShows[:min(len(noShows), waitingLimit)] {
		out.NoShows = append(out.NoShows, waitingJSON(&noShows[i], id, p))
	}
	writeJSON(c, http.StatusOK, out)
}

func waitingJSON(t *queue.Ticket, counterID string, p queue.Principal) waitingTicketJSON {
	w := waitingTicketJSON{ID: t.ID, Number: t.Number, Service: t.ServiceID, Priority: t.Priority, Status: t.Status,
		IssuedAt: t.IssuedAt, ArrivedAt: t.ArrivedAt, Directed: t.TargetCounter == counterID, Transfers: t.Transfers, Appointment: t.Appointment}
	if fullView(p) {
		w.Note = t.Note
	}
	return w
}
