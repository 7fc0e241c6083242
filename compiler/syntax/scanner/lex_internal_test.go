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
