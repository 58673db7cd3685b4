package countyview_test

import (
	"context"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"yiting/queue"
	"yiting/queue/cases"
	"yiting/queue/county/countytest"
	"yiting/queue/county/countyview"
	"yiting/queue/queuetest"
)

// county is three townships and the hub, on clocks the test moves
// together.
type countyFixture struct {
	sites []*countytest.Site
	hub   *countytest.Hub
	clock *queuetest.Clock // the hub's
}

var (
	ctx   = context.Background()
	boss  = countytest.Boss
	named = []countyview.SiteName{{ID: "nanlinqiao", Name: "南林桥镇综治中心"}, {ID: "xiapu", Name: "夏铺镇综治中心"},
		{ID: "dalu", Name: "大路乡综治中心"}}
)

func newCounty(t *testing.T) *countyFixture {
	t.Helper()
	start := time.Date(2026, 11, 26, 9, 0, 0, 0, queuetest.Shanghai(t))
	c := &countyFixture{hub: countytest.NewHub(t), clock: queuetest.NewClock(start)}
	for _, n := range named {
		// The townships share the county's region code, as their case
		// codes do today: the same code names a case at each site.
		c.sites = append(c.sites, countytest.NewSite(t, n.ID, n.Name, "421224", start))
	}
	return c
}

// set moves every clock to at.
func (c *countyFixture) set(at time.Time) {
	c.clock.Set(at)
	for _, s := range c.sites {
		s.Hall.Clock.Set(at)
	}
}

// twoDays works a day at each site, then another 32 days later (the
// petitions registered on the first and never accepted are then past
// their 15 days), relaying the sites' streams into the hub's.
func (c *countyFixture) twoDays(t *testing.T) (days []string) {
	t.Helper()
	loc := queuetest.Shanghai(t)
	for d, at := range []time.Time{time.Date(2026, 11, 26, 9, 0, 0, 0, loc), time.Date(2026, 12, 28, 9, 30, 0, 0, loc)} {
		c.set(at)
		days = append(days, at.Format(time.DateOnly))
		for i, s := range c.sites {
			s.WorkDay(i + d)
			c.hub.Relay(s, nil, nil)
		}
	}
	return days
}

