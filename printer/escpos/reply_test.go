package escpos

import (
	"bytes"
	"io"
	"testing"
	"testing/iotest"
)

func parseAll(t testing.TB, r io.Reader) ([]Reply, *ReplyParser) {
	t.Helper()
	var p ReplyParser
	var out []Reply
	buf := make([]byte, 7)
	for {
		n, err := r.Read(buf)
		for _, b := range buf[:n] {
			if rep, ok := p.Feed(b); ok {
				out = append(out, rep)
			}
		}
		if err == io.EOF {
			return out, &p
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestReplyParserInterleaved(t *testing.T) {
	asbPaperOut := Status{PaperOut: true, Offline: true}.ASB()
	stream := []byte{
		0x12,                           // DLE EOT reply: all clear
		XOFF,                           // printer buffer full
		asbPaperOut[0], asbPaperOut[1], // ASB starts ...
		XON,                            // ... XON in the middle ...
		0x72,                           // ... and a DLE EOT 4 reply (paper end) ...
		asbPaperOut[2], asbPaperOut[3], // ... ASB ends
		0x10, 0x00, // an ASB cut short ...
		0x10, 0x00, 0x03, 0x00, // ... by a new one (paper near end)
		0xFF, // noise
		0x00, // a trailer byte with no block
	}
	want := []Reply{
		{Kind: ReplyStatus, Byte: 0x12},
		{Kind: ReplyXOFF, Byte: XOFF},
		{Kind: ReplyXON, Byte: XON},
		{Kind: ReplyStatus, Byte: 0x72},
		{Kind: ReplyASB, ASB: asbPaperOut},
		{Kind: ReplyASB, ASB: [4]byte{0x10, 0x00, 0x03, 0x00}, Dropped: 2},
		{Kind: ReplyUnknown, Byte: 0xFF},
		{Kind: ReplyUnknown, Byte: 0x00},
	}
	readers := map[string]func() io.Reader{
		"whole":    func() io.Reader { return bytes.NewReader(stream) },
		"one byte": func() io.Reader { return iotest.OneByteReader(bytes.NewReader(stream)) },
		"half":     func() io.Reader { return iotest.HalfReader(bytes.NewReader(stream)) },
	}
	for name, r := range readers {
		t.Run(name, func(t *testing.T) {
			got, p := parseAll(t, r())
			if len(got) != len(want) {
				t.Fatalf("got %d replies %+v, want %d", len(got), got, len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("reply %d = %+v, want %+v", i, got[i], want[i])
				}
			}
			if p.Pending() != 0 {
				t.Errorf("Pending() = %d", p.Pending())
			}
			var s Status
			s.ApplyASB(got[4].ASB)
			if !s.PaperOut || !s.Offline {
				t.Errorf("ASB decoded as %+v", s)
			}
		})
	}
}

// FuzzReplyParser checks that every byte is accounted for exactly once and
// that every classification matches the fixed bit patterns.
func FuzzReplyParser(f *testing.F) {
	f.Add([]byte{0x12, 0x11, 0x10, 0x00, 0x13, 0x0C, 0x00, 0x72})
	f.Add([]byte{0x10, 0x10, 0x10, 0x00, 0x00, 0x00})
	f.Add([]byte{0xFF, 0x00, 0x93})
	f.Fuzz(func(t *testing.T, data []byte) {
		// A complete all-clear ASB at the end flushes any cut-short block.
		stream := append(append([]byte{}, data...), 0x10, 0, 0, 0)
		var p ReplyParser
		count := 0
		for _, b := range stream {
			r, ok := p.Feed(b)
			if !ok {
				continue
			}
			count += r.Dropped
			switch r.Kind {
			case ReplyASB:
				count += 4
				if !IsASBHeader(r.ASB[0]) || !IsASBTrailer(r.ASB[1]) || !IsASBTrailer(r.ASB[2]) || !IsASBTrailer(r.ASB[3]) {
					t.Fatalf("bad ASB block % x", r.ASB)
				}
			case ReplyStatus:
				count++
				if !IsStatusReply(r.Byte) || r.Byte != b {
					t.Fatalf("status reply %#x", r.Byte)
				}
			case ReplyXON, ReplyXOFF:
				count++
				if r.Byte != XON && r.Byte != XOFF {
					t.Fatalf("flow byte %#x", r.Byte)
				}
			case ReplyUnknown:
				count++
				if IsStatusReply(r.Byte) || IsASBHeader(r.Byte) || r.Byte == XON || r.Byte == XOFF {
					t.Fatalf("known byte %#x classified unknown", r.Byte)
				}
			default:
				t.Fatalf("kind %v", r.Kind)
			}
		}
		if p.Pending() != 0 || count != len(stream) {
			t.Fatalf("accounted for %d of %d bytes, %d pending", count, len(stream), p.Pending())
		}
	})
}
