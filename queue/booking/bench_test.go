package booking_test

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"yiting/queue/booking"
	"yiting/queue/cases"
	"yiting/queue/queuetest"
)

// BenchmarkBook: staff booking visitors by phone, from 16 goroutines a
// core at once, on a real bbolt file with fsync; every booking is decided on the
// engine's writer and committed with its indexes (group commit).
//
//	go test -run '^$' -bench Book -benchtime 2000x ./queue/booking
func BenchmarkBook(b *testing.B) {
	cfg := testConfig()
	cfg.Plans[1].Capacity, cfg.Plans[1].WalkIn = 1000, 0
	cfg.Plans[1].Periods = []booking.Period{{From: 8 * time.Hour, To: 18 * time.Hour}}
	h := queuetest.NewHall(b, testHall(b), queuetest.HallOptions{Appointments: cfg})
	f := &fixture{Hall: h, t: b}
	persons := make([]cases.Person, b.N)
	for i := range persons {
		persons[i] = f.person()
	}
	day := time.Date(2026, 11, 27, 8, 0, 0, 0, h.Config.Location)
	var next atomic.Int64
	b.SetParallelism(16) // 32 clerks and visitors at once on two cores: commits are shared
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1) - 1)
			start := day.Add(time.Duration(i%20) * 30 * time.Minute)
			if _, err := h.Diary.Book(bg, staff("win-06"), booking.BookRequest{Plan: "legal", Start: start, Persons: persons[i : i+1],
				Channel: booking.ChannelPhone, IdempotencyKey: "bench-" + strconv.Itoa(i)}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
