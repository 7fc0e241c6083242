package gensrc

import (
	"strconv"
	"strings"
)

// genFlow makes a program that CPython 3.13 compiles: where genGrammar
// aims at the parser and most of its programs are rejected, these aim at
// the back end. They nest every compound statement in every other (loops
// with break and continue inside try, finally and with; returns out of
// finally; except*; match with every kind of pattern; async functions and
// generators; closures, nonlocal and global; classes with super() and
// comprehensions; generics and type aliases), fold constants, test
// __debug__ and assert under -O, and spread expressions over lines, so
// that the exception table, the line table, the stack depth, the cell and
// free variables and the optimizer's passes all meet code no library has.
//
// The generator keeps the rules the symbol table and the compiler check
// (what may appear where, which names may be declared how), so nearly
// every program compiles; the few that do not are compared by their
// message, as every input is.
func genFlow(r *rng) (string, []byte) {
	g := &fgen{r: r, budget: r.between(15, 90)}
	if r.chance(1, 10) {
		// Long enough for jumps and indices past one byte.
		g.budget = r.between(200, 500)
	}
	return "flow", []byte(g.module())
}

// fscope is a function being written.
type fscope struct {
	parent *fscope
	depth  int
	async  bool
	// gen: the function yields (an async one then returns no value).
	gen    bool
	params []string
	// self is the first parameter of a method ("" elsewhere): stores to
	// its attributes make the class's __static_attributes__.
	self string
}

type fgen struct {
	r      *rng
	budget int
	indent string
	blocks int // statically nested blocks in the current code object
	levels int // indentation levels (the tokenizer allows 100)

	fn      *fscope // nil at module level and directly in a class body
	inClass bool    // directly in a class body
	loops   int     // loops around the statement, inside the current code object
	inStar  bool    // inside an except* handler of the current code object

	// Expression context.
	edepth   int
	brackets int  // open brackets: a line may break here
	noYield  bool // in a comprehension, a lambda or an annotation scope
	noWalrus bool // in a comprehension iterable, a class body's comprehension, an annotation scope
	noAwait  bool // in a lambda or an annotation scope
	fresh    int  // counter for names that must not repeat
}

// outerParams are the parameters of f and of the functions around it
// (parameter names differ by depth, so none shadows another); nil for no
// function.
func (f *fscope) outerParams() []string {
	var ps []string
	for ; f != nil; f = f.parent {
		ps = append(ps, f.params...)
	}
	return ps
}

func (g *fgen) spend() bool {
	g.budget--
	return g.budget > 0
}

func (g *fgen) newName(prefix string) string {
	g.fresh++
	return prefix + strconv.Itoa(g.fresh)
}

var (
	flowLocals   = []string{"x", "y", "z", "n", "acc", "item", "val", "res", "tmp", "data", "__priv"}
	flowGlobals  = []string{"G0", "G1", "G2"}
	flowBuiltins = []string{"len", "print", "range", "isinstance", "sorted", "min", "max", "list", "dict", "str", "int", "object", "ValueError", "KeyError", "Exception", "TypeError", "StopIteration"}
	flowAttrs    = []string{"a", "b", "items", "append", "value", "next", "close", "__name__", "real", "attr"}
)

func (g *fgen) module() string {
	var b strings.Builder
	doc := g.r.intn(6)
	switch doc {
	case 0:
		b.WriteString("'''Module docstring.'''\n")
	case 1:
		b.WriteString("f'not a docstring'\n")
	}
	if doc != 1 && g.r.chance(1, 6) {
		b.WriteString("from __future__ import annotations\n")
	}
	for g.budget > 0 {
		b.WriteString(g.stmt())
	}
	return b.String()
}

// block writes a compound statement's body after its ':'.
func (g *fgen) block() string {
	if g.r.chance(1, 10) {
		return " " + g.simple() + "\n"
	}
	old := g.indent
	g.indent += pick(g.r, []string{"    ", "    ", "  ", "\t"})
	g.levels++
	defer func() { g.levels-- }()
	g.blocks++
	var b strings.Builder
	b.WriteString("\n")
	if g.r.chance(1, 12) {
		b.WriteString(g.indent + "# a comment\n\n")
	}
	n := g.r.between(1, 3)
	for i := 0; i < n; i++ {
		b.WriteString(g.stmt())
	}
	g.blocks--
	g.indent = old
	return b.String()
}

// inLoop writes a loop body: break and continue may appear in it.
func (g *fgen) inLoop() string {
	g.loops++
	s := g.block()
	g.loops--
	return s
}

