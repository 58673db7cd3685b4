// Package escpos encodes the ESC/POS commands a queue ticket needs and parses
// the bytes a printer sends back (DLE EOT replies, Automatic Status Back
// blocks, XON/XOFF).
//
// The byte layouts follow docs/escpos.md (Epson ESC/POS as implemented by
// Epson TM-T88 class printers and the Chinese Xprinter / SPRT / GP / HPRT
// class). Every command has a golden-byte test in testdata/.
//
// The package does no I/O: a Buffer accumulates commands for one ticket, a
// ReplyParser classifies reply bytes one at a time, and Status decodes them.
package escpos
