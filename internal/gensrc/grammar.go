package gensrc

import (
	"strconv"
	"strings"

	"github.com/rules-pyc/rules_pyc/internal/mutate"
)

// genGrammar makes a program from 3.13's grammar: a few statements of every
// kind, nested, with expressions of every form. Half of the programs are
// left as they are (most of them valid, so that the trees are compared);
// the others get one to three of the mutation fuzzer's edits.
func genGrammar(r *rng) (string, []byte) {
	g := &pgen{r: r, budget: r.between(5, 60)}
	src := g.program()
	if r.chance(1, 2) {
		return "program", []byte(src)
	}
	m := mutate.Edit(src, r.p.Uint64(), r.intn(1<<30))
	return "program, " + strings.Join(m.Edits, "; "), m.Src
}

// pgen writes a random program. budget bounds the number of nodes, depth
// the nesting of expressions.
type pgen struct {
	r      *rng
	budget int
	depth  int
	// Context: inside a function (return, yield, await make sense), an
	// async function, a loop, a class.
	inFunc, inAsync, inLoop bool
	indent                  string
}

func (g *pgen) spend() bool {
	g.budget--
	return g.budget > 0
}

func (g *pgen) program() string {
	var b strings.Builder
	if g.r.chance(1, 8) {
		b.WriteString(pick(g.r, []string{
			"'''Module docstring.'''\n", "\"doc\"\n", "from __future__ import annotations\n",
			"from __future__ import barry_as_FLUFL\n", "#!/usr/bin/env python3\n", "# -*- coding: utf-8 -*-\n",
		}))
	}
	n := g.r.between(1, 6)
	for i := 0; i < n; i++ {
		b.WriteString(g.stmt())
	}
	return b.String()
}

// block writes an indented block of statements after a compound
// statement's header (which ends with ':'), or a simple statement on the
// same line.
func (g *pgen) block() string {
	if g.r.chance(1, 6) || g.budget <= 0 {
		return " " + g.simpleLine()
	}
	old := g.indent
	g.indent += pick(g.r, []string{"    ", "    ", "  ", "\t", " "})
	var b strings.Builder
	b.WriteString("\n")
	n := g.r.between(1, 3)
	for i := 0; i < n; i++ {
		b.WriteString(g.stmt())
	}
	g.indent = old
	return b.String()
}

// stmt writes one statement line (or compound statement) at the current
// indentation, ending with a newline.
func (g *pgen) stmt() string {
	if !g.spend() || g.r.chance(1, 2) {
		return g.indent + g.simpleLine()
	}
	ind := g.indent
	switch g.r.intn(16) {
	case 0:
		s := ind + "if " + g.namedExpr() + ":" + g.block()
		for g.r.chance(1, 3) {
			s += ind + "elif " + g.namedExpr() + ":" + g.block()
		}
		if g.r.chance(1, 2) {
			s += ind + "else:" + g.block()
		}
		return s
	case 1:
		old := g.inLoop
		g.inLoop = true
		s := ind + "while " + g.namedExpr() + ":" + g.block()
		g.inLoop = old
		if g.r.chance(1, 4) {
			s += ind + "else:" + g.block()
		}
		return s
	case 2:
		old := g.inLoop
		g.inLoop = true
		kw := "for "
		if g.inAsync && g.r.chance(1, 3) {
			kw = "async for "
		}
		s := ind + kw + g.targets() + " in " + g.starExprs() + ":" + g.block()
		g.inLoop = old
		if g.r.chance(1, 4) {
			s += ind + "else:" + g.block()
		}
		return s
	case 3:
		s := ind + "try:" + g.block()
		star := g.r.chance(1, 4)
		n := g.r.between(0, 3)
		if n == 0 && !g.r.chance(1, 2) {
			n = 1
		}
		for i := 0; i < n; i++ {
			kw := "except"
			if star {
				kw = "except*"
			}
			switch g.r.intn(4) {
			case 0:
				if !star {
					s += ind + "except:" + g.block()
					continue
				}
				fallthrough
			case 1:
				s += ind + kw + " " + g.expr() + ":" + g.block()
			case 2:
				s += ind + kw + " " + g.expr() + " as " + g.name() + ":" + g.block()
			default:
				s += ind + kw + " (" + g.expr() + ", " + g.expr() + ") as " + g.name() + ":" + g.block()
			}
		}
		if n > 0 && g.r.chance(1, 3) {
			s += ind + "else:" + g.block()
		}
		if n == 0 || g.r.chance(1, 3) {
			s += ind + "finally:" + g.block()
		}
		return s
	case 4:
		kw := "with "
		if g.inAsync && g.r.chance(1, 3) {
			kw = "async with "
		}
		var items []string
		for i := g.r.between(1, 3); i > 0; i-- {
			it := g.expr()
			if g.r.chance(1, 2) {
				it += " as " + g.target()
			}
			items = append(items, it)
		}
		head := strings.Join(items, ", ")
		if g.r.chance(1, 3) {
			head = "(" + head + pick(g.r, []string{"", ","}) + ")"
		}
		return ind + kw + head + ":" + g.block()
	case 5, 6:
		return g.funcDef()
	case 7:
		return g.classDef()
	case 8:
		return g.matchStmt()
	default:
		return ind + g.simpleLine()
	}
}

