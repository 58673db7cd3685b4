// Package printer prints queue tickets on ESC/POS thermal receipt printers:
// the ticket layout for 80 mm and 58 mm paper with Chinese text and the case
// QR code, printer profiles, the real-time status check before each ticket,
// and the driver that talks to the printer over a serial port or a USB
// printer-class device file.
//
// The protocol is described in docs/escpos.md; the command encoder and the
// status-reply parser are in the escpos subpackage. Tickets that could not be
// printed are kept and printed later by the spool subpackage, and
// printersim is a simulated printer for tests and the demo.
package printer
