package symtable

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/astjson"
)

// scopingCases are valid sources whose scoping is tricky.
var scopingCases = []string{
	// Functions, closures, global and nonlocal.
	"x = 1\ndef f():\n    return x\n",
	"def f():\n    x = 1\n    def g():\n        return x\n    return g\n",
	"def f():\n    x = 1\n    def g():\n        nonlocal x\n        x = 2\n    return g\n",
	"def f():\n    global x\n    x = 1\n    def g():\n        return x\n",
	"def f(a, /, b, *c, d, e=1, **f):\n    return a, b, c, d, e, f\n",
	"def f(a):\n    def g():\n        def h():\n            return a\n        return h\n    return g\n",
	"def f():\n    def g():\n        x = 1\n        def h():\n            nonlocal x\n            def i():\n                return x\n    return g\n",
	"def f():\n    x = y = z = 1\n    def g():\n        return z, y, x, w, v\n",
	"def f():\n    a = b = c = d = e = 1\n    def g():\n        def h():\n            return e, d, c, b, a\n",
	"global a\na = 1\n",
	"def f():\n    global a, b\n    def g():\n        global c\n        return a, b, c\n",
	"def f():\n    del x\n    x = 1\n",
	"def f(x):\n    del x\n",
	"lambda: 0\nlambda x, *y, z=1, **w: (x, y, z, w)\n",
	"def f(x=lambda: y, *, k=lambda: z):\n    pass\n",
	"def f():\n    return lambda: (lambda: x)\n",
	"def f(x):\n    return lambda y: lambda z: x + y + z\n",
	"def f():\n    yield\n",
	"def f():\n    yield from g()\n",
	"async def f():\n    await g()\n",
	"async def f():\n    yield 1\n",
	"async def f():\n    async for x in y:\n        pass\n    async with z as w:\n        pass\n",
	"def f():\n    return (x async for x in y)\n",
	"async def f():\n    return [x async for x in y]\n",
	"async def f():\n    return [await x for x in y]\n",
	"def f():\n    return [[y async for y in x] for x in z]\n",
	"async def f():\n    return {x: y async for x, y in z}\n",
	"def f():\n    return (await x for x in y)\n",
	// Comprehensions, inlined and not.
	"[x for x in y]\n{x for x in y}\n{x: y for x, y in z}\n(x for x in y)\n",
	"def f():\n    return [x for x in y if x for z in x]\n",
	"def f():\n    x = 1\n    return [lambda: x for _ in y]\n",
	"def f():\n    return [lambda: i for i in range(3)]\n",
	"def f():\n    return [(lambda: i, j) for i in range(3) for j in range(i)]\n",
	"def f():\n    return [[lambda: (i, j) for j in range(i)] for i in range(3)]\n",
	"def f():\n    return [x for x in [y for y in z]]\n",
	"def f():\n    return [x for x in y for y in x]\n",
	"def f():\n    a = 1\n    return [(x, a) for x in a]\n",
	"def f():\n    x = 1\n    [x for x in y]\n    return x\n",
	"def f():\n    [x for x in y]\n    def g():\n        return x\n",
	"def f():\n    x = 0\n    def g():\n        return x\n    return [x for x in y]\n",
	"def f(x):\n    return [(x, lambda: x) for x in x]\n",
	"def f():\n    return [i for i in range(3) if (lambda: i)()]\n",
	"def f():\n    return {x: [y for y in x] for x in z}\n",
	"def f():\n    return [(yield_) for yield_ in y]\n",
	// Assignment expressions.
	"if (n := 10) > 5:\n    pass\n",
	"def f():\n    if any((y := x) for x in z):\n        return y\n",
	"def f():\n    return [y := x for x in z], y\n",
	"def f():\n    global y\n    return [y := x for x in z]\n",
	"def f():\n    y = 0\n    def g():\n        return [y := x for x in z]\n    return g\n",
	"[y := x for x in z]\nprint(y)\n",
	"def f():\n    return [[(w := v) for v in u] for u in t]\n",
	"def f():\n    return [x for x in y if (z := x)]\n",
	"def f():\n    return lambda: [(a := b) for b in c]\n",
	"def f():\n    nonlocal_ = [(q := 1) for _ in 'a']\n    def g():\n        nonlocal q\n        q = 2\n",
	// Classes.
	"class C:\n    x = 1\n    def f(self):\n        return x\n",
	"class C:\n    def f(self):\n        return __class__\n",
	"class C:\n    def f(self):\n        return super().f()\n",
	"class C:\n    def f(self):\n        def g():\n            return super()\n        return g\n",
	"class C:\n    super()\n    __class__\n",
	"class C:\n    x = [super() for _ in y]\n",
	"class C:\n    x = [__class__ for _ in y]\n    z = [__class__ for _ in y]\n",
	"class C:\n    def f(self):\n        return [__class__ for _ in y]\n",
	"class C:\n    x = [lambda: __class__ for _ in y]\n",
	"class C:\n    x = [lambda: super() for _ in y]\n",
	"class C:\n    x = [lambda: __classdict__ for _ in y]\n",
	"class C:\n    x = [__classdict__ for _ in y]\n",
	"class C:\n    x = [[__class__ for _ in z] for _ in y]\n",
	"class C:\n    x = [(__class__, lambda: __class__) for _ in y]\n",
	"class C:\n    def f(self):\n        return __class__\n    x = [lambda: __class__ for _ in y]\n",
	"class C:\n    y = 1\n    x = [y for _ in z]\n",
	"class C:\n    y = 1\n    x = [y for _ in y]\n",
	"class C:\n    x = [i for i in range(3)]\n    i = 0\n",
	"def f():\n    x = 1\n    class C:\n        y = x\n        def g(self):\n            return x\n",
	"def f():\n    x = 1\n    class C:\n        x = 2\n        def g(self):\n            return x\n",
	"def f():\n    x = 1\n    class C:\n        nonlocal x\n        x = 2\n",
	"def f():\n    class C:\n        global x\n        def g(self):\n            return x\n",
	"def f():\n    a = b = c = d = e = 1\n    class C:\n        v = [lambda: (a, b, c, d, e) for x in z]\n",
	"def f():\n    a = b = c = d = e = f = g = h = i = j = 1\n    class C:\n        v = [lambda: (j, i, h, g, f, e, d, c, b, a) for x in z]\n",
	"def f():\n    a = b = c = 1\n    class C:\n        v = [(lambda: a, lambda: b, lambda: c) for x in z]\n        w = [lambda: (c, b, a) for y in z]\n",
	"class C:\n    __x = 1\n    def __f(self, __y):\n        return self.__x, __y, __z\n",
	"class _C:\n    def f(self, __a):\n        import __b.c\n        import __d as __e\n        return __a\n",
	"class ___:\n    __x = 1\n",
	"class C:\n    def __f__(self):\n        __x__ = 1\n",
	"class C:\n    class D:\n        __x = 1\n    __y = 2\n",
	"class C:\n    global __x\n    nonlocal_ = __x\n",
	"class C:\n    x: int = 1\n    y: int\n    (z): int = 2\n",
	"def f():\n    x: int\n    y: int = 1\n    z.a: int = 1\n    w[0]: int\n",
	// Type parameters and aliases.
	"type A = int\ntype B[T] = list[T]\n",
	"def f[T](x: T) -> T:\n    return x\n",
	"def f[T: int, *Ts, **P](x: T, *y: *Ts, **z: P.kwargs) -> T:\n    pass\n",
	"def f[T = int, *Ts = (), **P = ...]():\n    pass\n",
	"def f[T](a=1, *, b=2):\n    pass\n",
	"def f[T](*, b):\n    pass\n",
	"class C[T]:\n    x: T\n",
	"class C[T](Base[T], metaclass=M):\n    def f(self) -> T:\n        return super().f()\n",
	"class C:\n    type A = int\n    type B[T] = dict[T, A]\n",
	"class C:\n    T = 1\n    def f[U: T](self, x: U) -> U:\n        pass\n",
	"class C:\n    def f[U: (int, str) = int](self):\n        pass\n",
	"class C[__T]:\n    def f(self, x: __T):\n        __y = 1\n",
	"class C:\n    class D[__T, __U: __V]:\n        __a = __T\n",
	"def f():\n    x = 1\n    class C[T]:\n        y = x\n        def g(self) -> T:\n            return x\n",
	"def f():\n    type A[T] = lambda: (T, x)\n    x = 1\n",
	"class C:\n    type A = [x for x in y]\n    def f[T](self, a: [z for z in T]):\n        pass\n",
	"class C:\n    type A = lambda: A\n",
	"class C:\n    x = 1\n    type A[T: x] = [x for _ in T]\n",
	"def outer():\n    T = 1\n    class C[T]:\n        pass\n    def f[T]():\n        nonlocal_ = T\n",
	"class C[T]:\n    T = 2\n    def f(self):\n        return T\n",
	"class C:\n    global X\n    type A = X\n    def f[T: X](self):\n        pass\n",
	"def f[T]():\n    def g():\n        return T\n",
	"type A[*Ts] = tuple[*Ts]\ntype B[**P] = Callable[P, int]\n",
	// Match statements and exceptions.
	"match x:\n    case [a, *b, {'k': c, **d}] if a:\n        pass\n    case C(e, f=g) | (h as i):\n        pass\n    case {**rest}:\n        pass\n    case _:\n        pass\n",
	"def f(x):\n    match x:\n        case [y, *_] as z:\n            return lambda: (y, z)\n",
	"try:\n    pass\nexcept E as e:\n    pass\n",
	"def f():\n    try:\n        pass\n    except* F as f:\n        return lambda: f\n    finally:\n        g = 1\n",
	"def f():\n    try:\n        pass\n    except Exception as e:\n        return lambda: e\n",
	"with a as (b, c), d as e[0]:\n    pass\n",
	"import a.b.c\nimport a.b as d\nfrom . import e\nfrom .f import *\nfrom g import h as i\n",
	"for (a, b), *c in d:\n    pass\nelse:\n    e = 1\n",
	"while (x := f()):\n    del x\n",
	"def f():\n    return super\n",
	"def f():\n    super = 1\n    return super()\n",
	"x = __debug__\n",
	// Future statements.
	"from __future__ import annotations\ndef f(x: y) -> z:\n    a: b = c\n",
	"'''doc'''\nfrom __future__ import annotations, division\nclass C:\n    x: [y for y in z]\n",
	"from __future__ import annotations\ndef f(x: lambda: y):\n    pass\n",
	"from __future__ import annotations\ndef f[T](x: T) -> T:\n    pass\n",
	"from __future__ import barry_as_FLUFL\nx = 1\n",
	"from __future__ import generators, nested_scopes, with_statement, print_function, unicode_literals, absolute_import, generator_stop\n",
	"def f():\n    from __future__ import annotations\n",
	"from __future__ import annotations\ndef f():\n    x: (yield)\n",
	"from __future__ import annotations\ndef f():\n    x: (y := 1)\n",
	"from __future__ import annotations\ndef f():\n    x: await y\n",
	"x: (yield) = 1\n",
	"def f():\n    x: (yield)\n",
	// Names, deep and odd.
	"def f():\n    é = 1\n    def g():\n        return é, ñ\n",
	"class Ça:\n    __ñ = 1\n",
	"def f():\n    ℌ = 1\n",
	"def f():\n    " + strings.Repeat("a", 200) + " = 1\n    return lambda: " + strings.Repeat("a", 200) + "\n",
	manyNames(40),
}

