package frontend

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// depthShapes are statements holding a chain of n links (left-recursive
// rules, so that only ast2obj's count limits them) under nodes of every
// kind that count.
var depthShapes = []struct {
	name string
	src  func(n int) string
}{
	{"binop", func(n int) string { return "x = 1" + strings.Repeat("+1", n) + "\n" }},
	{"attribute in a default", func(n int) string {
		return "class C:\n def f(self, a=a" + strings.Repeat(".b", n) + "):\n  pass\n"
	}},
	{"call in a keyword", func(n int) string { return "f(k=g" + strings.Repeat("()", n) + ")\n" }},
	{"subscript in a comprehension", func(n int) string { return "[y for y in x" + strings.Repeat("[0]", n) + "]\n" }},
	{"attribute in a pattern", func(n int) string { return "match x:\n case a" + strings.Repeat(".b", n) + ":\n  pass\n" }},
	{"binop in a handler", func(n int) string { return "try:\n pass\nexcept 1" + strings.Repeat("+1", n) + ":\n pass\n" }},
	{"call in a withitem", func(n int) string { return "with f" + strings.Repeat("()", n) + ": pass\n" }},
	{"attribute in a type parameter", func(n int) string { return "def f[T: a" + strings.Repeat(".b", n) + "](): pass\n" }},
	{"subscript in an f-string", func(n int) string { return "x = f'{x" + strings.Repeat("[0]", n) + "}'\n" }},
	{"binop under 98 ifs", func(n int) string {
		var b strings.Builder
		for i := range 98 {
			b.WriteString(strings.Repeat(" ", i) + "if x:\n")
		}
		return b.String() + strings.Repeat(" ", 98) + "y = 1" + strings.Repeat("+1", n) + "\n"
	}},
	{"call in a lambda", func(n int) string { return "g = lambda: f" + strings.Repeat("()", n) + "\n" }},
	{"attribute as a decorator", func(n int) string { return "@a" + strings.Repeat(".b", n) + "\ndef f(): pass\n" }},
}

// parseScript runs ast.parse on each file named as the dump command runs
// it (from the module's code, so at the same C recursion depth) and prints
// "ok", "deep" (ast2obj's RecursionError) or the exception.
const parseScript = `import ast, sys
for p in sys.argv[1:]:
    try:
        ast.parse(open(p, "rb").read(), p)
        print("ok")
    except RecursionError as e:
        print("deep" if "during ast construction" in str(e) else "RecursionError: %s" % e)
    except Exception as e:
        print("%s: %s" % (type(e).__name__, e))
`

// TestObjectDepth: for each shape, the longest chain Dump accepts (found
// by bisection) is the longest ast.parse accepts in each 3.13: CPython
// parses it and raises ast2obj's RecursionError for one link more.
func TestObjectDepth(t *testing.T) {
	pys := pythons.Minor(t, 3, 13)
	relOf := func(py pythons.Interpreter) release.Release {
		return release.Release{Major: py.Major, Minor: py.Minor, Micro: py.Micro}
	}
	tooDeep := func(src string, rel release.Release) bool {
		_, serr, _ := Dump("f.py", []byte(src), rel)
		return serr != nil && serr.Type == syntaxerr.RecursionError
	}
	// The bisection, for the first release; the others are checked at the
	// two lengths found.
	dir := t.TempDir()
	var files, srcs []string
	for k, s := range depthShapes {
		lo, hi := 9000, 10100
		rel := relOf(pys[0])
		if tooDeep(s.src(lo), rel) || !tooDeep(s.src(hi), rel) {
			t.Fatalf("%s: Dump refuses %d links or accepts %d", s.name, lo, hi)
		}
		for lo+1 < hi {
			m := (lo + hi) / 2
			if tooDeep(s.src(m), rel) {
				hi = m
			} else {
				lo = m
			}
		}
		for j, n := range []int{lo, lo + 1} {
			f := filepath.Join(dir, fmt.Sprintf("s%02d_%d.py", k, j))
			if err := os.WriteFile(f, []byte(s.src(n)), 0o644); err != nil {
				t.Fatal(err)
			}
			files, srcs = append(files, f), append(srcs, s.src(n))
		}
	}
	for _, py := range pys {
		t.Run(py.Version, func(t *testing.T) {
			out, err := py.Command(context.Background(), append([]string{"-S", "-s", "-c", parseScript}, files...)...).Output()
			if err != nil {
				t.Fatalf("%s: %v", py, err)
			}
			got := strings.Split(strings.TrimSpace(string(out)), "\n")
			if len(got) != len(files) {
				t.Fatalf("%s: %d answers for %d files: %q", py, len(got), len(files), out)
			}
			for i, src := range srcs {
				what, want := "the longest chain Dump accepts", "ok"
				if i%2 == 1 {
					what, want = "one link more", "deep"
				}
				if deep := tooDeep(src, relOf(py)); deep != (i%2 == 1) {
					t.Errorf("%s, %s: Dump gives RecursionError: %v in this release", depthShapes[i/2].name, what, deep)
				}
				if got[i] != want {
					t.Errorf("%s, %s: CPython says %q, want %q", depthShapes[i/2].name, what, got[i], want)
				}
			}
		})
	}
}
