package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"yiting/queue"
	"yiting/queue/cases"
)

// IdempotencyHeader carries the key that makes POST /tickets safe to
// retry: a kiosk sends one per tap and the same one on every retry of it.
const IdempotencyHeader = "Idempotency-Key"

// personBody is a person as the card said it (a kiosk) or a clerk typed it
// (the service desk). It arrives over TLS and goes straight to the desk,
// which seals it; it is never logged or echoed.
type personBody struct {
	IDNumber string `json:"id_number"`
	Name     string `json:"name"`
	Address  string `json:"address"`
	Phone    string `json:"phone"`
	CardType string `json:"card_type"`
	Birth    string `json:"birth"` // "2006-01-02", from the card
}

// persons turns the bodies into the desk's persons.
func persons(bs []personBody) ([]cases.Person, error) {
	var out []cases.Person
	for i, pb := range bs {
		ps := cases.Person{IDNumber: pb.IDNumber, Name: pb.Name, Address: pb.Address, Phone: pb.Phone, CardType: pb.CardType}
		if pb.Birth != "" {
			t, err := time.Parse(time.DateOnly, pb.Birth)
			if err != nil {
				return nil, invalid("persons[" + strconv.Itoa(i) + "].birth 应为 YYYY-MM-DD (birth must be a date)")
			}
			ps.Birth = t
		}
		out = append(out, ps)
	}
	return out, nil
}

// idempotencyKey reads the request's Idempotency-Key, or answers 400.
func (a *API) idempotencyKey(c *gin.Context) (string, bool) {
	key := c.Request.Header.Get(IdempotencyHeader)
	if key == "" {
		a.fail(c, invalid("缺少 Idempotency-Key 请求头 (the Idempotency-Key header is required; send one per request and the same on its retries)"))
	}
	return key, key != ""
}

type issueBody struct {
	Service   string       `json:"service"`
	Persons   []personBody `json:"persons"`
	GroupSize int          `json:"group_size"`
	Priority  string       `json:"priority"`
	NoID      string       `json:"no_id"`
	Summary   string       `json:"summary"`
}

type issueResponse struct {
	Ticket   queue.Ticket `json:"ticket"`
	Ahead    int          `json:"ahead"`
	CaseCode string       `json:"case_code,omitempty"`
	CaseURL  string       `json:"case_url,omitempty"` // the case's inquiry page: the ticket's QR code
	Linked   bool         `json:"linked,omitempty"`   // the visit joined the visitor's open case
}

// issue is the desk (cases.Book.Issue): a ticket with its case, or with
// the visit linked to the visitor's open case. 201 with the new ticket,
// or 200 with header Idempotent-Replayed: true when the key was seen
// before today from the same issuer (the kiosk's first answer was lost; it
// gets the same ticket and case, not a second one).
func (a *API) issue(c *gin.Context, p queue.Principal) {
	key, ok := a.idempotencyKey(c)
	if !ok {
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
	req := cases.IssueRequest{ServiceID: b.Service, GroupSize: b.GroupSize, Priority: b.Priority, NoID: b.NoID,
		Summary: b.Summary, IdempotencyKey: key}
	var err error
	if req.Persons, err = persons(b.Persons); err != nil {
		a.fail(c, err)
		return
	}
	is, err := a.cases.Issue(c.Request.Context(), p, req)
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
	t := redactTicket(is.Ticket, p)
	t.CaseCode = is.Ticket.CaseCode // the issuer prints its own ticket's code (一件一码)
	writeJSON(c, status, issueResponse{Ticket: t, Ahead: is.Ahead,
		CaseCode: is.CaseCode, CaseURL: is.CaseURL, Linked: is.Linked})
}
