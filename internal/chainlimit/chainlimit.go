// Package chainlimit measures how deep a tree a recursive stage of the
// compiler accepts, CPython's and the native one alike, with the chain
// "x = a+a+...+a": a tree of depth n+1 for n terms, which CPython's parser
// builds without recursion, so that the stage under test is the first to
// refuse it. Both sides are bisected over [Min, Max] terms.
package chainlimit

import (
	"encoding/json"
	"fmt"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// Min and Max bound the chains tried, in terms.
const Min, Max = 100, 20000

// Module returns the tree of the chain of n terms.
func Module(n int) *ast.Module {
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

// Longest returns the largest n in [Min, Max] for which accepts holds
// (Min when none does); accepts must hold for every chain shorter than
// one it holds for.
func Longest(accepts func(n int) bool) int {
	lo, hi := Min, Max
	for lo < hi {
		m := (lo + hi + 1) / 2
		if accepts(m) {
			lo = m
		} else {
			hi = m - 1
		}
	}
	return lo
}

// Script returns a Python script that prints, as a JSON object, the
// longest chain each check accepts, bisected as Longest does. A check is a
// Python expression in src, the chain's source, that raises RecursionError
// when the chain is too deep, evaluated in a function called by the
// bisection, itself called from the script's top level: the C stack depth
// the stage starts at is the same for every check, and is the depth the
// native side's Config.Depth must give. The check named "py_compile" is
// always there: py_compile.compile of a file holding src.
func Script(checks map[string]string) string {
	data, err := json.Marshal(checks)
	if err != nil {
		panic(err) // a map of strings always marshals
	}
	return fmt.Sprintf(`
import ast, _symtable, json, os, py_compile, tempfile
def chain(n):
    return "x = " + "+".join(["a"] * n) + "\n"
d = tempfile.mkdtemp()
path = os.path.join(d, "deep.py")
def py_compile_ok(n):
    with open(path, "w") as f:
        f.write(chain(n))
    try:
        py_compile.compile(path, cfile=path + "c", doraise=True)
        return True
    except py_compile.PyCompileError:
        return False
def check(expr):
    ns = {"ast": ast, "_symtable": _symtable, "chain": chain}
    exec("def ok(n):\n    src = chain(n)\n    try:\n        " + expr +
         "\n        return True\n    except RecursionError:\n        return False\n", ns)
    return ns["ok"]
def longest(ok):
    lo, hi = %d, %d
    while lo < hi:
        m = (lo + hi + 1) // 2
        if ok(m):
            lo = m
        else:
            hi = m - 1
    return lo
result = {"py_compile": longest(py_compile_ok)}
for name, expr in sorted(json.loads(%q).items()):
    result[name] = longest(check(expr))
print(json.dumps(result))
`, Min, Max, data)
}
