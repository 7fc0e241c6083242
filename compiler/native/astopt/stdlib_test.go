package astopt

import (
	"os"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/astjson"
	"github.com/rules-pyc/rules_pyc/internal/pyref"
)

// sampleEvery returns how many files of a standard library the sweep steps
// over: all of them (1) under RULES_PYC_FULL_SWEEP, else a fixed sample
// (ASTOPT_EVERY=N overrides it).
func sampleEvery() int { return pyref.Every("ASTOPT_EVERY", 64, 16) }

// TestStdlib optimizes the tree of every sampled .py file of each 3.13's
// standard library (test/ included) at -O0, -O1 and -O2 and compares the
// dumps with the interpreter's optimized trees.
func TestStdlib(t *testing.T) {
	for _, in := range astjson.Find313(t) {
		t.Run(in.Release.String(), func(t *testing.T) {
			files := in.StdlibFiles(t, sampleEvery())
			var tl tally
			in.Parse(t, astjson.Request{Files: files, Extra: oracleExtra}, func(rec *astjson.Record) {
				src, _ := os.ReadFile(rec.Name)
				o, msg := compareRecord(rec, in, src, false)
				tl.add(rec.Name, o, msg)
			})
			tl.report(t, in.String())
		})
	}
}
