package idcard_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"yiting/kiosk/idcard"
)

func isErr(err, target error) bool { return errors.Is(err, target) }

func frameOf(tb testing.TB, r idcard.Response) []byte {
	tb.Helper()
	return marshal(tb, r)
}

// readAll decodes every frame of r until io.EOF.
func readAll(tb testing.TB, r io.Reader) ([]idcard.Response, []error) {
	tb.Helper()
	d := idcard.NewDecoder(r)
	var got []idcard.Response
	var errs []error
	for {
		p, err := d.Next()
		if err == io.EOF {
			return got, errs
		}
		if err != nil {
			errs = append(errs, err)
			if len(errs) > 100 {
				tb.Fatal("decoder does not stop")
			}
			continue
		}
		resp, err := idcard.ParseResponse(p)
		if err != nil {
			tb.Fatal(err)
		}
		got = append(got, resp)
	}
}

func TestDecoderResync(t *testing.T) {
	ok := frameOf(t, idcard.Response{SW3: 0x90})
	find := frameOf(t, idcard.Response{SW3: 0x9F, Data: []byte{1, 2, 3, 4}})
	bad := bytes.Clone(find)
	bad[len(bad)-1] ^= 0x55
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

	for _, tc := range []struct {
		name      string
		in        []byte
		want      []byte // SW3 of the frames expected, in order
		checksums int    // ErrChecksum expected
	}{
		{"clean", cat(ok, find), []byte{0x90, 0x9F}, 0},
		{"junk before", cat([]byte{0x00, 0x13, 0xFF, 0x96, 0x69}, ok), []byte{0x90}, 0},
		{"junk between", cat(ok, []byte("noise"), find), []byte{0x90, 0x9F}, 0},
		{"extra sync byte", cat([]byte{0xAA}, ok), []byte{0x90}, 0},
		{"partial preamble", cat([]byte{0xAA, 0xAA, 0x96, 0x69}, ok), []byte{0x90}, 0},
		{"preamble with impossible length", cat([]byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0xFF, 0xFF}, ok), []byte{0x90}, 0},
		{"preamble with too short a length", cat([]byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x01}, ok), []byte{0x90}, 0},
		// A whole false header with a plausible length, in front of a real
		// frame: the checksum fails and the decoder finds the real frame
		// inside what it took for the false one.
		{"false header swallowing a frame", cat([]byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x06, 0x01}, ok), []byte{0x90}, 0},
		{"false header, real preamble across its end", cat([]byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x05, 0x01}, ok), []byte{0x90}, 0},
		{"bad checksum", cat(bad, ok), []byte{0x90}, 1},
		{"tail of a frame cut by a reconnect", cat(find[9:], ok), []byte{0x90}, 0},
		{"frame cut at the end", cat(ok, find[:10]), []byte{0x90}, 0},
	} {
		for _, rd := range []struct {
			name string
			wrap func(io.Reader) io.Reader
		}{
			{"whole", func(r io.Reader) io.Reader { return r }},
			{"one byte", iotest.OneByteReader},
			{"half", iotest.HalfReader},
			{"data+EOF", iotest.DataErrReader},
		} {
			t.Run(tc.name+"/"+rd.name, func(t *testing.T) {
				got, errs := readAll(t, rd.wrap(bytes.NewReader(tc.in)))
				var sw []byte
				for _, r := range got {
					sw = append(sw, r.SW3)
				}
				if !bytes.Equal(sw, tc.want) {
					t.Errorf("frames with SW3 % X, want % X", sw, tc.want)
				}
				n := 0
				for _, err := range errs {
					if !errors.Is(err, idcard.ErrChecksum) {
						t.Errorf("unexpected error %v", err)
					}
					n++
				}
				if n != tc.checksums {
					t.Errorf("%d checksum errors, want %d", n, tc.checksums)
				}
			})
		}
	}
}

