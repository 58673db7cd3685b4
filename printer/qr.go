package printer

import (
	"fmt"

	qrcode "github.com/yeqown/go-qrcode/v2"

	"yiting/printer/escpos"
)

// QRMatrix returns the modules of the QR symbol for payload, without the
// quiet zone: true is a dark module. It encodes in byte mode at level l,
// the smallest version that holds the payload, with the mask chosen by the
// standard's penalty rules (github.com/yeqown/go-qrcode/v2).
func QRMatrix(payload string, l escpos.QRLevel) ([][]bool, error) {
	level := qrcode.ErrorCorrectionMedium
	switch l {
	case escpos.QRLevelL:
		level = qrcode.ErrorCorrectionLow
	case escpos.QRLevelQ:
		level = qrcode.ErrorCorrectionQuart
	case escpos.QRLevelH:
		level = qrcode.ErrorCorrectionHighest
	}
	code, err := qrcode.NewWith(payload,
		qrcode.WithEncodingMode(qrcode.EncModeByte),
		qrcode.WithErrorCorrectionLevel(level))
	if err != nil {
		return nil, fmt.Errorf("printer: QR code for %q: %w", payload, err)
	}
	var w matrixWriter
	if err := code.Save(&w); err != nil {
		return nil, fmt.Errorf("printer: QR code for %q: %w", payload, err)
	}
	return w.m, nil
}

// matrixWriter receives the module matrix from the QR library.
type matrixWriter struct{ m [][]bool }

func (w *matrixWriter) Write(m qrcode.Matrix) error { w.m = m.Bitmap(); return nil }
func (w *matrixWriter) Close() error                { return nil }

// QRBitmap draws the symbol for payload at module dots a module, without
// the quiet zone (the ticket leaves white space around it).
func QRBitmap(payload string, l escpos.QRLevel, module int) (*escpos.Bitmap, error) {
	m, err := QRMatrix(payload, l)
	if err != nil {
		return nil, err
	}
	n := len(m) * module
	bm := escpos.NewBitmap(n, n)
	for y, row := range m {
		for x, dark := range row {
			if !dark {
				continue
			}
			for dy := 0; dy < module; dy++ {
				for dx := 0; dx < module; dx++ {
					bm.Set(x*module+dx, y*module+dy, true)
				}
			}
		}
	}
	return bm, nil
}
