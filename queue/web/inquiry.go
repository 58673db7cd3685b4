package web

import (
	_ "embed"
	"errors"
	"html/template"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"yiting/queue"
	"yiting/queue/cases"
)

// The public inquiry page (询事 and 评事, 信访工作条例 Art. 21): the QR code on
// the ticket opens PublicURL/c/{token} on the visitor's phone. It shows
// where the matter stands, the next step, the due day and the window to
// contact — nothing personal beyond a masked name — and, once the matter
// is closed, takes one rating of the result (满意 / 不满意).
//
// The token is 128 random bits; still, wrong tokens are counted per
// client address and a client that guesses too often gets 429 for a
// while. A wrong token takes the same path as a right one (hash, one
// lookup) and answers 404. The page sets no cookie and sends no Referer
// (the token is in the URL), and nothing of it is logged.

// Defaults of the guess limit.
const (
	DefaultInquiryGuesses = 20               // wrong tokens per client address …
	DefaultInquiryWindow  = 10 * time.Minute // … within this window
)

//go:embed inquiry.html
var inquiryHTML string

// InquiryOptions tune the inquiry page; the zero value means the defaults.
type InquiryOptions struct {
	Guesses int           // wrong tokens allowed per address and window
	Window  time.Duration // the window, and how long a client is refused after
}

// Inquiry returns the handler of the public inquiry page, GET and POST
// /c/{token}; Register mounts it at "/c/" with the default limits. Without
// a case book every request answers 404.
func (p *Pages) Inquiry(opts InquiryOptions) http.Handler {
	if opts.Guesses <= 0 {
		opts.Guesses = DefaultInquiryGuesses
	}
	if opts.Window <= 0 {
		opts.Window = DefaultInquiryWindow
	}
	return &inquiry{
		p:    p,
		tmpl: template.Must(template.New("inquiry").Parse(inquiryHTML)),
		lim:  &guessLimiter{max: opts.Guesses, window: opts.Window, now: p.now, m: map[string]*guesses{}},
		cop:  http.NewCrossOriginProtection(),
	}
}

type inquiry struct {
	p    *Pages
	tmpl *template.Template
	lim  *guessLimiter
	cop  *http.CrossOriginProtection
}

type inquiryPage struct {
	Hall    string
	Found   bool
	Case    cases.PublicView
	Due     string
	Message string
	Token   string
	Write   bool // the page of the forms to ask and add material (no refresh)
	Book    bool // the hall takes public bookings: a link to book a visit for the case
}

// maxTellBody bounds a message with its photos.
const maxTellBody = 3*(5<<20) + 64<<10

func (h *inquiry) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := publicHeaders(w)
	token, ok := strings.CutPrefix(r.URL.Path, "/c/")
	if !ok || strings.Contains(token, "/") {
		h.render(w, http.StatusNotFound, inquiryPage{Message: "页面不存在"})
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Method != http.MethodPost {
		hd.Set("Allow", "GET, HEAD, POST")
		h.render(w, http.StatusMethodNotAllowed, inquiryPage{Message: "不支持的请求"})
		return
	}
	ip := clientIP(r)
	if h.p.cases == nil {
		h.render(w, http.StatusNotFound, inquiryPage{Message: "未找到该事项"})
		return
	}
	if until, blocked := h.lim.blocked(ip); blocked {
		hd.Set("Retry-After", strconv.Itoa(retryAfter(h.p.now(), until)))
		h.render(w, http.StatusTooManyRequests, inquiryPage{Message: "查询过于频繁，请稍后再试"})
		return
	}
	ctx := r.Context()
	var (
		pv  cases.PublicView
		err error
		msg string
	)
	if r.Method == http.MethodPost {
		if err := h.cop.Check(r); err != nil {
			h.render(w, http.StatusForbidden, inquiryPage{Message: "拒绝跨站请求"})
			return
		}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
			pv, err = h.tell(w, r, token)
			msg = "已提交，承办人员会查看并答复。"
		} else {
			r.Body = http.MaxBytesReader(w, r.Body, 1024)
			v := ""
			if err := r.ParseForm(); err == nil {
				v = r.PostForm.Get("satisfied")
			}
			if v != "1" && v != "0" {
				h.render(w, http.StatusBadRequest, inquiryPage{Message: "请选择满意或不满意"})
				return
			}
			pv, err = h.p.cases.RateResult(ctx, token, v == "1")
			msg = "感谢您的评价！"
		}
	} else {
		pv, err = h.p.cases.Inquire(ctx, token)
	}
	switch {
	case queue.ErrorCode(err) == queue.ENOTFOUND:
		if h.lim.fail(ip) {
			h.p.log.Warn("inquiry page: too many wrong tokens; client refused for a while", "client", ip)
		}
		h.render(w, http.StatusNotFound, inquiryPage{Message: "未找到该事项，请核对二维码或到窗口咨询"})
		return
	case queue.ErrorCode(err) == queue.ECONFLICT, queue.ErrorCode(err) == queue.EINVALID, queue.ErrorCode(err) == queue.ETOOMANY:
		// A rating or a message refused (not closed yet, already rated,
		// a bad photo, too many today): show the page with why.
		msg = queue.ErrorMessage(err)
		if i := strings.Index(msg, " ("); i > 0 {
			msg = msg[:i]
		}
		if pv, err = h.p.cases.Inquire(ctx, token); err == nil {
			break
		}
		fallthrough
	case err != nil:
		var qe *queue.Error
		if !errors.As(err, &qe) || qe.Code == queue.EINTERNAL {
			h.p.log.Error("inquiry page failed", "err", err)
		}
		h.render(w, http.StatusServiceUnavailable, inquiryPage{Message: "系统暂时不可用，请稍后再试"})
		return
	}
	page := inquiryPage{Hall: h.p.hall.Name, Found: true, Case: pv, Message: msg, Token: token,
		Write: r.Method != http.MethodPost && r.URL.Query().Get("write") == "1" && pv.CanTell,
		Book:  pv.CanTell && h.p.publicBooking()}
	if pv.Due != nil {
		page.Due = pv.Due.Date.String()
	}
	h.render(w, http.StatusOK, page)
}

