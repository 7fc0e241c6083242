package pyobj

import (
	"encoding/binary"
	"math"
	"math/big"
	"math/bits"
	"slices"
	"unicode/utf8"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/internal/siphash"
)

// Set order. A frozenset's iteration order is the order of its hash
// table's slots, which follows the elements' hashes and the table's
// history (Objects/setobject.c: linear probing in runs of nine, then
// perturbed probing; growth to the smallest power of two above four times
// the fill once the fill reaches three fifths of the table). The AST
// optimizer shows that order in its trees (ast.dump), code generation and
// the constant cache keep it, and rebuilding a frozenset from its own items
// can change it. So every place that builds a frozenset builds it as
// PyFrozenSet_New does, with the hashes a CPython process started with
// PYTHONHASHSEED=0 computes (the reference process of py_compile).
//
// Two hashes are not reproducible even by CPython: those of Ellipsis and
// of a NaN are derived from the object's address, so a set holding one has
// an order that varies from run to run; here they hash as zero.

// Constants of pyhash.h and setobject.c.
const (
	hashBits     = 61
	hashModulus  = 1<<hashBits - 1
	hashInf      = 314159
	hashImag     = 1000003
	noneHash     = 0xFCA86420 // 3.12 and later: a constant
	xxPrime1     = 11400714785074694791
	xxPrime2     = 14029467366897019727
	xxPrime5     = 2870177450012600261
	linearProbes = 9
)

// HashValue is hash(v) of a constant, as a process started with
// PYTHONHASHSEED=0 computes it.
func HashValue(v ast.Value) int64 {
	switch v.Kind() {
	case ast.NoneKind:
		return noneHash
	case ast.EllipsisKind:
		return 0
	case ast.BoolKind:
		if v.Bool() {
			return 1
		}
		return 0
	case ast.IntKind:
		return intHash(v)
	case ast.FloatKind:
		return floatHash(v.Float())
	case ast.ComplexKind:
		re, im := v.Complex()
		return complexHash(re, im)
	case ast.StrKind:
		return StrHash(v.Str())
	case ast.BytesKind:
		return bytesHash(v.Bytes())
	case ast.TupleKind:
		el := v.Elems()
		acc := uint64(xxPrime5)
		for _, e := range el {
			acc = xxRound(acc, HashValue(e))
		}
		return xxFinish(acc, len(el))
	case ast.FrozenSetKind:
		el := v.Elems()
		var acc uint64
		for _, e := range el {
			acc ^= shuffleBits(uint64(HashValue(e)))
		}
		return frozenSetFinish(acc, len(el))
	}
	return 0
}

// Hash is hash(o) (see HashValue); a code object hashes as its identity,
// which no set of constants built here holds.
func (o *Object) Hash() int64 {
	switch o.Kind {
	case Tuple:
		acc := uint64(xxPrime5)
		for _, it := range o.Items {
			acc = xxRound(acc, it.Hash())
		}
		return xxFinish(acc, len(o.Items))
	case FrozenSet:
		var acc uint64
		for _, it := range o.Items {
			acc ^= shuffleBits(uint64(it.Hash()))
		}
		return frozenSetFinish(acc, len(o.Items))
	case Code:
		return int64(o.id)
	}
	return HashValue(o.Value)
}

// xxRound and xxFinish are tuplehash's xxHash-based steps.
func xxRound(acc uint64, h int64) uint64 {
	acc += uint64(h) * xxPrime2
	acc = bits.RotateLeft64(acc, 31)
	return acc * xxPrime1
}

func xxFinish(acc uint64, n int) int64 {
	acc += uint64(n) ^ (xxPrime5 ^ 3527539)
	if acc == math.MaxUint64 {
		return 1546275796
	}
	return int64(acc)
}

// shuffleBits and frozenSetFinish are frozenset_hash's steps: the xor of
// every element's shuffled hash, which does not depend on the order.
func shuffleBits(h uint64) uint64 {
	return ((h ^ 89869747) ^ (h << 16)) * 3644798167
}

