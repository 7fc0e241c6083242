package native

import (
	"fmt"
	"strings"
	"testing"
)

// probes are small sources written from the language reference, one per
// construct the 3.13 compiler treats specially, each compared with
// py_compile as cases are: folding at and past its limits, the constant
// cache's distinctions, the call and literal forms chosen by size, pattern
// matching, exception handling, scopes, annotations, type parameters,
// f-strings, and the messages and warnings of each stage. Unlike cases,
// none of them records a difference found: they keep the corners the
// standard library never reaches checked.
var probes = []struct{ name, src string }{
	// Folding limits: 128-bit ints, 4096-byte strings and bytes, 256-item
	// tuples; a bool's inversion, which is never folded.
	{"fold_int_limits", "a = 2 ** 127\nb = 2 ** 128\nc = 2 ** 129\nd = 1 << 127\ne = 1 << 128\nf = -(2 ** 200)\ng = 7 ** 45\nh = 10 ** 38 * 10\n"},
	{"fold_str_limits", "a = 'ab' * 2048\nb = 'ab' * 2049\nc = b'x' * 4096\nd = b'x' * 4097\ne = 'x' * -1\nf = '' * 10 ** 9\n"},
	{"fold_tuple_limits", "a = (1,) * 256\nb = (1,) * 257\nc = (1, 2) * 128\nd = () * 1000\ne = (1,) * True\n"},
	{"fold_bool_invert", "a = ~True\nb = ~False\nc = -True\nd = not 1\ne = ~1\nf = +True\n"},
	{"fold_errors_left", "a = 1 / 0\nb = 1 % 0\nc = 2 ** -1\nd = 'a' + 1\ne = (1, 2)[5]\nf = 'abc'[10]\ng = 1 << -1\nh = 1.0 // 0.0\n"},
	{"fold_subscripts", "a = 'abc'[1]\nb = (1, 2, 3)[-1]\nc = 'abc'[::-1]\nd = b'abc'[0]\ne = (1, 2, 3)[1:]\nf = 'x'[0:0]\n"},
	{"fold_float_int_mix", "a = 1 + 2.5\nb = 3 * 0.1\nc = 2 ** 0.5\nd = -0.0\ne = 0.0 * -1\nf = 1e308 * 10\ng = -1e308 * 10\nh = (1e308 * 10) - (1e308 * 10)\n"},
	// The constant cache keeps apart what compares equal but is not the
	// same: 0, 0.0, -0.0, False, 0j, -0j, and tuples and frozensets of them.
	{"const_cache_equal_values", "a = (0, 0.0, -0.0, False, 0j, -0j, '', b'')\nb = (1, 1.0, True, 1 + 0j)\nc = [(0,), (0.0,), (-0.0,), (False,)]\nd = x in {0, 0.0, False}\ne = x in {1, True}\nf = (-0.0, 0.0)\n"},
	{"const_cache_nested", "a = ((1, 2), (1, 2), ((1, 2),))\nb = (frozenset(), ())\ndef f():\n    return ((1, 2), 'a', (1, 2))\ndef g():\n    return ((1, 2), 'a')\n"},
	{"const_containers", "a = x in [1, 2, 3]\nb = x not in (1, 2)\nc = x in {'a', 'b', 'c'}\nfor i in [1, 2, 3]: pass\nfor j in {1, 2}: pass\nd = [1, 2, 3, 4]\ne = {1, 2, 3}\nf = [x, 1, 2]\n"},
	{"big_literals", "a = [" + strings.Repeat("1, ", 40) + "]\nb = {'a': 1, 'b': 2, 'c': 3}\nc = (" + strings.Repeat("x, ", 40) + ")\nd = {" + strings.Repeat("x: 1, ", 20) + "}\ne = {" + strings.Repeat("2, ", 40) + "}\n"},
	{"const_key_maps", "a = {'a': 1, 'b': 2}\nb = {'a': x, 'b': y, 'c': z}\nc = {1: x, 'a': y}\nd = {'a': 1, **e}\nf = {**g, 'a': 1, **h}\ni = dict(a=1, **j)\n"},
	// Calls: keyword arguments, unpacking, more arguments than the
	// compiler keeps on the stack, method calls, super().
	{"calls_shapes", "f(1, 2, a=3)\nf(*a)\nf(*a, *b)\nf(**k)\nf(**k, **l)\nf(a, *b, c=1, **d)\nf(*a, b=1)\no.m(1, k=2)\no.m(*a)\nf(" + strings.Repeat("x, ", 35) + ")\nf(" + strings.Repeat("x, ", 10) + "a=1, b=2)\n"},
	{"calls_many_keywords", "f(1, 2, 3, a0=0, a1=1, a2=2, a3=3, a4=4, a5=5, a6=6, a7=7, a8=8, a9=9, b0=0, b1=1, b2=2, b3=3, b4=4, b5=5, b6=6, b7=7, b8=8, b9=9, c0=0, c1=1, c2=2, c3=3, c4=4, c5=5, c6=6, c7=7, c8=8, c9=9, d0=0)\n"},
	{"super_and_class_cell", "class A(B):\n    def f(self):\n        return super().f() + super().g\n    def g(self):\n        return __class__\n    def h(self):\n        super(A, self).h()\n    @classmethod\n    def c(cls):\n        return super().c()\n    x = [super for _ in ()]\n"},
	{"class_body_forms", "@d1\n@d2(1)\nclass C(A, B, metaclass=M, k=1):\n    '''doc'''\n    x: int = 1\n    y: 'str'\n    __slots__ = ()\n    def __init__(self): self.z = 1\n    class D: pass\nclass E(*bases, **kw): pass\n"},
	// Pattern matching.
	{"match_patterns", "match x:\n    case 1 | 2 | 3: a = 1\n    case -1 + 2j: a = 2\n    case None | True: a = 3\n    case [1, *rest, 2]: a = rest\n    case {'a': 1, **kw}: a = kw\n    case {'b': [c, d]} if c > d: a = c\n    case Point(x=0) | Point(y=0): a = 4\n    case Point(1, y=p): a = p\n    case str() as s: a = s\n    case Color.RED: a = 5\n    case (p, q): a = p + q\n    case _: a = 6\n"},
	{"match_nested_or_captures", "match x:\n    case [a, b] | (b, a, _): r = a, b\n    case {'k': (1 | 2) as v}: r = v\n    case [*_, [y, *_] | y] if y: r = y\n"},
	{"match_errors_unreachable", "match x:\n    case y: pass\n    case 1: pass\n"},
	{"match_errors_wildcard", "match x:\n    case _: pass\n    case 1: pass\n"},
	{"match_errors_duplicate", "match x:\n    case [a, a]: pass\n"},
	{"match_errors_or_names", "match x:\n    case [a] | [b]: pass\n"},
	{"match_errors_keyword_repeat", "match x:\n    case C(a=1, a=2): pass\n"},
	{"match_errors_mapping_keys", "match x:\n    case {'a': 1, 'a': 2}: pass\n"},
	{"match_soft_keywords", "match = 1\ncase = 2\nmatch(x)\nmatch[x]\nmatch -x:\n    case _: pass\nprint(match, case)\n"},
	// Exception handling and its interplay with loops and returns.
	{"try_forms", "try:\n    a()\nexcept (E, F) as e:\n    b(e)\nexcept G:\n    raise\nelse:\n    c()\nfinally:\n    d()\ntry:\n    pass\nexcept* E as eg:\n    f(eg)\nexcept* (F, G):\n    pass\n"},
	{"finally_control_flow", "def f():\n    for i in x:\n        try:\n            if i: break\n            if i > 1: continue\n            return i\n        finally:\n            g()\n    try:\n        return 1\n    finally:\n        return 2\n"},
	{"with_forms", "with a as b, c as (d, e), f:\n    g()\nwith (a as b, c):\n    pass\nasync def h():\n    async with a as b, c:\n        await b\n    async for i in x:\n        pass\n    else:\n        pass\n"},
	{"raise_forms", "def f():\n    raise\ndef g():\n    raise E from None\ndef h():\n    raise E(1) from e\n"},
	// Generators, coroutines and comprehensions.
	{"generators_and_async", "def g():\n    x = yield\n    yield from h()\n    return x\nasync def a():\n    await b\n    return [i async for i in c() if await i]\nasync def ag():\n    yield 1\n    async for i in c(): yield i\ndef ge():\n    return (i * j for i in x if i for j in y if j)\n"},
	{"comprehension_scopes", "x = [y := f(i) for i in z]\nclass C:\n    a = 1\n    b = [a for _ in range(3)]\n    c = [i for i in range(a)]\ndef f():\n    v = 1\n    return [lambda: v for v in range(3)], {k: v for k, v in d}, {i for i in s}\n"},
	{"comprehension_errors_walrus_iter", "[i := 0 for i in range(5)]\n"},
	{"comprehension_errors_walrus_class", "class C:\n    [(y := i) for i in range(5)]\n"},
	{"comprehension_errors_walrus_iterable", "[x for x in (y := [1, 2])]\n"},
	{"comprehension_errors_async_outside", "def f():\n    return [x async for x in y]\n"},
	{"comprehension_errors_yield", "def f():\n    return [(yield x) for x in y]\n"},
	{"comprehension_errors_star", "[*x for x in y]\n"},
	{"comprehension_errors_dict_unpack", "{**x for x in y}\n"},
	// Scopes: global, nonlocal, closures, and their errors.
	{"scopes_closures", "def f(a, *args, b=1, **kw):\n    c = 2\n    def g():\n        nonlocal c\n        c += a\n        def h():\n            global d\n            d = c + b\n            return kw, args\n        return h\n    return g\nlambda x, y=1, *, z=2: x + y + z\n"},
	{"scope_errors_nonlocal_module", "nonlocal x\n"},
	{"scope_errors_nonlocal_missing", "def f():\n    nonlocal x\n"},
	{"scope_errors_param_global", "def f(x):\n    global x\n"},
	{"scope_errors_param_nonlocal", "def f():\n    x = 1\n    def g(x):\n        nonlocal x\n"},
	{"scope_errors_assigned_before_global", "def f():\n    x = 1\n    global x\n"},
	{"scope_errors_used_before_nonlocal", "def f():\n    x = 1\n    def g():\n        print(x)\n        nonlocal x\n"},
	{"scope_errors_annotated_global", "def f():\n    global x\n    x: int = 1\n"},
	{"scope_errors_duplicate_argument", "def f(a, b, a): pass\n"},
	{"scope_errors_return_outside", "return 1\n"},
	{"scope_errors_yield_outside", "yield 1\n"},
	{"scope_errors_await_outside", "await x\n"},
	{"scope_errors_break_outside", "break\n"},
	{"scope_errors_continue_outside", "def f():\n    continue\n"},
	{"scope_errors_async_gen_return", "async def f():\n    yield 1\n    return 2\n"},
	{"scope_errors_yield_from_async", "async def f():\n    yield from x\n"},
	{"too_many_nested_blocks", nestedFors(22)},
	{"nested_blocks_at_limit", nestedFors(21)},
	// Annotations, with and without the future import (3.13 evaluates
	// a walrus or a yield in one).
	{"annotations_forms", "x: int = 1\ny: list[int]\n(z): int = 2\na.b: int = 3\nc[0]: int = 4\ndef f(p: int, *a: str, q: 'T' = 1, **k: float) -> None:\n    v: int = 1\n    w: str\nclass K:\n    m: int\n    n: int = 5\n"},
	{"annotations_future", "from __future__ import annotations\nx: list[int] = []\ndef f(a: A[B], b: 'C' = 1) -> D | None:\n    pass\nclass K:\n    m: Callable[[int], str]\n    n: lambda: 1\n"},
	{"annotations_walrus", "def f(x: (y := 1)): pass\n"},
	{"annotations_yield", "def f():\n    x: (yield) = 1\n"},
	// Type parameters (PEP 695).
	{"type_params", "type A = int\ntype B[T] = list[T]\ntype C[T: int, *Ts, **P] = tuple[T, *Ts]\ndef f[T](x: T) -> T: return x\ndef g[T: (int, str), U = int](a: T, b: U): pass\nclass K[T](Base[T]):\n    def m[U](self, u: U) -> T | U: ...\nclass L[T, *Ts, **P]: pass\n"},
	{"type_params_closures", "def outer():\n    x = 1\n    class K[T]:\n        y = x\n        def m(self) -> T: return x\n    type A[U] = dict[U, x]\n    return K, A\n"},
	{"type_params_errors_duplicate", "def f[T, T](): pass\n"},
	{"type_params_errors_walrus", "class K[T: (x := 1)]: pass\n"},
	// f-strings and strings.
	{"fstrings", "a = f'{x!r:>{w}}'\nb = f'{x=}'\nc = f'{x=!s:^20}'\nd = f\"{'a' + \"b\"}\"\ne = f'{f\"{x}\"}'\ng = f'{x:{y}.{z}f}'\nh = f'''{\n    x  # comment\n}'''\ni = f'{x}' f'{y}' 'z'\nj = f'{{}}{x}}}'\nk = rf'\\d{x}'\nl = f'{3.14:.2f}'\n"},
	{"string_concat_and_docstrings", "'''module doc''' 'continued'\ndef f():\n    'doc' \"more\"\n    return 1\ndef g():\n    f'not a doc'\nclass C:\n    b'not a doc'\n    def m(self):\n        '''doc'''\n"},
	{"string_escapes", "a = '\\N{EM DASH}\\x41\\u00e9\\U0001F600\\101\\n\\t\\\\'\nb = b'\\x00\\xff\\101\\n'\nc = r'\\N{X}\\q'\nd = '\\\nline'\ne = u'unicode'\n"},
	{"string_errors_bad_name", "a = '\\N{NOT A REAL NAME}'\n"},
	{"string_errors_bytes_non_ascii", "a = b'é'\n"},
	{"string_errors_unterminated", "a = 'abc\n"},
	{"string_errors_unterminated_triple", "a = '''abc\n"},
	{"fstring_errors_empty", "a = f'{}'\n"},
	{"fstring_errors_backslash_lambda", "a = f'{lambda x: x}'\n"},
	{"fstring_errors_bad_conversion", "a = f'{x!z}'\n"},
	// Identifiers are NFKC-normalized.
	{"identifiers_nfkc", "ﬁle = 1\nprint(file)\nℌ = 2\nprint(H)\nclass Ｋ: pass\ndef µ(): return ｘ\n"},
	{"identifiers_errors_invalid", "a€ = 1\n"},
	// Warnings.
	{"warnings_invalid_escapes", "a = '\\d'\nb = b'\\q'\nc = f'\\w{x}'\nd = '\\8'\ne = '\\777'\nf = b'\\400'\n"},
	{"warnings_is_literal", "a = x is 1\nb = x is not 'a'\nc = x is ()\nd = x is not -1\ne = 1 is x\nf = x is None\ng = x is ...\n"},
	{"warnings_missed_comma", "a = [1, 2] (3)\nb = (1, 2)[3.0]\nc = 'abc'['x']\nd = [[1] [1]]\ne = (1)(2)\nf = {1: 2}[3]\n"},
	{"warnings_assert_tuple", "assert (x, 'message')\nassert ()\nassert (x,)\n"},
	{"warnings_numbers_then_keywords", "a = 1if x else 2\nb = [0x1for x in y]\nc = 1or 2\nd = 0o7and 1\n"},
	// Syntax errors the parser's second pass names.
	{"syntax_errors_missed_comma", "f(a b)\n"},
	{"syntax_errors_assign_literal", "1 = x\n"},
	{"syntax_errors_assign_call", "f() = 1\n"},
	{"syntax_errors_augassign_tuple", "a, b += 1\n"},
	{"syntax_errors_starred_alone", "*a = 1\n"},
	{"syntax_errors_two_starred", "*a, *b = c\n"},
	{"syntax_errors_keyword_repeated", "f(a=1, a=2)\n"},
	{"syntax_errors_positional_after_keyword", "f(a=1, 2)\n"},
	{"syntax_errors_default_order", "def f(a=1, b): pass\n"},
	{"syntax_errors_expected_colon", "if x\n    pass\n"},
	{"syntax_errors_unexpected_indent", "x = 1\n    y = 2\n"},
	{"syntax_errors_unindent", "if x:\n        a\n    b\n"},
	{"syntax_errors_tabs_spaces", "if x:\n\ta\n        b\n"},
	{"syntax_errors_unclosed", "a = (1,\nb = 2\n"},
	{"syntax_errors_mismatched", "a = (1]\n"},
	{"syntax_errors_print_statement", "print 'hello'\n"},
	{"syntax_errors_walrus_target", "(a.b := 1)\n"},
	{"syntax_errors_del_literal", "del 1\n"},
	{"syntax_errors_lambda_default", "lambda a=1, b: a\n"},
	{"syntax_errors_import_star_in_function", "def f():\n    from m import *\n"},
	{"syntax_errors_future_late", "x = 1\nfrom __future__ import annotations\n"},
	{"syntax_errors_future_unknown", "from __future__ import braces\n"},
	{"syntax_errors_future_bogus", "from __future__ import nonsense\n"},
	{"syntax_errors_too_many_starred_targets", strings.Repeat("a, ", 300) + "*b = c\n"},
	{"starred_targets_under_limit", strings.Repeat("a, ", 200) + "*b, c = d\n"},
	// Line and column numbers far from the start.
	{"locations_long_lines", "x = " + strings.Repeat("a + ", 200) + "b\ny = f(\n" + strings.Repeat("    1,\n", 70) + ")\n" + strings.Repeat("\n", 500) + "z = (1 +\n     2)\n"},
	{"locations_wide_columns", "x = [" + strings.Repeat("1, ", 150) + "f(y)]\n"},
	// Sizes past one byte of oparg: EXTENDED_ARG on constants, names,
	// locals and jumps, and a location table whose lines and columns jump.
	{"sizes_many_constants", "x = [" + joinN(300, "v + %d.5") + "]\ndef f():\n    return (" + joinN(300, "g('s%d')") + ")\n"},
	{"sizes_many_names", "def f():\n" + lines(300, "    v%[1]d = g%[1]d\n") + "    return v0\n"},
	{"sizes_long_jumps", "def f(a):\n    if a:\n" + lines(400, "        a = a + %[1]d\n") + "    while a:\n" + lines(300, "        a -= %[1]d\n") + "    return a\n"},
	{"sizes_many_handlers", "def f():\n" + lines(40, "    try:\n        g(%[1]d)\n    except E%[1]d:\n        h()\n    finally:\n        k()\n")},
	{"locations_far_lines_and_columns", "a = 1\n" + strings.Repeat("\n", 70000) + "b = (" + strings.Repeat(" ", 300) + "c +\n" + strings.Repeat(" ", 500) + "d)\n"},
	// Optimization levels: asserts, __debug__, docstrings.
	{"optimize_debug", "if __debug__:\n    a = 1\nelse:\n    a = 2\nassert a, 'msg'\nb = __debug__\nwhile __debug__:\n    break\ndef f():\n    '''doc'''\n    assert x\n    return not __debug__\n"},
	{"optimize_constant_tests", "if 0:\n    a()\nelif 1:\n    b()\nwhile 1:\n    c()\n    break\nwhile 0:\n    d()\nx = 1 if True else 2\ny = a and 0\nz = None or b\n"},
	{"deletes_and_unpacking", "del a, b[0], c.d, (e, f), [g]\na, (b, c), *d = x\n[a, *b] = y\nfor (i, *j), k in z: pass\nwith m as (n, *o): pass\n"},
	{"imports", "import a.b.c\nimport a.b.c as d\nfrom . import e\nfrom ..f import g as h, i\nfrom j import (k,\n    l)\nfrom m import *\n"},
	{"augmented_and_chained", "a += 1\nb.c -= 2\nd[e] *= 3\nf[g:h] //= 4\ni @= j\nk **= 2\nl = m < n < o <= p != q\nr = s is not t not in u\n"},
	{"slices_and_subscripts", "a = b[1:2]\nc = d[::2]\ne = f[1:2, ::3, ...]\ng[1:2] = h\ndel i[::j]\nk = l[m, n]\no = p[-1:]\n"},
}

// joinN joins n items made by format from 0..n-1 with commas.
func joinN(n int, format string) string {
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf(format, i)
	}
	return strings.Join(items, ", ")
}

// nestedFors nests n for loops, each a statically nested block.
func nestedFors(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat(" ", i))
		b.WriteString("for x in y:\n")
	}
	b.WriteString(strings.Repeat(" ", n))
	b.WriteString("pass\n")
	return b.String()
}

// TestProbesAgainstPyCompile compiles probes with each 3.13 interpreter's
// release at every level and compares with py_compile.
func TestProbesAgainstPyCompile(t *testing.T) {
	srcs := make([]namedSource, len(probes))
	seen := map[string]bool{}
	for i, p := range probes {
		if seen[p.name] {
			t.Fatalf("two probes are named %s", p.name)
		}
		seen[p.name] = true
		srcs[i] = namedSource{p.name + ".py", []byte(p.src)}
	}
	sweepSources(t, srcs)
}
