package parser

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
)

// depthScript reports what ast.parse makes of each file without dumping
// the tree (ast.dump overflows Python's own recursion limit on trees this
// deep): "ok", or the exception's type and message.
const depthScript = `
import sys, json, ast
out = []
for path in json.load(sys.stdin):
    try:
        ast.parse(open(path, 'rb').read(), path)
        out.append('ok')
    except BaseException as e:
        msg = e.msg if isinstance(e, SyntaxError) else str(e)
        out.append(type(e).__name__ + ': ' + msg)
print(json.dumps(out))
`

// deepSources are constructs whose nesting costs a fixed number of rule
// calls per level, each at the depths around the one where CPython 3.13's
// parser overflows its stack (6000 nested rule calls): the depth at which
// MemoryError starts depends on exactly which rules (helper rules
// included) each construct goes through.
var deepSources = []struct {
	name   string
	make   func(n int) string
	around int
}{
	{"minus", func(n int) string { return "x = " + strings.Repeat("-", n) + "1\n" }, 5967},
	{"not", func(n int) string { return "x = " + strings.Repeat("not ", n) + "1\n" }, 5967},
	{"power", func(n int) string { return "x = " + strings.Repeat("2**", n) + "2\n" }, 2984},
	{"lambda", func(n int) string { return "x = " + strings.Repeat("lambda:", n) + "1\n" }, 2984},
	{"ifexp", func(n int) string { return "x = " + strings.Repeat("a if b else ", n) + "c\n" }, 5968},
	{"minus in parens", func(n int) string { return "x = (" + strings.Repeat("-", n) + "1)\n" }, 5957},
	{"tilde plus", func(n int) string { return "x = " + strings.Repeat("~+", n) + "1\n" }, 2984},
	{"not as target", func(n int) string { return strings.Repeat("not ", n) + "x = 1\n" }, 5963},
	// Expression statements, which the optimistic first pass parses
	// without trying an assignment first (ahead.go).
	{"minus statement", func(n int) string { return strings.Repeat("-", n) + "1\n" }, 5968},
	{"call of minus", func(n int) string { return "a.b(" + strings.Repeat("-", n) + "1)\n" }, 5963},
	{"tuple with subscript", func(n int) string { return "a, b[" + strings.Repeat("-", n) + "1]\n" }, 5958},
	{"minus in 100 calls", func(n int) string {
		return strings.Repeat("f(", 100) + strings.Repeat("-", n) + "1" + strings.Repeat(")", 100) + "\n"
	}, 3587},
	// Targets: t_primary and its look-ahead of a token set (t_lookahead),
	// del_target, and with_item's look-ahead of (',' | ')' | ':').
	{"subscript target", func(n int) string { return "a[" + strings.Repeat("-", n) + "1] = 1\n" }, 5964},
	{"attribute of subscript target", func(n int) string { return "a[" + strings.Repeat("-", n) + "1].b = 1\n" }, 5964},
	{"del subscript", func(n int) string { return "del a[" + strings.Repeat("-", n) + "1]\n" }, 5963},
	{"with target subscript", func(n int) string { return "with a as b[" + strings.Repeat("-", n) + "1]: pass\n" }, 5963},
	{"nested brackets", func(n int) string {
		return "x = " + strings.Repeat("[(", n/2) + "1" + strings.Repeat(")]", n/2) + "\n"
	}, 199},
}

// TestDepthAgreement compares, with every 3.13 interpreter, the outcome of
// parsing deeply nested constructs: success or MemoryError, at each depth
// around CPython's limit.
func TestDepthAgreement(t *testing.T) {
	dir := t.TempDir()
	var files, names []string
	var srcs [][]byte
	for _, d := range deepSources {
		for n := d.around - 2; n <= d.around+1; n++ {
			p := filepath.Join(dir, fmt.Sprintf("deep%03d.py", len(files)))
			src := []byte(d.make(n))
			if err := os.WriteFile(p, src, 0o644); err != nil {
				t.Fatal(err)
			}
			files, srcs = append(files, p), append(srcs, src)
			names = append(names, fmt.Sprintf("%s x %d", d.name, n))
		}
	}
	for _, py := range interpreters313(t) {
		t.Run(py.Version, func(t *testing.T) {
			var want []string
			py.RunJSON(t, depthScript, files, &want)
			rel := release.Release{Major: py.Major, Minor: py.Minor, Micro: py.Micro}
			for i, f := range files {
				_, err := ParseFile(f, srcs[i], rel)
				got := "ok"
				if err != nil {
					got = err.Type.String() + ": " + err.Msg
				}
				if got != want[i] {
					t.Errorf("%s: got %s, CPython %s", names[i], got, want[i])
				}
			}
		})
	}
}

var _ = syntaxerr.MemoryError
