package astdump

import (
	"fmt"
	"math"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/internal/astjson"
)

// tableSources are sources whose trees hold every kind of constant and
// field form that ast.dump writes differently.
func tableSources() []string {
	srcs := []string{
		"",
		"pass\n",
		"x = (None, True, False, ..., 0, 1, -1, 0 if 0 else 0o7, 0xff, 0b101, 1_000, 0XDEAD_BEEF)\n",
		"x = (9223372036854775807, 9223372036854775808, 18446744073709551616, -9223372036854775808, 10**100)\n",
		"x = [0.0, 1.0, 1e16, 1e15, 1e-4, 1e-5, 1.5e300, 1e309, 5e-324, 2.675, 0.1, 1_0.5e1_0, .5, 5., 0e0]\n",
		"x = [0j, 1j, 1.5j, 1e16j, 1e309j, 5e-324j, 1J, 0.0j, 10j+5]\n",
		`x = ['', "'", '"', '\'"', "a'b", 'a"b', '\\', '\t\n\r\x00\x7f\x80\xa0\xad\u2028\U0010ffff', '\ud800', '\udc00\ud800', '\N{EM DASH}\N{LATIN SMALL LETTER A}']` + "\n",
		`x = [u'a', U"b", r'\d', R'\n', 'a' 'b', u'a' 'b', 'a' u'b', """x
y""", '''it's''']` + "\n",
		`x = [b'', b"'", b'"', b'\'"', b'\x00\xff\t\n\r\\', rb'\d', br'\x', b'a' b'b', B"x"]` + "\n",
		"x = f'a{b!r:>{w}} {c!s} {d!a} {e=} {f:%H} {{}} {g:{h}.{i}}'\nx = f''\nx = f'{a}' 'b' f'{c}'\nx = u'' f'{a}'\n",
		"match x:\n case None: pass\n case True | False: pass\n case 1 | -1 | 1+2j | -1.5-0j | 'a' 'b' | b'': pass\n case [a, *b, _]: pass\n case {'k': v, **r}: pass\n case C(1, y=z) as w: pass\n case a.b: pass\n",
		"def f[T: int = str, *Ts = x, **P = y](a, /, b: int = 1, *c, d, e=2, **g) -> None:\n '''doc'''\n return\nclass C[T](B, metaclass=M): pass\ntype X[T] = list[T]\n",
		"from . import a\nfrom .. b import c as d\nfrom x import *\nimport a.b.c as e, f\nglobal g, h\ndel a, b[0], c.d\n",
		"async def f():\n async with a as (b, c), d: pass\n async for x in y: await z\n return [i async for i in j if k if l]\n",
		"try:\n pass\nexcept* E as e:\n raise X from Y\nelse:\n pass\nfinally:\n pass\n",
		"x: int = 1\n(y): str\nz.a: int\nx += 1; x //= 2; x @= 3\nassert x, 'msg'\nwhile x: break\nelse: continue\n",
		"lambda: 0\nlambda a, *b, c=1, **d: (yield)\n(x := 1)\n{**a, 'b': c}\n{a for b in c}\n{a: b for c, d in e}\n(a for b in c)\na[1:2, ::3, ...]\n*a, b = c\nnot a and b or c\na if b else c\na < b <= c != d is e is not f in g not in h\n~a; -b; +c\na @ b % c << d >> e & f | g ^ h // i ** j\nx = yield from y\n",
		"x = 1" + strings.Repeat(" + 1", 150) + "\n",
		"x = 0x1" + strings.Repeat("0", 3600) + "\n", // 4335 digits: ast.dump fails
		"x = 0x1" + strings.Repeat("0", 3500) + "\n", // 4215 digits
		"# é\nx = 'é€😀'; y = ñ = 1\n",
	}
	// Floats near the switch between the two notations, and their
	// neighbours, written with 17 significant digits.
	var b strings.Builder
	b.WriteString("x = [")
	for e := -8; e <= 20; e++ {
		f := math.Pow(10, float64(e))
		for _, g := range []float64{f, math.Nextafter(f, 0), math.Nextafter(f, 2*f), 9.5 * f, 1.25 * f} {
			fmt.Fprintf(&b, "%.17g, ", g)
		}
	}
	b.WriteString("]\n")
	srcs = append(srcs, b.String())
	return srcs
}

// TestDumpTable parses the table's sources in the interpreter and compares
// Dump of each tree with its ast.dump.
func TestDumpTable(t *testing.T) {
	srcs := tableSources()
	for _, in := range astjson.Find313(t) {
		t.Run(in.Release.String(), func(t *testing.T) {
			var req astjson.Request
			req.Dump = true
			for _, s := range srcs {
				req.AddSource([]byte(s))
			}
			i, dumpErrors := 0, 0
			in.Parse(t, req, func(rec *astjson.Record) {
				defer func() { i++ }()
				if rec.ParseError != "" {
					t.Errorf("source %d: CPython cannot parse it: %s", i, rec.ParseError)
					return
				}
				if rec.DumpError != "" {
					dumpErrors++
				}
				if msg := compareDump(rec, in); msg != "" {
					t.Errorf("source %d %.60q: %s", i, srcs[i], msg)
				}
			})
			if i != len(srcs) {
				t.Fatalf("%d answers for %d sources", i, len(srcs))
			}
			if dumpErrors != 1 {
				t.Errorf("ast.dump failed on %d sources, want 1 (the huge int)", dumpErrors)
			}
		})
	}
}

// TestDumpDeep writes a chain of a million nested BinOps (what a + 1 + 1
// ... parses to) with the goroutine stacks limited to 1 MiB: Dump must not
// recurse.
func TestDumpDeep(t *testing.T) {
	const depth = 1000000
	var a ast.Arena
	var e ast.Expr = a.NewName()
	e.(*ast.Name).ID, e.(*ast.Name).Ctx = "a", ast.Load
	for i := 0; i < depth; i++ {
		b := a.NewBinOp()
		b.Left, b.Op, b.Right = e, ast.Add, a.NewConstant()
		b.Right.(*ast.Constant).Value = ast.IntValue(1)
		e = b
	}
	old := debug.SetMaxStack(1 << 20)
	defer debug.SetMaxStack(old)
	got, err := Dump(e, release.Release{Major: 3, Minor: 13, Micro: 0})
	if err != nil {
		t.Fatal(err)
	}
	unit := "BinOp(left="
	tail := ", op=Add(), right=Constant(value=1, lineno=0, col_offset=0, end_lineno=0, end_col_offset=0), lineno=0, col_offset=0, end_lineno=0, end_col_offset=0)"
	mid := "Name(id='a', ctx=Load(), lineno=0, col_offset=0, end_lineno=0, end_col_offset=0)"
	if len(got) != depth*(len(unit)+len(tail))+len(mid) ||
		!strings.HasPrefix(got, strings.Repeat(unit, 1000)+strings.Repeat(unit, 10)) ||
		got[depth*len(unit):depth*len(unit)+len(mid)] != mid || !strings.HasSuffix(got, strings.Repeat(tail, 1000)) {
		t.Fatalf("the dump of a %d-deep chain is not the chain (%d bytes)", depth, len(got))
	}
}
