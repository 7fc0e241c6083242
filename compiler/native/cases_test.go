package native

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// cases are small sources for behaviour the standard library shows once or
// not at all, compared as the stdlib files are (bytes, messages, warnings).
var cases = []struct{ name, src string }{
	// A method call on super() that spans lines and has keywords: the
	// keywords' names (LOAD_CONST of the kwnames tuple) take the location
	// whose start maybe_optimize_method_call moved to the attribute, not
	// the call's start (setuptools' build_meta.py, 2026-12-08).
	{"super_method_keywords_across_lines", "class B:\n    def run(self, **k): return k\nclass C(B):\n    def m(self, s):\n        super(C,\n              self).run(setup_script=s)\n        x = super(\n        ).run(z=3, y=4)\n        return super(C, self\n                     ).run\n"},
	// parse_literal's str.replace makes a new '%', neither the latin-1
	// singleton nor interned; a later literal '%' is merged into it, an
	// earlier one keeps it out.
	// While a module-level comprehension compiles, its own flags stand in
	// for an imported name's (push_inlined_comprehension_state), so
	// is_import_originated says no there and a call on the module is a
	// method call; before and after it, it says yes. The mask that spares
	// the look-up was computed on first use, inside the comprehension,
	// and missed the import for the rest of the module (a pandas test
	// module, 2026-12-02).
	{"import_originated_after_comprehension", "import pd\narrays = [pd.array(x) for x in y]\narrays += [pd.array([True])]\n"},
	{"import_originated_around_comprehensions", "import pd, np as n\nfrom m import f\npd.a(1)\n[pd.b(x) + n.c(x) + f.d(x) for x in y]\n{pd.e(k): n.f(v) for k, v in z}\npd.g(2); n.h(3); f.i(4)\ndef h():\n    return [pd.j(x) for x in pd.k()]\nclass C:\n    v = [pd.l(x) for x in n.m()]\n    w = pd.n()\n"},
	// 3.13.16 and later tokenize "<>" as '<' and '>' until the parser has
	// seen the future import barry_as_FLUFL, and as one token after it:
	// an error at "<>" spans both characters there, and "<>=" is "<>"
	// then "=" (a generated input, 2026-12-02).
	{"barry_diamond_error_for_target", "from __future__ import barry_as_FLUFL\n[x for a, *<>.n in y]\n"},
	{"barry_diamond_error_call", "from __future__ import barry_as_FLUFL; print(<>)\n"},
	{"barry_diamond_error_fstring", "from __future__ import barry_as_FLUFL\nx = f\"{a <> b}\"\ny = f\"{<>}\"\n"},
	{"barry_diamond_error_block", "if 1:\n    from __future__ import barry_as_FLUFL\nprint(<>)\n"},
	{"barry_diamond_then_equal", "from __future__ import barry_as_FLUFL\nx = a <>= b\n"},
	{"barry_diamond_then_greater", "from __future__ import barry_as_FLUFL\nx = a <>> b\n"},
	{"barry_diamond_before_import_takes_effect", "from __future__ import nested_scopes, barry_as_FLUFL <> 1\n"},
	{"barry_diamond_valid", "from __future__ import barry_as_FLUFL\nx = (a <> b) <> c\ny = [i for i in z if i <> 0]\n"},
	{"diamond_without_barry", "x = a <>= b\n"},
	{"diamond_without_barry_call", "print(<>)\n"},
	{"percent_fresh", "def f(a, b):\n    return '%s%%%s' % (a, b)\n"},
	{"percent_fresh_then_literal", "def f(a, b):\n    return '%s%%%s' % (a, b)\n\ndef g(s):\n    return s.partition('%')\n"},
	{"percent_literal_then_fresh", "def g(s):\n    return s.partition('%')\n\ndef f(a, b):\n    return '%s%%%s' % (a, b)\n"},
	{"percent_longer", "x = '%s%%x%%%s %%' % (1, 2)\ny = 'a%%' % ()\n"},
	// bytes_repeat allocates an empty result: a non-empty bytes repeated 0
	// times folds to an empty bytes that is not the b'' singleton (and a
	// later literal b'' is merged into it); b'' repeated is b'' itself
	// (mutant 1/1293 of tests/native).
	{"bytes_repeat_zero", "def f(self, msg):\n    self.assertEqual(msg.get_flags(), (b'ab' * False))\n"},
	{"bytes_repeat_zero_then_literal", "x = 0 * b'ab'\ny = b''\nz = b'' * 3\n"},
	{"bytes_literal_then_repeat_zero", "y = b''\nx = b'abc' * 0\n"},
	// The NaNs of folded float and complex operations, bit for bit:
	// glibc's fmod gives the processor's default NaN for an infinite
	// dividend and keeps a NaN operand's; _Py_c_quot's NaN divisor gives
	// Py_NAN (mutant 2/22157 of tests/native).
	{"nan_fmod_infinite", "def f(self, d):\n    return self._paths[(1e400 % (-7))].joinpath(*d)\n"},
	{"nan_fmod_more", "a = 1e400 % 7\nb = -1e400 // 3\nc = 1e400 % 1e400\nd = (1e400 - 1e400) % 3.0\ne = 5.0 % (1e400 - 1e400)\nf = -1e400 // -2.5\n"},
	{"nan_complex_quot", "a = 1j / ((1e400 - 1e400) + 0j)\nb = (1 + 2j) / (1e400 * 0j + 1)\n"},
	// A NaN constant compiled twice (a while loop's test, a finally body)
	// is one object, merged by identity; two NaN constants are two
	// (mutants 4/19485 against 3.13.18, 4/16211 against 3.13.5).
	{"nan_while_test", "while ((1e400 - 1e400)).attr:\n    def _f(self):\n        self.int_class(i)\n"},
	{"nan_finally", "def _f(gc):\n    try:\n        gc.collect()\n    finally:\n        it = (1e400 - 1e400)\n        gc.collect()\n"},
	{"nan_two_constants", "x = 1e400 - 1e400\ny = 1e400 - 1e400\nwhile (x, 1e400 * 0):\n    pass\n"},
	// A tuple with a NaN repeated by the optimizer holds one object
	// several times (FLAG_REF and references in marshal's stream); two
	// folds make two objects (mutant 1/4780 of tests/native, 3.13.0).
	{"nan_tuple_repeat", "x = (-(((1e400j / 2), 2) * 3))\ny = ((1e400 - 1e400,) * 2, (1e400 - 1e400, 1e400 - 1e400))\n"},
	// A complex power through the C library's functions with a NaN
	// exponent: glibc's functions keep a NaN operand's bits (mutants
	// 6/11183, 6/17655, 6/28566 of tests/native, all three releases).
	{"nan_complex_pow", "a = 2 ** (1e400 * 1j)\nb = 2 ** (1e400j / 2)\nc = (1 + 1j) ** (1e400 * 1j)\n"},
	// A NaN base: the modulus and the cosine's and sine's NaNs have
	// opposite signs from 3.13.1, and each part of the result keeps the
	// one CPython's build keeps (mutant 20261208/12775 against 3.13.18).
	{"nan_complex_pow_base", "a = ((1e400 * 1j) ** 2) ** 2j\nb = (-((1e400 * 1j) ** 2)) ** 2j\nc = ((1e400 * 1j) ** 2) ** (1 + 2j)\nd = (-((1e400 * 1j) ** 2)) ** (0.5 - 3j)\n"},
	// Every operation folded on NaNs of both signs: each build keeps the NaN
	// of the operand its C compiler put first, in float_mul, _Py_c_prod,
	// _Py_c_quot and _Py_c_pow (a matrix written for them, 2026-12-07:
	// 3.13.0, 3.13.5 and 3.13.18 each differed in some of its lines).
	{"nan_operand_order", nanMatrix()},
	// The warnings emitted before an error of code generation are printed
	// before it (mutants 1/111, 1/112, 1/226 of tests/native).
	{"warning_then_codegen_error", "def _g[T]():\n    [1, 2][1.5]\n(yield from unittest)\n"},
	{"warning_then_async_gen_return", "if (()) is x: pass\nasync def _h():\n    yield 1\n    return 2\n"},
	// 3.13.4+ show a compiler warning once per message and line (the
	// caller's __warningregistry__, gh-131927): a finally body compiled
	// twice (before 3.13.6, which compiles its copy without warnings) and
	// repeated expressions on one line (mutant 1/9087 of tests/native,
	// 3.13.5).
	{"warning_in_finally", "try:\n    pass\nfinally:\n    None(x)\n"},
	{"warning_repeated_on_a_line", "None(x); None(x)\nif x is 1 or x is 1: pass\ny = [1][1.5] + [1][1.5]\nNone(y)\n"},
	{"warning_repeated_in_a_function", "def f():\n    try:\n        return 1\n    finally:\n        print(x is 'a')\n        x is 'a'\n"},
	{"warning_then_pattern_error", "class _C:\n    self is not 'a'\n    match x:\n        case {'k': _v, **_r} | _C(x=_v) as _w:\n            pass\n"},
	// A class body's comprehension reading __classdict__ where the
	// enclosing scope knows the name (a global use, a module or function
	// local, a parameter): 3.13.0 to 3.13.5 raise compiler_lookup_arg's
	// SystemError (reftype 3 or 1, no memory address in it), 3.13.18
	// compiles it (the inlined comprehension no longer leaves
	// __classdict__ free through the class). Found by comparing generated
	// combinations of scopes.
	{"classdict_comp_global_implicit", "class C(**__classdict__):\n    x = [__classdict__ for _ in y]\n"},
	{"classdict_comp_class_named_classdict", "class __classdict__:\n    x = [__classdict__ for _ in y]\n"},
	{"classdict_comp_module_local", "__classdict__ = 1\nclass C:\n    x = {__classdict__: 1 for _ in y}\n"},
	{"classdict_comp_parameter", "def f(__classdict__):\n    class C:\n        x = [__classdict__ for _ in y]\n"},
	{"classdict_comp_function_local", "def f():\n    class C:\n        x = [__classdict__ for _ in y]\n    __classdict__ = 1\n"},
	// A float literal with more than 800 significant digits: strconv's
	// ParseFloat misplaces the decimal point of such a literal (4300 nines
	// and e-4300 was 0.0, not 1.0), so the parser shortens it first; found
	// by a generator of number literals.
	{"float_long_mantissa", "a = " + strings.Repeat("9", 4300) + "e-4300\nb = " + strings.Repeat("1", 900) +
		".5e-700\nc = 0." + strings.Repeat("0", 900) + strings.Repeat("7", 900) + "e901\nd = " +
		strings.Repeat("3", 1000) + "e-1000j\ne = " + strings.Repeat("1", 801) + "e-801\n"},
	// A debug field whose closing brace is nested too deep in format specs
	// for the tokenizer to attach its text: CPython's parser action makes a
	// Constant without a value, and compile() raises that ValueError
	// instead of the SyntaxError (found by a generator of f-strings).
	{"fstring_debug_nested_spec", "x = f\"{x:{y:{{}=}}}\"\n"},
	// The text of a debug field that starts where another field nested in
	// the same format spec ended: 3.13.0 keeps the first nested field's
	// text ("1"), 3.13.5 the text from its start ("1}{y="), 3.13.18 the
	// field's own ("y="). Found by a generator of f-strings.
	{"fstring_debug_after_nested_field", "a = f'{x:{1}{y=}}'\nb = f'{x:{1}{y}{z=:>3}}'\nc = f'{x=!r:{a}{y = }{z=}}'\nd = f'{x:{a}b{y=}}'\n"},
	// Tokens refer to their debug text by its index in the tokenizer's
	// table of them: many debug fields in one file, with conversions,
	// specs and a comment; then some before a syntax error, where the
	// parse runs again after its optimistic pass gives up (in the same
	// token buffers, the first run's references still in them) and its
	// second pass and rest-of-source check read the tokens again. Written
	// when the token lost its text field.
	{"fstring_debug_many", "a = f'{x=}' f'{y = !r}' f'{z=:>4}'\nb = f\"\"\"{w # c\n=}{v=!s:{n}}\"\"\"\nc = [f'{i=}{j = }' for i, j in d]\n"},
	{"fstring_debug_then_error", "a = f'{x=}'\nb = f'{y=!r}' f'{z = :>3}'\nc = (1 +\nd = f'{w=}'\n"},
	// limits and layout
	// Inlined comprehensions that hide locals nested 22 deep, alone, under
	// statement blocks, in a later iterable or a condition: 3.13.16+ count
	// each as a frame block ("too many statically nested blocks" at the
	// 22nd, gh-156091), earlier releases compile them (and crash from 23
	// on, see TestInlinedComprehensionsTooDeep). Attribute targets hide
	// nothing and generator expressions are not inlined: no limit. Found
	// by a generator of nested expressions.
	{"comprehensions_nested_21", "x = " + nestedComps(21, "[%s for x in y]") + "\n"},
	{"comprehensions_nested_22", "x = [1 is 1, " + nestedComps(22, "[%s for x in y]") + "]\n"},
	{"comprehensions_nested_22_set_dict", "def f(y):\n    return (1,\n  " + nestedComps(11, "{%s for x in y}") + ",\n  " +
		nestedComps(22, "{1: %s for (p, q) in y}") + ")\n"},
	{"comprehensions_under_loops", strings.Repeat("for i in x:\n ", 20) + strings.Repeat(" ", 19) + "y = [[a for a in b] for c in d]\n"},
	{"comprehensions_under_loops_21", strings.Repeat("for i in x:\n ", 20) + strings.Repeat(" ", 19) + "y = [a for a in [c for c in d]]\n"},
	{"comprehensions_nested_in_later_iterable", "x = [1 for a in b for c in " + nestedComps(21, "[%s for x in y]") + "]\nz = [a for a in " + nestedComps(21, "[%s for x in y]") + "]\n"},
	{"comprehensions_nested_in_condition", "class C:\n    x = [1 for a in b if " + nestedComps(21, "[%s for x in y]") + "]\n"},
	{"comprehensions_nested_no_hidden_locals", "x = " + nestedComps(30, "[%s for a.b in y]") + "\ny = " + nestedComps(30, "(%s for x in y)") + "\n"},
	// The new empty bytes of a non-empty bytes repeated 0 times keeps its
	// identity inside folded tuples, lists and sets turned constant, a
	// dict's constant keys, out of a subscript and through b'' + it
	// (bytes_concat returns the other operand); it was the b'' singleton
	// there. Found by a generator of marshal's boundary constants.
	{"bytes_repeat_zero_in_tuples", "x = (1, b'a' * 0)\ny = b''\nz = [1, 2, b'a' * 0]\n"},
	{"bytes_repeat_zero_folded_more", "def f(v):\n    return v in {1, b'ab' * 0}, {b'q' * 0: 1, 2: 3}, (b'a' * 0, 1)[0], b'' + (b'x' * 0)\n" +
		"def g(v):\n    return v in {b'', b'a' * 0}, ((b'a' * 0,) * 3, (b'b' * 0) * 2)\nfor i in [1, b'a' * 0]: pass\n"},
	// syntax errors and warnings
	// The source line of a warning is read by linecache through
	// tokenize.detect_encoding, which reads lines split at "\n" only and
	// decodes each line it examines as UTF-8 before looking for a cookie:
	// a file with "\r" line ends and non-UTF-8 text, or a non-UTF-8 line 1
	// (with a cookie on it or on line 2), shows no line; in a file with
	// "\r" line ends, a cookie past line 2 that the compiler ignores
	// decodes the line (mojibake), or clashes with a BOM (no line). Each
	// source is here twice, since every other case is compiled under a
	// name that is no file. Found by a generator of sources in other
	// encodings.
	{"warning_line_cr_latin1", "# coding: latin-1\rx = '\xe9' is 1\r"},
	{"warning_line_cr_latin1_again", "# coding: latin-1\rx = '\xe9' is 1\r"},
	{"warning_line_cookie_line_not_utf8", "# coding: latin-1 \xe9\nx = '\xe9' is 1\n"},
	{"warning_line_cookie_line_not_utf8_again", "# coding: latin-1 \xe9\nx = '\xe9' is 1\n"},
	{"warning_line_first_line_not_utf8", "#!x \xe9\n# coding: latin-1\nx = '\xe9' is 1\n"},
	{"warning_line_first_line_not_utf8_again", "#!x \xe9\n# coding: latin-1\nx = '\xe9' is 1\n"},
	{"warning_line_cr_late_cookie", "#!x\rx = '\u00e9' is 1\r# coding: latin-1\r"},
	{"warning_line_cr_late_cookie_again", "#!x\rx = '\u00e9' is 1\r# coding: latin-1\r"},
	{"warning_line_cr_bom_late_cookie", "\ufeff#!x\rx = '\u00e9' is 1\r# coding: latin-1\r"},
	{"warning_line_cr_bom_late_cookie_again", "\ufeff#!x\rx = '\u00e9' is 1\r# coding: latin-1\r"},
	// Units past 16 constants whose folds look the constant up through a
	// map (add_const), with repeated folded tuples, and functions past 16
	// cells and locals whose MAKE_CELLs go in at once and whose cells are
	// matched to their parameters through a map. Found timing generated
	// modules of each shape at growing sizes: a class of thousands of
	// methods with defaults, a function of thousands of variables used by
	// nested functions, were quadratic.
	{"many_consts_folds", "class C:\n" + lines(40, "    def m%[1]d(self, a=(%[2]d, 'x'), b=%[2]d.5, *, c=(None, %[2]d)): return (a, b, c, %[1]d)\n") +
		lines(30, "l%[1]d = lambda a=%[2]d, b=('k', %[2]d): (a, b, %[1]d)\n")},
	{"many_cells", "def f(" + lines(20, "p%[1]d, ") + "*args):\n" + lines(25, "    v%[1]d = p%[2]d\n") + lines(20, "    w%[1]d = %[1]d\n") +
		"    def g():\n        return (" + lines(20, "p%[1]d, ") + lines(25, "v%[1]d, ") + ")\n" +
		"    async def h(" + lines(18, "q%[1]d, ") + "):\n        yield (" + lines(18, "q%[1]d, ") + "v3, p4, w1)\n" +
		"        def k(): return (" + lines(18, "q%[1]d, ") + "v7)\n" +
		"        yield k\n" +
		"    return g, h\n"},
	// A frozenset constant of many items, whose sort keys (each item's own
	// dump) hold back-references of their own: the keys' dumps share a
	// buffer and a table of references, cleared for each. Found as above
	// (a set literal of hundreds of thousands of constants).
	{"frozenset_many_items", "def f(x):\n    return x in {" + lines(70, "(%[2]d, 'k%[2]d', 'k%[2]d', (1.5, 'k%[2]d')), %[1]d, 'v%[1]d', ") + "'v3', -0.0, 0.0, b'', ''}\n"},
}