func (g *fgen) stmt() string {
	ind := g.indent
	if !g.spend() || g.blocks >= 8 || g.levels >= 40 || g.r.chance(2, 5) {
		return ind + g.simpleLine()
	}
	switch g.r.intn(17) {
	case 0, 1:
		s := ind + "if " + g.cond() + ":" + g.block()
		for g.r.chance(1, 3) {
			s += ind + "elif " + g.cond() + ":" + g.block()
		}
		if g.r.chance(1, 2) {
			s += ind + "else:" + g.block()
		}
		return s
	case 2:
		s := ind + "while " + g.cond() + ":" + g.inLoop()
		if g.r.chance(1, 4) {
			s += ind + "else:" + g.block()
		}
		return s
	case 3, 4:
		kw := "for "
		if g.async() && g.r.chance(1, 3) {
			kw = "async for "
		}
		s := ind + kw + g.target(true) + " in " + g.iterable() + ":" + g.inLoop()
		if g.r.chance(1, 4) {
			s += ind + "else:" + g.block()
		}
		return s
	case 5, 6:
		return g.tryStmt()
	case 7:
		return g.withStmt()
	case 8:
		return g.matchStmt()
	case 9, 10:
		return g.funcDef()
	case 11:
		return g.classDef()
	case 12:
		return ind + "if __debug__:" + g.block()
	case 13:
		// Constant conditions: the optimizer removes or keeps these.
		return ind + pick(g.r, []string{"if 0:", "if 1:", "if not __debug__:", "while 0:", "if None:", "if 'x':", "if ():"}) + g.block()
	case 14:
		return ind + "while True:" + g.inLoop()
	default:
		return ind + g.simpleLine()
	}
}

func (g *fgen) async() bool { return g.fn != nil && g.fn.async }

func (g *fgen) tryStmt() string {
	ind := g.indent
	s := ind + "try:" + g.block()
	if g.r.chance(1, 4) {
		// except*: no break, continue or return inside its handlers.
		for n := g.r.between(1, 2); n > 0; n-- {
			oldLoops, oldStar := g.loops, g.inStar
			g.loops, g.inStar = 0, true
			head := ind + "except* " + g.excType()
			if g.r.chance(1, 2) {
				head += " as " + pick(g.r, flowLocals)
			}
			s += head + ":" + g.block()
			g.loops, g.inStar = oldLoops, oldStar
		}
		if g.r.chance(1, 3) {
			s += ind + "else:" + g.block()
		}
		if g.r.chance(1, 3) {
			s += ind + "finally:" + g.block()
		}
		return s
	}
	n := g.r.between(0, 3)
	for i := 0; i < n; i++ {
		if i == n-1 && g.r.chance(1, 4) {
			s += ind + "except:" + g.block()
			continue
		}
		head := ind + "except " + g.excType()
		if g.r.chance(1, 2) {
			head += " as " + pick(g.r, flowLocals)
		}
		s += head + ":" + g.block()
	}
	if n > 0 && g.r.chance(1, 3) {
		s += ind + "else:" + g.block()
	}
	if n == 0 || g.r.chance(1, 3) {
		s += ind + "finally:" + g.block()
	}
	return s
}

func (g *fgen) excType() string {
	switch g.r.intn(4) {
	case 0:
		return "(ValueError, KeyError)"
	case 1:
		return g.expr()
	default:
		return pick(g.r, []string{"ValueError", "Exception", "TypeError", "KeyError", "StopIteration"})
	}
}

func (g *fgen) withStmt() string {
	kw := "with "
	if g.async() && g.r.chance(1, 2) {
		kw = "async with "
	}
	var items []string
	for i := g.r.between(1, 3); i > 0; i-- {
		it := g.expr()
		if g.r.chance(1, 2) {
			it += " as " + g.target(false)
		}
		items = append(items, it)
	}
	head := strings.Join(items, ", ")
	if g.r.chance(1, 4) {
		head = "(\n" + g.indent + "    " + strings.Join(items, ",\n"+g.indent+"    ") + ",\n" + g.indent + ")"
	}
	return g.indent + kw + head + ":" + g.block()
}

// funcDef writes a function (sometimes async, a generator, generic,
// decorated), whose body may declare globals and its parent's names
// nonlocal.
func (g *fgen) funcDef() string {
	ind := g.indent
	s := g.decorators()
	f := &fscope{parent: g.fn, depth: 1, async: g.r.chance(1, 4)}
	if g.fn != nil {
		f.depth = g.fn.depth + 1
	}
	f.gen = g.r.chance(1, 3)
	if g.inClass && g.r.chance(3, 4) {
		f.self = pick(g.r, []string{"self", "self", "cls"})
	}
	name := pick(g.r, []string{"f", "g", "helper", "run", "__init__", "method", "_private", "__mangled"})
	kw := "def "
	if f.async {
		kw = "async def "
	}
	s += ind + kw + name + g.typeParams() + "(" + g.params(f) + ")"
	if g.r.chance(1, 4) {
		s += " -> " + g.annotation()
	}
	s += ":"
	s += g.body(f, func() string {
		var pre string
		if g.r.chance(1, 5) {
			pre += g.indent + pick(g.r, []string{"'''Docstring.'''", "\"doc\"", "'x' 'y'"}) + "\n"
		}
		if g.r.chance(1, 4) {
			pre += g.indent + "global " + pick(g.r, flowGlobals) + "\n"
		}
		// Any enclosing function's parameter: each function between
		// passes the cell on as a free variable.
		if outer := f.parent.outerParams(); len(outer) > 0 && g.r.chance(1, 2) {
			pre += g.indent + "nonlocal " + pick(g.r, outer) + "\n"
		}
		return pre
	})
	return s
}

