package main

import (
	"context"
	"sort"
	"testing"
	"time"

	"yiting/kiosk"
	"yiting/kiosk/idcard"
	"yiting/kiosk/idcard/idcardsim"
)

// readerFrameBytes are the frames of one read at the reader's wire: the
// find that finds the card (10 + 15), select (10 + 19) and the base read
// (10 + 1295), docs/idcard-protocol.md.
const readerFrameBytes = 10 + 15 + 10 + 19 + 10 + 1295

// BenchmarkCardToTicket measures the kiosk's own time between a card
// placed on the reader and the last byte of the ticket on the printer's
// wire, with both devices' serial lines emulated at 115200 baud on
// pseudo-terminals, the real drivers, the in-process engine on bbolt
// (fsync on) and the loop. The budget of issue 5 is: the wire time of the
// reader's frames + the wire time of the ticket's bytes + 30 ms. The
// reader polls every 2 ms here, so that the poll interval (300 ms by
// default, a setting) is not counted as the kiosk's time.
//
//	go test -run '^$' -bench CardToTicket -benchtime 20x ./cmd/yiting/
func BenchmarkCardToTicket(b *testing.B) {
	const baud = 115200
	var o kioskOptions
	o.tuneDevices = func(d *deviceTuning) {
		d.readerSim.Baud = baud
		d.printerSim.Baud = baud
	}
	o.tuneReader = func(r *idcard.ReaderOpts) { r.Poll = 2 * time.Millisecond }
	p := newKioskRig(b, o)
	p.until(b, "ready", func(v kiosk.View) bool { return v.Hall.OK && v.Devices.Reader.OK })
	card, _ := idcardsim.CardByLabel(idcardsim.LabelResident)
	readerWire := idcard.WireTime(readerFrameBytes, baud)

	var over, total []time.Duration
	var ticketBytes int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.choose(b, "petition")
		p.step(b, kiosk.StepWaitCard)
		start := time.Now()
		p.k.dev.readerSim.Place(card)
		doc := p.nextDoc(b)
		elapsed := doc.Received.Sub(start)
		// The ticket's bytes and the four status requests and replies
		// before it (DLE EOT 1–4: 3 + 1 bytes each).
		printerWire := idcard.WireTime(doc.Bytes+4, baud)
		ticketBytes = doc.Bytes
		total = append(total, elapsed)
		over = append(over, elapsed-readerWire-printerWire)
		b.StopTimer()
		p.step(b, kiosk.StepTicket)
		p.k.dev.readerSim.Remove()
		if err := p.k.loop.Back(context.Background()); err != nil {
			b.Fatal(err)
		}
		p.step(b, kiosk.StepIdle)
		b.StartTimer()
	}
	b.StopTimer()
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	sort.Slice(over, func(i, j int) bool { return over[i] < over[j] })
	sort.Slice(total, func(i, j int) bool { return total[i] < total[j] })
	b.ReportMetric(ms(total[len(total)/2]), "ms-card-to-last-byte")
	b.ReportMetric(ms(over[len(over)/2]), "ms-overhead-p50")
	b.ReportMetric(ms(over[len(over)-1]), "ms-overhead-max")
	b.ReportMetric(0, "ns/op")
	b.Logf("wire: reader %d bytes %.1f ms, printer %d bytes %.1f ms; budget overhead 30 ms; %d taps: overhead p50 %.1f ms, max %.1f ms",
		readerFrameBytes, ms(readerWire), ticketBytes+4, ms(idcard.WireTime(ticketBytes+4, baud)), len(over), ms(over[len(over)/2]), ms(over[len(over)-1]))
}
