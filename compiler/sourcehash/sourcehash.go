// Package sourcehash computes the source hash that hash-based .pyc files
// carry (PEP 552), equal to importlib.util.source_hash.
//
// CPython hashes the raw source bytes with SipHash keyed by its magic number:
// k0 is the four magic bytes read as a little-endian integer, k1 is zero, and
// the 64-bit result is stored little-endian. CPython 3.11 switched the keyed
// hash from SipHash-2-4 to SipHash-1-3.
package sourcehash

import (
	"encoding/binary"
	"fmt"

	"github.com/rules-pyc/rules_pyc/internal/siphash"
)

// Algorithm is a SipHash variant, named after its compression and
// finalization round counts.
type Algorithm int

const (
	// SipHash24 is SipHash-2-4, used by CPython up to 3.10.
	SipHash24 Algorithm = iota
	// SipHash13 is SipHash-1-3, used by CPython from 3.11.
	SipHash13
)

// String returns "SipHash-2-4" or "SipHash-1-3".
func (a Algorithm) String() string {
	c, d := a.rounds()
	return fmt.Sprintf("SipHash-%d-%d", c, d)
}

// rounds returns the compression and finalization round counts. An unknown
// value counts as SipHash-2-4, the variant of the SipHash paper.
func (a Algorithm) rounds() (c, d int) {
	if a == SipHash13 {
		return 1, 3
	}
	return 2, 4
}

// ForVersion returns the algorithm CPython major.minor uses for
// importlib.util.source_hash.
func ForVersion(major, minor int) Algorithm {
	if major > 3 || (major == 3 && minor >= 11) {
		return SipHash13
	}
	return SipHash24
}

// Key returns the SipHash key importlib uses with magic: the magic read as a
// little-endian integer (importlib's _RAW_MAGIC_NUMBER).
func Key(magic [4]byte) uint64 {
	return uint64(binary.LittleEndian.Uint32(magic[:]))
}

// Sum returns importlib.util.source_hash(data) of an interpreter whose
// magic number is magic and whose keyed hash is alg.
func Sum(alg Algorithm, magic [4]byte, data []byte) [8]byte {
	return SumKey(alg, Key(magic), data)
}

// SumKey returns _imp.source_hash(key, data): SipHash with k0 = key and
// k1 = 0, as 8 little-endian bytes.
func SumKey(alg Algorithm, key uint64, data []byte) [8]byte {
	c, d := alg.rounds()
	var out [8]byte
	binary.LittleEndian.PutUint64(out[:], siphash.Sum(c, d, key, 0, data))
	return out
}
