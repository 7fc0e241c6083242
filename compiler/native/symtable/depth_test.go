package symtable

import (
	"encoding/json"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/internal/astjson"
)

// depthScript finds, by bisection, the longest chain "x = a+a+...+a" that
// _symtable.symtable accepts when called from a -c script's top level, and
// the longest that py_compile.compile accepts when so called.
const depthScript = `
import _symtable, json, os, py_compile, tempfile
def chain(n):
    return "x = " + "+".join(["a"] * n) + "\n"
def st_ok(n):
    try:
        _symtable.symtable(chain(n), "x", "exec")
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
print(json.dumps({"symtable": bisect(st_ok), "py_compile": bisect(pc_ok)}))
`

// chainModule is the tree of "x = a+a+...+a" with n terms, which CPython's
// parser builds without recursion and whose depth is n+1.
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
		_, err := Build(chainModule(n), Config{Depth: depth})
		if err == nil {
			return true
		}
		if se, isSE := err.(*syntaxerr.Error); !isSE || se.Type != syntaxerr.RecursionError || se.Msg != msgRecursion {
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

// TestRecursionLimit checks that the table refuses the same depth as
// CPython: called from a script's top level (Depth 2) and under
// py_compile.compile (DefaultDepth).
func TestRecursionLimit(t *testing.T) {
	want := map[string]int{"symtable": longestChain(t, 2), "py_compile": longestChain(t, 0)}
	for _, in := range astjson.Find313(t) {
		var got map[string]int
		if err := json.Unmarshal(in.Run(t, depthScript), &got); err != nil {
			t.Fatal(err)
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: the longest chain %s accepts has %d terms; Build accepts %d", in, k, got[k], w)
			}
		}
		t.Logf("%s: longest chains: %v", in, got)
	}
}