func frozenSetFinish(acc uint64, n int) int64 {
	acc ^= (uint64(n) + 1) * 1927868237
	acc ^= (acc >> 11) ^ (acc >> 25)
	acc = acc*69069 + 907133923
	if acc == math.MaxUint64 {
		return 590923713
	}
	return int64(acc)
}

// intHash is long_hash: the value modulo 2**61-1, with the sign.
func intHash(v ast.Value) int64 {
	var h int64
	if i, ok := v.Int64(); ok {
		a := uint64(i)
		if i < 0 {
			a = -a
		}
		h = int64(a % hashModulus)
		if i < 0 {
			h = -h
		}
	} else {
		b := v.BigInt()
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

// floatHash is _Py_HashDouble (a NaN hashes as zero here; see above).
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

// complexHash is complex_hash.
func complexHash(re, im float64) int64 {
	h := uint64(floatHash(re)) + hashImag*uint64(floatHash(im))
	if int64(h) == -1 {
		return -2
	}
	return int64(h)
}

// StrHash is hash(s) of a str in a CPython process with PYTHONHASHSEED=0
// (unicode_hash): SipHash-1-3 with a zero key over the str's characters as
// CPython stores them (PEP 393: one, two or four bytes each, little-endian
// here, by its largest character). s is UTF-8, surrogates encoded as
// ast.DecodeCodePoint reads them.
func StrHash(s string) int64 {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return bytesHash(s)
	}
	var maxc rune
	for t := s; t != ""; {
		r, n := ast.DecodeCodePoint(t)
		maxc = max(maxc, r)
		t = t[n:]
	}
	buf := make([]byte, 0, 4*len(s))
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
	return bytesHash(string(buf))
}

// bytesHash is _Py_HashBytes with a zero key: SipHash-1-3 (0 for no
// bytes).
func bytesHash(p string) int64 {
	if p == "" {
		return 0
	}
	h := int64(siphash.Sum(1, 3, 0, 0, p))
	if h == -1 {
		return -2
	}
	return h
}

// EqualValues is a == b between two constants, as a set compares its
// elements: numbers of every type by value, str with str, bytes with
// bytes, tuples item by item, frozensets as sets.
func EqualValues(a, b ast.Value) bool {
	if isNumber(a.Kind()) && isNumber(b.Kind()) {
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
	case ast.TupleKind:
		return slices.EqualFunc(a.Elems(), b.Elems(), EqualValues)
	case ast.FrozenSetKind:
		x, y := a.Elems(), b.Elems()
		if len(x) != len(y) {
			return false
		}
		for _, e := range x {
			found := false
			for _, f := range y {
				if EqualValues(e, f) {
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
	return true // None, Ellipsis
}

// Equal is o == b (see EqualValues); code objects are equal only to
// themselves here.
func (o *Object) Equal(b *Object) bool {
	if o == b {
		return true
	}
	switch {
	case o.Kind == Code || b.Kind == Code:
		return false
	case o.Kind == Tuple || b.Kind == Tuple:
		if o.Kind != b.Kind || len(o.Items) != len(b.Items) {
			return false
		}
		for i := range o.Items {
			if !o.Items[i].Equal(b.Items[i]) {
				return false
			}
		}
		return true
	case o.Kind == FrozenSet || b.Kind == FrozenSet:
		if o.Kind != b.Kind || len(o.Items) != len(b.Items) {
			return false
		}
		for _, e := range o.Items {
			found := false
			for _, f := range b.Items {
				if e.Equal(f) {
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
	return EqualValues(o.Value, b.Value)
}

func isNumber(k ast.ValueKind) bool {
	switch k {
	case ast.IntKind, ast.BoolKind, ast.FloatKind, ast.ComplexKind:
		return true
	}
	return false
}

// numEqual compares numbers exactly, across bool, int, float and complex.
func numEqual(a, b ast.Value) bool {
	ar, ai, cplx := 0.0, 0.0, false
	if a.Kind() == ast.ComplexKind {
		ar, ai = a.Complex()
		cplx = true
	}
	br, bi := 0.0, 0.0
	if b.Kind() == ast.ComplexKind {
		br, bi = b.Complex()
		cplx = true
	}
	if cplx {
		if ai != bi {
			return false
		}
		return numEqual(realPart(a, ar), realPart(b, br))
	}
	ia, ib := a.Kind() != ast.FloatKind, b.Kind() != ast.FloatKind
	if ia && ib {
		return intOf(a).Cmp(intOf(b)) == 0
	}
	if !ia && !ib {
		return a.Float() == b.Float()
	}
	// An int and a float: exactly.
	i, f := a, b.Float()
	if !ia {
		i, f = b, a.Float()
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f) {
		return false
	}
	bf, _ := new(big.Float).SetFloat64(f).Int(nil)
	return intOf(i).Cmp(bf) == 0
}

func realPart(v ast.Value, re float64) ast.Value {
	if v.Kind() == ast.ComplexKind {
		return ast.FloatValue(re)
	}
	return v
}

// intOf is an int's (or bool's) value.
func intOf(v ast.Value) *big.Int {
	if v.Kind() == ast.BoolKind {
		if v.Bool() {
			return big.NewInt(1)
		}
		return new(big.Int)
	}
	return v.BigInt()
}

// SetOrder is PyFrozenSet_New of n elements given in insertion order:
// it returns the indexes of the distinct elements (the first of equal
// ones) in the new set's iteration order. hash(i) is element i's hash and
// equal(i, j) compares two elements.
func SetOrder(n int, hash func(i int) int64, equal func(i, j int) bool) []int {
	type entry struct {
		hash int64
		ix   int32 // element index + 1; 0: empty slot
	}
	var small [8]entry
	table := small[:]
	fill := 0
	// insertClean is set_insert_clean (no equal element, no dummies).
	insertClean := func(t []entry, e entry) {
		mask := uint64(len(t) - 1)
		perturb := uint64(e.hash)
		i := uint64(e.hash) & mask
		for {
			if t[i].ix == 0 {
				t[i] = e
				return
			}
			if i+linearProbes <= mask {
				for j := i + 1; j <= i+linearProbes; j++ {
					if t[j].ix == 0 {
						t[j] = e
						return
					}
				}
			}
			perturb >>= 5
			i = (i*5 + 1 + perturb) & mask
		}
	}
	for k := 0; k < n; k++ {
		h := hash(k)
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
				if e.ix == 0 {
					*e = entry{h, int32(k + 1)}
					fill++
					break probe
				}
				if e.hash == h && equal(int(e.ix-1), k) {
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
		minUsed := fill * 4
		if fill > 50000 {
			minUsed = fill * 2
		}
		size := 8
		for size <= minUsed {
			size <<= 1
		}
		nt := make([]entry, size)
		for _, e := range table {
			if e.ix != 0 {
				insertClean(nt, e)
			}
		}
		table = nt
	}
	out := make([]int, 0, fill)
	for _, e := range table {
		if e.ix != 0 {
			out = append(out, int(e.ix-1))
		}
	}
	return out
}

// FrozenSetOf is frozenset(elems) for constants given in insertion order
// (PyFrozenSet_New of their tuple): the distinct elements in its
// iteration order.
func FrozenSetOf(elems []ast.Value) ast.Value {
	hashes := make([]int64, len(elems))
	for i, e := range elems {
		hashes[i] = HashValue(e)
	}
	order := SetOrder(len(elems), func(i int) int64 { return hashes[i] },
		func(i, j int) bool { return EqualValues(elems[i], elems[j]) })
	out := make([]ast.Value, len(order))
	for k, i := range order {
		out[k] = elems[i]
	}
	return ast.FrozenSetValue(out)
}

// setOrderOf returns items' distinct objects in the iteration order of a
// frozenset built from them in this order.
func setOrderOf(items []*Object) []*Object {
	var hs [16]int64
	hashes := hs[:0]
	for _, it := range items {
		hashes = append(hashes, it.Hash())
	}
	order := SetOrder(len(items), func(i int) int64 { return hashes[i] },
		func(i, j int) bool { return items[i].Equal(items[j]) })
	out := make([]*Object, len(order))
	for k, i := range order {
		out[k] = items[i]
	}
	return out
}
