package astopt

import (
	"encoding/json"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/internal/astjson"
)

// depthScript finds, by bisection, the longest chain "x = a+a+...+a" that
// the optimizer accepts when compile() with PyCF_OPTIMIZED_AST is called
// from a -c script's top level, and the longest py_compile.compile accepts
// (whose first limit is the optimizer's).
const depthScript = `
import ast, json, os, py_compile, tempfile
def chain(n):
    return "x = " + "+".join(["a"] * n) + "\n"
def opt_ok(n):
    try:
        compile(chain(n), "x", "exec", ast.PyCF_OPTIMIZED_AST, optimize=0)
        return True
    except RecursionError:
        return False
d = tempfile.mkdtemp()
src = os.path.join(d, "deep.py")
def pc_ok(n):
    with open(src, "w") as f:
        f.write(chain(n))
    try:
        py_compile.compile(src, cfile=src + "c", doraise=True)
        return True
    except py_compile.PyCompileError:
        return False
def bisect(ok):
    lo, hi = 100, 20000
    while lo < hi:
        m = (lo + hi + 1) // 2
        if ok(m):
            lo = m
        else:
            hi = m - 1
    return lo
print(json.dumps({"compile": bisect(opt_ok), "py_compile": bisect(pc_ok)}))
`

func chainModule(n int) *ast.Module {
	var a ast.Arena
	var e ast.Expr = &ast.Name{ID: "a", Ctx: ast.Load}
	for i := 1; i < n; i++ {
		b := a.NewBinOp()
		b.Left, b.Op, b.Right = e, ast.Add, &ast.Name{ID: "a", Ctx: ast.Load}
		e = b
	}
	asg := a.NewAssign()
	asg.Targets = []ast.Expr{&ast.Name{ID: "x", Ctx: ast.Store}}
	asg.Value = e
	return &ast.Module{Body: []ast.Stmt{asg}}
}

func longestChain(t *testing.T, depth int) int {
	ok := func(n int) bool {
		err := Optimize(chainModule(n), Config{Depth: depth})
		if err == nil {
			return true
		}
		if se, isSE := err.(*syntaxerr.Error); !isSE || se.Type != syntaxerr.RecursionError {
			t.Fatalf("chain of %d: %v", n, err)
		}
		return false
	}
	lo, hi := 100, 20000
	for lo < hi {
		m := (lo + hi + 1) / 2
		if ok(m) {
			lo = m
		} else {
			hi = m - 1
		}
	}
	return lo
}

// TestRecursionLimit checks that the optimizer refuses the same depth as
// CPython's: under py_compile (DefaultDepth), and under compile() with
// PyCF_OPTIMIZED_AST from a script's top level, which reaches the optimizer
// one C call deeper than the symbol table module does (Depth 4).
func TestRecursionLimit(t *testing.T) {
	want := map[string]int{"compile": longestChain(t, 4), "py_compile": longestChain(t, 0)}
	for _, in := range astjson.Find313(t) {
		var got map[string]int
		if err := json.Unmarshal(in.Run(t, depthScript), &got); err != nil {
			t.Fatal(err)
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: the longest chain %s accepts has %d terms; Optimize accepts %d", in, k, got[k], w)
			}
		}
		t.Logf("%s: longest chains: %v", in, got)
	}
}
