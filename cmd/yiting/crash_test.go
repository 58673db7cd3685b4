package main

import (
	"context"
	"fmt"
	"math/rand"
	"sync"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/boltstore"
)

// TestCrashUnderLoad kills the server with SIGKILL again and again while
// kiosks issue tickets, restarts it, and then checks the promise of the
// hall: every acknowledged ticket exists exactly once, numbers are unique
// per service per day, a request retried with its idempotency key after a
// crash never yields a second ticket, and the event log has no gaps.
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
	}
	acked := map[string]uint64{} // idempotency key → ticket id
	ackedNumber := map[uint64]string{}
	var pending []tap // sent, answer lost in a crash: retried after restart
	next := 0
	rounds := 8
	for round := 0; round < rounds; round++ {
		srv := startServer(t, env, "-data", dir, "-addr", "127.0.0.1:0", "-log-level", "error")
		ctx := testCtx(t)
		c, err := login(ctx, srv.url, "admin", "crash-test-password")
		if err != nil {
			t.Fatal(err)
		}
		h, err := c.hall(ctx)
		if err != nil {
			t.Fatal(err)
		}
		work := make(chan tap, 1<<16)
		for _, p := range pending {
			work <- p
		}
		pending = nil
		for i := 0; i < 4000; i++ {
			work <- tap{fmt.Sprint("tap-", next), h.services[next%len(h.services)]}
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
					_, err := c.do(ctx, "POST", "/api/v1/tickets", w.key, map[string]string{"service": w.service}, &out)
					mu.Lock()
					if err != nil {
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
		t.Fatalf("%d taps never acknowledged after the last, clean round", len(pending))
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
}
