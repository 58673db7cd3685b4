package web

import (
	"net/http"
	"net/url"
	"slices"

	"yiting/queue"
	"yiting/queue/access"
)

// principal authenticates the request; ok is false when it carries no
// valid credential.
func (p *Pages) principal(r *http.Request) (queue.Principal, bool) {
	secret, _ := access.SecretOf(r, false)
	if secret == "" {
		return queue.Principal{}, false
	}
	pr, err := p.auth.Authenticate(r.Context(), secret)
	if err != nil {
		return queue.Principal{}, false
	}
	return pr, true
}

// staffPage lets a page through for a logged-in person of one of the
// roles. Without a session it sends the browser to the login page, which
// comes back here; with the wrong role it answers 403 with a page that
// says so.
func (p *Pages) staffPage(w http.ResponseWriter, r *http.Request, roles ...queue.Role) (queue.Principal, bool) {
	pr, ok := p.principal(r)
	if !ok || pr.Role.IsDevice() {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return queue.Principal{}, false
	}
	if pr.MustChangePassword {
		http.Redirect(w, r, "/password?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return queue.Principal{}, false
	}
	if !slices.Contains(roles, pr.Role) {
		p.errorPage(w, http.StatusForbidden, "没有权限", "您的账号（"+pr.ID+"）不能打开此页面。请使用有权限的账号登录。")
		return queue.Principal{}, false
	}
	return pr, true
}

// safeNext is the page to go to after the login (access.SafeNext), the
// console by default.
func safeNext(next string) string { return access.SafeNext(next, "/console") }
