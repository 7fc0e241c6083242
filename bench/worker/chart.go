package main

import (
	"fmt"
	"html"
	"strings"
)

// chart draws two bar charts, files per second (wall) and CPU milliseconds
// per file, one bar per method.  It is a few lines of SVG written by hand:
// bars need no plotting library.
func chart(r report) string {
	const (
		left, barH, gap, width, panelGap = 250, 22, 8, 380, 20
	)
	panels := []struct {
		title string
		value func(result) float64
		unit  string
	}{
		{"Files per second, wall clock (higher is better)", func(x result) float64 { return x.filesPerSec }, "%.0f"},
		{"CPU per file, ms, all processes (lower is better)", func(x result) float64 { return x.cpu.Seconds() * 1000 / float64(r.files) }, "%.1f"},
	}
	panelH := 30 + len(r.results)*(barH+gap)
	height := 45 + len(panels)*(panelH+panelGap) - panelGap + 50
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="13">`+"\n", left+width+70, height)
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>` + "\n")
	fmt.Fprintf(&b, `<text x="10" y="24" font-size="15" font-weight="bold">CPython %s stdlib, %d files, %d cores, median of %d runs</text>`+"\n",
		html.EscapeString(r.python), r.files, r.cores, r.cfg.repeats)
	top := 45
	for _, p := range panels {
		fmt.Fprintf(&b, `<text x="10" y="%d" font-weight="bold">%s</text>`+"\n", top+14, html.EscapeString(p.title))
		maxV := 0.0
		for _, x := range r.results {
			maxV = max(maxV, p.value(x))
		}
		for i, x := range r.results {
			y := top + 26 + i*(barH+gap)
			v := p.value(x)
			w := max(int(float64(width)*v/maxV), 1)
			color := "#8c8c8c"
			if i < 2 { // the worker's two runs
				color = "#2f6fb0"
			}
			fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", left-8, y+barH/2+5, html.EscapeString(x.short))
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`+"\n", left, y, w, barH, color)
			fmt.Fprintf(&b, `<text x="%d" y="%d">`+p.unit+`</text>`+"\n", left+w+6, y+barH/2+5, v)
		}
		top += panelH + panelGap
	}
	fmt.Fprintf(&b, `<text x="10" y="%d" font-size="11" fill="#555">In-process limit: one interpreter's compile()+marshal.dumps(); its wall time is divided by the %d cores.</text>`+"\n", height-28, r.cores)
	fmt.Fprintf(&b, `<text x="10" y="%d" font-size="11" fill="#555">Load average (1, 5, 15 min) %s before the run, %s after.</text>`+"\n",
		height-12, html.EscapeString(r.loadBefore), html.EscapeString(r.loadAfter))
	b.WriteString("</svg>\n")
	return b.String()
}
