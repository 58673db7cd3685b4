package escpos

import (
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name.hex (hex bytes, 16 a line) and
// rewrites the file with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".hex")
	if *update {
		if err := os.WriteFile(path, []byte(hexLines(got)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	want, err := hex.DecodeString(strings.Join(strings.Fields(string(text)), ""))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s:\n got % x\nwant % x", name, got, want)
	}
}

func hexLines(b []byte) string {
	var s strings.Builder
	for i := 0; i < len(b); i += 16 {
		s.WriteString(hex.EncodeToString(b[i:min(i+16, len(b))]))
		s.WriteByte('\n')
	}
	return s.String()
}

func TestCommandsGolden(t *testing.T) {
	small := NewBitmap(10, 3) // 2 bytes a row
	small.Set(0, 0, true)
	small.Set(9, 2, true)
	tests := []struct {
		name string
		enc  func(e *Buffer)
	}{
		{"init", func(e *Buffer) { e.Init() }},
		{"align-left", func(e *Buffer) { e.Align(Left) }},
		{"align-center", func(e *Buffer) { e.Align(Center) }},
		{"align-right", func(e *Buffer) { e.Align(Right) }},
		{"size-1x1", func(e *Buffer) { e.Size(1, 1) }},
		{"size-2x2", func(e *Buffer) { e.Size(2, 2) }},
		{"size-1x2", func(e *Buffer) { e.Size(1, 2) }},
		{"size-8x8", func(e *Buffer) { e.Size(8, 8) }},
		{"bold-on", func(e *Buffer) { e.Bold(true) }},
		{"bold-off", func(e *Buffer) { e.Bold(false) }},
		{"chinese-on", func(e *Buffer) { e.ChineseOn() }},
		{"chinese-off", func(e *Buffer) { e.ChineseOff() }},
		{"text-ascii", func(e *Buffer) { e.Text("A012 ok") }},
		{"text-gb18030", func(e *Buffer) { e.Text("请到3号窗口") }},
		{"text-4byte", func(e *Buffer) { e.Text("王㛃") }}, // U+36C3 is 82 30 B7 31
		{"lf", func(e *Buffer) { e.LF() }},
		{"feed-3", func(e *Buffer) { e.Feed(3) }},
		{"cut-a-full", func(e *Buffer) { e.CutA(FullCut) }},
		{"cut-a-partial", func(e *Buffer) { e.CutA(PartialCut) }},
		{"cut-b-full-0", func(e *Buffer) { e.CutB(FullCut, 0) }},
		{"cut-b-partial-3", func(e *Buffer) { e.CutB(PartialCut, 3) }},
		{"qr-model2", func(e *Buffer) { e.QRModel2() }},
		{"qr-module-6", func(e *Buffer) { e.QRModuleSize(6) }},
		{"qr-ec-m", func(e *Buffer) { e.QRErrorCorrection(QRLevelM) }},
		{"qr-store", func(e *Buffer) { e.QRStore([]byte("http://hall.local/c/AbC123")) }},
		{"qr-print", func(e *Buffer) { e.QRPrint() }},
		{"raster-10x3", func(e *Buffer) { e.Raster(small) }},
		{"barcode-height", func(e *Buffer) { e.BarcodeHeight(80) }},
		{"barcode-width", func(e *Buffer) { e.BarcodeWidth(2) }},
		{"barcode-hri-below", func(e *Buffer) { e.BarcodeHRI(HRIBelow) }},
		{"code128", func(e *Buffer) { e.Code128("A{012") }},
		{"asb-enable", func(e *Buffer) { e.AutoStatusBack(0x0E) }},
		{"asb-disable", func(e *Buffer) { e.AutoStatusBack(0) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e Buffer
			tt.enc(&e)
			if err := e.Err(); err != nil {
				t.Fatal(err)
			}
			golden(t, tt.name, e.Bytes())
		})
	}
	for k := PrinterStatus; k <= PaperStatus; k++ {
		if got, want := StatusRequest(k), []byte{0x10, 0x04, byte(k)}; !bytes.Equal(got, want) {
			t.Errorf("StatusRequest(%d) = % x, want % x", k, got, want)
		}
	}
}

// TestQRExampleFromDoc checks the 13-byte example of docs/escpos.md byte for byte.
func TestQRExampleFromDoc(t *testing.T) {
	payload := []byte("AbC123XyZ7890")
	if len(payload) != 13 {
		t.Fatal("payload must be 13 bytes")
	}
	want := []byte{
		0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00,
		0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x43, 0x06,
		0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31,
		0x1D, 0x28, 0x6B, 0x10, 0x00, 0x31, 0x50, 0x30,
	}
	want = append(want, payload...)
	want = append(want, 0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30)
	var e Buffer
	e.QR(payload, 6, QRLevelM)
	if err := e.Err(); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(e.Bytes(), want) {
		t.Errorf("QR bytes\n got % x\nwant % x", e.Bytes(), want)
	}
	if len(want) != 41+13 {
		t.Errorf("native QR for 13 bytes is %d bytes, escpos.md says 54", len(want))
	}
}

func TestInvalidArguments(t *testing.T) {
	tests := []struct {
		name string
		enc  func(e *Buffer)
	}{
		{"align", func(e *Buffer) { e.Align(3) }},
		{"size 0", func(e *Buffer) { e.Size(0, 1) }},
		{"size 9", func(e *Buffer) { e.Size(1, 9) }},
		{"feed", func(e *Buffer) { e.Feed(256) }},
		{"cut", func(e *Buffer) { e.CutA(2) }},
		{"cut b", func(e *Buffer) { e.CutB(5, 0) }},
		{"qr module 0", func(e *Buffer) { e.QRModuleSize(0) }},
		{"qr module 17", func(e *Buffer) { e.QRModuleSize(17) }},
		{"qr level", func(e *Buffer) { e.QRErrorCorrection(47) }},
		{"qr empty", func(e *Buffer) { e.QRStore(nil) }},
		{"qr too long", func(e *Buffer) { e.QRStore(make([]byte, MaxQRData+1)) }},
		{"text control", func(e *Buffer) { e.Text("A\x10\x04\x01") }},
		{"text newline", func(e *Buffer) { e.Text("A\nB") }},
		{"text C1", func(e *Buffer) { e.Text("A\u0085") }},
		{"text bad utf8", func(e *Buffer) { e.Text("A\xff") }},
		{"raster nil", func(e *Buffer) { e.Raster(nil) }},
		{"raster wide", func(e *Buffer) { e.Raster(NewBitmap(1025, 1)) }},
		{"raster short data", func(e *Buffer) { e.Raster(&Bitmap{Width: 8, Height: 2, Bits: []byte{1}}) }},
		{"code128 empty", func(e *Buffer) { e.Code128("") }},
		{"code128 chinese", func(e *Buffer) { e.Code128("号") }},
		{"code128 long", func(e *Buffer) { e.Code128(strings.Repeat("1", 254)) }},
		{"barcode height", func(e *Buffer) { e.BarcodeHeight(0) }},
		{"barcode width", func(e *Buffer) { e.BarcodeWidth(7) }},
		{"hri", func(e *Buffer) { e.BarcodeHRI(3) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e Buffer
			e.Init()
			tt.enc(&e)
			e.LF() // ignored after the error
			if !errors.Is(e.Err(), ErrInvalid) {
				t.Fatalf("Err() = %v, want ErrInvalid", e.Err())
			}
			if !strings.HasPrefix(e.Err().Error(), "escpos: ") {
				t.Errorf("error %q lacks the package prefix", e.Err())
			}
			if !bytes.Equal(e.Bytes(), []byte{ESC, '@'}) {
				t.Errorf("bytes after an error = % x, want only ESC @", e.Bytes())
			}
		})
	}
}

func TestRasterBandsAndHazard(t *testing.T) {
	// A 16-dot wide image whose first row is 0x10 0x04 and second row
	// 0x10 0x05: without sanitising, the printer would see DLE EOT 1 (the
	// next byte) and DLE ENQ.
	m := NewBitmap(16, 600)
	copy(m.Bits, []byte{0x10, 0x04, 0x01, 0x00, 0x10, 0x14})
	var e Buffer
	e.Raster(m)
	b := e.Bytes()
	if bytes.Contains(b, []byte{DLE, EOT}) || bytes.Contains(b, []byte{DLE, ENQ}) || bytes.Contains(b, []byte{DLE, DC4}) {
		t.Errorf("raster stream holds a real-time command: % x", b[:16])
	}
	// 600 rows: bands of 255, 255, 90.
	var heights []int
	for i := 0; i < len(b); {
		if !bytes.Equal(b[i:i+4], []byte{GS, 'v', '0', 0}) {
			t.Fatalf("no GS v 0 at %d: % x", i, b[i:i+4])
		}
		w, h := int(b[i+4])|int(b[i+5])<<8, int(b[i+6])|int(b[i+7])<<8
		if w != 2 {
			t.Fatalf("width %d bytes, want 2", w)
		}
		heights = append(heights, h)
		i += 8 + w*h
	}
	if len(heights) != 3 || heights[0] != 255 || heights[1] != 255 || heights[2] != 90 {
		t.Errorf("band heights %v, want [255 255 90]", heights)
	}
	// The caller's bitmap is untouched.
	if m.Bits[0] != 0x10 {
		t.Error("Raster modified the caller's bitmap")
	}
	if n := SanitizeRaster([]byte{0x10, 0x10, 0x04, 0x10}); n != 1 {
		t.Errorf("SanitizeRaster cleared %d dots, want 1", n)
	}
}

func TestBitmapFromImage(t *testing.T) {
	m := NewBitmap(9, 2)
	m.Set(8, 1, true)
	m.Set(3, 0, true)
	m.Set(3, 0, false)
	m.Set(100, 100, true) // outside: ignored
	if !m.Black(8, 1) || m.Black(3, 0) || m.Black(-1, 0) {
		t.Fatal("Set/Black disagree")
	}
	if got := m.Bits; !bytes.Equal(got, []byte{0, 0, 0, 0x80}) {
		t.Errorf("bits % x", got)
	}
}
