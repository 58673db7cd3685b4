package boltstore_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
	"yiting/queue/boltstore"
	"yiting/queue/cases"
	"yiting/queue/personal"
)

type caseClock struct{ t time.Time }

func (c *caseClock) Now() time.Time { return c.t }

func caseHall() *queue.Hall {
	h := smallHall()
	h.RegionCode = "421224"
	h.Services = append(h.Services,
		queue.Service{ID: "mediation-medical", Name: "医患纠纷调解", Prefix: "D", Category: queue.CategoryMediation, CaseType: "mediation.medical"})
	h.Services[0].CaseType = "petition"
	h.Counters[0].Unit = "信访局"
	h.Counters = append(h.Counters, queue.Counter{ID: "r1", Name: "医患纠纷调解室", Kind: queue.KindRoom, Unit: "医患委员会",
		Services: []queue.CounterService{{ServiceID: "mediation-medical", Weight: 1}}})
	return h
}

type caseFixture struct {
	st    *boltstore.Store
	eng   *queue.Engine
	book  *cases.Book
	clock *caseClock
	dir   string
}

func openCaseFixture(t testing.TB) *caseFixture {
	t.Helper()
	dir := t.TempDir()
	st, err := boltstore.Open(dir, quiet())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := st.Check(); err != nil {
			t.Errorf("bbolt consistency: %v", err)
		}
		st.Close()
	})
	keys, err := personal.New(bytes.Repeat([]byte{3}, personal.KeySize))
	if err != nil {
		t.Fatal(err)
	}
	cal, err := cases.LoadCalendar(cases.DefaultHolidays())
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation("Asia/Shanghai")
	clk := &caseClock{t: time.Date(2026, 11, 26, 9, 0, 0, 0, loc)}
	hall := caseHall()
	eng, err := queue.New(bgctx, hall, st, queue.Options{Now: clk.Now, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	book, err := cases.New(cases.Options{Hall: hall, Engine: eng, Store: st, Keys: keys, PublicURL: "http://yiting.local", Calendar: cal, Now: clk.Now, Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	eng.SetFollower(book)
	return &caseFixture{st: st, eng: eng, book: book, clock: clk, dir: dir}
}

var (
	bgctx  = context.Background()
	kioskP = queue.Principal{ID: "k1", Role: queue.RoleKiosk}
	bossP  = queue.Principal{ID: "boss", Role: queue.RoleSupervisor}
)

// person is a synthetic party: a Tongshan number with a valid check character.
func person(n int) cases.Person {
	body := fmt.Sprintf("42122419%02d0101%03d", 50+n%40, n%1000)
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	s := 0
	for i := range 17 {
		s += int(body[i]-'0') * w[i]
	}
	return cases.Person{IDNumber: body + string("10X98765432"[s%11]), Name: "测试" + string([]rune("甲乙丙丁戊己庚辛壬癸")[n%10]) + "人", Phone: "13900000000"}
}

func TestCaseStoreIndexes(t *testing.T) {
	f := openCaseFixture(t)
	p := person(1)
	r, err := f.book.Register(bgctx, bossP, cases.RegisterRequest{ServiceID: "petition", Persons: []cases.Person{p, person(2)}, IdempotencyKey: "tap"})
	if err != nil {
		t.Fatal(err)
	}
	code := r.Case.Code
	// Idempotency and the day's sequence survive in the file.
	again, err := f.book.Register(bgctx, bossP, cases.RegisterRequest{ServiceID: "petition", Persons: []cases.Person{p}, IdempotencyKey: "tap"})
	if err != nil || !again.Replayed || again.Case.Code != code || again.URL != r.URL {
		t.Fatalf("replay %+v %v", again, err)
	}
	if n, _ := f.st.LastSeq(bgctx, cases.MakeDate(2026, 11, 26)); n != 1 {
		t.Fatalf("last seq %d", n)
	}
	r2, _ := f.book.Register(bgctx, bossP, cases.RegisterRequest{ServiceID: "mediation-medical", Persons: []cases.Person{p}, IdempotencyKey: "tap2"})
	if !strings.HasPrefix(r2.Case.Code, "421224-20261126-0002-") {
		t.Fatalf("second code %s", r2.Case.Code)
	}
	// A new case with an existing code is refused by the store itself:
	// the whole commit fails.
	c, _ := f.st.Case(bgctx, code)
	c.Summary = "overwritten"
	err = f.st.Commit(bgctx, &queue.Batch{Writes: []any{&cases.Write{Case: c, Facts: c.Facts(time.UTC), New: true}}})
	if !errors.Is(err, queue.ErrUnavailable) {
		t.Fatalf("duplicate code: %v", err)
	}
	if c2, _ := f.st.Case(bgctx, code); c2.Summary == "overwritten" {
		t.Fatal("a refused commit wrote the case")
	}
	// The registrations are events of the log, read back whole.
	evs, _ := f.st.Events(bgctx, 0, 100)
	var regs []string
	for _, ev := range evs {
		if ev.Type == queue.CaseEvent("registered") {
			regs = append(regs, ev.Case.Code+" "+ev.Case.Type+" "+ev.Case.Status)
		}
	}
	if len(regs) != 2 || regs[0] != code+" petition registered" || regs[1] != r2.Case.Code+" mediation.medical registered" {
		t.Fatalf("registration events %q", regs)
	}
	// Token, visitor and open indexes.
	token := r.URL[strings.LastIndex(r.URL, "/")+1:]
	if got, err := f.st.CaseByToken(bgctx, cases.TokenHash(token)); err != nil || got.Code != code {
		t.Fatalf("by token %v", err)
	}
	if _, err := f.st.CaseByToken(bgctx, cases.TokenHash("wrong")); !errors.Is(err, queue.ErrNotFound) {
		t.Fatalf("wrong token %v", err)
	}
	// The visitor's open petition takes their next petition visit.
	is, err := f.book.Issue(bgctx, kioskP, cases.IssueRequest{ServiceID: "petition", Persons: []cases.Person{p}, IdempotencyKey: "back"})
	if err != nil || !is.Linked || is.CaseCode != code {
		t.Fatalf("return visit %+v %v", is, err)
	}
	codes, _ := f.st.OpenCodesOf(bgctx, f.stKey(p))
	if len(codes) != 2 {
		t.Fatalf("open codes %v", codes)
	}
	// Close the second: it leaves the visitor and open indexes and enters
	// the closed one.
	if _, err := f.book.Close(bgctx, bossP, r2.Case.Code, cases.CloseRequest{Outcome: cases.OutcomeWithdrawn, Note: "撤回"}); err != nil {
		t.Fatal(err)
	}
	if codes, _ := f.st.OpenCodesOf(bgctx, f.stKey(p)); len(codes) != 1 || codes[0] != code {
		t.Fatalf("open codes after closing %v", codes)
	}
	n := 0
	f.st.OpenCases(bgctx, func(*cases.Case) error { n++; return nil })
	if n != 1 {
		t.Fatalf("%d open cases", n)
	}
	if closed, _ := f.st.ClosedBefore(bgctx, cases.MakeDate(2026, 11, 27)); len(closed) != 1 || closed[0] != r2.Case.Code {
		t.Fatalf("closed %v", closed)
	}
	if closed, _ := f.st.ClosedBefore(bgctx, cases.MakeDate(2026, 11, 26)); len(closed) != 0 {
		t.Fatalf("closed before the day %v", closed)
	}
	// Facts agree with the cases; EachCase in code order.
	var fs []string
	f.st.EachFacts(bgctx, cases.FactsRange{From: cases.MakeDate(2026, 11, 26), To: cases.MakeDate(2026, 11, 26)}, func(fa *cases.Facts) error {
		fs = append(fs, fmt.Sprintf("%s %s %d %v", fa.Code, fa.Status, fa.Persons, len(fa.VisitorKeys)))
		return nil
	})
	want := []string{code + " registered 2 2", r2.Case.Code + " closed 1 1"}
	if strings.Join(fs, "|") != strings.Join(want, "|") {
		t.Fatalf("facts %v, want %v", fs, want)
	}
	var order []string
	f.st.EachCase(bgctx, cases.MakeDate(2026, 1, 1), cases.MakeDate(2026, 12, 31), func(c *cases.Case) error { order = append(order, c.Code); return nil })
	if len(order) != 2 || order[0] != code {
		t.Fatalf("each case %v", order)
	}
	// No personal data in the clear anywhere in the file.
	f.st.DB().View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				for _, secret := range []string{p.IDNumber, p.Name, person(2).Name} {
					if bytes.Contains(k, []byte(secret)) || bytes.Contains(v, []byte(secret)) {
						t.Errorf("bucket %s holds %q in the clear", name, secret)
					}
				}
				return nil
			})
		})
	})
}

