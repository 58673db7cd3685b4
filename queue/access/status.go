package access

import (
	"net/http"

	"yiting/queue"
)

// StatusOf is the one table from the queue's error codes to HTTP
// statuses, for every HTTP adapter (the hall's API, the county hub's);
// an unknown code is 500. Transport codes of an adapter's own (a body too
// large, a method not allowed) are the adapter's.
func StatusOf(code string) int {
	switch code {
	case queue.EINVALID:
		return http.StatusBadRequest
	case queue.EUNAUTH:
		return http.StatusUnauthorized
	case queue.EFORBIDDEN:
		return http.StatusForbidden
	case queue.ENOTFOUND:
		return http.StatusNotFound
	case queue.ECONFLICT, queue.EFULL:
		return http.StatusConflict
	case queue.ETOOMANY:
		return http.StatusTooManyRequests
	case queue.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
