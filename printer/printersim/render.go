package printersim

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/png"

	"yiting/printer"
	"yiting/printer/escpos"
	"yiting/printer/typeface"
)

// margin is the white paper above the first line and below the cut in a
// rendering, in dots.
const margin = 16

// Render draws d as the paper would look, one pixel a dot: black print on
// white, a dashed grey line where it was cut. Text is drawn with Opts.Font;
// without one, or for a character the font lacks, a box (logged once).
func (p *Printer) Render(d Document) *image.Gray {
	h := margin + d.Length() + margin
	side := sideMargin(d.Dots)
	paper := image.NewGray(image.Rect(0, 0, d.Dots+2*side, h))
	draw.Draw(paper, paper.Bounds(), image.White, image.Point{}, draw.Src)
	// Drawing happens on the printable area; the paper around it stays white.
	img := &image.Gray{Pix: paper.Pix[side:], Stride: paper.Stride, Rect: image.Rect(0, 0, d.Dots, h)}
	y := margin
	for _, b := range d.Blocks {
		switch b.Kind {
		case TextLine:
			p.drawLine(img, b, y)
		case QRCode:
			p.drawQR(img, b, y)
		case Image:
			x := alignX(d.Dots, b.Image.Width, b.Align)
			for yy := 0; yy < b.Image.Height; yy++ {
				for xx := 0; xx < b.Image.Width; xx++ {
					if b.Image.Black(xx, yy) {
						img.SetGray(x+xx, y+yy, color.Gray{})
					}
				}
			}
		case Barcode:
			p.drawBarcode(img, b, y)
		}
		y += b.Dots
	}
	if d.Cut != NoCut {
		for x := 0; x < paper.Bounds().Dx(); x += 12 {
			for dx := 0; dx < 6; dx++ {
				paper.SetGray(x+dx, y+margin/2, color.Gray{Y: 0x99})
			}
		}
	}
	return paper
}

// sideMargin is the paper beside the printable area: 80 mm paper is 640
// dots wide and prints 576, 58 mm paper 464 and prints 384.
func sideMargin(dots int) int {
	switch dots {
	case 576:
		return 32
	case 384:
		return 40
	}
	return 16
}

// PNG renders d as a PNG file.
func (p *Printer) PNG(d Document) ([]byte, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, p.Render(d)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// LastPNG renders the last document printed.
func (p *Printer) LastPNG() ([]byte, error) {
	docs := p.Documents()
	if len(docs) == 0 {
		return nil, errors.New("printersim: nothing printed yet")
	}
	return p.PNG(docs[len(docs)-1])
}

func alignX(dots, w int, a escpos.Align) int {
	switch a {
	case escpos.Center:
		return max((dots-w)/2, 0)
	case escpos.Right:
		return max(dots-w, 0)
	}
	return 0
}

// drawLine draws a text line: runs side by side, aligned, bottoms level.
func (p *Printer) drawLine(img *image.Gray, b Block, y int) {
	width, height := 0, 0
	for _, r := range b.Runs {
		width += typeface.Width(r.Text) * typeface.HalfCellWidth * r.W
		height = max(height, r.H*typeface.CellHeight)
	}
	x := alignX(img.Bounds().Dx(), width, b.Align)
	for _, r := range b.Runs {
		missing := p.opts.Font.DrawLine(img, image.Pt(x, y+height-r.H*typeface.CellHeight), r.Text, r.W, r.H, r.Bold)
		if len(missing) > 0 {
			p.fontOnce.Do(func() {
				if p.opts.Font == nil {
					p.log.Warn("printersim: no CJK font, drawing text as boxes (install fonts-noto-cjk or fonts-droid-fallback)")
				} else {
					p.log.Warn("printersim: font lacks characters, drawing boxes", "font", p.opts.Font.Name(), "chars", string(missing))
				}
			})
		}
		x += typeface.Width(r.Text) * typeface.HalfCellWidth * r.W
	}
}

// drawQR draws a native QR symbol from its modules, as the printer's own
// encoder would.
func (p *Printer) drawQR(img *image.Gray, b Block, y int) {
	mat, err := printer.QRMatrix(string(b.QR.Payload), b.QR.Level)
	if err != nil {
		return
	}
	size := len(mat) * b.QR.Module
	x0 := alignX(img.Bounds().Dx(), size, b.Align)
	for my, row := range mat {
		for mx, dark := range row {
			if dark {
				r := image.Rect(x0+mx*b.QR.Module, y+my*b.QR.Module, x0+(mx+1)*b.QR.Module, y+(my+1)*b.QR.Module)
				draw.Draw(img, r, image.Black, image.Point{}, draw.Src)
			}
		}
	}
}

// drawBarcode draws a CODE128 symbol with a quiet zone of 10 modules and
// its human-readable text.
func (p *Printer) drawBarcode(img *image.Gray, b Block, y int) {
	bc := b.Barcode
	vals, text, err := code128Values(bc.Data)
	if err != nil {
		p.log.Warn("printersim: bad CODE128 data", "err", err)
		return
	}
	modules := 20
	for _, v := range vals {
		for _, c := range code128Pattern(v) {
			modules += int(c - '0')
		}
	}
	x := alignX(img.Bounds().Dx(), modules*bc.Module, b.Align) + 10*bc.Module
	barY := y
	if bc.HRI == escpos.HRIAbove {
		barY += typeface.CellHeight + 4
	}
	for _, v := range vals {
		for i, c := range code128Pattern(v) {
			w := int(c-'0') * bc.Module
			if i%2 == 0 {
				draw.Draw(img, image.Rect(x, barY, x+w, barY+bc.Height), image.Black, image.Point{}, draw.Src)
			}
			x += w
		}
	}
	if bc.HRI != escpos.HRINone {
		ty := barY + bc.Height + 4
		if bc.HRI == escpos.HRIAbove {
			ty = y
		}
		tx := alignX(img.Bounds().Dx(), len(text)*typeface.HalfCellWidth, b.Align)
		p.opts.Font.DrawLine(img, image.Pt(tx, ty), text, 1, 1, false)
	}
}
