package boltstore

import (
	"bytes"
	"context"
	"encoding/base64"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/personal"
)

func sampleFacts() cases.Facts {
	return cases.Facts{
		Code: "421224-20261126-0007-5", Type: "mediation.medical", ServiceID: "mediation-medical", Unit: "医患纠纷人民调解委员会",
		Channel: cases.ChannelInPerson, Status: cases.StatusClosed, Outcome: cases.OutcomeFailed, Referral: cases.ReferLitigation,
		Day: cases.MakeDate(2026, 11, 26), AcceptDue: 0, Accepted: cases.MakeDate(2026, 11, 27), HandleDue: cases.MakeDate(2027, 1, 11),
		Handled: cases.MakeDate(2026, 12, 20), Closed: cases.MakeDate(2026, 12, 30), Persons: 3, Visits: 2, VisitPersons: 5,
		VisitorKeys:  []string{"AAAAAAAAAAAAAAAAAAAAAA", "BBBBBBBBBBBBBBBBBBBBBB", "CCCCCCCCCCCCCCCCCCCCCC"},
		Satisfaction: -1, Supervisions: 2, AutoSupervis: 1, LateReplies: 1, Routes: 2, Extended: true,
		Listed: true, Names: []string{"张*", "李**", "欧阳**"}, HandlerCounter: "mediation-room", HandlerStaff: "clerk1",
		RouteUnit: "县人民法院", RouteCounter: "court-room", RouteStaff: "mediator2", Levels: []string{"blue", "red"},
		Risk: cases.RiskHigh, Major: true, Meetings: 2, Warnings: 1, ReviewOpen: true, Objected: true, Collective: 1,
		AccusedUnit: "某局", AccusedStaff: "clerk9", Recused: []string{"clerk3"},
	}
}

func TestFactsRoundTrip(t *testing.T) {
	want := sampleFacts()
	b := encodeFacts(&want)
	d := newFactsDecoder()
	got, err := d.decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("got %+v\nwant %+v", *got, want)
	}
	// The decoder reuses its Facts: a record without keys leaves none.
	empty := cases.Facts{Code: "x", Day: 1}
	got, err = d.decode(encodeFacts(&empty))
	if err != nil || len(got.VisitorKeys) != 0 || got.Unit != "" {
		t.Fatalf("reuse: %+v %v", got, err)
	}
	for i := range b {
		if _, err := newFactsDecoder().decode(b[:i]); err == nil {
			t.Fatalf("truncated at %d decoded", i)
		}
	}
	if _, err := newFactsDecoder().decode(append(b, 0)); err == nil {
		t.Fatal("trailing byte accepted")
	}
}

// A record of version 1, written before the list's fields were kept,
// decodes with Listed false: the list then reads the case itself.
func TestFactsVersion1(t *testing.T) {
	want := v1Fields(sampleFacts())
	got, err := newFactsDecoder().decode(v1Record(t, sampleFacts()))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("got %+v\nwant %+v", *got, want)
	}
	b := encodeFacts(&want)
	if _, err := newFactsDecoder().decode(append([]byte{3}, b[1:]...)); err == nil {
		t.Fatal("an unknown version decoded")
	}
}

func FuzzDecodeFacts(f *testing.F) {
	s := sampleFacts()
	f.Add(encodeFacts(&s))
	f.Add([]byte{factsVersion})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := newFactsDecoder().decode(b)
		if err != nil {
			return
		}
		again, err := newFactsDecoder().decode(encodeFacts(got))
		if err != nil || !reflect.DeepEqual(*again, *got) {
			t.Fatalf("re-encoding changed %+v: %+v %v", got, again, err)
		}
	})
}

