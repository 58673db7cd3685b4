// Package idcardsim is a simulated ID card reader: a protocol peer that
// answers the real GA/T 467 frames of docs/idcard-protocol.md over a
// pseudo-terminal or any io.ReadWriter, with scripted synthetic cards of all
// four types, card placement and removal, and faults on demand (junk, bad
// checksums, truncated frames, SW3 error codes, slow answers, silence). It
// can emulate the time bytes take on the wire at a given baud rate, which a
// pseudo-terminal does not.
//
// It behaves like the readers it imitates: find, select and read, every
// time; once a card was read (or failed to read), find reports no card until
// the card is lifted (Remove) and placed again (Place).
//
// The tests of package idcard and the kiosk's demo mode use it. Its cards
// are synthetic; never load a real person's card data into it.
package idcardsim
