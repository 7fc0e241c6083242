// Package codemutate makes mutants of real Python source for the native back
// end's agreement tests: mutants that mostly still parse, so that they reach
// the AST optimizer, the symbol table, code generation and the assembler
// rather than the parser's errors.
//
// A mutant is a run of statements of one body of a corpus file (found with
// the native parser's tree, so that it starts and ends on statement
// boundaries), dedented, sometimes put back inside the function or loop it
// came from, then changed by one to three edits at statement and expression
// granularity: operands swapped, constants replaced (chosen for constant
// folding, interning and marshal), statements duplicated, removed, swapped
// and moved (global, nonlocal, return, yield, await, break and continue
// first), runs of statements nested in a new compound statement, statements
// inserted that reach the symbol table's and the compiler's errors and
// SyntaxWarnings (invalid escape sequences, `is` with a literal, calling or
// subscripting a literal), and expressions wrapped or replaced. Each edit is
// a splice of source text at the spans the parser reports; the text is
// parsed again before the next edit, and editing stops at a text that no
// longer parses (such a mutant is kept: it tests the errors).
//
// A mutant depends only on the corpus, the seed and its index: Mutant(seed,
// i) is the same on every run and machine with the same corpus.
package codemutate

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/parser"
)

// Corpus is the source mutants are cut from.
type Corpus struct {
	names []string
	srcs  []string
	rel   release.Release

	mu     sync.Mutex
	bodies map[int][]body // by file index, filled on first use
}

// NewCorpus returns a corpus of the given files (names[i] holds srcs[i]).
// The order matters: the same files in another order give other mutants.
func NewCorpus(names, srcs []string) (*Corpus, error) {
	if len(names) != len(srcs) {
		return nil, fmt.Errorf("codemutate: %d names for %d sources", len(names), len(srcs))
	}
	if len(srcs) == 0 {
		return nil, fmt.Errorf("codemutate: empty corpus")
	}
	rel, _, err := release.Parse("3.13")
	if err != nil {
		return nil, fmt.Errorf("codemutate: %w", err)
	}
	return &Corpus{names: names, srcs: srcs, rel: rel, bodies: map[int][]body{}}, nil
}

// Mutant is one mutated run of statements.
type Mutant struct {
	Seed  uint64
	Index int
	// Origin names the run: "file.py:12-30" (lines, 1-based, inclusive),
	// and the wrapping it was put back in, if any.
	Origin string
	// Edits describes each edit made, in order.
	Edits []string
	Src   []byte
}

// String names the mutant for a report: seed, index, origin and edits.
func (m Mutant) String() string {
	return fmt.Sprintf("mutant %d/%d of %s (%s)", m.Seed, m.Index, m.Origin, strings.Join(m.Edits, "; "))
}

// rng draws numbers from PCG, whose output is fixed by its definition.
type rng struct{ p *rand.PCG }

func (r *rng) intn(n int) int           { return int((r.p.Uint64() >> 1) % uint64(n)) }
func (r *rng) chance(num, den int) bool { return r.intn(den) < num }
func pick[T any](r *rng, xs []T) T      { return xs[r.intn(len(xs))] }

// Context kinds of a body: what encloses it in its file.
const (
	inModule = iota
	inFunction
	inAsyncFunction
	inClass
)

// body is a statement list of a corpus file, as line ranges.
type body struct {
	stmts []span // each statement's first line (decorators included) and last line
	ctx   int    // the innermost function or class around it
	loop  bool   // inside a loop of that function (break/continue allowed)
}

type span struct{ first, last int }

// fileBodies returns the bodies of file f (nil for a file the mutator
// leaves out: not UTF-8, carriage returns, a parse error).
func (c *Corpus) fileBodies(f int) []body {
	c.mu.Lock()
	defer c.mu.Unlock()
	if b, ok := c.bodies[f]; ok {
		return b
	}
	var out []body
	src := c.srcs[f]
	if utf8.ValidString(src) && !strings.ContainsAny(src, "\r\x00") && !strings.HasPrefix(src, "\ufeff") {
		if mod, serr := parser.ParseFile(c.names[f], []byte(src), c.rel); serr == nil {
			collectBodies(mod.Body, inModule, false, &out)
		}
	}
	c.bodies[f] = out
	return out
}

