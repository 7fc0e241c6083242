package astopt

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/astjson"
)

// sampleEvery returns how many files of a standard library the sweep steps
// over: all of them (1) under RULES_PYC_FULL_SWEEP=1, else a fixed sample
// (ASTOPT_EVERY=N overrides it).
func sampleEvery() int {
	if n, err := strconv.Atoi(os.Getenv("ASTOPT_EVERY")); err == nil && n > 0 {
		return n
	}
	switch {
	case os.Getenv("RULES_PYC_FULL_SWEEP") == "1":
		return 1
	case testing.Short():
		return 64
	}
	return 16
}

// TestStdlib optimizes the tree of every sampled .py file of each 3.13's
// standard library (test/ included) at -O0, -O1 and -O2 and compares the
// dumps with the interpreter's optimized trees.
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
				src, _ := os.ReadFile(rec.Name)
				o, msg := compareRecord(rec, in, src, false)
				tl.add(rec.Name, o, msg)
			})
			tl.report(t, in.String())
		})
	}
}
