package queue_test

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"sync"
	"testing"
	"time"

	"yiting/queue"
)

func TestPriorityFairnessRatio(t *testing.T) {
	f := newFixture(t) // Ratio 2
	f.openCounters("w1")
	for i := 0; i < 3; i++ {
		f.issue("petition") // A001..A003 normal
	}
	for i := 0; i < 4; i++ {
		f.issue("petition", priority("elderly")) // A004..A007 priority
	}
	var got []string
	for n := f.next("w1"); n != ""; n = f.next("w1") {
		got = append(got, n)
	}
	want := "[A004 A005 A001 A006 A007 A002 A003]"
	if fmt.Sprint(got) != want {
		t.Fatalf("order %v, want %s (2 priority, then the longest-waiting normal)", got, want)
	}
}

func TestAgingBeatsPriorityAndWeight(t *testing.T) {
	f := newFixture(t) // AgingAfter 30m; w1 weighs petition 2, consult 1
	f.openCounters("w1")
	f.issue("consult") // Z001, light service at w1
	f.clock.Advance(31 * time.Minute)
	f.issue("petition", priority("elderly"))
	f.issue("petition")
	if got := f.next("w1"); got != "Z001" {
		t.Fatalf("first call %s: Z001 has waited 31 minutes and must go first", got)
	}
	if got := f.next("w1"); got != "A001" {
		t.Fatalf("second call %s, want the priority A001", got)
	}
}

func TestServiceWeights(t *testing.T) {
	f := newFixture(t)
	f.openCounters("w1", "w2")
	f.issue("consult")  // Z001 first
	f.issue("petition") // A001 later
	if got := f.next("w1"); got != "A001" {
		t.Fatalf("w1 (petition weight 2) called %s", got)
	}
	f.issue("petition")
	f.issue("consult")
	if got := f.next("w2"); got != "Z001" && got != "Z002" {
		t.Fatalf("w2 (consult weight 2) called %s", got)
	}
}

func TestDirectedFirst(t *testing.T) {
	f := newFixture(t)
	f.openCounters("w1")
	f.issue("petition", priority("elderly"))
	f.issue("consult", func(r *queue.IssueRequest) { r.TargetCounter = "w1" })
	if got := f.next("w1"); got != "Z001" {
		t.Fatalf("w1 called %s; the ticket bound to it goes first", got)
	}
}

// Thirty counters call at once; no ticket may be called twice.
func TestConcurrentCallsNeverShareATicket(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var counters []queue.Counter
	for i := 0; i < 30; i++ {
		counters = append(counters, queue.Counter{ID: fmt.Sprint("x", i), Name: fmt.Sprint(i, "号窗口"), Kind: queue.KindWindow,
			Services: []queue.CounterService{{"petition", 1}, {"consult", 1 + i%3}}})
	}
	f.close()
	f.hall.Counters = append(f.hall.Counters, counters...)
	f.open()
	var wg sync.WaitGroup
	for i := 0; i < 600; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			svc := []string{"petition", "consult"}[i%2]
			if _, err := f.eng.Issue(ctx, kiosk, queue.IssueRequest{ServiceID: svc, IdempotencyKey: fmt.Sprint(i)}); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	seen := sync.Map{}
	for _, c := range counters {
		f.openCounters(c.ID)
	}
	for _, c := range counters {
		wg.Add(1)
		go func(c queue.Counter) {
			defer wg.Done()
			for {
				tk, err := f.eng.CallNext(ctx, supervisor, c.ID)
				if err != nil {
					t.Error(err)
					return
				}
				if tk == nil {
					return
				}
				if prev, dup := seen.LoadOrStore(tk.ID, c.ID); dup {
					t.Errorf("ticket %s called by %s and %s", tk.Number, prev, c.ID)
				}
				if _, err := f.eng.Complete(ctx, supervisor, c.ID); err != nil {
					t.Error(err)
					return
				}
			}
		}(c)
	}
	wg.Wait()
	n := 0
	seen.Range(func(any, any) bool { n++; return true })
	if n != 600 {
		t.Fatalf("%d tickets called, want 600", n)
	}
}

