package idcard_test

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"yiting/kiosk/idcard"
	"yiting/kiosk/idcard/idcardsim"
)

// FuzzDecoder: on any byte stream, split any way, the decoder does not
// panic, does not loop, returns payloads of at most MaxLen bytes that
// re-encode to frames it decodes the same, and holds no more than two
// frames' worth of bytes.
func FuzzDecoder(f *testing.F) {
	for _, r := range []idcard.Response{
		{SW3: 0x90}, {SW3: 0x9F, Data: make([]byte, 4)}, {SW3: 0x80}, {SW3: 0x90, Data: make([]byte, 1283)},
	} {
		b, _ := r.MarshalBinary()
		f.Add(byte(0), b)
		f.Add(byte(1), append([]byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x05, 0x01}, b...))
	}
	c, _ := idcard.Command{Op: idcard.OpFind}.MarshalBinary()
	f.Add(byte(2), c)
	f.Add(byte(0), []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0xFF, 0xFF})

	f.Fuzz(func(t *testing.T, split byte, in []byte) {
		var r io.Reader = bytes.NewReader(in)
		switch split % 3 {
		case 1:
			r = iotest.OneByteReader(r)
		case 2:
			r = iotest.HalfReader(r)
		}
		d := idcard.NewDecoder(r)
		for calls := 0; ; calls++ {
			if calls > len(in)+2 {
				t.Fatalf("%d calls to Next on %d bytes", calls, len(in))
			}
			if d.Buffered() > 2*(7+idcard.MaxLen) {
				t.Fatalf("decoder holds %d bytes", d.Buffered())
			}
			p, err := d.Next()
			if err == io.EOF {
				return
			}
			if err != nil {
				continue
			}
			if len(p) > idcard.MaxLen {
				t.Fatalf("payload of %d bytes", len(p))
			}
			resp, err := idcard.ParseResponse(p)
			if err != nil {
				continue // shorter than a response: a command
			}
			frame, err := resp.MarshalBinary()
			if err != nil {
				t.Fatal(err)
			}
			again, err := idcard.NewDecoder(bytes.NewReader(frame)).Next()
			if err != nil || !bytes.Equal(again, p) {
				t.Fatalf("re-encoded frame decodes to % X, %v; want % X", again, err, p)
			}
		}
	})
}

// FuzzParseText: on any 256 bytes the parser does not panic; what it
// accepts is consistent (valid ID number, masked when printed) and survives
// a round trip through the simulator's encoder.
func FuzzParseText(f *testing.F) {
	for _, c := range idcardsim.Cards() {
		text, err := idcardsim.EncodeText(c.Identity)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(text)
	}
	f.Add(make([]byte, 256))
	f.Add([]byte("short"))

	f.Fuzz(func(t *testing.T, text []byte) {
		id, err := idcard.ParseText(text)
		if err != nil {
			if id != nil {
				t.Fatal("identity with an error")
			}
			return
		}
		if id.Type != idcard.CardForeign2017 {
			if err := idcard.ValidateIDNumber(id.Number); err != nil {
				t.Fatalf("accepted number fails validation: %v", err)
			}
		}
		if s := id.String(); strings.Contains(s, id.Number) {
			t.Fatalf("String() shows the number: %s", s)
		}
		enc, err := idcardsim.EncodeText(*id)
		if err != nil {
			t.Fatalf("cannot re-encode an accepted identity: %v", err)
		}
		again, err := idcard.ParseText(enc)
		if err != nil {
			t.Fatalf("re-encoded text rejected: %v", err)
		}
		a, _ := json.Marshal(id)
		b, _ := json.Marshal(again)
		if !bytes.Equal(a, b) {
			t.Fatalf("round trip changed the identity:\n%s\n%s", a, b)
		}
	})
}
