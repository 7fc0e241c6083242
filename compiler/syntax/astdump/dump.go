// Package astdump writes what CPython's ast.dump(tree,
// include_attributes=True) returns for a tree, byte for byte, including
// Python's repr() of every constant.
//
// The rules are those of Lib/ast.py of the target release: a node is written
// as Class(field=value, ..., lineno=L, col_offset=C, end_lineno=EL,
// end_col_offset=EC) with its fields in _fields order; an optional field
// that is None is left out, and so is an empty list. Releases before 3.13.4
// also leave out a required field that is None, except in Constant and
// MatchSingleton (gh-134718); no tree the parser builds has such a field, so
// the two rules give the same text for every parsed source.
//
// The writer keeps its own stack instead of recursing: the depth of a tree
// (a chain of 100,000 '+' is 100,000 nested BinOps) costs heap, never Go
// stack. CPython's own ast.dump raises RecursionError on such trees.
package astdump

import (
	"fmt"
	"strconv"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/unidata"
)

// Dump returns ast.dump(n, include_attributes=True) as Python rel returns
// it. The error is an *IntTooLongError when the tree holds an int that
// Python's repr() refuses to convert, or says that this build has no
// Unicode tables for rel.
func Dump(n ast.Node, rel release.Release) (string, error) {
	b, err := Append(nil, n, rel)
	return string(b), err
}

// Append appends Dump's text to dst. On error, dst is returned with
// whatever was written before the failure.
func Append(dst []byte, n ast.Node, rel release.Release) ([]byte, error) {
	dst, _, err := AppendDepth(dst, n, rel)
	return dst, err
}

// AppendDepth is Append that also returns the depth of the tree: the
// most nodes on one path from n (depth 1) down to a leaf, every node
// counted (operators and expression contexts are not nodes here, as they
// are not in CPython's ast2obj_* recursion count). The depth covers the
// whole tree even when an error stopped the text.
func AppendDepth(dst []byte, n ast.Node, rel release.Release) ([]byte, int, error) {
	tables := unidata.ForRelease(rel)
	if tables == nil {
		return dst, 0, fmt.Errorf("astdump: no Unicode tables for CPython %s (Unicode %q)", rel, unidata.UnicodeVersion(rel))
	}
	d := dumper{
		buf:          dst,
		noneRequired: rel.AtLeast(release.Release{Major: 3, Minor: 13, Micro: 4}),
	}
	// repr() escapes what str.isprintable() refuses, in the Unicode
	// version of rel (Go's unicode package follows the toolchain's).
	d.repr.printable = tables.IsPrintable
	d.run(n)
	return d.buf, d.maxDepth, d.err
}

// AppendRepr appends Python's repr() of the constant v as release rel
// writes it (str escapes follow rel's Unicode version). The error is an
// *IntTooLongError for an int that repr() refuses to convert, or says that
// this build has no Unicode tables for rel.
func AppendRepr(dst []byte, v ast.Value, rel release.Release) ([]byte, error) {
	tables := unidata.ForRelease(rel)
	if tables == nil {
		return dst, fmt.Errorf("astdump: no Unicode tables for CPython %s (Unicode %q)", rel, unidata.UnicodeVersion(rel))
	}
	r := reprer{printable: tables.IsPrintable}
	return r.appendValue(dst, &v)
}

// An item is one piece of output waiting on the stack.
type item struct {
	op   op
	text string
	node ast.Node
	// depth is the depth of node (opNode), 1 for the root.
	depth int32
}

type op uint8

const (
	opText      op = iota // write text
	opNode                // write node (nil: None)
	opStr                 // write repr(text)
	opLoc                 // write text, then node's four attributes
	opConstant            // write repr of node's (a *ast.Constant) value
	opSingleton           // write repr of node's (a *ast.MatchSingleton) value
)

type dumper struct {
	buf   []byte
	stack []item
	// tmp collects a node's pieces in order before they are pushed in
	// reverse.
	tmp  []item
	repr reprer
	err  error
	// noneRequired: a required field that is None is written (3.13.4+,
	// gh-134718), instead of left out.
	noneRequired bool
	// maxDepth is the deepest node's depth met so far.
	maxDepth int
}