func (g *pgen) decorators() string {
	var s string
	for g.r.chance(1, 4) {
		s += g.indent + "@" + g.namedExpr() + "\n"
	}
	return s
}

func (g *pgen) typeParams() string {
	if !g.r.chance(1, 4) {
		return ""
	}
	var ps []string
	for i := g.r.between(1, 3); i > 0; i-- {
		switch g.r.intn(5) {
		case 0:
			ps = append(ps, "*"+g.name())
		case 1:
			ps = append(ps, "**"+g.name())
		case 2:
			ps = append(ps, g.name()+": "+g.expr())
		case 3:
			ps = append(ps, g.name()+" = "+g.expr())
		default:
			ps = append(ps, g.name())
		}
	}
	return "[" + strings.Join(ps, ", ") + "]"
}

func (g *pgen) funcDef() string {
	s := g.decorators() + g.indent
	async := g.r.chance(1, 4)
	if async {
		s += "async "
	}
	s += "def " + g.name() + g.typeParams() + "(" + g.params(true) + ")"
	if g.r.chance(1, 3) {
		s += " -> " + g.expr()
	}
	s += ":"
	oldF, oldA, oldL := g.inFunc, g.inAsync, g.inLoop
	g.inFunc, g.inAsync, g.inLoop = true, async, false
	if g.r.chance(1, 4) {
		s += "\n" + g.indent + "    " + g.stringLit() + "\n" + g.indent + "    pass\n"
	} else {
		s += g.block()
	}
	g.inFunc, g.inAsync, g.inLoop = oldF, oldA, oldL
	return s
}

func (g *pgen) classDef() string {
	s := g.decorators() + g.indent + "class " + g.name() + g.typeParams()
	if g.r.chance(2, 3) {
		s += "(" + g.args() + ")"
	}
	oldF, oldA, oldL := g.inFunc, g.inAsync, g.inLoop
	g.inFunc, g.inAsync, g.inLoop = false, false, false
	s += ":" + g.block()
	g.inFunc, g.inAsync, g.inLoop = oldF, oldA, oldL
	return s
}

// params writes a parameter list: positional-only, ordinary, *args or a
// bare *, keyword-only, **kwargs, with defaults and (for def) annotations.
func (g *pgen) params(annotations bool) string {
	var ps []string
	param := func(star string) string {
		p := star + g.name()
		if annotations && g.r.chance(1, 3) {
			if star == "*" && g.r.chance(1, 3) {
				p += ": *" + g.expr()
			} else {
				p += ": " + g.expr()
			}
		}
		return p
	}
	withDefault := func(p string) string {
		if annotations && strings.Contains(p, ":") {
			return p + " = " + g.expr()
		}
		return p + "=" + g.expr()
	}
	defaults := false
	for i := g.r.between(0, 2); i > 0; i-- {
		p := param("")
		if defaults || g.r.chance(1, 3) {
			p, defaults = withDefault(p), true
		}
		ps = append(ps, p)
	}
	if len(ps) > 0 && g.r.chance(1, 4) {
		ps = append(ps, "/")
	}
	for i := g.r.between(0, 2); i > 0; i-- {
		p := param("")
		if defaults || g.r.chance(1, 3) {
			p, defaults = withDefault(p), true
		}
		ps = append(ps, p)
	}
	kwonly := false
	switch g.r.intn(3) {
	case 0:
		ps = append(ps, param("*"))
		kwonly = true
	case 1:
		if g.r.chance(1, 2) {
			ps = append(ps, "*")
			kwonly = true
		}
	}
	if kwonly {
		for i := g.r.between(1, 2); i > 0; i-- {
			p := param("")
			if g.r.chance(1, 2) {
				p = withDefault(p)
			}
			ps = append(ps, p)
		}
	}
	if g.r.chance(1, 4) {
		ps = append(ps, param("**"))
	}
	s := strings.Join(ps, ", ")
	if s != "" && g.r.chance(1, 8) {
		s += ","
	}
	return s
}

