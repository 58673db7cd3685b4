package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"

	"yiting/queue"
	"yiting/queue/cases"
)

// The units' assessment (/dashboard/units, .csv): per unit and for the
// centre, over a month, a quarter or a year of registrations — 按期办结率,
// 满意率, overdue, supervision, ranking — with the centre's 研判, 预警,
// major matters and 集体访. Printable; supervisors and admins.

func (p *Pages) assessment(w http.ResponseWriter, r *http.Request) (*cases.Assessment, string, bool) {
	pr, ok := p.staffPage(w, r, queue.RoleSupervisor, queue.RoleAdmin)
	if !ok {
		return nil, "", false
	}
	if p.cases == nil {
		p.errorPage(w, http.StatusServiceUnavailable, "考核不可用", "本服务器未接入案件登记簿。")
		return nil, "", false
	}
	from, to, label, err := cases.AssessPeriod(r.URL.Query().Get("period"), cases.DateOf(p.now(), p.hall.Location))
	if err != nil {
		p.errorPage(w, http.StatusBadRequest, "期间有误", err.Error())
		return nil, "", false
	}
	ctx, cancel := context.WithTimeout(r.Context(), casesTimeout)
	defer cancel()
	a, err := p.cases.UnitAssessment(ctx, pr, from, to)
	if err != nil {
		p.casesFailed(w, r, err)
		return nil, "", false
	}
	return a, label, true
}

func (p *Pages) unitsPage(w http.ResponseWriter, r *http.Request) {
	a, label, ok := p.assessment(w, r)
	if !ok {
		return
	}
	pr, _ := p.principal(r)
	p.render(w, http.StatusOK, "units.html", view{Title: "单位考核", Page: "cases", Body: struct {
		A      *cases.Assessment
		Label  string
		Period string
		Rows   [][]string
	}{a, label, r.URL.Query().Get("period"), assessmentRows(a)}, Data: struct {
		pageData
		Me principalData `json:"me"`
	}{p.data, principalOut(pr)}})
}

func (p *Pages) unitsCSV(w http.ResponseWriter, r *http.Request) {
	a, label, ok := p.assessment(w, r)
	if !ok {
		return
	}
	download(w, "text/csv; charset=utf-8", "units-"+a.From.Compact()+"-"+a.To.Compact()+".csv")
	w.Write([]byte(utf8BOM))
	cw := csv.NewWriter(w)
	cw.Write([]string{"单位考核 " + label, a.From.String() + " 至 " + a.To.String()})
	for _, row := range assessmentRows(a) {
		cw.Write(row)
	}
	cw.Write(nil)
	cw.Write([]string{"研判会（次）", strconv.Itoa(a.Meetings), "预警（次）", strconv.Itoa(a.Warnings), "重大紧急（件）", strconv.Itoa(a.Major), "集体访（批次）", strconv.Itoa(a.Collective)})
	cw.Flush()
}

// assessmentRows: the header, each unit by rank, the centre.
func assessmentRows(a *cases.Assessment) [][]string {
	rows := [][]string{{"排名", "单位", "登记件数", "办结件数", "按期办结率", "满意率", "参评率", "逾期未办结", "督办件数", "督办次数", "逾期回复督办", "预警"}}
	line := func(rank string, u cases.UnitScore) []string {
		return []string{rank, cellSafe(u.Unit), strconv.Itoa(u.Cases), strconv.Itoa(u.Concluded), ratioText(u.OnTime), ratioText(u.Satisfaction),
			ratioText(u.Rated), strconv.Itoa(u.Overdue), strconv.Itoa(u.Supervised), strconv.Itoa(u.Supervisions), strconv.Itoa(u.LateReplies), strconv.Itoa(u.Warnings)}
	}
	for _, u := range a.Units {
		rank := "—"
		if u.Rank > 0 {
			rank = strconv.Itoa(u.Rank)
		}
		rows = append(rows, line(rank, u))
	}
	return append(rows, line("", a.Centre))
}