// lines repeats format n times, with the count (from 0) as the first
// operand and its remainder by 5 as the second.
func lines(n int, format string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, format, i, i%5)
	}
	return b.String()
}

// nestedComps nests n comprehensions of the form format (with one %s for
// the element) around x.
func nestedComps(n int, format string) string {
	e := "x"
	for range n {
		e = fmt.Sprintf(format, e)
	}
	return e
}

// nanMatrix is a source that folds each binary operation of floats and
// complex numbers on NaNs of both signs (inf - inf is the processor's
// default NaN, whose sign bit is set), with each other and with finite,
// zero and infinite operands, in both orders.
func nanMatrix() string {
	floats := []string{"(1e400 - 1e400)", "(-(1e400 - 1e400))"}
	others := []string{"1.5", "-2.0", "0.0", "1e400", "(-1e400)"}
	complexes := []string{
		"((1e400 - 1e400) * 1j)", "((-(1e400 - 1e400)) + 1j)",
		"((1e400 - 1e400) + (-(1e400 - 1e400)) * 1j)", "(2 + 3j)", "1j",
		"(1e400 + 1e400j)", "(1e400 - 1e400j)", "(1 + 1e400j)",
	}
	var b strings.Builder
	n := 0
	line := func(x, op, y string) {
		fmt.Fprintf(&b, "v%d = %s %s %s\n", n, x, op, y)
		n++
	}
	floatRights := slices.Concat(floats, others)
	for _, x := range floats {
		for _, y := range floatRights {
			for _, op := range []string{"+", "-", "*", "/", "%", "//", "**"} {
				line(x, op, y)
				line(y, op, x)
			}
		}
	}
	operands := slices.Concat(complexes, floats)
	rights := slices.Concat(operands, []string{"2", "(-2)", "(0.5 + 0j)"})
	for _, x := range operands {
		for _, y := range rights {
			for _, op := range []string{"+", "-", "*", "/", "**"} {
				line(x, op, y)
			}
		}
	}
	return b.String()
}

