package web

import (
	"net/http"
	"net/url"
	"strconv"

	"yiting/queue"
	"yiting/queue/cases"
)

// Announcement repetition on the board: ?repeat=N, 1..maxRepeat.
const (
	defaultRepeat = 2
	maxRepeat     = 5
)

// padReasons are the reasons a pad offers after a bad rating; the
// visitor may pick none.
var padReasons = []string{"等候时间太长", "工作人员态度不好", "办事效率低", "问题没有解决", "政策解释不清楚", "环境设施不便"}

// index lists the hall's screens: where a newcomer who opens the
// server's address lands.
func (p *Pages) index(w http.ResponseWriter, r *http.Request) {
	p.render(w, http.StatusOK, "index.html", view{Title: p.hall.Name, Page: "index"})
}

// login is the staff login form; the script posts to /api/v1/login and
// goes on to ?next=.
func (p *Pages) login(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if pr, ok := p.principal(r); ok && !pr.Role.IsDevice() {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	p.render(w, http.StatusOK, "login.html", view{Title: "工作人员登录", Page: "login", Data: struct {
		pageData
		Next string `json:"next"`
	}{p.data, next}})
}

// password is the page where a person sets their own password — the one
// page a person whose password someone else set may open (staffPage sends
// them here).
func (p *Pages) password(w http.ResponseWriter, r *http.Request) {
	pr, ok := p.principal(r)
	if !ok || pr.Role.IsDevice() {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	p.render(w, http.StatusOK, "password.html", view{Title: "修改密码", Page: "password", Body: pr.MustChangePassword, Data: struct {
		pageData
		Next string `json:"next"`
	}{p.data, safeNext(r.URL.Query().Get("next"))}})
}

type boardData struct {
	pageData
	Repeat int `json:"repeat"`
	// Voice is how calls are spoken: "auto" (the server's voice when it
	// has one, else the browser's), "server", "browser" or "off".
	Voice        string `json:"voice"`
	ServerSpeech bool   `json:"server_speech"`
}

// board is the hall's display board, 1920×1080. ?repeat=N says the
// sentence N times after the chime; ?voice=browser|server|off chooses
// the voice; ?token= is the display token, kept by the page.
func (p *Pages) board(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := boardData{pageData: p.data, Repeat: defaultRepeat, Voice: "auto", ServerSpeech: p.speaks()}
	if v := q.Get("repeat"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxRepeat {
			p.errorPage(w, http.StatusBadRequest, "参数错误", "repeat 应为 1 到 5 之间的整数（每次呼叫播报的遍数）。")
			return
		}
		d.Repeat = n
	}
	switch v := q.Get("voice"); v {
	case "", "auto":
	case "server", "browser", "off":
		d.Voice = v
	default:
		p.errorPage(w, http.StatusBadRequest, "参数错误", "voice 应为 auto、server、browser 或 off。")
		return
	}
	p.render(w, http.StatusOK, "board.html", view{Title: p.hall.Name + " 叫号显示屏", Page: "board", Data: d})
}

// pad is the evaluation pad of one counter, 1280×800; its device token
// names the counter.
func (p *Pages) pad(w http.ResponseWriter, r *http.Request) {
	p.render(w, http.StatusOK, "pad.html", view{Title: "服务评价", Page: "pad", Data: struct {
		pageData
		Reasons      []string `json:"reasons"`
		PromptSec    int      `json:"prompt_s"`
		ThanksSec    int      `json:"thanks_s"`
		FreshnessSec int      `json:"fresh_s"`
	}{p.data, padReasons, 60, 6, 300}})
}

// console is the counter console for window staff (and supervisors and
// admins, who may operate any counter).
func (p *Pages) console(w http.ResponseWriter, r *http.Request) {
	pr, ok := p.staffPage(w, r, queue.RoleStaff, queue.RoleSupervisor, queue.RoleAdmin)
	if !ok {
		return
	}
	p.render(w, http.StatusOK, "console.html", view{Title: "窗口工作台", Page: "console", Data: struct {
		pageData
		Me          principalData `json:"me"`
		DeskPrinter bool          `json:"desk_printer"`
	}{p.data, principalOut(pr), p.deskPrint != nil}})
}

// admin is the administrator's page: accounts, device tokens, counters
// and the effective configuration (read-only).
func (p *Pages) admin(w http.ResponseWriter, r *http.Request) {
	pr, ok := p.staffPage(w, r, queue.RoleAdmin)
	if !ok {
		return
	}
	warnings := append(append([]string{}, p.warnings...), p.calendarWarnings(r.Context())...)
	body := adminBody{Config: string(p.configTOML), Year: cases.DateOf(p.now(), p.hall.Location).Year() + 1}
	if p.cases != nil {
		cal := p.cases.Calendar()
		for _, y := range cal.Years() {
			body.Years = append(body.Years, holidayYear{Year: y, Source: cal.Source(y)})
		}
		body.Upload = true
	}
	p.render(w, http.StatusOK, "admin.html", view{Title: "系统管理", Page: "admin", Data: struct {
		pageData
		Me       principalData `json:"me"`
		KioskPin string        `json:"kiosk_pin"`
		Warnings []string      `json:"warnings"`
		Units    []string      `json:"units"`
	}{p.data, principalOut(pr), p.kioskPin, warnings, p.hall.UnitNames()}, Body: body})
}

// adminBody is what the admin page renders on the server: the effective
// configuration and the holiday calendar with its upload form.
type adminBody struct {
	Config string
	Years  []holidayYear // the years the calendar has a file for
	Year   int           // the year the form proposes: the next
	Upload bool          // the case book is there to take a file
}

type holidayYear struct {
	Year   int
	Source string
}

type principalData struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Role     string   `json:"role"`
	Counters []string `json:"counters"`
}

func principalOut(pr queue.Principal) principalData {
	d := principalData{ID: pr.ID, Name: pr.Name, Role: string(pr.Role), Counters: pr.Counters}
	if d.Counters == nil {
		d.Counters = []string{}
	}
	return d
}
