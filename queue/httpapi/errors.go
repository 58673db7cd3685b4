package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"yiting/queue"
	"yiting/queue/access"
)

// statusOf maps error codes to HTTP statuses: the queue's by the one
// table (access.StatusOf), the transport's own here.
func statusOf(code string) int {
	switch code {
	case codeTooLarge:
		return http.StatusRequestEntityTooLarge
	case codeMediaType:
		return http.StatusUnsupportedMediaType
	case codeMethod:
		return http.StatusMethodNotAllowed
	case codeTimeout:
		return http.StatusRequestTimeout
	}
	return access.StatusOf(code)
}

// Codes of the transport itself, beside the queue's.
const (
	codeTooLarge  = "too_large"
	codeMediaType = "unsupported_media_type"
	codeMethod    = "method_not_allowed"
	codeTimeout   = "request_timeout"
)

// defaultMessage is said when an error of that code carries no message
// (a wrapped sentinel such as queue.ErrNotFound from a store).
func defaultMessage(code string) string {
	switch code {
	case queue.EINVALID:
		return "请求无效 (invalid request)"
	case queue.EUNAUTH:
		return "未登录或登录已过期，请重新登录 (not logged in)"
	case queue.EFORBIDDEN:
		return "没有权限 (forbidden)"
	case queue.ENOTFOUND:
		return "未找到 (not found)"
	case queue.ECONFLICT:
		return "当前状态不允许此操作 (conflict)"
	case queue.ETOOMANY:
		return "请求过于频繁，请稍后再试 (too many requests)"
	case queue.EFULL:
		return "已约满，请选择其他时段 (fully booked)"
	case queue.EUNAVAILABLE:
		return "系统暂时不可用，请稍后重试 (unavailable)"
	}
	return internalMessage
}

const internalMessage = "系统内部错误，请联系管理员 (internal error)"

// errorBody is the one shape of every error answer:
// {"error":{"code":"...","message":"..."}}.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// fail answers with err. Internal errors become a generic message and are
// logged here, once, with the route; unavailable ones are logged as a
// warning because their cause (a full disk) needs a person.
func (a *API) fail(c *gin.Context, err error) {
	code, msg := queue.EINTERNAL, ""
	var qe *queue.Error
	switch {
	case errors.As(err, &qe):
		code, msg = qe.Code, qe.Message
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		// The client went away or gave up; nobody reads the answer.
		code, msg = queue.EUNAVAILABLE, "请求已取消或超时 (request cancelled or timed out)"
	}
	status := statusOf(code)
	switch {
	case status == http.StatusInternalServerError:
		a.log.Error("internal error", "method", c.Request.Method, "route", route(c), "err", err)
		code, msg = queue.EINTERNAL, internalMessage
	case code == queue.EUNAVAILABLE && qe != nil:
		a.log.Warn("request failed: unavailable", "method", c.Request.Method, "route", route(c), "err", err)
	}
	if msg == "" {
		msg = defaultMessage(code)
	}
	h := c.Writer.Header()
	switch status {
	case http.StatusUnauthorized:
		h.Set("WWW-Authenticate", `Bearer realm="yiting"`)
	case http.StatusTooManyRequests:
		var le *access.LockedError
		if errors.As(err, &le) {
			h.Set("Retry-After", strconv.Itoa(retryAfter(a.now(), le.Until)))
		}
	}
	a.abort(c, status, code, msg)
}

// abort writes an error answer and stops the handler chain.
func (a *API) abort(c *gin.Context, status int, code, msg string) {
	writeError(c.Writer, status, code, msg)
	c.Abort()
}

// writeError writes an error answer in the one shape.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	encodeJSON(w, status, errorBody{Error: errorDetail{Code: code, Message: msg}})
}

// writeJSON answers with v encoded by encoding/json (no reflection-heavy
// render layer on the hot path).
func writeJSON(c *gin.Context, status int, v any) { encodeJSON(c.Writer, status, v) }

func encodeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	// Encode buffers the whole value before writing, so a failure here
	// is a write to a client that went away; there is nobody to tell.
	_ = json.NewEncoder(w).Encode(v)
}

// invalid is a 400 with a message naming the field.
func invalid(msg string) error { return queue.Errorf(queue.EINVALID, "%s", msg) }

// retryAfter is the seconds until t, at least 1.
func retryAfter(now, t time.Time) int { return max(int(t.Sub(now).Seconds()+0.999), 1) }