// enter starts the body of a new code object, one level deeper: f's, or
// a class body's for nil. The function it returns restores the state
// around the body.
func (g *fgen) enter(f *fscope) (leave func()) {
	saved := *g
	g.fn, g.inClass, g.loops, g.inStar, g.blocks = f, f == nil, 0, false, 0
	g.indent += "    "
	g.levels++
	return func() {
		g.fn, g.inClass, g.loops, g.inStar, g.blocks = saved.fn, saved.inClass, saved.loops, saved.inStar, saved.blocks
		g.indent, g.levels = saved.indent, saved.levels
	}
}

// body writes the body of the function f.
func (g *fgen) body(f *fscope, prelude func() string) string {
	defer g.enter(f)()
	s := "\n" + prelude()
	n := g.r.between(1, 4)
	for i := 0; i < n; i++ {
		s += g.stmt()
	}
	if f.gen && !strings.Contains(s, "yield") {
		s += g.indent + g.yieldExpr() + "\n"
	}
	return s
}

func (g *fgen) params(f *fscope) string {
	var ps []string
	if f.self != "" {
		ps = append(ps, f.self)
	}
	p := func() string {
		n := "p" + strconv.Itoa(f.depth) + "_" + strconv.Itoa(len(f.params))
		f.params = append(f.params, n)
		if g.r.chance(1, 5) {
			n += ": " + g.annotation()
		}
		return n
	}
	defaults := false
	param := func() string {
		s := p()
		if defaults || g.r.chance(1, 4) {
			defaults = true
			s += "=" + g.simpleExpr()
		}
		return s
	}
	for i := g.r.intn(3); i > 0; i-- {
		ps = append(ps, param())
	}
	if len(ps) > 0 && g.r.chance(1, 5) {
		ps = append(ps, "/")
	}
	for i := g.r.intn(3); i > 0; i-- {
		ps = append(ps, param())
	}
	star := false
	if g.r.chance(1, 3) {
		ps = append(ps, "*"+p())
		star = true
	} else if g.r.chance(1, 4) {
		ps = append(ps, "*")
		ps = append(ps, p())
		star = true
	}
	if star {
		for i := g.r.intn(2); i > 0; i-- {
			s := p()
			if g.r.chance(1, 2) {
				s += "=" + g.simpleExpr()
			}
			ps = append(ps, s)
		}
	}
	if g.r.chance(1, 4) {
		ps = append(ps, "**"+p())
	}
	return strings.Join(ps, ", ")
}

func (g *fgen) typeParams() string {
	if !g.r.chance(1, 6) {
		return ""
	}
	var ps []string
	defaults := false
	for i := g.r.between(1, 3); i > 0; i-- {
		n := g.newName("T")
		switch g.r.intn(4) {
		case 0:
			// A TypeVarTuple's default is a starred expression; it gets
			// none here, so a default may not come before it.
			if defaults {
				continue
			}
			ps = append(ps, "*"+n)
			continue
		case 1:
			n = "**" + n
		case 2:
			n += ": " + g.annotation()
		}
		if defaults || g.r.chance(1, 5) {
			defaults = true
			n += " = " + g.annotation()
		}
		ps = append(ps, n)
	}
	return "[" + strings.Join(ps, ", ") + "]"
}

// annotation is an expression that may stand in an annotation scope: a
// common one, or any expression without yield, await and walrus (which
// "from __future__ import annotations" writes back as text).
func (g *fgen) annotation() string {
	if g.r.chance(2, 3) {
		return pick(g.r, []string{"int", "str", "'Forward'", "list[int]", "dict[str, int]", "int | None", "tuple[int, ...]", "x.y", "None"})
	}
	oldY, oldA, oldW := g.noYield, g.noAwait, g.noWalrus
	g.noYield, g.noAwait, g.noWalrus = true, true, true
	s := g.expr()
	g.noYield, g.noAwait, g.noWalrus = oldY, oldA, oldW
	return s
}

func (g *fgen) decorators() string {
	var s string
	for g.r.chance(1, 4) {
		s += g.indent + "@" + pick(g.r, []string{"staticmethod", "classmethod", "property", "deco", "deco(1, k=2)", "mod.attr", "(lambda f: f)"}) + "\n"
	}
	return s
}

