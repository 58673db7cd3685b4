package countyweb

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/county"
	"yiting/queue/county/countyview"
)

// The public inquiry page at the county (issue 14, item 4): the ticket's
// QR can point at the hub's public address, which a visitor's phone
// reaches from mobile data when the township's hall is not on the
// internet. It shows the case as its site last reported it — no names, no
// one's data: the county has none — and takes the visitor's rating of
// the result, which goes down to the site as a command. The token in the
// address is the proof: the hub keeps only its hash, as the site does.

func (s *Server) publicRoutes(r gin.IRouter) {
	r.GET("/c/:token", s.publicCase)
	r.POST("/c/:token/rate", s.publicRate)
}

type publicBody struct {
	C       *countyview.CaseDetail
	Outcome string
	Due     string
	CanRate bool
	Rated   string // the rating given here or at the site
	Pending bool   // a rating given here, not yet at the site
	Token   string
	Error   string
	Updated string
}

func (s *Server) publicCase(c *gin.Context) {
	securityHeaders(c)
	c.Header("Cache-Control", "no-store")
	d, err := s.model.CaseByToken(c.Request.Context(), cases.TokenHash(c.Param("token")))
	if err != nil {
		s.publicFail(c, err)
		return
	}
	b, err := s.publicView(c, d)
	if err != nil {
		s.publicFail(c, err)
		return
	}
	b.Error = c.Query("error")
	s.render(c, http.StatusOK, "public.html", view{Title: "事项查询 " + d.Code, Body: b})
}

// publicView is what the visitor sees of a case, and whether they may
// rate it: closed, not withdrawn, not rated at the site, no rating sent
// from here yet.
func (s *Server) publicView(c *gin.Context, d *countyview.CaseDetail) (publicBody, error) {
	b := publicBody{C: d, Token: c.Param("token"), Updated: s.when(d.Updated)}
	f := d.Facts
	if f == nil {
		f = &queue.CaseFacts{}
	}
	b.Outcome = cases.Outcome(f.Outcome).Name()
	if d.Due != nil {
		b.Due = d.Due.Date.String()
	}
	switch f.Satisfaction {
	case 1:
		b.Rated = "满意"
	case -1:
		b.Rated = "不满意"
	}
	sent, err := s.model.Commands(c.Request.Context(), d)
	if err != nil {
		return b, err
	}
	for _, sc := range sent {
		if sc.Kind == string(county.CommandRate) && b.Rated == "" {
			b.Rated, b.Pending = sc.Text, true
		}
	}
	b.CanRate = d.Status == string(cases.StatusClosed) && f.Outcome != string(cases.OutcomeWithdrawn) && b.Rated == "" && s.sender != nil
	return b, nil
}

func (s *Server) publicRate(c *gin.Context) {
	securityHeaders(c)
	d, err := s.model.CaseByToken(c.Request.Context(), cases.TokenHash(c.Param("token")))
	if err != nil {
		s.publicFail(c, err)
		return
	}
	b, err := s.publicView(c, d)
	if err != nil {
		s.publicFail(c, err)
		return
	}
	page := "/c/" + url.PathEscape(c.Param("token"))
	v := c.PostForm("satisfied")
	if !b.CanRate || (v != "1" && v != "0") {
		c.Redirect(http.StatusSeeOther, page+"?error="+url.QueryEscape("此事项现在不能评价，或已评价过。"))
		return
	}
	satisfied := v == "1"
	label := "不满意"
	if satisfied {
		label = "满意"
	}
	cmd := &county.Command{ID: newCommandID(), Site: d.Site, Case: d.Code, Kind: county.CommandRate, Satisfied: satisfied,
		By: "visitor", At: s.now()}
	if err := s.sender.Send(c.Request.Context(), cmd); err != nil {
		s.publicFail(c, err)
		return
	}
	err = s.model.RecordCommand(c.Request.Context(), d.Site, d.Code, countyview.SentCommand{ID: cmd.ID, Kind: string(cmd.Kind),
		KindName: cmd.Kind.Name(), Text: label, By: cmd.By, At: cmd.At})
	if err != nil {
		s.log.Error("countyweb: recording a rating sent failed", "id", cmd.ID, "err", err)
	}
	c.Redirect(http.StatusSeeOther, page)
}

// publicFail tells a visitor what went wrong without a word of the
// server's inside.
func (s *Server) publicFail(c *gin.Context, err error) {
	if queue.ErrorCode(err) == queue.ENOTFOUND {
		s.render(c, http.StatusNotFound, "error.html", view{Title: "没有找到这件事项",
			Body: "请核对二维码是否完整；新登记的事项要等受理的综治中心联网上报后才能在这里查到，也可以到受理的综治中心查询。"})
		return
	}
	s.log.Error("countyweb: the public page failed", "err", err)
	s.render(c, http.StatusInternalServerError, "error.html", view{Title: "暂时无法查询", Body: "请稍后再试。"})
}
