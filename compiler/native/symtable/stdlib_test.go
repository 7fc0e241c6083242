package symtable

import (
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/astjson"
	"github.com/rules-pyc/rules_pyc/internal/pyref"
)

// sampleEvery returns how many files of a standard library the sweep steps
// over: all of them (1) under RULES_PYC_FULL_SWEEP, else a fixed sample
// (SYMTABLE_EVERY=N overrides it).
func sampleEvery() int { return pyref.Every("SYMTABLE_EVERY", 64, 16) }

// TestStdlib builds the symbol table of every sampled .py file of each
// 3.13 interpreter's standard library (test/ included) from the
// interpreter's own tree and compares it, entry by entry and symbol by
// symbol, with the interpreter's (or the errors), and the code objects
// compile() makes with what the table predicts.
func TestStdlib(t *testing.T) {
	for _, in := range astjson.Find313(t) {
		t.Run(in.Release.String(), func(t *testing.T) {
			files := in.StdlibFiles(t, sampleEvery())
			var tl tally
			in.Parse(t, astjson.Request{Files: files, Extra: oracleExtra}, func(rec *astjson.Record) {
				o, msg := compareRecord(rec, in, readFile(t, rec.Name))
				tl.add(rec.Name, o, msg)
			})
			tl.report(t, in.String())
		})
	}
}
