package symtable

import (
	"encoding/json"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/internal/astjson"
	"github.com/rules-pyc/rules_pyc/internal/chainlimit"
)

func longestChain(t *testing.T, depth int) int {
	return chainlimit.Longest(func(n int) bool {
		_, err := Build(chainlimit.Module(n), Config{Depth: depth})
		if err == nil {
			return true
		}
		if se, isSE := err.(*syntaxerr.Error); !isSE || se.Type != syntaxerr.RecursionError || se.Msg != msgRecursion {
			t.Fatalf("chain of %d: %v", n, err)
		}
		return false
	})
}

// TestRecursionLimit checks that the table refuses the same depth as
// CPython: called from a script's top level (Depth 2) and under
// py_compile.compile (DefaultDepth).
func TestRecursionLimit(t *testing.T) {
	want := map[string]int{"symtable": longestChain(t, 2), "py_compile": longestChain(t, 0)}
	for _, in := range astjson.Find313(t) {
		var got map[string]int
		if err := json.Unmarshal(in.Run(t, chainlimit.Script(map[string]string{"symtable": `_symtable.symtable(src, "x", "exec")`})), &got); err != nil {
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
