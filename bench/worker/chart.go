package main

import (
	"fmt"
	"html"
	"strings"
)

// chart draws the files/s of each method as horizontal bars.  It is a few
// lines of SVG written by hand: no plotting library is needed for bars.
func chart(r report) string {
	const (
		left, barH, gap, width, top = 330, 26, 10, 360, 40
	)
	maxRate := 0.0
	for _, x := range r.results {
		maxRate = max(maxRate, x.filesPerSec)
	}
	height := top + len(r.results)*(barH+gap) + 30
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="13">`+"\n", left+width+90, height)
	fmt.Fprintf(&b, `<rect width="100%%" height="100%%" fill="white"/>`+"\n")
	fmt.Fprintf(&b, `<text x="10" y="22" font-size="15" font-weight="bold">Files compiled per second (CPython %s stdlib, %d files, %d cores; higher is better)</text>`+"\n",
		html.EscapeString(r.python), r.files, r.cores)
	for i, x := range r.results {
		y := top + i*(barH+gap)
		w := int(float64(width) * x.filesPerSec / maxRate)
		color := "#8c8c8c"
		if strings.HasPrefix(x.short, "worker") {
			color = "#2f6fb0"
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end">%s</text>`+"\n", left-8, y+barH/2+5, html.EscapeString(x.name))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="%s"/>`+"\n", left, y, max(w, 1), barH, color)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%.0f</text>`+"\n", left+max(w, 1)+6, y+barH/2+5, x.filesPerSec)
	}
	fmt.Fprintf(&b, `<text x="10" y="%d" font-size="11" fill="#555">Median of %d runs. The in-process limit is one interpreter's compile()+marshal.dumps() time divided by the cores.</text>`+"\n", height-10, r.cfg.repeats)
	b.WriteString("</svg>\n")
	return b.String()
}
