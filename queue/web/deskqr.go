package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"yiting/queue"
	"yiting/queue/cases"
)

// QRCoder draws a QR symbol: its dark modules, row by row, without the
// quiet zone (printer.QRMatrix at level M is the hall's).
type QRCoder func(payload string) ([][]bool, error)

// deskQR draws, as SVG, the QR code of a case's inquiry page for the
// ticket the service desk prints from the browser. The URL comes in the
// body (it carries the inquiry token: never in a URL or a log), and only
// this hall's inquiry URLs are drawn. Staff, supervisors and admins.
func (p *Pages) deskQR(w http.ResponseWriter, r *http.Request) {
	var body struct {
		URL string `json:"url"`
	}
	if !p.deskRequest(w, r, p.qr != nil, "本系统未配置二维码", &body) {
		return
	}
	base := p.cases.InquiryURL("")
	if !strings.HasPrefix(body.URL, base) || !cases.WellFormedToken(body.URL[len(base):]) {
		http.Error(w, "不是本中心的查询地址", http.StatusBadRequest)
		return
	}
	m, err := p.qr(body.URL)
	if err != nil {
		p.log.Error("desk: drawing the QR code failed", "err", err)
		http.Error(w, "二维码生成失败", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, qrSVG(m))
}

// deskRequest lets a request of the console's service desk through: a
// person's session (no device), the part it needs configured (else 503
// with why) and its small JSON body decoded. It answers and returns false
// otherwise.
func (p *Pages) deskRequest(w http.ResponseWriter, r *http.Request, configured bool, missing string, body any) bool {
	pr, ok := p.principal(r)
	switch {
	case !ok || pr.Role.IsDevice():
		http.Error(w, "请先登录", http.StatusUnauthorized)
		return false
	case !configured || p.cases == nil:
		http.Error(w, missing, http.StatusServiceUnavailable)
		return false
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1024)).Decode(body); err != nil {
		http.Error(w, "请求无效", http.StatusBadRequest)
		return false
	}
	return true
}

// qrSVG draws the modules as one path, with a quiet zone of 4 modules.
func qrSVG(m [][]bool) string {
	const quiet = 4
	n := len(m) + 2*quiet
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range m {
		for x, dark := range row {
			if dark {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+quiet, y+quiet)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String()
}

// deskPrintTicket prints a ticket the service desk issued on the hall
// server's desk printer: POST {"ticket": id, "case_url": "…"}. The ticket
// is read from the engine; the case URL (the QR, a secret kept only
// sealed on the server) must be this hall's inquiry URL of that ticket's
// own case. Staff, supervisors and admins.
func (p *Pages) deskPrintTicket(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Ticket  uint64 `json:"ticket"`
		CaseURL string `json:"case_url"`
	}
	if !p.deskRequest(w, r, p.deskPrint != nil, "服务台未配置打印机，请用浏览器打印", &body) {
		return
	}
	tv, err := p.eng.Ticket(r.Context(), body.Ticket)
	if err != nil {
		http.Error(w, "没有这张票", http.StatusNotFound)
		return
	}
	if tv.CaseCode != "" || body.CaseURL != "" {
		base := p.cases.InquiryURL("")
		token, isOurs := strings.CutPrefix(body.CaseURL, base)
		var pv cases.PublicView
		if isOurs && cases.WellFormedToken(token) {
			pv, err = p.cases.Inquire(r.Context(), token)
		}
		if !isOurs || err != nil || pv.Code != tv.CaseCode {
			http.Error(w, "二维码与该票的案件不符", http.StatusBadRequest)
			return
		}
	}
	if err := p.deskPrint(r.Context(), tv.ID, body.CaseURL); err != nil {
		p.log.Warn("desk: the ticket did not print", "ticket", tv.Number, "err", err)
		http.Error(w, queue.ErrorMessage(err), http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
