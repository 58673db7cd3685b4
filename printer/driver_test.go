package printer_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"yiting/printer"
	"yiting/printer/escpos"
	"yiting/printer/printersim"
)

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// expectedLines are the text lines the printer should print for tk: the
// plain-text rendering without padding, feeds, QR and cut.
func expectedLines(tk printer.Ticket, cols int) []string {
	var out []string
	for _, l := range strings.Split(tk.Text(cols), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "[QR") || strings.HasPrefix(l, "~~~") || strings.HasSuffix(l, "]") && !strings.HasPrefix(l, "【") {
			continue
		}
		out = append(out, l)
	}
	return out
}

func TestPrintRoundTrip(t *testing.T) {
	for _, prof := range []string{"80mm", "58mm", "80mm-gb18030", "58mm-raster", "80mm-asb"} {
		t.Run(prof, func(t *testing.T) {
			font := mustFont(t)
			r := newRig(t, prof, &printersim.Opts{Font: font}, &printer.Opts{Face: font})
			tk := sampleTicket()
			tk.Visitor = "㛃*明" // extension A: a four-byte code on a GB18030 printer
			st, err := r.drv.Print(ctx(t), tk)
			if err != nil {
				t.Fatal(err)
			}
			if !st.Known || st.Warning() != "" {
				t.Errorf("status %+v", st)
			}
			d := r.next(t)
			if !d.Complete() || d.Cut != printersim.FullCut {
				t.Errorf("document not cut: %v", d.Cut)
			}
			if len(d.Unprintable) != 0 || d.CodePage != 0 {
				t.Errorf("printer could not print %q (code page bytes %d)", d.Unprintable, d.CodePage)
			}
			p := r.drv.Profile()
			want := expectedLines(tk, p.Columns())
			if p.Charset != printer.GB18030 {
				// The name line went as an image: drop it from the expectation.
				var kept []string
				for _, l := range want {
					if !strings.Contains(l, "㛃") {
						kept = append(kept, l)
					}
				}
				want = kept
			}
			if got := d.Lines(); strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("printed lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			nativeQR := p.QR == printer.QRNative
			if got := d.QRs(); nativeQR && (len(got) != 1 || got[0] != tk.CaseURL) {
				t.Errorf("QR payloads %q", got)
			}
			images := len(d.Images())
			wantImages := 0
			if !nativeQR {
				wantImages++
			}
			if p.Charset != printer.GB18030 {
				wantImages++
			}
			if images != wantImages {
				t.Errorf("%d images, want %d", images, wantImages)
			}
		})
	}
}

// TestRasterFallbackRoundTrip: a line the printer's font lacks arrives as
// the image of that line drawn with the font, and nothing unprintable
// reaches the printer.
func TestRasterFallbackRoundTrip(t *testing.T) {
	font := mustFont(t)
	tests := []struct {
		profile string
		charset printersim.Charset
		visitor string
	}{
		{"80mm-gb2312", printersim.GB2312Only, "朱*镕"}, // 镕: GBK only
		{"58mm-gb2312", printersim.GB2312Only, "㛃*明"}, // four-byte
		{"80mm", printersim.GB18030Two, "㛃*明"},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			r := newRig(t, tt.profile, &printersim.Opts{Charset: tt.charset, Font: font}, &printer.Opts{Face: font})
			tk := sampleTicket()
			tk.Visitor = tt.visitor
			if _, err := r.drv.Print(ctx(t), tk); err != nil {
				t.Fatal(err)
			}
			d := r.next(t)
			if len(d.Unprintable) != 0 {
				t.Fatalf("unprintable characters reached the printer: %q", d.Unprintable)
			}
			line := "姓名：" + tt.visitor
			for _, l := range d.Lines() {
				if strings.Contains(l, "姓名") {
					t.Errorf("name printed as text %q", l)
				}
			}
			img, missing := font.Line(line, 1, 1, false)
			if len(missing) != 0 {
				t.Fatalf("font lacks %q", string(missing))
			}
			// Ink where the font's mask is set; the image must show that.
			want := escpos.NewBitmap(img.Bounds().Dx(), img.Bounds().Dy())
			for y := range want.Height {
				for x := range want.Width {
					want.Set(x, y, img.AlphaAt(x, y).A != 0)
				}
			}
			found := false
			for _, got := range d.Images() {
				if got.Width == (want.Width+7)/8*8 && got.Height >= want.Height && sameInk(got, want) {
					found = true
				}
			}
			if !found {
				t.Errorf("no image of %q among %d images", line, len(d.Images()))
			}
			savePNG(t, r.sim, d, "fallback-"+tt.profile)
		})
	}
}

