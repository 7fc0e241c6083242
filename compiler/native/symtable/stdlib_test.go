package symtable

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/astjson"
)

// FullSweepEnv, set to 1, makes the standard-library test take every file
// instead of a fixed sample.
const FullSweepEnv = "RULES_PYC_FULL_SWEEP"

// sampleEvery returns how many files of a standard library the sweep steps
// over: all of them (1) under RULES_PYC_FULL_SWEEP=1, else a fixed sample
// (SYMTABLE_EVERY=N overrides it).
func sampleEvery() int {
	if n, err := strconv.Atoi(os.Getenv("SYMTABLE_EVERY")); err == nil && n > 0 {
		return n
	}
	switch {
	case os.Getenv(FullSweepEnv) == "1":
		return 1
	case testing.Short():
		return 64
	}
	return 16
}

// TestStdlib builds the symbol table of every sampled .py file of each
// 3.13 interpreter's standard library (test/ included) from the
// interpreter's own tree and compares it, entry by entry and symbol by
// symbol, with the interpreter's (or the errors), and the code objects
// compile() makes with what the table predicts.
func TestStdlib(t *testing.T) {
	for _, in := range astjson.Find313(t) {
		t.Run(in.Release.String(), func(t *testing.T) {
			lib := in.Interpreter().Stdlib(t)
			every := sampleEvery()
			var files []string
			for i, f := range lib.Files {
				if i%every == 0 {
					files = append(files, filepath.Join(lib.Root, filepath.FromSlash(f)))
				}
			}
			var tl tally
			in.Parse(t, astjson.Request{Files: files, Extra: oracleExtra}, func(rec *astjson.Record) {
				o, msg := compareRecord(rec, in, readFile(t, rec.Name))
				tl.add(rec.Name, o, msg)
			})
			tl.report(t, in.String())
		})
	}
}
