package scanner

import (
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
)

// TestOpStartsTwo derives opStartsTwo from twoChars over every pair of an
// ASCII first character and any next character (or the end of input).
func TestOpStartsTwo(t *testing.T) {
	for c := range 128 {
		want := false
		for c2 := eof; c2 < 256; c2++ {
			if twoChars(c, c2) != token.OP {
				want = true
			}
		}
		if opStartsTwo[c] != want {
			t.Errorf("opStartsTwo[%q] = %v, twoChars says %v", rune(c), opStartsTwo[c], want)
		}
	}
}

// TestOpEqualOnly derives opEqualOnly: the characters that are an
// operator of their own, for which twoChars makes an operator with '='
// and with no other next character (nor threeChars a longer one), and
// which regular hands to operator.
func TestOpEqualOnly(t *testing.T) {
	for c := range 128 {
		want := oneChar(c) != token.OP && quickClass[c] == quickOp
		for c2 := eof; c2 < 256 && want; c2++ {
			if (twoChars(c, c2) != token.OP) != (c2 == '=') {
				want = false
			}
			for c3 := eof; c3 < 256 && want; c3++ {
				if threeChars(c, c2, c3) != token.OP {
					want = false
				}
			}
		}
		if opEqualOnly[c] != want {
			t.Errorf("opEqualOnly[%q] = %v, want %v", rune(c), opEqualOnly[c], want)
		}
	}
}
