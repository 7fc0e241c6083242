package codegen

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/astjson"
	"github.com/rules-pyc/rules_pyc/internal/oraclewire"
)

// cases are sources for the constructs and the errors and warnings of
// code generation; each is compiled by CPython and by this package.
var cases = []string{
	// match statements
	"match x:\n case 1: pass\n case [a, *b, c] if a: pass\n case {'k': v, **rest}: pass\n case P(1, y=z) | P(2, y=z): pass\n case _: pass\n",
	"match x:\n case [1, *_, 2]: pass\n case (a, b) | (b, a): pass\n case str() as s: pass\n case None: pass\n",
	"match x:\n case {1: a, 1.0: b}: pass\n",
	"match x:\n case a: pass\n case b: pass\n",
	"match x:\n case [a, a]: pass\n",
	"match x:\n case a | [b]: pass\n",
	"match x:\n case P(a=1, a=2): pass\n",
	// future annotations
	"from __future__ import annotations\ndef f(a: int | None = None, *b: list[str], c: 'x' = 1, **d: dict[str, tuple[int, ...]]) -> a.b[1:2, ::3]: pass\nx: -1 ** 2 + (not a) = 3\nclass C:\n y: (a if b else c) and d or e\n",
	// errors
	"return 1\n", "yield 1\n", "await x\n", "def f():\n await x\n", "break\n", "continue\n",
	"def f():\n x = [i async for i in y]\n", "async def f():\n yield from x\n",
	"async def f():\n yield 1\n return 2\n", "__debug__ = 1\n", "del __debug__\n", "def f(__debug__): pass\n",
	"f(a=1, a=2)\n", "x.__debug__ = 1\n",
	// more keywords than the quadratic check handles: the first repeated
	// name reported at its next occurrence, __debug__ before a repeat
	// after it, and the reverse
	manyKeywords(40, "k5", "k30", "k12", "k35"), manyKeywords(40, "k20", "__debug__", "k7", "k30"),
	manyKeywords(40, "k3", "__debug__", "k8", "k39"), manyKeywords(40),
	// more mapping pattern keys than are compared one by one: the duplicate
	// found through hashes (1 == 1.0 == True, -0.0 == 0)
	mappingKeys(40, ""), mappingKeys(40, "8.0"), mappingKeys(40, "-0.0"), mappingKeys(40, "'k5'"),
	mappingKeys(40, "11j"), mappingKeys(40, "6.5"), mappingKeys(40, "True"), mappingKeys(40, "3"),
	// and more class pattern attributes
	classAttrs(40, "k7", "k30", "k12", "k35"), classAttrs(40, "k3", "__debug__", "k8", "k39"), classAttrs(40), "a, *b, *c = d\n", "*a = b\n", "a = *b\n",
	"try:\n pass\nexcept:\n pass\nexcept E:\n pass\n",
	"try:\n pass\nexcept* E:\n break\n",
	"x = 1\nfrom __future__ import annotations\n",
	"def f[T=int, U](): pass\n",
	nested(21), nested(20),
	// warnings
	"x is 1\nx is not 'a'\n() is x\nassert (x, 'msg')\n'abc'(1)\n[1, 2][1, 2]\n{1}[0]\n(1)[x]\n",
	"try:\n pass\nfinally:\n x is 1\n",
	// assorted
	"class C[T](B, metaclass=M):\n def f(self): super().f(); self.a = 1; return __class__\n def g(self): return super().g\n",
	"type A[T: int, *Ts, **P] = dict[T, P]\ntype B = int\n",
	"async def f():\n async with a as b, c:\n  async for x in y:\n   await z\n return [i async for i in q]\n",
	"def g():\n x = 1\n class C:\n  y = [x for _ in z]\n  def h(self): return x\n return C\n",
	"with a as (b, c), d:\n for i in j:\n  if i: break\n  try: continue\n  finally: return_ = 1\n",
	"f(*a, b, *c, d=1, **e, f=2)\nx = {1: 2, **y, 3: 4}\nz = [*a, 1, 2]\ns = {1, 2, 3}\nt = (1, 2, 3, x)\n",
	"def f(a, /, b=1, *, c=2, d): '''  doc\n\tstring\n   end'''\n",
	"lambda: (yield)\nlambda x=1, *y, z=2, **k: x\n",
	"x = f'{a!r:>{w}} {b=} {c}'\ny = a if b else c\nz = a < b < c\n",
	// docstrings holding surrogates (UnicodeEncodeError but at -OO)
	"def f():\n \"a\\tb\\udc80c\"\n", "\"\\ud800\\udc00x\\ud801\"\n", "class C:\n \"\\udfff\"\n", "x = '\\udfff'\n",
	// reprs in messages
	"match x:\n case {1e300: a, 1e300: b}: pass\n", "match x:\n case {-0.0: a, 0: b}: pass\n", "match x:\n case {'é\\x00': a, 'é\\x00': b}: pass\n",
	"match x:\n case {1j: a, 1j: b}: pass\n", "match x:\n case {True: a, 1.0: b}: pass\n", "match x:\n case [é, é]: pass\n",
	// a finally body is compiled twice: its functions' two code objects are
	// equal, and merged
	"def g():\n try:\n  pass\n finally:\n  def f(): return 1\n  h = lambda: (2, f)\n  class C: pass\n",
	"try:\n pass\nfinally:\n def f(a=1): return [x for x in a]\n",
	// so is a while loop's condition: its generator expression too
	"def g(y):\n while any(x for x in y): y = y[1:]\n",
	// set order (hash order of PYTHONHASHSEED=0; equal items of other types dropped)
	"s = {'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 1, 1.0, True, (1, 2), b'x', 2.5, -3j}\nx in {'p', 'q', 'r', 's t', 0, 8, 16, 24, 32, 40}\nfor i in {9, 17, 25, 33, 41, 1, 'é', '日本'}: pass\ndef f(): return {0, 8, 16, 24, 32, 40, 48, 'a b', 'ab'}\n",
}

