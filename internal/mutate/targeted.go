package mutate

import (
	"fmt"
	"strings"
)

// statements are lines inserted whole, at a line boundary and with the
// indentation of the line they are inserted before: constructs that are
// invalid in a way CPython's grammar has its own message for, and valid
// ones that are rare in real code. "\n" in them starts a line at the same
// indentation.
var statements = []string{
	"except E, F:", "def f(a, /, b, /): pass", "def f(*, a, *): pass", "def f(**k, a): pass",
	"def f(*a=1): pass", "def f(**k=1): pass", "lambda (x): x", "def f((a)): pass", "print x",
	"f(**k, *a)", "{**x for x in y}", "[*x for x in y]", "x = *a", "del *a", "a, b: int = 1",
	"(yield) = 1", "x = yield = 1", "with (a as b c): pass", "from x import a,", "import a from b",
	"f(a for a in b, c)", "def f(a=1, /, b): pass", "x: int, y: int = 1, 2", "[x, y]: int",
	"not x = 1", "x = a if b else", "x = {a: *b}", "x = {a: **b}", "f(x=)", "def f(x=): pass",
	"1 = x", "x = f'{x'", "x = f'{!r}'", "x = f'{x!}'", "x = f'{x:'", "x = f'{lambda: 1}'",
	"x = a if b", "x = (a for a in b) = 1", "with a as 1: pass", "for 1 in x: pass",
	"async x", "a.1", "x.(y)", "class C(x for x in y): pass", "def f[](): pass",
	"type X[] = int", "def f[T: (int, str), *Ts, **P](): pass", "type A[T = int] = T",
	"match x:\n    case [a, *b, *c]: pass", "match x:\n    case {1: a, **_}: pass",
	"match x:\n    case 1 + 1: pass", "match x:\n    case a.b(): pass", "match x:\n    case f(x=1, 2): pass",
	"match x:\n    case a as _: pass", "match x:\n    case -1j: pass", "match x:\n    case *a: pass",
	"match x:\n    case {**a, 1: b}: pass", "match x:\n    case (a | b) as c: pass", "match x:\n    case 1 if: pass",
	"match x:\n    case Point(x=0, y=0) | [1, 2, *rest] | {'k': v, **kw} | 1j | -1 | 'a' 'b' | None: pass",
	"try:\n    pass\nexcept E:\n    pass\nexcept* F:\n    pass", "try:\n    pass", "try:\n    pass\nelse:\n    pass",
	"assert x,", "raise X from", "del f()", "del (a, b) + c", "x += 1 = 2", "f() += 1",
	"a < b = c", "'a' 'b' = c", "... = 1", "True = 1", "__debug__ = 1", "def f(None): pass",
	"import a.b as c.d", "from .. import", "from . import *", "x = [i for i in range(3) if i else 0]",
	"x = {i: j for i, j}", "x = (a, b for a in c)", "f(a, *b, c=1, **d, e)", "x = a b", "x = 1 2",
	"x = 'a' b", "if x = 1: pass", "while x := 1 = 2: pass", "x = [1, 2 3]", "x = {1: 2, 3}",
	"def f(a, *, b=1, **c,): pass", "x = lambda *a, **k: (a, k)", "x = (yield)", "x = await y",
	"async def f():\n    yield from x", "def f():\n    nonlocal x", "global x, y",
	"x = 0xFFFF_FFFF_FFFF_FFFF_FFFF", "x = 1_000.000_1e-1_0j", `x = b'\xff' b'\x00'`,
	"x = f'{x:{y}.{z}f}' f'{a!a}' 'plain'", `x = f'{f"{1}"}'`, `x = rf'\{x}' fR'{{}}'`,
	`x = '\N{EM DASH}\N{LATIN SMALL LETTER A WITH ACUTE}'`, `x = '\N{BULLET'`, `x = '\N{NOT A NAME}'`,
	`x = b'\u1234'`, "x = b'\u00e9'", `x = '\777'`, `x = u'\ud800'`, "x = 1if 1else 0",
	"x = 0777", "x = 0b102", "x = 0o78", "x = 0x1g", "x = 1e", "x = 1_", "x = 1__2", "x = 5j_",
	"x = 1.__class__", "x = 1 .real", "x = not", "x = a not b", "x = -", "x = a[]", "x = a[1:2:3:4]",
	"x = {**}", "x = [**a]", "x = (*a)", "print(*)", "f(*)", "f(**)", "f(a=1, *b)", "f(a=1, b)",
	"f(a=1, a=2)", "f(x for x in y)", "class C(metaclass=M, *bases): pass",
	"@decorator\nx = 1", "@\ndef f(): pass", "@x.y[0](1)\ndef f(): pass", "return x y", "yield x y",
	"with open(f) as g, open(h) as i,: pass", "with (open(f) as g, open(h) as i,): pass",
	"for x in *a, *b: pass", "for x, in y: pass", "x = [a := 1 for a in b]", "x = (a.b := 1)",
	"def f(x): return (yield)", "async with a as b, c as d: pass", "x = [await y async for y in z]",
	"if x:\npass", "if x:\n        pass\n    pass", "if x:\n\tpass\n        pass", "else: pass", "elif x: pass",
	"except: pass", "finally: pass", "case 1: pass", "x = (", "x = [1,\n", "x = }", "x = (]", `'''`,
	"x = '''abc", `x = "abc`, `x = 1 \ 2`, `x = 1 \`, `\`, "x = $", "x = a ?? b", "x = a ?: b",
	"x = a => b", "x = a <> b", "x = a === b", "x = a !== b", "x = !a", "x = a && b", "x = a++",
	"type = 1", "match = 1", "case = 1", "_ = 1", "print = 1", "def match(): pass", "soft = type",
	"type X = lambda: (yield)", "x = f'{x!r=}'", "x = f'{x:{y:{z:{w}}}}'", "x = f'{}'", "x = f'}'",
	"x = f'{'", "x = f'{x}}'", "x = f'{x!r:}'", "x = f'{x#}'", "x = f'''{\nx\n}'''", "x = f'{yield}'",
	"x = f'{*a}'", "x = f'{**a}'", "x = f'{a:=1}'", "x = f'{(a:=1)}'", "x = f'{x!s!r}'", "x = f'{x=:}'",
	"x = 1 if 2 else 3 if 4", "x = [x for x in]", "x = [for x in y]", "x = {x: y for x, y in}",
	"def f(a, b=1, *c, d, e=2, **f): pass", "def f(a, b, /, c, *, d): pass", "lambda a, /, b, *, c: 0",
	"class C[T](B, metaclass=M): pass", "def f[T, *Ts, **P](x: T) -> T: pass",
	"x: int", "x: int = 1", "(x): int = 1", "x.y: int", "x[0]: int = 1", "x, y = y, x", "x = y = z",
	"del x, y[0], z.a", "import a.b.c as d, e", "from ...a import (b as c, d)", "from __future__ import annotations",
	"with a, b as c, d: pass", "with (a, b): pass", "with (yield): pass", "for x, *y in z: pass",
	"while 1:\n    break\nelse:\n    continue", "try:\n    pass\nexcept (A, B) as e:\n    raise\nfinally:\n    pass",
	"async def f():\n    async with a as b:\n        await c\n    async for d in e:\n        pass",
	"x = a @ b @= c", "x @= y", "x **= -y ** -z", "x = ~-+x", "x = not not x", "x = a < b < c != d is not e not in f",
	"x = a if b else c if d else e", "x = lambda: (yield)", "x = (y := 1)", "x = [y := 1, y**2]",
	"x = {**a, 'b': 1, **c}", "x = {*a, *b}", "x = [*a, *b]", "x = *a, *b", "x = a[1:2, ::3, ...]",
	"x = a[b:=1]", "x = a[*b]", "print(*a, *b, **c, **d)", "f(a)(b)(c)", "x = a.b.c.d",
	"for x y in z: pass", "def f(*a, *b): pass", "def f(*, a, /): pass", "import", "from x import",
	"def f(/): pass", "f(*a=1)", "f(**a=1)", "x = **a", "def f(a, /*): pass", "try:\n    pass\nexcept as e:\n    pass",
	"match x:\n    case 1 as 2: pass", "match x:\n    case a as b.c: pass", "try:\n    pass\nexcept A, B:\n    pass",
	"try:\n    pass\nexcept* A, B:\n    pass", "from __future__ import barry_as_FLUFL\nx = 1 != 2",
	"from __future__ import barry_as_FLUFL\nx = 1 <> 2", "x = f'{x! r}'", "x = f'{x!r }'", "lambda *a=1: 0",
	"lambda **k=1: 0", "lambda a=1, b: 0", "lambda *, **k: 0", "lambda a, *a: 0", "def f[T = int, U](): pass",
	"def f[*Ts = *tuple[int]](): pass", "class C[**P = [int]]: pass", "x = a = *b", "del x + 1", "del (x for x in y)",
	"del [a, f()]", "(x for x in y) = 1", "[x for x in y] = 1", "{x: y for x in z} = 1", "f'{x}' = 1", "a if b else c = 1",
	"(a, *b, *c) = d", "[a, b] += c", "x.y += 1 = 2", "lambda: x = 1", "x = lambda: yield", "x = yield from",
	"x = 1 if 2 else 3 = 4", "x = not = 1", "a + 1 += 2", "global x = 1", "nonlocal x = 1", "import a as b.c",
	"from a import b as c.d", "from a import (b", "from a import b)", "import a.", "import .a", "from . import a as",
	"with a as (b, c): pass", "with a as [b, c]: pass", "with a as b[0], c as d.e: pass", "with: pass",
	"async with: pass", "for in x: pass", "for x in: pass", "while: pass", "if: pass", "elif: pass", "class: pass",
	"class C(: pass", "class C(a=1, b): pass", "def f(a b): pass", "def f(a=1 b): pass", "def f(a,, b): pass",
	"def f() -> : pass", "def f()\n    pass", "def f(): return\n  x", "raise from e", "raise X, Y", "assert",
	"print >>f, x", "exec code in ns", "x = `x`", "x = 0L", "x = 0777L", "x = ur'x'", "x = 1 if else 2",
	"x = [1, 2, 3,,]", "x = (,)", "x = {,}", "x = [,]", "f(,)", "f(a,,b)", "x = {1: 2: 3}", "x = {1:}", "x = {:1}",
	"x = a[1:2:3:]", "x = a[:::]", "x = a.", "x = .a", "x = a..b", "x = 1..real", "x = 1.e", "x = 1e+",
	"x = 0b", "x = 0o", "x = 0x", "x = 0b1_", "x = 0_b1", "x = 1_j", "x = 1.5_", "x = 1._5",
	"match x:\n    case {a: 1}: pass", "match x:\n    case {**a, **b}: pass", "match x:\n    case C(a=1, a=2): pass",
	"match x:\n    case [*_, *_]: pass", "match x:\n    case 1 | x: pass", "match x:\n    case f(): pass\n    case _: pass\n    case 1: pass",
	"match x:\n    case (1 as a) | (2 as b): pass", "match x:\n    case a.b.c | d.e: pass", "match x:\npass", "match x:\n    pass",
	"match x, y:\n    case 1, 2: pass", "match *x:\n    case 1: pass", "match:\n    case 1: pass", "match x\n    case 1: pass",
	"type X", "type X =", "type X[T] = list[T", "type X[] = int", "type 1 = int", "type X[T,] = T", "type X[*] = T",
	"async for x in y: pass", "async while x: pass", "async if x: pass", "await", "async", "async = 1",
	"x = [await]", "def f(): yield = 1", "x = a := 1", "(a := 1) = 2", "x = (a, b := 1)", "f(a := 1, b=2)",
	"f(x for x in y)(z)", "x = [i for i in range(10) if i if i]", "x = [i for i in*a]", "x = {**a: b}", "x = {*a: b}",
	"@x\nclass C: pass", "@x\n@y\nasync def f(): pass", "@x y\ndef f(): pass", "@x\n\ndef f(): pass", "@x\nx = 1",
}

func insertStatement(r *rng, toks []token) ([]token, string) {
	if len(toks) == 0 {
		return insertToken(r, toks)
	}
	starts := lineStarts(toks)
	s := pick(r, starts)
	indent := toks[s].pre
	v := pick(r, statements)
	text := strings.ReplaceAll(v, "\n", "\n"+indent) + "\n"
	t := token{pre: indent, text: text, cls: cOther}
	return insertAt(toks, s, t), fmt.Sprintf("insert the statement %q before line %d", v, lineOf(toks, s))
}

// names are identifiers a name can be renamed to: keywords, soft
// keywords, names NFKC changes, non-ASCII letters, names CPython treats
// specially.
var names = []string{
	"x", "_", "__debug__", "None", "match", "case", "type", "print", "self", "await", "async",
	"\u00e9t\u00e9", "\uff21\uff22", "\u2160", "\ufb01le", "\u00b5", "\u212b", "\u0391\u03b2", "\u4e2d\u6587", "a\u200c",
	"\U0001d4b3", "_\u0660", "\u0660", "\u00aa", "\u1e9b\u0323", "__class__", "__annotations__", "yield",
	"\u2118", "\u212e", "\u309b", "a\u00b7b", "\u0e33", "\u3031", "\U0002ebf0",
}

func renameName(r *rng, toks []token) ([]token, string) {
	i := at(r, toks, func(t token) bool { return t.cls == cName })
	if i < 0 {
		return replaceConstant(r, toks)
	}
	v := pick(r, names)
	old := toks[i].text
	// Every occurrence, so that the source usually stays valid.
	for j := range toks {
		if toks[j].cls == cName && toks[j].text == old {
			toks[j].text = v
		}
	}
	return toks, fmt.Sprintf("rename %q to %q", old, v)
}

// constants are valid literals of every kind, chosen for what their repr
// and their parsing must get right.
var constants = []string{
	"0", "1", "-1", "0xFF", "0o777", "0b1011", "1_000_000", "123456789012345678901234567890",
	"0x" + strings.Repeat("f", 40), "1.0", "0.1", "1e300", "1e-7", "1e1000", "1.5e-10", "0.0", "-0.0",
	"1j", "2.5j", "1e1000j", "0j", "10.", ".5", "1_0.0_1", "3.141592653589793", "1e22", "1e16", "123e-20",
	"'s'", `"d"`, `'\x00\n\t\r\x7f'`, `'\u00e9'`, "'\u00e9'", `'\U0001F600'`, `'\N{BULLET}'`,
	`b'\xff\x00'`, "b''", `r'\d+'`, `rb'\x'`, "'''multi\nline'''", "'a' 'b'", "'a' f'{b}'",
	`f'{x!r:>{w}}'`, "f'{x=}'", "f'{x = !s:^10}'", "f'{{}}'", `f'{"nested"}'`, "f'{f'{1}'}'",
	`'\ud800'`, `'\''`, `"'"`, `'"'`, `"\"'"`, "u'x'", "...", "None", "True", "False",
	`'\u0085\u00a0\u2028\u3000'`, `'\x80\x9f\xad'`, `'\U000e0001'`, `'\u0378'`, `b'\\'`,
	"'\u00e9' 'b'", "b'a' b'b'", "''", `""""""`, `'\x1b[0m'`, "-1e-300", "1_2j", "0_0",
	"'\u0085\u00a0\u2028\u3000\u200b\ufeff'", "'\U0001F600\u0301'", `'\r\n'`, "1e-320", "2.2250738585072014e-308",
	"9007199254740993", "0.30000000000000004", "1e15", "123456789.123456789", "1_000j",
}

func replaceConstant(r *rng, toks []token) ([]token, string) {
	i := at(r, toks, func(t token) bool { return t.cls == cNumber || t.cls == cString })
	if i < 0 {
		i = at(r, toks, func(t token) bool { return t.cls == cName })
		if i < 0 {
			return insertToken(r, toks)
		}
	}
	v := pick(r, constants)
	what := fmt.Sprintf("replace %s with %q", describe(toks, i), v)
	toks[i].text, toks[i].cls = v, cOther
	return toks, what
}

// binaryOps can stand for one another.
var binaryOps = []string{"+", "-", "*", "/", "//", "%", "**", "@", "<<", ">>", "&", "|", "^", "<", ">", "<=", ">=", "==", "!=", "in", "not in", "is", "is not", "and", "or"}

func swapOperator(r *rng, toks []token) ([]token, string) {
	i := at(r, toks, func(t token) bool {
		for _, op := range binaryOps {
			if t.text == op {
				return true
			}
		}
		return false
	})
	if i < 0 {
		return replaceRelated(r, toks)
	}
	v := pick(r, binaryOps)
	what := fmt.Sprintf("replace %s with %q", describe(toks, i), v)
	toks[i].text, toks[i].cls = v, cOther
	return toks, what
}

// nestDeeply nests a token in many brackets, a line in many blocks, or
// writes a huge literal: CPython's limits (200 brackets, 100 indentation
// levels, 4300 digits, nested f-strings) and its parser's stack.
func nestDeeply(r *rng, toks []token) ([]token, string) {
	i := at(r, toks, notNewline)
	if i < 0 {
		return insertToken(r, toks)
	}
	n := 180 + r.intn(40)
	var what string
	switch r.intn(6) {
	case 0:
		toks[i].text = strings.Repeat("(", n) + toks[i].text + strings.Repeat(")", n)
		what = fmt.Sprintf("nest %s in %d parentheses", describe(toks, i), n)
	case 1:
		toks[i].text = strings.Repeat("[", n/2) + toks[i].text + strings.Repeat("]", n/2)
		what = fmt.Sprintf("nest %s in %d brackets", describe(toks, i), n/2)
	case 2:
		depth := 95 + r.intn(10)
		var b strings.Builder
		for d := range depth {
			b.WriteString(strings.Repeat(" ", d) + "if x:\n")
		}
		b.WriteString(strings.Repeat(" ", depth) + "pass\n")
		toks = insertAt(toks, 0, token{text: b.String(), cls: cOther})
		what = fmt.Sprintf("start with %d nested blocks", depth)
	case 3:
		what = fmt.Sprintf("replace %s with a number of about 4300 digits", describe(toks, i))
		toks[i].text = "1" + strings.Repeat("0", 4290+r.intn(20))
	case 4:
		// PEP 701: an f-string nests in one with the same quotes, up to a
		// limit.
		depth := 140 + r.intn(20)
		what = fmt.Sprintf("replace %s with %d f-strings nested in the same quotes", describe(toks, i), depth)
		toks[i].text = strings.Repeat(`f"{`, depth) + "x" + strings.Repeat(`}"`, depth)
	default:
		depth := 1 + r.intn(4)
		s := "x"
		for d := range depth {
			q := []string{"'", `"`, "'''", `"""`}[d%4]
			s = "f" + q + "{" + s + "}" + q
		}
		what = fmt.Sprintf("replace %s with %d nested f-strings", describe(toks, i), depth)
		toks[i].text = s
	}
	return toks, what
}
