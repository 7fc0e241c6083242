package scanner

import (
	"encoding/binary"
	"math/bits"
)

// The ordinary characters of a string literal are skipped eight bytes at a
// time: a word of the buffer is tested for the three bytes that stop the
// skip with a few arithmetic operations instead of three comparisons a
// byte. The spaces that indent a line are counted eight at a time too.
// (Tried for the rest of a name too, and dropped: names are short, and the
// word test cost more than the table look-ups it saved.)

const (
	lsbs = 0x0101010101010101
	msbs = 0x8080808080808080
)

// stringStopRun returns the number of leading bytes of r that are none of
// q, '\\' and '\n', counting whole words of eight bytes only: the caller
// goes on byte by byte from there. high is set when a word it read holds
// a byte of 0x80 or more (that word may go past the run): when it is not,
// the run is ASCII.
func stringStopRun(r []byte, q byte) (n int, high bool) {
	j := 0
	var h uint64
	qs, bs, nl := uint64(q)*lsbs, uint64('\\')*lsbs, uint64('\n')*lsbs
	for len(r)-j >= 8 {
		w := binary.LittleEndian.Uint64(r[j:])
		h |= w
		// The lowest mark of each zeroByte is exact, so the lowest mark of
		// the three is the first stop.
		if m := zeroByte(w^qs) | zeroByte(w^bs) | zeroByte(w^nl); m != 0 {
			return j + bits.TrailingZeros64(m)>>3, h&msbs != 0
		}
		j += 8
	}
	return j, h&msbs != 0
}

// zeroByte returns a mask whose lowest set bit is the high bit of the
// first zero byte of v, 0 when v has none. (Bytes above the first zero
// one may be marked too, through the borrow of the subtraction.)
func zeroByte(v uint64) uint64 { return (v - lsbs) &^ v & msbs }

// spaceRun returns the number of leading spaces of r, counting whole
// words of eight bytes only: the caller goes on byte by byte from there.
func spaceRun(r []byte) int {
	j := 0
	for len(r)-j >= 8 {
		// The lowest byte that differs from a space is the first other.
		if w := binary.LittleEndian.Uint64(r[j:]) ^ ' '*lsbs; w != 0 {
			return j + bits.TrailingZeros64(w)>>3
		}
		j += 8
	}
	return j
}
