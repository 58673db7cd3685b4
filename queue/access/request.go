package access

import (
	"net/http"
	"strings"
)

// CookieName is the session cookie a login sets (POST /api/v1/login) and
// the staff pages read.
const CookieName = "yiting_session"

// SecretOf returns the credential a request carries — the Authorization
// header ("Bearer <secret>"), else the session cookie, else, when
// allowQuery (a browser's EventSource and a device's first page load
// cannot set a header), ?token= — the one way the API and the pages read
// it. ok is false for an Authorization header that is not a Bearer one;
// a request without any credential gives "", true.
func SecretOf(r *http.Request, allowQuery bool) (secret string, ok bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		const prefix = "Bearer "
		if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
			return "", false
		}
		return strings.TrimSpace(h[len(prefix):]), true
	}
	if ck, err := r.Cookie(CookieName); err == nil && ck.Value != "" {
		return ck.Value, true
	}
	if allowQuery {
		if t := r.URL.Query().Get("token"); t != "" {
			return t, true
		}
	}
	return "", true
}
