package symtable

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/astjson"
	"github.com/rules-pyc/rules_pyc/internal/mutate"
)

// TestMutants compares the tables (and symbol table and future errors) of
// mutants of the standard library that CPython parses: windows of real code
// with random edits, some of which insert global, nonlocal, future and
// other statements the symbol table judges.
func TestMutants(t *testing.T) {
	n := 4000
	if testing.Short() {
		n = 800
	}
	if v, err := strconv.Atoi(os.Getenv("SYMTABLE_MUTANTS")); err == nil && v > 0 {
		n = v
	}
	ins := astjson.Find313(t)
	lib := ins[0].Interpreter().Stdlib(t)
	srcs := lib.Sources(t)
	corpus, err := mutate.NewCorpus(lib.Files, srcs)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := make([]string, n)
	mutants := map[string]mutate.Mutant{}
	for i := range n {
		m := corpus.Mutant(1, i)
		files[i] = filepath.Join(dir, fmt.Sprintf("m%05d.py", i))
		if err := os.WriteFile(files[i], m.Src, 0o644); err != nil {
			t.Fatal(err)
		}
		mutants[files[i]] = m
	}
	for _, in := range ins {
		t.Run(in.Release.String(), func(t *testing.T) {
			var tl tally
			in.Parse(t, astjson.Request{Files: files, Extra: oracleExtra}, func(rec *astjson.Record) {
				m := mutants[rec.Name]
				o, msg := compareRecord(rec, in, m.Src)
				tl.add(m.String(), o, msg)
			})
			tl.report(t, in.String())
			if tl.n[agreeTable]+tl.n[agreeError] < n/20 {
				t.Errorf("only %d of %d mutants compared", tl.n[agreeTable]+tl.n[agreeError], n)
			}
		})
	}
}
