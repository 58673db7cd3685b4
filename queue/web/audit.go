package web

import (
	"context"
	"net/http"
	"slices"

	"yiting/queue"
	"yiting/queue/cases"
)

// auditShown is how many of the newest audit entries the page shows.
const auditShown = 1000

type auditLine struct {
	At, Actor, Role, Action, Case, Fields, Reason string
}

// auditPage is the audit log of personal data for supervisors and admins:
// who opened which case's parties, searched by ID number or anonymised,
// when and why; newest first, of one case with ?case=.
func (p *Pages) auditPage(w http.ResponseWriter, r *http.Request) {
	pr, ok := p.staffPage(w, r, queue.RoleSupervisor, queue.RoleAdmin)
	if !ok {
		return
	}
	if p.cases == nil {
		p.errorPage(w, http.StatusServiceUnavailable, "审计日志不可用", "本服务器未接入案件登记簿。")
		return
	}
	code := r.URL.Query().Get("case")
	if code != "" {
		c, err := cases.NormalizeCode(code)
		if err != nil {
			p.errorPage(w, http.StatusBadRequest, "案件编号有误", queue.ErrorMessage(err))
			return
		}
		code = c
	}
	ctx, cancel := context.WithTimeout(r.Context(), casesTimeout)
	defer cancel()
	var all []cases.AuditEntry
	for after := uint64(0); ; {
		es, err := p.cases.Audit(ctx, pr, after, 1000, code)
		if err != nil {
			p.casesFailed(w, r, err)
			return
		}
		all = append(all, es...)
		if len(all) > auditShown {
			all = all[len(all)-auditShown:]
		}
		if len(es) < 1000 {
			break
		}
		after = es[len(es)-1].Seq
	}
	slices.Reverse(all)
	actions := map[string]string{"view": "查看完整个人信息", "search": "按证件号码查找", "anonymise": "匿名化"}
	var lines []auditLine
	for _, e := range all {
		a := actions[e.Action]
		if a == "" {
			a = e.Action
		}
		lines = append(lines, auditLine{At: p.when(e.At), Actor: e.Actor, Role: e.Role, Action: a, Case: e.Case, Fields: e.Fields, Reason: e.Reason})
	}
	p.render(w, http.StatusOK, "audit.html", view{Title: "个人信息审计", Page: "cases", Body: struct {
		Lines []auditLine
		Case  string
		Max   int
	}{lines, code, auditShown}, Data: struct {
		pageData
		Me principalData `json:"me"`
	}{p.data, principalOut(pr)}})
}
