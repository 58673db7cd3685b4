package idcard

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"
)

const (
	// baseFrameLen is a whole read-base answer: LEN 0x0508.
	baseFrameLen = 1295
	// maxFingerprintFrameLen is a read-with-fingerprint answer carrying
	// 1024 bytes of fingerprint data: LEN 0x090A.
	maxFingerprintFrameLen = 2321
	// TextLen is the size of the text block of every card type.
	TextLen = 256
	// samIDLen is the size of the SAM id.
	samIDLen = 16
	// newestAddressLen is the size of the newest-address answer: 35
	// UCS-2 characters.
	newestAddressLen = 70
)

// Message is the answer to a read: the 256-byte text block, and the sizes of
// the photo and fingerprint data that came with it. Those are dropped, not
// kept: the WLT photo needs a closed vendor decoder, and the kiosk has no
// use for a fingerprint.
type Message struct {
	Text           []byte // the text block, UCS-2 little-endian; see ParseText
	PhotoLen       int    // bytes of WLT photo received and discarded
	FingerprintLen int    // bytes of fingerprint data received and discarded
}

// parseMessage reads the lengths after SW3 (text, photo and, with
// fingerprint, fingerprint; big-endian) and splits the data. It clears the
// photo and fingerprint bytes in data.
func parseMessage(data []byte, fingerprint bool) (*Message, error) {
	hdr := 4
	if fingerprint {
		hdr = 6
	}
	if len(data) < hdr {
		return nil, fmt.Errorf("%w: read answer of %d bytes has no length header", ErrMalformed, len(data))
	}
	tl := int(data[0])<<8 | int(data[1])
	pl := int(data[2])<<8 | int(data[3])
	fl := 0
	if fingerprint {
		fl = int(data[4])<<8 | int(data[5])
	}
	if hdr+tl+pl+fl != len(data) {
		return nil, fmt.Errorf("%w: read answer: lengths %d+%d+%d do not add up to %d bytes",
			ErrMalformed, tl, pl, fl, len(data)-hdr)
	}
	m := &Message{
		Text:           append([]byte(nil), data[hdr:hdr+tl]...),
		PhotoLen:       pl,
		FingerprintLen: fl,
	}
	clear(data[hdr+tl:])
	return m, nil
}

func (c *Conn) read(ctx context.Context, op Op) (*Message, error) {
	timeout := c.t.Read
	if op == OpReadFingerprint {
		timeout = c.t.ReadFingerprint
	}
	resp, err := c.Transact(ctx, Command{Op: op}, timeout)
	if err != nil {
		return nil, err
	}
	// Transact only returns a success that parses (see fits).
	return parseMessage(resp.Data, op == OpReadFingerprint)
}

// ReadBase reads the base message (30 01) of the card selected. ErrRead
// means the card could not be read: the visitor must lift it and place it
// again.
func (c *Conn) ReadBase(ctx context.Context) (*Message, error) {
	return c.read(ctx, OpReadBase)
}

// ReadWithFingerprint reads the base message with fingerprint data (30 10).
// The fingerprint data is discarded.
func (c *Conn) ReadWithFingerprint(ctx context.Context) (*Message, error) {
	return c.read(ctx, OpReadFingerprint)
}

// NewestAddress reads the newest (appended) address of the card just read
// (30 03). It returns ErrUnsupported when the reader does not know the
// command — public sources disagree on its code — and ErrNoContent when the
// card has none.
func (c *Conn) NewestAddress(ctx context.Context) (string, error) {
	resp, err := c.Transact(ctx, Command{Op: OpReadNewestAddress}, c.t.Other)
	if err != nil {
		return "", err
	}
	if len(resp.Data) > newestAddressLen || len(resp.Data)%2 != 0 {
		return "", fmt.Errorf("%w: newest address of %d bytes", ErrMalformed, len(resp.Data))
	}
	return decodeField(resp.Data), nil
}

// ReadIdentity runs the sequence for one card — find, select, read base
// message — and parses the text. It returns ErrNoCard when there is no card
// (or the card just read still lies there), ErrSelect or ErrRead when the
// card is there but did not read, and a *FieldError when the text does not
// parse (a damaged read).
func (c *Conn) ReadIdentity(ctx context.Context) (*Identity, error) {
	if err := c.Find(ctx); err != nil {
		return nil, err
	}
	if err := c.Select(ctx); err != nil {
		return nil, err
	}
	m, err := c.ReadBase(ctx)
	if err != nil {
		return nil, err
	}
	return ParseText(m.Text)
}

// SAMID is the 16-byte id of the reader's security module.
type SAMID [samIDLen]byte

// String shows the id as hex: vendors format it in different ways.
func (s SAMID) String() string {
	return strings.ToUpper(hex.EncodeToString(s[:]))
}

// SAMID reads the id of the security module.
func (c *Conn) SAMID(ctx context.Context) (SAMID, error) {
	resp, err := c.Transact(ctx, Command{Op: OpSAMID}, c.t.Other)
	if err != nil {
		return SAMID{}, err
	}
	var id SAMID
	copy(id[:], resp.Data) // fits checked the length
	return id, nil
}