// TestDecoderKeepsPartialFrame: an empty read in the middle of a frame (a
// serial port's (0, io.EOF) on timeout) loses nothing.
func TestDecoderKeepsPartialFrame(t *testing.T) {
	f := frameOf(t, idcard.Response{SW3: 0x90, Data: make([]byte, 8)})
	chunks := [][]byte{f[:3], nil, f[3:9], nil, nil, f[9:]}
	r := &chunkReader{chunks: chunks}
	d := idcard.NewDecoder(r)
	eofs := 0
	for {
		p, err := d.Next()
		if err == io.EOF {
			eofs++
			if eofs > 10 {
				t.Fatal("no frame")
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(p) != 11 || eofs != 3 || d.Buffered() != 0 {
			t.Errorf("payload of %d bytes after %d empty reads, %d buffered; want 11, 3, 0", len(p), eofs, d.Buffered())
		}
		return
	}
}

// chunkReader returns its chunks one Read each; a nil chunk is (0, io.EOF).
type chunkReader struct {
	chunks [][]byte
}

func (c *chunkReader) Read(b []byte) (int, error) {
	if len(c.chunks) == 0 {
		return 0, io.EOF
	}
	ch := c.chunks[0]
	c.chunks = c.chunks[1:]
	if ch == nil {
		return 0, io.EOF
	}
	return copy(b, ch), nil
}

func TestDecoderBoundedOnEndlessJunk(t *testing.T) {
	// 1 MB of junk full of false sync bytes: nothing decoded, and the
	// decoder's buffer does not grow.
	junk := bytes.Repeat([]byte{0xAA, 0xAA, 0xAA, 0x96}, 1<<18)
	d := idcard.NewDecoder(iotest.HalfReader(bytes.NewReader(junk)))
	p, err := d.Next()
	if err != io.EOF || p != nil {
		t.Fatalf("Next = %v, %v; want nil, io.EOF", p, err)
	}
	if d.Buffered() > 5 || d.Skipped() < int64(len(junk))-5 {
		t.Errorf("buffered %d, skipped %d of %d", d.Buffered(), d.Skipped(), len(junk))
	}
}

func TestDecoderReadError(t *testing.T) {
	boom := errors.New("boom")
	d := idcard.NewDecoder(iotest.ErrReader(boom))
	if _, err := d.Next(); !errors.Is(err, boom) {
		t.Errorf("Next = %v, want %v", err, boom)
	}
	d = idcard.NewDecoder(zeroReader{})
	if _, err := d.Next(); !errors.Is(err, io.ErrNoProgress) {
		t.Errorf("Next on a (0, nil) reader = %v, want io.ErrNoProgress", err)
	}
}

type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

func TestMarshalTooLong(t *testing.T) {
	if _, err := (idcard.Response{Data: make([]byte, idcard.MaxLen)}).MarshalBinary(); err == nil {
		t.Error("a response longer than MaxLen was encoded")
	}
	if _, err := (idcard.Command{Data: make([]byte, idcard.MaxLen)}).MarshalBinary(); err == nil {
		t.Error("a command longer than MaxLen was encoded")
	}
	if _, err := idcard.ParseResponse([]byte{0, 0}); !errors.Is(err, idcard.ErrMalformed) {
		t.Errorf("ParseResponse of 2 bytes: %v, want ErrMalformed", err)
	}
	if _, err := idcard.ParseCommand([]byte{0x20}); !errors.Is(err, idcard.ErrMalformed) {
		t.Errorf("ParseCommand of 1 byte: %v, want ErrMalformed", err)
	}
}

func TestStatusSentinels(t *testing.T) {
	all := []error{idcard.ErrNoCard, idcard.ErrSelect, idcard.ErrRead, idcard.ErrReaderChecksum, idcard.ErrSAM,
		idcard.ErrUnsupported, idcard.ErrNoContent}
	for _, tc := range []struct {
		sw3  byte
		want error
	}{
		{0x80, idcard.ErrNoCard},
		{0x81, idcard.ErrSelect},
		{0x41, idcard.ErrRead},
		{0x31, idcard.ErrRead},
		{0x32, idcard.ErrRead},
		{0x33, idcard.ErrRead},
		{0x40, idcard.ErrRead},
		{0x47, idcard.ErrRead},
		{0x23, idcard.ErrRead},
		{0x24, idcard.ErrRead},
		{0x10, idcard.ErrReaderChecksum},
		{0x11, idcard.ErrReaderChecksum},
		{0x60, idcard.ErrSAM},
		{0x66, idcard.ErrSAM},
		{0x21, idcard.ErrUnsupported},
		{0x91, idcard.ErrNoContent},
		{0x77, nil},
	} {
		err := idcard.Response{SW3: tc.sw3}.Err()
		var se *idcard.StatusError
		if !errors.As(err, &se) || se.SW3 != tc.sw3 {
			t.Errorf("SW3 %02X: %v is not a *StatusError with that code", tc.sw3, err)
		}
		for _, s := range all {
			if got := errors.Is(err, s); got != (s == tc.want) {
				t.Errorf("SW3 %02X: errors.Is(%v) = %v", tc.sw3, s, got)
			}
		}
	}
	for _, sw3 := range []byte{0x90, 0x9F} {
		if err := (idcard.Response{SW3: sw3}).Err(); err != nil {
			t.Errorf("SW3 %02X: %v, want success", sw3, err)
		}
	}
}
