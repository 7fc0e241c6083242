// Package pycfile knows the .pyc file format of PEP 552: the 16-byte header
// (magic number, flags, then a timestamp and size or a source hash), the
// three invalidation modes, and where a .pyc goes for a source
// (importlib.util.cache_from_source, and compileall -b's legacy name).
package pycfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"
)

// HeaderSize is the length of a .pyc header.
const HeaderSize = 16

// Invalidation is how the import system decides that a .pyc is stale
// (py_compile.PycInvalidationMode).
type Invalidation int

const (
	// Timestamp records the source's mtime and size; the pyc is stale when
	// they change. compileall's default, and not reproducible.
	Timestamp Invalidation = iota
	// CheckedHash records the source hash; the importer re-hashes the source
	// to check it (unless --check-hash-based-pycs never).
	CheckedHash
	// UncheckedHash records the source hash; the importer trusts the pyc
	// without looking at the source (unless --check-hash-based-pycs always).
	UncheckedHash
)

// Flag bits of the header's second word.
const (
	flagHashBased   = 0b01
	flagCheckSource = 0b10
)

// invalidationNames lists the accepted spellings of each mode: compileall's
// (first, also what String returns), rules_python's, and py_compile's enum
// member names.
var invalidationNames = []struct {
	mode  Invalidation
	names []string
}{
	{Timestamp, []string{"timestamp", "TIMESTAMP"}},
	{CheckedHash, []string{"checked-hash", "checked_hash", "CHECKED_HASH"}},
	{UncheckedHash, []string{"unchecked-hash", "unchecked_hash", "UNCHECKED_HASH"}},
}

// ParseInvalidation reads a mode as compileall spells it ("checked-hash"),
// as rules_python does ("checked_hash") or as py_compile's enum does
// ("CHECKED_HASH").
func ParseInvalidation(s string) (Invalidation, error) {
	for _, e := range invalidationNames {
		for _, n := range e.names {
			if s == n {
				return e.mode, nil
			}
		}
	}
	return 0, fmt.Errorf("invalid invalidation mode %q: want checked-hash, unchecked-hash or timestamp (also spelled checked_hash, unchecked_hash, CHECKED_HASH, UNCHECKED_HASH, TIMESTAMP)", s)
}

// String returns the mode as compileall's --invalidation-mode spells it.
func (m Invalidation) String() string {
	for _, e := range invalidationNames {
		if e.mode == m {
			return e.names[0]
		}
	}
	return fmt.Sprintf("Invalidation(%d)", int(m))
}

// Flags returns the header flag word py_compile writes for the mode.
func (m Invalidation) Flags() uint32 {
	switch m {
	case CheckedHash:
		return flagHashBased | flagCheckSource
	case UncheckedHash:
		return flagHashBased
	default:
		return 0
	}
}

// HashBased reports whether the mode records a source hash.
func (m Invalidation) HashBased() bool {
	return m == CheckedHash || m == UncheckedHash
}

// Header is the first 16 bytes of a .pyc.
type Header struct {
	// Magic is the interpreter's importlib.util.MAGIC_NUMBER.
	Magic [4]byte
	// Mode selects which of the fields below the header carries.
	Mode Invalidation
	// Mtime and Size describe the source in Timestamp mode (see Stamp).
	Mtime, Size uint32
	// Hash is importlib.util.source_hash of the source in the hash modes.
	Hash [8]byte
}

// Append appends the 16 header bytes to b, as py_compile writes them.
func (h Header) Append(b []byte) []byte {
	b = append(b, h.Magic[:]...)
	b = binary.LittleEndian.AppendUint32(b, h.Mode.Flags())
	if h.Mode.HashBased() {
		return append(b, h.Hash[:]...)
	}
	b = binary.LittleEndian.AppendUint32(b, h.Mtime)
	return binary.LittleEndian.AppendUint32(b, h.Size)
}

// ErrShortHeader is returned by ParseHeader for fewer than 16 bytes.
var ErrShortHeader = errors.New("pyc header: fewer than 16 bytes")

// ParseHeader reads the header at the start of b. Like the import system, it
// rejects a flag word with bits other than the two defined ones. The
// import system reads flags 0b10 (check-source without hash-based) as a
// timestamp pyc, and so does ParseHeader, though py_compile never writes it.
// The magic number is not compared with any interpreter's; only its last
// two bytes, "\r\n" in every CPython release, are checked.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, fmt.Errorf("%w (got %d)", ErrShortHeader, len(b))
	}
	var h Header
	copy(h.Magic[:], b[:4])
	if h.Magic[2] != '\r' || h.Magic[3] != '\n' {
		return Header{}, fmt.Errorf("pyc header: magic number %x does not end in \\r\\n", h.Magic)
	}
	flags := binary.LittleEndian.Uint32(b[4:8])
	if flags&^(flagHashBased|flagCheckSource) != 0 {
		return Header{}, fmt.Errorf("pyc header: invalid flags %#x (only bits 0b11 are defined)", flags)
	}
	switch {
	case flags&flagHashBased == 0:
		h.Mode = Timestamp
		h.Mtime = binary.LittleEndian.Uint32(b[8:12])
		h.Size = binary.LittleEndian.Uint32(b[12:16])
	case flags&flagCheckSource != 0:
		h.Mode = CheckedHash
		copy(h.Hash[:], b[8:16])
	default:
		h.Mode = UncheckedHash
		copy(h.Hash[:], b[8:16])
	}
	return h, nil
}

// Stamp returns the Mtime and Size fields py_compile records for a source
// with the given modification time and size: int(st_mtime) and st_size,
// each masked to 32 bits. st_mtime is the float seconds + nanoseconds*1e-9,
// so a time within a few hundred nanoseconds of the next second rounds up
// to it, exactly as it does in CPython.
func Stamp(modTime time.Time, size int64) (mtime, sz uint32) {
	// The conversion keeps the product rounded on its own, as in C, rather
	// than fused into the addition.
	f := float64(modTime.Unix()) + float64(float64(modTime.Nanosecond())*1e-9)
	return uint32(int64(math.Trunc(f))), uint32(size)
}
