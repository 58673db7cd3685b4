package printersim

import (
	"bytes"
	"testing"
	"testing/iotest"
)

// FuzzParser feeds arbitrary bytes to the simulated printer: it must not
// panic, must account for every byte, and must build the same documents
// however the stream is split into reads.
func FuzzParser(f *testing.F) {
	f.Add(sampleStream(f))
	f.Add([]byte{0x1d, 0x28, 0x6b, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00, 0x1d, 0x56, 0x00})
	f.Add([]byte{0x1c, 0x26, 0x81, 0x30, 0x81, 0x30, 0xb0, 0xa1, 0x0a, 0x1b, 0x64, 0x02, 0x1d, 0x56, 0x41, 0x00})
	f.Add([]byte{0x1d, 0x76, 0x30, 0x00, 0x01, 0x00, 0x02, 0x00, 0x10, 0x04, 0x1d, 0x6b, 0x49, 0x03, '{', 'B', 'x', 0x1b, 'i'})
	f.Fuzz(func(t *testing.T, data []byte) {
		whole := New(nil)
		feed(whole, bytes.NewReader(data))
		split := New(nil)
		feed(split, iotest.OneByteReader(bytes.NewReader(data)))
		if st := whole.Stats(); st.Bytes != len(data) || st.PrintBytes > len(data) {
			t.Fatalf("stats %+v for %d bytes", st, len(data))
		}
		a, b := whole.Documents(), split.Documents()
		if len(a) != len(b) {
			t.Fatalf("%d documents whole, %d split", len(a), len(b))
		}
		for i := range a {
			if a[i].Text() != b[i].Text() || a[i].Bytes != b[i].Bytes {
				t.Fatalf("document %d differs:\n%s\n%s", i, a[i].Text(), b[i].Text())
			}
			if a[i].Length() < 3000 {
				whole.Render(a[i])
			}
		}
		if whole.Stats() != split.Stats() {
			t.Fatalf("stats differ: %+v %+v", whole.Stats(), split.Stats())
		}
	})
}
