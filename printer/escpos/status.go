package escpos

// StatusKind is the n of DLE EOT n.
type StatusKind byte

// The four real-time status requests.
const (
	PrinterStatus StatusKind = 1 // offline, waiting for recovery, feed button
	OfflineCause  StatusKind = 2 // cover open, paper end, error
	ErrorCause    StatusKind = 3 // cutter, unrecoverable, auto-recoverable
	PaperStatus   StatusKind = 4 // roll paper near end, paper end
)

// Status is what the printer reported through DLE EOT replies or an ASB
// block. The zero value is a ready printer.
type Status struct {
	Offline         bool // printer status bit 3, ASB byte 1 bit 3
	WaitingOnline   bool // printer status bit 5: waiting for online recovery
	FeedButton      bool // printer status bit 6, ASB byte 1 bit 6
	CoverOpen       bool // offline cause bit 2, ASB byte 1 bit 5
	PaperFeeding    bool // offline cause bit 3: paper fed by the button
	ErrorOccurred   bool // offline cause bit 6
	CutterError     bool // error cause bit 3, ASB byte 2 bit 3
	Unrecoverable   bool // error cause bit 5, ASB byte 2 bit 5
	AutoRecoverable bool // error cause bit 6 (head overheated), ASB byte 2 bit 6
	PaperNearEnd    bool // roll paper bits 2–3, ASB byte 3 bits 0–1
	PaperOut        bool // roll paper bits 5–6 or offline cause bit 5, ASB byte 3 bits 2–3
}

// IsStatusReply reports whether b has the fixed bits of a DLE EOT reply:
// bits 1 and 4 set, bits 0 and 7 clear (0xx1xx10).
func IsStatusReply(b byte) bool { return b&0x93 == 0x12 }

// IsASBHeader reports whether b has the fixed bits of the first byte of an
// Automatic Status Back block: bit 4 set, bits 0, 1 and 7 clear (0xx1xx00).
func IsASBHeader(b byte) bool { return b&0x93 == 0x10 }

// IsASBTrailer reports whether b may be byte 2, 3 or 4 of an ASB block: bits
// 4 and 7 clear. No DLE EOT reply, ASB header, XON or XOFF looks like that.
func IsASBTrailer(b byte) bool { return b&0x90 == 0 }

// Apply merges the reply byte to DLE EOT k into s. It does not check the
// fixed bits (see IsStatusReply).
func (s *Status) Apply(k StatusKind, b byte) {
	switch k {
	case PrinterStatus:
		s.Offline = b&0x08 != 0
		s.WaitingOnline = b&0x20 != 0
		s.FeedButton = b&0x40 != 0
	case OfflineCause:
		s.CoverOpen = b&0x04 != 0
		s.PaperFeeding = b&0x08 != 0
		s.PaperOut = s.PaperOut || b&0x20 != 0
		s.ErrorOccurred = b&0x40 != 0
	case ErrorCause:
		s.CutterError = b&0x08 != 0
		s.Unrecoverable = b&0x20 != 0
		s.AutoRecoverable = b&0x40 != 0
	case PaperStatus:
		s.PaperNearEnd = b&0x0C != 0
		s.PaperOut = s.PaperOut || b&0x60 != 0
	}
}

// Reply returns the byte a printer in state s answers to DLE EOT k. It is
// the inverse of Apply and is what a simulated printer sends.
func (s Status) Reply(k StatusKind) byte {
	b := byte(0x12)
	set := func(cond bool, bits byte) {
		if cond {
			b |= bits
		}
	}
	switch k {
	case PrinterStatus:
		set(s.Offline, 0x08)
		set(s.WaitingOnline, 0x20)
		set(s.FeedButton, 0x40)
	case OfflineCause:
		set(s.CoverOpen, 0x04)
		set(s.PaperFeeding, 0x08)
		set(s.PaperOut, 0x20)
		set(s.ErrorOccurred, 0x40)
	case ErrorCause:
		set(s.CutterError, 0x08)
		set(s.Unrecoverable, 0x20)
		set(s.AutoRecoverable, 0x40)
	case PaperStatus:
		set(s.PaperNearEnd, 0x0C)
		set(s.PaperOut, 0x60)
	}
	return b
}

// ApplyASB sets s from a 4-byte Automatic Status Back block.
func (s *Status) ApplyASB(b [4]byte) {
	s.Offline = b[0]&0x08 != 0
	s.CoverOpen = b[0]&0x20 != 0
	s.FeedButton = b[0]&0x40 != 0
	s.CutterError = b[1]&0x08 != 0
	s.Unrecoverable = b[1]&0x20 != 0
	s.AutoRecoverable = b[1]&0x40 != 0
	s.PaperNearEnd = b[2]&0x03 != 0
	s.PaperOut = b[2]&0x0C != 0
}

// ASB returns the 4-byte Automatic Status Back block for state s.
func (s Status) ASB() [4]byte {
	var b [4]byte
	b[0] = 0x10
	if s.Offline {
		b[0] |= 0x08
	}
	if s.CoverOpen {
		b[0] |= 0x20
	}
	if s.FeedButton {
		b[0] |= 0x40
	}
	if s.CutterError {
		b[1] |= 0x08
	}
	if s.Unrecoverable {
		b[1] |= 0x20
	}
	if s.AutoRecoverable {
		b[1] |= 0x40
	}
	if s.PaperNearEnd {
		b[2] |= 0x03
	}
	if s.PaperOut {
		b[2] |= 0x0C
	}
	return b
}
