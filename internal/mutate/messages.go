package mutate

import (
	"fmt"
	"sort"
	"strings"
)

// Template returns msg with its variable parts replaced: every quoted part
// by 'X' and every run of digits by N, so that "'(' was never closed" and
// "'[' was never closed" count as one kind of message.
func Template(msg string) string {
	var b strings.Builder
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		switch {
		case c >= '0' && c <= '9':
			for i+1 < len(msg) && msg[i+1] >= '0' && msg[i+1] <= '9' {
				i++
			}
			b.WriteByte('N')
		case c == '\'':
			// A quote closes at the next quote followed by a non-letter
			// (so that "can't" and "'don't'" stay whole as well as
			// possible).
			j := i + 1
			for j < len(msg) && !(msg[j] == '\'' && (j+1 == len(msg) || !isLetter(msg[j+1]))) {
				j++
			}
			if j < len(msg) && (i == 0 || !isLetter(msg[i-1])) {
				b.WriteString("'X'")
				i = j
			} else {
				b.WriteByte(c)
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// Histogram counts messages by template.
type Histogram struct {
	byTemplate map[string]int
	exact      map[string]bool
	total      int
}

// NewHistogram returns an empty histogram.
func NewHistogram() *Histogram {
	return &Histogram{byTemplate: map[string]int{}, exact: map[string]bool{}}
}

// Add counts one message, of exception type typ.
func (h *Histogram) Add(typ, msg string) {
	h.byTemplate[typ+": "+Template(msg)]++
	h.exact[typ+": "+msg] = true
	h.total++
}

// Templates is the number of distinct templates counted.
func (h *Histogram) Templates() int { return len(h.byTemplate) }

// Exact is the number of distinct messages counted.
func (h *Histogram) Exact() int { return len(h.exact) }

// Share returns the fraction of the messages counted whose template is
// typ+": "+template.
func (h *Histogram) Share(typeAndTemplate string) float64 {
	if h.total == 0 {
		return 0
	}
	return float64(h.byTemplate[typeAndTemplate]) / float64(h.total)
}

// String lists the templates, most frequent first, with their counts.
func (h *Histogram) String() string {
	type row struct {
		t string
		n int
	}
	var rows []row
	for t, n := range h.byTemplate {
		rows = append(rows, row{t, n})
	}
	sort.Slice(rows, func(a, b int) bool {
		if rows[a].n != rows[b].n {
			return rows[a].n > rows[b].n
		}
		return rows[a].t < rows[b].t
	})
	var b strings.Builder
	fmt.Fprintf(&b, "%d messages, %d distinct, %d distinct templates:\n", h.total, len(h.exact), len(h.byTemplate))
	for _, r := range rows {
		fmt.Fprintf(&b, "%6d  %s\n", r.n, r.t)
	}
	return b.String()
}
