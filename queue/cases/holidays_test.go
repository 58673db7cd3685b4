package cases_test

import (
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"yiting/queue"
	"yiting/queue/cases"
)

// memFiles keeps the holiday files an admin sends, as the data directory
// does.
type memFiles struct {
	mu    sync.Mutex
	files map[int][]byte
}

func (m *memFiles) Save(year int, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.files == nil {
		m.files = map[int][]byte{}
	}
	m.files[year] = slices.Clone(data)
	return nil
}

func (m *memFiles) fs() fstest.MapFS {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := fstest.MapFS{}
	for y, b := range m.files {
		out[fmt.Sprintf("%d.toml", y)] = &fstest.MapFile{Data: b}
	}
	return out
}

// newYear is a test file for 2027 with the one holiday the law fixes
// without a notice: 元旦, 1 January (全国年节及纪念日放假办法 Art. 2). It is
// not the State Council's arrangement for 2027, which is not published.
const newYear = "# test file: 元旦 only\nsource = \"test\"\nholidays = [\"2027-01-01\"]\n"

// A 2027 without its file counts 1 January as a working day: a
// rectification opened on Tue 2026-12-15 falls due on 2027-01-05 instead
// of 01-06. When an admin sends the file, every running deadline it moves
// is moved, with a step naming the old and new day and why; a second
// sending moves nothing; the file is kept, and a start with it (or
// without it) computes the same again.
func TestHolidayFileMovesRunningDeadlines(t *testing.T) {
	files := &memFiles{}
	f := newFixture(t, func(o *cases.Options) { o.HolidayFiles = files })
	f.at(2026, 12, 15)
	if err := f.book.OnRated(ctx, ratedEvent(1, 10, "win-01", queue.VeryDissatisfied, f.clock.Now())); err != nil {
		t.Fatal(err)
	}
	med := f.register("mediation-medical", synthPerson(1)).Case.Code
	must[cases.View](t)(f.book.Receive(ctx, mediator, med, "room-medical"))
	if v := must[cases.View](t)(f.book.Route(ctx, mediator, med, cases.RouteTo{Kind: cases.RouteCounter, CounterID: "room-medical"})); v.HandleDue != d(2027, 1, 26) {
		t.Fatalf("medical due %s", v.HandleDue)
	}
	f.at(2026, 12, 24)
	con := f.register("consumer", synthPerson(2)).Case.Code
	f.at(2026, 12, 30)
	v := must[cases.View](t)(f.book.Supervise(ctx, boss, con, "yellow", "催办"))
	if v.AcceptDue != d(2027, 1, 4) || v.Supervisions[0].ReplyDue != d(2027, 1, 1) {
		t.Fatalf("consumer accept %s reply %s", v.AcceptDue, v.Supervisions[0].ReplyDue)
	}
	rect := func() cases.Rectification {
		return must[[]cases.Rectification](t)(f.book.Rectifications(ctx, boss, true))[0]
	}
	if r := rect(); r.Due != d(2027, 1, 5) {
		t.Fatalf("rectification due %s", r.Due)
	}
	w := must[[]string](t)(f.book.CalendarWarnings(ctx))
	if len(w) != 1 || !strings.Contains(w[0], "2027") {
		t.Fatalf("warnings %q", w)
	}

	// Refused: not an admin, a broken file, a day of another year, no
	// holiday. Nothing is kept.
	_, err := f.book.SetHolidayFile(ctx, boss, 2027, []byte(newYear))
	wantCode(t, err, queue.EFORBIDDEN)
	_, err = f.book.SetHolidayFile(ctx, admin, 2027, []byte("holidays = [\"2027-01-01\"\nworkdays = 3\n"))
	wantCode(t, err, queue.EINVALID, "第")
	_, err = f.book.SetHolidayFile(ctx, admin, 2027, []byte("holidays = [\"2026-10-01\"]\n"))
	wantCode(t, err, queue.EINVALID, "not in 2027")
	_, err = f.book.SetHolidayFile(ctx, admin, 2027, []byte("holidays = []\n"))
	wantCode(t, err, queue.EINVALID, "没有节假日")
	if len(files.files) != 0 || f.book.Calendar().Known(2027) {
		t.Fatal("a refused file was kept")
	}

	up := must[cases.HolidayUpdate](t)(f.book.SetHolidayFile(ctx, admin, 2027, []byte(newYear)))
	if up.Year != 2027 || up.Holidays != 1 || up.Moved != 4 || string(files.files[2027]) != newYear {
		t.Fatalf("update %+v, kept %q", up, files.files[2027])
	}
	if r := rect(); r.Due != d(2027, 1, 6) || r.DueWas != d(2027, 1, 5) {
		t.Fatalf("rectification due %s (was %s)", r.Due, r.DueWas)
	}
	v = must[cases.View](t)(f.book.Case(ctx, boss, con))
	if v.AcceptDue != d(2027, 1, 5) || v.Supervisions[0].ReplyDue != d(2027, 1, 4) ||
		!hasStep(v, cases.StepRecomputed, "受理期限 2027-01-04 → 2027-01-05；第1号督办回复期限 2027-01-01 → 2027-01-04（原因：节假日调整）") {
		t.Fatalf("consumer accept %s reply %s, history %+v", v.AcceptDue, v.Supervisions[0].ReplyDue, v.History)
	}
	if v = must[cases.View](t)(f.book.Case(ctx, boss, med)); v.HandleDue != d(2027, 1, 27) || !hasStep(v, cases.StepRecomputed, "办理期限 2027-01-26 → 2027-01-27") {
		t.Fatalf("medical due %s", v.HandleDue)
	}
	events := map[string]int{}
	for _, e := range f.store.caseEvents() {
		events[string(e.Type)]++
	}
	if events["case.recomputed"] != 3 { // two cases and the rectification
		t.Fatalf("events %v", events)
	}
	if w := must[[]string](t)(f.book.CalendarWarnings(ctx)); len(w) != 0 {
		t.Fatalf("warnings after the file: %q", w)
	}
	if up := must[cases.HolidayUpdate](t)(f.book.SetHolidayFile(ctx, admin, 2027, []byte(newYear))); up.Moved != 0 {
		t.Fatalf("the same file again moved %d", up.Moved)
	}

	// A start reads the kept file after the built-in ones: nothing moves.
	restart := func(fsyss ...fs.FS) *cases.Book {
		t.Helper()
		cal, err := cases.LoadCalendar(fsyss...)
		if err != nil {
			t.Fatal(err)
		}
		b, err := cases.New(cases.Options{Hall: testHall(t), Engine: f.eng, Store: f.store, Keys: f.keys, PublicURL: "http://yiting.local",
			Calendar: cal, Now: f.clock.Now, HolidayFiles: files, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	b := restart(cases.DefaultHolidays(), files.fs())
	if n := must[int](t)(b.Recompute(ctx)); n != 0 || !b.Calendar().Known(2027) {
		t.Fatalf("a start with the kept file moved %d", n)
	}
	if v := must[cases.View](t)(b.Case(ctx, boss, con)); v.AcceptDue != d(2027, 1, 5) {
		t.Fatalf("after the start: accept %s", v.AcceptDue)
	}
	// A start without it (the file removed while stopped) moves them back.
	b = restart(cases.DefaultHolidays())
	if n := must[int](t)(b.Recompute(ctx)); n != 4 {
		t.Fatalf("a start without the file moved %d", n)
	}
	if r := must[[]cases.Rectification](t)(b.Rectifications(ctx, boss, true))[0]; r.Due != d(2027, 1, 5) {
		t.Fatalf("rectification due %s", r.Due)
	}
}
