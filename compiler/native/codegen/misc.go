package codegen

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

var errorf = fmt.Errorf

func sortStrings(s []string) { sort.Strings(s) }

// expandTabs is str.expandtabs(8).
func expandTabs(s string) string {
	if strings.IndexByte(s, '\t') < 0 {
		return s
	}
	var b []byte
	col := 0
	for i := 0; i < len(s); {
		r, n := ast.DecodeCodePoint(s[i:])
		switch r {
		case '\t':
			k := 8 - col%8
			for j := 0; j < k; j++ {
				b = append(b, ' ')
			}
			col += k
		case '\n', '\r':
			b = append(b, s[i:i+n]...)
			col = 0
		default:
			b = append(b, s[i:i+n]...)
			col++
		}
		i += n
	}
	return string(b)
}

// cleanDoc is _PyCompile_CleanDoc: tabs expanded, the first line's
// leading spaces and the common indentation of the other lines removed.
func cleanDoc(doc string) string {
	doc = expandTabs(doc)
	p, end := 0, len(doc)
	for p < end {
		p++
		if doc[p-1] == '\n' {
			break
		}
	}
	margin := -1
	for p < end {
		s := p
		for p < end && doc[p] == ' ' {
			p++
		}
		if p < end && doc[p] != '\n' {
			if margin < 0 || p-s < margin {
				margin = p - s
			}
		}
		for p < end {
			p++
			if doc[p-1] == '\n' {
				break
			}
		}
	}
	if margin < 0 {
		margin = 0
	}
	p = 0
	for p < end && doc[p] == ' ' {
		p++
	}
	if p == 0 && margin == 0 {
		return doc
	}
	w := make([]byte, 0, len(doc))
	for p < end {
		ch := doc[p]
		w = append(w, ch)
		p++
		if ch == '\n' {
			break
		}
	}
	for p < end {
		for i := 0; i < margin && p < end; i, p = i+1, p+1 {
			if doc[p] != ' ' {
				break
			}
		}
		for p < end {
			ch := doc[p]
			w = append(w, ch)
			p++
			if ch == '\n' {
				break
			}
		}
	}
	return string(w)
}