func (g *fgen) classDef() string {
	ind := g.indent
	s := g.decorators() + ind + "class " + pick(g.r, []string{"C", "Base", "Point", "_Hidden"}) + g.typeParams()
	var args []string
	for i := g.r.intn(3); i > 0; i-- {
		args = append(args, pick(g.r, []string{"object", "Base", "mod.Mixin", "dict", "Exception"}))
	}
	if g.r.chance(1, 5) {
		args = append(args, "metaclass="+pick(g.r, []string{"type", "Meta"}))
	}
	if len(args) > 0 || g.r.chance(1, 4) {
		s += "(" + strings.Join(args, ", ") + ")"
	}
	s += ":"
	defer g.enter(nil)()
	s += "\n"
	if g.r.chance(1, 3) {
		s += g.indent + "'''Class docstring.'''\n"
	}
	for i := g.r.between(1, 4); i > 0; i-- {
		switch g.r.intn(5) {
		case 0:
			s += g.indent + pick(g.r, flowLocals) + ": " + g.annotation()
			if g.r.chance(1, 2) {
				s += " = " + g.simpleExpr()
			}
			s += "\n"
		case 1:
			s += g.indent + pick(g.r, []string{
				"def method(self):\n" + g.indent + "    return super()." + pick(g.r, flowAttrs),
				"def __init__(self, a, *args):\n" + g.indent + "    super().__init__(*args)\n" + g.indent + "    self.a = self.__b = a\n" + g.indent + "    self.c: int = 0",
				"__slots__ = ('a', '__b')",
				"__priv = lambda self: self.__priv",
				"def inner(self):\n" + g.indent + "    def f():\n" + g.indent + "        return __class__, self.__x\n" + g.indent + "    return f",
				"import __future_thing, os.path as __p",
				"x = [__priv for __priv in range(3)]",
			}) + "\n"
		default:
			s += g.stmt()
		}
	}
	return s
}

// matchStmt writes a match whose cases use every kind of pattern; an
// irrefutable case comes only last.
func (g *fgen) matchStmt() string {
	ind := g.indent
	s := ind + "match " + pick(g.r, []string{g.expr(), g.expr() + ", " + g.expr(), "x"}) + ":\n"
	old := g.indent
	g.indent += "    "
	g.levels++
	defer func() { g.levels-- }()
	g.blocks++
	n := g.r.between(1, 4)
	for i := 0; i < n; i++ {
		var pat string
		if i == n-1 && g.r.chance(1, 3) {
			pat = pick(g.r, []string{"_", "other", "(whole)"})
		} else {
			pat = g.pattern(0)
		}
		if g.r.chance(1, 4) {
			pat += " if " + g.cond()
		}
		s += g.indent + "case " + pat + ":" + g.block()
	}
	g.blocks--
	g.indent = old
	return s
}

// pattern writes a refutable pattern. The names it binds may not repeat,
// so each capture is a fresh name.
func (g *fgen) pattern(depth int) string {
	capture := func() string { return g.newName("m") }
	leaf := func() string {
		return pick(g.r, []string{"0", "-1", "1.5", "-2j", "1 + 2j", "'s'", "b'b'", "None", "True", "False", "mod.CONST", "Color.RED", "'a' 'b'"})
	}
	if depth > 2 {
		return leaf()
	}
	switch g.r.intn(9) {
	case 0, 1:
		return leaf()
	case 2:
		// An or-pattern of literals binds nothing.
		var alts []string
		for i := g.r.between(2, 3); i > 0; i-- {
			alts = append(alts, leaf())
		}
		return strings.Join(alts, " | ")
	case 3:
		var items []string
		star := false
		for i := g.r.between(0, 3); i > 0; i-- {
			if !star && g.r.chance(1, 4) {
				star = true
				items = append(items, "*"+pick(g.r, []string{"_", capture()}))
				continue
			}
			if g.r.chance(1, 3) {
				items = append(items, capture())
			} else {
				items = append(items, g.pattern(depth+1))
			}
		}
		if len(items) == 1 && g.r.chance(1, 2) {
			return "(" + items[0] + ",)"
		}
		if len(items) == 0 {
			return pick(g.r, []string{"[]", "()"})
		}
		if g.r.chance(1, 2) {
			return "(" + strings.Join(items, ", ") + ",)"
		}
		return "[" + strings.Join(items, ", ") + "]"
	case 4:
		var items []string
		keys := map[string]bool{}
		for i := g.r.between(0, 3); i > 0; i-- {
			k := pick(g.r, []string{"'k'", "'v'", "1", "None", "mod.KEY", "b'x'"})
			if keys[k] {
				continue
			}
			keys[k] = true
			items = append(items, k+": "+g.pattern(depth+1))
		}
		if g.r.chance(1, 3) {
			items = append(items, "**"+capture())
		}
		return "{" + strings.Join(items, ", ") + "}"
	case 5:
		var args []string
		for i := g.r.intn(3); i > 0; i-- {
			args = append(args, g.pattern(depth+1))
		}
		used := map[string]bool{}
		for i := g.r.intn(3); i > 0; i-- {
			k := pick(g.r, []string{"x", "y", "name", "real"})
			if used[k] {
				continue
			}
			used[k] = true
			args = append(args, k+"="+g.pattern(depth+1))
		}
		return pick(g.r, []string{"Point", "int", "str", "mod.Cls", "dict"}) + "(" + strings.Join(args, ", ") + ")"
	case 6:
		p := g.pattern(depth + 1)
		if strings.Contains(p, " as ") || strings.Contains(p, " | ") {
			p = "(" + p + ")"
		}
		return p + " as " + capture()
	case 7:
		return "(" + g.pattern(depth+1) + ")"
	default:
		return "[" + capture() + ", *_]"
	}
}

