package web

import (
	"cmp"
	"crypto/rand"
	_ "embed"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"yiting/queue"
	"yiting/queue/access"
	"yiting/queue/booking"
	"yiting/queue/cases"
)

// The public booking page (/book): a visitor books a slot of a plan the
// hall file opens to the public — from the hall's page, or from their
// case's page (/book?case=<token>, the ticket's QR) — with their name, ID
// number (the card tap at the kiosk finds the booking) and a phone for
// the reminder; and on /book/mine looks up, moves or cancels it with the
// code, until the cut-off. Plain forms, no script, the inquiry page's
// headers. A client address may book MaxPublicBookings times an hour
// (a visitor books once; a program filling the day's places is stopped),
// and the diary counts the codes that find nothing (booking.MaxMisses).
// No code ever goes into an address: forms post it.

// MaxPublicBookings is how many booking attempts one address may make in
// an hour.
const MaxPublicBookings = 10

// publicDays is how many days ahead the page lists (within the horizon).
const publicDays = 14

//go:embed book.html
var bookHTML string

type bookPage struct {
	Hall, Message, Error string
	Status               int
	Plans                []option // public plans
	Plan                 option
	Days                 []dayChoice
	Day                  string
	Slots                []slotLine
	Case                 string // the case's token, from its page
	CaseCode             string
	Key                  string
	Booked               *booking.View
	Codes                []string
	Mine                 *booking.View
	Code                 string
	CanChange            bool
	Cutoff               string
	MineForm             bool // /book/mine: the code form
}

type dayChoice struct {
	Day, Label string
	Free       int
}

type bookHandler struct {
	p    *Pages
	tmpl *template.Template
	lim  *guessLimiter
	cop  *http.CrossOriginProtection
}

func (p *Pages) bookHandler() *bookHandler {
	return &bookHandler{p: p, tmpl: template.Must(template.New("book").Parse(bookHTML)),
		lim: &guessLimiter{max: MaxPublicBookings, window: time.Hour, now: p.now, m: map[string]*guesses{}},
		cop: http.NewCrossOriginProtection()}
}

func (h *bookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := publicHeaders(w)
	page := bookPage{Hall: h.p.hall.Name, Status: http.StatusOK}
	if h.p.diary == nil || len(h.publicPlans()) == 0 {
		page.Status, page.Error = http.StatusNotFound, "本中心暂未开放网上预约，请到服务台或来电预约。"
		h.render(w, page)
		return
	}
	page.Cutoff = booking.Spoken(h.p.diary.Policy().Cutoff)
	if r.Method == http.MethodPost {
		if err := h.cop.Check(r); err != nil {
			page.Status, page.Error = http.StatusForbidden, "拒绝跨站请求"
			h.render(w, page)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 4096)
		if err := r.ParseForm(); err != nil {
			page.Status, page.Error = http.StatusBadRequest, "提交的内容无效"
			h.render(w, page)
			return
		}
	} else if r.Method != http.MethodGet && r.Method != http.MethodHead {
		hd.Set("Allow", "GET, HEAD, POST")
		page.Status, page.Error = http.StatusMethodNotAllowed, "不支持的请求"
		h.render(w, page)
		return
	}
	switch r.URL.Path {
	case "/book/mine":
		h.mine(w, r, page)
	case "/book":
		h.book(w, r, page)
	default:
		page.Status, page.Error = http.StatusNotFound, "页面不存在"
		h.render(w, page)
	}
}

func (h *bookHandler) publicPlans() []booking.Plan {
	var out []booking.Plan
	for _, pl := range h.p.diary.Config().Plans {
		if pl.Public {
			out = append(out, pl)
		}
	}
	return out
}

func (h *bookHandler) plan(id string) (booking.Plan, bool) {
	for _, pl := range h.publicPlans() {
		if pl.ID == id {
			return pl, true
		}
	}
	return booking.Plan{}, false
}

// visitor is the principal of a public request: its address, which the
// diary counts failed look-ups by.
func visitor(r *http.Request) queue.Principal { return queue.Principal{ID: "ip:" + clientIP(r)} }