func (d *dumper) run(root ast.Node) {
	d.stack = append(d.stack[:0], item{op: opNode, node: root, depth: 1})
	for len(d.stack) > 0 {
		it := d.stack[len(d.stack)-1]
		d.stack = d.stack[:len(d.stack)-1]
		if d.err != nil && it.op != opNode {
			// After an error only the depth is wanted.
			continue
		}
		switch it.op {
		case opText:
			d.buf = append(d.buf, it.text...)
		case opNode:
			if it.node == nil {
				if d.err == nil {
					d.buf = append(d.buf, "None"...)
				}
				continue
			}
			if int(it.depth) > d.maxDepth {
				d.maxDepth = int(it.depth)
			}
			d.tmp = d.tmp[:0]
			d.expand(it.node)
			for i := len(d.tmp) - 1; i >= 0; i-- {
				x := d.tmp[i]
				if d.err != nil && x.op != opNode {
					continue
				}
				x.depth = it.depth + 1
				d.stack = append(d.stack, x)
			}
		case opStr:
			d.buf = d.repr.appendStr(d.buf, it.text)
		case opLoc:
			d.buf = append(d.buf, it.text...)
			d.appendLoc(it.node.(ast.Located).Location())
		case opConstant:
			d.buf, d.err = d.repr.appendValue(d.buf, &it.node.(*ast.Constant).Value)
		case opSingleton:
			d.buf, d.err = d.repr.appendValue(d.buf, &it.node.(*ast.MatchSingleton).Value)
		}
	}
}

func (d *dumper) appendLoc(l *ast.Loc) {
	d.buf = append(d.buf, "lineno="...)
	d.buf = appendInt(d.buf, l.Lineno)
	d.buf = append(d.buf, ", col_offset="...)
	d.buf = appendInt(d.buf, l.ColOffset)
	d.buf = append(d.buf, ", end_lineno="...)
	d.buf = appendInt(d.buf, l.EndLineno)
	d.buf = append(d.buf, ", end_col_offset="...)
	d.buf = appendInt(d.buf, l.EndColOffset)
}

func appendInt(b []byte, i int) []byte {
	if i >= 0 && i < 10 {
		return append(b, byte('0'+i))
	}
	var tmp [20]byte
	n := len(tmp)
	neg := i < 0
	u := uint64(i)
	if neg {
		u = uint64(-i)
	}
	for u >= 10 {
		n--
		tmp[n] = byte('0' + u%10)
		u /= 10
	}
	n--
	tmp[n] = byte('0' + u)
	if neg {
		b = append(b, '-')
	}
	return append(b, tmp[n:]...)
}

// Helpers for the generated expand: each adds pieces to tmp, in order.

func (d *dumper) text(s string) { d.tmp = append(d.tmp, item{op: opText, text: s}) }

func (d *dumper) node(n ast.Node) { d.tmp = append(d.tmp, item{op: opNode, node: n}) }

// field adds a field's label: a when it is the node's first, else b.
func (d *dumper) field(first *bool, a, b string) {
	if *first {
		*first = false
		d.text(a)
	} else {
		d.text(b)
	}
}

func (d *dumper) str(s string) { d.tmp = append(d.tmp, item{op: opStr, text: s}) }

// loc adds the attributes of n, after sep.
func (d *dumper) loc(sep string, n ast.Located) {
	d.tmp = append(d.tmp, item{op: opLoc, text: sep, node: n})
}

// integer adds an int.
func (d *dumper) integer(i int) {
	if i >= -1 && i < len(smallInts)-1 {
		d.text(smallInts[i+1])
		return
	}
	d.text(strconv.Itoa(i))
}

// smallInts are the decimal texts of -1..127 (FormattedValue.conversion is
// -1 or a character).
var smallInts = func() (s [129]string) {
	for i := range s {
		s[i] = strconv.Itoa(i - 1)
	}
	return s
}()