func (g *pgen) matchStmt() string {
	ind := g.indent
	subj := g.namedExpr()
	if g.r.chance(1, 4) {
		subj = g.starNamed() + ", " + g.starNamed()
	}
	s := ind + "match " + subj + ":\n"
	inner := ind + "    "
	for i := g.r.between(1, 3); i > 0; i-- {
		s += inner + "case " + g.patterns()
		if g.r.chance(1, 4) {
			s += " if " + g.namedExpr()
		}
		old := g.indent
		g.indent = inner
		s += ":" + g.block()
		g.indent = old
	}
	return s
}

func (g *pgen) patterns() string {
	if g.r.chance(1, 5) {
		s := g.pattern(0) + ", " + g.maybeStar()
		if g.r.chance(1, 2) {
			s += ","
		}
		return s
	}
	return g.pattern(0)
}

func (g *pgen) maybeStar() string {
	if g.r.chance(1, 3) {
		return "*" + pick(g.r, []string{"_", "rest", g.name()})
	}
	return g.pattern(1)
}

// pattern writes a pattern of a case clause.
func (g *pgen) pattern(d int) string {
	if d > 3 || !g.spend() {
		return g.literalPattern()
	}
	switch g.r.intn(12) {
	case 0:
		return g.pattern(d+1) + " | " + g.pattern(d+1)
	case 1:
		return g.pattern(d+1) + " as " + g.name()
	case 2:
		return "[" + g.patternList(d) + "]"
	case 3:
		return "(" + g.patternList(d) + ")"
	case 4:
		var items []string
		for i := g.r.between(0, 2); i > 0; i-- {
			items = append(items, g.literalPattern()+": "+g.pattern(d+1))
		}
		if g.r.chance(1, 3) {
			items = append(items, "**"+g.name())
		}
		return "{" + strings.Join(items, ", ") + "}"
	case 5:
		var items []string
		for i := g.r.between(0, 2); i > 0; i-- {
			items = append(items, g.pattern(d+1))
		}
		for i := g.r.between(0, 2); i > 0; i-- {
			items = append(items, g.name()+"="+g.pattern(d+1))
		}
		return g.dottedName() + "(" + strings.Join(items, ", ") + ")"
	case 6:
		return g.dottedName() + "." + g.name()
	case 7:
		return "_"
	case 8:
		return g.name()
	default:
		return g.literalPattern()
	}
}

func (g *pgen) patternList(d int) string {
	var items []string
	star := false
	for i := g.r.between(0, 3); i > 0; i-- {
		if !star && g.r.chance(1, 4) {
			items = append(items, "*"+g.name())
			star = true
			continue
		}
		items = append(items, g.pattern(d+1))
	}
	s := strings.Join(items, ", ")
	if len(items) == 1 || (s != "" && g.r.chance(1, 4)) {
		s += ","
	}
	return s
}

func (g *pgen) literalPattern() string {
	switch g.r.intn(8) {
	case 0:
		return g.signedNumber()
	case 1:
		return g.signedNumber() + pick(g.r, []string{" + ", " - "}) + g.imagNumber()
	case 2:
		return pick(g.r, []string{"None", "True", "False"})
	case 3:
		return g.plainString()
	case 4:
		return g.plainString() + " " + g.plainString()
	default:
		return g.number()
	}
}

func (g *pgen) signedNumber() string {
	if g.r.chance(1, 3) {
		return "-" + g.number()
	}
	return g.number()
}

func (g *pgen) imagNumber() string {
	return strconv.Itoa(g.r.intn(100)) + pick(g.r, []string{"j", "J", ".5j"})
}

func (g *pgen) dottedName() string {
	s := g.name()
	for g.r.chance(1, 3) {
		s += "." + g.name()
	}
	return s
}

// simpleLine writes one or more simple statements joined by ';'.
func (g *pgen) simpleLine() string {
	s := g.simpleStmt()
	for g.r.chance(1, 8) {
		s += "; " + g.simpleStmt()
	}
	if g.r.chance(1, 12) {
		s += ";"
	}
	if g.r.chance(1, 10) {
		s += "  # " + g.commentText()
	}
	return s + "\n"
}

