package cases_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
	"yiting/queue/queuetest"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/personal"
)

// mediate runs a case through to closing with the outcome.
func (f *fixture) mediate(code string, counter string, by queue.Principal, outcome cases.Outcome) {
	f.t.Helper()
	m := must[cases.View](f.t)
	m(f.book.Receive(ctx, by, code, counter))
	m(f.book.Route(ctx, by, code, cases.RouteTo{Kind: cases.RouteCounter, CounterID: counter}))
	m(f.book.StartHandling(ctx, by, code))
	res := cases.Result{Outcome: outcome}
	switch outcome {
	case cases.OutcomeMediated:
		m(f.book.AddRecord(ctx, by, code, cases.RecordAgreement, "协议"))
	case cases.OutcomeFailed:
		res.Referral = cases.ReferLitigation
	}
	m(f.book.Conclude(ctx, by, code, res))
	m(f.book.Close(ctx, by, code, cases.CloseRequest{Note: "已回访"}))
}

// TestStatistics reproduces the seed's mediation figure (519 of 529 settled,
// 98.1 %) and checks each indicator against cases built to give known
// answers.
func TestStatistics(t *testing.T) {
	f := newFixture(t)
	loc := queuetest.Shanghai(t)
	f.clock.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, loc))
	for i := range 529 {
		code := f.register("mediation-general", synthPerson(1000+i)).Case.Code
		outcome := cases.OutcomeMediated
		if i%52 == 51 { // 10 of 529
			outcome = cases.OutcomeFailed
		}
		f.mediate(code, "room-multi", boss, outcome)
	}
	// Petitions registered Mon 2026-06-01 (accept due Tue 06-16):
	f.clock.Set(time.Date(2026, 6, 1, 9, 0, 0, 0, loc))
	repeat := synthPerson(7)
	var pet []string
	for i := range 6 {
		persons := []cases.Person{synthPerson(10 + i)}
		if i == 0 {
			persons = append(persons, repeat, synthPerson(99)) // a group of 3
		}
		if i == 1 {
			persons = []cases.Person{repeat}
		}
		pet = append(pet, f.register("petition", persons...).Case.Code)
	}
	accept := func(code string) {
		must[cases.View](t)(f.book.Receive(ctx, clerk1, code, "win-01"))
		must[cases.View](t)(f.book.Route(ctx, clerk1, code, cases.RouteTo{Kind: cases.RouteCounter, CounterID: "win-01"}))
	}
	f.clock.Set(time.Date(2026, 6, 10, 9, 0, 0, 0, loc))
	accept(pet[0])
	accept(pet[1])
	f.clock.Set(time.Date(2026, 6, 16, 23, 0, 0, 0, loc)) // the last day
	accept(pet[2])
	f.clock.Set(time.Date(2026, 6, 17, 9, 0, 0, 0, loc)) // a day late
	accept(pet[3])
	// pet[4] stays unaccepted (overdue by the report's day); pet[5] is
	// withdrawn before acceptance and counts for neither.
	must[cases.View](t)(f.book.Close(ctx, boss, pet[5], cases.CloseRequest{Outcome: cases.OutcomeWithdrawn, Note: "撤回"}))
	// pet[0] answered and rated 满意; one mediation rated 不满意 below.
	must[cases.View](t)(f.book.StartHandling(ctx, clerk1, pet[0]))
	must[cases.View](t)(f.book.Conclude(ctx, clerk1, pet[0], cases.Result{Outcome: cases.OutcomeAnswered}))
	must[cases.View](t)(f.book.Close(ctx, clerk1, pet[0], cases.CloseRequest{Note: "已回访"}))
	// A later visit of the group, and a phone petition.
	back := must[cases.Issued](t)(f.book.Issue(ctx, kiosk, cases.IssueRequest{ServiceID: "petition",
		Persons: []cases.Person{repeat, synthPerson(98)}, IdempotencyKey: "return"}))
	if !back.Linked || back.CaseCode != pet[1] {
		t.Fatalf("the return visit joined %s, not %s", back.CaseCode, pet[1])
	}
	must[cases.Registered](t)(f.book.Register(ctx, clerk1, cases.RegisterRequest{ServiceID: "petition", Channel: cases.ChannelPhone,
		Persons: []cases.Person{{Name: "钱测试"}}, IdempotencyKey: "phone"}))
	// Ratings through the inquiry page need tokens: rate via the store's
	// cases is not possible from outside, so register two more closed
	// cases with their URLs.
	rate := func(satisfied bool) {
		r := f.register("mediation-labour", synthPerson(500))
		f.mediate(r.Case.Code, "room-labour", boss, cases.OutcomeMediated)
		must[cases.PublicView](t)(f.book.RateResult(ctx, r.URL[strings.LastIndex(r.URL, "/")+1:], satisfied))
	}
	rate(true)
	rate(false)

	f.clock.Set(time.Date(2026, 12, 31, 18, 0, 0, 0, loc))
	s, err := f.book.Stats(ctx, boss, d(2026, 1, 1), d(2026, 12, 31))
	if err != nil {
		t.Fatal(err)
	}
	check := func(name string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	check("cases", s.Cases, 529+6+1+2)
	check("mediation success", s.MediationSuccess, cases.Ratio{Num: 519 + 2, Den: 529 + 2, Rate: 98.1})
	// Timely acceptance: 0, 1, 2 on time; 3 late; 4 and the phone
	// petition overdue; 5 withdrawn before acceptance, excluded.
	check("timely acceptance", s.TimelyAcceptance, cases.Ratio{Num: 3, Den: 6, Rate: 50})
	// 529 + 2 mediations concluded on their day, pet[0] answered in
	// time; pet[1..3], accepted in June, are past their 60 days.
	check("on-time completion", s.OnTimeCompletion, cases.Ratio{Num: 532, Den: 535, Rate: 99.4})
	check("visits", s.Visits, 538+1)
	check("persons", s.Persons, 538+2+2)
	check("group registrations", s.GroupVisits, 1)
	// The repeat visitor is in pet[0] and pet[1]; synthPerson(500) twice.
	check("repeat visitors", s.RepeatVisitors, 2)
	check("repeat cases", s.RepeatCases, 2)
	check("satisfaction", s.Satisfaction, cases.Ratio{Num: 1, Den: 2, Rate: 50})
	// Closed and rateable: 529 + 2 mediations, pet[0]; withdrawn pet[5] is not.
	check("participation", s.Participation, cases.Ratio{Num: 2, Den: 532, Rate: 0.4})
	check("closed", s.Closed, 529+2+2)
	check("overdue", s.Overdue, 3+2) // pet[1..3] handling; pet[4] and the phone petition acceptance
	if s.ByChannel[0].Key != "in_person" || s.ByChannel[1].Name != "来电" || s.ByChannel[1].N != 1 {
		t.Errorf("by channel %+v", s.ByChannel)
	}
	if s.ByType[0].Name != "其他矛盾纠纷调解" || s.ByType[0].N != 529 || s.ByType[0].Key != "mediation.general" {
		t.Errorf("by type %+v", s.ByType)
	}
	if len(s.Warnings) != 0 {
		t.Errorf("warnings %v", s.Warnings)
	}
	if _, err := f.book.Stats(ctx, clerk1, d(2026, 1, 1), d(2026, 12, 31)); queue.ErrorCode(err) != queue.EFORBIDDEN {
		t.Error("staff read statistics")
	}
	if s2, _ := f.book.Stats(ctx, admin, d(2027, 1, 1), d(2027, 12, 31)); s2.Cases != 0 {
		t.Error("2027 has cases")
	}

	// Exports: CSV with a BOM, masked names only; the report in HTML.
	var csv, scsv, html bytes.Buffer
	if err := f.book.ExportCases(ctx, boss, d(2026, 1, 1), d(2026, 12, 31), &csv); err != nil {
		t.Fatal(err)
	}
	if err := cases.WriteStatsCSV(&scsv, s); err != nil {
		t.Fatal(err)
	}
	if err := f.book.WriteReport(&html, s); err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string]*bytes.Buffer{"cases.csv": &csv, "stats.csv": &scsv} {
		if !bytes.HasPrefix(b.Bytes(), []byte("\xEF\xBB\xBF")) || !utf8.Valid(b.Bytes()) {
			t.Errorf("%s: no BOM or not UTF-8", name)
		}
	}
	if lines := strings.Count(csv.String(), "\n"); lines != s.Cases+1 {
		t.Errorf("cases.csv has %d lines, want %d", lines, s.Cases+1)
	}
	for _, frag := range []string{"98.1%（521/531）", "50.0%（3/6）", "按事项类型"} {
		if !strings.Contains(scsv.String(), frag) {
			t.Errorf("stats.csv lacks %q", frag)
		}
		if !strings.Contains(html.String(), frag) {
			t.Errorf("report lacks %q", frag)
		}
	}
	for _, n := range []int{7, 10, 99, 500, 1000, 1528} {
		p := synthPerson(n)
		for _, secret := range []string{p.Name, p.IDNumber, p.Phone, p.Address} {
			if strings.Contains(csv.String(), secret) || strings.Contains(html.String(), secret) || strings.Contains(f.logs.String(), secret) {
				t.Fatalf("export or log contains %q", secret)
			}
		}
	}
	if !strings.Contains(csv.String(), synthPersonMasked(7)) {
		t.Error("cases.csv lacks the masked name")
	}
	if err := f.book.ExportCases(ctx, clerk1, d(2026, 1, 1), d(2026, 12, 31), &csv); queue.ErrorCode(err) != queue.EFORBIDDEN {
		t.Error("staff exported")
	}
}

