package unidata_test

import (
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/unidata"
)

// benchRunes are identifier characters of several scripts.
var benchRunes = []rune("snake_case_Ünïcödé_παράδειγμα_имя_変数_한국어_\u0915\u094d\u0937_\U0002EBF0")

func BenchmarkIsXIDContinue(b *testing.B) {
	tab := unidata.V15_1
	n := 0
	for i := 0; i < b.N; i++ {
		for _, r := range benchRunes {
			if tab.IsXIDContinue(r) {
				n++
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(benchRunes)), "ns/rune")
	sinkInt = n
}

var sinkInt int

func benchmarkNFKC(b *testing.B, s string) {
	tab := unidata.V15_1
	tab.NFKC("\ufb01") // decode the slow path's data outside the timing
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sink = tab.NFKC(s)
	}
}

func BenchmarkNFKCASCII(b *testing.B) { benchmarkNFKC(b, "a_rather_long_identifier_name_0123") }
func BenchmarkNFKCAlreadyNFKC(b *testing.B) {
	benchmarkNFKC(b, "Ünïcödé_παράδειγμα_имя_変数_한국어")
}
func BenchmarkNFKCChanges(b *testing.B) { benchmarkNFKC(b, "\ufb01le_\u212b_e\u0301_\u1100\u1161") }

func BenchmarkLookup(b *testing.B) {
	tab := unidata.V15_1
	names := []string{"LATIN SMALL LETTER A", "greek small letter alpha", "HANGUL SYLLABLE GAG", "CJK UNIFIED IDEOGRAPH-4E00", "NO SUCH NAME"}
	tab.Lookup(names[0])
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_, ok := tab.Lookup(names[i%len(names)])
		if ok {
			sinkInt++
		}
	}
}