func (g *pgen) simpleStmt() string {
	g.spend()
	switch g.r.intn(24) {
	case 0, 1, 2:
		return g.starExprs()
	case 3, 4, 5:
		s := g.targets() + " = "
		for g.r.chance(1, 5) {
			s += g.targets() + " = "
		}
		if g.r.chance(1, 6) {
			return s + g.yieldExpr()
		}
		return s + g.starExprs()
	case 6:
		return g.target() + " " + pick(g.r, []string{"+=", "-=", "*=", "@=", "/=", "%=", "&=", "|=", "^=", "<<=", ">>=", "**=", "//="}) + " " + g.starExprs()
	case 7:
		t := pick(g.r, []string{g.name(), "(" + g.name() + ")", g.primary() + "." + g.name(), g.primary() + "[" + g.expr() + "]"})
		s := t + ": " + g.expr()
		if g.r.chance(1, 2) {
			s += " = " + g.starExprs()
		}
		return s
	case 8:
		return "del " + g.targets()
	case 9:
		return pick(g.r, []string{"pass", "break", "continue", "..."})
	case 10:
		if g.r.chance(1, 3) {
			return "return"
		}
		return "return " + g.starExprs()
	case 11:
		switch g.r.intn(3) {
		case 0:
			return "raise"
		case 1:
			return "raise " + g.expr()
		}
		return "raise " + g.expr() + " from " + g.expr()
	case 12:
		return pick(g.r, []string{"global ", "nonlocal "}) + g.names()
	case 13:
		var items []string
		for i := g.r.between(1, 3); i > 0; i-- {
			it := g.dottedName()
			if g.r.chance(1, 3) {
				it += " as " + g.name()
			}
			items = append(items, it)
		}
		return "import " + strings.Join(items, ", ")
	case 14:
		mod := strings.Repeat(".", g.r.intn(3))
		if mod == "" || g.r.chance(1, 2) {
			mod += g.dottedName()
		}
		if g.r.chance(1, 6) {
			return "from " + mod + " import *"
		}
		var items []string
		for i := g.r.between(1, 3); i > 0; i-- {
			it := g.name()
			if g.r.chance(1, 3) {
				it += " as " + g.name()
			}
			items = append(items, it)
		}
		list := strings.Join(items, ", ")
		if g.r.chance(1, 3) {
			list = "(" + list + pick(g.r, []string{"", ","}) + ")"
		}
		return "from " + mod + " import " + list
	case 15:
		s := "assert " + g.expr()
		if g.r.chance(1, 2) {
			s += ", " + g.expr()
		}
		return s
	case 16:
		return "type " + g.name() + g.typeParams() + " = " + g.expr()
	case 17:
		return g.yieldExpr()
	case 18:
		return "await " + g.primary()
	default:
		return g.namedExpr()
	}
}

func (g *pgen) names() string {
	s := g.name()
	for g.r.chance(1, 3) {
		s += ", " + g.name()
	}
	return s
}

func (g *pgen) yieldExpr() string {
	switch g.r.intn(3) {
	case 0:
		return "yield"
	case 1:
		return "yield from " + g.expr()
	}
	return "yield " + g.starExprs()
}

// target is an assignment target.
func (g *pgen) target() string {
	switch g.r.intn(8) {
	case 0:
		return g.primary() + "." + g.name()
	case 1:
		return g.primary() + "[" + g.slices() + "]"
	case 2:
		return "(" + g.targets() + ")"
	case 3:
		return "[" + g.targets() + "]"
	default:
		return g.name()
	}
}

func (g *pgen) targets() string {
	n := g.r.between(1, 3)
	if n == 1 && g.r.chance(3, 4) {
		return g.target()
	}
	var ts []string
	star := false
	for i := 0; i < n; i++ {
		if !star && g.r.chance(1, 5) {
			ts = append(ts, "*"+g.target())
			star = true
			continue
		}
		ts = append(ts, g.target())
	}
	s := strings.Join(ts, ", ")
	if n == 1 || g.r.chance(1, 5) {
		s += ","
	}
	return s
}

