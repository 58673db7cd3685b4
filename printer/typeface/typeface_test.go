package typeface

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// mustFind loads the system CJK font. The tests that draw Chinese need one;
// CI installs it (see the package list in the printer README section).
func mustFind(t testing.TB) *Face {
	t.Helper()
	f, err := Find()
	if err != nil {
		t.Fatalf("%v\nThese tests need a CJK font: apt-get install fonts-droid-fallback (or fonts-noto-cjk)", err)
	}
	return f
}

func ink(m *image.Alpha, r image.Rectangle) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if m.AlphaAt(x, y).A != 0 {
				n++
			}
		}
	}
	return n
}

func TestWidth(t *testing.T) {
	for s, want := range map[string]int{"": 0, "A012": 4, "号": 2, "请到3号窗口": 11, "王㛃": 4, "é": 2} {
		if got := Width(s); got != want {
			t.Errorf("Width(%q) = %d, want %d", s, got, want)
		}
	}
}

func TestLine(t *testing.T) {
	f := mustFind(t)
	t.Logf("font %q from %s", f.Name(), f.Path())
	for _, r := range "请到号窗口镕㛃A" {
		if !f.Has(r) {
			t.Errorf("font lacks %c (%U)", r, r)
		}
	}
	m, missing := f.Line("A号㛃", 2, 3, true)
	if len(missing) != 0 {
		t.Errorf("missing %q", string(missing))
	}
	if got, want := m.Bounds().Size(), image.Pt((1+2+2)*12*2, 24*3); got != want {
		t.Fatalf("size %v, want %v", got, want)
	}
	// Every cell has ink, and 号 is not a box: a box has ink only on its edges.
	for i, cell := range []image.Rectangle{image.Rect(0, 0, 24, 72), image.Rect(24, 0, 72, 72), image.Rect(72, 0, 120, 72)} {
		if ink(m, cell) == 0 {
			t.Errorf("cell %d is blank", i)
		}
	}
	g, _ := f.Cell('号', 24, 24)
	b := box(24, 24)
	same := true
	for i := range g.Pix {
		if g.Pix[i] != b.Pix[i] {
			same = false
		}
	}
	if same {
		t.Error("号 drawn as a box")
	}
	writePNG(t, m)
}

func TestNoFontDrawsBoxes(t *testing.T) {
	var f *Face
	m, missing := f.Line("号 A", 1, 1, false)
	if string(missing) != "号A" {
		t.Errorf("missing %q, want the two non-space runes", string(missing))
	}
	if ink(m, m.Bounds()) == 0 {
		t.Error("no boxes drawn")
	}
	if f.Has('A') || f.Name() != "" {
		t.Error("nil face claims a glyph")
	}
}

func TestMissingGlyphIsBox(t *testing.T) {
	f := mustFind(t)
	r := rune(0x10FFFD) // plane 16 private use: no font has it
	if f.Has(r) {
		t.Fatal("font has a glyph in plane 16; pick another missing rune")
	}
	_, missing := f.Line(string(r), 1, 1, false)
	if len(missing) != 1 {
		t.Errorf("missing = %q", string(missing))
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "none.ttf")); err == nil {
		t.Error("Load of a missing file succeeded")
	}
	if _, err := Parse([]byte("not a font")); err == nil {
		t.Error("Parse of garbage succeeded")
	}
}

func writePNG(t *testing.T, m image.Image) {
	t.Helper()
	if dir := os.Getenv("YITING_PNG_DIR"); dir != "" {
		fh, err := os.Create(filepath.Join(dir, t.Name()+".png"))
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		inv := image.NewGray(m.Bounds())
		for i, a := range m.(*image.Alpha).Pix {
			inv.Pix[i] = 255 - a
		}
		if err := png.Encode(fh, inv); err != nil {
			t.Fatal(err)
		}
	}
}
