package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strings"

	"github.com/gin-gonic/gin"

	"yiting/queue"
)

// decode reads the request's JSON body into v and reports whether the
// handler may go on; when not, the error answer has been written.
//
// The body must be application/json (415 otherwise), at most MaxBody
// bytes (413), sent within Limits' body deadline (408), one well-formed
// JSON value (400) with no field v does not know (400 naming the field). An empty body with no Content-Type leaves
// v as it is, so commands without parameters can be sent bare.
func (a *API) decode(c *gin.Context, v any) bool {
	r := c.Request
	if r.ContentLength > a.maxBody {
		a.abort(c, http.StatusRequestEntityTooLarge, codeTooLarge, tooLargeMessage(a.maxBody))
		return false
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" && r.ContentLength == 0 {
		return true
	}
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		a.abort(c, http.StatusUnsupportedMediaType, codeMediaType,
			"请求内容须为 JSON (Content-Type must be application/json)")
		return false
	}
	dec := json.NewDecoder(http.MaxBytesReader(unwrap(c.Writer), r.Body, a.maxBody))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == io.EOF {
		return true // an empty body is an empty object
	}
	if err == nil {
		// One value only: trailing garbage is as malformed as a
		// missing brace.
		var extra json.RawMessage
		if err = dec.Decode(&extra); err == io.EOF {
			return true
		} else if err == nil {
			err = errors.New("json: more than one value in the body")
		}
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		a.abort(c, http.StatusRequestEntityTooLarge, codeTooLarge, tooLargeMessage(a.maxBody))
		return false
	}
	if errors.Is(err, os.ErrDeadlineExceeded) { // Limits' body deadline
		c.Header("Connection", "close") // the rest of the body will not be read
		a.abort(c, http.StatusRequestTimeout, codeTimeout, bodyTimeoutMessage)
		return false
	}
	a.fail(c, bodyError(err))
	return false
}

const bodyTimeoutMessage = "请求内容发送超时，请检查网络后重试 (request body too slow)"

func tooLargeMessage(n int64) string {
	return fmt.Sprintf("请求内容过大，最多 %d 字节 (request body larger than %d bytes)", n, n)
}

// bodyError turns a decoding error into a 400 that says what is wrong
// and where.
func bodyError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return invalid(fmt.Sprintf("JSON 格式错误，位置 %d (malformed JSON at offset %d: %v)", syn.Offset, syn.Offset, syn))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("JSON 不完整 (malformed JSON: unexpected end)")
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return invalid(fmt.Sprintf("字段 %s 类型错误，应为 %s (field %s: expected %s, got JSON %s)", field, typ.Type, field, typ.Type, typ.Value))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json has no typed error for this.
		field := strings.TrimPrefix(err.Error(), "json: unknown field ")
		return invalid(fmt.Sprintf("未知字段 %s (unknown field %s)", field, field))
	}
	return &queue.Error{Code: queue.EINVALID, Message: "JSON 格式错误 (malformed JSON: " + err.Error() + ")", Err: err}
}

// unwrap finds the net/http ResponseWriter under gin's, so that
// MaxBytesReader can tell the server to close the connection after a
// body that was too large instead of reading the rest of it.
func unwrap(w http.ResponseWriter) http.ResponseWriter {
	for {
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return w
		}
		w = u.Unwrap()
	}
}
