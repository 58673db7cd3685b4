package printer_test

import (
	"bytes"
	"encoding/hex"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name and rewrites it with -update.
// Files ending in .hex hold bytes as hex, 32 a line.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	isHex := strings.HasSuffix(name, ".hex")
	if *update {
		out := got
		if isHex {
			var s strings.Builder
			for i := 0; i < len(got); i += 32 {
				s.WriteString(hex.EncodeToString(got[i:min(i+32, len(got))]))
				s.WriteByte('\n')
			}
			out = []byte(s.String())
		}
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if isHex {
		if want, err = hex.DecodeString(strings.Join(strings.Fields(string(want)), "")); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	if !bytes.Equal(got, want) {
		if isHex {
			t.Errorf("%s differs (%d bytes, golden %d); run go test -update and review the diff", path, len(got), len(want))
		} else {
			t.Errorf("%s differs:\n--- got\n%s\n--- want\n%s", path, got, want)
		}
	}
}