// manyNames is a class whose method has n locals that a lambda, and an
// inlined comprehension in the class, use: sets of free names large
// enough to resize.
func manyNames(n int) string {
	var b strings.Builder
	b.WriteString("def outer():\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "    v%d = %d\n", i, i)
	}
	b.WriteString("    class C:\n        w = [lambda: (")
	for i := n - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "v%d, ", i)
	}
	b.WriteString(") for _ in z]\n        def f(self):\n            return lambda: (")
	for i := 0; i < n; i += 3 {
		fmt.Fprintf(&b, "v%d, ", i)
	}
	b.WriteString(")\n")
	return b.String()
}

// errorCases are sources whose error comes from the future statements or
// the symbol table.
var errorCases = []string{
	"def f(a, a):\n    pass\n",
	"def f(a, *, a):\n    pass\n",
	"def f(a, **a):\n    pass\n",
	"lambda a, a: 0\n",
	"def f[T, T]():\n    pass\n",
	"class C[T, *T]:\n    pass\n",
	"type A[T, **T] = int\n",
	"def f(x):\n    global x\n",
	"def f(x):\n    nonlocal x\n",
	"def f():\n    x = 1\n    global x\n",
	"def f():\n    print(x)\n    global x\n",
	"def f():\n    x: int\n    global x\n",
	"def f():\n    def g():\n        x = 1\n        nonlocal x\n",
	"def f():\n    x = 1\n    def g():\n        print(x)\n        nonlocal x\n",
	"def f():\n    x = 1\n    def g():\n        x: int\n        nonlocal x\n",
	"def f():\n    global x\n    x: int = 1\n",
	"def f():\n    x = 0\n    def g():\n        nonlocal x\n        x: int\n",
	"global x\nx: int = 1\n",
	"nonlocal x\n",
	"def f():\n    nonlocal x\n",
	"def f():\n    x = 1\n    def g():\n        global x\n        nonlocal x\n",
	"def f():\n    global x\n    nonlocal x\n",
	"def f[T]():\n    nonlocal T\n",
	"class C[T]:\n    nonlocal T\n",
	"def f[T]():\n    def g():\n        nonlocal T\n",
	"def f():\n    from x import *\n",
	"class C:\n    from x import *\n",
	"def f():\n    import a\n    from b import *\n",
	"[i := 0 for i in range(5)]\n",
	"[i for i in range(5) if (i := 0)]\n",
	"[[(j := j) for i in range(5)] for j in range(5)]\n",
	"[i := 0 for i, j in range(5)]\n",
	"[(i := 0) for (i, *j) in range(5)]\n",
	"[i for i in (j := range(5))]\n",
	"[i for i in range(5) for j in (k := [])]\n",
	"[i for i in [(lambda: (k := 1)) for _ in x]]\n",
	"[i for i in {(k := 1) for _ in x}]\n",
	"class C:\n    [(x := 1) for _ in y]\n",
	"class C:\n    [[(x := 1) for _ in y] for z in w]\n",
	"def f():\n    global x\n    [x for x in (x := y)]\n",
	"def f():\n    [(x := 1) for x in y]\n",
	"def f():\n    [(y := 1) for x in z for y in w]\n",
	"[y for x in z if (y := x) for y in w]\n",
	"def f[T: (x := 1)]():\n    pass\n",
	"def f[T = (x := 1)]():\n    pass\n",
	"def f[*Ts = (yield)]():\n    pass\n",
	"def f[**P = (await x)]():\n    pass\n",
	"def f[T: (int, (yield))]():\n    pass\n",
	"type A = (yield)\n",
	"type A = (x := 1)\n",
	"type A[T] = await x\n",
	"class C[T]((yield)):\n    pass\n",
	"class C[T](x := 1):\n    pass\n",
	"def f[T](x: (yield)):\n    pass\n",
	"def f[T]() -> (y := 1):\n    pass\n",
	"def f[T: [(x := 1) for _ in y]]():\n    pass\n",
	"type A = [(x := 1) for _ in y]\n",
	"class C[T](*[(x := 1) for _ in y]):\n    pass\n",
	"[(yield) for x in y]\n",
	"{(yield) for x in y}\n",
	"{x: (yield) for x in y}\n",
	"((yield from x) for x in y)\n",
	"def f():\n    [(yield x) for x in y]\n",
	"from __future__ import braces\n",
	"from __future__ import nested_scopes, rested_snopes\n",
	"from __future__ import annotations, division, " + strings.Repeat("x", 150) + "\n",
	"from __future__ import " + strings.Repeat("é", 60) + "\n",
	"'''doc'''\nfrom __future__ import spam\n",
	"from __future__ import (\n    annotations,\n    eggs,\n)\n",
	"class C:\n    def f[__classdict__](self):\n        pass\n",
	"def f[__classdict__]():\n    pass\n",
	"def f[*__classdict__]():\n    pass\n",
	"type A[**__classdict__] = int\n",
	"def f():\n    x = 1\n    def g():\n        nonlocal x\n        nonlocal x\n        global x\n",
	"def f():\n    def g():\n        nonlocal é\n",
	"class C:\n    def f(self):\n        nonlocal __x\n",
	"class C:\n    def f(self, __a, _C__a):\n        pass\n",
	"def f(é, é):\n    pass\n",
	"x = 1\n\ndef f():\n\n    é = 1; global é\n",
	"def f():\n    async def g():\n        [x async for x in y]\n    global g\n",
}

