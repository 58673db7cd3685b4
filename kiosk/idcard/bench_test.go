package idcard_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/tarm/serial"

	"yiting/kiosk/idcard"
	"yiting/kiosk/idcard/idcardsim"
)

// exchangeBytes is what one card read puts on the wire: three commands of
// 10 bytes (find, select, read base) and their answers of 15, 19 and 1295
// bytes.
const exchangeBytes = 3*10 + 15 + 19 + 1295

// BenchmarkReadIdentity measures from card placement to Identity — find,
// select, read base message, parse — with the simulator emulating the wire
// time of every byte in both directions, over a pseudo-terminal opened with
// tarm/serial. It reports the wire time of the exchange (1359 bytes × 10
// bits ÷ baud) and the ratio of the measured time to it.
func BenchmarkReadIdentity(b *testing.B) {
	for _, baud := range []int{115200, 9600} {
		b.Run(fmt.Sprint(baud), func(b *testing.B) {
			sim := idcardsim.New(&idcardsim.Opts{Baud: baud})
			p, err := sim.ServePTY(context.Background())
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			port, err := serial.OpenPort(&serial.Config{Name: p.Path, Baud: baud, ReadTimeout: 100 * time.Millisecond})
			if err != nil {
				b.Fatal(err)
			}
			defer port.Close()
			t := idcard.DefaultTimeouts(baud)
			conn := idcard.NewConn(port, &t)
			c := card(b, idcardsim.LabelResident)
			ctx := context.Background()
			for b.Loop() {
				sim.Place(c)
				if _, err := conn.ReadIdentity(ctx); err != nil {
					b.Fatal(err)
				}
			}
			wire := idcard.WireTime(exchangeBytes, baud)
			per := b.Elapsed() / time.Duration(b.N)
			b.ReportMetric(float64(wire)/float64(time.Millisecond), "wire-ms/op")
			b.ReportMetric(float64(per)/float64(wire), "x-wire")
		})
	}
}

// BenchmarkReaderPlacement measures the whole loop: from Place to the
// EventCard, with a 5 ms poll so that the wait for the next poll (up to
// Poll, 300 ms by default) does not swamp the figure.
func BenchmarkReaderPlacement(b *testing.B) {
	sim := idcardsim.New(&idcardsim.Opts{Baud: 115200})
	p, err := sim.ServePTY(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	reader := idcard.NewReader(func(ctx context.Context) (io.ReadWriteCloser, error) {
		return serial.OpenPort(&serial.Config{Name: p.Path, Baud: 115200, ReadTimeout: 100 * time.Millisecond})
	}, &idcard.ReaderOpts{Poll: 5 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	events := make(chan idcard.Event, 1)
	done := make(chan error, 1)
	go func() { done <- reader.Run(ctx, events) }()
	defer func() {
		cancel()
		<-done
	}()
	if ev := <-events; ev.Kind != idcard.EventReady {
		b.Fatalf("first event %v", ev)
	}
	c := card(b, idcardsim.LabelResident)
	var total time.Duration
	for b.Loop() {
		b.StopTimer()
		sim.Remove()
		// Let a poll see the empty reader, as a visitor's hand would.
		for n := sim.Count(idcard.OpFind); sim.Count(idcard.OpFind) < n+2; {
			time.Sleep(time.Millisecond)
		}
		b.StartTimer()
		start := time.Now()
		sim.Place(c)
		if ev := <-events; ev.Kind != idcard.EventCard {
			b.Fatalf("event %v", ev)
		}
		total += time.Since(start)
	}
	b.ReportMetric(float64(total)/float64(b.N)/float64(time.Millisecond), "ms/placement")
}

func BenchmarkDecoder(b *testing.B) {
	text, _ := idcardsim.EncodeText(card(b, idcardsim.LabelResident).Identity)
	data := append([]byte{1, 0, 4, 0}, text...)
	data = append(data, make([]byte, 1024)...)
	frame, _ := idcard.Response{SW3: 0x90, Data: data}.MarshalBinary()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		if _, err := idcard.NewDecoder(bytes.NewReader(frame)).Next(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseText(b *testing.B) {
	text, _ := idcardsim.EncodeText(card(b, idcardsim.LabelResident).Identity)
	for b.Loop() {
		if _, err := idcard.ParseText(text); err != nil {
			b.Fatal(err)
		}
	}
}
