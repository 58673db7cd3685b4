package printer_test

import (
	"errors"
	"testing"

	"yiting/printer"
	"yiting/printer/escpos"
)

func TestProfileByName(t *testing.T) {
	tests := []struct {
		name    string
		dots    int
		charset printer.Charset
		qr      printer.QRMode
		fs, asb bool
	}{
		{"80mm", 576, printer.GBK, printer.QRNative, true, false},
		{"58mm", 384, printer.GBK, printer.QRNative, true, false},
		{"80mm-gb2312", 576, printer.GB2312, printer.QRNative, true, false},
		{"58mm-gb18030-asb", 384, printer.GB18030, printer.QRNative, true, true},
		{"80mm-gb2312-raster", 576, printer.GB2312, printer.QRRaster, true, false},
		{" 80MM-Raster-nofs ", 576, printer.GBK, printer.QRRaster, false, false},
	}
	for _, tt := range tests {
		p, err := printer.ProfileByName(tt.name)
		if err != nil {
			t.Errorf("%q: %v", tt.name, err)
			continue
		}
		if p.Dots != tt.dots || p.Charset != tt.charset || p.QR != tt.qr || p.ChineseMode != tt.fs || p.ASB != tt.asb {
			t.Errorf("%q = %+v", tt.name, p)
		}
		if p.QRLevel != escpos.QRLevelM || p.QRModule < 4 || p.MaxQRData != 1017 {
			t.Errorf("%q QR settings %+v", tt.name, p)
		}
	}
	if p, _ := printer.ProfileByName("80mm"); p.Columns() != 48 {
		t.Errorf("80mm columns %d", p.Columns())
	}
	if p, _ := printer.ProfileByName("58mm"); p.Columns() != 32 {
		t.Errorf("58mm columns %d", p.Columns())
	}
	for _, bad := range []string{"", "76mm", "80", "80mm-", "80mm-gb2312-gbk", "80mm-raster-raster", "80mm-colour"} {
		if _, err := printer.ProfileByName(bad); !errors.Is(err, printer.ErrUnknownProfile) {
			t.Errorf("%q: err = %v, want ErrUnknownProfile", bad, err)
		}
	}
}

func TestCanPrint(t *testing.T) {
	gb2312, _ := printer.ProfileByName("80mm-gb2312")
	gbk, _ := printer.ProfileByName("80mm-gbk")
	full, _ := printer.ProfileByName("80mm-gb18030")
	tests := []struct {
		r                rune
		gb2312, gbk, all bool
	}{
		{'A', true, true, true},
		{'号', true, true, true},   // GB2312 BAC5
		{'镕', false, true, true},  // GBK E946 (朱镕基's 镕 is not in GB 2312)
		{'喆', false, true, true},  // GBK 86B4
		{'䶮', false, true, true},  // FE9F: two-byte in GB18030
		{'㛃', false, false, true}, // extension A, 8230B731
		{'𠮷', false, false, true}, // extension B, 9534B235
		{'\n', false, false, false},
		{0x1B, false, false, false},
		{0x85, false, false, false},
	}
	for _, tt := range tests {
		if got := gb2312.CanPrint(tt.r); got != tt.gb2312 {
			t.Errorf("GB2312 CanPrint(%q) = %v", tt.r, got)
		}
		if got := gbk.CanPrint(tt.r); got != tt.gbk {
			t.Errorf("GBK CanPrint(%q) = %v", tt.r, got)
		}
		if got := full.CanPrint(tt.r); got != tt.all {
			t.Errorf("GB18030 CanPrint(%q) = %v", tt.r, got)
		}
	}
	// GB 2312 has 7,445 codes (682 symbols, 6,763 characters); with
	// printable ASCII that is 7,540 printable runes in the BMP.
	n := 0
	for r := rune(0); r < 0x10000; r++ {
		if gb2312.CanPrint(r) {
			n++
		}
	}
	if n != 7445+95 {
		t.Errorf("GB2312 profile prints %d runes, want %d", n, 7445+95)
	}
}

// FuzzProfileByName: any name either parses to a usable profile or fails
// with ErrUnknownProfile.
func FuzzProfileByName(f *testing.F) {
	for _, s := range []string{"80mm", "58mm-gb2312-raster", "80mm-asb-nofs", "80mm--", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		p, err := printer.ProfileByName(name)
		if err != nil {
			if !errors.Is(err, printer.ErrUnknownProfile) {
				t.Fatalf("%q: %v", name, err)
			}
			return
		}
		if (p.Dots != 576 && p.Dots != 384) || p.Charset < printer.GB2312 || p.Charset > printer.GB18030 || p.QRModule < 1 {
			t.Fatalf("%q parsed to %+v", name, p)
		}
		if _, err := printer.Encode(sampleTicket(), p, nil); err != nil {
			t.Fatalf("%q: %v", name, err)
		}
	})
}
