// Package printersim is a simulated ESC/POS thermal ticket printer, the peer
// of package printer in tests and in the demo.
//
// It reads the byte stream a driver sends (over a pseudo-terminal or any
// io.ReadWriter), parses it the way a Chinese ESC/POS printer does
// (docs/escpos.md): text in GB18030 with its size, bold and alignment,
// native QR codes (GS ( k), raster images (GS v 0), CODE128 barcodes, feeds
// and cuts. Each cut completes a Document, which can be rendered to a PNG a
// person can look at: Chinese drawn with a CJK font (boxes without one), the
// QR drawn from its modules so a decoder can read it, images as received.
//
// It answers DLE EOT from a configurable State (paper out, near end, cover
// open, offline, cutter error, or silent), sends Automatic Status Back when
// GS a enables it, can run out of paper after a given number of bytes, and
// can emulate the wire time of a serial line and the paper's motion.
//
// Like a real printer it acts on DLE EOT wherever the three bytes appear,
// also inside image data.
package printersim