func (g *fgen) simpleLine() string {
	s := g.simple()
	for g.r.chance(1, 8) {
		s += "; " + g.simple()
	}
	if g.r.chance(1, 10) {
		s += "  # trailing"
	}
	return s + "\n"
}

// simple writes a simple statement allowed where the generator stands.
func (g *fgen) simple() string {
	for {
		switch g.r.intn(20) {
		case 0, 1, 2:
			return g.target(true) + " = " + g.exprList()
		case 3:
			return pick(g.r, flowLocals) + " = " + pick(g.r, flowLocals) + " = " + g.expr()
		case 4:
			return g.target(false) + " " + pick(g.r, []string{"+=", "-=", "*=", "|=", "//=", "**=", "<<=", "@="}) + " " + g.expr()
		case 5:
			s := pick(g.r, []string{"ann", "x.attr", "x[0]", "(paren)"}) + ": " + g.annotation()
			if g.r.chance(1, 2) {
				s += " = " + g.expr()
			}
			return s
		case 6, 7:
			return g.expr()
		case 8:
			if g.fn == nil || g.inStar {
				continue
			}
			if g.r.chance(1, 3) || (g.fn.async && g.fn.gen) {
				return "return"
			}
			return "return " + g.exprList()
		case 9:
			if g.loops == 0 {
				continue
			}
			return pick(g.r, []string{"break", "continue"})
		case 10:
			return pick(g.r, []string{"raise", "raise " + g.excType(), "raise ValueError('bad') from " + g.expr(), "raise " + g.expr() + " from None"})
		case 11:
			s := "assert " + g.cond()
			if g.r.chance(1, 2) {
				s += ", " + g.expr()
			}
			return s
		case 12:
			return "pass"
		case 13:
			return "del " + pick(g.r, []string{g.target(false), "x, y", "x.attr", "data[0]", "data[1:2]", "(a, [b])"})
		case 14:
			if g.inClass || g.fn == nil || !g.fn.gen {
				continue
			}
			return g.yieldExpr()
		case 15:
			if g.fn == nil && !g.inClass && g.r.chance(1, 4) {
				return "from os.path import *"
			}
			return pick(g.r, []string{"import os", "import os.path as osp", "from . import sibling", "from ..pkg import (a, b as c)", "import a.b.c", "from mod import name as alias"})
		case 16:
			return "type " + g.newName("Alias") + g.typeParams() + " = " + g.annotation()
		case 17:
			return g.target(false) + " = " + g.constExpr()
		default:
			return g.call()
		}
	}
}

func (g *fgen) yieldExpr() string {
	if g.fn.async {
		return pick(g.r, []string{"yield", "yield " + g.expr(), "x = yield " + g.expr()})
	}
	return pick(g.r, []string{"yield", "yield " + g.exprList(), "x = yield", "yield from " + g.expr(), "res = yield from " + g.expr()})
}

// target writes an assignment target; unpack allows tuples with a star.
func (g *fgen) target(unpack bool) string {
	if unpack && g.r.chance(1, 4) {
		var ts []string
		star := false
		for i := g.r.between(2, 3); i > 0; i-- {
			if !star && g.r.chance(1, 4) {
				star = true
				ts = append(ts, "*"+pick(g.r, flowLocals))
				continue
			}
			ts = append(ts, g.target(false))
		}
		switch g.r.intn(3) {
		case 0:
			return "[" + strings.Join(ts, ", ") + "]"
		case 1:
			return "(" + strings.Join(ts, ", ") + ")"
		}
		return strings.Join(ts, ", ")
	}
	if g.fn != nil && g.fn.self != "" && g.r.chance(1, 3) {
		return g.fn.self + "." + pick(g.r, []string{"a", "b", "__private", "value", "items"})
	}
	switch g.r.intn(6) {
	case 0:
		return g.name() + "." + pick(g.r, flowAttrs)
	case 1:
		return g.name() + "[" + g.simpleExpr() + "]"
	case 2:
		return g.name() + "[" + g.simpleExpr() + ":" + g.simpleExpr() + "]"
	default:
		return pick(g.r, flowLocals)
	}
}

