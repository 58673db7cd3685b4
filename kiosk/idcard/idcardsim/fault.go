package idcardsim

import (
	"fmt"
	"time"

	"yiting/kiosk/idcard"
)

// FaultKind is a way for the simulated reader to misbehave.
type FaultKind int

// The faults.
const (
	// FaultNone: answer correctly.
	FaultNone FaultKind = iota
	// FaultJunk: send Junk (default: 14 bytes of noise with false starts of
	// a preamble) before the answer.
	FaultJunk
	// FaultBadChecksum: send the answer with its checksum byte inverted.
	FaultBadChecksum
	// FaultTruncate: send only the first Bytes bytes of the answer (default
	// half of it), then nothing.
	FaultTruncate
	// FaultStatus: answer with SW3 = Status and no data instead.
	FaultStatus
	// FaultSlow: wait Delay before answering.
	FaultSlow
	// FaultSilence: do not answer at all.
	FaultSilence
)

// String names the fault.
func (k FaultKind) String() string {
	switch k {
	case FaultNone:
		return "none"
	case FaultJunk:
		return "junk"
	case FaultBadChecksum:
		return "bad checksum"
	case FaultTruncate:
		return "truncate"
	case FaultStatus:
		return "status"
	case FaultSlow:
		return "slow"
	case FaultSilence:
		return "silence"
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

// Fault says how to spoil answers, and which.
type Fault struct {
	Kind FaultKind
	// Op limits the fault to answers to this command; 0 means every
	// command.
	Op idcard.Op
	// Times is how many answers to spoil; 0 means all, until SetFault
	// changes the fault.
	Times int
	// Status is the SW3 of FaultStatus, e.g. idcard.StatusReadFailed.
	Status byte
	// Delay is the wait of FaultSlow.
	Delay time.Duration
	// Bytes is how much of the answer FaultTruncate sends; 0: half.
	Bytes int
	// Junk is what FaultJunk sends; nil: default noise.
	Junk []byte
}

// defaultJunk is noise with an incomplete preamble and a whole one with an
// impossible length, to exercise resynchronisation.
func defaultJunk() []byte {
	return []byte{0x00, 0xFF, 0xAA, 0xAA, 0x96, 0x69, 0x13, 0xAA, 0xAA, 0xAA, 0x96, 0x69, 0xFF, 0xFF}
}