// A long market day: a morning rush in which almost half the visitors are
// elderly, then a steady stream, at two windows. The rules must hold: never
// more than Ratio priority calls in a row jump a normal ticket that
// arrived earlier, and priority visitors wait less on average.
func TestLongDaySimulation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.openCounters("w1", "w2")
	rng := rand.New(rand.NewSource(7))
	type rec struct {
		number   string
		priority bool
		issued   time.Time
	}
	issued := map[string]rec{}
	var calls []string
	streak := map[string]int{}
	maxWait := map[bool]time.Duration{}
	var waits = map[bool][]time.Duration{}
	minute := 0
	for ; minute < 8*60; minute++ {
		// Arrivals: 3 a minute in the first two hours (including a
		// stream of elderly visitors), then one every two minutes.
		n := 0
		switch {
		case minute < 120:
			n = rng.Intn(3) + 1
		case minute%2 == 0:
			n = 1
		}
		for i := 0; i < n; i++ {
			pr := rng.Intn(100) < 45
			svc := []string{"petition", "consult"}[rng.Intn(2)]
			var mods []func(*queue.IssueRequest)
			if pr {
				mods = append(mods, priority("elderly"))
			}
			is := f.issue(svc, mods...)
			issued[is.Ticket.Number] = rec{is.Ticket.Number, pr, f.clock.Now()}
		}
		// Each window serves one visitor every 3 minutes on average.
		for _, c := range []string{"w1", "w2"} {
			if rng.Intn(3) != 0 {
				continue
			}
			tk, err := f.eng.CallNext(ctx, supervisor, c)
			if err != nil {
				t.Fatal(err)
			}
			if tk == nil {
				continue
			}
			if _, err := f.eng.Complete(ctx, supervisor, c); err != nil {
				t.Fatal(err)
			}
			calls = append(calls, c+":"+tk.Number)
			r := issued[tk.Number]
			w := f.clock.Now().Sub(r.issued)
			waits[r.priority] = append(waits[r.priority], w)
			if w > maxWait[r.priority] {
				maxWait[r.priority] = w
			}
			if r.priority {
				streak[c]++
			} else {
				streak[c] = 0
			}
			if old := oldestWaiting(f, c); old != nil && tk.ArrivedAt.Sub(old.ArrivedAt) >= f.hall.Priority.AgingAfter {
				t.Fatalf("minute %d: %s called %s, overtaking %s which arrived %v earlier", minute, c, tk.Number, old.Number, tk.ArrivedAt.Sub(old.ArrivedAt))
			}
			if streak[c] > 2 && normalWaitingBefore(f, c, tk) {
				t.Fatalf("minute %d: %s called %d priority tickets in a row while an earlier normal ticket waited", minute, c, streak[c])
			}
		}
		f.clock.Advance(time.Minute)
	}
	mean := func(ds []time.Duration) time.Duration {
		var s time.Duration
		for _, d := range ds {
			s += d
		}
		return s / time.Duration(max(1, len(ds)))
	}
	p90 := func(ds []time.Duration) time.Duration {
		s := append([]time.Duration(nil), ds...)
		sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
		return s[len(s)*9/10]
	}
	t.Logf("served %d of %d; priority: mean %v p90 %v max %v; normal: mean %v p90 %v max %v", len(calls), len(issued),
		mean(waits[true]), p90(waits[true]), maxWait[true], mean(waits[false]), p90(waits[false]), maxWait[false])
	if mean(waits[true]) >= mean(waits[false]) {
		t.Errorf("priority visitors waited no less than others on average")
	}
	if len(waits[false]) == 0 || len(waits[true]) == 0 {
		t.Fatal("simulation served nobody of one class")
	}
}

// normalWaitingBefore reports whether a normal ticket of one of the
// counter's services, that arrived before the called one, is waiting.
func normalWaitingBefore(f *fixture, counter string, called *queue.Ticket) bool {
	c, _ := f.hall.Counter(counter)
	for _, t := range f.eng.Tickets(func(t *queue.Ticket) bool {
		return t.Status == queue.StatusWaiting && t.Priority == "" && t.ArrivedAt.Before(called.ArrivedAt)
	}) {
		if _, ok := c.Serves(t.ServiceID); ok {
			return true
		}
	}
	return false
}

// oldestWaiting is the longest-waiting ticket the counter could call.
func oldestWaiting(f *fixture, counter string) *queue.Ticket {
	c, _ := f.hall.Counter(counter)
	var old *queue.Ticket
	for _, t := range f.eng.Tickets(func(t *queue.Ticket) bool { return t.Status == queue.StatusWaiting }) {
		if _, ok := c.Serves(t.ServiceID); ok && (old == nil || t.ArrivedAt.Before(old.ArrivedAt)) {
			t := t
			old = &t
		}
	}
	return old
}