// collectBodies appends stmts and every body nested in them.
func collectBodies(stmts []ast.Stmt, ctx int, loop bool, out *[]body) {
	if len(stmts) == 0 {
		return
	}
	b := body{ctx: ctx, loop: loop}
	for _, s := range stmts {
		b.stmts = append(b.stmts, span{firstLine(s), s.Location().EndLineno})
	}
	*out = append(*out, b)
	for _, s := range stmts {
		switch n := s.(type) {
		case *ast.FunctionDef:
			collectBodies(n.Body, inFunction, false, out)
		case *ast.AsyncFunctionDef:
			collectBodies(n.Body, inAsyncFunction, false, out)
		case *ast.ClassDef:
			collectBodies(n.Body, inClass, false, out)
		case *ast.For:
			collectBodies(n.Body, ctx, true, out)
			collectBodies(n.Orelse, ctx, loop, out)
		case *ast.AsyncFor:
			collectBodies(n.Body, ctx, true, out)
			collectBodies(n.Orelse, ctx, loop, out)
		case *ast.While:
			collectBodies(n.Body, ctx, true, out)
			collectBodies(n.Orelse, ctx, loop, out)
		case *ast.If:
			collectBodies(n.Body, ctx, loop, out)
			collectBodies(n.Orelse, ctx, loop, out)
		case *ast.With:
			collectBodies(n.Body, ctx, loop, out)
		case *ast.AsyncWith:
			collectBodies(n.Body, ctx, loop, out)
		case *ast.Try:
			collectTry(n.Body, n.Handlers, n.Orelse, n.Finalbody, ctx, loop, out)
		case *ast.TryStar:
			collectTry(n.Body, n.Handlers, n.Orelse, n.Finalbody, ctx, loop, out)
		case *ast.Match:
			for _, mc := range n.Cases {
				collectBodies(mc.Body, ctx, loop, out)
			}
		}
	}
}

func collectTry(b []ast.Stmt, hs []*ast.ExceptHandler, orelse, final []ast.Stmt, ctx int, loop bool, out *[]body) {
	collectBodies(b, ctx, loop, out)
	for _, h := range hs {
		collectBodies(h.Body, ctx, loop, out)
	}
	collectBodies(orelse, ctx, loop, out)
	collectBodies(final, ctx, loop, out)
}

// firstLine is the first line of a statement, its decorators included.
func firstLine(s ast.Stmt) int {
	l := s.Location().Lineno
	var decos []ast.Expr
	switch n := s.(type) {
	case *ast.FunctionDef:
		decos = n.DecoratorList
	case *ast.AsyncFunctionDef:
		decos = n.DecoratorList
	case *ast.ClassDef:
		decos = n.DecoratorList
	}
	for _, d := range decos {
		l = min(l, d.Location().Lineno)
	}
	return l
}

// maxLines bounds a mutant's run of statements, maxModuleLines a whole
// module taken as one.
const (
	maxLines       = 120
	maxModuleLines = 600
)

// Mutant returns mutant index of seed.
func (c *Corpus) Mutant(seed uint64, index int) Mutant {
	r := &rng{rand.NewPCG(seed, uint64(index)^0x9e3779b97f4a7c15)}
	m := Mutant{Seed: seed, Index: index}
	text := c.window(r, &m)
	for n := 1 + r.intn(3); n > 0; n-- {
		t, ok := c.parse(text)
		if !ok {
			break
		}
		text = editOnce(r, t, &m)
	}
	m.Src = []byte(text)
	return m
}

