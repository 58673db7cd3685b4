package httpapi_test

import (
	"bufio"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"yiting/queue/httpapi"
)

// BenchmarkIdleStreams measures what an idle event stream costs the
// server: b.N boards hold GET /api/v1/events open on a real listener,
// through the server's limits, and the heap and goroutine stacks in use
// before and after give the cost of one (what a Pi's memory holds per
// board, console or pad). The clients are bare connections that send
// their request and read only the first line, so they add no goroutine
// or buffer of their own.
//
//	go test -run '^$' -bench IdleStreams -benchtime 2000x ./queue/httpapi/
func BenchmarkIdleStreams(b *testing.B) {
	f := newFixture(b, benchSetup, func(s *setup) { s.api.MaxStreams = -1 })
	srv := f.limitedServer(httpapi.LimitOptions{MaxConns: -1})
	before := inUse()
	goroutines := runtime.NumGoroutine()
	b.ResetTimer()
	conns := make([]net.Conn, b.N)
	for i := range conns {
		c, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		if _, err := c.Write([]byte("GET /api/v1/events HTTP/1.1\r\nHost: hall\r\nAuthorization: Bearer " + secDisplay + "\r\n\r\n")); err != nil {
			b.Fatal(err)
		}
		c.SetReadDeadline(time.Now().Add(hang))
		line, err := bufio.NewReaderSize(c, 16).ReadString('\n')
		if err != nil || !strings.Contains(line, " 200 ") {
			b.Fatalf("stream %d: %q %v", i, line, err)
		}
		conns[i] = c
	}
	b.StopTimer()
	time.Sleep(200 * time.Millisecond) // every handler reaches its wait
	after := inUse()
	b.ReportMetric(float64(after-before)/float64(b.N), "B/stream")
	b.ReportMetric(float64(runtime.NumGoroutine()-goroutines)/float64(b.N), "goroutines/stream")
	b.ReportMetric(0, "ns/op")
}

// inUse is the heap and goroutine stacks in use after a few collections
// (a parked goroutine's stack shrinks at a collection when it uses less
// than a quarter of it).
func inUse() uint64 {
	for i := 0; i < 4; i++ {
		runtime.GC()
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}
