package scanner

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// stringStopRun agrees with the byte loop it stands for, on every byte
// value at every position of a word (after bytes that might borrow into
// it) and on random buffers.
func TestStringStopRun(t *testing.T) {
	byteRun := func(r []byte, q byte) int {
		j := 0
		for j < len(r) && r[j] != q && r[j] != '\\' && r[j] != '\n' {
			j++
		}
		return j
	}
	check := func(r []byte) {
		t.Helper()
		for _, q := range []byte{'\'', '"'} {
			got, high := stringStopRun(r, q)
			want := byteRun(r, q)
			if !high && strings.ContainsFunc(string(r[:got]), func(c rune) bool { return c >= 0x80 }) {
				t.Fatalf("stringStopRun(%q, %q): high not set for a run with a byte of 0x80 or more", r, q)
			}
			// A run that ends at a multiple of eight may stop short of
			// the last bytes (fewer than eight), which the caller's byte
			// loop reads; any other end is the byte loop's.
			if got > want || got < want && (got%8 != 0 || got+8 <= len(r)) {
				t.Fatalf("stringStopRun(%q, %q) = %d, the byte loop %d", r, q, got, want)
			}
		}
	}
	base := []byte("abcdefghijklmnopqrstuvwx")
	for c := 0; c < 256; c++ {
		for at := 0; at < 16; at++ {
			r := append([]byte(nil), base...)
			r[at] = byte(c)
			check(r)
			for _, d := range []byte{0, 1, 0x7f, 0x80, 0xff, '\\' - 1, '\n' + 1, '\'' + 1, '"' + 1} {
				if at > 0 {
					r[at-1] = d
					check(r)
				}
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("aZ_09 .'\"\\\n\x00\x01\x80\xff\x7f\x0b\x5d[&#")
	for n := 0; n < 20000; n++ {
		r := make([]byte, rng.IntN(40))
		for i := range r {
			if rng.IntN(4) == 0 {
				r[i] = byte(rng.IntN(256))
			} else {
				r[i] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		check(r)
	}
}

// spaceRun agrees with the byte loop it stands for.
func TestSpaceRun(t *testing.T) {
	for n := 0; n < 40; n++ {
		for _, after := range []byte{'x', '\t', '\n', 0, 0xa0, ' ' + 1, ' ' - 1} {
			r := append([]byte(strings.Repeat(" ", n)), after, ' ', 'y')
			for cut := 0; cut <= len(r); cut++ {
				got, want := spaceRun(r[:cut]), min(n, cut)
				if got > want || got < want && (got%8 != 0 || got+8 <= cut) {
					t.Fatalf("spaceRun(%q) = %d, the byte loop %d", r[:cut], got, want)
				}
			}
		}
	}
}
