// Package siphash is SipHash-c-d (Aumasson and Bernstein, 2012) as CPython
// uses it: for the hashes of str and bytes (SipHash-1-3 from 3.11, with the
// key PYTHONHASHSEED gives) and for importlib's source hashes (keyed by the
// magic number). One implementation for strings and byte slices, with the
// round counts and the key as arguments; written here because no maintained
// Go module offers the 1-3 variant with a caller's key.
package siphash

import "math/bits"

// Sum returns SipHash-c-d of p with the key (k0, k1).
func Sum[T string | []byte](c, d int, k0, k1 uint64, p T) uint64 {
	v0 := k0 ^ 0x736f6d6570736575
	v1 := k1 ^ 0x646f72616e646f6d
	v2 := k0 ^ 0x6c7967656e657261
	v3 := k1 ^ 0x7465646279746573

	// The last block holds the remaining 0-7 bytes and, in its top byte,
	// the message length modulo 256.
	last := uint64(len(p)) << 56
	n := len(p) &^ 7
	if c == 1 {
		// SipHash-1-3, CPython's: one round a block, with no inner loop
		// (29 instructions a block instead of 37; a checked-hash run over
		// a standard library hashes every source).
		for i := 0; i < n; i += 8 {
			m := load64(p, i)
			v3 ^= m
			v0, v1, v2, v3 = round(v0, v1, v2, v3)
			v0 ^= m
		}
	} else {
		for i := 0; i < n; i += 8 {
			m := load64(p, i)
			v3 ^= m
			for range c {
				v0, v1, v2, v3 = round(v0, v1, v2, v3)
			}
			v0 ^= m
		}
	}
	for i := n; i < len(p); i++ {
		last |= uint64(p[i]) << (8 * (i - n))
	}
	v3 ^= last
	for i := 0; i < c; i++ {
		v0, v1, v2, v3 = round(v0, v1, v2, v3)
	}
	v0 ^= last

	v2 ^= 0xff
	for i := 0; i < d; i++ {
		v0, v1, v2, v3 = round(v0, v1, v2, v3)
	}
	return v0 ^ v1 ^ v2 ^ v3
}

// load64 is the little-endian word at p[i:i+8].
func load64[T string | []byte](p T, i int) uint64 {
	p = p[i : i+8]
	return uint64(p[0]) | uint64(p[1])<<8 | uint64(p[2])<<16 | uint64(p[3])<<24 |
		uint64(p[4])<<32 | uint64(p[5])<<40 | uint64(p[6])<<48 | uint64(p[7])<<56
}

// round is one SipRound.
func round(v0, v1, v2, v3 uint64) (uint64, uint64, uint64, uint64) {
	v0 += v1
	v1 = bits.RotateLeft64(v1, 13)
	v1 ^= v0
	v0 = bits.RotateLeft64(v0, 32)
	v2 += v3
	v3 = bits.RotateLeft64(v3, 16)
	v3 ^= v2
	v0 += v3
	v3 = bits.RotateLeft64(v3, 21)
	v3 ^= v0
	v2 += v1
	v1 = bits.RotateLeft64(v1, 17)
	v1 ^= v2
	v2 = bits.RotateLeft64(v2, 32)
	return v0, v1, v2, v3
}