// TestCasesAgainstPyCompile compiles cases with each 3.13 interpreter's
// release at every level and compares with py_compile.
func TestCasesAgainstPyCompile(t *testing.T) {
	srcs := make([]namedSource, len(cases))
	for i, c := range cases {
		srcs[i] = namedSource{c.name + ".py", []byte(c.src)}
	}
	sweepSources(t, srcs)
}

// namedSource is a source to write under a file name for sweepSources.
type namedSource struct {
	file string
	src  []byte
}

// sweepSources writes srcs into a temporary directory and compares them,
// as TestStdlibAgainstPyCompile compares the stdlib's files, against every
// local 3.13 interpreter at -O0, -O1 and -O2.
func sweepSources(t *testing.T, srcs []namedSource) {
	t.Helper()
	dir := t.TempDir()
	files := make([]string, len(srcs))
	for i, s := range srcs {
		if err := os.WriteFile(filepath.Join(dir, s.file), s.src, 0o644); err != nil {
			t.Fatal(err)
		}
		files[i] = s.file
	}
	for _, py := range pythons.Local(t, 3, 13) {
		rel, _, err := release.Parse(py.Version)
		if err != nil {
			t.Fatalf("%s: %v", py, err)
		}
		for _, opt := range []int{0, 1, 2} {
			t.Run(fmt.Sprintf("%s/O%d", py.Version, opt), func(t *testing.T) {
				sweep(t, py, rel, dir, files, opt)
			})
		}
	}
}
