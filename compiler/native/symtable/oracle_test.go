package symtable

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/frontend"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/internal/astjson"
)

// oracleExtra runs, for each source, CPython's own symbol table
// (_symtable.symtable: the parser, the future statements and the symbol
// table, without the AST optimizer) and dumps every entry, or the exception
// it raised; and compile() (the whole compiler), whose code objects show
// what the table decided that the symtable module does not expose
// (generator, coroutine, nested, varargs, cells, frees, inlining).
const oracleExtra = `
import _symtable

def _exc(e):
    d = {"type": type(e).__name__}
    if isinstance(e, SyntaxError):
        d["msg"] = e.msg
        for a in ("lineno", "offset", "end_lineno", "end_offset", "text"):
            d[a] = getattr(e, a)
    else:
        d["msg"] = str(e)
    return d

def _table(top):
    root = {}
    stack = [(top, root)]
    while stack:
        t, out = stack.pop()
        out.update(type=t.type, name=t.name, lineno=t.lineno, nested=t.nested,
                   names=list(t.symbols), flags=list(t.symbols.values()),
                   varnames=list(t.varnames))
        kids = out["children"] = []
        for c in t.children:
            d = {}
            kids.append(d)
            stack.append((c, d))
    return root

def _codes(co):
    out = []
    stack = [co]
    while stack:
        c = stack.pop()
        n = c.co_argcount + c.co_kwonlyargcount + bool(c.co_flags & 4) + bool(c.co_flags & 8)
        out.append({"name": c.co_name, "flags": c.co_flags, "cells": sorted(c.co_cellvars),
                    "frees": sorted(c.co_freevars), "params": list(c.co_varnames[:n])})
        stack.extend(k for k in c.co_consts if isinstance(k, type(co)))
    return out

def extra(name, src):
    r = {}
    try:
        r["table"] = _table(_symtable.symtable(src, name, "exec"))
    except Exception as e:
        r["error"] = _exc(e)
    try:
        r["codes"] = _codes(compile(src, name, "exec", dont_inherit=True))
    except Exception as e:
        r["compile_error"] = _exc(e)
    return r
`

// pyTable is a symbol table entry as oracleExtra dumps it.
type pyTable struct {
	Type     int        `json:"type"`
	Name     string     `json:"name"`
	Lineno   int        `json:"lineno"`
	Nested   int        `json:"nested"`
	Names    []string   `json:"names"`
	Flags    []int      `json:"flags"`
	Varnames []string   `json:"varnames"`
	Children []*pyTable `json:"children"`
}

// pyExc is an exception as oracleExtra dumps it.
type pyExc struct {
	Type      string  `json:"type"`
	Msg       string  `json:"msg"`
	Lineno    *int    `json:"lineno"`
	Offset    *int    `json:"offset"`
	EndLineno *int    `json:"end_lineno"`
	EndOffset *int    `json:"end_offset"`
	Text      *string `json:"text"`
}

// pyCode is what oracleExtra reports of a code object.
type pyCode struct {
	Name   string   `json:"name"`
	Flags  int      `json:"flags"`
	Cells  []string `json:"cells"`
	Frees  []string `json:"frees"`
	Params []string `json:"params"`
}

type pyAnswer struct {
	Table        *pyTable  `json:"table"`
	Error        *pyExc    `json:"error"`
	Codes        []*pyCode `json:"codes"`
	CompileError *pyExc    `json:"compile_error"`
}

// outcome is the result of comparing one source.
type outcome int

const (
	agreeTable   outcome = iota // both built the same table
	agreeError                  // both raised the same error
	notParsed                   // CPython's parser rejected the source: not the symbol table's
	differ                      // a difference
	oracleFailed                // no answer to compare with
)

