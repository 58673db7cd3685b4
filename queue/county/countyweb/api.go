package countyweb

import (
	"context"
	_ "embed"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/county/countyview"
)

// siteJSON is a site with its link.
type siteJSON struct {
	countyview.SiteSummary
	Connected *bool      `json:"connected"`       // null when unknown
	Since     *time.Time `json:"since,omitempty"` // when the link came up or went down
	Pending   *int64     `json:"pending"`         // events the hub has not yet taken; null when unknown
	// LagSeconds is how long ago the last event happened at the site
	// (null before any): a site that is up but quiet lags too, so read
	// it with Connected and Pending.
	LagSeconds *int64 `json:"lag_seconds"`
}

func (s *Server) siteOut(sum countyview.SiteSummary) siteJSON {
	out := siteJSON{SiteSummary: sum}
	if s.links != nil {
		l := s.link(sum.Site)
		out.Connected = &l.Connected
		if !l.Since.IsZero() {
			out.Since = &l.Since
		}
		if l.Pending >= 0 {
			out.Pending = &l.Pending
		}
	}
	if !sum.LastTime.IsZero() {
		lag := int64(max(0, s.now().Sub(sum.LastTime)/time.Second))
		out.LagSeconds = &lag
	}
	return out
}

func (s *Server) listSites(c *gin.Context, _ queue.Principal) {
	sites, err := s.model.Sites(c.Request.Context())
	if err != nil {
		s.fail(c, err)
		return
	}
	out := make([]siteJSON, 0, len(sites))
	for _, sum := range sites {
		out = append(out, s.siteOut(sum))
	}
	c.JSON(http.StatusOK, gin.H{"sites": out})
}

func (s *Server) oneSite(c *gin.Context, _ queue.Principal) {
	d, err := s.model.Site(c.Request.Context(), c.Param("site"), c.Query("day"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"site": s.siteOut(d.SiteSummary), "stats": d.Stats, "assessment": d.Assessment})
}

// caseQuery reads the filters of a case list.
func caseQuery(c *gin.Context, site string) countyview.CaseQuery {
	return countyview.CaseQuery{Site: site, Unit: c.Query("unit"), Stage: c.Query("stage"), Overdue: c.Query("overdue") == "1",
		Reported: c.Query("reported") == "1"}
}

// cases lists the open cases of q that p may see, and how many it left
// out; the counts are of all.
func (s *Server) cases(ctx context.Context, p queue.Principal, q countyview.CaseQuery) (countyview.CaseList, int, error) {
	list, err := s.model.Cases(ctx, q)
	if err != nil {
		return list, 0, err
	}
	rows := list.Rows[:0]
	for i := range list.Rows {
		if visible(p, &list.Rows[i]) {
			rows = append(rows, list.Rows[i])
		}
	}
	hidden := len(list.Rows) - len(rows)
	list.Rows, list.Total = rows, list.Total-hidden
	return list, hidden, nil
}

func (s *Server) listCases(c *gin.Context, p queue.Principal, site string) {
	list, _, err := s.cases(c.Request.Context(), p, caseQuery(c, site))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, list)
}

func (s *Server) siteCases(c *gin.Context, p queue.Principal) { s.listCases(c, p, c.Param("site")) }

func (s *Server) countyCases(c *gin.Context, p queue.Principal) { s.listCases(c, p, c.Query("site")) }

// caseFor reads a case p may see: staff get 404 for one they may not
// (as if the county had none).
func (s *Server) caseFor(c *gin.Context, p queue.Principal) (*countyview.CaseDetail, error) {
	d, err := s.model.Case(c.Request.Context(), c.Param("site"), c.Param("code"))
	if err == nil && !visible(p, &d.CaseRow) {
		return nil, queue.Errorf(queue.ENOTFOUND, "县级平台没有这个案件（可能尚未上报）")
	}
	return d, err
}

func (s *Server) oneCase(c *gin.Context, p queue.Principal) {
	d, err := s.caseFor(c, p)
	if err != nil {
		s.fail(c, err)
		return
	}
	sent, err := s.model.Commands(c.Request.Context(), d)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, struct {
		*countyview.CaseDetail
		Commands []countyview.SentCommand `json:"commands"`
	}{d, append([]countyview.SentCommand{}, sent...)})
}

// assess is the assessment of the period ?period= names
// (cases.AssessPeriod), with the period's label.
func (s *Server) assess(c *gin.Context) (*countyview.Assessment, string, error) {
	from, to, label, err := cases.AssessPeriod(c.Query("period"), cases.DateOf(s.now(), s.model.Location()))
	if err != nil {
		return nil, "", queue.Errorf(queue.EINVALID, "%s", err.Error())
	}
	a, err := s.model.Assess(c.Request.Context(), from, to)
	return a, label, err
}

func (s *Server) assessment(c *gin.Context, _ queue.Principal) {
	a, _, err := s.assess(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, a)
}

// openapiDoc is this API's contract, written by hand; a test keeps its
// paths and the routes equal.
//
//go:embed openapi.json
var openapiDoc []byte

func (s *Server) openapi(c *gin.Context) {
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "application/json; charset=utf-8", openapiDoc)
}