// starExprs is a tuple without parentheses, or one expression.
func (g *pgen) starExprs() string {
	if g.r.chance(4, 5) {
		return g.expr()
	}
	var es []string
	for i := g.r.between(1, 3); i > 0; i-- {
		es = append(es, g.starExpr())
	}
	s := strings.Join(es, ", ")
	if len(es) == 1 || g.r.chance(1, 4) {
		s += ","
	}
	return s
}

func (g *pgen) starExpr() string {
	if g.r.chance(1, 5) {
		return "*" + g.bitor()
	}
	return g.expr()
}

func (g *pgen) starNamed() string {
	if g.r.chance(1, 5) {
		return "*" + g.bitor()
	}
	return g.namedExpr()
}

// The expression levels, from the loosest binding to the tightest. Each
// descends a level (or, past the depth budget, goes straight to an atom).

func (g *pgen) enter() bool {
	g.depth++
	return g.depth < 12 && g.spend()
}

func (g *pgen) leave() { g.depth-- }

func (g *pgen) namedExpr() string {
	if g.r.chance(1, 12) {
		return g.name() + " := " + g.expr()
	}
	return g.expr()
}

func (g *pgen) expr() string {
	if !g.enter() {
		g.leave()
		return g.atom()
	}
	defer g.leave()
	switch g.r.intn(14) {
	case 0:
		return g.disjunction() + " if " + g.disjunction() + " else " + g.expr()
	case 1:
		ps := g.params(false)
		if ps == "" {
			return "lambda: " + g.expr()
		}
		return "lambda " + ps + ": " + g.expr()
	default:
		return g.disjunction()
	}
}

func (g *pgen) disjunction() string {
	s := g.conjunction()
	for g.r.chance(1, 8) {
		s += " or " + g.conjunction()
	}
	return s
}

func (g *pgen) conjunction() string {
	s := g.inversion()
	for g.r.chance(1, 8) {
		s += " and " + g.inversion()
	}
	return s
}

func (g *pgen) inversion() string {
	if g.r.chance(1, 12) {
		return "not " + g.inversion()
	}
	return g.comparison()
}

var compOps = []string{"==", "!=", "<", "<=", ">", ">=", "in", "not in", "is", "is not"}

func (g *pgen) comparison() string {
	s := g.bitor()
	for g.r.chance(1, 6) {
		s += " " + pick(g.r, compOps) + " " + g.bitor()
	}
	return s
}

var binLevels = [][]string{{"|"}, {"^"}, {"&"}, {"<<", ">>"}, {"+", "-"}, {"*", "/", "//", "%", "@"}}

func (g *pgen) bitor() string { return g.binary(0) }

func (g *pgen) binary(level int) string {
	if level == len(binLevels) {
		return g.factor()
	}
	s := g.binary(level + 1)
	for g.r.chance(1, 10) {
		op := pick(g.r, binLevels[level])
		if g.r.chance(1, 6) {
			s += op + g.binary(level+1)
		} else {
			s += " " + op + " " + g.binary(level+1)
		}
	}
	return s
}

func (g *pgen) factor() string {
	if g.r.chance(1, 12) {
		return pick(g.r, []string{"-", "+", "~", "- ", "--"}) + g.factor()
	}
	return g.power()
}

func (g *pgen) power() string {
	s := g.awaitPrimary()
	if g.r.chance(1, 12) {
		s += " ** " + g.factor()
	}
	return s
}

func (g *pgen) awaitPrimary() string {
	if g.r.chance(1, 20) {
		return "await " + g.primary()
	}
	return g.primary()
}

func (g *pgen) primary() string {
	s := g.atom()
	for g.r.chance(1, 4) && g.spend() {
		switch g.r.intn(3) {
		case 0:
			s += "." + g.name()
		case 1:
			s += "(" + g.args() + ")"
		default:
			s += "[" + g.slices() + "]"
		}
	}
	return s
}

func (g *pgen) slices() string {
	slice := func() string {
		if g.r.chance(1, 3) {
			var s string
			if g.r.chance(1, 2) {
				s += g.expr()
			}
			s += ":"
			if g.r.chance(1, 2) {
				s += g.expr()
			}
			if g.r.chance(1, 3) {
				s += ":"
				if g.r.chance(1, 2) {
					s += g.expr()
				}
			}
			return s
		}
		if g.r.chance(1, 8) {
			return "*" + g.bitor()
		}
		return g.namedExpr()
	}
	s := slice()
	for g.r.chance(1, 5) {
		s += ", " + slice()
	}
	if g.r.chance(1, 10) {
		s += ","
	}
	return s
}

