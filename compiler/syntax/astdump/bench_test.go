package astdump

import (
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/internal/astjson"
)

// BenchmarkDump writes the trees of a sample of the standard library (as
// the interpreter parsed them); the throughput is of the text written.
func BenchmarkDump(b *testing.B) {
	in := astjson.Find313(b)[0]
	var trees []ast.Node
	size := 0
	in.Parse(b, astjson.Request{Roots: []string{in.Stdlib}, Every: 40, Dump: true}, func(rec *astjson.Record) {
		if rec.Dump == nil {
			return
		}
		n, err := astjson.Convert(rec.Tree)
		if err != nil {
			b.Fatal(err)
		}
		trees = append(trees, n)
		size += len(*rec.Dump)
	})
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	var buf []byte
	for i := 0; i < b.N; i++ {
		for _, n := range trees {
			var err error
			if buf, err = Append(buf[:0], n, in.Release); err != nil {
				b.Fatal(err)
			}
		}
	}
}
