package escpos

import "strings"

// HRI is where GS H prints the human-readable text of a barcode.
type HRI byte

// HRI positions.
const (
	HRINone  HRI = 0
	HRIAbove HRI = 1
	HRIBelow HRI = 2
)

// BarcodeHeight appends GS h n: bar height in dots, 1 to 255.
func (e *Buffer) BarcodeHeight(dots int) {
	if dots < 1 || dots > 255 {
		e.fail("barcode height %d", dots)
		return
	}
	e.put(GS, 'h', byte(dots))
}

// BarcodeWidth appends GS w n: narrowest bar in dots, 2 to 6.
func (e *Buffer) BarcodeWidth(dots int) {
	if dots < 2 || dots > 6 {
		e.fail("barcode module width %d", dots)
		return
	}
	e.put(GS, 'w', byte(dots))
}

// BarcodeHRI appends GS H n.
func (e *Buffer) BarcodeHRI(p HRI) {
	if p > HRIBelow {
		e.fail("HRI position %d", p)
		return
	}
	e.put(GS, 'H', byte(p))
}

// Code128 appends GS k 73 n: a CODE128 symbol of printable ASCII in code
// set B. The data starts with the selector "{B" and a literal '{' is sent
// as "{{".
func (e *Buffer) Code128(data string) {
	for i := 0; i < len(data); i++ {
		if data[i] < 0x20 || data[i] > 0x7E {
			e.fail("CODE128 data %q: byte %#x is not printable ASCII", data, data[i])
			return
		}
	}
	body := "{B" + strings.ReplaceAll(data, "{", "{{")
	if len(data) == 0 || len(body) > 255 {
		e.fail("CODE128 data of %d bytes", len(data))
		return
	}
	e.put(GS, 'k', 73, byte(len(body)))
	e.put([]byte(body)...)
}