// renamedK returns the names k0, k1, ..., k(n-1), with set renaming pairs:
// name set[0] renamed to set[1], and so on.
func renamedK(n int, set []string) []string {
	rename := map[string]string{}
	for i := 0; i+1 < len(set); i += 2 {
		rename[set[i]] = set[i+1]
	}
	names := make([]string, n)
	for i := range names {
		names[i] = "k" + strconv.Itoa(i)
		if r, ok := rename[names[i]]; ok {
			names[i] = r
		}
	}
	return names
}

// manyKeywords is a call with n keywords named by renamedK, a **d among
// them.
func manyKeywords(n int, set ...string) string {
	var b strings.Builder
	b.WriteString("f(")
	for i, name := range renamedK(n, set) {
		if i == n/2 {
			b.WriteString("**d, ")
		}
		b.WriteString(name + "=" + strconv.Itoa(i) + ", ")
	}
	b.WriteString(")\n")
	return b.String()
}

// classAttrs is a match statement whose class pattern has n keyword
// patterns on the attributes renamedK names.
func classAttrs(n int, set ...string) string {
	var b strings.Builder
	b.WriteString("match x:\n case C(")
	for i, name := range renamedK(n, set) {
		b.WriteString(name + "=a" + strconv.Itoa(i) + ", ")
	}
	b.WriteString("): pass\n")
	return b.String()
}

// mappingKeys is a match statement whose mapping pattern has n literal keys
// of four types (ints, strs, floats, complex numbers) and then extra, if any.
func mappingKeys(n int, extra string) string {
	var b strings.Builder
	b.WriteString("match x:\n case {")
	for i := range n {
		switch i % 4 {
		case 0:
			b.WriteString(strconv.Itoa(i))
		case 1:
			b.WriteString("'k" + strconv.Itoa(i) + "'")
		case 2:
			b.WriteString(strconv.Itoa(i) + ".5")
		case 3:
			b.WriteString(strconv.Itoa(i) + "j")
		}
		b.WriteString(": a" + strconv.Itoa(i) + ", ")
	}
	if extra != "" {
		b.WriteString(extra + ": z")
	}
	b.WriteString("}: pass\n")
	return b.String()
}

