package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"yiting/queue"
	"yiting/queue/cases"
)

type kioskInquiryBody struct {
	IDNumber string `json:"id_number"` // read from the card
	CaseCode string `json:"case_code"` // or a case code…
	IDLast4  string `json:"id_last4"`  // …with the last four characters of a party's ID number
}

type kioskInquiryResponse struct {
	Cases []cases.PublicView `json:"cases"`
}

// kioskInquiry is 查询进度 at a kiosk (cases.Book.InquireAtKiosk): the
// visitor's open cases by the card on the reader, or one case by its code
// and the last four characters of a party's ID number. Kiosks and staff;
// a device's inquiries count against its card taps.
func (a *API) kioskInquiry(c *gin.Context, p queue.Principal) {
	var b kioskInquiryBody
	if !a.decode(c, &b) {
		return
	}
	cs, err := a.cases.InquireAtKiosk(c.Request.Context(), p, cases.KioskInquiry{IDNumber: b.IDNumber, Code: b.CaseCode, IDLast4: b.IDLast4})
	if err != nil {
		a.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, kioskInquiryResponse{Cases: cs})
}