func (f *caseFixture) stKey(p cases.Person) string {
	keys, _ := personal.New(bytes.Repeat([]byte{3}, personal.KeySize))
	return keys.VisitorKey(p.IDNumber)
}

func TestRectificationsAndAudit(t *testing.T) {
	f := openCaseFixture(t)
	at := f.clock.t
	ev := queue.Event{Seq: 41, Type: queue.EventRated, Ticket: &queue.Ticket{ID: 7, Number: "A007", CounterID: "w1",
		Status: queue.StatusDone, Rating: &queue.Rating{Level: queue.Dissatisfied, At: at}}}
	if err := f.book.OnRated(bgctx, ev); err != nil {
		t.Fatal(err)
	}
	r, err := f.st.Rectification(bgctx, 7)
	if err != nil || r.Unit != "信访局" || r.Ticket != "A007" || !r.Open() {
		t.Fatalf("%+v %v", r, err)
	}
	if _, err := f.st.Rectification(bgctx, 8); !errors.Is(err, queue.ErrNotFound) {
		t.Fatal(err)
	}
	reg, _ := f.book.Register(bgctx, bossP, cases.RegisterRequest{ServiceID: "petition", Persons: []cases.Person{person(3)}, IdempotencyKey: "a"})
	if _, err := f.book.Personal(bgctx, bossP, reg.Case.Code, "核实身份"); err != nil {
		t.Fatal(err)
	}
	f.book.Personal(bgctx, bossP, reg.Case.Code, "电话回访")
	var seqs []uint64
	f.st.EachAudit(bgctx, 0, func(e cases.AuditEntry) error { seqs = append(seqs, e.Seq); return nil })
	if len(seqs) != 2 || seqs[0] != 1 || seqs[1] != 2 {
		t.Fatalf("audit seqs %v", seqs)
	}
	var after []cases.AuditEntry
	f.st.EachAudit(bgctx, 1, func(e cases.AuditEntry) error { after = append(after, e); return nil })
	if len(after) != 1 || after[0].Reason != "电话回访" {
		t.Fatalf("after 1: %+v", after)
	}
}

