package hallconfig

import (
	"bytes"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"yiting/queue"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// equalConfig compares two configurations; *time.Location values are
// compared by name, as that is what the file holds.
func equalConfig(tb testing.TB, got, want *Config) {
	tb.Helper()
	if got.Hall.Location == nil || want.Hall.Location == nil {
		tb.Fatalf("nil Location: got %v, want %v", got.Hall.Location, want.Hall.Location)
	}
	if g, w := got.Hall.Location.String(), want.Hall.Location.String(); g != w {
		tb.Errorf("timezone = %q, want %q", g, w)
	}
	g, w := *got, *want
	g.Hall.Location, w.Hall.Location = nil, nil
	if !reflect.DeepEqual(g, w) {
		tb.Errorf("configurations differ:\n got %+v\nwant %+v", g, w)
	}
}

func mustDefault(tb testing.TB) *Config {
	tb.Helper()
	c, err := Default()
	if err != nil {
		tb.Fatalf("Default: %v", err)
	}
	return c
}

func TestDefaultLoadsAndValidates(t *testing.T) {
	c := mustDefault(t)
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if err := c.Hall.Validate(); err != nil {
		t.Fatalf("queue.Hall.Validate: %v", err)
	}
	h := &c.Hall
	if h.Name != "通山县综治中心" || h.RegionCode != "421224" || h.Location.String() != "Asia/Shanghai" {
		t.Errorf("centre = %q %q %v", h.Name, h.RegionCode, h.Location)
	}
	if h.Hours.Open != 8*time.Hour+30*time.Minute || h.Hours.Close != 17*time.Hour+30*time.Minute {
		t.Errorf("hours = %v–%v, want 08:30–17:30", h.Hours.Open, h.Hours.Close)
	}
	if h.RecallLimit != 3 || h.Priority.Ratio != 2 || h.Priority.AgingAfter != 30*time.Minute {
		t.Errorf("recall %d, ratio %d, aging %v", h.RecallLimit, h.Priority.Ratio, h.Priority.AgingAfter)
	}
	if elderly, ok := h.Priority.Class("elderly"); !ok || elderly.MinAge != 60 {
		t.Errorf("elderly class = %+v, %v; want min_age 60", elderly, ok)
	}
	for _, id := range []string{"disabled", "military", "pregnant"} {
		if _, ok := h.Priority.Class(id); !ok {
			t.Errorf("no priority class %q", id)
		}
	}
	d := c.Devices
	if d.Reader != "sim" || d.Printer != "sim" || d.ReaderBaud != 115200 || d.PrinterBaud != 115200 || d.PrinterProfile != "80mm" {
		t.Errorf("devices = %+v", d)
	}
	if c.KeyFile != "" || c.PublicURL != "http://yiting.local" {
		t.Errorf("key_file %q, public_url %q", c.KeyFile, c.PublicURL)
	}
}

// The default hall is the seed's: the kiosk shows its services grouped
// as the hall is, and every counter can be announced.
func TestDefaultHallIsTongshan(t *testing.T) {
	h := mustDefault(t).Hall

	byCategory := map[queue.Category][]queue.Service{}
	for _, s := range h.Services {
		byCategory[s.Category] = append(byCategory[s.Category], s)
	}
	for _, cat := range queue.Categories() {
		if len(byCategory[cat]) == 0 {
			t.Errorf("no service of category %s on the kiosk", cat)
		}
	}
	// The five committees the seed names, each a service of the group
	// 矛盾纠纷调解 with its own room, plus two more: seven.
	var committees int
	for _, s := range byCategory[queue.CategoryMediation] {
		if s.Group != "矛盾纠纷调解" {
			t.Errorf("mediation service %s in group %q", s.ID, s.Group)
		}
		if strings.HasPrefix(s.CaseType, "mediation.") && s.CaseType != "mediation.general" {
			committees++
		}
	}
	if committees != 7 {
		t.Errorf("%d committee services, want 7", committees)
	}
	for _, name := range []string{"医患", "道路交通", "劳动争议", "借贷", "婚姻家庭"} {
		if !hasCounter(h, func(c queue.Counter) bool { return c.Kind == queue.KindRoom && strings.HasPrefix(c.Name, name) }) {
			t.Errorf("no room for the %s committee", name)
		}
	}
	// Enquiry and counselling are taken without an ID card; the rest need one.
	for _, s := range h.Services {
		anonymous := s.ID == "consult" || s.ID == "counselling" || s.ID == "legal-advice"
		if s.NeedsID == anonymous {
			t.Errorf("service %s: needs_id_card = %v", s.ID, s.NeedsID)
		}
	}
	if s, _ := h.Service("consult"); s.CaseType != "" || s.Name != "咨询" {
		t.Errorf("consult = %+v", s)
	}
	// Windows of the resident units and the four named dispatched units,
	// and the shared 综合受理 window.
	for _, unit := range []string{"公安局", "检察院", "法院", "司法局", "信访局", "法学会", "人社局", "住建局", "民政局", "市场监督管理局"} {
		if !hasCounter(h, func(c queue.Counter) bool { return c.Kind == queue.KindWindow && c.Unit == unit }) {
			t.Errorf("no window of %s", unit)
		}
	}
	if !hasCounter(h, func(c queue.Counter) bool { return strings.Contains(c.Location, "综合受理") && c.Unit == "" }) {
		t.Error("no 综合受理 window shared by the dispatched units (a window without a unit)")
	}
	// Every unit the seed counts is named on its own: 6 resident, 14
	// dispatched, 7 committees; none is a stand-in for several.
	kinds := map[queue.UnitKind]int{}
	for _, u := range h.Units {
		kinds[u.Kind]++
		if strings.Contains(u.Name, "轮值") || strings.Contains(u.Name, "派驻单位") {
			t.Errorf("unit %q stands for several units", u.Name)
		}
	}
	if kinds[queue.UnitResident] != 6 || kinds[queue.UnitDispatched] != 14 || kinds[queue.UnitCommittee] != 7 {
		t.Errorf("units by kind %v, want 6 resident, 14 dispatched, 7 committees", kinds)
	}
	for _, c := range h.Counters {
		if c.Unit != "" && !h.HasUnit(c.Unit) {
			t.Errorf("counter %s of unit %q, not among the units", c.ID, c.Unit)
		}
	}
	if !hasCounter(h, func(c queue.Counter) bool { return c.Kind == queue.KindCourt }) {
		t.Error("no court counter")
	}
	// Back-office rooms receive no visitors.
	for _, name := range []string{"信息研判", "应急指挥"} {
		if hasCounter(h, func(c queue.Counter) bool { return strings.Contains(c.Name, name) }) {
			t.Errorf("back-office room %s is a counter", name)
		}
	}
	// I and O are avoided: they read as 1 and 0 on a ticket.
	for _, s := range h.Services {
		if s.Prefix == "I" || s.Prefix == "O" {
			t.Errorf("service %s has prefix %s", s.ID, s.Prefix)
		}
	}
}

func hasCounter(h queue.Hall, match func(queue.Counter) bool) bool {
	for _, c := range h.Counters {
		if match(c) {
			return true
		}
	}
	return false
}

// Every counter name is spoken from its pinyin: one syllable per Chinese
// character, and the window number read out in full.
func TestDefaultPinyinMatchesNames(t *testing.T) {
	h := mustDefault(t).Hall
	digits := map[string]string{
		"1": "yi1", "2": "er4", "3": "san1", "4": "si4", "5": "wu3", "6": "liu4",
		"7": "qi1", "8": "ba1", "9": "jiu3", "10": "shi2", "11": "shi2 yi1", "12": "shi2 er4",
	}
	number := regexp.MustCompile(`^[0-9]+`)
	check := func(what, name, pinyin string) {
		t.Helper()
		if pinyin == "" {
			t.Errorf("%s %s has no pinyin", what, name)
			return
		}
		syllables := strings.Fields(pinyin)
		if n := number.FindString(name); n != "" {
			want, ok := digits[n]
			if !ok || !strings.HasPrefix(pinyin, want+" ") {
				t.Errorf("%s %s: pinyin %q does not start with %q", what, name, pinyin, want)
			}
			syllables = syllables[len(strings.Fields(want)):]
			name = name[len(n):]
		}
		han := 0
		for _, r := range name {
			if unicode.Is(unicode.Han, r) {
				han++
			}
		}
		if han != len(syllables) {
			t.Errorf("%s %s: %d characters but pinyin %q has %d syllables", what, name, han, pinyin, len(syllables))
		}
	}
	for _, c := range h.Counters {
		check("counter", c.Name, c.Pinyin)
	}
	for _, s := range h.Services {
		check("service", s.Name, s.Pinyin)
	}
}

func TestRoundTrip(t *testing.T) {
	small, err := Load(filepath.Join("testdata", "small-hall.toml"))
	if err != nil {
		t.Fatal(err)
	}
	explicitZeros, err := Load(filepath.Join("testdata", "small-hall.toml"))
	if err != nil {
		t.Fatal(err)
	}
	explicitZeros.Hall.Priority = queue.PriorityPolicy{Classes: []queue.PriorityClass{}}
	explicitZeros.Hall.RecallLimit = 0
	explicitZeros.Hall.Hours = queue.Hours{Open: 0, Close: 24 * time.Hour}
	explicitZeros.Hall.Location = time.UTC
	explicitZeros.Hall.Services[0].Name = `名称 "带引号" \ 反斜杠`
	explicitZeros.Hall.Services[0].Group = "组"

	for name, c := range map[string]*Config{"default": mustDefault(t), "small-hall": small, "explicit zeros": explicitZeros} {
		t.Run(name, func(t *testing.T) {
			out, err := c.MarshalTOML()
			if err != nil {
				t.Fatalf("MarshalTOML: %v", err)
			}
			back, err := Parse("marshalled.toml", out)
			if err != nil {
				t.Fatalf("Parse(MarshalTOML(c)): %v\n%s", err, out)
			}
			equalConfig(t, back, c)
			again, err := back.MarshalTOML()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, out) {
				t.Errorf("marshalling is not stable:\n%s\n----\n%s", out, again)
			}
			if !bytes.HasPrefix(out, []byte("# yiting hall configuration")) {
				t.Errorf("no header comment: %.80q", out)
			}
		})
	}
}

