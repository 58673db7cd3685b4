package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	hallconfig "yiting/firmware-config"
	"yiting/queue"
	"yiting/queue/boltstore"
	"yiting/queue/cases"
	"yiting/queue/personal"
)

// The admin page says what the installer must still fix: a public_url a
// phone cannot reach. (The years without a holiday file are the page's
// own, live: TestHolidayFileSurvivesRestarts and queue/web.)
func TestAdminWarnings(t *testing.T) {
	cfg, err := hallconfig.Default()
	if err != nil {
		t.Fatal(err)
	}
	if got := adminWarnings(cfg); len(got) == 0 || !strings.Contains(strings.Join(got, "\n"), "public_url") {
		t.Errorf("the default public_url is not flagged: %q", got)
	}
	cfg.PublicURL = "https://tongshan.example.cn"
	if got := adminWarnings(cfg); len(got) != 0 {
		t.Errorf("a real public_url flagged: %q", got)
	}
}

// seedMedicalCase opens the data directory as the server would at
// 10:00 on Mon 2025-12-15 and accepts a medical mediation there (30
// working days, across 2026's 元旦), then closes it; it returns the
// case's code and handling due day.
func seedMedicalCase(t *testing.T, dir string, cfg *hallconfig.Config) (string, cases.Date) {
	t.Helper()
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	now := func() time.Time { return time.Date(2025, 12, 15, 10, 0, 0, 0, cfg.Hall.Location) }
	st, err := boltstore.Open(dir, log)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eng, err := queue.New(ctx, &cfg.Hall, st, queue.Options{Now: now, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	keys, err := personal.LoadOrCreateKey(filepath.Join(dir, keyFileName))
	if err != nil {
		t.Fatal(err)
	}
	cal, err := cases.LoadCalendar(cases.DefaultHolidays())
	if err != nil {
		t.Fatal(err)
	}
	book, err := cases.New(cases.Options{Hall: &cfg.Hall, Engine: eng, Store: st, Keys: keys, PublicURL: cfg.PublicURL, Calendar: cal, Now: now, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	boss := queue.Principal{ID: "boss", Role: queue.RoleSupervisor}
	r, err := book.Register(ctx, boss, cases.RegisterRequest{ServiceID: "mediation-medical", IdempotencyKey: "seed-1",
		Persons: []cases.Person{{IDNumber: "421224196001010015", Name: "测试人", CardType: "居民身份证"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := book.Receive(ctx, boss, r.Case.Code, "room-medical"); err != nil {
		t.Fatal(err)
	}
	v, err := book.Route(ctx, boss, r.Case.Code, cases.RouteTo{Kind: cases.RouteCounter, CounterID: "room-medical"})
	if err != nil {
		t.Fatal(err)
	}
	return v.Code, v.HandleDue
}

// A holiday file an admin sends is kept in the data directory and moves
// the running deadlines at once; a restart reads it and moves nothing
// more; a start without it moves them back. Start-up logs each year the
// running deadlines touch that has no file.
func TestHolidayFileSurvivesRestarts(t *testing.T) {
	cfg, err := hallconfig.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	code, due := seedMedicalCase(t, dir, cfg)
	// 30 working days from Mon 2025-12-15, 1 January not counted.
	if due != cases.MakeDate(2026, 1, 27) {
		t.Fatalf("seeded due %s", due)
	}
	// The embedded 2026 file with one more holiday, Mon 2026-01-05: a
	// changed file (a test's, not the State Council's).
	orig, err := fs.ReadFile(cases.DefaultHolidays(), "2026.toml")
	if err != nil {
		t.Fatal(err)
	}
	hf, err := cases.ParseHolidayFile("2026.toml", orig)
	if err != nil {
		t.Fatal(err)
	}
	var changed bytes.Buffer
	changed.WriteString("# test: the built-in 2026 file and one invented holiday\nsource = \"test\"\nholidays = [\"2026-01-05\",\n")
	for _, d := range hf.Holidays {
		fmt.Fprintf(&changed, "  %q,\n", d.String())
	}
	changed.WriteString("]\nworkdays = [\n")
	for _, d := range hf.Workdays {
		fmt.Fprintf(&changed, "  %q,\n", d.String())
	}
	changed.WriteString("]\n")

	const pw = "holiday-admin-pw-1"
	start := func() (*process, *hallClient) {
		srv := startServer(t, []string{"YITING_ADMIN_PASSWORD=" + pw}, "-role", "server", "-data", dir, "-addr", "127.0.0.1:0")
		return srv, newHallClient(t, srv.url, "admin", pw)
	}
	caseDue := func(api *hallClient) (cases.Date, int) {
		var out struct {
			Case cases.View `json:"case"`
		}
		api.do("GET", "/api/v1/cases/"+code, nil, &out)
		n := 0
		for _, s := range out.Case.History {
			if s.Kind == cases.StepRecomputed && strings.Contains(s.Note, "节假日调整") {
				n++
			}
		}
		return out.Case.HandleDue, n
	}

	srv, api := start()
	var up cases.HolidayUpdate
	api.do("POST", "/api/v1/holidays", map[string]any{"year": 2026, "file": changed.String()}, &up)
	if up.Moved != 1 {
		t.Fatalf("update %+v", up)
	}
	if d, n := caseDue(api); d != cases.MakeDate(2026, 1, 28) || n != 1 {
		t.Fatalf("after the upload: due %s, %d recomputed steps", d, n)
	}
	if b, err := os.ReadFile(filepath.Join(dir, holidaySubdir, "2026.toml")); err != nil || string(b) != changed.String() {
		t.Fatalf("the kept file: %v %q", err, b)
	}
	srv.stop(t) // its log is read once it has exited
	if y := time.Now().In(cfg.Hall.Location).Year() + 1; !hfKnown(t, y) && !strings.Contains(srv.out.String(), fmt.Sprintf("缺少%d年节假日安排文件", y)) {
		t.Errorf("the start does not log the missing year %d: %s", y, srv.out.String())
	}

	srv, api = start()
	if d, n := caseDue(api); d != cases.MakeDate(2026, 1, 28) || n != 1 {
		t.Fatalf("after a restart: due %s, %d recomputed steps", d, n)
	}
	srv.stop(t)

	if err := os.Remove(filepath.Join(dir, holidaySubdir, "2026.toml")); err != nil {
		t.Fatal(err)
	}
	srv, api = start()
	if d, n := caseDue(api); d != due || n != 2 {
		t.Fatalf("a start without the file: due %s, %d recomputed steps", d, n)
	}
	srv.stop(t)
}

// hfKnown reports whether the built-in files have year y.
func hfKnown(t *testing.T, y int) bool {
	cal, err := cases.LoadCalendar(cases.DefaultHolidays())
	if err != nil {
		t.Fatal(err)
	}
	return cal.Known(y)
}
