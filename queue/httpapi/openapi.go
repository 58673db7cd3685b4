package httpapi

import (
	_ "embed"
	"net/http"

	"github.com/gin-gonic/gin"
)

// openapiDoc is the API's contract, an OpenAPI 3.0 document written by
// hand. A test checks that its paths and the registered routes are the
// same set. It is embedded, never changed.
//
//go:embed openapi.json
var openapiDoc []byte

// openapi serves the document. No credentials: it describes the API and
// holds no data.
func (a *API) openapi(c *gin.Context) {
	c.Writer.Header().Set("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "application/json; charset=utf-8", openapiDoc)
}
