package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"time"

	"yiting/queue"
	"yiting/queue/booking"
	"yiting/queue/cases"
)

// statsTimeout bounds the statistics of one request.
const statsTimeout = 60 * time.Second

// stats computes the figures of a period. One computation runs at a time:
// two supervisors asking for a year at once would otherwise take both of
// a Pi's spare cores from the ticket path. The appointments' figures
// (booking.Stats) are the period's bookings with the queue's waits.
func (p *Pages) stats(ctx context.Context, pd period) (queue.Stats, booking.Stats, error) {
	if p.tickets == nil {
		return queue.Stats{}, booking.Stats{}, errNoTickets
	}
	select {
	case p.statsSem <- struct{}{}:
		defer func() { <-p.statsSem }()
	case <-ctx.Done():
		return queue.Stats{}, booking.Stats{}, ctx.Err()
	}
	s, err := p.count(ctx, pd)
	if err != nil {
		return queue.Stats{}, booking.Stats{}, err
	}
	as, err := p.appointmentStats(ctx, pd, s)
	return s, as, err
}

// count is the queue's figures of a period: the closed days from their
// stored statistics; today's tickets (and any after, should the clock
// have gone back) counted one by one.
func (p *Pages) count(ctx context.Context, pd period) (queue.Stats, error) {
	loc := p.hall.Location
	b := queue.NewStatsBuilder(pd.From, pd.To, loc)
	today := p.now().In(loc).Format(time.DateOnly)
	if pd.From < today {
		days, err := p.tickets.DayStats(ctx, pd.From, min(pd.To, dayBefore(today)), loc)
		if err != nil {
			return queue.Stats{}, err
		}
		for i := range days {
			b.AddDay(&days[i])
		}
	}
	if pd.To >= today {
		err := eachDay(ctx, p.tickets, period{From: max(pd.From, today), To: pd.To}, func(t *queue.Ticket) error {
			b.Add(t)
			return nil
		})
		if err != nil {
			return queue.Stats{}, err
		}
	}
	return b.Stats(), nil
}

// appointmentStats counts the period's bookings and sets the waits of
// appointment tickets and walk-ins from the queue's figures: the period's
// from s, a day's from that day's (only the days with bookings are
// counted again, from their stored statistics).
func (p *Pages) appointmentStats(ctx context.Context, pd period, s queue.Stats) (booking.Stats, error) {
	if p.diary == nil {
		return booking.Stats{}, nil
	}
	ab := booking.NewStatsBuilder(pd.From, pd.To, p.hall.Location)
	from, _ := cases.ParseDate(pd.From)
	to, _ := cases.ParseDate(pd.To)
	err := p.diary.EachBooking(ctx, from, to, func(bk *booking.Booking) error {
		ab.AddBooking(bk)
		return nil
	})
	if err != nil {
		return booking.Stats{}, err
	}
	as := ab.Stats()
	days := map[string]queue.Stats{"": s}
	for _, r := range as.ByServiceDay {
		if _, ok := days[r.Day]; !ok {
			if days[r.Day], err = p.count(ctx, period{From: r.Day, To: r.Day}); err != nil {
				return booking.Stats{}, err
			}
		}
	}
	as.SetWaits(func(day, service string) (queue.DurationStats, queue.DurationStats) {
		st := days[day]
		if service == "" {
			return st.AppointmentWait, st.WalkInWait
		}
		for _, g := range st.ByService {
			if g.ID == service {
				return g.AppointmentWait, g.WalkInWait
			}
		}
		return queue.DurationStats{}, queue.DurationStats{}
	})
	return as, nil
}

// appointmentRow is a row of the appointments' table, named.
type appointmentRow struct {
	Name string
	booking.StatsRow
}

// appointmentRows names the period's rows by service, and the total.
func (p *Pages) appointmentRows(rs []booking.StatsRow, total booking.StatsRow) []appointmentRow {
	var out []appointmentRow
	for _, r := range rs {
		out = append(out, appointmentRow{Name: p.serviceName(r.ServiceID), StatsRow: r})
	}
	if len(out) > 0 {
		out = append(out, appointmentRow{Name: "合计", StatsRow: total})
	}
	return out
}

// dayBefore is the calendar day before a "2006-01-02" day.
func dayBefore(day string) string {
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		return day
	}
	return d.AddDate(0, 0, -1).Format(time.DateOnly)
}

var errNoTickets = errors.New("web: no ticket source configured")

// namedGroup is a row of a per-service, per-counter or per-staff table.
type namedGroup struct {
	Name string
	queue.GroupStats
}

type badRow struct {
	queue.BadRating
	Time    string
	Service string
	Counter string
	Level   string
}

type presetLink struct {
	Label  string
	URL    string
	Active bool
}

type dashboardBody struct {
	From, To  string
	Presets   []presetLink
	Today     bool // the period includes today: the page refreshes itself
	S         queue.Stats
	Services  []namedGroup
	Counters  []namedGroup
	Staff     []namedGroup
	Bad       []badRow
	Charts    []chart
	Export    []presetLink // CSV links
	Generated string
	// Appointments: bookings, arrivals, lateness, no-shows and waits of
	// appointment tickets against walk-ins, by service (none without
	// bookings).
	Appointments []appointmentRow
}