// sameInk reports whether got shows want at its top-left corner and
// nothing else.
func sameInk(got, want *escpos.Bitmap) bool {
	for y := 0; y < got.Height; y++ {
		for x := 0; x < got.Width; x++ {
			if got.Black(x, y) != want.Black(x, y) {
				return false
			}
		}
	}
	return true
}

// TestQRDecodes renders the printed ticket and reads its QR with zbarimg,
// for native and raster QR on both widths.
func TestQRDecodes(t *testing.T) {
	zbar := zbarimg(t)
	font := mustFont(t)
	for _, prof := range []string{"80mm", "58mm", "80mm-raster", "58mm-raster"} {
		t.Run(prof, func(t *testing.T) {
			r := newRig(t, prof, &printersim.Opts{Font: font}, &printer.Opts{Face: font})
			tk := sampleTicket()
			if _, err := r.drv.Print(ctx(t), tk); err != nil {
				t.Fatal(err)
			}
			d := r.next(t)
			path := savePNG(t, r.sim, d, "ticket-"+prof)
			out, err := exec.Command(zbar, "-q", "--raw", "-Sbinary", "-Sdisable", "-Sqrcode.enable", path).Output()
			if err != nil {
				t.Fatalf("zbarimg found no QR code in %s: %v", path, err)
			}
			if string(out) != tk.CaseURL {
				t.Errorf("QR decodes to %q, want %q", out, tk.CaseURL)
			}
		})
	}
}

func zbarimg(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Fatal("zbarimg not found: apt-get install zbar-tools (the QR checks need it)")
	}
	return path
}

func TestStatusErrorsBeforeTicket(t *testing.T) {
	tests := []struct {
		name  string
		state printersim.State
		want  error
	}{
		{"paper out", printersim.State{PaperOut: true}, printer.ErrPaperOut},
		{"cover open", printersim.State{CoverOpen: true}, printer.ErrCoverOpen},
		{"offline", printersim.State{Offline: true}, printer.ErrOffline},
		{"cutter error", printersim.State{CutterError: true}, printer.ErrCutter},
		{"cover open and paper out", printersim.State{CoverOpen: true, PaperOut: true}, printer.ErrCoverOpen},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, "80mm", nil, nil)
			r.sim.SetState(tt.state)
			st, err := r.drv.Print(ctx(t), sampleTicket())
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			var se *printer.StatusError
			if !errors.As(err, &se) || errors.Is(err, printer.ErrInterrupted) {
				t.Errorf("error %T %v is not a *StatusError before sending", err, err)
			}
			if !st.Known || st.Err() == nil {
				t.Errorf("status %+v", st)
			}
			if zh, en := printer.Advice(err); zh == "" || en == "" || zh == "打印机出错，请联系工作人员" {
				t.Errorf("no specific advice for %v: %q %q", err, zh, en)
			}
			if s := r.sim.Stats(); s.PrintBytes != 0 || s.StatusRequests != 4 {
				t.Errorf("printer received %d ticket bytes and %d status requests; want none and 4", s.PrintBytes, s.StatusRequests)
			}
			// The printer recovers: the next ticket prints.
			r.sim.SetState(printersim.State{})
			if _, err := r.drv.Print(ctx(t), sampleTicket()); err != nil {
				t.Fatal(err)
			}
			if d := r.next(t); !d.Complete() {
				t.Error("ticket after recovery not complete")
			}
		})
	}
}

func TestPaperNearEndWarns(t *testing.T) {
	r := newRig(t, "58mm", nil, nil)
	r.sim.SetState(printersim.State{PaperNearEnd: true})
	st, err := r.drv.Print(ctx(t), sampleTicket())
	if err != nil {
		t.Fatal(err)
	}
	if !st.PaperNearEnd || st.Warning() == "" {
		t.Errorf("status %+v, warning %q", st, st.Warning())
	}
	if d := r.next(t); !d.Complete() {
		t.Error("not printed")
	}
}