// tell takes a question or material with photos (multipart/form-data:
// kind, text, photo×3).
func (h *inquiry) tell(w http.ResponseWriter, r *http.Request, token string) (cases.PublicView, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTellBody)
	if err := r.ParseMultipartForm(maxTellBody); err != nil {
		return cases.PublicView{}, queue.Errorf(queue.EINVALID, "提交的内容过大或无效：照片每张不超过5MB，每次最多3张 (bad or oversized form)")
	}
	defer r.MultipartForm.RemoveAll()
	var photos [][]byte
	for _, fh := range r.MultipartForm.File["photo"] {
		if fh.Size == 0 {
			continue // an empty file input
		}
		f, err := fh.Open()
		if err != nil {
			return cases.PublicView{}, queue.Errorf(queue.EINVALID, "照片读取失败 (cannot read a photo)")
		}
		b, err := io.ReadAll(io.LimitReader(f, 5<<20+1))
		f.Close()
		if err != nil {
			return cases.PublicView{}, queue.Errorf(queue.EINVALID, "照片读取失败 (cannot read a photo)")
		}
		photos = append(photos, b)
	}
	return h.p.cases.Tell(r.Context(), token, cases.MessageKind(r.FormValue("kind")), r.FormValue("text"), photos)
}

func (h *inquiry) render(w http.ResponseWriter, status int, p inquiryPage) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := h.tmpl.Execute(w, p); err != nil {
		h.p.log.Debug("inquiry page: writing failed", "err", err)
	}
}

// publicHeaders sets the headers of a public page (the inquiry page, the
// booking page): not cached, not indexed, no referrer (a token or a code
// may be in the page), nothing but its own inline style and forms.
func publicHeaders(w http.ResponseWriter) http.Header {
	hd := w.Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Robots-Tag", "noindex, nofollow")
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'")
	return hd
}

// retryAfter is the Retry-After value, in whole seconds, of a refusal
// until t.
func retryAfter(now, t time.Time) int { return max(int(t.Sub(now).Seconds()+0.999), 1) }

// clientIP is the peer's address: the hall server faces its clients
// directly, and a forwarding header would let a guesser pick the address
// the limit counts.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// guessLimiter counts wrong tokens per client address in fixed windows.
// Its map is bounded: expired entries are swept when it grows, and it is
// reset if a flood of addresses still fills it (then every address starts
// again, which costs a guesser 128 bits of nothing).
type guessLimiter struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu sync.Mutex
	m  map[string]*guesses
}

type guesses struct {
	n     int
	reset time.Time // the window's end
}

const maxGuessers = 10000

// blocked reports whether ip has used up its guesses, and until when.
func (l *guessLimiter) blocked(ip string) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	g := l.m[ip]
	if g == nil || !l.now().Before(g.reset) {
		return time.Time{}, false
	}
	return g.reset, g.n >= l.max
}

// fail counts a wrong token; it reports whether ip is now refused.
func (l *guessLimiter) fail(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	g := l.m[ip]
	if g == nil || !now.Before(g.reset) {
		if len(l.m) >= maxGuessers {
			for k, v := range l.m {
				if !now.Before(v.reset) {
					delete(l.m, k)
				}
			}
			if len(l.m) >= maxGuessers {
				clear(l.m)
			}
		}
		g = &guesses{reset: now.Add(l.window)}
		l.m[ip] = g
	}
	g.n++
	if g.n == l.max {
		g.reset = now.Add(l.window) // refused for a whole window from the last guess
		return true
	}
	return false
}

// publicBooking reports whether the hall takes bookings on the public page.
func (p *Pages) publicBooking() bool {
	if p.diary == nil {
		return false
	}
	for _, pl := range p.diary.Config().Plans {
		if pl.Public {
			return true
		}
	}
	return false
}
