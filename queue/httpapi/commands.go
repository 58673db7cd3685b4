package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"yiting/queue"
)

// The bodies of the counter commands. Each command has its own type, so
// that a field it does not take ("reason" on call-next) is refused as
// unknown rather than silently ignored.
type (
	noBody     struct{}
	reasonBody struct {
		Reason string `json:"reason"`
	}
	numberBody struct {
		Number string `json:"number"`
	}
	numberReasonBody struct {
		Number string `json:"number"`
		Reason string `json:"reason"`
	}
	transferBody struct {
		Service string `json:"service"`
		Counter string `json:"counter"`
		Reason  string `json:"reason"`
	}
)

// ticketResponse is the answer of a ticket command: the ticket after it,
// or null (call-next when nobody waits).
type ticketResponse struct {
	Ticket *queue.Ticket `json:"ticket"`
}

// counterResponse is the answer of open, pause and close.
type counterResponse struct {
	Counter queue.CounterState `json:"counter"`
}

// counterCommand is one POST /api/v1/counters/{id}/<name>.
type counterCommand struct {
	name    string
	handler gin.HandlerFunc
}

// counterCommands lists the counter commands. The engine checks who may
// operate the counter (staff at their own, supervisors and admins
// anywhere) and whether the command fits its state.
func (a *API) counterCommands() []counterCommand {
	e := a.eng
	type ctx = context.Context
	type P = queue.Principal
	return []counterCommand{
		{"call-next", ticketCmd(a, func(x ctx, p P, id string, _ *noBody) (*queue.Ticket, error) { return e.CallNext(x, p, id) })},
		{"recall", ticketCmd(a, func(x ctx, p P, id string, _ *noBody) (*queue.Ticket, error) { return e.Recall(x, p, id) })},
		{"start", ticketCmd(a, func(x ctx, p P, id string, _ *noBody) (*queue.Ticket, error) { return e.Start(x, p, id) })},
		{"complete", ticketCmd(a, func(x ctx, p P, id string, _ *noBody) (*queue.Ticket, error) { return e.Complete(x, p, id) })},
		{"no-show", ticketCmd(a, func(x ctx, p P, id string, _ *noBody) (*queue.Ticket, error) { return e.NoShow(x, p, id) })},
		{"park", ticketCmd(a, func(x ctx, p P, id string, b *reasonBody) (*queue.Ticket, error) { return e.Park(x, p, id, b.Reason) })},
		{"transfer", ticketCmd(a, func(x ctx, p P, id string, b *transferBody) (*queue.Ticket, error) {
			return e.Transfer(x, p, id, queue.TransferTo{ServiceID: b.Service, CounterID: b.Counter, Reason: b.Reason})
		})},
		{"call", ticketCmd(a, func(x ctx, p P, id string, b *numberReasonBody) (*queue.Ticket, error) {
			if err := needNumber(b.Number); err != nil {
				return nil, err
			}
			return e.CallTicket(x, p, id, b.Number, b.Reason)
		})},
		{"unpark", ticketCmd(a, func(x ctx, p P, id string, b *numberBody) (*queue.Ticket, error) {
			if err := needNumber(b.Number); err != nil {
				return nil, err
			}
			return e.Unpark(x, p, id, b.Number)
		})},
		{"reactivate", ticketCmd(a, func(x ctx, p P, id string, b *numberBody) (*queue.Ticket, error) {
			if err := needNumber(b.Number); err != nil {
				return nil, err
			}
			return e.Reactivate(x, p, id, b.Number)
		})},
		{"cancel", ticketCmd(a, func(x ctx, p P, id string, b *numberReasonBody) (*queue.Ticket, error) {
			if err := needNumber(b.Number); err != nil {
				return nil, err
			}
			return e.Cancel(x, p, id, b.Number, b.Reason)
		})},
		{"open", counterCmd(a, func(x ctx, p P, id string, _ *noBody) (*queue.CounterState, error) { return e.OpenCounter(x, p, id) })},
		{"pause", counterCmd(a, func(x ctx, p P, id string, b *reasonBody) (*queue.CounterState, error) {
			return e.PauseCounter(x, p, id, b.Reason)
		})},
		{"close", counterCmd(a, func(x ctx, p P, id string, _ *noBody) (*queue.CounterState, error) { return e.CloseCounter(x, p, id) })},
	}
}

// needNumber refuses a missing ticket number with 400 rather than the
// engine's "no such ticket" 404.
func needNumber(n string) error {
	if strings.TrimSpace(n) == "" {
		return invalid("请填写号码 (number is required)")
	}
	return nil
}

// ticketCmd adapts a ticket command of the engine: decode the body of
// type B, run, answer {"ticket": …}.
func ticketCmd[B any](a *API, run func(ctx context.Context, p queue.Principal, counterID string, b *B) (*queue.Ticket, error)) gin.HandlerFunc {
	return a.authed(func(c *gin.Context, p queue.Principal) {
		var b B
		if !a.decode(c, &b) {
			return
		}
		t, err := run(c.Request.Context(), p, c.Param("id"), &b)
		if err != nil {
			a.fail(c, err)
			return
		}
		writeJSON(c, http.StatusOK, ticketResponse{Ticket: redactTicketPtr(t, p)})
	})
}

// counterCmd adapts a counter status command: answer {"counter": …}.
func counterCmd[B any](a *API, run func(ctx context.Context, p queue.Principal, counterID string, b *B) (*queue.CounterState, error)) gin.HandlerFunc {
	return a.authed(func(c *gin.Context, p queue.Principal) {
		var b B
		if !a.decode(c, &b) {
			return
		}
		cs, err := run(c.Request.Context(), p, c.Param("id"), &b)
		if err != nil {
			a.fail(c, err)
			return
		}
		writeJSON(c, http.StatusOK, counterResponse{Counter: *cs})
	})
}