// name is a name to read.
func (g *fgen) name() string {
	switch g.r.intn(6) {
	case 0:
		return pick(g.r, flowGlobals)
	case 1:
		return pick(g.r, flowBuiltins)
	case 2:
		if ps := g.fn.outerParams(); len(ps) > 0 {
			return pick(g.r, ps)
		}
	}
	return pick(g.r, flowLocals)
}

func (g *fgen) exprList() string {
	if g.r.chance(1, 5) {
		return g.expr() + ", " + g.expr()
	}
	if g.r.chance(1, 10) {
		return "*" + g.name() + ", " + g.expr()
	}
	return g.expr()
}

// cond is a condition: comparisons and boolean operators, whose jumps the
// optimizer threads.
func (g *fgen) cond() string {
	switch g.r.intn(6) {
	case 0:
		return g.simpleExpr() + " and " + g.simpleExpr()
	case 1:
		return "not " + g.simpleExpr() + " or " + g.simpleExpr() + " and " + g.simpleExpr()
	case 2:
		return g.simpleExpr() + " " + g.cmpOp() + " " + g.simpleExpr() + " " + g.cmpOp() + " " + g.simpleExpr()
	case 3:
		return "(" + pick(g.r, []string{"w", "found"}) + " := " + g.simpleExpr() + ")"
	case 4:
		return g.simpleExpr() + pick(g.r, []string{" in ", " not in "}) + pick(g.r, []string{"[1, 2, 3]", "{1, 2}", "(x, y)", "['a', x]", "{'a', 'b'}"})
	default:
		return g.expr()
	}
}

// longDisplay is a display or call past the sizes where CPython builds it
// in pieces.
func (g *fgen) longDisplay() string {
	n := g.r.between(15, 40)
	items := make([]string, n)
	for i := range items {
		if g.r.chance(1, 5) {
			items[i] = g.name()
		} else {
			items[i] = strconv.Itoa(i)
		}
	}
	switch g.r.intn(4) {
	case 0:
		for i := range items {
			items[i] = "'k" + strconv.Itoa(i) + "': " + items[i]
		}
		return "{" + strings.Join(items, ", ") + "}"
	case 1:
		return "f(" + strings.Join(items, ", ") + ")"
	case 2:
		return "{" + strings.Join(items, ", ") + "}"
	}
	return "[" + strings.Join(items, ", ") + "]"
}

func (g *fgen) cmpOp() string {
	return pick(g.r, []string{"<", "<=", "==", "!=", ">", ">=", "in", "not in", "is", "is not"})
}

// iterable is what a for loop or a comprehension runs over.
func (g *fgen) iterable() string {
	return pick(g.r, []string{"range(10)", "data", "items", "x.items()", "zip(x, y)", "(1, 2, 3)", "[1, 2]", "{1, 2, 3}", "'abc'", "[x, y]", "[*x, 1]", g.simpleExpr(), g.longDisplay()})
}

// constExpr is an expression the AST optimizer folds, or stops folding at
// its limits.
func (g *fgen) constExpr() string {
	return pick(g.r, []string{
		"1 + 2 * 3", "(1, 2) + (3,)", "'ab' * 3", "2 ** 10", "-(-5)", "~7", "not 0", "1 < 2",
		"(1, (2, 3), frozenset())", "'x' 'y' f'z'", "b'a' * 2", "10 // 3 % 2", "1.5 * 2", "(1, 2)[0]",
		"'abc'[1]", "'abc'[::-1]", "2 ** 100", "3 ** -1", "1 / 0", "'%s' % 'x'", "'%d-%s' % (1, 'a')",
		"(-1) ** 0.5", "1 << 70", "(1, 2) * 3", "'x' * 5000", "()", "(None,) * 2", "1j * 1j", "0 or 'x'",
		"__debug__", "not __debug__", "-0.0", "1_000_000", "0x7fffffffffffffff + 1",
	})
}

func (g *fgen) simpleExpr() string {
	old := g.edepth
	g.edepth = 3
	s := g.expr()
	g.edepth = old
	return s
}

