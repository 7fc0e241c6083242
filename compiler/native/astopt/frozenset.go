package astopt

import (
	"encoding/binary"
	"math"
	"math/big"
	"math/bits"
	"unicode/utf8"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// A set display of constants in an "in" test or a for loop becomes a
// frozenset constant, whose elements are in the iteration order of
// CPython's set table (ast.dump shows it, and the compiler keeps it). That
// order follows the elements' hashes, which this file computes as a CPython
// process started with PYTHONHASHSEED=0 does, and the table's history
// (Objects/setobject.c's insertion and resizing). Two hashes are not
// reproducible even by CPython: those of Ellipsis and of a NaN are the
// object's address, so a set holding one has an order that varies from run
// to run; here they hash as zero.

// Constants of pyhash.h.
const (
	hashBits    = 61
	hashModulus = 1<<hashBits - 1
	hashInf     = 314159
	hashImag    = 1000003
	noneHash    = 0xFCA86420 // 3.12 and later: a constant
	xxPrime1    = 11400714785074694791
	xxPrime2    = 14029467366897019727
	xxPrime5    = 2870177450012600261
)

// pyHash is hash(v).
func pyHash(v ast.Value) int64 {
	switch v.Kind() {
	case ast.NoneKind:
		return noneHash
	case ast.EllipsisKind:
		return 0
	case ast.BoolKind, ast.IntKind:
		return intHash(v)
	case ast.FloatKind:
		return floatHash(v.Float())
	case ast.ComplexKind:
		re, im := v.Complex()
		h := uint64(floatHash(re)) + hashImag*uint64(floatHash(im))
		if int64(h) == -1 {
			return -2
		}
		return int64(h)
	case ast.StrKind:
		return bytesHash(strData(v.Str()))
	case ast.BytesKind:
		return bytesHash(v.Bytes())
	case ast.TupleKind:
		el := v.Elems()
		acc := uint64(xxPrime5)
		for _, e := range el {
			lane := uint64(pyHash(e))
			acc += lane * xxPrime2
			acc = bits.RotateLeft64(acc, 31)
			acc *= xxPrime1
		}
		acc += uint64(len(el)) ^ (xxPrime5 ^ 3527539)
		if acc == math.MaxUint64 {
			return 1546275796
		}
		return int64(acc)
	}
	return 0
}

func intHash(v ast.Value) int64 {
	var h int64
	if i, ok := small(v); ok {
		a := i
		if a < 0 {
			a = -a
		}
		h = int64(uint64(a) % hashModulus)
		if i < 0 {
			h = -h
		}
		if i == math.MinInt64 {
			h = -int64((uint64(1) << 63) % hashModulus)
		}
	} else {
		b := bigOf(v)
		m := new(big.Int).Abs(b)
		m.Mod(m, big.NewInt(hashModulus))
		h = m.Int64()
		if b.Sign() < 0 {
			h = -h
		}
	}
	if h == -1 {
		return -2
	}
	return h
}

// floatHash is _Py_HashDouble.
func floatHash(f float64) int64 {
	if math.IsInf(f, 0) {
		if f > 0 {
			return hashInf
		}
		return -hashInf
	}
	if math.IsNaN(f) {
		return 0
	}
	m, e := math.Frexp(f)
	sign := uint64(1)
	if m < 0 {
		sign = math.MaxUint64 // -1
		m = -m
	}
	var x uint64
	for m != 0 {
		x = ((x << 28) & hashModulus) | x>>(hashBits-28)
		m *= 268435456.0
		e -= 28
		y := uint64(m)
		m -= float64(y)
		x += y
		if x >= hashModulus {
			x -= hashModulus
		}
	}
	if e >= 0 {
		e %= hashBits
	} else {
		e = hashBits - 1 - ((-1 - e) % hashBits)
	}
	x = ((x << uint(e)) & hashModulus) | x>>(hashBits-uint(e))
	x *= sign
	if int64(x) == -1 {
		return -2
	}
	return int64(x)
}

// strData is a str's characters as CPython stores them (PEP 393): one,
// two or four bytes each (little-endian), by its largest character.
func strData(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var maxc rune
	for t := s; t != ""; {
		r, n := ast.DecodeCodePoint(t)
		maxc = max(maxc, r)
		t = t[n:]
	}
	var buf []byte
	for t := s; t != ""; {
		r, n := ast.DecodeCodePoint(t)
		switch {
		case maxc < 0x100:
			buf = append(buf, byte(r))
		case maxc < 0x10000:
			buf = binary.LittleEndian.AppendUint16(buf, uint16(r))
		default:
			buf = binary.LittleEndian.AppendUint32(buf, uint32(r))
		}
		t = t[n:]
	}
	return string(buf)
}

// bytesHash is _Py_HashBytes with a zero key: SipHash-1-3.
func bytesHash(p string) int64 {
	if p == "" {
		return 0
	}
	h := int64(sipHash13(p))
	if h == -1 {
		return -2
	}
	return h
}

func sipHash13(p string) uint64 {
	v0 := uint64(0x736f6d6570736575)
	v1 := uint64(0x646f72616e646f6d)
	v2 := uint64(0x6c7967656e657261)
	v3 := uint64(0x7465646279746573)
	round := func() {
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
	}
	last := uint64(len(p)) << 56
	for ; len(p) >= 8; p = p[8:] {
		m := binary.LittleEndian.Uint64([]byte(p[:8]))
		v3 ^= m
		round()
		v0 ^= m
	}
	for i := 0; i < len(p); i++ {
		last |= uint64(p[i]) << (8 * i)
	}
	v3 ^= last
	round()
	v0 ^= last
	v2 ^= 0xff
	round()
	round()
	round()
	return v0 ^ v1 ^ v2 ^ v3
}

// pyEqual is == between two constants, as a set compares its keys.
func pyEqual(a, b ast.Value) bool {
	if isNumber(a) && isNumber(b) {
		return numEqual(a, b)
	}
	if a.Kind() != b.Kind() {
		return false
	}
	switch a.Kind() {
	case ast.StrKind:
		return a.Str() == b.Str()
	case ast.BytesKind:
		return a.Bytes() == b.Bytes()
	case ast.TupleKind, ast.FrozenSetKind:
		x, y := a.Elems(), b.Elems()
		if len(x) != len(y) {
			return false
		}
		if a.Kind() == ast.FrozenSetKind {
			for _, e := range x {
				found := false
				for _, f := range y {
					if pyEqual(e, f) {
						found = true
						break
					}
				}
				if !found {
					return false
				}
			}
			return true
		}
		for i := range x {
			if !pyEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return true // None, Ellipsis
}

// numEqual compares numbers exactly, across int, float and complex.
func numEqual(a, b ast.Value) bool {
	ar, ai, bc := 0.0, 0.0, false
	if a.Kind() == ast.ComplexKind {
		ar, ai = a.Complex()
		bc = true
	}
	br, bi := 0.0, 0.0
	if b.Kind() == ast.ComplexKind {
		br, bi = b.Complex()
		bc = true
	}
	if bc {
		if ai != bi {
			return false
		}
		ra, rb := realPart(a, ar), realPart(b, br)
		return numEqual(ra, rb)
	}
	if isInt(a) && isInt(b) {
		return bigOf(a).Cmp(bigOf(b)) == 0
	}
	if a.Kind() == ast.FloatKind && b.Kind() == ast.FloatKind {
		return a.Float() == b.Float()
	}
	// An int and a float: exactly.
	i, f := a, b.Float()
	if a.Kind() == ast.FloatKind {
		i, f = b, a.Float()
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) {
		return false
	}
	bf, _ := new(big.Float).SetFloat64(f).Int(nil)
	return bigOf(i).Cmp(bf) == 0
}

func realPart(v ast.Value, re float64) ast.Value {
	if v.Kind() == ast.ComplexKind {
		return ast.FloatValue(re)
	}
	return v
}

// frozenSet builds frozenset(elems) (PyFrozenSet_New of a tuple): the
// distinct elements (the first of equal ones) in the set's order.
func frozenSet(elems []ast.Value) ast.Value {
	type entry struct {
		v      ast.Value
		hash   int64
		active bool
	}
	table := make([]entry, 8)
	fill := 0
	insert := func(t []entry, v ast.Value, h int64) {
		mask := uint64(len(t) - 1)
		perturb := uint64(h)
		i := uint64(h) & mask
		for {
			if !t[i].active {
				t[i] = entry{v, h, true}
				return
			}
			if i+linearProbes <= mask {
				for j := i + 1; j <= i+linearProbes; j++ {
					if !t[j].active {
						t[j] = entry{v, h, true}
						return
					}
				}
			}
			perturb >>= 5
			i = (i*5 + 1 + perturb) & mask
		}
	}
	for _, v := range elems {
		h := pyHash(v)
		mask := uint64(len(table) - 1)
		perturb := uint64(h)
		i := uint64(h) & mask
		found := false
	probe:
		for {
			probes := 0
			if i+linearProbes <= mask {
				probes = linearProbes
			}
			for j := i; ; j++ {
				e := &table[j]
				if !e.active {
					*e = entry{v, h, true}
					fill++
					break probe
				}
				if e.hash == h && pyEqual(e.v, v) {
					found = true
					break probe
				}
				if probes == 0 {
					break
				}
				probes--
			}
			perturb >>= 5
			i = (i*5 + 1 + perturb) & mask
		}
		if found || uint64(fill)*5 < mask*3 {
			continue
		}
		size := 8
		for size <= fill*4 {
			size <<= 1
		}
		nt := make([]entry, size)
		for _, e := range table {
			if e.active {
				insert(nt, e.v, e.hash)
			}
		}
		table = nt
	}
	out := make([]ast.Value, 0, fill)
	for _, e := range table {
		if e.active {
			out = append(out, e.v)
		}
	}
	return ast.FrozenSetValue(out)
}

const linearProbes = 9
