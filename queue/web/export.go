package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"yiting/queue"
	"yiting/queue/booking"
)

// exportTables are the CSV exports of the dashboard.
var exportTables = []struct{ id, label string }{
	{"tickets", "票据明细"}, {"services", "按业务"}, {"counters", "按窗口"}, {"staff", "按工作人员"}, {"bad", "差评清单"},
	{"appointments", "预约（按业务、按日）"},
}

// utf8BOM starts every export: Excel opens a CSV without it in the
// system's ANSI code page (GBK on a Chinese Windows) and garbles every
// Chinese character.
const utf8BOM = "\ufeff"

// export answers GET /dashboard/export.csv?from=&to=&table=: the period's
// tickets (one row each) or a summary table, as UTF-8 CSV with a BOM. No
// names and no ID numbers: the ticket carries neither, and the rater is
// never identified (GB/T 39734).
func (p *Pages) export(w http.ResponseWriter, r *http.Request) {
	if _, ok := p.staffPage(w, r, queue.RoleSupervisor, queue.RoleAdmin); !ok {
		return
	}
	q := r.URL.Query()
	pd, err := parsePeriod(q, p.now(), p.hall.Location)
	if err != nil {
		p.errorPage(w, http.StatusBadRequest, "时间范围有误", err.Error()+"。")
		return
	}
	table := q.Get("table")
	if table == "" {
		table = "tickets"
	}
	label := ""
	for _, e := range exportTables {
		if e.id == table {
			label = e.label
		}
	}
	if label == "" {
		p.errorPage(w, http.StatusBadRequest, "参数错误", "table 应为 tickets、services、counters、staff 或 bad。")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), statsTimeout)
	defer cancel()

	if table == "tickets" {
		p.exportTickets(ctx, w, r, pd, label)
		return
	}
	s, as, err := p.stats(ctx, pd)
	if err != nil {
		p.statsFailed(w, r, err)
		return
	}
	var rows [][]string
	switch table {
	case "services":
		rows = groupRows("业务", p.serviceRows(s.ByService))
	case "counters":
		rows = groupRows("窗口", p.named(s.ByCounter, p.counterName))
	case "staff":
		rows = groupRows("工作人员", p.named(s.ByStaff, staffName))
	case "appointments":
		rows = p.appointmentCSV(as)
	case "bad":
		rows = [][]string{{"评价时间", "日期", "票号", "业务", "窗口", "工作人员", "评价", "原因"}}
		for _, b := range s.BadRatings {
			rows = append(rows, []string{b.At.In(p.hall.Location).Format(time.DateTime), b.Day, b.Number, p.serviceName(b.ServiceID),
				p.counterName(b.CounterID), b.StaffID, b.Level.Name(), strings.Join(b.Reasons, "；")})
		}
	}

	cw := startCSV(w, table, label, pd)
	for _, row := range rows {
		writeRow(cw, row)
	}
	cw.Flush()
}

// exportTickets streams the period's tickets, one row each, so a year
// of them is never held in memory. A read error half-way aborts the
// connection: the browser reports a failed download rather than saving
// a file that looks complete.
func (p *Pages) exportTickets(ctx context.Context, w http.ResponseWriter, r *http.Request, pd period, label string) {
	if p.tickets == nil {
		p.statsFailed(w, r, errNoTickets)
		return
	}
	cw := startCSV(w, "tickets", label, pd)
	writeRow(cw, ticketHeader)
	err := eachDay(ctx, p.tickets, pd, func(t *queue.Ticket) error {
		writeRow(cw, p.ticketRow(t))
		return cw.Error()
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	if err != nil {
		if r.Context().Err() == nil {
			p.log.Error("web: ticket export failed half-way", "err", err)
		}
		panic(http.ErrAbortHandler)
	}
}

// startCSV writes the headers and the BOM and returns the CSV writer.
func startCSV(w http.ResponseWriter, table, label string, pd period) *csv.Writer {
	name := fmt.Sprintf("yiting-%s-%s_%s.csv", table, pd.From, pd.To)
	cn := fmt.Sprintf("%s-%s至%s.csv", label, pd.From, pd.To)
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, name, url.PathEscape(cn)))
	io.WriteString(w, utf8BOM)
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // what Excel writes and expects
	return cw
}

func writeRow(cw *csv.Writer, row []string) {
	out := make([]string, len(row))
	for i, c := range row {
		out[i] = cellSafe(c)
	}
	cw.Write(out)
}