// expr writes an expression allowed where the generator stands.
func (g *fgen) expr() string {
	g.edepth++
	defer func() { g.edepth-- }()
	if g.edepth > 3 || g.r.chance(1, 3) {
		return g.atom()
	}
	for {
		switch g.r.intn(18) {
		case 0, 1:
			return g.operand() + " " + pick(g.r, []string{"+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^", "@"}) + g.brk() + g.operand()
		case 2:
			return g.operand() + " " + pick(g.r, []string{"and", "or"}) + g.brk() + g.operand()
		case 3:
			return g.operand() + " " + g.cmpOp() + " " + g.operand()
		case 4:
			return g.operand() + " if " + g.operand() + " else " + g.operand()
		case 5:
			if g.r.chance(1, 3) {
				return "(not " + g.atom() + ")"
			}
			return pick(g.r, []string{"-", "+", "~"}) + g.atom()
		case 6, 7:
			return g.call()
		case 8:
			return g.comprehension()
		case 9:
			return g.lambda()
		case 10:
			if g.noWalrus {
				continue
			}
			return "(" + pick(g.r, []string{"w", "found"}) + " := " + g.expr() + ")"
		case 11:
			if !g.async() || g.noAwait {
				continue
			}
			return "await " + g.primary()
		case 12:
			if g.fn == nil || g.inClass || g.noYield || !g.fn.gen {
				continue
			}
			if g.fn.async {
				return "(yield " + g.atom() + ")"
			}
			return pick(g.r, []string{"(yield)", "(yield " + g.atom() + ")", "(yield from " + g.atom() + ")"})
		case 13:
			return g.fstring()
		case 14:
			return g.display()
		case 15:
			return g.primary() + "[" + g.slice() + "]"
		case 16:
			return "(" + g.constExpr() + ")"
		default:
			return g.primary() + "." + pick(g.r, flowAttrs)
		}
	}
}

// operand is an operand of an operator: an atom, or any expression in
// parentheses.
func (g *fgen) operand() string {
	if g.r.chance(1, 2) {
		return g.atom()
	}
	return "(" + g.inBrackets(g.expr) + ")"
}

// primary is what an attribute, a subscript or a call applies to.
func (g *fgen) primary() string {
	switch g.r.intn(5) {
	case 0:
		return "(" + g.inBrackets(g.expr) + ")"
	case 1:
		return pick(g.r, []string{"'s'", "b'b'", "[1, 2]", "{}", "(1, 2)", "(1)", "...", "None"})
	}
	return g.name()
}

// brk may break the line inside brackets.
func (g *fgen) brk() string {
	if g.brackets > 0 && g.r.chance(1, 6) {
		return "\n" + g.indent + "        "
	}
	if g.r.chance(1, 15) {
		return " \\\n" + g.indent + "  "
	}
	return " "
}

func (g *fgen) atom() string {
	switch g.r.intn(8) {
	case 0:
		return pick(g.r, []string{"0", "1", "-1", "255", "10**3", "1.5", "2j", "1e100", "True", "False", "None", "...", "12345678901234567890"})
	case 1:
		return pick(g.r, []string{"'s'", "\"str\"", "b'bytes'", "r'\\d'", "'\\n\\t'", "'''tri\nple'''", "'é'", "u'x'"})
	case 2:
		return "(" + g.inBrackets(g.expr) + ")"
	default:
		return g.name()
	}
}

func (g *fgen) inBrackets(f func() string) string {
	g.brackets++
	s := f()
	g.brackets--
	return s
}

func (g *fgen) slice() string {
	return g.inBrackets(func() string {
		switch g.r.intn(5) {
		case 0:
			return g.simpleExpr() + ":" + g.simpleExpr()
		case 1:
			return "::" + g.simpleExpr()
		case 2:
			return g.simpleExpr() + ", " + g.simpleExpr()
		case 3:
			return ":"
		}
		return g.expr()
	})
}

func (g *fgen) call() string {
	fn := pick(g.r, []string{g.name(), g.name() + "." + pick(g.r, flowAttrs), "super().__init__", "print", "obj.method"})
	return fn + "(" + g.inBrackets(func() string {
		if g.r.chance(1, 10) {
			// A generator expression as the only argument.
			var s string
			g.inComprehension(func() {
				s = g.expr() + " for " + g.newName("c") + " in " + g.iterable()
			})
			return s
		}
		var args []string
		for i := g.r.intn(4); i > 0; i-- {
			if g.r.chance(1, 6) {
				args = append(args, "*"+g.atom())
			} else {
				args = append(args, g.expr())
			}
		}
		used := map[string]bool{}
		for i := g.r.intn(3); i > 0; i-- {
			k := pick(g.r, []string{"key", "sep", "end", "default", "flag"})
			if used[k] {
				continue
			}
			used[k] = true
			args = append(args, k+"="+g.expr())
		}
		if g.r.chance(1, 8) {
			args = append(args, "**"+g.atom())
		}
		return strings.Join(args, ","+g.brk())
	}) + ")"
}

func (g *fgen) display() string {
	return g.inBrackets(func() string {
		var items []string
		for i := g.r.intn(4); i > 0; i-- {
			if g.r.chance(1, 6) {
				items = append(items, "*"+g.atom())
			} else {
				items = append(items, g.expr())
			}
		}
		switch g.r.intn(4) {
		case 0:
			return "[" + strings.Join(items, ","+g.brk()) + "]"
		case 1:
			if len(items) == 0 {
				return "set()"
			}
			return "{" + strings.Join(items, ", ") + "}"
		case 2:
			var kv []string
			for i := g.r.intn(4); i > 0; i-- {
				if g.r.chance(1, 6) {
					kv = append(kv, "**"+g.atom())
				} else {
					kv = append(kv, g.simpleExpr()+": "+g.expr())
				}
			}
			return "{" + strings.Join(kv, ","+g.brk()) + "}"
		}
		if len(items) == 1 {
			return "(" + items[0] + ",)"
		}
		return "(" + strings.Join(items, ", ") + ")"
	})
}