// window cuts a run of statements from a random body of a random file,
// dedented, and sometimes wraps it in the function or loop it came from.
func (c *Corpus) window(r *rng, m *Mutant) string {
	for try := 0; ; try++ {
		f := r.intn(len(c.srcs))
		bodies := c.fileBodies(f)
		if len(bodies) == 0 {
			if try > 200 {
				m.Origin = c.names[f] + ":nothing"
				return "pass\n"
			}
			continue
		}
		b := pick(r, bodies)
		i := r.intn(len(b.stmts))
		j := min(len(b.stmts)-1, i+r.intn(1+r.intn(8)))
		for j > i && b.stmts[j].last-b.stmts[i].first >= maxLines {
			j--
		}
		first, last := b.stmts[i].first, b.stmts[j].last
		// Sometimes a whole module of modest size (bodies[0] is the
		// module's): more code units and constants that meet.
		whole := false
		if mb := bodies[0]; mb.ctx == inModule && r.chance(1, 16) {
			if n := len(mb.stmts); mb.stmts[n-1].last-mb.stmts[0].first < maxModuleLines {
				b, first, last, whole = mb, mb.stmts[0].first, mb.stmts[n-1].last, true
			}
		}
		if last-first >= maxLines && try < 50 && !whole {
			continue
		}
		lines := strings.SplitAfter(c.srcs[f], "\n")
		if last > len(lines) {
			continue
		}
		win := lines[first-1 : last]
		indent := leadingBlanks(win[0])
		var sb strings.Builder
		for _, l := range win {
			sb.WriteString(strings.TrimPrefix(l, indent))
		}
		text := sb.String()
		if !strings.HasSuffix(text, "\n") {
			text += "\n"
		}
		m.Origin = fmt.Sprintf("%s:%d-%d", c.names[f], first, last)
		// Put the run back in a function and a loop like those it came
		// from, most of the time: it then compiles as it did there.
		if b.loop && r.chance(3, 4) {
			text = "for _ in range(3):\n" + indentText(text, "    ")
			m.Origin += " in a loop"
		}
		if b.ctx == inFunction || b.ctx == inAsyncFunction || b.ctx == inClass {
			if r.chance(3, 4) {
				switch b.ctx {
				case inFunction:
					text = "def _f(self, *args, **kwargs):\n" + indentText(text, "    ")
					m.Origin += " in a function"
				case inAsyncFunction:
					text = "async def _f(self, *args, **kwargs):\n" + indentText(text, "    ")
					m.Origin += " in an async function"
				case inClass:
					text = "class _C:\n" + indentText(text, "    ")
					m.Origin += " in a class"
				}
			}
		}
		// Sometimes under postponed annotations: every annotation is then
		// compiled as its text, written back from the tree.
		if r.chance(1, 8) {
			text = "from __future__ import annotations\n" + text
			m.Origin += " under annotations"
		}
		return text
	}
}

func leadingBlanks(s string) string {
	return s[:len(s)-len(strings.TrimLeft(s, " \t\f"))]
}

// indentText prefixes every line of text that is not empty with indent.
func indentText(text, indent string) string {
	lines := strings.SplitAfter(text, "\n")
	var sb strings.Builder
	for _, l := range lines {
		if l != "" && l != "\n" {
			sb.WriteString(indent)
		}
		sb.WriteString(l)
	}
	return sb.String()
}

// tree is a parsed text with what the edits need of it.
type tree struct {
	text  string
	lines []int // offset of each line's start (lines[0]: line 1)

	bodies []tbody    // statement lists
	exprs  []ast.Expr // expressions an edit may wrap or replace
	consts []ast.Expr // constants an edit may replace
	binops []binop    // operand pairs
	names  []string   // names used, for inserted statements
	moving []stmtAt   // statements that moving matters most for
	all    []stmtAt   // every statement that starts its line
}

type tbody struct {
	stmts []ast.Stmt
}

type stmtAt struct {
	b, i int // body and index in it
}

type binop struct{ a, b ast.Expr }

// parse parses text and indexes it; false when it does not parse.
func (c *Corpus) parse(text string) (*tree, bool) {
	mod, serr := parser.ParseFile("<mutant>", []byte(text), c.rel)
	if serr != nil || mod == nil {
		return nil, false
	}
	t := &tree{text: text, lines: []int{0}}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			t.lines = append(t.lines, i+1)
		}
	}
	seen := map[string]bool{}
	var walkStmts func(stmts []ast.Stmt)
	var walk func(v reflect.Value, under string)
	walkStmts = func(stmts []ast.Stmt) {
		if len(stmts) == 0 {
			return
		}
		bi := len(t.bodies)
		t.bodies = append(t.bodies, tbody{stmts: stmts})
		for i, s := range stmts {
			if t.startsLine(s) {
				at := stmtAt{bi, i}
				t.all = append(t.all, at)
				if movable(s) {
					t.moving = append(t.moving, at)
				}
			}
			walk(reflect.ValueOf(s), "")
		}
	}
	stmtsType := reflect.TypeOf([]ast.Stmt(nil))
	walk = func(v reflect.Value, under string) {
		if !v.IsValid() {
			return
		}
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer:
			if v.IsNil() {
				return
			}
			if v.Kind() == reflect.Interface {
				walk(v.Elem(), under)
				return
			}
			n := v.Interface()
			switch e := n.(type) {
			case *ast.JoinedStr:
				// Parts of an f-string are left alone (the text of a
				// literal part is not the constant's repr).
				if under == "" {
					t.exprs = append(t.exprs, e)
				}
				return
			case *ast.Name:
				if !seen[e.ID] && !strings.HasPrefix(e.ID, "__") {
					seen[e.ID] = true
					t.names = append(t.names, e.ID)
				}
			case *ast.Constant:
				if under == "" {
					t.consts = append(t.consts, e)
				}
			case *ast.BinOp:
				if under == "" {
					t.binops = append(t.binops, binop{e.Left, e.Right})
				}
			case *ast.Compare:
				if under == "" && len(e.Comparators) == 1 {
					t.binops = append(t.binops, binop{e.Left, e.Comparators[0]})
				}
			case *ast.BoolOp:
				if under == "" && len(e.Values) >= 2 {
					k := len(e.Values)
					t.binops = append(t.binops, binop{e.Values[k-2], e.Values[k-1]})
				}
			}
			if ex, ok := n.(ast.Expr); ok && under == "" && loadExpr(ex) {
				t.exprs = append(t.exprs, ex)
			}
			if _, ok := n.(ast.Pattern); ok {
				under = "pattern"
			}
			walk(v.Elem(), under)
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				if !v.Type().Field(i).IsExported() {
					continue
				}
				f := v.Field(i)
				if f.Type() == stmtsType {
					walkStmts(f.Interface().([]ast.Stmt))
					continue
				}
				walk(f, under)
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i), under)
			}
		}
	}
	walkStmts(mod.Body)
	return t, true
}

