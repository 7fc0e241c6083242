package strlit

import (
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
)

func BenchmarkParse(b *testing.B) {
	d, err := NewDecoder(release.Release{Major: 3, Minor: 13, Micro: 0})
	if err != nil {
		b.Fatal(err)
	}
	toks := []string{`'plain text without escapes'`, `"a\tb\n"`, `b'\x00\x01\xff'`, `'''doc
string with lines
'''`, `r'\d+\s*'`, `'caf\u00e9 \N{EM DASH} é'`}
	size := 0
	for _, t := range toks {
		size += len(t)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, t := range toks {
			if _, err := d.Parse(t); err != nil {
				b.Fatal(err)
			}
		}
	}
}