// TestModelEqualsTheSites: the read model built from the hub's stream
// holds what each site holds itself — its tickets of each day (the hall's
// own statistics, to the rating), every case's stage, unit, pending
// deadline and supervision, the counts of open, overdue and supervised
// cases, and the assessment of its cases and units.
func TestModelEqualsTheSites(t *testing.T) {
	c := newCounty(t)
	days := c.twoDays(t)
	m := countytest.OpenModel(t, filepath.Join(t.TempDir(), "county.db"), c.clock, 0, named...)
	defer m.Close()
	stop := countytest.Running(t, m, c.hub)
	countytest.CaughtUp(t, m, c.hub)
	stop()
	loc := queuetest.Shanghai(t)

	for _, s := range c.sites {
		for _, day := range days {
			var tickets []queue.Ticket
			if err := s.Hall.Store.TicketsBetween(ctx, day, day, func(tk *queue.Ticket) error {
				tickets = append(tickets, *tk)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			want := queue.ComputeStats(day, day, loc, tickets)
			got, err := m.Site(ctx, s.ID, day)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Stats, want) {
				t.Errorf("%s %s: tickets at the county\n%+v\nat the site\n%+v", s.ID, day, got.Stats, want)
			}
			if want.Tickets == 0 || want.Ratings.Rated == 0 || want.Ratings.Bad == 0 || want.NoShows == 0 {
				t.Fatalf("%s %s: the day has too little to compare: %+v", s.ID, day, want)
			}
		}

		all, err := s.Hall.Book.Find(ctx, boss, cases.Query{Stage: "all", From: cases.MakeDate(2026, 1, 1), To: cases.MakeDate(2026, 12, 31)})
		if err != nil {
			t.Fatal(err)
		}
		if len(all.Rows) < 8 {
			t.Fatalf("%s: %d cases", s.ID, len(all.Rows))
		}
		for _, r := range all.Rows {
			got, err := m.Case(ctx, s.ID, r.Code)
			if err != nil {
				t.Fatalf("%s %s: %v", s.ID, r.Code, err)
			}
			if got.Status != string(r.Status) || got.Unit != r.Unit || got.TypeName != r.TypeName || got.Day != r.Day ||
				!reflect.DeepEqual(got.Due, r.Due) || got.Level != r.Level || got.LevelName != r.LevelName {
				t.Errorf("%s %s at the county: %s %s %s %s due %+v level %s %s\nat the site: %s %s %s %s due %+v level %s %s",
					s.ID, r.Code, got.Status, got.Unit, got.TypeName, got.Day, got.Due, got.Level, got.LevelName,
					r.Status, r.Unit, r.TypeName, r.Day, r.Due, r.Level, r.LevelName)
			}
			if len(got.Timeline) == 0 || got.Timeline[0].Kind != string(cases.StepRegistered) {
				t.Errorf("%s %s: timeline %+v", s.ID, r.Code, got.Timeline)
			}
		}

		open, err := s.Hall.Book.Find(ctx, boss, cases.Query{})
		if err != nil {
			t.Fatal(err)
		}
		list, err := m.Cases(ctx, countyview.CaseQuery{Site: s.ID})
		if err != nil {
			t.Fatal(err)
		}
		n := list.Counts
		if n.Open != open.Counts.Open || n.Overdue != open.Counts.Overdue || n.Supervised != open.Counts.Supervised || n.Open != len(list.Rows) {
			t.Errorf("%s: open %d overdue %d supervised %d at the county, %+v at the site", s.ID, n.Open, n.Overdue, n.Supervised, open.Counts)
		}
		if n.Overdue == 0 || n.Supervised == 0 {
			t.Fatalf("%s: nothing overdue or supervised to compare: %+v", s.ID, n)
		}

		today := cases.DateOf(c.clock.Now(), loc)
		want, err := s.Hall.Book.UnitAssessment(ctx, boss, cases.MakeDate(2026, 1, 1), today)
		if err != nil {
			t.Fatal(err)
		}
		detail, err := m.Site(ctx, s.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		got := detail.Assessment
		want.Centre.Unit = got.Centre.Unit // the hall calls itself 全中心, the county by its name
		want.Units = slices.DeleteFunc(want.Units, func(u cases.UnitScore) bool { return u.Cases == 0 })
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: assessment at the county\n%+v\nat the site\n%+v", s.ID, got, want)
		}
		if got.Meetings == 0 || got.Warnings == 0 || got.Centre.Supervisions == 0 {
			t.Errorf("%s: no 研判/预警/督办 counted: %+v", s.ID, got)
		}
	}

	// Across the county: every open case, the overdue ones first.
	all, err := m.Cases(ctx, countyview.CaseQuery{})
	if err != nil {
		t.Fatal(err)
	}
	sum := 0
	for _, s := range c.sites {
		l, _ := m.Cases(ctx, countyview.CaseQuery{Site: s.ID})
		sum += l.Counts.Open
	}
	if all.Counts.Open != sum || len(all.Rows) != sum {
		t.Errorf("county: %d open, %d rows; the sites' sum %d", all.Counts.Open, len(all.Rows), sum)
	}
	overdue, err := m.Cases(ctx, countyview.CaseQuery{Overdue: true, Unit: "住建局"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range overdue.Rows {
		if r.Due == nil || r.Due.State != "overdue" || r.Unit != "住建局" {
			t.Errorf("filtered row %+v", r)
		}
	}
	if _, err := m.Cases(ctx, countyview.CaseQuery{Stage: "closed"}); queue.ErrorCode(err) != queue.EINVALID {
		t.Errorf("stage closed: %v", err)
	}
	// The same code at two sites is two cases.
	first := c.sites[0].Hall.Engine.Tickets(func(tk *queue.Ticket) bool { return tk.CaseCode != "" })[0].CaseCode
	x, err := m.Case(ctx, "nanlinqiao", first)
	if err != nil {
		t.Fatal(err)
	}
	y, err := m.Case(ctx, "xiapu", first)
	if err != nil || x.Site == y.Site || x.Code != y.Code {
		t.Errorf("code %s at nanlinqiao %+v and xiapu %+v (%v)", first, x.CaseRow, y, err)
	}
	if _, err := m.Case(ctx, "nowhere", first); queue.ErrorCode(err) != queue.ENOTFOUND {
		t.Errorf("a case of a site the county does not know: %v", err)
	}
}

// TestExactlyOnceAcrossRestarts: a model stopped again and again in the
// middle of the stream (a crash leaves the file at the end of a batch, as
// a stop does) and started again holds exactly what a model built in one
// go holds — with a duplicate skipped, a gap recorded and a message that
// is no event counted, none of them stalling the rest.
func TestExactlyOnceAcrossRestarts(t *testing.T) {
	c := newCounty(t)
	c.twoDays(t)
	// A fourth township, not named to the county, whose stream lost
	// events 4–6 before the hub took them, and whose events 2 and 9
	// arrive twice; and a message on its subject that is no event.
	late := countytest.NewSite(t, "yanshi", "燕厦乡综治中心", "421224", c.clock.Now())
	late.WorkDay(0)
	c.hub.Relay(late, func(seq uint64) bool { return seq >= 4 && seq <= 6 }, func(seq uint64) bool { return seq == 2 || seq == 9 })
	c.hub.Publish("yiting.yanshi.events", "99", []byte("{not json"))
	late.WorkDay(1)
	c.hub.Relay(late, nil, nil)

	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.db")
	m := countytest.OpenModel(t, whole, c.clock, 0, named...)
	stop := countytest.Running(t, m, c.hub)
	countytest.CaughtUp(t, m, c.hub)
	stop()
	m.Close()

	stepwise := filepath.Join(dir, "stepwise.db")
	last := c.hub.Last()
	for i := 0; ; i++ {
		m := countytest.OpenModel(t, stepwise, c.clock, 3, named...)
		before, _ := m.StreamSeq()
		if before >= last {
			m.Close()
			if i < 4 {
				t.Fatalf("caught up after %d restarts: the test did not stop it in the middle", i)
			}
			break
		}
		stop := countytest.Running(t, m, c.hub)
		for deadline := time.Now().Add(10 * time.Second); ; {
			seq, _ := m.StreamSeq()
			if seq > before+uint64(1+i%7) || seq >= last {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no progress after stream message %d", seq)
			}
			time.Sleep(time.Millisecond)
		}
		stop()
		if err := m.Check(); err != nil {
			t.Fatal(err)
		}
		m.Close()
	}
	a, b := dump(t, whole), dump(t, stepwise)
	if !maps.Equal(a, b) {
		for k, v := range a {
			if b[k] != v {
				t.Errorf("%q: one go %s, stepwise %s", k, v, b[k])
			}
		}
		for k := range b {
			if _, ok := a[k]; !ok {
				t.Errorf("%q only stepwise", k)
			}
		}
	}

	m = countytest.OpenModel(t, stepwise, c.clock, 0, named...)
	defer m.Close()
	sites, err := m.Sites(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(sites) != 4 || sites[3].Site != "yanshi" || sites[3].Named || sites[3].Name != "yanshi" {
		t.Fatalf("sites: %+v", sites)
	}
	y := sites[3].SiteLink
	wantLast := late.Hall.Engine.Events().Last()
	if y.Last != wantLast || y.Received != wantLast-3 || y.Skipped != 2 || y.Bad != 1 || y.Missing != 3 ||
		len(y.Gaps) != 1 || y.Gaps[0].From != 4 || y.Gaps[0].To != 6 {
		t.Errorf("yanshi's link: %+v (its log ends at %d)", y, wantLast)
	}
	for _, s := range sites[:3] {
		if s.Last != s.Received || s.Missing != 0 || s.Skipped != 0 || s.Bad != 0 || !s.Named || s.LastTime.IsZero() {
			t.Errorf("%s's link: %+v", s.Site, s.SiteLink)
		}
	}
}

// dump reads every bucket of a closed model's file.
func dump(t *testing.T, path string) map[string]string {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	out := map[string]string{}
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				out[string(name)+"/"+string(k)] = string(v)
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 50 {
		t.Fatalf("%s holds only %d entries", path, len(out))
	}
	return out
}