// comprehension writes a list, set or dict comprehension or a generator
// expression, nested, with lambdas that close over its variables.
func (g *fgen) comprehension() string {
	var s string
	g.inComprehension(func() { s = g.comprehensionIn() })
	return s
}

// inComprehension runs f with the rules of a comprehension's body: no
// yield, and no walrus in a class body.
func (g *fgen) inComprehension(f func()) {
	oldY, oldW := g.noYield, g.noWalrus
	g.noYield = true
	if g.inClass {
		g.noWalrus = true
	}
	f()
	g.noYield, g.noWalrus = oldY, oldW
}

func (g *fgen) comprehensionIn() string {
	var fors []string
	var vars []string
	for i := g.r.between(1, 2); i > 0; i-- {
		// Half of the variables shadow a name of the enclosing code,
		// which may be a cell, a parameter or a class's name: inlined
		// comprehensions save and restore those.
		v := g.newName("c")
		if g.r.chance(1, 2) {
			v = pick(g.r, flowLocals)
		}
		vars = append(vars, v)
		kw := "for "
		if g.async() && !g.noAwait && g.r.chance(1, 4) {
			kw = "async for "
		}
		w := g.noWalrus
		g.noWalrus = true
		it := g.iterable()
		g.noWalrus = w
		clause := kw + v + " in " + it
		if g.r.chance(1, 3) {
			clause += " if " + v + " " + g.cmpOp() + " " + g.simpleExpr()
		}
		fors = append(fors, clause)
	}
	elt := func() string {
		switch g.r.intn(4) {
		case 0:
			return "lambda: " + pick(g.r, vars)
		case 1:
			return pick(g.r, vars) + " * " + g.simpleExpr()
		}
		return g.inBrackets(g.expr)
	}
	var s string
	switch g.r.intn(4) {
	case 0:
		s = "[" + elt() + " " + strings.Join(fors, " ") + "]"
	case 1:
		s = "{" + elt() + " " + strings.Join(fors, " ") + "}"
	case 2:
		s = "{" + pick(g.r, vars) + ": " + elt() + " " + strings.Join(fors, " ") + "}"
	default:
		s = "(" + elt() + " " + strings.Join(fors, " ") + ")"
	}
	return s
}

func (g *fgen) lambda() string {
	oldY, oldA := g.noYield, g.noAwait
	g.noYield, g.noAwait = true, true
	var ps []string
	for i := g.r.intn(3); i > 0; i-- {
		ps = append(ps, g.newName("l"))
	}
	if len(ps) > 0 && g.r.chance(1, 6) {
		ps = append(ps, "/")
	}
	if g.r.chance(1, 4) {
		ps = append(ps, g.newName("l")+"="+g.simpleExpr())
	}
	switch g.r.intn(6) {
	case 0:
		ps = append(ps, "*"+g.newName("l"))
	case 1:
		ps = append(ps, "*", g.newName("l")+"="+g.simpleExpr())
	}
	if g.r.chance(1, 6) {
		ps = append(ps, "**"+g.newName("l"))
	}
	s := "lambda"
	if len(ps) > 0 {
		s += " " + strings.Join(ps, ", ")
	}
	body := g.simpleExpr()
	if len(ps) > 0 && ps[0] != "*" && g.r.chance(1, 2) {
		name, _, _ := strings.Cut(strings.TrimLeft(ps[0], "*"), "=")
		body = name + " + " + body
	}
	g.noYield, g.noAwait = oldY, oldA
	return "(" + s + ": " + body + ")"
}

// fstring writes an f-string with conversions, format specs (nested),
// the '=' form, and expressions that reuse the quote (allowed since 3.12).
func (g *fgen) fstring() string {
	var parts []string
	for i := g.r.between(1, 3); i > 0; i-- {
		e := g.name()
		if g.r.chance(1, 4) {
			e = g.name() + "[\"k\"]"
		}
		switch g.r.intn(6) {
		case 0:
			parts = append(parts, "{"+e+"!r}")
		case 1:
			parts = append(parts, "{"+e+":>10}")
		case 2:
			parts = append(parts, "{"+e+":{"+g.name()+"}.{"+g.name()+"}}")
		case 3:
			parts = append(parts, "{"+e+"=}")
		case 4:
			parts = append(parts, "text {{braces}} ")
		default:
			parts = append(parts, "{"+e+"}")
		}
	}
	return "f\"" + strings.Join(parts, " ") + "\""
}