// args writes call arguments: positional, starred, keywords, **, and a
// lone generator expression.
func (g *pgen) args() string {
	if g.r.chance(1, 10) {
		return g.namedExpr() + " " + g.forIfClauses()
	}
	var as []string
	for i := g.r.between(0, 3); i > 0; i-- {
		switch g.r.intn(6) {
		case 0:
			as = append(as, "*"+g.expr())
		case 1:
			as = append(as, "**"+g.expr())
		case 2, 3:
			as = append(as, g.name()+"="+g.expr())
		default:
			as = append(as, g.namedExpr())
		}
	}
	s := strings.Join(as, ", ")
	if s != "" && g.r.chance(1, 8) {
		s += ","
	}
	return s
}

func (g *pgen) forIfClauses() string {
	var s string
	for i := g.r.between(1, 2); i > 0; i-- {
		if g.r.chance(1, 5) {
			s += " async"
		}
		s += " for " + g.targets() + " in " + g.disjunction()
		for g.r.chance(1, 3) {
			s += " if " + g.disjunction()
		}
	}
	return strings.TrimPrefix(s, " ")
}

func (g *pgen) atom() string {
	// The deeper, the likelier a leaf: programs stay readable, and the
	// trees shallow enough for ast.dump.
	if g.depth >= 12 || g.budget <= 0 || g.r.intn(10) < 3*g.depth+1 {
		switch g.r.intn(4) {
		case 0:
			return g.number()
		case 1:
			return g.plainString()
		default:
			return g.name()
		}
	}
	g.depth++
	defer func() { g.depth-- }()
	switch g.r.intn(24) {
	case 0, 1, 2, 3, 4, 5:
		return g.name()
	case 6, 7, 8:
		return g.number()
	case 9, 10:
		return g.stringLit()
	case 11:
		return pick(g.r, []string{"None", "True", "False", "...", "__debug__"})
	case 12:
		return "(" + g.starNamed() + ", " + g.starNamed() + pick(g.r, []string{"", ","}) + ")"
	case 13:
		return "(" + g.namedExpr() + ")"
	case 14:
		return pick(g.r, []string{"()", "[]", "{}"})
	case 15:
		return "(" + g.namedExpr() + " " + g.forIfClauses() + ")"
	case 16:
		var es []string
		for i := g.r.between(1, 3); i > 0; i-- {
			es = append(es, g.starNamed())
		}
		return "[" + strings.Join(es, ", ") + pick(g.r, []string{"", ","}) + "]"
	case 17:
		return "[" + g.namedExpr() + " " + g.forIfClauses() + "]"
	case 18:
		var es []string
		for i := g.r.between(1, 3); i > 0; i-- {
			if g.r.chance(1, 5) {
				es = append(es, "**"+g.bitor())
			} else {
				es = append(es, g.expr()+": "+g.expr())
			}
		}
		return "{" + strings.Join(es, ", ") + pick(g.r, []string{"", ","}) + "}"
	case 19:
		return "{" + g.expr() + ": " + g.expr() + " " + g.forIfClauses() + "}"
	case 20:
		var es []string
		for i := g.r.between(1, 3); i > 0; i-- {
			es = append(es, g.starNamed())
		}
		return "{" + strings.Join(es, ", ") + "}"
	case 21:
		return "{" + g.namedExpr() + " " + g.forIfClauses() + "}"
	case 22:
		return g.fstring(0)
	default:
		return "(" + g.yieldExpr() + ")"
	}
}

// names of the programs: ordinary ones, soft keywords, builtins, and
// non-ASCII identifiers (some of which NFKC changes).
var progNames = []string{
	"x", "y", "z", "a", "b", "f", "g", "self", "cls", "obj", "value", "data", "result", "i", "n",
	"match", "case", "type", "_", "print", "__debug__", "__class__", "__annotations__", "int", "str",
	"\u00e9t\u00e9", "\u00b5", "\ufb01", "\u2160", "\uff41", "\u0391\u03b2", "\u4e2d", "\u212b", "a\u200c", "x\u00b7y",
	"\U0001d4b3", "\u02b0", "\u1e9b\u0323", "_\u0660", "\U0002ebf0",
}

func (g *pgen) name() string { return pick(g.r, progNames) }

