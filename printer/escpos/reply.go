package escpos

// ReplyKind says what a byte from the printer is.
type ReplyKind int

// Kinds of printer-to-host data.
const (
	ReplyUnknown ReplyKind = iota // noise, or an ASB trailer byte out of place
	ReplyStatus                   // one DLE EOT reply byte
	ReplyASB                      // a complete 4-byte ASB block
	ReplyXON                      // 0x11: the printer accepts data again
	ReplyXOFF                     // 0x13: stop sending
)

// String names the kind for logs and test failures.
func (k ReplyKind) String() string {
	switch k {
	case ReplyStatus:
		return "status"
	case ReplyASB:
		return "asb"
	case ReplyXON:
		return "xon"
	case ReplyXOFF:
		return "xoff"
	}
	return "unknown"
}

// Reply is one classified item of the printer-to-host stream.
type Reply struct {
	Kind ReplyKind
	Byte byte    // the byte for ReplyStatus, ReplyXON, ReplyXOFF, ReplyUnknown
	ASB  [4]byte // the block for ReplyASB
	// Dropped counts the bytes of earlier ASB blocks that were cut short by
	// a new ASB header (reported with the next complete block); they are lost.
	Dropped int
}

// ReplyParser splits the printer-to-host stream into replies. DLE EOT
// replies, ASB blocks, XON and XOFF may arrive interleaved; they are told
// apart by their fixed bits alone (docs/escpos.md, "Status replies"):
//
//	XON 0x11, XOFF 0x13       exact values (bit 0 set, unlike the others)
//	DLE EOT reply  0xx1xx10
//	ASB byte 1     0xx1xx00, then three bytes 0xx0xxxx
//
// The zero value is ready. It is not safe for concurrent use.
type ReplyParser struct {
	asb     [4]byte
	n       int // bytes of an ASB block held, 0 when none
	dropped int // bytes of cut-short blocks not yet reported
}

// Feed classifies one byte. It returns ok == false while it holds the first
// bytes of an ASB block. XON, XOFF and DLE EOT replies may arrive between the
// bytes of an ASB block: they are returned and the block stays pending. A new
// ASB header before the block is complete drops the held bytes (counted in
// the Dropped field of the next reply).
func (p *ReplyParser) Feed(b byte) (r Reply, ok bool) {
	switch {
	case p.n > 0 && IsASBTrailer(b):
		p.asb[p.n] = b
		p.n++
		if p.n < 4 {
			return Reply{}, false
		}
		p.n = 0
		r = Reply{Kind: ReplyASB, ASB: p.asb, Dropped: p.dropped}
		p.dropped = 0
		return r, true
	case b == XON:
		return Reply{Kind: ReplyXON, Byte: b}, true
	case b == XOFF:
		return Reply{Kind: ReplyXOFF, Byte: b}, true
	case IsStatusReply(b):
		return Reply{Kind: ReplyStatus, Byte: b}, true
	case IsASBHeader(b):
		p.dropped += p.n
		p.asb = [4]byte{b}
		p.n = 1
		return Reply{}, false
	}
	return Reply{Kind: ReplyUnknown, Byte: b}, true
}

// Pending reports how many bytes of an unfinished ASB block the parser holds.
func (p *ReplyParser) Pending() int { return p.n }