func TestSilentPrinterTimesOut(t *testing.T) {
	r := newRig(t, "80mm", nil, &printer.Opts{ReplyTimeout: 200 * time.Millisecond})
	r.sim.SetState(printersim.State{Silent: true})
	done := make(chan error, 1)
	go func() {
		_, err := r.drv.Print(ctx(t), sampleTicket())
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, printer.ErrTimeout) || errors.Is(err, printer.ErrInterrupted) {
			t.Fatalf("err = %v, want ErrTimeout before sending", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Print hangs on a silent printer")
	}
	if s := r.sim.Stats(); s.PrintBytes != 0 {
		t.Errorf("%d ticket bytes sent to a silent printer", s.PrintBytes)
	}
	// Switched on again, it prints on the same connection.
	r.sim.SetState(printersim.State{})
	if _, err := r.drv.Print(ctx(t), sampleTicket()); err != nil {
		t.Fatal(err)
	}
}

func TestPaperOutInTheMiddle(t *testing.T) {
	for _, prof := range []string{"80mm", "80mm-asb"} {
		t.Run(prof, func(t *testing.T) {
			r := newRig(t, prof, nil, nil)
			r.sim.PaperOutAfter(200)
			_, err := r.drv.Print(ctx(t), sampleTicket())
			var ie *printer.InterruptedError
			if !errors.As(err, &ie) || !errors.Is(err, printer.ErrInterrupted) || !errors.Is(err, printer.ErrPaperOut) {
				t.Fatalf("err = %v, want an interrupted ticket with paper out", err)
			}
			if ie.Sent == 0 || ie.Sent != ie.Total {
				t.Errorf("sent %d of %d", ie.Sent, ie.Total)
			}
			d := r.next(t)
			if d.Complete() || len(d.Lines()) == 0 {
				t.Errorf("the partial ticket: complete=%v lines %q", d.Complete(), d.Lines())
			}
		})
	}
}

func TestXOFFPausesSending(t *testing.T) {
	r := newRig(t, "80mm", nil, nil)
	xoff(t, r)
	result := make(chan error, 1)
	go func() {
		_, err := r.drv.Print(ctx(t), sampleTicket())
		result <- err
	}()
	// The status requests still go out (they are real-time); the ticket does not.
	deadline := time.Now().Add(10 * time.Second)
	for r.sim.Stats().StatusRequests < 12 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	if s := r.sim.Stats(); s.PrintBytes != 0 {
		t.Fatalf("%d bytes sent after XOFF", s.PrintBytes)
	}
	r.sim.Send([]byte{escpos.XON})
	if err := <-result; err != nil {
		t.Fatal(err)
	}
	if d := r.next(t); !d.Complete() {
		t.Error("not printed after XON")
	}
}

// xoff has the printer send XOFF and makes sure the driver has read it:
// the status replies that follow it arrive after it.
func xoff(t *testing.T, r *rig) {
	t.Helper()
	if _, err := r.drv.Status(ctx(t)); err != nil { // the port is open and served
		t.Fatal(err)
	}
	r.sim.Send([]byte{escpos.XOFF})
	if _, err := r.drv.Status(ctx(t)); err != nil {
		t.Fatal(err)
	}
}

func TestXOFFWithoutXONTimesOut(t *testing.T) {
	r := newRig(t, "80mm", nil, &printer.Opts{WriteTimeout: 300 * time.Millisecond})
	xoff(t, r)
	_, err := r.drv.Print(ctx(t), sampleTicket())
	if !errors.Is(err, printer.ErrTimeout) {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
}

// splitPort delivers the printer's replies one byte a read.
type splitPort struct {
	io.Reader
	io.WriteCloser
}

func TestSplitReads(t *testing.T) {
	master, slave, err := printersim.OpenPTY()
	if err != nil {
		t.Fatal(err)
	}
	sim := printersim.New(nil)
	c, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sim.Serve(c, master); close(done) }()
	defer func() { cancel(); <-done; master.Close() }()
	port := splitPort{Reader: iotest.OneByteReader(slave), WriteCloser: slave}
	drv := printer.New(printer.Port(port), &printer.Opts{Profile: mustProfile(t, "80mm-asb")})
	defer drv.Close()
	if _, err := drv.Print(ctx(t), sampleTicket()); err != nil {
		t.Fatal(err)
	}
}

// lpFile imitates a USB printer-class device file whose status cannot be
// read: reads return (0, io.EOF), writes succeed.
type lpFile struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (f *lpFile) Read(p []byte) (int, error) { return 0, io.EOF }
func (f *lpFile) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.buf.Write(p)
}
func (f *lpFile) Close() error { return nil }

