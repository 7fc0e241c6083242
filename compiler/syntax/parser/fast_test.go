package parser

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/astdump"
	"github.com/rules-pyc/rules_pyc/internal/gensrc"
	"github.com/rules-pyc/rules_pyc/internal/mutate"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// parseOutcome is everything a parse makes observable: the tree's dump or
// the error, the warnings and the identifiers reported, in order.
type parseOutcome struct {
	dump, err string
	warnings  []Warning
	idents    []string
}

// parseWith parses src with the fast path (fast.go) on or off.
// counts, when set, counts what the fast path was asked and gave.
func parseWith(name string, src []byte, rel release.Release, fast bool, counts *fastCount) parseOutcome {
	var o parseOutcome
	m, serr, err := Parse(name, src, rel, Options{
		OnWarning:    func(w Warning) { o.warnings = append(o.warnings, w) },
		OnIdentifier: func(id string) { o.idents = append(o.idents, id) },
		noFast:       !fast,
		fastCounts:   counts,
	})
	switch {
	case err != nil:
		o.err = "unsupported: " + err.Error()
	case serr != nil:
		o.err = fmtErr(serr)
	default:
		d, err := astdump.Append(nil, m, rel)
		if err != nil {
			o.err = "dump: " + err.Error()
		}
		o.dump = string(d)
	}
	return o
}

// fastDiff parses src with the fast path and without it and describes the
// first difference, or returns "". counts, when set, counts what the fast
// path was asked and gave.
func fastDiff(name string, src []byte, rel release.Release, counts *fastCount) string {
	on := parseWith(name, src, rel, true, counts)
	off := parseWith(name, src, rel, false, nil)
	switch {
	case on.err != off.err:
		return fmt.Sprintf("%s: error with the fast path %s, without %s", name, on.err, off.err)
	case on.dump != off.dump:
		return fmt.Sprintf("%s: dumps differ:\n%s", name, firstDiff(off.dump, on.dump))
	case !slices.Equal(on.warnings, off.warnings):
		return fmt.Sprintf("%s: warnings %v with the fast path, %v without", name, on.warnings, off.warnings)
	case !sameSet(on.idents, off.idents):
		// Only the set counts: identifiers are interned (see
		// Options.OnIdentifier), and a parse run again after an abandoned
		// optimistic pass reports them in its own order.
		return fmt.Sprintf("%s: identifiers differ: %q with the fast path, %q without", name, on.idents, off.idents)
	}
	return ""
}

// sameSet reports whether a and b hold the same strings.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

var rel3130 = release.Release{Major: 3, Minor: 13, Micro: 0}

// fastReleases are the releases the differential tests parse as: the
// first 3.13 and one after every fix that versions.go tells apart.
var fastReleases = []release.Release{rel3130, {Major: 3, Minor: 13, Micro: 18}}

// fastDiffAll is fastDiff for each of fastReleases.
func fastDiffAll(name string, src []byte) string {
	for _, rel := range fastReleases {
		if d := fastDiff(name, src, rel, nil); d != "" {
			return rel.String() + ": " + d
		}
	}
	return ""
}

