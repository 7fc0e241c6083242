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

// TestHashStrReadsEveryByte checks that hashStr's own paths (up to 32
// bytes) and its use of the runtime's hash beyond them see every byte and
// the length: changing any one byte of a string, or its length, changes
// the hash (for these strings; a collision of the mix itself would be a
// 2^-63 accident).
func TestHashStrReadsEveryByte(t *testing.T) {
	seen := map[uint64]string{}
	for n := 0; n <= 40; n++ {
		base := []byte(strings.Repeat("x", n))
		variants := []string{string(base)}
		for i := 0; i < n; i++ {
			for _, c := range []byte{'y', 0, 0xff} {
				v := append([]byte(nil), base...)
				v[i] = c
				variants = append(variants, string(v))
			}
		}
		for _, v := range variants {
			h := hashStr(v)
			if h&1 == 0 {
				t.Errorf("hashStr(%q) = %#x: want the low bit set (0 marks an empty slot)", v, h)
			}
			if w, ok := seen[h]; ok && w != v {
				t.Errorf("hashStr(%q) = hashStr(%q) = %#x", v, w, h)
			}
			seen[h] = v
		}
	}
}

// TestEqualStr checks EqualStr against Go's comparison for every length up
// to 24, at every alignment in a buffer, with each byte changed in turn
// and with lengths that differ.
func TestEqualStr(t *testing.T) {
	buf := []byte(strings.Repeat("abcdefghijklmnopqrstuvwxyz0123456789", 3))
	for n := 0; n <= 24; n++ {
		for off := 0; off < 8; off++ {
			x := string(buf[off : off+n])
			for off2 := 0; off2 < 8; off2++ {
				y := []byte(string(buf[off2 : off2+n]))
				if got, want := EqualStr(x, string(y)), x == string(y); got != want {
					t.Errorf("EqualStr(%q, %q) = %v, want %v", x, y, got, want)
				}
			}
			same := []byte(x)
			if !EqualStr(x, string(same)) {
				t.Errorf("EqualStr(%q, copy) = false", x)
			}
			for i := 0; i < n; i++ {
				for _, c := range []byte{0, 'A', 0xff} {
					v := append([]byte(nil), same...)
					v[i] = c
					if got, want := EqualStr(x, string(v)), x == string(v); got != want {
						t.Errorf("EqualStr(%q, %q) = %v, want %v", x, v, got, want)
					}
				}
			}
			if n > 0 && EqualStr(x, x[:n-1]) {
				t.Errorf("EqualStr(%q, %q) = true", x, x[:n-1])
			}
			if EqualStr(x, x+"a") {
				t.Errorf("EqualStr(%q, %q) = true", x, x+"a")
			}
		}
	}
}
