package codemutate

import (
	"fmt"
	"strings"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// editor is one kind of edit with its weight among the others. It returns
// the new text and what it did, or ok false when the tree offers it
// nothing to work on.
type editor struct {
	weight int
	do     func(r *rng, t *tree) (text, what string, ok bool)
}

var editors = []editor{
	{10, swapOperands},
	{12, replaceConstant},
	{6, duplicateStmt},
	{6, removeStmt},
	{4, swapStmts},
	{10, nestStmts},
	{16, insertStmt},
	{8, moveStmt},
	{12, wrapExpr},
}

// editOnce makes one random edit of t; when the chosen kind has nothing to
// work on, another is tried, and insertStmt always works.
func editOnce(r *rng, t *tree, m *Mutant) string {
	total := 0
	for _, e := range editors {
		total += e.weight
	}
	for try := 0; try < 8; try++ {
		n := r.intn(total)
		e := editors[len(editors)-1]
		for _, c := range editors {
			if n < c.weight {
				e = c
				break
			}
			n -= c.weight
		}
		if text, what, ok := e.do(r, t); ok {
			m.Edits = append(m.Edits, what)
			return text
		}
	}
	text, what, _ := insertStmt(r, t)
	m.Edits = append(m.Edits, what)
	return text
}

// simple reports whether s needs no parentheses anywhere an expression
// goes: a name, a number or a dotted name.
func simple(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c == '_' || c == '.' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func paren(s string) string {
	if simple(s) {
		return s
	}
	return "(" + s + ")"
}

// name returns a name the text uses, or x.
func (t *tree) name(r *rng) string {
	if len(t.names) == 0 || r.chance(1, 8) {
		return "x"
	}
	return pick(r, t.names)
}

// fill returns form with each {n} replaced by a name of the text and each
// {e} by e.
func fill(r *rng, t *tree, form, e string) string {
	parts := strings.Split(form, "{e}")
	for i, p := range parts {
		for strings.Contains(p, "{n}") {
			p = strings.Replace(p, "{n}", t.name(r), 1)
		}
		parts[i] = p
	}
	return strings.Join(parts, e)
}

func line(t *tree, off int) int {
	return strings.Count(t.text[:off], "\n") + 1
}

func swapOperands(r *rng, t *tree) (string, string, bool) {
	if len(t.binops) == 0 {
		return "", "", false
	}
	p := pick(r, t.binops)
	sa, ea, sb, eb := t.start(p.a), t.end(p.a), t.start(p.b), t.end(p.b)
	if !(sa < ea && ea <= sb && sb < eb) {
		return "", "", false
	}
	a, b := t.text[sa:ea], t.text[sb:eb]
	text := t.text[:sa] + paren(b) + t.text[ea:sb] + paren(a) + t.text[eb:]
	return text, fmt.Sprintf("swap the operands %q and %q on line %d", clip(a), clip(b), line(t, sa)), true
}

// constants are literals chosen for what the back end does with them:
// folding and its limits, small ints and interned strs, marshal's
// encodings, sets and tuples of constants, escapes that warn.
var constants = []string{
	"0", "1", "-1", "2", "-5", "256", "257", "-6", "1_000_000", "0x7fffffff", "0xffffffff",
	"4611686018427387904", "18446744073709551616", "-(2 ** 63)", "2 ** 64", "2 ** 100", "10 ** 400",
	"7 // 2", "-7 % 3", "1 << 62", "1 << 200", "~0", "-0", "+1", "not 0",
	"0.0", "-0.0", "1.5", "1e300", "1e400", "-1e400", "1e400 - 1e400", "2.5 ** 2", "1 / 3", "1 / 0", "0 ** -1",
	"1j", "-0j", "(1+2j)", "2j ** 2", "1j * 1j",
	"-(1e400 - 1e400)", "(1e400 - 1e400) * 1j", "1e400 * 0", "(1e400 - 1e400, 1)", "-1e400 % 3", "1e400 // 3",
	"(1e400 * 1j) ** 2", "1e400j / 2", "(1 + 1e400j) * (1 - 1e400j)", "2.0 ** -1074", "-2.0 ** 0.5", "0.1 + 0.2",
	"''", "'a'", "'abc'", "'hello world'", "'é'", "'\\u20ac'", "'\\U0001f600'", "'a' + 'b'", "'x' * 3",
	"'ab' * 2048", "'ab' * 2049", "'%s-%r' % ('a', 1)", "'%d' % 5", "'%s' % ()", "'\\x00'", "'\\d'", "'\\777'", "r'\\d'",
	"'\\N{DIGIT ONE}'", "'a' 'b'", "'''x\ny'''",
	"b''", "b'a'", "b'\\x00\\xff'", "b'ab' * 3", "b'\\q'", "bytes()",
	"None", "True", "False", "...", "__debug__", "not __debug__",
	"()", "(1,)", "(1, 2)", "(1, 'a', None, 2.5, b'b')", "((1, 2), (3,))", "(1, 2) * 3", "(1,) + (2,)",
	"[1, 2]", "{1, 2}", "{'a': 1}", "frozenset({1})", "{1, 'a', (2,)}",
	"1 if 1 else 2", "1 and 2", "0 or ''", "(1, 2)[0]", "'abc'[1]", "'abc'[::-1]", "(1, 2, 3)[1:]",
}

func replaceConstant(r *rng, t *tree) (string, string, bool) {
	if len(t.consts) == 0 {
		return "", "", false
	}
	c := pick(r, t.consts)
	s, e := t.start(c), t.end(c)
	if s >= e {
		return "", "", false
	}
	v := pick(r, constants)
	return t.text[:s] + paren(v) + t.text[e:], fmt.Sprintf("replace the constant %q on line %d with %q", clip(t.text[s:e]), line(t, s), v), true
}

// stmtOf returns the statement at a.
func (t *tree) stmtOf(a stmtAt) ast.Stmt { return t.bodies[a.b].stmts[a.i] }

func duplicateStmt(r *rng, t *tree) (string, string, bool) {
	if len(t.all) == 0 {
		return "", "", false
	}
	s := t.stmtOf(pick(r, t.all))
	from, to, _ := t.stmtLines(s)
	block := t.text[from:to]
	if !strings.HasSuffix(block, "\n") {
		block += "\n"
	}
	return t.text[:to] + block + t.text[to:], fmt.Sprintf("duplicate the statement of line %d", line(t, from)), true
}

func removeStmt(r *rng, t *tree) (string, string, bool) {
	if len(t.all) == 0 {
		return "", "", false
	}
	a := pick(r, t.all)
	s := t.stmtOf(a)
	from, to, indent := t.stmtLines(s)
	repl := ""
	if len(t.bodies[a.b].stmts) == 1 && r.chance(2, 3) {
		repl = indent + "pass\n"
	}
	return t.text[:from] + repl + t.text[to:], fmt.Sprintf("remove the statement of line %d", line(t, from)), true
}

func swapStmts(r *rng, t *tree) (string, string, bool) {
	var cands []stmtAt
	for _, a := range t.all {
		b := t.bodies[a.b]
		if a.i+1 < len(b.stmts) && t.startsLine(b.stmts[a.i+1]) && b.stmts[a.i].Location().EndLineno < firstLine(b.stmts[a.i+1]) {
			cands = append(cands, a)
		}
	}
	if len(cands) == 0 {
		return "", "", false
	}
	a := pick(r, cands)
	s1, s2 := t.bodies[a.b].stmts[a.i], t.bodies[a.b].stmts[a.i+1]
	f1, t1, _ := t.stmtLines(s1)
	f2, t2, _ := t.stmtLines(s2)
	b2 := t.text[f2:t2]
	if !strings.HasSuffix(b2, "\n") {
		b2 += "\n"
	}
	text := t.text[:f1] + b2 + t.text[t1:f2] + t.text[f1:t1] + t.text[t2:]
	return text, fmt.Sprintf("swap the statements of lines %d and %d", line(t, f1), line(t, f2)), true
}

// headers are compound statements to nest a run of statements in: lines
// with their relative indentation (the run goes one level below the
// last), and what follows the run at the first line's level.
var headers = []struct{ head, tail string }{
	{"if {n}:", ""},
	{"if not {n}:", "else:\n    pass"},
	{"if __debug__:", ""},
	{"while {n}:", ""},
	{"while True:", ""},
	{"for {n} in {n}:", ""},
	{"for _i in range(10):", "else:\n    pass"},
	{"async for _i in {n}:", ""},
	{"with {n}:", ""},
	{"with {n} as _y, {n}:", ""},
	{"async with {n} as _y:", ""},
	{"try:", "except Exception as _e:\n    pass"},
	{"try:", "except (ValueError, TypeError):\n    raise\nelse:\n    pass"},
	{"try:", "finally:\n    pass"},
	{"try:", "except* ValueError:\n    pass"},
	{"def _g():", ""},
	{"def _g(x, /, y=1, *args, z, **kw):", ""},
	{"async def _g():", ""},
	{"class _C:", ""},
	{"class _D({n}, metaclass=type):", ""},
	{"def _g[T]():", ""},
	{"class _E[T]:", ""},
	{"match {n}:\n    case [_a, *_b] if _a:", ""},
	{"match {n}:\n    case {'k': _v, **_r} | _C(x=_v) as _w:", ""},
	{"def _g():\n    def _h():", ""},
	{"lambda_ = lambda: 0\ndef _g(_q=[i for i in range(3)]):", ""},
}

func nestStmts(r *rng, t *tree) (string, string, bool) {
	if len(t.all) == 0 {
		return "", "", false
	}
	a := pick(r, t.all)
	b := t.bodies[a.b]
	j := a.i
	for k := r.intn(4); k > 0 && j+1 < len(b.stmts) && t.startsLine(b.stmts[j+1]); k-- {
		j++
	}
	from, _, indent := t.stmtLines(b.stmts[a.i])
	_, to, _ := t.stmtLines(b.stmts[j])
	h := pick(r, headers)
	head := fill(r, t, h.head, "")
	levels := strings.Count(head, "\n") + 1
	var sb strings.Builder
	for _, l := range strings.Split(head, "\n") {
		sb.WriteString(indent + l + "\n")
	}
	sb.WriteString(reindent(t.text[from:to], indent, indent+strings.Repeat("    ", levels)))
	if h.tail != "" {
		for _, l := range strings.Split(h.tail, "\n") {
			sb.WriteString(indent + l + "\n")
		}
	}
	return t.text[:from] + sb.String() + t.text[to:], fmt.Sprintf("nest lines %d-%d in %q", line(t, from), line(t, to-1), head), true
}

// statements are inserted whole: they reach the symbol table's and the
// compiler's errors and warnings, or exercise code generation.
var statements = []string{
	"global {n}", "nonlocal {n}", "global {n}, {n}", "return", "return {n}", "yield {n}", "yield", "await {n}",
	"yield from {n}", "{n} = yield", "{n} = await {n}", "break", "continue", "del {n}", "del {n}, {n}[0]",
	"{n} = 1", "{n} += 1", "{n}: int = 0", "{n}: int", "{n}.a: 'str' = {n}", "{n}, *{n} = {n}",
	"assert ({n}, 'msg')", "assert {n}, 'msg'", "assert ()", "assert {n}",
	"{n} is 1", "{n} is not 'a'", "if {n} is (): pass", "if {n} is not -1.5: pass", "{n} = {n} is b''",
	"1({n})", "'a'({n})", "(1, 2)({n})", "[1]({n})", "{1}({n})", "None({n})", "f'{{n}}'()",
	"(1, 2)['a']", "[1, 2][1.5]", "'abc'['x']", "(1, 2)[{n}]", "b'x'[()]",
	"{n} = '\\d'", "{n} = b'\\q'", "{n} = '\\777'", "{n} = f'\\d{{n}}'", "{n} = '\\8'", "{n} = rb'\\d' '\\w'",
	"print({n})", "super().__init__()", "__class__", "{n} = __debug__",
	"from __future__ import annotations", "from os import *", "import os.path as _p", "from . import {n}",
	"class _C(metaclass=type): pass", "lambda: (yield)", "[{n} async for {n} in {n}]", "[({n} := 1) for _ in ()]",
	"[(_j := 1) for _j in ()]", "[{n} for {n} in {n} if ({n} := 0)]", "def _h({n}, {n}): pass", "def _h(): nonlocal {n}",
	"def _h():\n    global {n}\n    {n} = 1", "def _h():\n    {n} = 1\n    global {n}", "def _h():\n    print({n})\n    nonlocal {n}",
	"def _h({n}):\n    global {n}", "class _K:\n    nonlocal {n}", "class _K:\n    def m(self):\n        return __class__",
	"class _K:\n    def m(self):\n        super().m()\n        self.y = {n}",
	"type _T[_U] = list[_U]", "def _h[_T](x: _T) -> _T: return x", "class _G[_T: int, *_Ts, **_P]: pass",
	"type _T[_U] = (yield)", "def _h[_T](a=(yield)): pass", "def _h[_T, _T](): pass",
	"async def _h(): await {n}", "async def _h():\n    return [x async for x in {n}]", "def _h():\n    await {n}",
	"def _h():\n    async with {n}: pass", "def _h():\n    yield\n    return 1", "async def _h():\n    yield 1\n    return 2",
	"with {n} as ({n}, _z): pass", "for {n}[0] in (): pass", "{n}.__debug__ = 1", "del __debug__",
	"match {n}:\n    case [a, *_] if a: pass\n    case {'k': v, **rest}: pass\n    case _: pass",
	"match {n}:\n    case 1 | 2 | 'a': pass\n    case int(x) | float(x): pass\n    case {n}.Y: pass",
	"match {n}:\n    case _: pass\n    case 1: pass", "match {n}:\n    case x: pass\n    case y: pass",
	"match {n}:\n    case [x, x]: pass", "match {n}:\n    case (a | b): pass", "match {n}:\n    case C(a=1, a=2): pass",
	"try:\n    pass\nexcept* Exception:\n    break", "try:\n    pass\nexcept* Exception:\n    return",
	"while 1:\n    try:\n        pass\n    finally:\n        continue", "for _ in {n}:\n    try:\n        break\n    finally:\n        return",
	"try:\n    pass\nexcept:\n    pass\nexcept ValueError:\n    pass",
	"{n} = [i for i in range(3) if i]", "{n} = {k: v for k, v in {n}}", "{n} = ({n} for {n} in {n})",
	"{n} = [[j for j in {n}] for {n} in {n}]", "{n} = {i async for i in {n}}",
	"raise", "raise {n} from None", "if __debug__: pass", "{n} = 0 if __debug__ else 1",
	"{n} = 'a' 'b' f'{{n}!r:>{10}}'", "{n}[1:2] = 3", "{n} = {n}[1:2:3]", "{n} = -{n} ** 2",
	"{n} = not not {n}", "{n} = {n} if not {n} else None", "{n}(*{n}, *{n}, k=1, **{n})",
	"{n}({n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, {n}, *{n})",
	"{n} = [{n}, {n}, *{n}, 1, 2, 3]", "{n} = {**{n}, 'a': 1}", "{n} = {1, 2, *{n}}", "{n} = (1, 2, 3, 4, 5, 6, 7)",
	"for _ in {n}: pass", "while {n}: {n} -= 1", "with {n}, {n} as _q: pass",
	"def _h(*, a=1, b): return a", "def _h(a, /, b=2, *c, d=3, **e) -> {n}: ...", "lambda *a, **k: (a, k)",
	"@{n}\ndef _h(): pass", "@{n}.x(1)\nclass _K: pass", "def _h():\n    \"doc\"\n    return 1", "class _K:\n    'doc'\n    x: int = 1",
	"import {n}", "import {n} as _m", "from {n} import a as b, c", "global __debug__",
	"if 1: pass\nelif 0: {n}()\nelse: pass", "while 0: {n}()", "if (): pass\nelse: {n}()",
	"assert 0, 'never'", "{n} = lambda: {n}", "{n} = lambda {n}={n}: {n}",
}

func insertStmt(r *rng, t *tree) (string, string, bool) {
	st := fill(r, t, pick(r, statements), "")
	at, indent := len(t.text), ""
	if len(t.all) > 0 && !r.chance(1, 8) {
		s := t.stmtOf(pick(r, t.all))
		at, _, indent = t.stmtLines(s)
	}
	var sb strings.Builder
	for _, l := range strings.Split(st, "\n") {
		sb.WriteString(indent + l + "\n")
	}
	text := t.text
	if at == len(text) && text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
		at++
	}
	return text[:at] + sb.String() + text[at:], fmt.Sprintf("insert %q before line %d", st, line(t, min(at, len(t.text)))), true
}

func moveStmt(r *rng, t *tree) (string, string, bool) {
	if len(t.all) < 2 {
		return "", "", false
	}
	var src stmtAt
	if len(t.moving) > 0 && r.chance(3, 4) {
		src = pick(r, t.moving)
	} else {
		src = pick(r, t.all)
	}
	from, to, indent := t.stmtLines(t.stmtOf(src))
	var dests []stmtAt
	for _, a := range t.all {
		f, _, _ := t.stmtLines(t.stmtOf(a))
		if f < from || f >= to {
			dests = append(dests, a)
		}
	}
	if len(dests) == 0 {
		return "", "", false
	}
	df, _, dindent := t.stmtLines(t.stmtOf(pick(r, dests)))
	moved := reindent(t.text[from:to], indent, dindent)
	var text string
	if df >= to {
		text = t.text[:from] + t.text[to:df] + moved + t.text[df:]
	} else {
		text = t.text[:df] + moved + t.text[df:from] + t.text[to:]
	}
	return text, fmt.Sprintf("move the statement of line %d before line %d", line(t, from), line(t, df)), true
}

// forms wrap an expression ({e}) or replace it.
var forms = []string{
	"({e} is 1)", "({e} is not 'a')", "(not {e})", "(-{e})", "({e} if {n} else None)", "[{e}]", "({e},)",
	"({e})()", "({e})[0]", "({e}).attr", "(yield {e})", "(await {e})", "(_w := {e})", "(lambda: {e})",
	"({e} for _ in ())", "[{e} for _ in {e}]", "(*{e},)", "f'{{e}!r}'", "({e} if __debug__ else 0)",
	"({e} and {n})", "({e} or {n})", "({e} + 1)", "({e} % ({n},))", "({e} == None)", "({e} in (1, 2))",
	"({e} in [1, 2])", "({e} not in {1, 2})", "[*{e}]", "{{e}: {n}}", "({e}).__class__", "({e}, {e})",
	"(yield)", "(await {n})", "super()", "__class__", "__debug__", "({n} := 1)", "'\\d'", "1", "None",
	"(lambda {n}: {n})", "({n} for {n} in {n})", "[{n} async for {n} in {n}]", "(yield from {n})",
}

func wrapExpr(r *rng, t *tree) (string, string, bool) {
	if len(t.exprs) == 0 {
		return "", "", false
	}
	e := pick(r, t.exprs)
	s, end := t.start(e), t.end(e)
	if s >= end {
		return "", "", false
	}
	old := t.text[s:end]
	v := fill(r, t, pick(r, forms), paren(old))
	return t.text[:s] + v + t.text[end:], fmt.Sprintf("replace %q on line %d with %q", clip(old), line(t, s), clip(v)), true
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// Statements near the compiler's limits and past the sizes where its
// output changes shape, added to statements: blocks nested to
// CO_MAXBLOCKS (20) and one more, star-unpacking with 255 and 256 targets
// before the star, displays and calls longer than their one-instruction
// forms, bodies long enough for EXTENDED_ARG jumps, constants and names
// past 256, long folded chains, deep lambdas.
func init() {
	nest := func(head string, n int, body string) string {
		var b strings.Builder
		for i := range n {
			b.WriteString(strings.Repeat(" ", i) + head + "\n")
		}
		b.WriteString(strings.Repeat(" ", n) + body)
		return b.String()
	}
	seq := func(n int, f func(i int) string, sep string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = f(i)
		}
		return strings.Join(parts, sep)
	}
	num := func(i int) string { return fmt.Sprint(i) }
	name := func(i int) string { return fmt.Sprintf("_v%d", i) }
	statements = append(statements,
		nest("for _ in {n}:", 20, "pass"),
		nest("for _ in {n}:", 21, "pass"),
		nest("while {n}:", 19, "try:\n"+strings.Repeat(" ", 19)+" pass\n"+strings.Repeat(" ", 19)+"finally:\n"+strings.Repeat(" ", 19)+" pass"),
		nest("with {n}:", 21, "pass"),
		nest("try:", 10, "pass")+"\n"+seq(10, func(i int) string {
			return strings.Repeat(" ", 9-i) + "except E:\n" + strings.Repeat(" ", 10-i) + "pass"
		}, "\n"),
		seq(255, name, ", ")+", *_r = {n}",
		seq(256, name, ", ")+", *_r = {n}",
		"_r, *_s, "+seq(300, name, ", ")+" = {n}",
		"{n} = ["+seq(40, num, ", ")+"]",
		"{n} = {"+seq(40, num, ", ")+"}",
		"{n} = ("+seq(300, num, ", ")+")",
		"{n} = ["+seq(40, name, ", ")+"]",
		"{n} = {"+seq(20, func(i int) string { return fmt.Sprintf("'k%d': %d", i, i) }, ", ")+"}",
		"{n} = {"+seq(20, func(i int) string { return fmt.Sprintf("'k%d': _v%d", i, i) }, ", ")+"}",
		"{n} = {"+seq(20, func(i int) string { return fmt.Sprintf("_v%d: %d", i, i) }, ", ")+", **{n}}",
		"{n}("+seq(300, num, ", ")+")",
		"{n}("+seq(40, func(i int) string { return fmt.Sprintf("k%d=%d", i, i) }, ", ")+")",
		"def _h():\n"+seq(300, func(i int) string { return fmt.Sprintf("    _v%d = %d.5", i, i) }, "\n")+"\n    return _v0",
		"if {n}:\n"+seq(200, func(i int) string { return fmt.Sprintf("    {n}.a%d = _v%d", i, i) }, "\n")+"\nelse:\n    pass",
		"while {n}:\n"+seq(150, func(i int) string { return fmt.Sprintf("    if _v%d: continue", i) }, "\n"),
		"{n} = "+seq(300, func(int) string { return "1" }, " + "),
		"{n} = "+seq(300, func(int) string { return "'ab'" }, " + "),
		"{n} = "+seq(100, func(int) string { return "lambda: " }, "")+"{n}",
		"{n} = "+seq(60, func(int) string { return "(" }, "")+"{n}"+seq(60, func(int) string { return ")" }, ""),
		"{n} = "+seq(60, func(int) string { return "[" }, "")+"{n}"+seq(60, func(int) string { return "]" }, ""),
		"{n} = "+seq(30, func(i int) string { return fmt.Sprintf("f'{_v%d!r:>{%d}}'", i, i) }, " "),
		"def _h(self):\n"+seq(30, func(i int) string { return fmt.Sprintf("    self.a%d = self.b%d = %d", i, i, i) }, "\n"),
		"class _K:\n"+seq(30, func(i int) string { return fmt.Sprintf("    def m%d(self): self.x%d = super().m%d()", i, i, i) }, "\n"),
	)
}