// book is the booking path: plans, then days, then slots and the form;
// a POST books.
func (h *bookHandler) book(w http.ResponseWriter, r *http.Request, page bookPage) {
	ctx := r.Context()
	form := r.Form
	if r.Method != http.MethodPost {
		form = r.URL.Query()
	}
	page.Case = form.Get("case")
	if page.Case != "" {
		pv, err := h.p.cases.Inquire(ctx, page.Case)
		if err != nil {
			if h.lim.fail(clientIP(r)) {
				h.p.log.Warn("booking page: too many attempts; client refused for a while", "client", clientIP(r))
			}
			page.Status, page.Error = http.StatusNotFound, "未找到该事项，请核对二维码"
			h.render(w, page)
			return
		}
		page.CaseCode = pv.Code
	}
	if r.Method == http.MethodPost {
		h.submit(w, r, page)
		return
	}
	pl, ok := h.plan(form.Get("plan"))
	if !ok {
		for _, pl := range h.publicPlans() {
			page.Plans = append(page.Plans, option{pl.ID, pl.Name, false})
		}
		h.render(w, page)
		return
	}
	page.Plan = option{pl.ID, pl.Name, false}
	today := cases.DateOf(h.p.now(), h.p.hall.Location)
	day, err := cases.ParseDate(form.Get("day"))
	if err != nil {
		for d := today; d <= today.AddDays(min(publicDays, h.p.diary.Policy().Horizon)); d++ {
			slots, _, err := h.p.diary.Slots(ctx, pl.ID, d)
			if err != nil {
				h.failed(w, page, err)
				return
			}
			free := 0
			for _, s := range slots {
				if s.Start.After(h.p.now()) {
					free += s.Free
				}
			}
			if len(slots) > 0 {
				page.Days = append(page.Days, dayChoice{Day: d.String(), Label: d.String() + " 星期" + weekdayZh(d.Weekday()), Free: free})
			}
		}
		h.render(w, page)
		return
	}
	page.Day = day.String()
	slots, why, err := h.p.diary.Slots(ctx, pl.ID, day)
	if err != nil {
		h.failed(w, page, err)
		return
	}
	for _, s := range slots {
		if s.Free > 0 && s.Start.After(h.p.now()) {
			page.Slots = append(page.Slots, slotLine{Start: h.p.clock(s.Start), End: h.p.clock(s.End), StartISO: s.Start.Format(time.RFC3339), Free: s.Free})
		}
	}
	if len(page.Slots) == 0 {
		page.Message = cmp.Or(why, "该日没有可预约的时段") // why says it of the day already
	}
	page.Key = newFormKey()
	h.render(w, page)
}

func weekdayZh(d time.Weekday) string { return string([]rune("日一二三四五六")[d]) }

// newFormKey is the idempotency key of one booking form: a retried
// submission books once.
func newFormKey() string { return "book-" + rand.Text() }

// submit books from the form.
func (h *bookHandler) submit(w http.ResponseWriter, r *http.Request, page bookPage) {
	ip := clientIP(r)
	if until, blocked := h.lim.blocked(ip); blocked {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter(h.p.now(), until)))
		page.Status, page.Error = http.StatusTooManyRequests, "提交过于频繁，请稍后再试，或到服务台、来电预约"
		h.render(w, page)
		return
	}
	h.lim.fail(ip) // every attempt counts
	f := r.PostForm
	start, err := time.Parse(time.RFC3339, f.Get("start"))
	if _, ok := h.plan(f.Get("plan")); !ok || err != nil {
		page.Status, page.Error = http.StatusBadRequest, "请选择预约项目和时段"
		h.render(w, page)
		return
	}
	ch := booking.ChannelPublic
	if page.CaseCode != "" {
		ch = booking.ChannelCase
	}
	bk, err := h.p.diary.Book(r.Context(), visitor(r), booking.BookRequest{Plan: f.Get("plan"), Start: start, CaseCode: page.CaseCode, Channel: ch,
		Persons: []cases.Person{{Name: f.Get("name"), IDNumber: f.Get("id_number"), Phone: f.Get("phone")}}, IdempotencyKey: f.Get("key")})
	if err != nil {
		h.failed(w, page, err)
		return
	}
	bk.Booking.Start = bk.Booking.Start.In(h.p.hall.Location)
	page.Booked, page.Codes = &bk.Booking, bk.Codes
	page.Message = "预约成功。请记下预约码，到达后在大厅自助机“预约签到”刷身份证或输入预约码。"
	h.render(w, page)
}

