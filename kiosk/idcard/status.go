package idcard

import (
	"errors"
	"fmt"
)

// SW3 status codes sent by the reader (docs/idcard-protocol.md, "Status
// codes"). Codes 01, 02, 03 and 05 of vendor SDKs come from their host DLL,
// never from the wire, and are not listed.
const (
	StatusOK              byte = 0x90 // success
	StatusFound           byte = 0x9F // find card succeeded
	StatusBadChecksum     byte = 0x10 // the reader received a frame with a bad checksum
	StatusBadLength       byte = 0x11 // the reader received a frame with a bad length
	StatusBadCommand      byte = 0x21 // command error: bad values or combination, unsupported
	StatusUnauthorised    byte = 0x23 // unauthorised operation
	StatusUnrecognised    byte = 0x24 // unrecognised error
	StatusCardAuthSAM     byte = 0x31 // the card failed to authenticate the SAM
	StatusSAMAuthCard     byte = 0x32 // the SAM failed to authenticate the card
	StatusVerify          byte = 0x33 // information verification error
	StatusUnknownCard     byte = 0x40 // unrecognised card type
	StatusReadFailed      byte = 0x41 // read card failed
	StatusRandomFailed    byte = 0x47 // get random number failed
	StatusSAMSelfTest     byte = 0x60 // SAM self-test failed; it accepts no commands
	StatusSAMUnauthorised byte = 0x66 // SAM not authorised
	StatusNoCard          byte = 0x80 // find card failed: no card
	StatusSelectFailed    byte = 0x81 // select card failed
	StatusNoContent       byte = 0x91 // this item has no content on the card
)

// Sentinels for what the reader reported. A *StatusError matches one of them
// with errors.Is; they say what the kiosk should do.
var (
	// ErrNoCard: no card on the reader (SW3 80). Keep polling.
	ErrNoCard = errors.New("idcard: no card")
	// ErrSelect: a card is there but could not be selected (SW3 81).
	ErrSelect = errors.New("idcard: select card failed")
	// ErrRead: the card could not be read or authenticated (SW3 41, and
	// 23 24 31 32 33 40 47). The visitor must lift the card and place it
	// again.
	ErrRead = errors.New("idcard: read card failed")
	// ErrReaderChecksum: the reader received a damaged command (SW3 10 bad
	// checksum, 11 bad length). Line noise; the command may be retried.
	ErrReaderChecksum = errors.New("idcard: the reader received a damaged command")
	// ErrSAM: the security module is broken or not authorised (SW3 60, 66).
	// Nothing will read until staff fix or replace the reader.
	ErrSAM = errors.New("idcard: security module (SAM) failure")
	// ErrUnsupported: the reader does not know the command (SW3 21).
	ErrUnsupported = errors.New("idcard: command not supported by the reader")
	// ErrNoContent: the card has nothing for this item (SW3 91), e.g. no
	// newest address.
	ErrNoContent = errors.New("idcard: no such content on the card")
)

// StatusError is a response whose SW3 is not success.
type StatusError struct {
	SW1, SW2, SW3 byte
}

// Error describes the status in English, for logs.
func (e *StatusError) Error() string {
	return fmt.Sprintf("idcard: reader status %02X (%s)", e.SW3, statusText(e.SW3))
}

// Is matches the sentinel that says what to do about the status.
func (e *StatusError) Is(target error) bool {
	return target != nil && target == statusSentinel(e.SW3)
}

func statusSentinel(sw3 byte) error {
	switch sw3 {
	case StatusNoCard:
		return ErrNoCard
	case StatusSelectFailed:
		return ErrSelect
	case StatusReadFailed, StatusUnauthorised, StatusUnrecognised, StatusCardAuthSAM, StatusSAMAuthCard,
		StatusVerify, StatusUnknownCard, StatusRandomFailed:
		return ErrRead
	case StatusBadChecksum, StatusBadLength:
		return ErrReaderChecksum
	case StatusSAMSelfTest, StatusSAMUnauthorised:
		return ErrSAM
	case StatusBadCommand:
		return ErrUnsupported
	case StatusNoContent:
		return ErrNoContent
	}
	return nil
}

func statusText(sw3 byte) string {
	switch sw3 {
	case StatusOK:
		return "success"
	case StatusFound:
		return "card found"
	case StatusBadChecksum:
		return "reader received a bad checksum"
	case StatusBadLength:
		return "reader received a bad length"
	case StatusBadCommand:
		return "command error"
	case StatusUnauthorised:
		return "unauthorised operation"
	case StatusUnrecognised:
		return "unrecognised error"
	case StatusCardAuthSAM:
		return "card failed to authenticate the SAM"
	case StatusSAMAuthCard:
		return "SAM failed to authenticate the card"
	case StatusVerify:
		return "information verification error"
	case StatusUnknownCard:
		return "unrecognised card type"
	case StatusReadFailed:
		return "read card failed"
	case StatusRandomFailed:
		return "get random number failed"
	case StatusSAMSelfTest:
		return "SAM self-test failed"
	case StatusSAMUnauthorised:
		return "SAM not authorised"
	case StatusNoCard:
		return "no card"
	case StatusSelectFailed:
		return "select card failed"
	case StatusNoContent:
		return "no content"
	}
	return "unknown status"
}
