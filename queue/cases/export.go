package cases

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"yiting/queue"
)

// Exports for the yearly report: CSV in UTF-8 with a byte-order mark (so
// that Excel on a clerk's PC reads the Chinese right) and a printable HTML
// report. Personal data appears masked only; free text (summaries,
// records, notes), where a clerk may have written a name, is left out.

const bom = "\uFEFF"

// safeCell keeps a spreadsheet from reading a cell as a formula (CSV
// injection: a summary that begins with = or +).
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func fmtTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format("2006-01-02 15:04")
}

// ExportCases writes the cases registered from..to as CSV: supervisors and
// admins. It reads a month at a time, so a slow download does not hold
// the database's read transaction.
func (b *Book) ExportCases(ctx context.Context, p queue.Principal, from, to Date, w io.Writer) error {
	if err := checkReader(p); err != nil {
		return err
	}
	if from == 0 || to == 0 || to < from || to-from > 3700 {
		return queue.Errorf(queue.EINVALID, "导出期间无效，最长10年 (from ≤ to, at most 10 years)")
	}
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(bom); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.Write([]string{"案件码", "类型", "登记时间", "来访渠道", "当事人", "人数", "来访批次", "来访人次", "责任单位", "首办窗口",
		"状态", "受理期限", "受理时间", "办理期限", "办结时间", "延期", "终结时间", "结果", "督办次数", "群众评价"})
	loc := b.hall.Location
	for start := from; start <= to; start += 31 {
		end := min(start+30, to)
		var rows [][]string
		err := b.store.EachCase(ctx, start, end, func(c *Case) error {
			v := b.view(c)
			visits, persons := 0, 0
			for _, vs := range c.Visits {
				visits++
				persons += vs.Persons
			}
			sat := ""
			if c.Satisfaction != nil {
				sat = "不满意"
				if c.Satisfaction.Satisfied {
					sat = "满意"
				}
			}
			ext := ""
			if c.Extension != nil {
				ext = "是"
			}
			outcome := c.Outcome.Name()
			if c.Referral != "" {
				outcome += "（" + c.Referral.Name() + "）"
			}
			rows = append(rows, []string{
				c.Code, v.TypeName, fmtTime(c.Registered, loc), c.Channel.Name(), safeCell(strings.Join(v.MaskedNames(), "、")),
				strconv.Itoa(len(c.Persons)), strconv.Itoa(visits), strconv.Itoa(persons), safeCell(c.Unit), b.counterName(c.Handler.CounterID),
				c.Status.Name(), c.AcceptDue.String(), fmtTime(c.AcceptedAt, loc), c.HandleDue.String(), fmtTime(c.HandledAt, loc), ext,
				fmtTime(c.ClosedAt, loc), outcome, strconv.Itoa(len(c.Supervisions)), sat,
			})
			return nil
		})
		if err != nil {
			return err
		}
		for _, r := range rows {
			if err := cw.Write(r); err != nil {
				return err
			}
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteStatsCSV writes statistics as CSV: a table of indicators, then the
// breakdowns, each under its heading.
func WriteStatsCSV(w io.Writer, s *Stats) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(bom)
	cw := csv.NewWriter(bw)
	for _, r := range statsRows(s) {
		cw.Write(r)
	}
	for _, sec := range breakdowns(s) {
		cw.Write(nil)
		cw.Write([]string{sec.Title, "代码", "件数"})
		for _, c := range sec.Rows {
			cw.Write([]string{safeCell(c.Name), safeCell(c.Key), strconv.Itoa(c.N)})
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

func pct(r Ratio) string {
	if r.Den == 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f%%（%d/%d）", r.Rate, r.Num, r.Den)
}

func statsRows(s *Stats) [][]string {
	n := strconv.Itoa
	return [][]string{
		{"指标", "数值"},
		{"统计期间", s.From.String() + " 至 " + s.To.String()},
		{"登记事项（件）", n(s.Cases)},
		{"来访批次", n(s.Visits)},
		{"来访人次", n(s.Persons)},
		{"多人来访登记（件）", n(s.GroupVisits)},
		{"集体访（5人以上，批次）", n(s.Collective)},
		{"研判会（次）", n(s.Meetings)},
		{"预警（次）", n(s.RiskWarnings)},
		{"重大紧急事项（件）", n(s.Major)},
		{"已终结（件）", n(s.Closed)},
		{"当前超期未办（件）", n(s.Overdue)},
		{"及时受理率", pct(s.TimelyAcceptance)},
		{"按期办结率", pct(s.OnTimeCompletion)},
		{"调解成功率", pct(s.MediationSuccess)},
		{"来访人数（去重）", n(s.Visitors)},
		{"重复来访人数", n(s.RepeatVisitors)},
		{"重复来访件数", n(s.RepeatCases)},
		{"参评率", pct(s.Participation)},
		{"满意率", pct(s.Satisfaction)},
		{"受理分流（件）", n(s.Routed)},
		{"再次分流（次）", n(s.Reroutes)},
		{"督办案件（件）", n(s.Supervised)},
		{"督办（次）", n(s.Supervisions)},
		{"其中自动督办（次）", n(s.AutoSupervisions)},
		{"逾期回复督办（次）", n(s.LateReplies)},
		{"延期办理（件）", n(s.Extended)},
		{"差评整改：新增", n(s.Rectifications.Opened)},
		{"差评整改：已办结", n(s.Rectifications.Closed)},
		{"差评整改：超期未办结", n(s.Rectifications.Overdue)},
		{"差评整改：按期办结率", pct(s.Rectifications.OnTime)},
	}
}

type section struct {
	Title string
	Rows  []Count
}

func breakdowns(s *Stats) []section {
	return []section{
		{"按事项类型", s.ByType}, {"按责任单位", s.ByUnit}, {"按办理结果", s.ByOutcome},
		{"按来访渠道", s.ByChannel}, {"按当前状态", s.ByStatus},
	}
}

//go:embed report.html
var reportHTML string

// WriteReport writes a printable HTML report of the statistics (A4, Chinese).
func (b *Book) WriteReport(w io.Writer, s *Stats) error {
	t, err := template.New("report").Parse(reportHTML)
	if err != nil {
		return fmt.Errorf("cases: report template: %w", err)
	}
	return t.Execute(w, struct {
		Hall      string
		Generated string
		Rows      [][]string
		Sections  []section
		Warnings  []string
	}{b.hall.Name, b.now().In(b.hall.Location).Format("2006-01-02 15:04"), statsRows(s)[1:], breakdowns(s), s.Warnings})
}
