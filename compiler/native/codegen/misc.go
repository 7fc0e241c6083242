package codegen

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
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

// checkSurrogates is the strict UTF-8 encoder's refusal of the first run
// of surrogates in s, positions counted in code points.
func checkSurrogates(s string) error {
	// A surrogate's encoding starts with 0xED (see ast.DecodeCodePoint).
	if strings.IndexByte(s, 0xED) < 0 {
		return nil
	}
	pos := 0
	for i := 0; i < len(s); {
		r, n := ast.DecodeCodePoint(s[i:])
		if r < 0xD800 || r > 0xDFFF {
			i += n
			pos++
			continue
		}
		end := pos + 1
		for j := i + n; j < len(s); {
			r2, n2 := ast.DecodeCodePoint(s[j:])
			if r2 < 0xD800 || r2 > 0xDFFF {
				break
			}
			end++
			j += n2
		}
		msg := fmt.Sprintf("'utf-8' codec can't encode characters in position %d-%d: surrogates not allowed", pos, end-1)
		if end == pos+1 {
			msg = fmt.Sprintf("'utf-8' codec can't encode character '\\u%04x' in position %d: surrogates not allowed", r, pos)
		}
		return &syntaxerr.Error{Type: syntaxerr.UnicodeEncodeError, Msg: msg, NoLocation: true}
	}
	return nil
}

// dedentDoc is the rest of _PyCompile_CleanDoc, on a docstring whose tabs
// are expanded: the cleaned docstring appended to w[:0] and true, or w and
// false when the docstring is clean as it is.
func dedentDoc(doc string, w []byte) ([]byte, bool) {
	end := len(doc)
	p := lineEnd(doc, 0)
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
		p = lineEnd(doc, p)
	}
	if margin < 0 {
		margin = 0
	}
	p = 0
	for p < end && doc[p] == ' ' {
		p++
	}
	if p == 0 && margin == 0 {
		return w, false
	}
	q := lineEnd(doc, p)
	w = append(w[:0], doc[p:q]...)
	p = q
	for p < end {
		for i := 0; i < margin && p < end; i, p = i+1, p+1 {
			if doc[p] != ' ' {
				break
			}
		}
		q = lineEnd(doc, p)
		w = append(w, doc[p:q]...)
		p = q
	}
	return w, true
}

// lineEnd returns the index after the first newline of doc at or after
// p, or len(doc) when there is none.
func lineEnd(doc string, p int) int {
	if i := strings.IndexByte(doc[p:], '\n'); i >= 0 {
		return p + i + 1
	}
	return len(doc)
}

// cleanDoc is _PyCompile_CleanDoc: tabs expanded, the first line's
// leading spaces and the common indentation of the other lines removed.
// A docstring holding a surrogate cannot be encoded to UTF-8 for that:
// the error (CPython's UnicodeEncodeError) stops code generation. A
// cleaned docstring is carved from the compile's string storage.
func (c *compiler) cleanDoc(doc string) string {
	doc = expandTabs(doc)
	if err := checkSurrogates(doc); err != nil {
		c.fail(err)
		return ""
	}
	w, changed := dedentDoc(doc, c.buf)
	if !changed {
		return doc
	}
	c.buf = w[:0]
	return c.p.String(w)
}
