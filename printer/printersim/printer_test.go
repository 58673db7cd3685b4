package printersim

import (
	"bytes"
	"context"
	"image/png"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"yiting/printer/escpos"
	"yiting/printer/typeface"
)

// served is a simulated printer behind an in-memory pipe; host is the
// driver's end.
type served struct {
	sim  *Printer
	host net.Conn
}

func serve(t testing.TB, opts *Opts) *served {
	t.Helper()
	sim := New(opts)
	host, dev := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sim.Serve(ctx, dev) }()
	t.Cleanup(func() {
		cancel()
		host.Close()
		dev.Close()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return &served{sim: sim, host: host}
}

// write sends b from the host side.
func (s *served) write(t testing.TB, b []byte) {
	t.Helper()
	if _, err := s.host.Write(b); err != nil {
		t.Fatal(err)
	}
}

// read reads n reply bytes with a deadline.
func (s *served) read(t testing.TB, n int) []byte {
	t.Helper()
	s.host.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, n)
	if _, err := io.ReadFull(s.host, b); err != nil {
		t.Fatalf("reading %d reply bytes: %v", n, err)
	}
	return b
}

func (s *served) next(t testing.TB) Document {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := s.sim.Next(ctx)
	if err != nil {
		t.Fatalf("no document: %v", err)
	}
	return d
}

// feed runs bytes straight through a printer's receive path.
func feed(p *Printer, r io.Reader) {
	buf := make([]byte, 64)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			p.receive(context.Background(), buf[:n])
		}
		if err != nil {
			return
		}
	}
}

func sampleStream(t testing.TB) []byte {
	t.Helper()
	var e escpos.Buffer
	e.Init()
	e.ChineseOn()
	e.Align(escpos.Center)
	e.Size(4, 4)
	e.Bold(true)
	e.Text("A012")
	e.LF()
	e.Size(1, 1)
	e.Bold(false)
	e.Align(escpos.Left)
	e.Text("请到3号窗口 王㛃")
	e.LF()
	e.Feed(2)
	e.Align(escpos.Center)
	e.QR([]byte("http://hall.local/c/AbC123"), 6, escpos.QRLevelM)
	bm := escpos.NewBitmap(16, 2)
	bm.Set(0, 0, true)
	bm.Set(15, 1, true)
	e.Raster(bm)
	e.BarcodeHeight(60)
	e.BarcodeWidth(2)
	e.BarcodeHRI(escpos.HRIBelow)
	e.Code128("A012")
	e.CutB(escpos.PartialCut, 3)
	if e.Err() != nil {
		t.Fatal(e.Err())
	}
	return e.Bytes()
}