// number writes a numeric literal of any form.
func (g *pgen) number() string {
	digits := func(n int) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			if i > 0 && g.r.chance(1, 8) {
				b.WriteByte('_')
			}
			b.WriteByte(byte('0' + g.r.intn(10)))
		}
		return b.String()
	}
	nonzero := func(n int) string {
		d := digits(n)
		return strconv.Itoa(1+g.r.intn(9)) + d
	}
	switch g.r.intn(14) {
	case 0, 1, 2:
		return strconv.Itoa(g.r.intn(300))
	case 3:
		return nonzero(g.r.between(10, 40))
	case 4:
		return pick(g.r, []string{"0x", "0X"}) + hexDigits(g.r, g.r.between(1, 40))
	case 5:
		return pick(g.r, []string{"0o", "0O"}) + strconv.FormatInt(int64(g.r.intn(1<<30)), 8)
	case 6:
		return pick(g.r, []string{"0b", "0B"}) + strconv.FormatInt(int64(g.r.intn(1<<20)), 2)
	case 7:
		return nonzero(g.r.intn(4)) + "." + digits(g.r.intn(5))
	case 8:
		return "." + digits(1+g.r.intn(5))
	case 9:
		return nonzero(g.r.intn(3)) + pick(g.r, []string{"e", "E"}) + pick(g.r, []string{"", "+", "-"}) + strconv.Itoa(g.r.intn(400))
	case 10:
		return nonzero(g.r.intn(3)) + pick(g.r, []string{"j", "J", ".5j", "e3j", ".j"})
	case 11:
		return pick(g.r, []string{"0", "00", "0_0", "000"})
	case 12:
		return pick(g.r, []string{"1e400", "1e-400", "4.9e-324", "1.7976931348623157e308", "2.2250738585072014e-308", "9007199254740993", "0.1", "1_000.000_1e-1_0j", "18446744073709551616", "9223372036854775808"})
	default:
		return strconv.Itoa(g.r.intn(1 << 20))
	}
}

func hexDigits(r *rng, n int) string {
	const hex = "0123456789abcdefABCDEF"
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 && r.chance(1, 8) {
			b.WriteByte('_')
		}
		b.WriteByte(hex[r.intn(len(hex))])
	}
	return b.String()
}

var strPrefixes = []string{"", "", "", "r", "u", "R", "U", "b", "B", "br", "rb", "Rb", "bR", "RB"}

// plainString writes a str or bytes literal (never an f-string).
func (g *pgen) plainString() string {
	prefix := pick(g.r, strPrefixes)
	bytesLit := strings.ContainsAny(prefix, "bB")
	raw := strings.ContainsAny(prefix, "rR")
	quote := pick(g.r, []string{"'", "\"", "'''", "\"\"\""})
	return prefix + quote + g.stringBody(quote, raw, bytesLit, false) + quote
}

// stringLit is a literal, or several concatenated, f-strings included.
func (g *pgen) stringLit() string {
	s := g.oneString()
	for g.r.chance(1, 6) {
		s += pick(g.r, []string{" ", "", "\\\n", " \\\n    "}) + g.oneString()
	}
	return s
}

func (g *pgen) oneString() string {
	if g.r.chance(1, 4) {
		return g.fstring(0)
	}
	return g.plainString()
}

