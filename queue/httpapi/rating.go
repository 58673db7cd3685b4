package httpapi

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"yiting/queue"
)

type ratingBody struct {
	Level   queue.Level `json:"level"`
	Reasons []string    `json:"reasons"`
}

// rate records the visitor's rating of a completed ticket, from the pad
// at the counter that completed it (or a supervisor). The engine checks
// the pad's counter, the ticket's state, one rating per ticket and the
// rating window.
func (a *API) rate(c *gin.Context, p queue.Principal) {
	id, err := strconv.ParseUint(c.Param("id"), 10, 64)
	if err != nil || id == 0 {
		a.fail(c, invalid("票号 id 应为正整数 (ticket id must be a positive integer)"))
		return
	}
	var b ratingBody
	if !a.decode(c, &b) {
		return
	}
	t, err := a.eng.Rate(c.Request.Context(), p, id, b.Level, b.Reasons)
	if err != nil {
		a.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, ticketResponse{Ticket: redactTicketPtr(t, p)})
}
