package booking_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/booking"
	"yiting/queue/cases"
	"yiting/queue/queuetest"
)

var bg = context.Background()

// testHall: a mediation room, a counselling room, a window for legal aid.
func testHall(tb testing.TB) *queue.Hall {
	return &queue.Hall{
		Name: "测试综治中心", RegionCode: "421224", Location: queuetest.Shanghai(tb), AppointmentPrefix: "Q",
		Services: []queue.Service{
			{ID: "mediation", Name: "矛盾纠纷调解", Prefix: "M", Category: queue.CategoryMediation, NeedsID: true, CaseType: "mediation.general"},
			{ID: "legal-aid", Name: "法律援助", Prefix: "L", Category: queue.CategoryLegal, NeedsID: true, CaseType: "legal_aid"},
			{ID: "consult", Name: "咨询", Prefix: "Z", Category: queue.CategoryOther},
		},
		Counters: []queue.Counter{
			{ID: "room-multi", Name: "多元调解室", Kind: queue.KindRoom, Services: []queue.CounterService{{ServiceID: "mediation", Weight: 1}}},
			{ID: "win-06", Name: "6号窗口", Kind: queue.KindWindow, Services: []queue.CounterService{{ServiceID: "legal-aid", Weight: 2}, {ServiceID: "consult", Weight: 1}}},
		},
	}
}

func weekdays() []time.Weekday {
	return []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}
}

// testConfig: sessions in the mediation room, one an hour, 09:00–12:00;
// legal aid at the window, 20 places a half hour with 2 for walk-ins
// (22 in all), 09:00–11:00, public.
func testConfig() *booking.Config {
	return &booking.Config{
		Policy: booking.DefaultPolicy(),
		Plans: []booking.Plan{
			{ID: "session", Name: "调解预约", ServiceID: "mediation", CounterID: "room-multi", Weekdays: weekdays(),
				Periods: []booking.Period{{From: 9 * time.Hour, To: 12 * time.Hour}}, Length: time.Hour, Capacity: 1},
			{ID: "legal", Name: "法律援助预约", ServiceID: "legal-aid", Weekdays: weekdays(),
				Periods: []booking.Period{{From: 9 * time.Hour, To: 11 * time.Hour}}, Length: 30 * time.Minute, Capacity: 22, WalkIn: 2, Public: true},
		},
	}
}

type fixture struct {
	*queuetest.Hall
	t       testing.TB
	keys    atomic.Int64
	persons atomic.Int64
}

// newFixture: a real hall on bbolt with the diary, at 09:00 on Thursday
// 2026-11-26.
func newFixture(t testing.TB, mods ...func(*booking.Options)) *fixture {
	t.Helper()
	return newFixtureWith(t, testHall(t), testConfig(), mods...)
}

// newFixtureWith is newFixture on another hall and configuration.
func newFixtureWith(t testing.TB, hall *queue.Hall, cfg *booking.Config, mods ...func(*booking.Options)) *fixture {
	t.Helper()
	h := queuetest.NewHall(t, hall, queuetest.HallOptions{Appointments: cfg, Diary: func(o *booking.Options) {
		for _, m := range mods {
			m(o)
		}
	}})
	return &fixture{Hall: h, t: t}
}

func (f *fixture) key() string { return "k" + strconv.FormatInt(f.keys.Add(1), 10) }

// at is a time on a day of the test's month in Shanghai.
func (f *fixture) at(day, hour, min int) time.Time {
	return time.Date(2026, 11, day, hour, min, 0, 0, f.Config.Location)
}

// person is a synthetic visitor with a valid ID number (never a real one).
func (f *fixture) person() cases.Person {
	n := f.persons.Add(1)
	return cases.Person{Name: fmt.Sprintf("测试%c", '甲'+rune(n)), IDNumber: idNumber(int(n)), Phone: "13800000000"}
}

// idNumber: region 421224, birth 1970-01-01 plus n days, a valid MOD 11-2
// check character (GB 11643).
func idNumber(n int) string {
	birth := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n)
	body := "421224" + birth.Format("20060102") + fmt.Sprintf("%03d", n%1000)
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(body[i]-'0') * w
	}
	return body + string("10X98765432"[sum%11])
}

var (
	supervisor = queue.Principal{ID: "boss", Role: queue.RoleSupervisor}
	kiosk      = queue.Principal{ID: "k1", Role: queue.RoleKiosk}
	visitor    = queue.Principal{ID: "ip:192.0.2.7"} // the public page's client
)

func staff(counters ...string) queue.Principal {
	return queue.Principal{ID: "clerk", Role: queue.RoleStaff, Counters: counters}
}

func (f *fixture) book(p queue.Principal, plan string, start time.Time, ch booking.Channel, persons ...cases.Person) booking.Booked {
	f.t.Helper()
	b, err := f.Diary.Book(bg, p, booking.BookRequest{Plan: plan, Start: start, Persons: persons, Channel: ch, IdempotencyKey: f.key()})
	if err != nil {
		f.t.Fatalf("book %s at %s: %v", plan, start, err)
	}
	return b
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func slogTo(w io.Writer) *slog.Logger { return slog.New(slog.NewTextHandler(w, nil)) }
