package pyobj

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// identStream returns the identifier-like words of a few standard
// library files, in order, as the parser reports them.
func identStream(b *testing.B) []string {
	var py *pythons.Interpreter
	for _, p := range pythons.Find(b) {
		if p.Major == 3 && p.Minor == 13 && p.Chroot == "" {
			py = &p
			break
		}
	}
	if py == nil {
		b.Skip("no CPython 3.13")
	}
	lib := py.Stdlib(b)
	var words []string
	for _, f := range []string{"argparse.py", "typing.py", "asyncio/base_events.py", "dataclasses.py"} {
		src, err := os.ReadFile(filepath.Join(lib.Root, f))
		if err != nil {
			b.Fatal(err)
		}
		s := string(src)
		words = append(words, strings.FieldsFunc(s, func(r rune) bool {
			return !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
		})...)
	}
	return words
}

// BenchmarkIdentifier interns a stream of identifiers as the parser
// reports them, in a fresh Process each round.
func BenchmarkIdentifier(b *testing.B) {
	words := identStream(b)
	startup, err := StartupInterned("3.13.0")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p := NewProcess(startup)
		for _, w := range words {
			p.Identifier(w)
		}
		p.Release()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(words)), "ns/ident")
}
