package hallconfig

import (
	"bytes"
	"errors"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"yiting/queue/cases"
	"yiting/queue/personal"
)

// Without a [cases] section the case tracker gets the statutory table,
// 15 working days to rectify and 5 years of retention.
func TestCasesDefaults(t *testing.T) {
	want := Cases{Limits: cases.DefaultLimits(), RectifyWithin: cases.Work(15), RetentionYears: 5, ArchiveYears: -1}
	minimal, err := Parse("minimal.toml", []byte(minimalHall))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]*Config{"default.toml": mustDefault(t), "minimal": minimal} {
		if !reflect.DeepEqual(c.Cases, want) {
			t.Errorf("%s: Cases = %+v\nwant %+v", name, c.Cases, want)
		}
	}
}

const overrides = `
[cases]
retention_years = -1
rectify_within = "5 working days"

# A default entry: handle changes, the rest stays.
[cases.limits.petition]
handle = "30 days"

# A service's case type without an entry: starts from petition's.
[cases.limits."petition.housing"]
accept = "none"
source = "本县规定（示例）"

# Every key of a default entry.
[cases.limits."mediation.medical"]
accept = "1 day"
handle = "1 working day"
handle_from_accept = false
extension = "10 working days"
source = ""
`

func overridesHall(tb testing.TB) *Config {
	tb.Helper()
	doc := strings.Replace(smallHall(tb), `case_type = "petition"`, "case_type = \"petition\"\n\n[[services]]\nid = \"housing\"\nname = \"住房建设\"\nprefix = \"W\"\ncategory = \"petition\"\nneeds_id_card = true\ncase_type = \"petition.housing\"", 1)
	doc = strings.Replace(doc, `"petition:2", "consult"`, `"petition:2", "housing", "consult"`, 1)
	c, err := Parse("overrides.toml", []byte(doc+overrides))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// An override changes the keys it names and keeps the others of the
// limit the type has by default.
func TestCasesOverrides(t *testing.T) {
	c := overridesHall(t)
	def := cases.DefaultLimits()
	want := cases.DefaultLimits()

	p := def["petition"]
	p.Handle = cases.Cal(30)
	want["petition"] = p

	h := def["petition"] // the parent's, not the overridden one
	h.Accept = cases.Span{}
	h.Source = "本县规定（示例）"
	want["petition.housing"] = h

	// What the file cannot name (the appraisal pause, the parties'
	// agreement an extension needs) stays the statute's.
	m := def["mediation.medical"]
	m.Accept, m.Handle, m.Extension, m.HandleFromAccept, m.Source = cases.Cal(1), cases.Work(1), cases.Work(10), false, ""
	want["mediation.medical"] = m

	if !reflect.DeepEqual(c.Cases.Limits, want) {
		for _, k := range slices.Sorted(maps.Keys(want)) {
			if !reflect.DeepEqual(c.Cases.Limits[k], want[k]) {
				t.Errorf("limit %q = %+v\nwant %+v", k, c.Cases.Limits[k], want[k])
			}
		}
		t.Errorf("limits have %d keys, want %d", len(c.Cases.Limits), len(want))
	}
	if c.Cases.RectifyWithin != cases.Work(5) || c.Cases.RetentionYears != -1 {
		t.Errorf("rectify %+v, retention %d", c.Cases.RectifyWithin, c.Cases.RetentionYears)
	}
	// The override applies to the type's sub-types too.
	if l, key := c.Cases.Limits.For("petition.housing.repair"); key != "petition.housing" || l != h {
		t.Errorf("For(petition.housing.repair) = %+v from %q", l, key)
	}

	out, err := c.MarshalTOML()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse("marshalled.toml", out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	equalConfig(t, back, c)
	for _, s := range []string{
		"retention_years = -1", `rectify_within = "5 working days"`,
		"[cases.limits.\"petition.housing\"]\naccept = \"none\"\nhandle = \"60 days\"\nhandle_from_accept = true\nextension = \"30 days\"\nsource = \"本县规定（示例）\"\n",
		"[cases.limits.\"mediation.medical\"]\naccept = \"1 day\"\nhandle = \"1 working day\"\nhandle_from_accept = false\nextension = \"10 working days\"\nsource = \"\"\n",
	} {
		if !strings.Contains(string(out), s) {
			t.Errorf("MarshalTOML lacks %q", s)
		}
	}
}

// The effective configuration feeds the case book as is (the lines of
// cmd/yiting/run.go), and the book counts with exactly that table.
func TestCasesFeedTheBook(t *testing.T) {
	c := overridesHall(t)
	keys, err := personal.New(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	b, err := cases.New(cases.Options{
		Hall: &c.Hall, Engine: struct{ cases.Runner }{}, Store: struct{ cases.Store }{}, Keys: keys, PublicURL: c.PublicURL,
		Limits: c.Cases.Limits, RectifyWithin: c.Cases.RectifyWithin, RetentionYears: c.Cases.RetentionYears,
	})
	if err != nil {
		t.Fatalf("cases.New: %v", err)
	}
	if !reflect.DeepEqual(b.Limits(), c.Cases.Limits) {
		t.Errorf("book limits %+v\nwant %+v", b.Limits(), c.Cases.Limits)
	}
}

// The two commented examples of default.toml work once uncommented.
func TestDefaultFileCaseExamples(t *testing.T) {
	doc := string(DefaultFile())
	i := strings.Index(doc, "# For example:\n")
	if i < 0 {
		t.Fatal("default.toml has no example overrides")
	}
	example := regexp.MustCompile(`(?m)^# ?`).ReplaceAllString(doc[i+len("# For example:\n"):], "")
	c, err := Parse("examples.toml", []byte(doc[:i]+example))
	if err != nil {
		t.Fatalf("%v\n%s", err, example)
	}
	def := cases.DefaultLimits()
	housing, family := def["petition"], def["mediation"]
	housing.Handle, housing.Source = cases.Cal(30), "本县规定（示例）：住建类信访事项30日内办结"
	family.Handle, family.HandleFromAccept, family.Source = cases.Work(20), true, "本县规定（示例）：婚姻家庭纠纷20个工作日内调结"
	if got := c.Cases.Limits["petition.housing"]; got != housing {
		t.Errorf("petition.housing = %+v, want %+v", got, housing)
	}
	if got := c.Cases.Limits["mediation.family"]; got != family {
		t.Errorf("mediation.family = %+v, want %+v", got, family)
	}
	if len(c.Cases.Limits) != len(def)+2 {
		t.Errorf("%d limits, want %d", len(c.Cases.Limits), len(def)+2)
	}
}

// default.toml lists the case types of the default table: all of them,
// and no other.
func TestDefaultFileListsDefaultCaseTypes(t *testing.T) {
	m := regexp.MustCompile(`case type of the default table \(([^)]*)\)`).FindStringSubmatch(string(DefaultFile()))
	if m == nil {
		t.Fatal("default.toml does not list the default case types")
	}
	var listed []string
	for _, s := range strings.Split(strings.ReplaceAll(m[1], "#", ""), ",") {
		listed = append(listed, strings.TrimSpace(s))
	}
	slices.Sort(listed)
	if want := slices.Sorted(maps.Keys(cases.DefaultLimits())); !slices.Equal(listed, want) {
		t.Errorf("default.toml lists %v\nthe default table has %v", listed, want)
	}
}

// Validate refuses a [cases] changed in code that the file could not
// express or the book would refuse, naming the field.
func TestCasesValidateInMemory(t *testing.T) {
	for _, tc := range []struct {
		name, field, problem string
		change               func(c *Cases)
	}{
		{"negative days", "cases.limits.petition.handle", "-5 days is negative", func(c *Cases) {
			l := c.Limits["petition"]
			l.Handle.Days = -5
			c.Limits["petition"] = l
		}},
		{"zero working days", `cases.limits."petition.review".accept`, `0 working days: no time limit is "none"`, func(c *Cases) {
			l := c.Limits["petition.review"]
			l.Accept = cases.Work(0)
			c.Limits["petition.review"] = l
		}},
		{"unknown case type", "cases.limits.complaint", `"complaint" is not a case type`, func(c *Cases) {
			c.Limits["complaint"] = cases.Limit{Handle: cases.Cal(10)}
		}},
		{"default entry removed", "cases.limits", `the entry of "legal_aid" is missing`, func(c *Cases) {
			delete(c.Limits, "legal_aid")
		}},
		{"nil limits", "cases.limits", "is missing", func(c *Cases) { c.Limits = nil }},
		{"zero rectification", "cases.rectify_within", `"none" is not allowed`, func(c *Cases) { c.RectifyWithin = cases.Span{} }},
		{"zero retention", "cases.retention_years", "0 is not allowed", func(c *Cases) { c.RetentionYears = 0 }},
		{"archive of zero years", "cases.archive_years", "outside 1..100", func(c *Cases) { c.ArchiveYears = 0 }},
		{"archive shorter than the personal data", "cases.archive_years", "shorter than the personal data is kept", func(c *Cases) { c.ArchiveYears = 3 }},
		{"archive of personal data kept for ever", "cases.archive_years", "retention_years = -1", func(c *Cases) { c.RetentionYears, c.ArchiveYears = -1, 30 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := mustDefault(t)
			tc.change(&c.Cases)
			for what, err := range map[string]error{"Validate": c.Validate(), "MarshalTOML": marshalErr(c)} {
				var e *Error
				if !errors.As(err, &e) || e.Field != tc.field || !strings.Contains(e.Problem, tc.problem) {
					t.Errorf("%s = %v; want field %s, problem containing %q", what, err, tc.field, tc.problem)
				}
			}
		})
	}
}

func marshalErr(c *Config) error {
	_, err := c.MarshalTOML()
	return err
}

func TestSpanFormat(t *testing.T) {
	for _, tc := range []struct {
		s    string
		span cases.Span
	}{
		{"none", cases.Span{}},
		{"1 day", cases.Cal(1)},
		{"2 days", cases.Cal(2)},
		{"60 days", cases.Cal(60)},
		{"1 working day", cases.Work(1)},
		{"15 working days", cases.Work(15)},
		{"3650 days", cases.Cal(3650)},
	} {
		got, err := parseSpan(tc.s)
		if err != nil || got != tc.span {
			t.Errorf("parseSpan(%q) = %+v, %v; want %+v", tc.s, got, err, tc.span)
		}
		if f := formatSpan(tc.span); f != tc.s {
			t.Errorf("formatSpan(%+v) = %q, want %q", tc.span, f, tc.s)
		}
	}
	for _, s := range []string{
		"", "None", "0", "0 days", "15", "15d", "15wd", "15 d", "15days", "15  days", " 15 days", "15 days ",
		"15 Days", "15 calendar days", "15 working  days", "15 workdays", "+15 days", "-15 days", "1.5 days",
		"1 days", "2 day", "1 working days", "015 days", "15日", "15个工作日", "fifteen days", "9999999999 days",
	} {
		if sp, err := parseSpan(s); err == nil {
			t.Errorf("parseSpan(%q) = %+v, want an error", s, sp)
		}
	}
}

// FuzzParseSpan: a span that parses formats back to the same text, and
// parseSpan never panics.
func FuzzParseSpan(f *testing.F) {
	for _, s := range []string{"none", "1 day", "15 working days", "60 days", "0 days", "-1 days", "015 days", "999999999 days"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sp, err := parseSpan(s)
		if err != nil {
			return
		}
		if sp.Days < 0 || formatSpan(sp) != s {
			t.Fatalf("parseSpan(%q) = %+v, which formats as %q", s, sp, formatSpan(sp))
		}
	})
}

// The default hall's 劳动保障 complaints are labour-security inspection
// (劳动保障监察条例 Art. 17: 60 working days, 30 more with approval), not
// petitions on the 60+30-day petition clock.
func TestDefaultLabourSecurityIsInspection(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	sv, ok := c.Hall.Service("labour-security")
	if !ok {
		t.Fatal("no labour-security service")
	}
	lim, key := c.Cases.Limits.For(sv.CaseType)
	if key != "complaint.labour_security" || lim.Handle != cases.Work(60) || lim.Extension != cases.Work(30) ||
		lim.ExtendWhen == "" || !strings.Contains(lim.Source, "劳动保障监察条例 第十七条") {
		t.Errorf("%s takes %q: %+v", sv.CaseType, key, lim)
	}
}