// fastSources are sources of the constructs the fast path handles and of
// those it declines, where pegen's choices are easy to get wrong.
var fastSources = []string{
	"if x:\n    a; b\n    c\n    if y: d; e\n    else:\n        f\ng",
	"def f():\n    x = 1\n  y = 2\n",
	"class C:\n    x = 1\n    def f(self): return self.x\n\n    match = 2\n",
	"x = 1\nself.a.b = f(x)\nx = y = 1\nx.y = z.w = 1\nx = 1; y.z = 2;\nx.y(z).w = 1\nx.y[z] = 1\n",
	"def f():\n    x = yield\n    x.y = yield z\n    x = await y\n",
	"a.b = lambda: 0\nx = lambda a=1: a\nx = *a, b\nx = a, b = c\nx = a, *b\n",
	"x: int = 1\nx.y: int\nx += 1\nx.y += 1\nx = '\\d'\nx.y = '\\d' '\\w'\n'\\d'\n",
	"x = 1 2\nx.y = = 1\nx. = 1\nx.1 = 2\nx = \n",
	"f(a for a in b)\nf()\nf(a)(b for b in c)(d)\nf(x := 1)\nf(*a, **k)\nf(a, b for b in c)\nf(a for a in b, c)\n",
	"f(async for a in b)\nf(a, async=1)\nf(a)\n(b for b in c)\nf(a, (b for b in c))\n",
	"match x:\n    case 1: pass\nmatch = 1\nmatch(x)\nmatch[x]\nmatch.x = 1\n",
	"if x:\n    pass\nelif y: z\nwhile x: pass\nfor x in y: pass\ntry: pass\nfinally: pass\n",
	"@d\nclass C: pass\nasync def f(): pass\nwith x: pass\ndef g(): return\n",
	"import a\nfrom b import c\nglobal d; nonlocal e; pass; del f; assert g\nraise h\nbreak\ncontinue\n",
	"type X = int\ntype = 1\nyield x\n'doc'\n1\n...\n(a)\n[b]\n{c}\n-d\n*e, f = g\nawait h\n",
	"x = 1;\nx = 1; y = 2\nx = 1 y\n",
	"x = a or b or c and d and not e\n",
	"x = not not a == b < c\n",
	"x = a if b else c\n",
	"x = [a if b]\n",
	"x = a not in b is not c is d in e\n",
	"x = a not b\n",
	"x = -a ** -b ** c\n",
	"x = a | b ^ c & d << e >> f + g - h * i / j // k % l @ m\n",
	"x = (a) + (b).c(d)[e]\n",
	"x = f(a for a in b)\n",
	"x = f((a for a in b))\n",
	"x = f(a for a in b)(c)\n",
	"x = f(a, b=c, *d, **e)\n",
	"x = f(a, b for b in c)\n",
	"x = a[b:c, d]\n",
	"x = a.b.c.d\n",
	"x = a.\n",
	"x = a < > b\n",
	"x = a <> b\n",
	"from __future__ import barry_as_FLUFL\nx = a <> b\n",
	"from __future__ import barry_as_FLUFL\nx = a != b\n",
	"x = await a\n",
	"async def f():\n    x = await a.b + c\n",
	"x = lambda: a\n",
	"x = (y := a + 1)\n",
	"f(y := a)\n",
	"x = 'a' 'b' f'{c}' + 1\n",
	"x = '\\d' + a\n",
	"x = 1if a else 2\n",
	"x = 0x1for a in b\n",
	"x = ~+-a\n",
	"assert a == b, c\n",
	"print(*a, sep='')\n",
	"x = a +\n",
	"x = a + (\n",
	"x = a(\n",
	"x = f() + g()[1]\n",
	"x = a.b(c)(d).e[f](g)\n",
	"x = ...\n",
	"x = True + None - False\n",
	"for x in a + b: pass\n",
	"with a + b as c: pass\n",
	"if a and (b or c): pass\nelif d: pass\n",
	"x = {a: b + c for a in d if a > 1}\n",
	"x = [*a, *b]\n",
	"del a.b, c[d]\n",
	"x = f(a)(b for b in c)\n",
	"x = a if b else c if d else e\n",
	"f(a, b=1, c=2,)\n",
	"f(a=1)\n",
	"f(a=1, b)\n",
	"f(a, *b, c=1)\n",
	"f(a, b=1, *c, **d)\n",
	"f(x, )\n",
	"f(,)\n",
	"class A(B, metaclass=M): pass\n",
	"f(a := 1)\n",
	"f(a, b := 1)\n",
	"f(a=b=c)\n",
	"f(a=1 for b in c)\n",
	"f(True=1)\n",
	"@d(a, b=c)\ndef f(): pass\n",
	"f(a)(b=1)[c](d, e)\n",
	"x.y(z).w = f(a, k=v)\n",
	"f(a, k=v)(w)[0].x = 1\n",
	"f(\n    a,\n    b=c,\n)\n",
	"x = a[b]\n",
	"x = a[b:c]\n",
	"x = a[:]\n",
	"x = a[b, c]\n",
	"x = a[b,]\n",
	"x = a[*b]\n",
	"x = a[b := 1]\n",
	"x = a[(b := 1)]\n",
	"x = a[b for b in c]\n",
	"x = a[b if c else d]\n",
	"x = [a := 1, b]\n",
	"x = (a := 1)\n",
	"x = (a)\n",
	"x = (a := )\n",
	"if (n := len(a)) > 10: pass\n",
	"while chunk := f.read(): pass\n",
	"x = {a: b}[c]\n",
	"x = a[b]:\n",
	"f(a b)\n",
	"f(a, b=1 c)\n",
	"def f(self, a, b: int, c=1, d: str = 'x', *args: int, e, f=2, g: list = [], **kw: dict): pass\n",
	"def f(a, b,): pass\ndef g(*a,): pass\ndef h(**k,): pass\ndef i(a=1, *, b, c=2, **d): pass\n",
	"def f(a, *, b): pass\ndef g(*, a=1): pass\ndef h(*, **k): pass\ndef i(*,): pass\ndef j(*): pass\n",
	"def f(a, /, b): pass\ndef g(a=1, /, b=2, *, c): pass\ndef h(a, b=(1 / 2)): pass\n",
	"def f(a=1, b): pass\ndef g(*a, *b): pass\ndef h(**a, b): pass\ndef i(**a, **b): pass\n",
	"def f(*a: *b): pass\ndef g(*a=1): pass\ndef h(**a=1): pass\ndef i(a:=1): pass\n",
	"def f(a=yield): pass\ndef g(a=*b): pass\ndef h(a: b = c := d): pass\ndef i(a, , b): pass\n",
	"def f(a=lambda x: x, b=c if d else e, c='\\d'): pass\ndef g(a: '\\d', b=f'{x}'): pass\n",
	"def f(None): pass\ndef g(a.b): pass\ndef h(a b): pass\ndef i(a = ): pass\ndef j(a: ): pass\n",
	"async def f(a, *b, c, **d) -> int: pass\nclass C:\n    def m(self, x=1, *, y): return x\n",
	"def f[T](a: T, *b: T) -> T: pass\ndef g(a,\n      b=1,\n      ):\n    pass\n",
	"def f(" + strings.Repeat("a, ", 300) + "b): pass\n",
	"def f(a=" + strings.Repeat("(", 190) + "1" + strings.Repeat(")", 190) + "): pass\n",
	"x = " + strings.Repeat("-", 7000) + "a\n",
	"x = " + strings.Repeat("not ", 7000) + "a\n",
	"x = " + strings.Repeat("a ** ", 3000) + "a\n",
	"x = " + strings.Repeat("(", 190) + "a" + strings.Repeat(")", 190) + "\n",
	"x = " + strings.Repeat("f(", 190) + "a" + strings.Repeat(")", 190) + "\n",
	"x = " + strings.Repeat("-(", 150) + "a" + strings.Repeat(")", 150) + "\n",
}