// compareRecord builds the table of a record's tree with the release of in
// and compares it with CPython's. src is the source's bytes (for the
// errors' text), nil when the source is no file.
func compareRecord(rec *astjson.Record, in astjson.Interp, src []byte) (outcome, string) {
	if rec.ReadError != "" {
		return oracleFailed, rec.ReadError
	}
	if rec.ExtraError != "" {
		return oracleFailed, rec.ExtraError
	}
	var ans pyAnswer
	if err := json.Unmarshal(rec.Extra, &ans); err != nil {
		return oracleFailed, fmt.Sprintf("decoding the answer: %v", err)
	}
	if rec.ParseError != "" {
		return notParsed, ""
	}
	tree, err := astjson.Convert(rec.Tree)
	if err != nil {
		return differ, fmt.Sprintf("converting the tree: %v", err)
	}
	var text TextFunc
	if src != nil {
		s, err := source.Decode(src, rec.Name, in.Release)
		if err != nil {
			return differ, fmt.Sprintf("decoding the source: %v", err)
		}
		text = s.ProgramText
	}
	o, msg := compareTree(tree.(ast.ModNode), rec, in, text, &ans)
	if src == nil || (o != agreeTable && o != agreeError) {
		return o, msg
	}
	// The same with this project's own parser's tree.
	mod, serr := frontend.Parse(rec.Name, src, in.Release)
	if serr != nil {
		return differ, fmt.Sprintf("the native parser rejected a source CPython parsed: %v", serr)
	}
	o, msg = compareTree(mod, rec, in, text, &ans)
	if msg != "" {
		msg = "with the native parser's tree: " + msg
	}
	return o, msg
}

// compareTree builds the table of mod and compares it with CPython's
// answer.
func compareTree(mod ast.ModNode, rec *astjson.Record, in astjson.Interp, text TextFunc, ans *pyAnswer) (outcome, string) {
	tbl, err := buildTable(mod, rec.Name, in, text)
	switch {
	case ans.Error != nil && ans.Error.Type == "RecursionError" && err == nil:
		// CPython's limit depends on how deep its C stack already is.
		return oracleFailed, "CPython ran out of recursion depth"
	case ans.Error != nil:
		if err == nil {
			return differ, fmt.Sprintf("CPython raised %s, Build did not", ans.Error)
		}
		if d := compareError(ans.Error, err); d != "" {
			return differ, d
		}
		return agreeError, ""
	case err != nil:
		return differ, fmt.Sprintf("Build failed: %v (%#v); CPython built the table", err, err)
	case ans.Table == nil:
		return oracleFailed, "no table"
	}
	if d := checkOrder(tbl); d != "" {
		return differ, d
	}
	if d := compareBlock(ans.Table, tbl.Top, "top"); d != "" {
		return differ, d
	}
	if ans.CompileError == nil {
		if d := compareCodes(ans.Codes, tbl); d != "" {
			return differ, d
		}
	}
	return agreeTable, ""
}

func buildTable(mod ast.ModNode, filename string, in astjson.Interp, text TextFunc) (*Table, error) {
	fut, err := ParseFuture(mod, filename, in.Release, text)
	if err != nil {
		return nil, err
	}
	return Build(mod, Config{Filename: filename, Release: in.Release, Future: fut, Text: text})
}

func (e *pyExc) String() string {
	num := func(p *int) string {
		if p == nil {
			return "None"
		}
		return fmt.Sprint(*p)
	}
	text := "None"
	if e.Text != nil {
		text = fmt.Sprintf("%q", *e.Text)
	}
	return fmt.Sprintf("%s(%q, lineno=%s, offset=%s, end_lineno=%s, end_offset=%s, text=%s)",
		e.Type, e.Msg, num(e.Lineno), num(e.Offset), num(e.EndLineno), num(e.EndOffset), text)
}

// excOf describes a Go error as pyExc does a Python exception.
func excOf(err error) *pyExc {
	se, ok := err.(*syntaxerr.Error)
	if !ok {
		return &pyExc{Type: "Go error", Msg: err.Error()}
	}
	x := &pyExc{Type: se.Type.String(), Msg: se.Msg}
	if se.NoLocation {
		return x
	}
	p := func(v int) *int { return &v }
	x.Lineno, x.Offset = p(se.Lineno), p(se.Offset)
	if !se.NoEnd {
		x.EndLineno = p(se.EndLineno)
		if !se.NoEndOffset {
			x.EndOffset = p(se.EndOffset)
		}
	}
	if se.HasText {
		x.Text = &se.Text
	}
	return x
}

func compareError(want *pyExc, err error) string {
	got := excOf(err)
	if want.String() != got.String() {
		return fmt.Sprintf("errors differ:\nwant %s\ngot  %s", want, got)
	}
	return ""
}

