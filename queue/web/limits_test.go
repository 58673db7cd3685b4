package web_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"yiting/queue/cases"
)

// limitsTable is the text of the case page's table of time limits.
func limitsTable(t testing.TB, f *caseFixture, code string) (string, string) {
	t.Helper()
	w := f.get("/cases/"+code, secSuper)
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	m := regexp.MustCompile(`(?s)<table class="grid limits" id="limits">.*?</table>`).FindString(body)
	if m == "" {
		t.Fatalf("no limits table on %s", code)
	}
	text := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m, " ")
	return strings.Join(strings.Fields(text), " "), body
}

// The case page shows each statute's own limit: a 涉法涉诉 matter no
// petition deadline but the legal procedure; a medical mediation the
// appraisal pause and the parties' agreement its extension needs; a
// petition answered, the 复查 window.
func TestCasePageStatuteLimits(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()

	law := f.register("law", 1)
	f.receive(law)
	if _, err := f.book.Route(ctx, clerk1, law, cases.RouteTo{Kind: cases.RouteUnit, Unit: "县人民法院"}); err != nil {
		t.Fatal(err)
	}
	text, body := limitsTable(t, f, law)
	if !strings.Contains(text, "办理程序") || !strings.Contains(text, "依法定程序") || !strings.Contains(text, "不适用信访事项办理期限") ||
		strings.Contains(text, "60日") || regexp.MustCompile(`\d{4}-\d\d-\d\d`).MatchString(text) || !strings.Contains(body, "已导入法定程序，交县人民法院依法办理") {
		t.Errorf("a law-related case's limits: %s", text)
	}

	med := f.register("medical", 2)
	if _, err := f.book.Receive(ctx, boss, med, "r1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.book.Route(ctx, boss, med, cases.RouteTo{Kind: cases.RouteCounter, CounterID: "r1"}); err != nil {
		t.Fatal(err)
	}
	text, body = limitsTable(t, f, med)
	for _, want := range []string{"30个工作日", "鉴定所需时间不计入", "双方当事人同意延长调解期限", "第三十八条"} {
		if !strings.Contains(text, want) {
			t.Errorf("the medical limits lack %q: %s", want, text)
		}
	}
	extend := regexp.MustCompile(`(?s)<form class="act" data-cmd="extend">.*?</form>`).FindString(body)
	if !strings.Contains(extend, `name="consent" required`) || !strings.Contains(extend, "双方当事人同意延长调解期限") {
		t.Errorf("the extension form does not ask for the parties' agreement: %s", extend)
	}
	if !strings.Contains(body, `data-cmd="pause"`) || strings.Contains(body, `data-cmd="resume"`) {
		t.Error("the pause form is missing, or a resume form shows while the clock runs")
	}
	if _, err := f.book.PauseClock(ctx, boss, med, "委托医疗损害鉴定"); err != nil {
		t.Fatal(err)
	}
	text, body = limitsTable(t, f, med)
	if !strings.Contains(text, "暂停计时，恢复后确定") || !strings.Contains(text, "鉴定期间暂停计时") ||
		!strings.Contains(body, `data-cmd="resume"`) || strings.Contains(body, `data-cmd="extend"`) {
		t.Errorf("a paused clock: %s", text)
	}

	pet := f.register("petition", 3)
	f.receive(pet)
	for _, step := range []func() (cases.View, error){
		func() (cases.View, error) {
			return f.book.Route(ctx, clerk1, pet, cases.RouteTo{Kind: cases.RouteUnit, Unit: "住建局"})
		},
		func() (cases.View, error) { return f.book.StartHandling(ctx, clerk1, pet) },
		func() (cases.View, error) {
			return f.book.Conclude(ctx, clerk1, pet, cases.Result{Outcome: cases.OutcomeAnswered})
		},
	} {
		if _, err := step(); err != nil {
			t.Fatal(err)
		}
	}
	// Concluded Mon 2026-11-02: 30 days → Wed 2026-12-02.
	if text, _ = limitsTable(t, f, pet); !strings.Contains(text, "复查申请期限 2026-12-02 30日，自收到书面答复之日起") ||
		!strings.Contains(text, "第三十五条") || !strings.Contains(text, "还剩 30 天") {
		t.Errorf("the 复查 window: %s", text)
	}
}

// The pages of those who watch deadlines say which year the running
// deadlines touch has no holiday file; the admin page says it too and
// offers the form to send the file.
func TestHolidayWarningsOnThePages(t *testing.T) {
	f := newCaseFixture(t)
	f.register("petition", 1)
	for _, path := range []string{"/dashboard/cases", "/cases"} {
		w := f.get(path, secSuper)
		wantStatus(t, w, http.StatusOK)
		m := regexp.MustCompile(`(?s)<div class="calendar-warnings" id="calendar-warnings".*?</div>`).FindString(w.Body.String())
		if !strings.Contains(m, "缺少2027年节假日安排文件") || !strings.Contains(m, "系统管理") {
			t.Errorf("%s does not warn of 2027: %.300s", path, m)
		}
	}
	w := f.get("/admin", secAdmin)
	wantStatus(t, w, http.StatusOK)
	body := w.Body.String()
	warnings, _ := pageData(t, body)["warnings"].([]any)
	if len(warnings) != 1 || !strings.Contains(warnings[0].(string), "2027") {
		t.Errorf("admin warnings %v", warnings)
	}
	if !strings.Contains(body, `id="holiday-form"`) || !strings.Contains(body, `value="2027"`) ||
		!strings.Contains(regexp.MustCompile(`(?s)<ul id="holiday-years">.*?</ul>`).FindString(body), "2026年（2026.toml）") {
		t.Error("the admin page lacks the holiday years or the upload form")
	}
}

// The printed 延期告知书 of an extension the parties agreed to says so, in
// the words recorded with it.
func TestExtensionNoticeShowsTheAgreement(t *testing.T) {
	f := newCaseFixture(t)
	ctx := context.Background()
	med := f.register("medical", 4)
	if _, err := f.book.Receive(ctx, boss, med, "r1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.book.Route(ctx, boss, med, cases.RouteTo{Kind: cases.RouteCounter, CounterID: "r1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.book.StartHandling(ctx, boss, med); err != nil {
		t.Fatal(err)
	}
	consent := "双方当事人于2026年11月10日书面同意延长调解期限"
	if _, err := f.book.Extend(ctx, boss, med, cases.ExtendRequest{Reason: "需补充病历材料", Consent: consent}); err != nil {
		t.Fatal(err)
	}
	w := f.get("/cases/"+med+"/doc/extend", secSuper)
	wantStatus(t, w, http.StatusOK)
	if body := w.Body.String(); !strings.Contains(body, "因需补充病历材料，"+consent+"，办理期限由") {
		t.Errorf("the notice lacks the agreement: %s", regexp.MustCompile(`<[^>]+>`).ReplaceAllString(body, " "))
	}
}
