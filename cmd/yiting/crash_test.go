package main

import (
	"context"
	"fmt"
	"math/rand"
	"sync"
	"testing"
	"time"

	hallconfig "yiting/firmware-config"
	"yiting/queue"
	"yiting/queue/boltstore"
	"yiting/queue/cases"
)

// TestCrashUnderLoad kills the server with SIGKILL again and again while
// taps are issued at the desk — with cards, so that most open or join a
// case — restarts it, and then checks the promise of the hall: every
// acknowledged ticket exists exactly once, numbers are unique per service
// per day, a request retried with its idempotency key after a crash never
// yields a second ticket or case, every ticket of a case-opening service
// has its case and every case its tickets (no orphan on either side), and
// the event log has no gaps. The taps come from the admin's session, as
// the service desk's would: a kiosk token may register only at a kiosk's
// pace.
func TestCrashUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("SIGKILL loop: skipped with -short")
	}
	dir := t.TempDir()
	env := []string{"YITING_ADMIN_PASSWORD=crash-test-password"}
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	type tap struct {
		key     string
		service string
		n       int // the tap's synthetic visitor
	}
	acked := map[string]uint64{} // idempotency key → ticket id
	ackedNumber := map[uint64]string{}
	var pending []tap // sent, answer lost in a crash: retried after restart
	next := 0
	rounds := 8
	var h *loadHallInfo
	var lastErr error
	for round := 0; round < rounds; round++ {
		srv := startServer(t, env, "-data", dir, "-addr", "127.0.0.1:0", "-log-level", "error")
		// A bound on a hung server, not a speed: the last round sends the
		// retries of every round before it, on a machine the race
		// detector and the rest of the suite keep busy.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		c, err := login(ctx, srv.url, "admin", "crash-test-password")
		if err != nil {
			t.Fatal(err)
		}
		h, err = c.hall(ctx)
		if err != nil {
			t.Fatal(err)
		}
		work := make(chan tap, 1<<16)
		for _, p := range pending {
			work <- p
		}
		pending = nil
		for i := 0; i < 4000; i++ {
			work <- tap{fmt.Sprint("tap-", next), h.services[next%len(h.services)], next}
			next++
		}
		close(work)
		var mu sync.Mutex
		var wg sync.WaitGroup
		for k := 0; k < 16; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for w := range work {
					var out issuedTicket
					_, err := c.do(ctx, "POST", "/api/v1/tickets", w.key, h.tap(w.service, w.n), &out)
					mu.Lock()
					if err != nil {
						lastErr = err
						pending = append(pending, w) // the kiosk retries this tap
					} else {
						if prev, ok := acked[w.key]; ok && prev != out.Ticket.ID {
							t.Errorf("tap %s: ticket %d, then %d after a retry", w.key, prev, out.Ticket.ID)
						}
						acked[w.key] = out.Ticket.ID
						ackedNumber[out.Ticket.ID] = out.Ticket.Number
					}
					mu.Unlock()
				}
			}()
		}
		time.Sleep(time.Duration(150+rng.Intn(400)) * time.Millisecond)
		if round < rounds-1 {
			srv.kill() // SIGKILL: no shutdown, mid-write
		}
		wg.Wait()
		if round == rounds-1 {
			srv.stop(t)
		}
	}
	if len(pending) > 0 {
		t.Fatalf("%d taps never acknowledged after the last, clean round: %v", len(pending), lastErr)
	}
	t.Logf("%d tickets acknowledged across %d SIGKILLs", len(acked), rounds-1)

	st, err := boltstore.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Check(); err != nil {
		t.Fatalf("bbolt consistency: %v", err)
	}
	ctx := context.Background()
	numbers := map[string]uint64{}
	seen := map[uint64]bool{}
	err = st.EachTicket(ctx, func(tk *queue.Ticket) error {
		key := tk.Day + "/" + tk.ServiceID + "/" + tk.Number
		if other, dup := numbers[key]; dup {
			t.Errorf("number %s handed out twice on %s: tickets %d and %d", tk.Number, tk.Day, other, tk.ID)
		}
		numbers[key] = tk.ID
		seen[tk.ID] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for id, number := range ackedNumber {
		if !seen[id] {
			t.Errorf("acknowledged ticket %s (id %d) is gone", number, id)
		}
	}
	// Every stored ticket was issued by exactly one event, in a log
	// without gaps.
	issued := map[uint64]int{}
	var want uint64 = 1
	for {
		evs, err := st.Events(ctx, want-1, 5000)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		for _, ev := range evs {
			if ev.Seq != want {
				t.Fatalf("event log gap: seq %d after %d", ev.Seq, want-1)
			}
			want++
			if ev.Type == queue.EventIssued {
				issued[ev.Ticket.ID]++
			}
		}
	}
	for id := range seen {
		if issued[id] != 1 {
			t.Errorf("ticket %d has %d issue events", id, issued[id])
		}
	}
	checkTicketsAndCases(t, st, h)
}

// checkTicketsAndCases: every ticket of a service that opens a case,
// issued with a card, belongs to a case whose visits list it exactly once;
// every visit of every case is a stored ticket of that case. So no ticket
// lost its case, no case lost its ticket, and nothing was doubled.
func checkTicketsAndCases(t *testing.T, st *boltstore.Store, h *loadHallInfo) {
	t.Helper()
	ctx := context.Background()
	cfg, err := hallconfig.Default() // the hall the server ran
	if err != nil {
		t.Fatal(err)
	}
	type key struct{ day, number string }
	tickets := map[key]*queue.Ticket{}
	withCase := 0
	err = st.EachTicket(ctx, func(tk *queue.Ticket) error {
		tickets[key{tk.Day, tk.Number}] = tk
		if tk.CaseCode != "" {
			withCase++
		}
		if sv, _ := cfg.Hall.Service(tk.ServiceID); h.needsID[sv.ID] && sv.CaseType != "" && tk.CaseCode == "" {
			t.Errorf("ticket %s of %s has no case", tk.Number, tk.ServiceID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	visits := map[key]string{}
	nCases := 0
	err = st.EachCase(ctx, cases.MakeDate(2000, 1, 1), cases.MakeDate(2100, 1, 1), func(c *cases.Case) error {
		nCases++
		for _, v := range c.Visits {
			// A visit names its ticket by number, of the day of the visit.
			k := key{v.At.In(cfg.Hall.Location).Format(time.DateOnly), v.Ticket}
			tk, ok := tickets[k]
			switch {
			case !ok:
				t.Errorf("case %s: visit of ticket %s on %s: no such ticket", c.Code, v.Ticket, k.day)
			case tk.CaseCode != c.Code:
				t.Errorf("case %s: its ticket %s belongs to case %q", c.Code, v.Ticket, tk.CaseCode)
			}
			if other, dup := visits[k]; dup {
				t.Errorf("ticket %s is a visit of %s and of %s", v.Ticket, other, c.Code)
			}
			visits[k] = c.Code
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(visits) != withCase {
		t.Errorf("%d tickets carry a case, %d are visits of cases", withCase, len(visits))
	}
	t.Logf("%d tickets with a case, %d cases", withCase, nCases)
}
