package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"yiting/queue"
)

// IdempotencyHeader carries the key that makes POST /tickets safe to
// retry: a kiosk sends one per tap and the same one on every retry of it.
const IdempotencyHeader = "Idempotency-Key"

type visitorBody struct {
	Key        string `json:"key"`
	MaskedName string `json:"masked_name"`
}

type issueBody struct {
	Service       string       `json:"service"`
	Priority      string       `json:"priority"`
	Visitor       *visitorBody `json:"visitor"`
	TargetCounter string       `json:"target_counter"`
}

type issueResponse struct {
	Ticket queue.Ticket `json:"ticket"`
	Ahead  int          `json:"ahead"`
}

// issue takes a ticket: 201 with the new ticket, or 200 with header
// Idempotent-Replayed: true when the key was seen before today from the
// same issuer (the kiosk's first answer was lost; it gets the same ticket,
// not a second one).
func (a *API) issue(c *gin.Context, p queue.Principal) {
	key := c.Request.Header.Get(IdempotencyHeader)
	if key == "" {
		a.fail(c, invalid("缺少 Idempotency-Key 请求头 (the Idempotency-Key header is required; send one per ticket and the same on retries)"))
		return
	}
	var b issueBody
	if !a.decode(c, &b) {
		return
	}
	if b.Service == "" {
		a.fail(c, invalid("请选择服务 (service is required)"))
		return
	}
	req := queue.IssueRequest{ServiceID: b.Service, Priority: b.Priority, TargetCounter: b.TargetCounter, IdempotencyKey: key}
	if b.Visitor != nil {
		if !masked(b.Visitor.MaskedName) {
			a.fail(c, invalid("visitor.masked_name 须为遮蔽后的姓名，如 张*三 (masked_name must be masked, e.g. 张*三)"))
			return
		}
		req.Visitor = queue.Visitor{Key: b.Visitor.Key, MaskedName: b.Visitor.MaskedName}
	}
	is, err := a.eng.Issue(c.Request.Context(), p, req)
	if err != nil {
		a.fail(c, err)
		return
	}
	status := http.StatusCreated
	if is.Replayed {
		status = http.StatusOK
		c.Writer.Header().Set("Idempotent-Replayed", "true")
	} else {
		a.metrics.issued.WithLabelValues(is.Ticket.ServiceID).Inc()
	}
	c.Writer.Header().Set("Location", "/api/v1/tickets/"+strconv.FormatUint(is.Ticket.ID, 10))
	writeJSON(c, status, issueResponse{Ticket: redactTicket(is.Ticket, p), Ahead: is.Ahead})
}

// masked reports whether a name is empty or masked as docs require (张*
// for two characters, 张*三 for more): a name of two or more characters
// without '*' is a real name a kiosk must not send.
func masked(name string) bool {
	return utf8.RuneCountInString(name) < 2 || strings.ContainsRune(name, '*')
}