func TestParseDocument(t *testing.T) {
	stream := sampleStream(t)
	readers := map[string]func() io.Reader{
		"whole":    func() io.Reader { return bytes.NewReader(stream) },
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(stream)) },
		"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(stream)) },
	}
	for name, r := range readers {
		t.Run(name, func(t *testing.T) {
			p := New(nil)
			feed(p, r())
			docs := p.Documents()
			if len(docs) != 1 {
				t.Fatalf("%d documents, want 1", len(docs))
			}
			d := docs[0]
			if d.Cut != PartialCut || !d.Complete() {
				t.Errorf("cut = %v", d.Cut)
			}
			if d.Bytes != len(stream) {
				t.Errorf("Bytes = %d, want %d", d.Bytes, len(stream))
			}
			want := []Block{
				{Kind: TextLine, Align: escpos.Center, Runs: []Run{{Text: "A012", W: 4, H: 4, Bold: true}}, Dots: 96},
				{Kind: TextLine, Align: escpos.Left, Runs: []Run{{Text: "请到3号窗口 王㛃", W: 1, H: 1}}, Dots: 30},
				{Kind: Feed, Dots: 60},
			}
			for i, w := range want {
				g := d.Blocks[i]
				if g.Kind != w.Kind || g.Align != w.Align || g.Dots != w.Dots || len(g.Runs) != len(w.Runs) {
					t.Fatalf("block %d = %+v, want %+v", i, g, w)
				}
				for j := range w.Runs {
					if g.Runs[j] != w.Runs[j] {
						t.Errorf("block %d run %d = %+v, want %+v", i, j, g.Runs[j], w.Runs[j])
					}
				}
			}
			if qr := d.QRs(); len(qr) != 1 || qr[0] != "http://hall.local/c/AbC123" {
				t.Errorf("QRs = %q", qr)
			}
			q := d.Blocks[3].QR
			if q.Module != 6 || q.Level != escpos.QRLevelM || d.Blocks[3].Align != escpos.Center {
				t.Errorf("QR block %+v", d.Blocks[3])
			}
			imgs := d.Images()
			if len(imgs) != 1 || imgs[0].Width != 16 || imgs[0].Height != 2 || !imgs[0].Black(0, 0) || !imgs[0].Black(15, 1) || imgs[0].Black(1, 0) {
				t.Errorf("image %+v", imgs)
			}
			bc := d.Blocks[5].Barcode
			if d.Blocks[5].Kind != Barcode || string(bc.Data) != "{BA012" || bc.Height != 60 || bc.Module != 2 || bc.HRI != escpos.HRIBelow {
				t.Errorf("barcode block %+v %+v", d.Blocks[5], bc)
			}
			if len(d.Unprintable) != 0 || d.CodePage != 0 {
				t.Errorf("unprintable %q, code page %d", d.Unprintable, d.CodePage)
			}
			if st := p.Stats(); st.Unknown != 0 || st.Bytes != len(stream) || st.PrintBytes != len(stream) {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestCharsets(t *testing.T) {
	var e escpos.Buffer
	e.Init()
	e.ChineseOn()
	e.Text("号镕㛃") // GB2312, GBK only (E9 46), four-byte
	e.LF()
	e.CutA(escpos.FullCut)
	tests := []struct {
		cs   Charset
		bad  []string
		line string
	}{
		{GB18030Full, nil, "号镕㛃"},
		{GB18030Two, []string{"㛃"}, "号镕？"},
		{GB2312Only, []string{"镕", "㛃"}, "号？？"},
	}
	for _, tt := range tests {
		p := New(&Opts{Charset: tt.cs})
		feed(p, bytes.NewReader(e.Bytes()))
		d := p.Documents()[0]
		if strings.Join(d.Unprintable, "") != strings.Join(tt.bad, "") || d.Lines()[0] != tt.line {
			t.Errorf("charset %d: unprintable %q line %q, want %q %q", tt.cs, d.Unprintable, d.Lines()[0], tt.bad, tt.line)
		}
	}

	// Without FS & the printer reads GB18030 bytes as code-page symbols.
	var plain escpos.Buffer
	plain.Init()
	plain.Text("号")
	plain.LF()
	plain.CutA(escpos.FullCut)
	p := New(nil)
	feed(p, bytes.NewReader(plain.Bytes()))
	if d := p.Documents()[0]; d.CodePage != 2 {
		t.Errorf("CodePage = %d without FS &, want 2", d.CodePage)
	}
	p = New(&Opts{ChineseAtInit: true})
	feed(p, bytes.NewReader(plain.Bytes()))
	if d := p.Documents()[0]; d.CodePage != 0 || d.Lines()[0] != "号" {
		t.Errorf("Chinese at init: %q, code page %d", d.Lines(), d.CodePage)
	}
}

func TestStatusReplies(t *testing.T) {
	s := serve(t, nil)
	ask := func(k escpos.StatusKind) byte {
		s.write(t, escpos.StatusRequest(k))
		return s.read(t, 1)[0]
	}
	tests := []struct {
		state State
		want  [4]byte // replies to DLE EOT 1..4
	}{
		{State{}, [4]byte{0x12, 0x12, 0x12, 0x12}},
		{State{PaperOut: true}, [4]byte{0x1A, 0x32, 0x12, 0x7E}},
		{State{PaperNearEnd: true}, [4]byte{0x12, 0x12, 0x12, 0x1E}},
		{State{CoverOpen: true}, [4]byte{0x1A, 0x16, 0x12, 0x12}},
		{State{Offline: true}, [4]byte{0x1A, 0x12, 0x12, 0x12}},
		{State{CutterError: true}, [4]byte{0x1A, 0x52, 0x1A, 0x12}},
	}
	for _, tt := range tests {
		s.sim.SetState(tt.state)
		for k := escpos.PrinterStatus; k <= escpos.PaperStatus; k++ {
			if got := ask(k); got != tt.want[k-1] {
				t.Errorf("%+v: DLE EOT %d = %#x, want %#x", tt.state, k, got, tt.want[k-1])
			}
		}
	}
	// A silent printer answers nothing.
	s.sim.SetState(State{Silent: true})
	s.write(t, escpos.StatusRequest(escpos.PrinterStatus))
	s.host.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if n, _ := s.host.Read(make([]byte, 1)); n != 0 {
		t.Error("silent printer answered")
	}
}

func TestASB(t *testing.T) {
	s := serve(t, nil)
	var e escpos.Buffer
	e.AutoStatusBack(0x0E)
	s.write(t, e.Bytes())
	if got := [4]byte(s.read(t, 4)); got != (escpos.Status{}).ASB() {
		t.Errorf("ASB on enable % x", got)
	}
	go s.sim.SetState(State{CoverOpen: true})
	got := [4]byte(s.read(t, 4))
	var st escpos.Status
	st.ApplyASB(got)
	if !st.CoverOpen || !st.Offline {
		t.Errorf("ASB after cover open: % x = %+v", got, st)
	}
}

// TestRealTimeHazard: like a real printer, the simulator answers DLE EOT
// inside image data; the escpos encoder's images never contain one.
func TestRealTimeHazard(t *testing.T) {
	s := serve(t, nil)
	raw := []byte{escpos.GS, 'v', '0', 0, 3, 0, 1, 0, 0x10, 0x04, 0x01}
	s.write(t, raw)
	if got := s.read(t, 1)[0]; got != 0x12 {
		t.Errorf("reply %#x", got)
	}
	if st := s.sim.Stats(); st.RealTimeInData != 1 || st.StatusRequests != 1 {
		t.Errorf("stats %+v, want one real-time command in data", st)
	}
	bm := &escpos.Bitmap{Width: 24, Height: 1, Bits: []byte{0x10, 0x04, 0x01}}
	var e escpos.Buffer
	e.Raster(bm)
	s.write(t, e.Bytes())
	s.write(t, escpos.StatusRequest(escpos.PaperStatus))
	if got := s.read(t, 1)[0]; got != 0x12 {
		t.Errorf("reply %#x", got)
	}
	if st := s.sim.Stats(); st.RealTimeInData != 1 || st.StatusRequests != 2 {
		t.Errorf("stats %+v: the sanitised image triggered a reply", st)
	}
}

func TestPaperOutAfter(t *testing.T) {
	stream := sampleStream(t)
	p := New(nil)
	p.PaperOutAfter(40)
	feed(p, bytes.NewReader(stream))
	docs := p.Documents()
	if len(docs) != 1 || docs[0].Complete() || !p.State().PaperOut {
		t.Fatalf("docs %+v, state %+v", docs, p.State())
	}
	if len(docs[0].Blocks) != 1 || docs[0].Lines()[0] != "A012" {
		t.Errorf("partial document %q", docs[0].Text())
	}
	// After new paper the next ticket prints whole.
	p.SetState(State{})
	feed(p, bytes.NewReader(stream))
	if docs := p.Documents(); len(docs) != 2 || !docs[1].Complete() {
		t.Errorf("after recovery: %d docs", len(docs))
	}
}

func TestRenderDecodes(t *testing.T) {
	zbar := zbarimg(t)
	font, err := typeface.Find()
	if err != nil {
		t.Fatalf("%v: apt-get install fonts-droid-fallback (or fonts-noto-cjk)", err)
	}
	p := New(&Opts{Font: font})
	feed(p, bytes.NewReader(sampleStream(t)))
	png, err := p.LastPNG()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "doc.png")
	os.WriteFile(path, png, 0o644)
	if dir := os.Getenv("YITING_PNG_DIR"); dir != "" {
		os.WriteFile(filepath.Join(dir, "sim-sample.png"), png, 0o644)
	}
	got := decode(t, zbar, path, "qrcode")
	if got != "http://hall.local/c/AbC123" {
		t.Errorf("QR decodes to %q", got)
	}
	if got := decode(t, zbar, path, "code128"); got != "A012" {
		t.Errorf("CODE128 decodes to %q", got)
	}
}

func TestCode128Sets(t *testing.T) {
	zbar := zbarimg(t)
	for _, data := range []string{"{BHello{{1", "{C\x0c\x22\x38", "{AABC{B-x"} {
		bc := Code128{Data: []byte(data), Height: 80, Module: 2}
		p := New(nil)
		d := Document{Dots: 576, Blocks: []Block{{Kind: Barcode, Align: escpos.Center, Barcode: &bc, Dots: 80}}, Cut: FullCut}
		b, err := p.PNG(d)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "bc.png")
		os.WriteFile(path, b, 0o644)
		_, want, err := code128Values([]byte(data))
		if err != nil {
			t.Fatal(err)
		}
		if got := decode(t, zbar, path, "code128"); got != want {
			t.Errorf("%q decodes to %q, want %q", data, got, want)
		}
	}
}

func TestNoFontDrawsBoxesAndLogsOnce(t *testing.T) {
	var log bytes.Buffer
	p := New(&Opts{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	feed(p, bytes.NewReader(sampleStream(t)))
	for range 2 {
		b, err := p.LastPNG()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Fatal(err)
		}
	}
	if n := strings.Count(log.String(), "no CJK font"); n != 1 {
		t.Errorf("logged %d times:\n%s", n, log.String())
	}
}

func TestWireTime(t *testing.T) {
	p := New(&Opts{Baud: 9600})
	start := time.Now()
	p.receive(context.Background(), make([]byte, 96)) // 96 NULs: 100 ms at 9600 baud
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("96 bytes at 9600 baud took %v, want at least 100 ms", d)
	}
}

// zbarimg returns the path of zbarimg or fails: CI installs zbar-tools.
func zbarimg(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Fatal("zbarimg not found: apt-get install zbar-tools (the QR and barcode checks need it)")
	}
	return path
}

func decode(t testing.TB, zbar, path, symbology string) string {
	t.Helper()
	cmd := exec.Command(zbar, "-q", "--raw", "-Sbinary", "-Sdisable", "-S"+symbology+".enable", path)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("zbarimg %s found no %s: %v %s", path, symbology, err, errb.String())
	}
	return out.String()
}