type chart struct {
	Title string
	SVG   template.HTML
}

// dashboard is the supervisor's page: today or a chosen period.
func (p *Pages) dashboard(w http.ResponseWriter, r *http.Request) {
	pr, ok := p.staffPage(w, r, queue.RoleSupervisor, queue.RoleAdmin)
	if !ok {
		return
	}
	loc := p.hall.Location
	now := p.now()
	pd, err := parsePeriod(r.URL.Query(), now, loc)
	if err != nil {
		p.errorPage(w, http.StatusBadRequest, "时间范围有误", err.Error()+"。请返回统计页重新选择。")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), statsTimeout)
	defer cancel()
	s, as, err := p.stats(ctx, pd)
	if err != nil {
		p.statsFailed(w, r, err)
		return
	}
	today := now.In(loc).Format(time.DateOnly)
	body := dashboardBody{From: pd.From, To: pd.To, S: s, Today: pd.From <= today && today <= pd.To,
		Generated: now.In(loc).Format("2006-01-02 15:04:05")}
	for _, pr := range presets {
		body.Presets = append(body.Presets, presetLink{Label: pr.label, URL: "/dashboard?range=" + pr.id, Active: pr.id == pd.Preset})
	}
	q := url.Values{"from": {pd.From}, "to": {pd.To}}
	for _, e := range exportTables {
		q.Set("table", e.id)
		body.Export = append(body.Export, presetLink{Label: e.label, URL: "/dashboard/export.csv?" + q.Encode()})
	}
	body.Services = p.serviceRows(s.ByService)
	body.Counters = p.named(s.ByCounter, p.counterName)
	body.Staff = p.named(s.ByStaff, staffName)
	for _, b := range s.BadRatings {
		body.Bad = append(body.Bad, badRow{BadRating: b, Time: b.At.In(loc).Format("01-02 15:04"),
			Service: p.serviceName(b.ServiceID), Counter: p.counterName(b.CounterID), Level: b.Level.Name()})
	}
	body.Charts = p.charts(s, body.Services)
	body.Appointments = p.appointmentRows(as.ByService, as.Total)
	p.render(w, http.StatusOK, "dashboard.html", view{Title: "统计分析", Page: "dashboard", Body: body, Data: struct {
		pageData
		Me principalData `json:"me"`
	}{p.data, principalOut(pr)}})
}

// statsFailed answers a failed computation: 503 when there is no source
// or it timed out, 500 (logged) otherwise.
func (p *Pages) statsFailed(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, errNoTickets):
		p.errorPage(w, http.StatusServiceUnavailable, "统计不可用", "本服务器未接入票据存储，无法统计。")
	case errors.Is(err, context.DeadlineExceeded):
		p.errorPage(w, http.StatusServiceUnavailable, "统计超时", "统计时间过长，请缩短时间范围后重试。")
	case r.Context().Err() != nil:
		// The browser went away; nobody reads the answer.
	default:
		p.log.Error("web: statistics failed", "err", err)
		p.errorPage(w, http.StatusInternalServerError, "统计失败", "读取票据时出错，请联系管理员（详见服务器日志）。")
	}
}

// serviceRows lists every configured service in the configuration's
// order, with zeros for those without tickets, then any service id no
// longer configured.
func (p *Pages) serviceRows(gs []queue.GroupStats) []namedGroup {
	var rows []namedGroup
	for _, sv := range p.hall.Services {
		row := namedGroup{Name: sv.Name, GroupStats: queue.GroupStats{ID: sv.ID}}
		if i := slices.IndexFunc(gs, func(g queue.GroupStats) bool { return g.ID == sv.ID }); i >= 0 {
			row.GroupStats = gs[i]
		}
		rows = append(rows, row)
	}
	for _, g := range gs {
		if _, ok := p.hall.Service(g.ID); !ok {
			rows = append(rows, namedGroup{Name: g.ID + "（已删除）", GroupStats: g})
		}
	}
	return rows
}

func (p *Pages) named(gs []queue.GroupStats, name func(string) string) []namedGroup {
	rows := make([]namedGroup, len(gs))
	for i, g := range gs {
		rows[i] = namedGroup{Name: name(g.ID), GroupStats: g}
	}
	// Busiest first.
	slices.SortStableFunc(rows, func(a, b namedGroup) int { return b.Served - a.Served })
	return rows
}

func (p *Pages) serviceName(id string) string {
	if s, ok := p.hall.Service(id); ok {
		return s.Name
	}
	return id
}

func (p *Pages) counterName(id string) string {
	if c, ok := p.hall.Counter(id); ok {
		return c.Name
	}
	return id
}

// staffName shows who served: the login name the ticket records. The
// engine keeps no display names and the pages read no account list (a
// supervisor may not list accounts).
func staffName(id string) string { return id }