func synthPersonMasked(n int) string { return personal.MaskName(synthPerson(n).Name) }

func TestStatsWarnsOfMissingHolidayFile(t *testing.T) {
	f := newFixture(t)
	f.clock.Set(time.Date(2027, 3, 1, 9, 0, 0, 0, queuetest.Shanghai(t)))
	s, err := f.book.Stats(ctx, boss, d(2026, 6, 1), d(2027, 5, 31))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0], "2027") {
		t.Fatalf("warnings %q", s.Warnings)
	}
	var html bytes.Buffer
	f.book.WriteReport(&html, s)
	if !strings.Contains(html.String(), "缺少2027年节假日安排文件") {
		t.Error("the report does not say so")
	}
}

// TestAnonymise: five years after closing the personal data is deleted
// and the case record stays as an archive: its texts — the summary, the
// mediation agreement, the visitor's words — are kept with each party's
// name, ID number, phone and address masked (档案法 Art. 21; 人民调解法
// Art. 27), any other mobile or ID number too; photos go; masked forms,
// outcome and statistics stay; open cases are kept whole.
func TestAnonymise(t *testing.T) {
	f := newFixture(t)
	ps := synthPerson(3)
	r, err0 := f.book.Register(ctx, boss, cases.RegisterRequest{ServiceID: "mediation-general", Persons: []cases.Person{ps},
		Summary: ps.Name + "与邻居因排水沟发生纠纷", IdempotencyKey: "anon-1"})
	if err0 != nil {
		t.Fatal(err0)
	}
	token := r.URL[strings.LastIndex(r.URL, "/")+1:]
	must[cases.PublicView](t)(f.book.Tell(ctx, token, cases.MessageMaterial, "我的电话13900000000", [][]byte{photo(t, 4, 4)}))
	terms := "申请人" + ps.Name + "（身份证号" + strings.ToLower(ps.IDNumber) + "，住" + ps.Address + "，电话" + ps.Phone + "）与被申请人自愿达成协议：排水沟由双方共同疏通。"
	must[cases.View](t)(f.book.AddRecord(ctx, boss, r.Case.Code, cases.RecordApplication, terms))
	f.mediate(r.Case.Code, "room-multi", boss, cases.OutcomeMediated)
	open := f.register("petition", synthPerson(4)).Case.Code
	f.clock.Set(time.Date(2031, 11, 26, 9, 0, 0, 0, queuetest.Shanghai(t))) // 5 years to the day: not yet
	if n, err := f.book.Anonymise(ctx); err != nil || n != 0 {
		t.Fatalf("anonymised %d early: %v", n, err)
	}
	f.clock.Set(time.Date(2031, 11, 27, 9, 0, 0, 0, queuetest.Shanghai(t)))
	if n, err := f.book.Anonymise(ctx); err != nil || n != 1 {
		t.Fatalf("anonymised %d: %v", n, err)
	}
	raw := string(f.store.cases[r.Case.Code])
	var c cases.Case
	mustUnmarshal(t, raw, &c)
	if len(c.Persons[0].SealedID) != 0 || c.Persons[0].VisitorKey != "" || c.SealedToken != nil || c.Anonymised.IsZero() {
		t.Fatalf("not anonymised: %s", raw)
	}
	for _, v := range []string{ps.Name, ps.IDNumber, strings.ToLower(ps.IDNumber), ps.Address, ps.Phone, "13900000000"} {
		if strings.Contains(raw, v) {
			t.Errorf("%q outlives the anonymisation: %s", v, raw)
		}
	}
	masked := personal.MaskName(ps.Name)
	wantTerms := "申请人" + masked + "（身份证号" + personal.MaskID(ps.IDNumber) + "，住" + personal.MaskAddress(ps.Address) + "，电话" +
		personal.MaskPhone(ps.Phone) + "）与被申请人自愿达成协议：排水沟由双方共同疏通。"
	if c.Persons[0].MaskedName == "" || c.Outcome != cases.OutcomeMediated || c.Records[0].Text != wantTerms ||
		c.Summary != masked+"与邻居因排水沟发生纠纷" || c.Messages[0].Text != "我的电话139****0000" {
		t.Fatalf("the archive lost what should stay:\nrecord  %q\nwant    %q\nsummary %q\nmessage %q", c.Records[0].Text, wantTerms, c.Summary, c.Messages[0].Text)
	}
	if len(c.Messages[0].Files) != 0 || len(f.store.files) != 0 {
		t.Fatalf("the visitor's photos outlive the anonymisation: %d files", len(f.store.files))
	}
	_, err := f.book.Personal(ctx, boss, r.Case.Code, "核对")
	wantCode(t, err, queue.ECONFLICT, "匿名化")
	if _, err := f.book.QRURL(ctx, boss, r.Case.Code); queue.ErrorCode(err) != queue.ECONFLICT {
		t.Fatal(err)
	}
	if last := f.store.audit[len(f.store.audit)-1]; last.Action != "anonymise" || last.Case != r.Case.Code {
		t.Fatalf("audit %+v", last)
	}
	if n, _ := f.book.Anonymise(ctx); n != 0 {
		t.Fatal("anonymised twice")
	}
	if got := must[[]cases.PersonDetail](t)(f.book.Personal(ctx, boss, open, "核对")); got[0].Name != synthPerson(4).Name {
		t.Fatal("the open case lost its data")
	}
	s := must[*cases.Stats](t)(f.book.Stats(ctx, boss, d(2026, 1, 1), d(2026, 12, 31)))
	if s.Cases != 2 || s.MediationSuccess.Num != 1 {
		t.Fatalf("stats after anonymisation %+v", s)
	}
}

