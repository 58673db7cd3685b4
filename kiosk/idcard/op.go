package idcard

import "fmt"

// Op is a command code: CMD in the high byte, PARA in the low byte.
type Op uint16

// The commands of docs/idcard-protocol.md. Some public code carries wrong
// constants (reset as 0x01, select as 20 01); these were verified by
// recomputing every checksum of the doc's table.
const (
	OpReset               Op = 0x10FF // reset the SAM
	OpSAMStatus           Op = 0x11FF // SAM self-check
	OpSAMID               Op = 0x12FF // read the SAM's 16-byte id
	OpFind                Op = 0x2001 // find a card in the field
	OpSelect              Op = 0x2002 // select the card found
	OpReadBase            Op = 0x3001 // read text and photo
	OpReadFingerprint     Op = 0x3010 // read text, photo and fingerprint
	OpReadNewestAddress   Op = 0x3003 // read the newest (appended) address
	OpReadNewestAddressB  Op = 0x3002 // the same, in one protocol table; most readers answer 21
	OpReadManagementNo    Op = 0x3005 // read the card management number
	OpSetBaud115200       Op = 0x6000
	OpSetBaud57600        Op = 0x6001
	OpSetBaud38400        Op = 0x6002
	OpSetBaud19200        Op = 0x6003
	OpSetBaud9600         Op = 0x6004
	OpSetMaxRFFrameLength Op = 0x61FF // one data byte: 24..255
)

// String names the command, for logs and errors.
func (o Op) String() string {
	switch o {
	case OpReset:
		return "reset"
	case OpSAMStatus:
		return "SAM status"
	case OpSAMID:
		return "SAM id"
	case OpFind:
		return "find card"
	case OpSelect:
		return "select card"
	case OpReadBase:
		return "read base message"
	case OpReadFingerprint:
		return "read base message with fingerprint"
	case OpReadNewestAddress, OpReadNewestAddressB:
		return "read newest address"
	case OpReadManagementNo:
		return "read management number"
	case OpSetBaud115200, OpSetBaud57600, OpSetBaud38400, OpSetBaud19200, OpSetBaud9600:
		return fmt.Sprintf("set baud %d", BaudOf(o))
	case OpSetMaxRFFrameLength:
		return "set max RF frame length"
	}
	return fmt.Sprintf("command %04X", uint16(o))
}

// SetBaudOp returns the command that sets the reader to baud, one of
// 115200, 57600, 38400, 19200 and 9600.
func SetBaudOp(baud int) (Op, error) {
	switch baud {
	case 115200:
		return OpSetBaud115200, nil
	case 57600:
		return OpSetBaud57600, nil
	case 38400:
		return OpSetBaud38400, nil
	case 19200:
		return OpSetBaud19200, nil
	case 9600:
		return OpSetBaud9600, nil
	}
	return 0, fmt.Errorf("idcard: the reader cannot run at %d baud (115200, 57600, 38400, 19200 or 9600)", baud)
}

// BaudOf returns the rate a set-baud command selects, or 0 for another
// command.
func BaudOf(o Op) int {
	switch o {
	case OpSetBaud115200:
		return 115200
	case OpSetBaud57600:
		return 57600
	case OpSetBaud38400:
		return 38400
	case OpSetBaud19200:
		return 19200
	case OpSetBaud9600:
		return 9600
	}
	return 0
}
