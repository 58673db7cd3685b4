package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"yiting/queue"
)

// healthTimeout bounds the Health check: a health probe that hangs is
// as good as a failed one.
const healthTimeout = 2 * time.Second

type healthResponse struct {
	Status  string       `json:"status"`
	Version string       `json:"version,omitempty"`
	Error   *errorDetail `json:"error,omitempty"`
}

// healthz answers 200 {"status":"ok"} while the server can work, 503
// when the Health check fails or Shutdown was called (so a supervisor or
// load balancer stops sending new work). No credentials: it says nothing
// but ok or not; the cause goes to the log.
func (a *API) healthz(c *gin.Context) {
	err := a.stopCtx.Err()
	if err == nil && a.health != nil {
		ctx, cancel := context.WithTimeout(c.Request.Context(), healthTimeout)
		err = a.health(ctx)
		cancel()
	}
	if err != nil {
		a.log.Warn("health check failed", "err", err)
		writeJSON(c, http.StatusServiceUnavailable, healthResponse{Status: "unavailable", Version: a.version,
			Error: &errorDetail{Code: queue.EUNAVAILABLE, Message: defaultMessage(queue.EUNAVAILABLE)}})
		return
	}
	writeJSON(c, http.StatusOK, healthResponse{Status: "ok", Version: a.version})
}
