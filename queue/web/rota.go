package web

import (
	"context"
	"net/http"
	"time"

	"yiting/queue"
	"yiting/queue/rota"
)

// rotaDays is how far ahead the rota page shows the schedule.
const rotaDays = 60

// rotaPage is the duty rota (/dashboard/rota): admins and supervisors see
// the next rotaDays days and add or remove a duty — a county leader's
// reception day in the leaders' room (领导接访), a political-legal leader's
// turn, a counselling day. The page's script sends the changes to the API.
func (p *Pages) rotaPage(w http.ResponseWriter, r *http.Request) {
	pr, ok := p.staffPage(w, r, queue.RoleSupervisor, queue.RoleAdmin)
	if !ok {
		return
	}
	if p.rota == nil {
		p.errorPage(w, http.StatusServiceUnavailable, "值班表不可用", "本服务器未启用值班表。")
		return
	}
	today := p.now().In(p.hall.Location)
	ctx, cancel := context.WithTimeout(r.Context(), casesTimeout)
	defer cancel()
	es, err := p.rota.Between(ctx, today.Format(time.DateOnly), today.AddDate(0, 0, rotaDays).Format(time.DateOnly))
	if err != nil {
		p.casesFailed(w, r, err)
		return
	}
	var kinds, counters, services []option
	for _, k := range rota.Kinds() {
		kinds = append(kinds, option{string(k), k.Name(), false})
	}
	for _, c := range p.hall.Counters {
		counters = append(counters, option{c.ID, c.Name, false})
	}
	for _, s := range p.hall.Services {
		if s.DutyOnly {
			services = append(services, option{s.ID, s.Name, false})
		}
	}
	p.render(w, http.StatusOK, "rota.html", view{Title: "值班表", Page: "rota", Body: struct {
		Entries                   []rota.Entry
		Kinds, Counters, Services []option
		Today                     string
		Days                      int
	}{es, kinds, counters, services, today.Format(time.DateOnly), rotaDays}, Data: struct {
		pageData
		Me principalData `json:"me"`
	}{p.data, principalOut(pr)}})
}
