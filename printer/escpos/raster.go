package escpos

import (
	"image"
	"image/color"
)

// Bitmap is a one-bit image in the layout GS v 0 sends: rows of
// (Width+7)/8 bytes, the most significant bit is the leftmost dot and a set
// bit is black.
type Bitmap struct {
	Width, Height int
	Bits          []byte
}

// NewBitmap returns a white bitmap of the given size.
func NewBitmap(width, height int) *Bitmap {
	return &Bitmap{Width: width, Height: height, Bits: make([]byte, (width+7)/8*height)}
}

// Stride is the number of bytes in a row.
func (m *Bitmap) Stride() int { return (m.Width + 7) / 8 }

// Black reports whether the dot at (x, y) is black; outside the bitmap is white.
func (m *Bitmap) Black(x, y int) bool {
	if x < 0 || y < 0 || x >= m.Width || y >= m.Height {
		return false
	}
	return m.Bits[y*m.Stride()+x/8]&(0x80>>(x%8)) != 0
}

// Set makes the dot at (x, y) black or white; outside the bitmap it does nothing.
func (m *Bitmap) Set(x, y int, black bool) {
	if x < 0 || y < 0 || x >= m.Width || y >= m.Height {
		return
	}
	i, bit := y*m.Stride()+x/8, byte(0x80>>(x%8))
	if black {
		m.Bits[i] |= bit
	} else {
		m.Bits[i] &^= bit
	}
}

// BitmapFromImage thresholds img: a pixel darker than mid-grey is black.
// (An *image.Alpha glyph mask is white ink on transparent black by that
// rule: convert masks by their alpha instead.)
func BitmapFromImage(img image.Image) *Bitmap {
	r := img.Bounds()
	m := NewBitmap(r.Dx(), r.Dy())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y < 128 {
				m.Set(x-r.Min.X, y-r.Min.Y, true)
			}
		}
	}
	return m
}

// Limits of one GS v 0 command as this encoder sends it.
const (
	MaxRasterWidthBytes = 128 // 1024 dots, more than any ticket printer
	rasterBand          = 255 // rows a command at most: yH is always 0
)

// Raster appends the bitmap as GS v 0 commands in normal density (m = 0), in
// bands of at most 255 rows so the header never holds a 0x10 0x04 pair.
//
// A printer acts on the real-time commands DLE EOT, DLE ENQ and DLE DC4
// wherever they appear, also inside image data (docs/escpos.md, "Hazard").
// DLE ENQ 2 would clear the buffer and DLE DC4 can switch the printer off, so
// Raster clears the one black dot of every 0x10 byte that is followed by
// 0x04, 0x05 or 0x14: the image loses at most one dot in such a pair and the
// printer sees no real-time command. GS ( D, which switches real-time
// commands off, exists only on newer firmware and is not used.
func (e *Buffer) Raster(m *Bitmap) {
	if m == nil || m.Width < 1 || m.Height < 1 || m.Stride() > MaxRasterWidthBytes || len(m.Bits) != m.Stride()*m.Height {
		e.fail("raster image")
		return
	}
	if e.err != nil {
		return
	}
	stride := m.Stride()
	for y0 := 0; y0 < m.Height; y0 += rasterBand {
		rows := min(rasterBand, m.Height-y0)
		e.b = append(e.b, GS, 'v', '0', 0, byte(stride), byte(stride>>8), byte(rows), 0)
		start := len(e.b)
		e.b = append(e.b, m.Bits[y0*stride:(y0+rows)*stride]...)
		SanitizeRaster(e.b[start:])
	}
}

// SanitizeRaster clears bit 4 of every 0x10 byte in data that is followed by
// 0x04, 0x05 or 0x14, so the data holds no DLE EOT, DLE ENQ or DLE DC4. It
// returns the number of dots it cleared.
func SanitizeRaster(data []byte) int {
	n := 0
	for i := 0; i+1 < len(data); i++ {
		if data[i] == DLE && (data[i+1] == EOT || data[i+1] == ENQ || data[i+1] == DC4) {
			data[i] = 0
			n++
		}
	}
	return n
}