var ticketHeader = []string{"日期", "票号", "业务", "优先类别", "状态", "取号时间", "首次呼叫", "开始办理", "结束时间",
	"等候(分钟)", "办理(分钟)", "窗口", "工作人员", "重呼次数", "转移次数", "评价", "评价原因"}

func (p *Pages) ticketRow(t *queue.Ticket) []string {
	at := func(x time.Time) string {
		if x.IsZero() {
			return ""
		}
		return x.In(p.hall.Location).Format(time.DateTime)
	}
	mins := func(d time.Duration, have bool) string {
		if !have {
			return ""
		}
		return strconv.FormatFloat(d.Minutes(), 'f', 1, 64)
	}
	d := t.Durations()
	prio := ""
	if t.Priority != "" {
		prio = t.Priority
		if c, ok := p.hall.Priority.Class(t.Priority); ok {
			prio = c.Name
		}
	}
	level, reasons := "", ""
	if t.Rating != nil {
		level, reasons = t.Rating.Level.Name(), strings.Join(t.Rating.Reasons, "；")
	}
	return []string{t.Day, t.Number, p.serviceName(t.ServiceID), prio, statusLabel(t.Status), at(t.IssuedAt), at(t.FirstCall),
		at(t.StartedAt), at(t.DoneAt), mins(d.Wait, !t.FirstCall.IsZero()), mins(d.Service, t.Status == queue.StatusDone),
		p.counterName(t.CounterID), t.StaffID, strconv.Itoa(t.Recalls), strconv.Itoa(t.Transfers), level, reasons}
}

func groupRows(what string, gs []namedGroup) [][]string {
	rows := [][]string{{what, "取号/经办", "办结", "过号", "平均等候(分钟)", "90%等候(分钟)", "平均办理(分钟)", "90%办理(分钟)",
		"参评数", "参评率", "满意率", "差评数"}}
	for _, g := range gs {
		rows = append(rows, []string{g.Name, strconv.Itoa(g.Issued), strconv.Itoa(g.Served), strconv.Itoa(g.NoShows),
			minutes(g.Wait.Mean), minutes(g.Wait.P90), minutes(g.Service.Mean), minutes(g.Service.P90),
			strconv.Itoa(g.Ratings.Rated), pct(g.Ratings.RateRatio()), pct(g.Ratings.SatisfactionRatio()), strconv.Itoa(g.Ratings.Bad)})
	}
	return rows
}

// appointmentCSV is the appointments' table: a row per service and day,
// then per service over the period ("合计" in the day column), then the
// total.
func (p *Pages) appointmentCSV(as booking.Stats) [][]string {
	rows := [][]string{{"日期", "业务", "预约", "取消", "预约人数", "到达", "迟到", "平均迟到(分钟)", "爽约", "迟到失效", "爽约率",
		"预约号平均等候(分钟)", "预约号90%等候(分钟)", "普通号平均等候(分钟)", "普通号90%等候(分钟)"}}
	row := func(day, name string, r booking.StatsRow) []string {
		return []string{day, name, strconv.Itoa(r.Booked), strconv.Itoa(r.Cancelled), strconv.Itoa(r.Persons), strconv.Itoa(r.Arrived),
			strconv.Itoa(r.Late), minutes(r.Lateness.Mean), strconv.Itoa(r.NoShows), strconv.Itoa(r.Lapsed), pct(r.NoShowRate),
			minutes(r.ApptWait.Mean), minutes(r.ApptWait.P90), minutes(r.WalkInWait.Mean), minutes(r.WalkInWait.P90)}
	}
	for _, r := range as.ByServiceDay {
		rows = append(rows, row(r.Day, p.serviceName(r.ServiceID), r))
	}
	for _, r := range as.ByService {
		rows = append(rows, row("合计", p.serviceName(r.ServiceID), r))
	}
	return append(rows, row("合计", "全部业务", as.Total))
}

// cellSafe keeps a cell from being read as a formula by a spreadsheet
// (CSV injection): a reason typed as "=HYPERLINK(…)" stays text.
func cellSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// statusLabel is a ticket status in Chinese.
func statusLabel(s queue.Status) string {
	switch s {
	case queue.StatusWaiting:
		return "等候中"
	case queue.StatusCalled:
		return "已呼叫"
	case queue.StatusServing:
		return "办理中"
	case queue.StatusDone:
		return "已办结"
	case queue.StatusNoShow:
		return "过号"
	case queue.StatusParked:
		return "挂起"
	case queue.StatusCancelled:
		return "已取消"
	case queue.StatusExpired:
		return "已过期"
	}
	return string(s)
}
