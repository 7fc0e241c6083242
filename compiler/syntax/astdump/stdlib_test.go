package astdump

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/astjson"
	"github.com/rules-pyc/rules_pyc/internal/pyref"
)

// sampleEvery returns how many files of a standard library the sweep steps
// over: all of them (1) under RULES_PYC_FULL_SWEEP, else a fixed sample
// (ASTDUMP_EVERY=N overrides it).
func sampleEvery() int { return pyref.Every("ASTDUMP_EVERY", 97, 20) }

// TestDumpStdlib rebuilds the tree of every sampled .py file of each 3.13
// interpreter's standard library (test/ included) from the interpreter's
// exact JSON of ast.parse, writes it with Dump, and compares with the
// interpreter's own ast.dump(tree, include_attributes=True).
func TestDumpStdlib(t *testing.T) {
	for _, in := range astjson.Find313(t) {
		t.Run(in.Release.String(), func(t *testing.T) {
			req := astjson.Request{Roots: []string{in.Stdlib}, Every: sampleEvery(), Dump: true}
			var files, same, parseErrors, bytes int
			var failures []string
			in.Parse(t, req, func(rec *astjson.Record) {
				files++
				if rec.ParseError != "" || rec.ReadError != "" {
					parseErrors++
					return
				}
				if msg := compareDump(rec, in); msg != "" {
					failures = append(failures, msg)
					return
				}
				same++
				if rec.Dump != nil {
					bytes += len(*rec.Dump)
				}
			})
			t.Logf("%s: %d files (every %d), %d dumps identical (%d bytes), %d not parsed by CPython",
				in, files, req.Every, same, bytes, parseErrors)
			if files < 50/req.Every {
				t.Errorf("only %d files found under %s", files, in.Stdlib)
			}
			for i, f := range failures {
				if i == 10 {
					t.Errorf("... and %d more", len(failures)-10)
					break
				}
				t.Error(f)
			}
		})
	}
}

// compareDump converts rec's tree, dumps it, and compares with rec's dump
// (or its dump error). It returns "" when they agree.
func compareDump(rec *astjson.Record, in astjson.Interp) string {
	tree, err := astjson.Convert(rec.Tree)
	if err != nil {
		return fmt.Sprintf("%s: converting the JSON: %v", rec.Name, err)
	}
	got, err := Dump(tree, in.Release)
	switch {
	case rec.DumpError != "":
		if strings.HasPrefix(rec.DumpError, "RecursionError") {
			return "" // CPython's limit, not a property of the tree
		}
		if err == nil {
			return fmt.Sprintf("%s: CPython's ast.dump failed (%s), Dump did not", rec.Name, rec.DumpError)
		}
		if want := "ValueError: " + err.Error(); rec.DumpError != want {
			return fmt.Sprintf("%s: error\nwant %s\ngot  %s", rec.Name, rec.DumpError, want)
		}
		return ""
	case err != nil:
		return fmt.Sprintf("%s: Dump failed: %v", rec.Name, err)
	case rec.Dump == nil:
		return fmt.Sprintf("%s: no dump from the interpreter", rec.Name)
	case got != *rec.Dump:
		return fmt.Sprintf("%s: dumps differ:\n%s", rec.Name, firstDifference(*rec.Dump, got))
	}
	return ""
}

// firstDifference shows where two texts first differ, with context.
func firstDifference(want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	from := max(i-120, 0)
	return fmt.Sprintf("at byte %d\nwant ...%s\ngot  ...%s", i, want[from:min(i+80, len(want))], got[from:min(i+80, len(got))])
}