// compareBlock compares CPython's entry with ours, recursively; it
// returns the first difference, at path.
func compareBlock(want *pyTable, got *Block, path string) string {
	path += fmt.Sprintf(" -> %s(%s, line %d)", want.Name, BlockType(want.Type), want.Lineno)
	switch {
	case want.Name != got.Name:
		return fmt.Sprintf("%s: name %q, got %q", path, want.Name, got.Name)
	case BlockType(want.Type) != got.Type:
		return fmt.Sprintf("%s: type %v, got %v", path, BlockType(want.Type), got.Type)
	case want.Lineno != got.Lineno:
		return fmt.Sprintf("%s: lineno %d, got %d", path, want.Lineno, got.Lineno)
	case (want.Nested != 0) != got.Nested:
		return fmt.Sprintf("%s: nested %d, got %v", path, want.Nested, got.Nested)
	case strings.Join(want.Varnames, ",") != strings.Join(got.Varnames, ","):
		return fmt.Sprintf("%s: varnames %q, got %q", path, want.Varnames, got.Varnames)
	}
	syms := got.Symbols.List()
	for i, name := range want.Names {
		if i >= len(syms) {
			return fmt.Sprintf("%s: symbols: want %d, got %d (missing %q...)", path, len(want.Names), len(syms), name)
		}
		if syms[i].Name != name || int(syms[i].Flags) != want.Flags[i] {
			return fmt.Sprintf("%s: symbol %d: want %q %s, got %q %s\nwant %s\ngot  %s", path, i,
				name, Flags(want.Flags[i]), syms[i].Name, syms[i].Flags, pySymbols(want), goSymbols(got))
		}
	}
	if len(syms) != len(want.Names) {
		return fmt.Sprintf("%s: symbols: want %d, got %d (extra %q)", path, len(want.Names), len(syms), syms[len(want.Names)].Name)
	}
	if !got.CellsOrFrees {
		for _, s := range syms {
			if sc := s.Flags.Scope(); sc == Cell || sc == Free || s.Flags&(DefCompCell|DefFreeClass) != 0 {
				return fmt.Sprintf("%s: symbol %q is %s, but CellsOrFrees is false", path, s.Name, s.Flags)
			}
		}
	}
	if len(want.Children) != len(got.Children) {
		var w, g []string
		for _, c := range want.Children {
			w = append(w, c.Name)
		}
		for _, c := range got.Children {
			g = append(g, c.Name)
		}
		return fmt.Sprintf("%s: children %q, got %q", path, w, g)
	}
	for i := range want.Children {
		if d := compareBlock(want.Children[i], got.Children[i], path); d != "" {
			return d
		}
	}
	return ""
}

func pySymbols(t *pyTable) string {
	var s []string
	for i, n := range t.Names {
		s = append(s, n+"="+Flags(t.Flags[i]).String())
	}
	return strings.Join(s, " ")
}

func goSymbols(b *Block) string {
	var s []string
	for _, sym := range b.Symbols.List() {
		s = append(s, sym.Name+"="+sym.Flags.String())
	}
	return strings.Join(s, " ")
}

// The code object flags the symbol table decides (compute_code_flags).
const (
	coOptimized      = 0x1
	coNewLocals      = 0x2
	coVarargs        = 0x4
	coVarkeywords    = 0x8
	coNested         = 0x10
	coGenerator      = 0x20
	coCoroutine      = 0x80
	coAsyncGenerator = 0x200
)

// predictCode returns what compile() makes of a block's code object: its
// name, flags, cells, frees and parameters.
func predictCode(b *Block, fut FutureFlags) *pyCode {
	c := &pyCode{Name: b.Name, Flags: int(fut), Params: b.Varnames}
	switch {
	case b.Type == ModuleBlock:
		c.Name = "<module>"
	case b.Type == TypeParametersBlock:
		c.Name = "<generic parameters of " + b.Name + ">"
	case b.Comprehension != NoComprehension || b.Name == "lambda":
		c.Name = "<" + b.Name + ">"
	}
	if b.FunctionLike() {
		c.Flags |= coOptimized | coNewLocals
		if b.Nested {
			c.Flags |= coNested
		}
		switch {
		case b.Generator && b.Coroutine:
			c.Flags |= coAsyncGenerator
		case b.Generator:
			c.Flags |= coGenerator
		case b.Coroutine:
			c.Flags |= coCoroutine
		}
		if b.Varargs {
			c.Flags |= coVarargs
		}
		if b.Varkeywords {
			c.Flags |= coVarkeywords
		}
	}
	c.Cells, c.Frees = []string{}, []string{}
	for _, s := range b.Symbols.List() {
		if s.Flags.Scope() == Cell || s.Flags&DefCompCell != 0 {
			c.Cells = append(c.Cells, s.Name)
		}
		if s.Flags.Scope() == Free || s.Flags&DefFreeClass != 0 {
			c.Frees = append(c.Frees, s.Name)
		}
	}
	if b.NeedsClassClosure {
		c.Cells = append(c.Cells, "__class__")
	}
	if b.NeedsClassdict {
		c.Cells = append(c.Cells, "__classdict__")
	}
	sort.Strings(c.Cells)
	sort.Strings(c.Frees)
	if c.Params == nil {
		c.Params = []string{}
	}
	return c
}

