package web

import (
	"fmt"
	"html/template"
	"slices"
	"strings"

	"yiting/queue"
)

// The dashboard's charts are inline SVG drawn here: no chart library, no
// CDN, no script. Only presentation attributes are used (the content
// security policy forbids style attributes).

// Chart colours: dark enough on white for text contrast (WCAG AA).
const (
	colorBar    = "#1d4ed8"
	colorServed = "#15803d"
	colorText   = "#111827"
	colorGrid   = "#d1d5db"
)

// levelColors are the rating levels' colours, 非常不满意 … 非常满意.
var levelColors = [5]string{"#b91c1c", "#ea580c", "#ca8a04", "#65a30d", "#15803d"}

type bar struct {
	Label  string
	Value  int
	Value2 int // a second series drawn beside Value; -1 for none
}

func (p *Pages) charts(s queue.Stats, services []namedGroup) []chart {
	var out []chart
	var bars []bar
	for _, g := range services {
		if g.Issued > 0 {
			bars = append(bars, bar{Label: g.Name, Value: g.Issued, Value2: g.Served})
		}
	}
	slices.SortStableFunc(bars, func(a, b bar) int { return b.Value - a.Value })
	if len(bars) > 12 {
		bars = bars[:12]
	}
	out = append(out, chart{Title: "各业务取号与办结（前12项）", SVG: hbars(bars, "取号", "办结")})

	lo, hi := 8, 18
	for h, n := range s.ByHour {
		if n > 0 {
			lo, hi = min(lo, h), max(hi, h+1)
		}
	}
	var hours []bar
	for h := lo; h < hi; h++ {
		hours = append(hours, bar{Label: fmt.Sprint(h), Value: s.ByHour[h], Value2: -1})
	}
	out = append(out, chart{Title: "取号时段分布（每小时）", SVG: columns(hours, "时")})

	if len(s.ByDay) > 1 {
		var ds []bar
		for _, d := range s.ByDay {
			ds = append(ds, bar{Label: d.Day[5:], Value: d.Issued, Value2: d.Served})
		}
		out = append(out, chart{Title: "每日取号与办结", SVG: columns(ds, "")})
	}
	out = append(out, chart{Title: "评价分布", SVG: levels(s.Ratings)})
	return out
}

func esc(s string) string { return template.HTMLEscapeString(s) }