// movable: the statements whose place the symbol table and the compiler
// judge (global, nonlocal, return, yield, await, break, continue).
func movable(s ast.Stmt) bool {
	switch n := s.(type) {
	case *ast.Global, *ast.Nonlocal, *ast.Return, *ast.Break, *ast.Continue:
		return true
	case *ast.ExprStmt:
		switch n.Value.(type) {
		case *ast.Yield, *ast.YieldFrom, *ast.Await:
			return true
		}
	case *ast.Assign:
		switch n.Value.(type) {
		case *ast.Yield, *ast.YieldFrom, *ast.Await:
			return true
		}
	}
	return false
}

// loadExpr reports whether e may be wrapped or replaced by another
// expression: a loaded value, not a starred item or a slice.
func loadExpr(e ast.Expr) bool {
	switch n := e.(type) {
	case *ast.Starred, *ast.Slice:
		return false
	case *ast.Name:
		return n.Ctx == ast.Load
	case *ast.Attribute:
		return n.Ctx == ast.Load
	case *ast.Subscript:
		return n.Ctx == ast.Load
	case *ast.List:
		return n.Ctx == ast.Load
	case *ast.Tuple:
		return n.Ctx == ast.Load
	}
	return true
}

// offset is the byte offset of a (line, column) position.
func (t *tree) offset(line, col int) int {
	if line < 1 {
		return 0
	}
	if line > len(t.lines) {
		return len(t.text)
	}
	return min(t.lines[line-1]+col, len(t.text))
}

func (t *tree) start(n ast.Located) int { l := n.Location(); return t.offset(l.Lineno, l.ColOffset) }
func (t *tree) end(n ast.Located) int {
	l := n.Location()
	return t.offset(l.EndLineno, l.EndColOffset)
}

// startsLine reports whether only blanks precede s (and its decorators) on
// its line.
func (t *tree) startsLine(s ast.Stmt) bool {
	l := firstLine(s)
	if l > len(t.lines) {
		return false
	}
	ls := t.lines[l-1]
	rest := t.text[ls:]
	trimmed := strings.TrimLeft(rest, " \t\f")
	return strings.HasPrefix(trimmed, "@") || len(rest)-len(trimmed) == s.Location().ColOffset
}

// stmtLines returns the byte range of the whole lines s covers, and its
// indentation.
func (t *tree) stmtLines(s ast.Stmt) (from, to int, indent string) {
	first, last := firstLine(s), s.Location().EndLineno
	from = t.lines[first-1]
	if last < len(t.lines) {
		to = t.lines[last]
	} else {
		to = len(t.text)
	}
	return from, to, leadingBlanks(t.text[from:])
}

// reindent moves lines (each starting with indent old) to indentation new.
func reindent(lines, old, new string) string {
	parts := strings.SplitAfter(lines, "\n")
	var sb strings.Builder
	for _, l := range parts {
		if l == "" {
			continue
		}
		if strings.HasPrefix(l, old) {
			sb.WriteString(new)
			sb.WriteString(l[len(old):])
		} else {
			sb.WriteString(l)
		}
	}
	s := sb.String()
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}
