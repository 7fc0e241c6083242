package parser

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/internal/cputime"
	"github.com/rules-pyc/rules_pyc/internal/passes"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// BenchmarkParseFile measures the front end (decoding, tokenizer, parser)
// on the standard library of the first 3.13 on the machine: MB/s of
// source, and CPU time per MB (the machine is shared: CPU time, GC
// included, says more than wall time).
func BenchmarkParseFile(b *testing.B) {
	var py pythons.Interpreter
	found := false
	for _, in := range pythons.Find(b) {
		if in.Major == 3 && in.Minor == 13 {
			py, found = in, true
		}
	}
	if !found {
		b.Skip("no CPython 3.13 on the host")
	}
	std := py.Stdlib(b)
	type file struct {
		name string
		src  []byte
	}
	var files []file
	size := 0
	for _, f := range std.Files {
		name := filepath.Join(std.Root, f)
		src, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, file{name, src})
		size += len(src)
	}
	rel := release.Release{Major: 3, Minor: 13, Micro: py.Micro}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cputime.Process()
	for i := 0; i < b.N; i++ {
		for _, f := range files {
			ParseFile(f.name, f.src, rel)
		}
	}
	cputime.Report(b, cpu0, int64(size), 0)
	b.ReportMetric(float64(b.N*len(files)), "files")
}

// TestMeasurePasses parses every tenth .py file (in lexical order) under
// PARSER_MEASURE_DIR (a 3.13 standard library) PARSER_MEASURE_PASSES
// times, as 3.13.0, for instruction counts (callgrind, which needs
// GODEBUG=asyncpreemptoff=1 and a process that starts no other: the
// difference between runs of different numbers of passes is what a warm
// pass costs). PARSER_FAST=0 turns the fast path (fast.go) off.
func TestMeasurePasses(t *testing.T) {
	s := passes.FromEnv(t, "PARSER")
	opts := Options{noFast: os.Getenv("PARSER_FAST") == "0"}
	rel := release.Release{Major: 3, Minor: 13, Micro: 0}
	for range s.Passes {
		for i, src := range s.Sources {
			Parse(s.Names[i], src, rel, opts)
		}
	}
	s.Log(t)
}
