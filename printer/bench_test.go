package printer_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"yiting/printer"
	"yiting/printer/escpos"
	"yiting/printer/printersim"
)

// BenchmarkTicketBytes reports the bytes of the sample ticket (all of it,
// and its QR block alone) with a native and with a raster QR code.
func BenchmarkTicketBytes(b *testing.B) {
	for _, name := range []string{"80mm", "80mm-raster", "58mm", "58mm-raster"} {
		b.Run(name, func(b *testing.B) {
			p := mustProfile(b, name)
			tk := sampleTicket()
			var n int
			for b.Loop() {
				data, err := printer.Encode(tk, p, nil)
				if err != nil {
					b.Fatal(err)
				}
				n = len(data)
			}
			var qr escpos.Buffer
			if p.QR == printer.QRNative {
				qr.QR([]byte(tk.CaseURL), p.QRModule, p.QRLevel)
			} else {
				bm, err := printer.QRBitmap(tk.CaseURL, p.QRLevel, p.QRModule)
				if err != nil {
					b.Fatal(err)
				}
				qr.Raster(bm)
			}
			b.ReportMetric(float64(n), "bytes/ticket")
			b.ReportMetric(float64(qr.Len()), "qr-bytes")
		})
	}
}

// paperSpeed is the simulated printer's paper speed in the print-time
// benchmark: the TM-T88III figure of docs/escpos.md (Chinese 80 mm models
// do 200–260 mm/s).
const paperSpeed = 150.0

// BenchmarkPrintPTY prints the sample ticket over a pseudo-terminal to a
// simulated printer that emulates the wire at the given baud rate and the
// paper moving at 150 mm/s. One op is Print (status check, ticket, status
// check) until the simulated paper has stopped. The floor of docs/escpos.md
// is max(bytes × 10 / baud, length / speed).
func BenchmarkPrintPTY(b *testing.B) {
	for _, baud := range []int{9600, 115200} {
		for _, name := range []string{"80mm", "80mm-raster"} {
			b.Run(fmt.Sprintf("%s/%d", name, baud), func(b *testing.B) {
				r := newRig(b, name, &printersim.Opts{Baud: baud, PaperSpeed: paperSpeed}, &printer.Opts{Baud: baud})
				tk := sampleTicket()
				ctx := context.Background()
				var doc printersim.Document
				var wireBytes int
				for b.Loop() {
					before := r.sim.Stats().Bytes
					if _, err := r.drv.Print(ctx, tk); err != nil {
						b.Fatal(err)
					}
					doc = r.next(b)
					wireBytes = r.sim.Stats().Bytes - before
				}
				wire := time.Duration(wireBytes) * 10 * time.Second / time.Duration(baud)
				mm := float64(doc.Length()) / 8
				paper := time.Duration(mm / paperSpeed * float64(time.Second))
				b.ReportMetric(float64(wireBytes), "bytes/ticket")
				b.ReportMetric(mm, "mm/ticket")
				b.ReportMetric(float64(max(wire, paper).Milliseconds()), "floor-ms")
				b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/ticket")
			})
		}
	}
}
