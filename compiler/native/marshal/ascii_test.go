package marshal

import (
	"strings"
	"testing"
)

// TestIsASCII checks the word-at-a-time test against a byte loop, for
// every length up to 80 and a byte above 0x7F at every position (each of
// the 32- and 8-byte loops, the words of short strings, and their
// boundaries).
func TestIsASCII(t *testing.T) {
	plain := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				return false
			}
		}
		return true
	}
	for n := 0; n <= 80; n++ {
		base := []byte(strings.Repeat("\x7f", n))
		if got := isASCII(string(base)); !got {
			t.Errorf("isASCII(%d ASCII bytes) = false", n)
		}
		for i := 0; i < n; i++ {
			for _, b := range []byte{0x80, 0xC3, 0xFF} {
				s := []byte(string(base))
				s[i] = b
				if got, want := isASCII(string(s)), plain(string(s)); got != want {
					t.Errorf("isASCII(len %d, %#x at %d) = %v, want %v", n, b, i, got, want)
				}
			}
		}
	}
}
