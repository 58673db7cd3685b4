package boltstore_test

import (
	"context"
	"testing"
	"time"

	"yiting/queue"
	"yiting/queue/boltstore"
)

func smallHall() *queue.Hall {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return &queue.Hall{
		Name: "测试大厅", Location: loc,
		Services: []queue.Service{{ID: "petition", Name: "信访接待", Prefix: "A", Category: queue.CategoryPetition}},
		Counters: []queue.Counter{{ID: "w1", Name: "1号窗口", Kind: queue.KindWindow, Services: []queue.CounterService{{ServiceID: "petition", Weight: 1}}}},
	}
}

// checkEventLog fails unless the event log runs 1, 2, 3 … without a gap.
func checkEventLog(t testing.TB, st *boltstore.Store) {
	t.Helper()
	var next uint64 = 1
	for {
		evs, err := st.Events(context.Background(), next-1, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			return
		}
		for _, ev := range evs {
			if ev.Seq != next {
				t.Fatalf("event log: got seq %d, want %d", ev.Seq, next)
			}
			next++
		}
	}
}
