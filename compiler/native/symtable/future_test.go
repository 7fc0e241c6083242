package symtable

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/internal/astjson"
)

// lateFutureSources have future statements in and out of place.
var lateFutureSources = []string{
	"from __future__ import annotations\n",
	"x = 1\nfrom __future__ import annotations\n",
	"'''doc'''\nfrom __future__ import annotations\nfrom __future__ import division\n",
	"from __future__ import annotations; from __future__ import division\n",
	"from __future__ import annotations; x = 1; from __future__ import division\n",
	"from __future__ import (annotations,\n    division); from __future__ import generators\n",
	"from __future__ import annotations\nimport os\nfrom __future__ import division\n",
	"def f():\n    from __future__ import annotations\n",
	"from .__future__ import annotations\n",
	"x = 1\nfrom .__future__ import annotations\n",
	"if x:\n    from __future__ import annotations\n",
	"'''doc'''\n'''doc2'''\nfrom __future__ import annotations\n",
	"from __future__ import annotations\nfrom __future__ import annotations\n",
}

// TestIsLate compares Future.IsLate, for every future statement of each
// source, with compile(): the first late one is the compiler's error.
func TestIsLate(t *testing.T) {
	dir := t.TempDir()
	var files []string
	srcs := map[string]string{}
	for i, src := range lateFutureSources {
		name := filepath.Join(dir, fmt.Sprintf("f%02d.py", i))
		if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
		srcs[name] = src
	}
	const extra = `
def extra(name, src):
    try:
        compile(src, name, "exec", dont_inherit=True)
    except SyntaxError as e:
        return [e.msg, e.lineno, e.offset]
    return None
`
	for _, in := range astjson.Find313(t) {
		in.Parse(t, astjson.Request{Files: files, Extra: extra}, func(rec *astjson.Record) {
			tree, err := astjson.Convert(rec.Tree)
			if err != nil {
				t.Fatal(err)
			}
			mod := tree.(*ast.Module)
			fut, err := ParseFuture(mod, rec.Name, in.Release, nil)
			if err != nil {
				t.Fatalf("%q: %v", srcs[rec.Name], err)
			}
			var late *ast.ImportFrom
			var walk func([]ast.Stmt)
			walk = func(ss []ast.Stmt) {
				for _, s := range ss {
					switch s := s.(type) {
					case *ast.ImportFrom:
						if late == nil && fut.IsLate(s) {
							late = s
						}
					case *ast.FunctionDef:
						walk(s.Body)
					case *ast.If:
						walk(s.Body)
					}
				}
			}
			walk(mod.Body)
			got := "null"
			if late != nil {
				got = fmt.Sprintf(`["%s", %d, %d]`, MsgLateFuture, late.Lineno, late.ColOffset+1)
			}
			want := strings.ReplaceAll(string(rec.Extra), " ", "")
			if strings.ReplaceAll(got, " ", "") != want {
				t.Errorf("%s: %q: compile() says %s, IsLate %s", in, srcs[rec.Name], rec.Extra, got)
			}
		})
	}
}
