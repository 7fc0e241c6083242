package token

import (
	"math/rand"
	"strings"
	"testing"
)

// TestKeyword compares Keyword, with its test of the first byte and the
// length, with Lookup's map on the keywords, the names next to them and
// random names.
func TestKeyword(t *testing.T) {
	names := []string{"", "_", "a", "s", "self", "match", "case", "type", "i", "if_", "iff", "Fals", "Falsee", "false", "NONE",
		"nonlocal_", "nonloca", "continue", "continues", "x\xc3\xa9", "\xef\xbd\x89\xef\xbd\x86", strings.Repeat("a", 16), strings.Repeat("y", 40)}
	for k := FirstKeyword; k <= LastKeyword; k++ {
		s := k.Text()
		names = append(names, s, s[:len(s)-1], s+"_", s+s, strings.ToUpper(s), "_"+s)
	}
	r := rand.New(rand.NewSource(1))
	const alphabet = "abcdefilnorstuwyzFNTA_0"
	for range 20000 {
		b := make([]byte, r.Intn(18))
		for i := range b {
			b[i] = alphabet[r.Intn(len(alphabet))]
		}
		names = append(names, string(b))
	}
	for _, name := range names {
		want := Lookup(name)
		if got := Keyword([]byte(name)); got != want {
			t.Errorf("Keyword(%q) = %v, want %v", name, got, want)
		}
		if n := len(name); n > 0 && want != NAME && !MayBeKeyword(name[0], n) {
			t.Errorf("MayBeKeyword(%q, %d) = false for a keyword", name[0], n)
		}
	}
}
