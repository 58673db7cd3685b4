package access

import (
	"net/http"
	"net/url"
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

// SetSession sets the session cookie a login made: HttpOnly, SameSite
// Strict, Secure over TLS — the one place its attributes are written (the
// hall's API, the county hub's login form).
func SetSession(w http.ResponseWriter, r *http.Request, secret string) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: secret, Path: "/", HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteStrictMode})
}

// ClearSession removes the session cookie (a logout).
func ClearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: r.TLS != nil,
		SameSite: http.SameSiteStrictMode})
}

// SafeNext is the page to go to after a login: a path on this server,
// never another site (an open redirect would send a fresh login
// elsewhere), nor the login page itself; otherwise fallback.
func SafeNext(next, fallback string) string {
	u, err := url.Parse(next)
	if next == "" || err != nil || u.IsAbs() || u.Host != "" || !strings.HasPrefix(u.Path, "/") ||
		strings.HasPrefix(next, "//") || strings.Contains(next, "\\") || strings.HasPrefix(u.Path, "/login") {
		return fallback
	}
	return u.RequestURI()
}
