package parser

import (
	"os"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
	"github.com/rules-pyc/rules_pyc/internal/cputime"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// BenchmarkParseCPythonTokens measures the parser alone (tokens made
// beforehand by CPython's tokenizer) on the standard library.
func BenchmarkParseCPythonTokens(b *testing.B) {
	var py pythons.Interpreter
	found := false
	for _, in := range pythons.Find(b) {
		if in.Major == 3 && in.Minor == 13 {
			py, found = in, true
		}
	}
	if !found {
		b.Skip("no CPython 3.13")
	}
	std := py.Stdlib(b)
	var paths []string
	for i, f := range std.Files {
		if os.Getenv("BENCH_ALL") == "" && i%4 != 0 {
			continue
		}
		paths = append(paths, std.Root+"/"+f)
	}
	var toks []cpyTokens
	py.RunJSON(b, tokenizeScript, paths, &toks)
	type input struct {
		text string
		toks []token.Token
		meta []string
	}
	var ins []input
	size := 0
	for _, c := range toks {
		if c.Error != "" {
			continue
		}
		text, tk, meta := tokensFromCPython(c)
		ins = append(ins, input{text, tk, meta})
		size += len(text)
	}
	rel := release.Release{Major: 3, Minor: 13, Micro: 0}
	b.SetBytes(int64(size))
	b.ResetTimer()
	cpu0 := cputime.Process()
	for i := 0; i < b.N; i++ {
		for _, in := range ins {
			parseWithTokens(in.text, in.toks, in.meta, rel)
		}
	}
	// The machine is shared: CPU time (all threads, GC included) says more
	// than wall time.
	cputime.Report(b, cpu0, int64(size), 0)
}