// TestArchiveDue: the anonymised record is kept for its own period, then
// listed for the archive's appraisal, never destroyed; kept permanently by
// default.
func TestArchiveDue(t *testing.T) {
	f := newFixture(t, func(o *cases.Options) { o.ArchiveYears = 10 })
	r := f.register("mediation-general", synthPerson(5))
	f.mediate(r.Case.Code, "room-multi", boss, cases.OutcomeMediated)
	f.register("petition", synthPerson(6)) // open: never due
	f.clock.Set(time.Date(2036, 11, 26, 9, 0, 0, 0, queuetest.Shanghai(t)))
	if n, err := f.book.Anonymise(ctx); err != nil || n != 1 {
		t.Fatalf("anonymised %d: %v", n, err)
	}
	if due := must[*cases.ArchiveDue](t)(f.book.ArchiveDue(ctx, boss)); due.Count != 0 {
		t.Fatalf("due on the last day of the period: %+v", due)
	}
	f.clock.Set(time.Date(2036, 11, 27, 9, 0, 0, 0, queuetest.Shanghai(t)))
	due := must[*cases.ArchiveDue](t)(f.book.ArchiveDue(ctx, boss))
	if due.Count != 1 || !slices.Equal(due.Codes, []string{r.Case.Code}) || due.Years != 10 || due.Before != d(2026, 11, 27) {
		t.Fatalf("due %+v", due)
	}
	if _, err := f.book.ArchiveDue(ctx, clerk1); queue.ErrorCode(err) != queue.EFORBIDDEN {
		t.Errorf("a clerk lists the archive: %v", err)
	}
	if _, ok := f.store.cases[r.Case.Code]; !ok {
		t.Fatal("the record is gone")
	}
	permanent := newFixture(t)
	if due := must[*cases.ArchiveDue](t)(permanent.book.ArchiveDue(ctx, boss)); due != nil {
		t.Errorf("kept permanently, yet due: %+v", due)
	}
}