// hbars draws horizontal bars, one row per item, with a second thinner
// bar for Value2 when it is not negative.
func hbars(items []bar, name1, name2 string) template.HTML {
	const w, labelW, rowH, top = 660, 190, 34, 30
	if len(items) == 0 {
		return emptyChart(w, "所选时间内没有取号")
	}
	maxV := 1
	for _, it := range items {
		maxV = max(maxV, it.Value, it.Value2)
	}
	h := top + rowH*len(items) + 8
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" font-size="16" font-family="sans-serif">`, w, h, w, h)
	alt(&b, items, func(it bar) string {
		if it.Value2 < 0 {
			return fmt.Sprintf("%s %s%d", it.Label, name1, it.Value)
		}
		return fmt.Sprintf("%s %s%d、%s%d", it.Label, name1, it.Value, name2, it.Value2)
	})
	fmt.Fprintf(&b, `<rect x="%d" y="6" width="14" height="14" fill="%s"/><text x="%d" y="19" fill="%s">%s</text>`, labelW, colorBar, labelW+20, colorText, esc(name1))
	fmt.Fprintf(&b, `<rect x="%d" y="6" width="14" height="14" fill="%s"/><text x="%d" y="19" fill="%s">%s</text>`, labelW+90, colorServed, labelW+110, colorText, esc(name2))
	span := float64(w - labelW - 60)
	for i, it := range items {
		y := top + i*rowH
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" fill="%s">%s</text>`, labelW-8, y+20, colorText, esc(truncate(it.Label, 10)))
		bw := int(span * float64(it.Value) / float64(maxV))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="16" fill="%s"><title>%s %s %d</title></rect>`, labelW, y+4, max(bw, 1), colorBar, esc(it.Label), esc(name1), it.Value)
		if it.Value2 >= 0 {
			bw2 := int(span * float64(it.Value2) / float64(maxV))
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="8" fill="%s"><title>%s %s %d</title></rect>`, labelW, y+21, max(bw2, 1), colorServed, esc(it.Label), esc(name2), it.Value2)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="%s">%d</text>`, labelW+bw+6, y+18, colorText, it.Value)
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// columns draws vertical bars with labels under them; Value2, when not
// negative, is a thinner bar inside.
func columns(items []bar, unit string) template.HTML {
	const w, h, left, bottom, top = 660, 260, 44, 34, 16
	if len(items) == 0 {
		return emptyChart(w, "没有数据")
	}
	maxV := 1
	for _, it := range items {
		maxV = max(maxV, it.Value, it.Value2)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" font-size="15" font-family="sans-serif">`, w, h, w, h)
	alt(&b, items, func(it bar) string {
		if it.Value2 < 0 {
			return fmt.Sprintf("%s%s %d", it.Label, unit, it.Value)
		}
		return fmt.Sprintf("%s%s 取号%d、办结%d", it.Label, unit, it.Value, it.Value2)
	})
	plotH := float64(h - bottom - top)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s"/>`, left, h-bottom, w, h-bottom, colorGrid)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" fill="%s">%d</text>`, left-6, top+10, colorText, maxV)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" fill="%s">0</text>`, left-6, h-bottom, colorText)
	slot := float64(w-left) / float64(len(items))
	every := 1 + len(items)/16 // label every n-th column so labels never overlap
	for i, it := range items {
		x := float64(left) + slot*float64(i)
		bh := plotH * float64(it.Value) / float64(maxV)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s%s %d</title></rect>`,
			x+slot*0.15, float64(h-bottom)-bh, slot*0.7, bh, colorBar, esc(it.Label), esc(unit), it.Value)
		if it.Value2 >= 0 {
			bh2 := plotH * float64(it.Value2) / float64(maxV)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s 办结 %d</title></rect>`,
				x+slot*0.35, float64(h-bottom)-bh2, slot*0.3, bh2, colorServed, esc(it.Label), it.Value2)
		}
		if i%every == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle" fill="%s">%s</text>`, x+slot/2, h-bottom+22, colorText, esc(it.Label))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// levels draws the rating distribution as one stacked bar with a legend.
func levels(r queue.RatingStats) template.HTML {
	const w, h = 660, 110
	if r.Rated == 0 {
		return emptyChart(w, "所选时间内没有评价")
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" font-size="15" font-family="sans-serif">`, w, h, w, h)
	var ls []bar
	for l := queue.VerySatisfied; l >= queue.VeryDissatisfied; l-- {
		ls = append(ls, bar{Label: l.Name(), Value: r.Levels[l-1]})
	}
	alt(&b, ls, func(it bar) string { return fmt.Sprintf("%s %d", it.Label, it.Value) })
	x := 0.0
	for l := queue.VerySatisfied; l >= queue.VeryDissatisfied; l-- {
		n := r.Levels[l-1]
		bw := float64(w) * float64(n) / float64(r.Rated)
		fmt.Fprintf(&b, `<rect x="%.1f" y="8" width="%.1f" height="36" fill="%s"><title>%s %d</title></rect>`, x, bw, levelColors[l-1], l.Name(), n)
		x += bw
	}
	for i, l := 0, queue.VerySatisfied; l >= queue.VeryDissatisfied; i, l = i+1, l-1 {
		lx := i * 132
		fmt.Fprintf(&b, `<rect x="%d" y="64" width="14" height="14" fill="%s"/><text x="%d" y="77" fill="%s">%s %d</text>`,
			lx, levelColors[l-1], lx+20, colorText, l.Name(), r.Levels[l-1])
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// alt writes the chart's text alternative, its first child <title>: every
// value in words, for a screen reader (the bars' own titles are hover
// tips, not read as the image's name).
func alt(b *strings.Builder, items []bar, say func(bar) string) {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = say(it)
	}
	fmt.Fprintf(b, `<title>%s</title>`, esc(strings.Join(parts, "；")))
}

func emptyChart(w int, msg string) template.HTML {
	return template.HTML(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d 60" width="%d" height="60" role="img" font-size="18" font-family="sans-serif"><title>%s</title><text x="10" y="36" fill="%s">%s</text></svg>`,
		w, w, esc(msg), colorText, esc(msg)))
}

// truncate shortens s to n characters with an ellipsis.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