// annotations are expressions written back as text under "from
// __future__ import annotations" (Python/ast_unparse.c), each in a module
// annotation and a function's.
var annotations = []string{
	"lambda: 1", "lambda x: x", "lambda *a: 0", "lambda **k: 0", "lambda x, /, y=1, *z, w, v=2, **k: (x, y)",
	"lambda *, k=1: k", "lambda x=1, /: x", "lambda x, /: x", "lambda a, b=2, /, c=3: a", "(lambda: 1)()",
	"[x for x in y if x if z]", "{x: y for x, y in z}", "{x for x in y}", "(x for x in y)", "f(x for x in y)",
	"f((x for x in y), 1)", "[x async for x in y]", "[(a, b) for a in x for b in (lambda: y)()]",
	"[x for x in (a if b else c)]", "[x for x, in y]", "[x for *x, y in z]",
	"f'{x}'", "f'{x!r:>{w}} {y=} {{lit}} {z:{a}.{b}}'", "f'{ {1: 2}[1] }'", "f'{(lambda: 1)()}'", `f"{'a'}"`,
	`f'a\nb'`, `f'{x!s}{y!a}'`, `f'{x:%Y-%m-%d}'`, `f'{x:{{}}>10}'`, `f'{"}"}'`, `f"{x}'{y}\""`, "f''", "f'{x}' 'y'",
	"u'x'", "1e309", "-1e309", "1e309j", "(1+2j)", "1j", "-1j", "1e309 - 1e309j", "0.1", "1e16", "1e-5", "12345678901234567890",
	`'it\'s'`, `"say \"hi\""`, `'both \' and "'`, `b'bytes\x00'`, `"é\u2028\x7f\U0001F600"`, `'\ud800'`,
	"(1, 2)", "()", "(1,)", "((1, 2), 3)", "x[1:2, ::3, ...]", "x[()]", "x[:]", "x[a:b:c]", "x[1:2][3]", "x[*a]",
	"not x", "-x ** -y", "(-x) ** y", "x ** y ** z", "(x ** y) ** z", "x if y else (z if w else v)",
	"(x if y else z) if w else v", "x < y == z", "(x < y) < z", "x is not y in z not in w", "1 .real", "True.real",
	"1.0.real", "x.y.z", "{**a, 'b': 1}", "{1, 2}", "[*a, *b]", "f(*a, **k, x=1)", "f(a, *b, c=1, **d)",
	"a and b or c and not d", "(a or b) and c", "not (a and b)", "a | b & c ^ d << e >> f + g - h * i @ j / k % l // m",
	"((a + b) * c) ** d ** e", "~x", "+x", "-(-x)", "~(a + b)", "(a, b)[0]", "(yield)", "await x", "...", "None",
	"True", "False", "{}", "[]", "{1: 2, **x}", "f()", "f(x)(y)", "(*a,)", "x[a, b]", "x[(a, b)]",
	"f'{x:{y}}' f'{z}'", "f'{x=!r:10}'", "f'{x=:{y}}'",
}

// annotationSources are the sources of annotations.
func annotationSources() []string {
	var out []string
	for _, a := range annotations {
		out = append(out, "from __future__ import annotations\nx: "+a+"\ndef f(p: "+a+") -> "+a+": pass\nclass C:\n y: "+a+"\n")
	}
	// An int too long for repr() is a ValueError.
	out = append(out, "from __future__ import annotations\nx: 0x"+strings.Repeat("f", 4000)+"\n")
	return out
}

func TestCases(t *testing.T) {
	cases := append(append([]string(nil), cases...), annotationSources()...)
	for _, in := range astjson.Find313(t) {
		t.Run(in.Release.String(), func(t *testing.T) {
			var req astjson.Request
			for _, src := range cases {
				req.AddSource([]byte(src))
			}
			req.Extra = oraclewire.Prelude + oracleScript
			k := &checker{in: in, cfg: startOptCfg(t, in)}
			i := 0
			in.Parse(t, req, func(rec *astjson.Record) {
				src := cases[i]
				i++
				if rec.ExtraError != "" {
					t.Errorf("%q: oracle: %s", src, rec.ExtraError)
					return
				}
				if rec.ParseError != "" {
					t.Errorf("%q: CPython's parser rejects it: %s", abbrev(src), rec.ParseError)
					return
				}
				var levels []oLevel
				if err := json.Unmarshal(rec.Extra, &levels); err != nil {
					t.Fatal(err)
				}
				for from := cpythonTree; from <= nativeTree; from++ {
					for o := range levels {
						oc, msgs := k.compareLevel(rec.Name, []byte(src), false, o, &levels[o], from)
						if oc == differs {
							t.Errorf("%q -O%d (%s):\n    %s", abbrev(src), o, from, strings.Join(msgs, "\n    "))
						}
					}
				}
			})
		})
	}
}

// nested is n nested for loops.
func nested(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(strings.Repeat(" ", i) + "for x in y:\n")
	}
	b.WriteString(strings.Repeat(" ", n) + "pass\n")
	return b.String()
}

// abbrev shortens a long source for messages.
func abbrev(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}
