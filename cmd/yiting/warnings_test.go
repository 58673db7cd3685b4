package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	hallconfig "yiting/firmware-config"
	"yiting/queue/cases"
	"yiting/queue/personal"
)

// The admin page says what the installer must still fix: a public_url a
// phone cannot reach, and a year without its holiday file — in December
// 2026 the next year's, whose deadlines are being set already.
func TestAdminWarnings(t *testing.T) {
	cal, err := cases.LoadCalendar(cases.DefaultHolidays())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := hallconfig.Default()
	if err != nil {
		t.Fatal(err)
	}
	loc := cfg.Hall.Location
	w := holidayWarnings(cal, time.Date(2026, 12, 5, 9, 0, 0, 0, loc), loc)
	if len(w) != 1 || !strings.Contains(w[0], "2027") {
		t.Errorf("December 2026: %q", w)
	}
	if w := holidayWarnings(cal, time.Date(2025, 6, 1, 9, 0, 0, 0, loc), loc); len(w) != 0 {
		t.Errorf("2025 and 2026 have their files: %q", w)
	}
	keys, err := personal.New(bytes.Repeat([]byte{1}, personal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	book, err := cases.New(cases.Options{Hall: &cfg.Hall, Engine: struct{ cases.Runner }{}, Store: struct{ cases.Store }{},
		Keys: keys, PublicURL: cfg.PublicURL, Calendar: cal})
	if err != nil {
		t.Fatal(err)
	}
	if got := adminWarnings(cfg, book); len(got) == 0 || !strings.Contains(strings.Join(got, "\n"), "public_url") {
		t.Errorf("the default public_url is not flagged: %q", got)
	}
	cfg.PublicURL = "https://tongshan.example.cn"
	for _, w := range adminWarnings(cfg, book) {
		if strings.Contains(w, "public_url") {
			t.Errorf("a real public_url flagged: %q", w)
		}
	}
}