// TestMigratesSchema2ToCases: a file written before cases existed opens,
// gains the case buckets, and takes a registration.
func TestMigratesSchema2ToCases(t *testing.T) {
	dir := t.TempDir()
	db, err := bolt.Open(dir+"/"+boltstore.FileName, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error {
		meta, _ := tx.CreateBucket([]byte("meta"))
		for _, b := range []string{"tickets", "counters", "seq", "idem", "events", "users", "sessions", "tokens", "days"} {
			tx.CreateBucket([]byte(b))
		}
		return meta.Put([]byte("schema"), []byte{0, 0, 0, 0, 0, 0, 0, 2})
	})
	db.Close()
	st, err := boltstore.Open(dir, quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	keys, _ := personal.New(bytes.Repeat([]byte{3}, personal.KeySize))
	hall := caseHall()
	eng, err := queue.New(bgctx, hall, st, queue.Options{Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	book, err := cases.New(cases.Options{Hall: hall, Engine: eng, Store: st, Keys: keys, PublicURL: "http://x", Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := book.LogExisting(bgctx); err != nil || n != 0 {
		t.Fatalf("log existing: %d, %v", n, err)
	}
	if done, err := st.CasesLogged(bgctx); err != nil || !done {
		t.Fatalf("cases logged: %v %v", done, err)
	}
	if _, err := book.Register(bgctx, bossP, cases.RegisterRequest{ServiceID: "petition", Persons: []cases.Person{person(1)}, IdempotencyKey: "k"}); err != nil {
		t.Fatalf("register after migrating: %v", err)
	}
}

// The photos of a case's messages live beside it in the file; an
// anonymising write drops them all.
func TestCaseFiles(t *testing.T) {
	f := openCaseFixture(t)
	r, err := f.book.Register(bgctx, bossP, cases.RegisterRequest{ServiceID: "petition", Persons: []cases.Person{person(1)}, IdempotencyKey: "f"})
	if err != nil {
		t.Fatal(err)
	}
	code := r.Case.Code
	c, _ := f.st.Case(bgctx, code)
	put := func(w *cases.Write) {
		t.Helper()
		w.Case, w.Facts = c, c.Facts(time.UTC)
		if err := f.st.Commit(bgctx, &queue.Batch{Writes: []any{w}}); err != nil {
			t.Fatal(err)
		}
	}
	put(&cases.Write{Files: []cases.File{{Name: "1-1", Data: []byte("one")}, {Name: "1-2", Data: []byte("two")}}})
	if b, err := f.st.CaseFile(bgctx, code, "1-2"); err != nil || string(b) != "two" {
		t.Fatalf("file 1-2: %q %v", b, err)
	}
	if _, err := f.st.CaseFile(bgctx, code, "1-3"); !errors.Is(err, queue.ErrNotFound) {
		t.Fatalf("a missing file: %v", err)
	}
	put(&cases.Write{DropFiles: true})
	for _, name := range []string{"1-1", "1-2"} {
		if _, err := f.st.CaseFile(bgctx, code, name); !errors.Is(err, queue.ErrNotFound) {
			t.Errorf("file %s after dropping: %v", name, err)
		}
	}
}

// TestMigratesSchema5Journal: a file from before the journal, whose case
// documents hold their visits and steps, opens with them moved into the
// journal, counted in the document, and a new visit appends after them.
func TestMigratesSchema5Journal(t *testing.T) {
	dir := t.TempDir()
	hall := caseHall()
	keys, _ := personal.New(bytes.Repeat([]byte{3}, personal.KeySize))
	open := func() (*boltstore.Store, *queue.Engine, *cases.Book) {
		t.Helper()
		st, err := boltstore.Open(dir, quiet())
		if err != nil {
			t.Fatal(err)
		}
		eng, err := queue.New(bgctx, hall, st, queue.Options{Logger: quiet()})
		if err != nil {
			t.Fatal(err)
		}
		book, err := cases.New(cases.Options{Hall: hall, Engine: eng, Store: st, Keys: keys, PublicURL: "http://x", Logger: quiet()})
		if err != nil {
			t.Fatal(err)
		}
		eng.SetFollower(book)
		return st, eng, book
	}
	tap := func(book *cases.Book, key string, size int) cases.Issued {
		t.Helper()
		is, err := book.Issue(bgctx, bossP, cases.IssueRequest{ServiceID: "petition", Persons: []cases.Person{person(1)}, GroupSize: size, IdempotencyKey: key})
		if err != nil {
			t.Fatal(err)
		}
		return is
	}
	st, eng, book := open()
	code := tap(book, "t1", 1).CaseCode
	tap(book, "t2", 6)
	tap(book, "t3", 2)
	before, err := book.Case(bgctx, bossP, code)
	if err != nil {
		t.Fatal(err)
	}
	eng.Close()
	st.Close()

	// The file as schema 5 wrote it: visits and steps inside the document.
	db, err := bolt.Open(dir+"/"+boltstore.FileName, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(func(tx *bolt.Tx) error {
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(tx.Bucket([]byte("cases")).Get([]byte(code)), &doc); err != nil {
			return err
		}
		for field, bucket := range map[string]string{"history": "case_steps", "visits": "case_visits"} {
			var list []json.RawMessage
			tx.Bucket([]byte(bucket)).ForEach(func(_, v []byte) error { list = append(list, v); return nil })
			doc[field], _ = json.Marshal(list)
			if err := tx.DeleteBucket([]byte(bucket)); err != nil {
				return err
			}
		}
		delete(doc, "journal")
		raw, _ := json.Marshal(doc)
		if err := tx.Bucket([]byte("cases")).Put([]byte(code), raw); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte{0, 0, 0, 0, 0, 0, 0, 5})
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	st, eng, book = open()
	defer func() { eng.Close(); st.Close() }()
	after, err := book.Case(bgctx, bossP, code)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(after.History, before.History) || !reflect.DeepEqual(after.Visits, before.Visits) || after.VisitCount != 3 {
		t.Fatalf("after migrating: %d steps, %d visits (count %d); before %d, %d", len(after.History), len(after.Visits), after.VisitCount, len(before.History), len(before.Visits))
	}
	f, err := st.CaseFacts(bgctx, code)
	if err != nil || f.Visits != 3 || f.VisitPersons != 9 || f.Collective != 1 {
		t.Fatalf("facts %+v, %v", f, err)
	}
	if is := tap(book, "t4", 1); !is.Linked || is.CaseCode != code {
		t.Fatalf("a visit after migrating: %+v", is)
	}
	if replay := tap(book, "t1", 1); replay.Linked {
		t.Error("the first visit, replayed, is called a return visit")
	}
	again, err := book.Case(bgctx, bossP, code)
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Visits) != 4 || again.Visits[3].Ticket == "" || len(again.History) != len(before.History)+1 ||
		!reflect.DeepEqual(again.History[:len(before.History)], before.History) {
		t.Fatalf("after a new visit: %d visits, %d steps", len(again.Visits), len(again.History))
	}
	if err := st.Check(); err != nil {
		t.Fatal(err)
	}
}
