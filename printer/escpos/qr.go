package escpos

// QRLevel is the QR error correction level of GS ( k fn 169.
type QRLevel byte

// QR error correction levels (the parameter bytes of fn 169).
const (
	QRLevelL QRLevel = 48 // about 7 % of the symbol can be restored
	QRLevelM QRLevel = 49 // 15 %
	QRLevelQ QRLevel = 50 // 25 %
	QRLevelH QRLevel = 51 // 30 %
)

// MaxQRData is the largest QR payload GS ( k accepts on Epson printers
// (pL + 256·pH ≤ 7092). Some HPRT models accept less than 1021: the
// printer package applies the smaller limit of the profile.
const MaxQRData = 7089

// QRModel2 appends fn 165: select QR model 2.
func (e *Buffer) QRModel2() { e.put(GS, '(', 'k', 4, 0, '1', 'A', 50, 0) }

// QRModuleSize appends fn 167: dots per module, 1 to 16. ESC @ resets it.
func (e *Buffer) QRModuleSize(dots int) {
	if dots < 1 || dots > 16 {
		e.fail("QR module size %d", dots)
		return
	}
	e.put(GS, '(', 'k', 3, 0, '1', 'C', byte(dots))
}

// QRErrorCorrection appends fn 169.
func (e *Buffer) QRErrorCorrection(l QRLevel) {
	if l < QRLevelL || l > QRLevelH {
		e.fail("QR error correction %d", l)
		return
	}
	e.put(GS, '(', 'k', 3, 0, '1', 'E', byte(l))
}

// QRStore appends fn 180: store the payload in the symbol storage area.
func (e *Buffer) QRStore(data []byte) {
	if len(data) < 1 || len(data) > MaxQRData {
		e.fail("QR payload of %d bytes", len(data))
		return
	}
	n := len(data) + 3
	e.put(GS, '(', 'k', byte(n), byte(n>>8), '1', 'P', '0')
	e.put(data...)
}

// QRPrint appends fn 181: print the stored symbol. It acts at the start of
// a line.
func (e *Buffer) QRPrint() { e.put(GS, '(', 'k', 3, 0, '1', 'Q', '0') }

// QR appends the five commands that print one QR symbol, in the order
// model, module size, error correction, store, print.
func (e *Buffer) QR(data []byte, moduleDots int, l QRLevel) {
	e.QRModel2()
	e.QRModuleSize(moduleDots)
	e.QRErrorCorrection(l)
	e.QRStore(data)
	e.QRPrint()
}
