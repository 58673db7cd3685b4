package printer_test

import (
	"bytes"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"yiting/printer"
	"yiting/printer/escpos"
)

func mustProfile(t testing.TB, name string) printer.Profile {
	t.Helper()
	p, err := printer.ProfileByName(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func gb(t testing.TB, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEncodeGolden(t *testing.T) {
	for _, name := range []string{"80mm", "58mm", "80mm-raster", "58mm-nofs"} {
		t.Run(name, func(t *testing.T) {
			p := mustProfile(t, name)
			b, err := printer.Encode(sampleTicket(), p, nil)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "ticket-"+name+".hex", b)

			start := []byte{escpos.ESC, '@', escpos.FS, '&'}
			if !p.ChineseMode {
				start = start[:2]
			}
			if !bytes.HasPrefix(b, start) {
				t.Errorf("starts % x, want % x", b[:4], start)
			}
			if !bytes.HasSuffix(b, []byte{escpos.GS, 'V', 65, 0}) {
				t.Errorf("does not end with feed-and-cut: % x", b[len(b)-4:])
			}
			var qr escpos.Buffer
			qr.QR([]byte(sampleTicket().CaseURL), p.QRModule, escpos.QRLevelM)
			if got := bytes.Contains(b, qr.Bytes()); got != (p.QR == printer.QRNative) {
				t.Errorf("native QR command present = %v on a %v profile", got, p.QR)
			}
			if got := bytes.Contains(b, []byte{escpos.GS, 'v', '0'}); got != (p.QR == printer.QRRaster) {
				t.Errorf("raster image present = %v", got)
			}
			for _, s := range []string{"A012", "矛盾纠纷调解", "前方等待：3 人", "姓名：张*三", "请留意叫号，过号请重新取号"} {
				if !bytes.Contains(b, gb(t, s)) {
					t.Errorf("bytes lack %q", s)
				}
			}
			if bytes.Contains(b, []byte{escpos.DLE, escpos.EOT}) {
				t.Error("ticket bytes contain DLE EOT")
			}
		})
	}
}

func TestEncodeFallback(t *testing.T) {
	tk := sampleTicket()
	tk.Visitor = "朱*镕" // 镕 is GBK E9 46, not in GB 2312
	p := mustProfile(t, "80mm-gb2312")

	// With a font the line is an image and 镕's code is never sent.
	font := mustFont(t)
	b, err := printer.Encode(tk, p, font)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, gb(t, "镕")) || bytes.Contains(b, gb(t, "姓名")) {
		t.Error("the name line was sent as text")
	}
	if !bytes.Contains(b, []byte{escpos.GS, 'v', '0', 0}) {
		t.Error("no raster image for the name line")
	}
	if !bytes.Contains(b, gb(t, "前方等待")) {
		t.Error("other lines are not text")
	}

	// Without a font the character prints as □.
	b, err = printer.Encode(tk, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, gb(t, "姓名：朱*□")) || bytes.Contains(b, []byte{escpos.GS, 'v', '0'}) {
		t.Error("without a font the name should print as 朱*□")
	}

	// A GBK printer prints it as text.
	b, err = printer.Encode(tk, mustProfile(t, "80mm"), font)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, gb(t, "姓名：朱*镕")) {
		t.Error("GBK profile did not print the name as text")
	}
}