func codeKey(c *pyCode) string {
	params := c.Params
	if strings.HasPrefix(c.Name, "<generic parameters of ") {
		// The compiler passes .defaults and .kwdefaults only when there are
		// some; the table has .defaults always.
		params = nil
	}
	return fmt.Sprintf("%s flags=%#x cells=%q frees=%q params=%q", c.Name, c.Flags, c.Cells, c.Frees, params)
}

// compareCodes checks that every code object compile() made is one that a
// block of the table predicts (the compiler drops the code of dead code,
// so some blocks may have none).
func compareCodes(codes []*pyCode, t *Table) string {
	predicted := map[string]int{}
	var walk func(b *Block)
	walk = func(b *Block) {
		predicted[codeKey(predictCode(b, t.Future.Features))]++
		for _, c := range b.Children {
			walk(c)
		}
	}
	walk(t.Top)
	for _, c := range codes {
		if c.Cells == nil {
			c.Cells = []string{}
		}
		if c.Frees == nil {
			c.Frees = []string{}
		}
		if c.Params == nil {
			c.Params = []string{}
		}
		k := codeKey(c)
		if predicted[k] == 0 {
			var near []string
			for p := range predicted {
				if strings.HasPrefix(p, c.Name+" ") {
					near = append(near, p)
				}
			}
			sort.Strings(near)
			return fmt.Sprintf("compile() made a code object no block predicts:\n  %s\nblocks of that name predict:\n  %s", k, strings.Join(near, "\n  "))
		}
		predicted[k]--
	}
	return ""
}

// String writes the flags as CPython's symtable dump does.
func (f Flags) String() string {
	var s []string
	names := []string{"DEF_GLOBAL", "DEF_LOCAL", "DEF_PARAM", "DEF_NONLOCAL", "USE", "DEF_FREE", "DEF_FREE_CLASS",
		"DEF_IMPORT", "DEF_ANNOT", "DEF_COMP_ITER", "DEF_TYPE_PARAM", "DEF_COMP_CELL"}
	for i, n := range names {
		if f&(1<<i) != 0 {
			s = append(s, n)
		}
	}
	if sc := f.Scope(); sc != 0 {
		s = append(s, sc.String())
	}
	return strings.Join(s, "|")
}

// tally counts outcomes and keeps the first differences.
type tally struct {
	n     [5]int
	diffs []string
	fails []string
}

func (t *tally) add(name string, o outcome, msg string) {
	t.n[o]++
	switch o {
	case differ:
		t.diffs = append(t.diffs, name+": "+msg)
	case oracleFailed:
		t.fails = append(t.fails, name+": "+msg)
	}
}

func (t *tally) report(tb testing.TB, what string) {
	tb.Helper()
	tb.Logf("%s: %d sources: %d tables agree, %d errors agree, %d not parsed by CPython, %d differ, %d oracle failed (not compared)",
		what, t.n[0]+t.n[1]+t.n[2]+t.n[3]+t.n[4], t.n[agreeTable], t.n[agreeError], t.n[notParsed], t.n[differ], t.n[oracleFailed])
	for i, f := range t.fails {
		if i == 5 {
			break
		}
		tb.Logf("oracle failed: %s", f)
	}
	for i, d := range t.diffs {
		if i == 10 {
			tb.Errorf("... and %d more differences", len(t.diffs)-10)
			break
		}
		tb.Error(d)
	}
}

// readFile reads a file the oracle also reads.
func readFile(t testing.TB, path string) []byte {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkOrder checks what Table.Block relies on: a node has at most one
// main block, each block knows its position in Table.order, and the
// fallback map finds every block.
func checkOrder(t *Table) string {
	seen := map[*ast.Loc]bool{}
	for i, b := range t.order {
		if seen[b.node] {
			return fmt.Sprintf("block %d (%s) is the second main block of its node", i, b.Name)
		}
		seen[b.node] = true
		if int(b.orderAt) != i {
			return fmt.Sprintf("block %d (%s) says it is at %d", i, b.Name, b.orderAt)
		}
	}
	for i, b := range t.order {
		if got := t.blockAt(b.node); got != b {
			return fmt.Sprintf("the map finds another block for block %d (%s)", i, b.Name)
		}
	}
	t.next = 0
	return ""
}
