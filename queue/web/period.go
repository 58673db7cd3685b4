package web

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"yiting/queue"
)

// maxPeriodDays bounds a dashboard or export period: a year and a bit,
// for annual statistics (信访工作条例 Art. 41) with a margin.
const maxPeriodDays = 400

// period is a span of business days, inclusive.
type period struct {
	From, To string // "2006-01-02"
	Preset   string // the preset it came from, "" for chosen dates
}

// presets are the quick choices of the dashboard, in its order.
var presets = []struct{ id, label string }{
	{"today", "今天"}, {"yesterday", "昨天"}, {"week", "本周"}, {"month", "本月"}, {"30d", "近30天"}, {"year", "今年"},
}

// parsePeriod reads ?range= (a preset) or ?from=&to= (dates); with
// neither it is today. Errors are in Chinese, for the page.
func parsePeriod(q url.Values, now time.Time, loc *time.Location) (period, error) {
	today := now.In(loc)
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	from, to := q.Get("from"), q.Get("to")
	r := q.Get("range")
	if r == "" && from == "" && to == "" {
		r = "today"
	}
	if r != "" {
		switch r {
		case "today":
			return period{day(today), day(today), r}, nil
		case "yesterday":
			y := today.AddDate(0, 0, -1)
			return period{day(y), day(y), r}, nil
		case "week": // Monday to today
			back := (int(today.Weekday()) + 6) % 7
			return period{day(today.AddDate(0, 0, -back)), day(today), r}, nil
		case "month":
			return period{day(time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, loc)), day(today), r}, nil
		case "30d":
			return period{day(today.AddDate(0, 0, -29)), day(today), r}, nil
		case "year":
			return period{day(time.Date(today.Year(), 1, 1, 0, 0, 0, 0, loc)), day(today), r}, nil
		}
		return period{}, fmt.Errorf("未知的时间范围 %q", r)
	}
	if to == "" {
		to = from
	}
	if from == "" {
		from = to
	}
	f, err1 := time.ParseInLocation(time.DateOnly, from, loc)
	t, err2 := time.ParseInLocation(time.DateOnly, to, loc)
	switch {
	case err1 != nil || err2 != nil:
		return period{}, fmt.Errorf("日期格式应为 2006-01-02（收到 %q 至 %q）", from, to)
	case t.Before(f):
		return period{}, fmt.Errorf("结束日期 %s 早于开始日期 %s", to, from)
	case days(f, t) > maxPeriodDays:
		return period{}, fmt.Errorf("时间范围最长 %d 天", maxPeriodDays)
	}
	return period{From: from, To: to}, nil
}

// days is the number of calendar days from..to inclusive.
func days(from, to time.Time) int {
	f := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	t := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, time.UTC)
	return int(t.Sub(f)/(24*time.Hour)) + 1
}

// eachDay reads the period's tickets one business day at a time. A year
// in one read transaction would hold bbolt's file mapping for seconds on
// a Pi, and a commit that must grow the file waits for it (platform-
// notes.md): a visitor at the kiosk would wait for the supervisor's report.
func eachDay(ctx context.Context, src TicketSource, pd period, fn func(*queue.Ticket) error) error {
	f, err := time.Parse(time.DateOnly, pd.From)
	if err != nil {
		return err
	}
	t, err := time.Parse(time.DateOnly, pd.To)
	if err != nil {
		return err
	}
	for d := f; !d.After(t); d = d.AddDate(0, 0, 1) {
		if err := ctx.Err(); err != nil {
			return err
		}
		ds := d.Format(time.DateOnly)
		if err := src.TicketsBetween(ctx, ds, ds, fn); err != nil {
			return err
		}
	}
	return nil
}