// stringBody writes the text between the quotes: characters, escapes of
// every kind (valid and not), and, in triple quotes, newlines.
func (g *pgen) stringBody(quote string, raw, bytesLit, fstr bool) string {
	var b strings.Builder
	triple := len(quote) == 3
	for i := g.r.intn(8); i > 0; i-- {
		switch g.r.intn(10) {
		case 0:
			if raw {
				b.WriteString(pick(g.r, []string{`\d`, `\n`, `\\`, `\'`, `\"`}))
			} else if bytesLit {
				b.WriteString(pick(g.r, []string{`\n`, `\t`, `\x41`, `\101`, `\0`, `\\`, `\'`, `\"`, `\a\b\f\v\r`, `\777`, `\d`, `\N`, `\u1234`}))
			} else {
				b.WriteString(pick(g.r, []string{`\n`, `\t`, `\x41`, `\101`, `\0`, `\\`, `\'`, `\"`, `\u00e9`, `\U0001F600`,
					`\N{BULLET}`, `\N{LATIN SMALL LETTER A}`, `\N{EM DASH}`, `\ud800`, `\udc80`, `\uDFFF`, `\777`, `\d`, `\U0010FFFF`,
					`\N{HANGUL SYLLABLE GA}`, `\N{CJK UNIFIED IDEOGRAPH-4E00}`, `\x7f`, `\x80`, `\u200e`}))
			}
		case 1:
			if !bytesLit {
				b.WriteString(pick(g.r, []string{"é", "中", "\U0001F600", "\u00a0", "\u200b", "\u2028", "\u202e", "\u0301", "\ufeff", "\u00ad", "\x7f", "\u0085", "\U000e0001"}))
			} else {
				b.WriteString("b")
			}
		case 2:
			if triple {
				b.WriteString("\n")
			} else if !raw {
				b.WriteString("\\\n")
			}
		case 3:
			if fstr {
				b.WriteString(pick(g.r, []string{"{{", "}}"}))
			} else {
				b.WriteString(pick(g.r, []string{"{", "}", "{x}"}))
			}
		case 4:
			// The other quote character.
			if quote[0] == '\'' {
				b.WriteString(`"`)
			} else {
				b.WriteString(`'`)
			}
		case 5:
			b.WriteString(pick(g.r, []string{"\t", " ", "#", "%s", "%(a)d", "\f"}))
		default:
			b.WriteString(pick(g.r, []string{"a", "text", "x y", "0", "_", "Hello, world"}))
		}
	}
	s := b.String()
	if raw && strings.HasSuffix(s, `\`) {
		s += "x"
	}
	return s
}

// fstring writes an f-string: literal parts, replacement fields with
// conversions, format specs (with nested fields), debug '=', nested
// f-strings (in the same quotes, as 3.12 allows), multi-line expressions in
// triple quotes.
func (g *pgen) fstring(level int) string {
	prefix := pick(g.r, []string{"f", "F", "rf", "fr", "Rf", "fR", "RF"})
	raw := strings.ContainsAny(prefix, "rR")
	quote := pick(g.r, []string{"'", "\"", "'''", "\"\"\""})
	var b strings.Builder
	b.WriteString(prefix + quote)
	for i := g.r.between(0, 3); i > 0; i-- {
		if g.r.chance(1, 2) {
			b.WriteString(g.stringBody(quote, raw, false, true))
		}
		b.WriteString(g.field(level, quote))
	}
	if g.r.chance(1, 2) {
		b.WriteString(g.stringBody(quote, raw, false, true))
	}
	b.WriteString(quote)
	return b.String()
}

func (g *pgen) field(level int, quote string) string {
	var e string
	switch {
	case level < 3 && g.r.chance(1, 5):
		e = g.fstring(level + 1)
	case g.r.chance(1, 6):
		e = g.starExprs()
	case g.r.chance(1, 8):
		e = g.yieldExpr()
	default:
		e = g.expr()
	}
	if strings.HasPrefix(e, "{") || g.r.chance(1, 10) {
		e = " " + e
	}
	if len(quote) == 3 && g.r.chance(1, 6) {
		e = "\n" + e + pick(g.r, []string{"\n", "  # comment\n", " "})
	}
	s := "{" + e
	if g.r.chance(1, 5) {
		s += pick(g.r, []string{"=", " = ", "= ", " ="})
	}
	if g.r.chance(1, 4) {
		s += "!" + pick(g.r, []string{"r", "s", "a"})
	}
	if g.r.chance(1, 3) {
		s += ":" + g.formatSpec(level, quote)
	}
	return s + "}"
}

func (g *pgen) formatSpec(level int, quote string) string {
	var b strings.Builder
	for i := g.r.intn(4); i > 0; i-- {
		switch g.r.intn(4) {
		case 0:
			if level < 2 {
				b.WriteString("{" + g.expr() + "}")
			} else {
				b.WriteString("10")
			}
		case 1:
			b.WriteString(pick(g.r, []string{">10", "<5", "^", "=+", ".2f", "x", "#o", ",", "_", "%", "!r", "=", ":", "d}}", "{{"}))
		case 2:
			if len(quote) == 1 || g.r.chance(1, 2) {
				b.WriteString(pick(g.r, []string{`\n`, `\x41`, `\N{BULLET}`, `\\`, "é"}))
			} else {
				b.WriteString("\n")
			}
		default:
			b.WriteString(pick(g.r, []string{"a", " ", "0", "#"}))
		}
	}
	return b.String()
}

// commentText is the text of a comment.
func (g *pgen) commentText() string {
	return pick(g.r, []string{"comment", "type: int", "type: ignore", "noqa", "é", "\u202e evil", "coding: latin-1", "'''", "\\", "{"})
}
