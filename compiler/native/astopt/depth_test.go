package astopt

import (
	"encoding/json"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/internal/astjson"
	"github.com/rules-pyc/rules_pyc/internal/chainlimit"
)

func longestChain(t *testing.T, depth int) int {
	return chainlimit.Longest(func(n int) bool {
		err := Optimize(chainlimit.Module(n), Config{Depth: depth})
		if err == nil {
			return true
		}
		if se, isSE := err.(*syntaxerr.Error); !isSE || se.Type != syntaxerr.RecursionError {
			t.Fatalf("chain of %d: %v", n, err)
		}
		return false
	})
}

// TestRecursionLimit checks that the optimizer refuses the same depth as
// CPython's: under py_compile (DefaultDepth), and under compile() with
// PyCF_OPTIMIZED_AST from a script's top level, which reaches the optimizer
// one C call deeper than the symbol table module does (Depth 4).
func TestRecursionLimit(t *testing.T) {
	want := map[string]int{"compile": longestChain(t, 4), "py_compile": longestChain(t, 0)}
	for _, in := range astjson.Find313(t) {
		var got map[string]int
		if err := json.Unmarshal(in.Run(t, chainlimit.Script(map[string]string{"compile": `compile(src, "x", "exec", ast.PyCF_OPTIMIZED_AST, optimize=0)`})), &got); err != nil {
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
