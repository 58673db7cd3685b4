package countyweb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/county"
	"yiting/queue/county/countyview"
)

// Sender puts a command in the hub's outbox (*county.Outbox): it reaches
// the site as soon as the site's link allows, and the site applies it
// once.
type Sender interface {
	Send(ctx context.Context, c *county.Command) error
}

// newCommandID is a command's id: 20 random hex digits.
func newCommandID() string {
	id := make([]byte, 10)
	_, _ = rand.Read(id)
	return hex.EncodeToString(id)
}

// commandBody is a command as the API and the case page's form send it.
type commandBody struct {
	Kind     string `json:"kind" form:"kind"` // assign (交办), supervise (督办), warn (预警), conclude (办结)
	Unit     string `json:"unit" form:"unit"`
	Level    string `json:"level" form:"level"`
	Text     string `json:"text" form:"text"`
	Outcome  string `json:"outcome" form:"outcome"`   // conclude: answered, failed, mediated
	Referral string `json:"referral" form:"referral"` // conclude with failed: litigation, arbitration, administrative
}

// send sends a command about the request's case from p: supervisors
// only, about a case the county has.
func (s *Server) send(c *gin.Context, p queue.Principal, b commandBody) (*county.Command, error) {
	if s.sender == nil {
		return nil, queue.Errorf(queue.EUNAVAILABLE, "本平台未接入县级指令通道 (no outbox)")
	}
	d, err := s.caseFor(c, p)
	if err != nil {
		return nil, err
	}
	if county.CommandKind(b.Kind) == county.CommandRate {
		return nil, queue.Errorf(queue.EINVALID, "评价只能由来访人在查询页提交 (a rating is the visitor's)")
	}
	cmd := &county.Command{ID: newCommandID(), Site: d.Site, Case: d.Code, Kind: county.CommandKind(b.Kind),
		Unit: strings.TrimSpace(b.Unit), Level: strings.TrimSpace(b.Level), Text: strings.TrimSpace(b.Text), By: p.ID, At: s.now()}
	switch cmd.Kind {
	case county.CommandConclude:
		cmd.Unit, cmd.Level, cmd.Outcome = "", "", b.Outcome
		if cmd.Outcome == string(cases.OutcomeFailed) {
			cmd.Referral = b.Referral
		}
	case county.CommandSupervise:
		cmd.Unit = "" // the form sends every field
	default:
		cmd.Level = ""
	}
	if err := cmd.Check(); err != nil {
		return nil, queue.Errorf(queue.EINVALID, "%s", err.Error())
	}
	if err := s.sender.Send(c.Request.Context(), cmd); err != nil {
		return nil, err
	}
	sent := countyview.SentCommand{ID: cmd.ID, Kind: string(cmd.Kind), KindName: cmd.Kind.Name(), Unit: cmd.Unit, Level: cmd.Level,
		Text: cmd.Text, By: cmd.By, At: cmd.At, Outcome: cmd.Outcome, Referral: cmd.Referral}
	if err := s.model.RecordCommand(c.Request.Context(), d.Site, d.Code, sent); err != nil {
		// Sent all the same: only the page's list misses it.
		s.log.Error("countyweb: recording a command sent failed", "id", cmd.ID, "err", err)
	}
	return cmd, nil
}

// sendCommand answers POST /api/v1/county/cases/:site/:code/commands.
func (s *Server) sendCommand(c *gin.Context, p queue.Principal) {
	var b commandBody
	if err := c.ShouldBindJSON(&b); err != nil {
		s.fail(c, queue.Errorf(queue.EINVALID, "请求格式有误 (a JSON body: kind, unit, level, text, outcome, referral)"))
		return
	}
	cmd, err := s.send(c, p, b)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusAccepted, gin.H{"command": cmd})
}

// sendCommandForm answers the case page's form: back to the page, which
// lists the command.
func (s *Server) sendCommandForm(c *gin.Context, p queue.Principal) {
	var b commandBody
	_ = c.ShouldBind(&b)
	page := "/county/cases/" + url.PathEscape(c.Param("site")) + "/" + url.PathEscape(c.Param("code"))
	if _, err := s.send(c, p, b); err != nil {
		if queue.ErrorCode(err) == queue.EINVALID {
			c.Redirect(http.StatusSeeOther, page+"?error="+url.QueryEscape(queue.ErrorMessage(err)))
			return
		}
		s.failPage(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, page+"?sent=1")
}