// fillBusyYear writes the facts of a busy hall's year straight into the
// facts bucket, a day per transaction: perDay matters a working day of
// 2026 (the 61-window centre of docs/domain.md does 600), 1.5 persons a
// visit, visitors drawn from a pool so some return, the hall's case
// types, units, outcomes and ratings in plausible shares. Only the facts
// are written: the statistics read nothing else. The data is invented.
func fillBusyYear(tb testing.TB, s *Store, perDay int) int {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	cal, err := cases.LoadCalendar(cases.DefaultHolidays())
	if err != nil {
		tb.Fatal(err)
	}
	types := []struct{ typ, svc, unit string }{
		{"petition", "petition", "信访局"}, {"petition.law_related", "law-petition", "公安局"}, {"petition.labour_security", "labour-security", "人社局"},
		{"petition.housing", "housing", "住建局"}, {"petition.civil_affairs", "civil-affairs", "民政局"}, {"complaint.consumer", "consumer", "市场监督管理局"},
		{"petition.department", "other-dept", "派驻单位（轮值）"}, {"mediation.medical", "mediation-medical", "医患纠纷人民调解委员会"},
		{"mediation.traffic", "mediation-traffic", "道路交通事故纠纷人民调解委员会"}, {"mediation.labour", "mediation-labour", "劳动争议调解委员会"},
		{"mediation.lending", "mediation-lending", "借贷纠纷人民调解委员会"}, {"mediation.family", "mediation-family", "婚姻家庭纠纷人民调解委员会"},
		{"mediation.property", "mediation-property", "物业纠纷人民调解委员会"}, {"mediation.land", "mediation-land", "山林土地纠纷人民调解委员会"},
		{"mediation.general", "mediation-general", "司法局"}, {"legal_aid", "legal-aid", "司法局"}, {"counselling", "counselling", "心理咨询师"},
		{"litigation", "litigation", "法院"}, {"litigation.confirmation", "judicial-confirmation", "法院"},
	}
	channels := []cases.Channel{cases.ChannelInPerson, cases.ChannelInPerson, cases.ChannelInPerson, cases.ChannelPhone, cases.ChannelLetter, cases.ChannelOnline}
	key := func() string {
		var b [16]byte
		v := rng.IntN(perDay * 150) // a pool of visitors: about 1 in 3 returns within the year
		b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
		return base64.RawURLEncoding.EncodeToString(b[:])
	}
	n := 0
	for day := cases.MakeDate(2026, 1, 1); day <= cases.MakeDate(2026, 12, 31); day++ {
		if !cal.Workday(day) {
			continue
		}
		err := s.db.Update(func(tx *bolt.Tx) error {
			b := tx.Bucket(bucketCaseFacts)
			b.FillPercent = 0.9
			for seq := 1; seq <= perDay; seq++ {
				ty := types[rng.IntN(len(types))]
				f := cases.Facts{
					Code: cases.Code{Region: "421224", Day: day, Seq: seq}.String(), Type: ty.typ, ServiceID: ty.svc, Unit: ty.unit,
					Channel: channels[rng.IntN(len(channels))], Day: day, Visits: 1 + rng.IntN(3)/2,
				}
				f.Persons = 1
				if rng.IntN(4) == 0 {
					f.Persons = 2 + rng.IntN(4)
				}
				f.VisitPersons = f.Persons * f.Visits
				for range f.Persons {
					f.VisitorKeys = append(f.VisitorKeys, key())
				}
				f.AcceptDue = cal.Due(day, cases.Cal(15))
				f.Accepted = day + cases.Date(rng.IntN(18))
				f.HandleDue = cal.Due(f.Accepted, cases.Cal(60))
				f.Routes = 1 + rng.IntN(4)/3
				switch r := rng.IntN(100); {
				case r < 8: // still open
					f.Status = cases.StatusHandling
				default:
					f.Status = cases.StatusClosed
					f.Handled = f.Accepted + cases.Date(rng.IntN(70))
					f.Closed = f.Handled + cases.Date(rng.IntN(10))
					switch {
					case ty.typ[:3] == "med" && r < 97:
						f.Outcome = cases.OutcomeMediated
					case ty.typ[:3] == "med":
						f.Outcome, f.Referral = cases.OutcomeFailed, cases.ReferLitigation
					case r < 98:
						f.Outcome = cases.OutcomeAnswered
					default:
						f.Outcome = cases.OutcomeWithdrawn
					}
					if rng.IntN(3) == 0 {
						f.Satisfaction = 1
						if rng.IntN(20) == 0 {
							f.Satisfaction = -1
						}
					}
				}
				if rng.IntN(10) == 0 {
					f.Supervisions, f.AutoSupervis = 1, 1
				}
				if err := b.Put(dayKey(day, f.Code), encodeFacts(&f)); err != nil {
					return err
				}
				if err := markCaseStats(tx, day, f.Code, nil, f.VisitorKeys); err != nil {
					return err
				}
				n++
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return n
}

// BenchmarkCaseStatsBusyYear: the statistics (Book.Stats, on a real bbolt
// file) of one day, a month, a year and a period of odd ends, of 600
// matters a working day — the busiest centre of docs/domain.md; Tongshan
// registers ~2,200 a year — from the stored days, months and years
// (casestats.go). The year must cost no more than five times the day
// (issue 15):
//
//	go test -run '^$' -bench CaseStatsBusyYear ./queue/boltstore
func BenchmarkCaseStatsBusyYear(b *testing.B) {
	st, err := Open(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	n := fillBusyYear(b, st, 600)
	keys, _ := personal.New(bytes.Repeat([]byte{1}, personal.KeySize))
	loc, _ := time.LoadLocation("Asia/Shanghai")
	hall := &queue.Hall{Name: "测试", RegionCode: "421224", Location: loc,
		Services: []queue.Service{{ID: "petition", Name: "信访接待", Prefix: "A", Category: queue.CategoryPetition, CaseType: "petition"}},
		Counters: []queue.Counter{{ID: "w1", Name: "1号窗口", Kind: queue.KindWindow, Services: []queue.CounterService{{ServiceID: "petition", Weight: 1}}}}}
	now := func() time.Time { return time.Date(2027, 1, 15, 9, 0, 0, 0, loc) }
	eng, err := queue.New(context.Background(), hall, st, queue.Options{Now: now})
	if err != nil {
		b.Fatal(err)
	}
	defer eng.Close()
	book, err := cases.New(cases.Options{Hall: hall, Engine: eng, Store: st, Keys: keys, PublicURL: "http://x", Now: now})
	if err != nil {
		b.Fatal(err)
	}
	boss := queue.Principal{ID: "boss", Role: queue.RoleSupervisor}
	year := [2]cases.Date{cases.MakeDate(2026, 1, 1), cases.MakeDate(2026, 12, 31)}
	start := time.Now()
	s, err := book.Stats(context.Background(), boss, year[0], year[1]) // counts and stores every day once
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("first statistics of the year, storing its days: %v", time.Since(start).Round(time.Millisecond))
	if s.Cases != n || s.Persons == 0 || s.RepeatVisitors == 0 || s.MediationSuccess.Den == 0 {
		b.Fatalf("stats over %d cases: %+v", n, s)
	}
	for _, c := range []struct {
		name     string
		from, to cases.Date
	}{
		{"day", cases.MakeDate(2026, 6, 3), cases.MakeDate(2026, 6, 3)},
		{"year", year[0], year[1]},
		{"month", cases.MakeDate(2026, 6, 1), cases.MakeDate(2026, 6, 30)},
		// Neither whole year nor whole months at its ends: 10 months
		// and 23 days.
		{"rolling", cases.MakeDate(2026, 1, 20), cases.MakeDate(2026, 12, 10)},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := book.Stats(context.Background(), boss, c.from, c.to); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n), "cases")
		})
	}
}

// A version 1 facts record (written before the list's fields) lacks the
// names a search looks for: a scan with Containing reads it anyway, so the
// book can read its case; a version 2 record without the text is skipped.
func TestFactsScanSkipsOnlyWhatItCanJudge(t *testing.T) {
	st, err := Open(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v2 := sampleFacts()
	v1 := sampleFacts()
	v1.Code = "421224-20261126-0008-3"
	err = st.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCaseFacts)
		if err := b.Put(dayKey(v2.Day, v2.Code), encodeFacts(&v2)); err != nil {
			return err
		}
		return b.Put(dayKey(v1.Day, v1.Code), v1Record(t, v1))
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	err = st.EachFacts(context.Background(), cases.FactsRange{From: v2.Day, To: v2.Day, Containing: "没有这个名字"}, func(f *cases.Facts) error {
		got = append(got, f.Code)
		return nil
	})
	if err != nil || len(got) != 1 || got[0] != v1.Code {
		t.Errorf("read %v (%v), want the version 1 record alone", got, err)
	}
	// A scan that needs no visitor keys gets none; the others get them.
	for _, noKeys := range []bool{true, false} {
		err := st.EachFacts(context.Background(), cases.FactsRange{From: v2.Day, To: v2.Day, NoKeys: noKeys}, func(f *cases.Facts) error {
			if f.Code == v2.Code && (len(f.VisitorKeys) == 0) != noKeys {
				t.Errorf("NoKeys %v: keys %v", noKeys, f.VisitorKeys)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// v1Fields is f with the fields of version 1 only.
func v1Fields(f cases.Facts) cases.Facts {
	f.Listed, f.Names, f.Levels, f.Recused = false, nil, nil, nil
	f.HandlerCounter, f.HandlerStaff, f.RouteUnit, f.RouteCounter, f.RouteStaff = "", "", "", "", ""
	f.Risk, f.Major, f.Meetings, f.Warnings, f.ReviewOpen, f.Objected, f.Collective = "", false, 0, 0, false, false, 0
	f.AccusedUnit, f.AccusedStaff = "", ""
	return f
}

// v1Record encodes f as version 1 did: without the list's fields.
func v1Record(t *testing.T, f cases.Facts) []byte {
	t.Helper()
	f = v1Fields(f)
	b := encodeFacts(&f)
	return append([]byte{1}, b[1:len(b)-15]...) // the fields of version 2, all empty or zero
}
