package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"yiting/queue"
	"yiting/queue/rota"
)

// The duty rota (queue/rota): every principal reads it (the kiosk and the
// board show who receives today: public information); admins and
// supervisors keep it.
func (a *API) rotaRoutes(v1 *gin.RouterGroup) {
	v1.GET("/rota", a.authed(a.rotaList))
	v1.POST("/rota", a.authed(a.rotaSet))
	v1.POST("/rota/delete", a.authed(a.rotaDelete))
}

func (a *API) rotaReady(c *gin.Context) bool {
	if a.rota == nil {
		a.fail(c, queue.Errorf(queue.EUNAVAILABLE, "本服务器未启用值班表 (no duty rota)"))
		return false
	}
	return true
}

// rotaList: GET /rota?from=2026-12-01&to=2026-12-31 (both required).
func (a *API) rotaList(c *gin.Context, p queue.Principal) {
	if !a.rotaReady(c) {
		return
	}
	es, err := a.rota.Between(c.Request.Context(), c.Query("from"), c.Query("to"))
	if err != nil {
		a.fail(c, err)
		return
	}
	if es == nil {
		es = []rota.Entry{}
	}
	writeJSON(c, http.StatusOK, struct {
		Entries []rota.Entry `json:"entries"`
	}{es})
}

func (a *API) rotaSet(c *gin.Context, p queue.Principal) {
	if !a.rotaReady(c) {
		return
	}
	var b struct {
		Day     string    `json:"day"`
		Kind    rota.Kind `json:"kind"`
		Who     string    `json:"who"`
		Counter string    `json:"counter"`
		Service string    `json:"service"`
		Note    string    `json:"note"`
	}
	if !a.decode(c, &b) {
		return
	}
	e, err := a.rota.Set(c.Request.Context(), p, rota.Entry{Day: b.Day, Kind: b.Kind, Who: b.Who, CounterID: b.Counter, ServiceID: b.Service, Note: b.Note})
	if err != nil {
		a.fail(c, err)
		return
	}
	writeJSON(c, http.StatusOK, struct {
		Entry rota.Entry `json:"entry"`
	}{e})
}

func (a *API) rotaDelete(c *gin.Context, p queue.Principal) {
	if !a.rotaReady(c) {
		return
	}
	var b struct {
		Key string `json:"key"`
	}
	if !a.decode(c, &b) {
		return
	}
	if err := a.rota.Remove(c.Request.Context(), p, b.Key); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