// The effective default, as `yiting -print-config` prints it, is kept in
// testdata so that a change to it shows in review.
func TestMarshalGolden(t *testing.T) {
	out, err := mustDefault(t).MarshalTOML()
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "default-effective.toml")
	if *update {
		if err := os.WriteFile(golden, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(out, want) {
		t.Errorf("MarshalTOML of the default differs from %s (go test -update rewrites it):\n%s", golden, out)
	}
}

func TestMarshalRefusesInvalid(t *testing.T) {
	c := mustDefault(t)
	c.Hall.Services[0].Prefix = "AA"
	_, err := c.MarshalTOML()
	var e *Error
	if !errors.As(err, &e) || e.Field != "services[0].prefix" {
		t.Fatalf("MarshalTOML of a bad prefix: %v", err)
	}
	c = mustDefault(t)
	c.Hall.Location = time.Local
	if _, err := c.MarshalTOML(); err == nil {
		t.Fatal("MarshalTOML with time.Local: no error")
	}
}

// A minimal file gets every default; explicit zeros stay zeros.
func TestDefaultsAndExplicitZeros(t *testing.T) {
	c, err := Parse("minimal.toml", []byte(minimalHall))
	if err != nil {
		t.Fatal(err)
	}
	d := mustDefault(t)
	if c.Hall.Location.String() != DefaultTimezone || c.Hall.Hours != d.Hall.Hours || c.Hall.RecallLimit != DefaultRecallLimit ||
		!reflect.DeepEqual(c.Hall.Priority, d.Hall.Priority) || !reflect.DeepEqual(c.Devices, d.Devices) ||
		c.KeyFile != "" || c.PublicURL != DefaultPublicURL {
		t.Errorf("defaults not filled in: %+v", c)
	}

	zeros := strings.Replace(minimalHall, `region_code = "421224"`, `region_code = "421224"
recall_limit = 0
[priority]
ratio = 0
aging_after = "0"
classes = []`, 1)
	c, err = Parse("zeros.toml", []byte(zeros))
	if err != nil {
		t.Fatal(err)
	}
	p := c.Hall.Priority
	if c.Hall.RecallLimit != 0 || p.Ratio != 0 || p.AgingAfter != 0 || p.Classes == nil || len(p.Classes) != 0 {
		t.Errorf("explicit zeros lost: recall %d, priority %+v", c.Hall.RecallLimit, p)
	}
}

const minimalHall = `name = "测试中心"
region_code = "421224"

[[services]]
id = "consult"
name = "咨询"
prefix = "C"
category = "other"
needs_id_card = false

[[counters]]
id = "w1"
name = "1号窗口"
kind = "window"
services = ["consult"]
`

func TestLoadSmallHall(t *testing.T) {
	c, err := Load(filepath.Join("testdata", "small-hall.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Hall.Services) != 2 || len(c.Hall.Counters) != 2 {
		t.Fatalf("services %d, counters %d", len(c.Hall.Services), len(c.Hall.Counters))
	}
	if w, ok := c.Hall.Counters[0].Serves("petition"); !ok || w != 2 {
		t.Errorf("win-1 serves petition at %d, %v; want 2", w, ok)
	}
	if w, ok := c.Hall.Counters[0].Serves("consult"); !ok || w != 1 {
		t.Errorf("win-1 serves consult at %d, %v; want 1", w, ok)
	}
	want := Devices{
		Reader: "/dev/ttyUSB0", ReaderBaud: 115200, Printer: "/dev/usb/lp0", PrinterBaud: 115200, PrinterProfile: "58mm",
		Buttons: map[string]string{"GPIO5": "consult", "GPIO6": "petition"}, LED: "GPIO17", Buzzer: "GPIO27",
	}
	if !reflect.DeepEqual(c.Devices, want) {
		t.Errorf("devices = %+v, want %+v", c.Devices, want)
	}
	if c.PublicURL != "http://192.168.1.10:8080" || c.Hall.Priority.Ratio != 3 || c.Hall.Hours.Open != 8*time.Hour {
		t.Errorf("public_url %q, ratio %d, open %v", c.PublicURL, c.Hall.Priority.Ratio, c.Hall.Hours.Open)
	}
}

// A counter's unit is one of the hall's [[units]] when it names any: a
// misspelt unit would otherwise be a unit of its own, with its own cases.
func TestUnitsRefuseUnknownCounterUnit(t *testing.T) {
	base, err := os.ReadFile(filepath.Join("testdata", "small-hall.toml"))
	if err != nil {
		t.Fatal(err)
	}
	units := "\n[[units]]\nname = \"镇信访办\"\nkind = \"resident\"\n\n[[units]]\nname = \"镇司法所\"\nkind = \"resident\"\n"
	if _, err := Parse("ok.toml", append(slices.Clone(base), units...)); err != nil {
		t.Fatalf("the small hall with its units: %v", err)
	}
	one := "\n[[units]]\nname = \"镇信访办\"\nkind = \"resident\"\n"
	var e *Error
	if _, err := Parse("bad.toml", append(slices.Clone(base), one...)); !errors.As(err, &e) ||
		e.Field != "counters[1].unit" || !strings.Contains(e.Problem, "镇司法所") {
		t.Errorf("a counter of an unlisted unit: %v", err)
	}
	if _, err := Parse("twice.toml", append(slices.Clone(base), (units+one)...)); !errors.As(err, &e) || e.Field != "units[2].name" {
		t.Errorf("a unit named twice: %v", err)
	}
	odd := "\n[[units]]\nname = \"镇信访办\"\nkind = \"temporary\"\n"
	if _, err := Parse("kind.toml", append(slices.Clone(base), odd...)); !errors.As(err, &e) || e.Field != "units[0].kind" {
		t.Errorf("a unit of an unknown kind: %v", err)
	}
}

func TestLoadErrors(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "hall.toml")
	_, err := Load(missing)
	var e *Error
	if !errors.As(err, &e) || e.File != missing || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Load(missing) = %v", err)
	}
	if want := "firmware-config: " + missing + ": cannot read: no such file or directory"; err.Error() != want {
		t.Errorf("error = %q, want %q", err, want)
	}

	big := filepath.Join(t.TempDir(), "big.toml")
	if err := os.WriteFile(big, bytes.Repeat([]byte("# padding\n"), MaxFileSize/10+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(big); !errors.As(err, &e) || !strings.Contains(e.Problem, "larger than") {
		t.Errorf("Load(big) = %v", err)
	}

	dir := t.TempDir()
	if _, err := Load(dir); !errors.As(err, &e) || e.File != dir {
		t.Errorf("Load(dir) = %v", err)
	}
}

// Notepad saves UTF-8 with a byte order mark; it must not matter, and
// line numbers must stay right.
func TestByteOrderMark(t *testing.T) {
	doc := "\ufeff" + strings.Replace(minimalHall, `prefix = "C"`, `prefix = "CC"`, 1)
	_, err := Parse("bom.toml", []byte(doc))
	var e *Error
	if !errors.As(err, &e) || e.Field != "services[0].prefix" || e.Line != lineOf(t, doc, `prefix = "CC"`, 1) {
		t.Fatalf("with BOM: %v", err)
	}
	if _, err := Parse("bom.toml", []byte("\ufeff"+minimalHall)); err != nil {
		t.Fatalf("with BOM: %v", err)
	}
}

func TestDefaultFileIsTheDefault(t *testing.T) {
	c, err := Parse("copy.toml", DefaultFile())
	if err != nil {
		t.Fatal(err)
	}
	equalConfig(t, c, mustDefault(t))
	// DefaultFile returns a copy: changing it changes nothing.
	b := DefaultFile()
	b[0] = 'X'
	if DefaultFile()[0] == 'X' {
		t.Error("DefaultFile shares its bytes")
	}
}

// The default file documents every key the format has.
func TestDefaultFileDocumentsEveryKey(t *testing.T) {
	doc := string(DefaultFile())
	var walk func(path []string, tp reflect.Type)
	walk = func(path []string, tp reflect.Type) {
		tp = tableType(tp)
		if tp.Kind() == reflect.Map {
			// [cases.limits."TYPE"]: the keys of each table.
			walk(append(path, "TYPE"), tp.Elem())
			return
		}
		if tp.Kind() != reflect.Struct {
			return
		}
		for i := range tp.NumField() {
			f := tp.Field(i)
			key := tomlName(f)
			if !regexp.MustCompile(`(?m)^(# ?)?\s*`+regexp.QuoteMeta(key)+`\b`).MatchString(doc) &&
				!strings.Contains(doc, "["+strings.Join(append(path, key), ".")+"]") {
				t.Errorf("key %s is not documented in default.toml", strings.Join(append(path, key), "."))
			}
			walk(append(path, key), f.Type)
		}
	}
	walk(nil, reflect.TypeFor[fileConfig]())
}