// TestCases compares the tables (or errors) of scopingCases and errorCases
// with every 3.13's, each source written to a file so that errors carry
// their text.
func TestCases(t *testing.T) {
	dir := t.TempDir()
	var files []string
	srcs := map[string][]byte{}
	for i, src := range append(append([]string(nil), scopingCases...), errorCases...) {
		name := filepath.Join(dir, fmt.Sprintf("case%03d.py", i))
		if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
		srcs[name] = []byte(src)
	}
	for _, in := range astjson.Find313(t) {
		t.Run(in.Release.String(), func(t *testing.T) {
			var tl tally
			in.Parse(t, astjson.Request{Files: files, Extra: oracleExtra}, func(rec *astjson.Record) {
				o, msg := compareRecord(rec, in, srcs[rec.Name])
				if o == notParsed {
					o, msg = differ, "CPython's parser rejected it (a bad case): "+rec.ParseError
				}
				tl.add(fmt.Sprintf("%s %q", filepath.Base(rec.Name), srcs[rec.Name]), o, msg)
			})
			tl.report(t, in.String())
			if tl.n[agreeError] < len(errorCases)/2 {
				t.Errorf("only %d errors compared", tl.n[agreeError])
			}
		})
	}
}

// TestSameName checks SameName against ==, for strings that share bytes
// (a string and its prefix, two slices of one string) and strings that
// don't.
func TestSameName(t *testing.T) {
	src := "selfself_x"
	pairs := [][2]string{
		{src[:4], src[:4]}, {src[:4], src[4:8]}, {src[:4], src[:5]},
		{src[:4], "self"}, {"self", "selg"}, {"", src[:0]}, {"", "a"},
		{src[8:], "_x"}, {strings.Repeat("a", 40), strings.Repeat("a", 40)},
	}
	for _, p := range pairs {
		if got, want := SameName(p[0], p[1]), p[0] == p[1]; got != want {
			t.Errorf("SameName(%q, %q) = %v, want %v", p[0], p[1], got, want)
		}
	}
}