// mine looks a booking up by its code and moves or cancels it.
func (h *bookHandler) mine(w http.ResponseWriter, r *http.Request, page bookPage) {
	page.MineForm = true
	if r.Method != http.MethodPost {
		h.render(w, page) // the code form
		return
	}
	ctx := r.Context()
	f := r.PostForm
	ref := booking.Ref{Code: f.Get("code")}
	var (
		v   booking.View
		err error
	)
	switch f.Get("action") {
	case "cancel":
		v, err = h.p.diary.Cancel(ctx, visitor(r), ref, "")
		page.Message = "预约已取消。"
	case "move":
		var start time.Time
		if start, err = time.Parse(time.RFC3339, f.Get("start")); err != nil {
			err = queue.Errorf(queue.EINVALID, "请选择新的时段 (choose a slot)")
			break
		}
		v, err = h.p.diary.Move(ctx, visitor(r), ref, start)
		page.Message = "已改约。"
	default:
		v, err = h.p.diary.Lookup(ctx, visitor(r), ref)
	}
	if err != nil {
		page.Code = ref.Code
		h.failed(w, page, err)
		return
	}
	v.Start = v.Start.In(h.p.hall.Location)
	page.Mine, page.Code = &v, ref.Code
	page.CanChange = !v.Cancelled && v.Channel != booking.ChannelSession && h.p.now().Before(v.Start.Add(-h.p.diary.Policy().Cutoff))
	for _, pt := range v.Parties {
		if pt.Status != booking.PartyBooked {
			page.CanChange = false
		}
	}
	if page.CanChange {
		day, err := cases.ParseDate(f.Get("day"))
		if err != nil {
			day, _ = cases.ParseDate(v.Day)
		}
		page.Day = day.String()
		slots, _, err := h.p.diary.Slots(ctx, v.Plan, day)
		if err != nil {
			h.failed(w, page, err)
			return
		}
		for _, s := range slots {
			if s.Free > 0 && !s.Start.Equal(v.Start) && h.p.now().Before(s.Start.Add(-h.p.diary.Policy().Cutoff)) {
				page.Slots = append(page.Slots, slotLine{Start: h.p.clock(s.Start), End: h.p.clock(s.End), StartISO: s.Start.Format(time.RFC3339), Free: s.Free})
			}
		}
	}
	h.render(w, page)
}

// failed shows a refusal with its Chinese reason; unknown errors are
// logged and said generically.
func (h *bookHandler) failed(w http.ResponseWriter, page bookPage, err error) {
	switch queue.ErrorCode(err) {
	case queue.EINVALID, queue.EFULL, queue.ECONFLICT, queue.ENOTFOUND, queue.EFORBIDDEN, queue.ETOOMANY:
		msg, _, _ := strings.Cut(queue.ErrorMessage(err), " (")
		page.Status, page.Error, page.Message = access.StatusOf(queue.ErrorCode(err)), msg, ""
	default:
		h.p.log.Error("booking page failed", "err", err)
		page.Status, page.Error, page.Message = http.StatusServiceUnavailable, "系统暂时不可用，请稍后再试", ""
	}
	h.render(w, page)
}

func (h *bookHandler) render(w http.ResponseWriter, page bookPage) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(page.Status)
	if err := h.tmpl.Execute(w, page); err != nil {
		h.p.log.Debug("booking page: writing failed", "err", err)
	}
}