func TestUSBPrinterClassWithoutStatus(t *testing.T) {
	lp := &lpFile{}
	drv := printer.New(printer.Port(lp), &printer.Opts{StatusOptional: true, ReplyTimeout: 100 * time.Millisecond})
	defer drv.Close()
	for range 2 {
		st, err := drv.Print(ctx(t), sampleTicket())
		if err != nil || st.Known {
			t.Fatalf("Print = %+v, %v; want success with unknown status", st, err)
		}
	}
	want, _ := printer.Encode(sampleTicket(), mustProfile(t, "80mm"), nil)
	lp.mu.Lock()
	got := lp.buf.Bytes()
	lp.mu.Unlock()
	// One status request that timed out, then the two tickets and no more
	// requests.
	wantAll := append([]byte{0x10, 4, 1}, want...)
	wantAll = append(wantAll, want...)
	if !bytes.Equal(got, wantAll) {
		t.Errorf("device got %d bytes, want %d: one status request and two tickets", len(got), len(wantAll))
	}

	// Without StatusOptional the same device is a timeout.
	drv2 := printer.New(printer.Port(&lpFile{}), &printer.Opts{ReplyTimeout: 100 * time.Millisecond})
	defer drv2.Close()
	if _, err := drv2.Print(ctx(t), sampleTicket()); !errors.Is(err, printer.ErrTimeout) {
		t.Errorf("err = %v, want ErrTimeout", err)
	}
}

// brokenPort fails every write, like a USB adapter that was pulled out.
type brokenPort struct{ closed chan struct{} }

func (b *brokenPort) Read(p []byte) (int, error) { <-b.closed; return 0, os.ErrClosed }
func (b *brokenPort) Write(p []byte) (int, error) {
	return 0, errors.New("write /dev/ttyUSB1: input/output error")
}
func (b *brokenPort) Close() error { close(b.closed); return nil }

func TestReopenAfterWriteError(t *testing.T) {
	master, slave, err := printersim.OpenPTY()
	if err != nil {
		t.Fatal(err)
	}
	sim := printersim.New(nil)
	c, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sim.Serve(c, master); close(done) }()
	defer func() { cancel(); <-done; master.Close() }()

	opens := 0
	open := func() (io.ReadWriteCloser, error) {
		opens++
		switch opens {
		case 1:
			return &brokenPort{closed: make(chan struct{})}, nil
		case 2:
			return nil, errors.New("open /dev/ttyUSB1: no such file or directory")
		}
		return slave, nil
	}
	drv := printer.New(open, nil)
	defer drv.Close()
	if _, err := drv.Print(ctx(t), sampleTicket()); err == nil || errors.Is(err, printer.ErrInterrupted) {
		t.Fatalf("first Print = %v, want a write error before the ticket", err)
	}
	if _, err := drv.Print(ctx(t), sampleTicket()); !errors.Is(err, printer.ErrOffline) {
		t.Fatalf("second Print = %v, want ErrOffline (cannot open)", err)
	}
	if _, err := drv.Print(ctx(t), sampleTicket()); err != nil {
		t.Fatalf("third Print after the port came back: %v", err)
	}
	if opens != 3 {
		t.Errorf("port opened %d times, want 3", opens)
	}
	if _, err := drv.Status(ctx(t)); err != nil {
		t.Error(err)
	}
	drv.Close()
	if _, err := drv.Print(ctx(t), sampleTicket()); !errors.Is(err, printer.ErrClosed) {
		t.Errorf("Print after Close = %v", err)
	}
}

func TestReprintAndPriorityMarks(t *testing.T) {
	font := mustFont(t)
	for _, prof := range []string{"80mm", "58mm"} {
		r := newRig(t, prof, &printersim.Opts{Font: font}, &printer.Opts{Face: font})
		tk := sampleTicket()
		tk.Reprint, tk.Priority = true, "优先"
		if _, err := r.drv.Print(ctx(t), tk); err != nil {
			t.Fatal(err)
		}
		d := r.next(t)
		b := d.Blocks[0]
		if b.Text() != printer.ReprintMark || b.Align != escpos.Center || b.Runs[0].W != 2 || !b.Runs[0].Bold {
			t.Errorf("%s: first block %+v, want a large centred %s", prof, b, printer.ReprintMark)
		}
		if !strings.Contains(d.Text(), "【优先】") {
			t.Errorf("%s: no priority label", prof)
		}
		savePNG(t, r.sim, d, "reprint-"+prof)
	}
}
