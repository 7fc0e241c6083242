package unidata_test

import (
	"testing"
	"unicode/utf8"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/unidata"
)

// FuzzNFKC checks that NFKC takes any bytes without panicking, returns
// valid UTF-8, and is idempotent (NFKC of a result is that result, and
// returned as it is). The interpreter comparisons are TestNFKC*.
func FuzzNFKC(f *testing.F) {
	for _, s := range []string{"", "abc", "\ufb01", "e\u0301\u0323", "\u1100\u1161\u11a8", "\xff\xfe", "a\u0345\u0301\u0323\u05b0", "\U0002EBF0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range unidata.Versions() {
			tab := unidata.ForVersion(v)
			out := tab.NFKC(s)
			if !utf8.ValidString(out) {
				t.Fatalf("%s: NFKC(%+q) = %+q, not UTF-8", v, s, out)
			}
			if again := tab.NFKC(out); again != out {
				t.Fatalf("%s: NFKC(%+q) = %+q, whose NFKC is %+q", v, s, out, again)
			}
		}
	})
}

// FuzzLookup checks that Lookup takes any name without panicking and
// answers only code points.
func FuzzLookup(f *testing.F) {
	for _, s := range []string{"", "LATIN SMALL LETTER A", "hangul syllable gag", "CJK UNIFIED IDEOGRAPH-04E00", "TANGUT IDEOGRAPH-17000", "HANGUL SYLLABLE \xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		for _, v := range unidata.Versions() {
			tab := unidata.ForVersion(v)
			for _, rules := range []unidata.NameRules{unidata.AnyCaseRuleNames, unidata.UpperCaseRuleNames} {
				if r, ok := tab.LookupRules(name, rules); ok && (r < 0 || r > 0x10FFFF) {
					t.Fatalf("%s: LookupRules(%q, %v) = %d", v, name, rules, r)
				}
			}
		}
	})
}
