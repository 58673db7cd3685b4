package cases

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"yiting/queue"
)

// An admin sends a year's holiday file on /admin when the State Council's
// General Office publishes the year's arrangement (each autumn), or when a
// file was wrong. The book checks it as start-up would (ParseHolidayFile,
// Calendar.AddYear), keeps it (HolidayFiles: the data directory, read at
// every start after the built-in files, so it wins over them), counts with
// it from then on, and moves every running deadline it changes
// (Recompute), each with a step saying from which day to which.

// HolidayFiles keeps the holiday files an admin sends.
type HolidayFiles interface {
	// Save stores year's file, replacing an earlier one; it returns once
	// the file is durably on disk, so that the next start reads it.
	Save(year int, data []byte) error
}

// maxHolidayFile bounds a holiday file: a year's is under 2 KB.
const maxHolidayFile = 64 << 10

// HolidayUpdate is what a holiday file sent by an admin did.
type HolidayUpdate struct {
	Year     int    `json:"year"`
	Source   string `json:"source,omitempty"` // the notice the file names
	Holidays int    `json:"holidays"`
	Workdays int    `json:"workdays"`
	// Moved counts the running deadlines the file moved (Recompute).
	Moved int `json:"moved"`
}

// SetHolidayFile checks year's holiday file, keeps it, counts with it and
// moves the running deadlines it changes: admins only. A file that does not
// parse, names a day outside the year or a make-up working day on a
// weekday, or has no holiday is refused (EINVALID) and nothing changes.
func (b *Book) SetHolidayFile(ctx context.Context, p queue.Principal, y int, data []byte) (HolidayUpdate, error) {
	if p.Role != queue.RoleAdmin {
		return HolidayUpdate{}, queue.Errorf(queue.EFORBIDDEN, "只有管理员可以上传节假日安排 (admins only)")
	}
	if b.holidayFiles == nil {
		return HolidayUpdate{}, queue.Errorf(queue.EUNAVAILABLE, "本服务器没有保存节假日文件的目录 (no holiday file directory)")
	}
	switch {
	case y < 2000 || y > 2199:
		return HolidayUpdate{}, queue.Errorf(queue.EINVALID, "年份应在2000至2199之间：%d (year out of range)", y)
	case len(data) == 0:
		return HolidayUpdate{}, queue.Errorf(queue.EINVALID, "节假日文件是空的 (the file is empty)")
	case len(data) > maxHolidayFile:
		return HolidayUpdate{}, queue.Errorf(queue.EINVALID, "节假日文件过大（最多%d KB） (file too large)", maxHolidayFile>>10)
	}
	name := fmt.Sprintf("%d.toml", y)
	hf, err := ParseHolidayFile(name, data)
	var fe *HolidayFileError
	switch {
	case errors.As(err, &fe):
		return HolidayUpdate{}, queue.Errorf(queue.EINVALID, "节假日文件第%d行有误，请对照国务院办公厅通知和示例格式修改：%s (%v)", fe.Line, fe.Msg, err)
	case err != nil:
		return HolidayUpdate{}, queue.Errorf(queue.EINVALID, "节假日文件有误：%v", err)
	case len(hf.Holidays) == 0:
		return HolidayUpdate{}, queue.Errorf(queue.EINVALID, "节假日文件中没有节假日（holidays），请按国务院办公厅通知填写 (no holidays)")
	}
	b.holidayMu.Lock()
	defer b.holidayMu.Unlock()
	cal, err := b.cal().With(y, hf, name)
	if err != nil {
		return HolidayUpdate{}, queue.Errorf(queue.EINVALID, "节假日文件有误：%v", err)
	}
	if err := b.holidayFiles.Save(y, data); err != nil {
		return HolidayUpdate{}, fmt.Errorf("cases: keeping holiday file %s: %w", name, err)
	}
	b.calendar.Store(cal)
	b.log.Info("holiday file replaced", "year", y, "source", hf.Source, "holidays", len(hf.Holidays), "workdays", len(hf.Workdays), "actor", p.Actor())
	up := HolidayUpdate{Year: y, Source: hf.Source, Holidays: len(hf.Holidays), Workdays: len(hf.Workdays)}
	// The file is kept: a failure here is mended by the next start,
	// which recomputes again (cmd/yiting).
	up.Moved, err = b.Recompute(ctx)
	return up, err
}

// CalendarWarnings says which years the running deadlines touch that the
// calendar has no holiday file for: this year and the next (a deadline set
// today can end next year), and every year up to the latest due day of an
// open case. Their working days are counted Monday to Friday.
func (b *Book) CalendarWarnings(ctx context.Context) ([]string, error) {
	y := b.today().Year()
	last, err := b.lastDueYear(ctx)
	if err != nil {
		return nil, err
	}
	var years []int
	for end := max(last, y+1); y <= end; y++ {
		years = append(years, y)
	}
	return b.cal().Warnings(years...), nil
}

// dueYears is the latest year of an open case's due day, found by a scan
// of the open cases' facts and kept for a minute: the case lists ask on
// every render, and a due day years ahead is rare and slow to come.
type dueYears struct {
	mu   sync.Mutex
	at   time.Time
	last int
}

func (b *Book) lastDueYear(ctx context.Context) (int, error) {
	b.dueYears.mu.Lock()
	defer b.dueYears.mu.Unlock()
	now := b.now()
	if !b.dueYears.at.IsZero() && now.Sub(b.dueYears.at) < time.Minute && !now.Before(b.dueYears.at) {
		return b.dueYears.last, nil
	}
	last := 0
	err := b.store.OpenFacts(ctx, FactsRange{From: 0, To: AllDays, NoKeys: true}, func(f *Facts) error {
		for _, d := range []Date{f.AcceptDue, f.HandleDue} {
			if d != 0 && d.Year() > last {
				last = d.Year()
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	b.dueYears.at, b.dueYears.last = now, last
	return last, nil
}