// TestFastPathCases compares parses with and without the fast path on
// fastSources, errors.txt and byteCases.
func TestFastPathCases(t *testing.T) {
	srcs := append(slices.Clone(fastSources), readCases(t, "errors.txt")...)
	srcs = append(srcs, byteCases...)
	for i, s := range srcs {
		if d := fastDiffAll(fmt.Sprintf("case%03d.py", i), []byte(s)); d != "" {
			t.Errorf("%q: %s", s, d)
		}
	}
}

// TestFastPathStdlib compares parses with and without the fast path on
// every file of every local standard library (3.13 or not, each parsed
// as 3.13.0 and as its own 3.13 release): every 7th file with -short.
func TestFastPathStdlib(t *testing.T) {
	pys := pythons.Find(t)
	if len(pys) == 0 {
		t.Skip("no CPython on the host")
	}
	for _, py := range pys {
		if py.Major != 3 || py.Minor < 8 {
			continue
		}
		t.Run(py.Version, func(t *testing.T) {
			rel := rel3130
			if py.Minor == 13 {
				rel = release.Release{Major: 3, Minor: 13, Micro: py.Micro}
			}
			std := py.Stdlib(t)
			step := 1
			if testing.Short() {
				step = 7
			}
			var counts fastCount
			n, bad := 0, 0
			for i := 0; i < len(std.Files); i += step {
				name := filepath.Join(std.Root, std.Files[i])
				src, err := os.ReadFile(name)
				if err != nil {
					t.Fatal(err)
				}
				n++
				if d := fastDiff(name, src, rel, &counts); d != "" {
					bad++
					if bad <= 20 {
						t.Error(d)
					}
				}
			}
			t.Logf("%s: %d files, %d differ; expression %s; arguments %s; simple_stmt %s; params %s",
				py, n, bad, counts.tally(hookExpression), counts.tally(hookArguments), counts.tally(hookSimpleStmt), counts.tally(hookParams))
		})
	}
}

// TestFastPathGenerated compares parses with and without the fast path on
// the generated inputs of every kind (internal/gensrc) and on mutants of
// the standard library (internal/mutate): 2,000 of each by default, 300
// with -short; a quarter of that of the flow kind, whose programs are
// large and made for the back end (2,000 of them cost 12 s here).
func TestFastPathGenerated(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 300
	}
	for _, kind := range gensrc.Kinds() {
		n := n
		if kind == "flow" {
			n /= 4
		}
		for i := range n {
			in, err := gensrc.Make(kind, 1, i)
			if err != nil {
				t.Fatal(err)
			}
			if d := fastDiffAll(in.String(), in.Src); d != "" {
				t.Error(d)
			}
		}
	}
	pys := pythons.Find(t)
	for _, py := range pys {
		if py.Major == 3 && py.Minor == 13 {
			lib := py.Stdlib(t)
			c, err := mutate.NewCorpus(lib.Files, lib.Sources(t))
			if err != nil {
				t.Fatal(err)
			}
			for i := range n {
				m := c.Mutant(3, i)
				if d := fastDiffAll(m.String(), m.Src); d != "" {
					t.Error(d)
				}
			}
			break
		}
	}
}

// FuzzFastPath compares parses with and without the fast path on
// arbitrary sources.
func FuzzFastPath(f *testing.F) {
	for _, s := range fastSources {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		if d := fastDiffAll("fuzz.py", src); d != "" {
			t.Error(d)
		}
	})
}

// tally describes the calls of one hook and the results it gave.
func (c *fastCount) tally(hook int) string {
	h := c[hook]
	return fmt.Sprintf("asked %d times, taken %d (%.1f%%)", h.Asked, h.Taken, 100*float64(h.Taken)/float64(max(h.Asked, 1)))
}
