package httpapi_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"yiting/queue/cases"
)

// keptFiles keeps the holiday files sent, as the data directory does.
type keptFiles struct {
	mu    sync.Mutex
	files map[int]string
}

func (k *keptFiles) Save(year int, data []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.files[year] = string(data)
	return nil
}

// POST /api/v1/holidays: an admin's file is checked, kept and counted
// with; case-rules stops warning of its year; anyone else is refused, and
// a broken file is a 400 naming its line.
func TestHolidayUpload(t *testing.T) {
	kept := &keptFiles{files: map[int]string{}}
	f := newFixture(t, func(s *setup) { s.cases = func(o *cases.Options) { o.HolidayFiles = kept } })
	var rules struct {
		HolidayYears []int    `json:"holiday_years"`
		Warnings     []string `json:"warnings"`
	}
	want(t, f.do("GET", "/api/v1/case-rules", secSuper, nil), http.StatusOK, &rules)
	if !strings.Contains(strings.Join(rules.Warnings, ""), "2027") {
		t.Fatalf("no warning of 2027: %q", rules.Warnings)
	}
	file := "# test file, not the State Council's arrangement\nholidays = [\"2027-01-01\"] # 元旦\n"
	for _, sec := range []string{secSuper, secStaffW1, secDisplay} {
		want(t, f.do("POST", "/api/v1/holidays", sec, map[string]any{"year": 2027, "file": file}), http.StatusForbidden, nil)
	}
	w := f.do("POST", "/api/v1/holidays", secAdmin, map[string]any{"year": 2027, "file": "holidays = [\"2027-01-01\",\nworkdays = 1\n"})
	want(t, w, http.StatusBadRequest, nil)
	if !strings.Contains(w.Body.String(), "第2行") {
		t.Errorf("the error does not name the line: %s", w.Body)
	}
	if len(kept.files) != 0 {
		t.Fatal("a refused file was kept")
	}
	var up cases.HolidayUpdate
	want(t, f.do("POST", "/api/v1/holidays", secAdmin, map[string]any{"year": 2027, "file": file}), http.StatusOK, &up)
	if up.Year != 2027 || up.Holidays != 1 || kept.files[2027] != file {
		t.Fatalf("update %+v, kept %v", up, kept.files)
	}
	rules.Warnings, rules.HolidayYears = nil, nil // warnings is omitted when empty
	want(t, f.do("GET", "/api/v1/case-rules", secSuper, nil), http.StatusOK, &rules)
	if strings.Contains(strings.Join(rules.Warnings, ""), "2027") {
		t.Fatalf("still warned of 2027: %q", rules.Warnings)
	}
	found := false
	for _, y := range rules.HolidayYears {
		found = found || y == 2027
	}
	if !found {
		t.Fatalf("holiday years %v", rules.HolidayYears)
	}
}
