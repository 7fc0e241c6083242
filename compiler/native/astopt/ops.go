package astopt

import (
	"math"
	"math/big"
	"math/bits"
	"strings"
	"sync/atomic"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// The operations constant folding applies to constants, with Python's
// semantics. Each returns the result and true, or false where Python raises
// (the optimizer then leaves the expression alone: make_const clears the
// error).

// The limits of ast_opt.c on what folding may build.
const (
	maxIntSize        = 128  // bits
	maxCollectionSize = 256  // items
	maxStrSize        = 4096 // characters
	maxTotalItems     = 1024 // including nested collections
)

// isInt reports whether v is an int (bool included: it is int's subclass).
func isInt(v ast.Value) bool { return v.Kind() == ast.IntKind || v.Kind() == ast.BoolKind }

func isNumber(v ast.Value) bool {
	switch v.Kind() {
	case ast.IntKind, ast.BoolKind, ast.FloatKind, ast.ComplexKind:
		return true
	}
	return false
}

// bigOf returns an int's (or bool's) value.
func bigOf(v ast.Value) *big.Int {
	if v.Kind() == ast.BoolKind {
		if v.Bool() {
			return big.NewInt(1)
		}
		return new(big.Int)
	}
	return v.BigInt()
}

// small returns an int's value if it fits in int64.
func small(v ast.Value) (int64, bool) {
	if v.Kind() == ast.BoolKind {
		if v.Bool() {
			return 1, true
		}
		return 0, true
	}
	return v.Int64()
}

func intResult(b *big.Int) ast.Value { return ast.BigIntValue(b) }

// numBits is _PyLong_NumBits: the bits of |v| (0 for 0).
func numBits(v ast.Value) int {
	if i, ok := small(v); ok {
		if i < 0 {
			return bits.Len64(uint64(-i))
		}
		return bits.Len64(uint64(i))
	}
	return bigOf(v).BitLen()
}

func isZero(v ast.Value) bool {
	if i, ok := small(v); ok {
		return i == 0
	}
	return false
}

// asLong is PyLong_AsLong: false when v does not fit in a C long.
func asLong(v ast.Value) (int64, bool) { return small(v) }

// asSizeT is PyLong_AsSize_t: false for a negative or too large v.
func asSizeT(v ast.Value) (uint64, bool) {
	b := bigOf(v)
	if b.Sign() < 0 || b.BitLen() > 64 {
		return 0, false
	}
	return b.Uint64(), true
}

// asSsize is PyNumber_AsSsize_t: false when v does not fit in Py_ssize_t.
func asSsize(v ast.Value) (int64, bool) { return small(v) }

// intToFloat is PyLong_AsDouble: the nearest float (ties to even), false
// when the int is too large.
func intToFloat(v ast.Value) (float64, bool) {
	if i, ok := small(v); ok {
		return float64(i), true // Go rounds to nearest even, as C does
	}
	f, acc := new(big.Float).SetInt(bigOf(v)).Float64()
	if math.IsInf(f, 0) {
		return 0, false
	}
	_ = acc
	return f, true
}

// toFloat converts an int or float operand of a float operation
// (CONVERT_TO_DOUBLE).
func toFloat(v ast.Value) (float64, bool) {
	if v.Kind() == ast.FloatKind {
		return v.Float(), true
	}
	return intToFloat(v)
}

// toComplex converts a number to complex (TO_COMPLEX).
func toComplex(v ast.Value) (re, im float64, ok bool) {
	switch v.Kind() {
	case ast.ComplexKind:
		re, im = v.Complex()
		return re, im, true
	case ast.FloatKind:
		return v.Float(), 0, true
	}
	f, ok := intToFloat(v)
	return f, 0, ok
}

// truth is PyObject_IsTrue of a constant.
func truth(v ast.Value) bool {
	switch v.Kind() {
	case ast.NoneKind:
		return false
	case ast.BoolKind:
		return v.Bool()
	case ast.IntKind:
		i, ok := v.Int64()
		return !ok || i != 0
	case ast.FloatKind:
		return v.Float() != 0
	case ast.ComplexKind:
		re, im := v.Complex()
		return re != 0 || im != 0
	case ast.StrKind:
		return v.Str() != ""
	case ast.BytesKind:
		return v.Bytes() != ""
	case ast.TupleKind, ast.FrozenSetKind:
		return len(v.Elems()) > 0
	}
	return true // Ellipsis
}

// calc does the operations of a release.
type calc struct {
	// powMulExp: _Py_c_pow multiplies by exp(-at*b.imag) instead of
	// dividing by exp(at*b.imag) (gh-113841, 3.13.1).
	powMulExp bool
	// nan: which NaN the build's products and sums keep.
	nan nanOrder
}

// powMulExpSince is the first release with gh-113841's complex power.
var powMulExpSince = release.Release{Major: 3, Minor: 13, Micro: 1}

func calcFor(rel release.Release) calc {
	return calc{powMulExp: rel.AtLeast(powMulExpSince), nan: nanOrderFor(rel)}
}

// unaryOp folds -x, +x, ~x and not x (fold_unaryop).
func unaryOp(op ast.UnaryOperator, v ast.Value) (ast.Value, bool) {
	if op == ast.Not {
		return ast.BoolValue(!truth(v)), true
	}
	switch v.Kind() {
	case ast.IntKind, ast.BoolKind:
		switch op {
		case ast.UAdd:
			return intResult(bigOf(v)), true
		case ast.USub:
			if i, ok := small(v); ok && i != math.MinInt64 {
				return ast.IntValue(-i), true
			}
			return intResult(new(big.Int).Neg(bigOf(v))), true
		case ast.Invert:
			// ~True is deprecated, but only warns (and py_compile's
			// filters ignore the warning).
			if i, ok := small(v); ok {
				return ast.IntValue(^i), true
			}
			return intResult(new(big.Int).Not(bigOf(v))), true
		}
	case ast.FloatKind:
		switch op {
		case ast.UAdd:
			return v, true
		case ast.USub:
			return ast.FloatValue(-v.Float()), true
		}
	case ast.ComplexKind:
		re, im := v.Complex()
		switch op {
		case ast.UAdd:
			return v, true
		case ast.USub:
			return ast.ComplexValue(-re, -im), true
		}
	}
	return ast.Value{}, false
}

// binOp folds a binary operation on two constants (fold_binop), within
// the optimizer's limits.
func (cl calc) binOp(op ast.Operator, l, r ast.Value) (ast.Value, bool) {
	switch op {
	case ast.Add:
		return cl.add(l, r)
	case ast.Sub:
		return cl.arith(op, l, r)
	case ast.Mult:
		return cl.safeMultiply(l, r)
	case ast.Div:
		return cl.arith(op, l, r)
	case ast.FloorDiv:
		return cl.arith(op, l, r)
	case ast.Mod:
		// safe_mod: no str or bytes formatting.
		if l.Kind() == ast.StrKind || l.Kind() == ast.BytesKind {
			return ast.Value{}, false
		}
		return cl.arith(op, l, r)
	case ast.Pow:
		return cl.safePower(l, r)
	case ast.LShift:
		return safeLshift(l, r)
	case ast.RShift:
		return rshift(l, r)
	case ast.BitOr, ast.BitXor, ast.BitAnd:
		return bitOp(op, l, r)
	}
	return ast.Value{}, false // MatMult: no constant implements it
}

func (cl calc) add(l, r ast.Value) (ast.Value, bool) {
	switch {
	case l.Kind() == ast.StrKind && r.Kind() == ast.StrKind:
		return ast.StrValue(l.Str() + r.Str()), true
	case l.Kind() == ast.BytesKind && r.Kind() == ast.BytesKind:
		// bytes_concat returns an operand itself when the other is
		// empty (the right one first): b'' + (b'ab' * 0) is that new
		// empty bytes.
		if l.Bytes() == "" {
			return r, true
		}
		if r.Bytes() == "" {
			return l, true
		}
		return ast.BytesValue(l.Bytes() + r.Bytes()), true
	case l.Kind() == ast.TupleKind && r.Kind() == ast.TupleKind:
		e := make([]ast.Value, 0, len(l.Elems())+len(r.Elems()))
		e = append(append(e, l.Elems()...), r.Elems()...)
		return ast.TupleValue(e), true
	}
	return cl.arith(ast.Add, l, r)
}

// arith is a numeric binary operation: int op int, else float, else
// complex, as Python widens.
func (cl calc) arith(op ast.Operator, l, r ast.Value) (ast.Value, bool) {
	if !isNumber(l) || !isNumber(r) {
		return ast.Value{}, false
	}
	switch {
	case l.Kind() == ast.ComplexKind || r.Kind() == ast.ComplexKind:
		return cl.complexOp(op, l, r)
	case l.Kind() == ast.FloatKind || r.Kind() == ast.FloatKind:
		return cl.floatOp(op, l, r)
	}
	return intOp(op, l, r)
}

func intOp(op ast.Operator, l, r ast.Value) (ast.Value, bool) {
	a, aok := small(l)
	b, bok := small(r)
	if aok && bok {
		switch op {
		case ast.Add:
			s := a + b
			if (a >= 0) == (b >= 0) && (s >= 0) != (a >= 0) {
				break // overflow
			}
			return ast.IntValue(s), true
		case ast.Sub:
			s := a - b
			if (a >= 0) != (b >= 0) && (s >= 0) != (a >= 0) {
				break
			}
			return ast.IntValue(s), true
		case ast.Mult:
			hi, lo := bits.Mul64(uint64(abs64(a)), uint64(abs64(b)))
			if hi == 0 && lo <= math.MaxInt64 && a != math.MinInt64 && b != math.MinInt64 {
				p := int64(lo)
				if (a < 0) != (b < 0) {
					p = -p
				}
				return ast.IntValue(p), true
			}
		}
	}
	x, y := bigOf(l), bigOf(r)
	switch op {
	case ast.Add:
		return intResult(new(big.Int).Add(x, y)), true
	case ast.Sub:
		return intResult(new(big.Int).Sub(x, y)), true
	case ast.Mult:
		return intResult(new(big.Int).Mul(x, y)), true
	case ast.FloorDiv, ast.Mod:
		if y.Sign() == 0 {
			return ast.Value{}, false
		}
		q, m := new(big.Int).DivMod(x, y, new(big.Int)) // Euclidean: 0 <= m < |y|
		if m.Sign() != 0 && y.Sign() < 0 {
			// Python's modulo has the sign of the divisor.
			m.Add(m, y)
			q.Sub(q, big.NewInt(1))
		}
		if op == ast.FloorDiv {
			return intResult(q), true
		}
		return intResult(m), true
	case ast.Div:
		return intTrueDivide(x, y)
	}
	return ast.Value{}, false
}

func abs64(a int64) int64 {
	if a < 0 {
		return -a
	}
	return a
}

// intTrueDivide is long_true_divide: the correctly rounded quotient, false
// for a zero divisor or a quotient too large for a float.
func intTrueDivide(x, y *big.Int) (ast.Value, bool) {
	if y.Sign() == 0 {
		return ast.Value{}, false
	}
	negative := (x.Sign() < 0) != (y.Sign() < 0)
	if x.Sign() == 0 {
		if negative {
			return ast.FloatValue(math.Copysign(0, -1)), true
		}
		return ast.FloatValue(0), true
	}
	const exact = 1 << 53
	if x.IsInt64() && y.IsInt64() {
		a, b := x.Int64(), y.Int64()
		if a > -exact && a < exact && b > -exact && b < exact {
			return ast.FloatValue(float64(a) / float64(b)), true
		}
	}
	f, _ := new(big.Rat).SetFrac(x, y).Float64()
	if math.IsInf(f, 0) {
		return ast.Value{}, false
	}
	if f == 0 && negative {
		f = math.Copysign(0, -1)
	}
	return ast.FloatValue(f), true
}

func (cl calc) floatOp(op ast.Operator, l, r ast.Value) (ast.Value, bool) {
	a, ok := toFloat(l)
	if !ok {
		return ast.Value{}, false
	}
	b, ok := toFloat(r)
	if !ok {
		return ast.Value{}, false
	}
	switch op {
	case ast.Add:
		return ast.FloatValue(addKeep(a, b, right)), true
	case ast.Sub:
		return ast.FloatValue(a - b), true
	case ast.Mult:
		return ast.FloatValue(mulKeep(a, b, cl.nan.floatMul)), true
	case ast.Div:
		if b == 0 {
			return ast.Value{}, false
		}
		return ast.FloatValue(a / b), true
	case ast.FloorDiv:
		if b == 0 {
			return ast.Value{}, false
		}
		q, _ := floatDivMod(a, b)
		return ast.FloatValue(q), true
	case ast.Mod:
		if b == 0 {
			return ast.Value{}, false
		}
		m := cfmod(a, b)
		if m != 0 {
			if (b < 0) != (m < 0) {
				m += b
			}
		} else {
			m = math.Copysign(0, b)
		}
		return ast.FloatValue(m), true
	case ast.Pow:
		return cl.floatPow(a, b)
	}
	return ast.Value{}, false
}

// floatDivMod is _float_div_mod: Python's floor division and modulo of
// floats, from fmod.
func floatDivMod(vx, wx float64) (floordiv, mod float64) {
	mod = cfmod(vx, wx)
	div := (vx - mod) / wx
	if mod != 0 {
		if (wx < 0) != (mod < 0) {
			mod += wx
			div -= 1.0
		}
	} else {
		mod = math.Copysign(0, wx)
	}
	if div != 0 {
		floordiv = math.Floor(div)
		if div-floordiv > 0.5 {
			floordiv += 1.0
		}
	} else {
		floordiv = math.Copysign(0, vx/wx)
	}
	return floordiv, mod
}

// cfmod is the C library's fmod (glibc's, on x86-64): math.Mod but for
// the NaN of an infinite dividend, a NaN operand or a zero divisor, which
// glibc computes as (x*y)/(x*y): the processor's default NaN (sign bit
// set) for an infinity, the operand's own NaN otherwise. math.Mod returns
// math.NaN(), another bit pattern, which marshal would write.
func cfmod(x, y float64) float64 {
	if math.IsInf(x, 0) || math.IsNaN(x) || math.IsNaN(y) || y == 0 {
		p := mulKeep(x, y, left)
		return p / p
	}
	return math.Mod(x, y)
}

// pyNaN is CPython's Py_NAN (the C compiler's NAN: a quiet NaN with the
// sign bit clear and no payload), which math.NaN() is not.
var pyNaN = math.Float64frombits(0x7ff8000000000000)

func isOddInteger(x float64) bool { return math.Mod(math.Abs(x), 2) == 1 }

// floatPow is float_pow, with its special cases; a negative base with a
// fractional exponent goes to complex power.
func (cl calc) floatPow(iv, iw float64) (ast.Value, bool) {
	switch {
	case iw == 0:
		return ast.FloatValue(1), true
	case math.IsNaN(iv):
		return ast.FloatValue(iv), true
	case math.IsNaN(iw):
		if iv == 1 {
			return ast.FloatValue(1), true
		}
		return ast.FloatValue(iw), true
	case math.IsInf(iw, 0):
		iv = math.Abs(iv)
		switch {
		case iv == 1:
			return ast.FloatValue(1), true
		case (iw > 0) == (iv > 1):
			return ast.FloatValue(math.Abs(iw)), true
		}
		return ast.FloatValue(0), true
	case math.IsInf(iv, 0):
		odd := isOddInteger(iw)
		if iw > 0 {
			if odd {
				return ast.FloatValue(iv), true
			}
			return ast.FloatValue(math.Abs(iv)), true
		}
		if odd {
			return ast.FloatValue(math.Copysign(0, iv)), true
		}
		return ast.FloatValue(0), true
	case iv == 0:
		if iw < 0 {
			return ast.Value{}, false // ZeroDivisionError
		}
		if isOddInteger(iw) {
			return ast.FloatValue(iv), true
		}
		return ast.FloatValue(0), true
	}
	negate := false
	if iv < 0 {
		if iw != math.Floor(iw) {
			re, im, ok := cl.complexPow(iv, 0, iw, 0)
			if !ok {
				return ast.Value{}, false
			}
			return ast.ComplexValue(re, im), true
		}
		iv = -iv
		negate = isOddInteger(iw)
	}
	if iv == 1 {
		if negate {
			return ast.FloatValue(-1), true
		}
		return ast.FloatValue(1), true
	}
	ix := glibcPow(iv, iw)
	if math.IsInf(ix, 0) {
		return ast.Value{}, false // OverflowError (ERANGE)
	}
	if negate {
		ix = -ix
	}
	return ast.FloatValue(ix), true
}

func (cl calc) complexOp(op ast.Operator, l, r ast.Value) (ast.Value, bool) {
	a, b, ok := toComplex(l)
	if !ok {
		return ast.Value{}, false
	}
	c, d, ok := toComplex(r)
	if !ok {
		return ast.Value{}, false
	}
	switch op {
	case ast.Add:
		return ast.ComplexValue(addKeep(a, c, left), addKeep(b, d, left)), true
	case ast.Sub:
		return ast.ComplexValue(a-c, b-d), true
	case ast.Mult:
		re, im := cl.complexProd(a, b, c, d)
		return ast.ComplexValue(re, im), true
	case ast.Div:
		re, im, ok := cl.complexQuot(a, b, c, d)
		if !ok {
			return ast.Value{}, false
		}
		return ast.ComplexValue(re, im), true
	case ast.Pow:
		var re, im float64
		n := int64(c) // (long)exponent.real
		if d == 0 && c == float64(n) && !math.IsNaN(c) && !math.IsInf(c, 0) && c >= -9.2e18 && c <= 9.2e18 {
			re, im, ok = cl.complexPowi(a, b, n)
		} else {
			re, im, ok = cl.complexPow(a, b, c, d)
		}
		if !ok {
			return ast.Value{}, false
		}
		return ast.ComplexValue(re, im), true
	}
	return ast.Value{}, false // no // or % of complex numbers
}

// complexProd is _Py_c_prod.
func (cl calc) complexProd(a, b, c, d float64) (float64, float64) {
	o := &cl.nan
	re := mulKeep(a, c, o.prod[0]) - mulKeep(b, d, o.prod[1])
	im := addKeep(mulKeep(a, d, o.prod[2]), mulKeep(b, c, o.prod[3]), o.prodSum)
	return re, im
}

// complexQuot is _Py_c_quot (Smith's algorithm); false for a zero divisor.
func (cl calc) complexQuot(ar, ai, br, bi float64) (float64, float64, bool) {
	o := &cl.nan
	absBr, absBi := math.Abs(br), math.Abs(bi)
	switch {
	case absBr >= absBi:
		if absBr == 0 {
			return 0, 0, false
		}
		ratio := bi / br
		denom := br + bi*ratio
		re := addKeep(ar, mulKeep(ai, ratio, o.quotMul), o.quotSum)
		return re / denom, (ai - mulKeep(ar, ratio, o.quotMul)) / denom, true
	case absBi >= absBr:
		ratio := br / bi
		denom := br*ratio + bi
		return addKeep(ar*ratio, ai, o.quotSum2) / denom, (ai*ratio - ar) / denom, true
	}
	// At least one of br, bi is a NaN.
	return pyNaN, pyNaN, true
}

// libmApprox counts the folds that used the C library's transcendental
// functions for a complex power (tests tell their differences from
// CPython's apart). Concurrent compiles all count here.
var libmApprox atomic.Int64

// complexPow is _Py_c_pow with complex_pow's error checks: false for 0 to
// a negative or complex power (EDOM), for an overflow (ERANGE), and where a
// C library call set errno and the result is not infinite (a cosine of an
// infinity: EDOM), as Python raises there.
func (cl calc) complexPow(ar, ai, br, bi float64) (float64, float64, bool) {
	var re, im float64
	var errno libmErrno
	switch {
	case br == 0 && bi == 0:
		re, im = 1, 0
	case ar == 0 && ai == 0:
		if bi != 0 || br < 0 {
			return 0, 0, false
		}
		re, im = 0, 0
	default:
		// pow, exp, log, cos and sin are glibc's algorithms; hypot and
		// atan2 are correctly rounded, which glibc's are but for a few
		// inputs in ten thousand (see docs/native.md).
		libmApprox.Add(1)
		vabs := libmHypot(ar, ai, &errno)
		length := libmPow(vabs, br, &errno)
		at := libmAtan2(ai, ar, &errno)
		// Where both operands are NaNs, measured with NaNs of distinct
		// payloads (docs/native.md, difference 10): at*b.real keeps
		// b.real's, at*b.imag the angle's, and the phase's sum the
		// phase's. These are Debian's builds; 3.13.0's formula never shows
		// a phase whose modulus is not a NaN too, so its order there is
		// unseen.
		phase := mulKeep(at, br, right)
		if bi != 0 {
			if cl.powMulExp {
				length = mulKeep(libmExp(mulKeep(-at, bi, left), &errno), length, left)
			} else {
				length /= libmExp(mulKeep(at, bi, left), &errno)
			}
			phase = addKeep(phase, bi*libmLog(vabs, &errno), left)
		}
		// The last products keep, in every build measured: 3.13.0's
		// the modulus's NaN in both parts; 3.13.1's formula (kept by
		// Debian's 3.13.5 and 3.13.18) the exponential's in the modulus,
		// the cosine's in the real part and the modulus's in the
		// imaginary part. They differ only where the modulus and the
		// cosine are NaNs of opposite signs, as from 3.13.1 they are when
		// the angle is a NaN (mutant 20261208/12775 of tests/native).
		if cos := libmCos(phase, &errno); cl.powMulExp {
			re = mulKeep(cos, length, left)
		} else {
			re = mulKeep(length, cos, left)
		}
		im = mulKeep(length, libmSin(phase, &errno), left)
	}
	// Py_ADJUST_ERANGE2
	if math.IsInf(re, 0) || math.IsInf(im, 0) {
		if errno == 0 {
			errno = erange
		}
	} else if errno == erange {
		errno = 0
	}
	if errno != 0 {
		return 0, 0, false
	}
	return re, im, true
}

func (cl calc) complexPowu(ar, ai float64, n int64) (float64, float64) {
	rr, ri := 1.0, 0.0
	pr, pi := ar, ai
	for mask := int64(1); mask > 0 && n >= mask; mask <<= 1 {
		if n&mask != 0 {
			rr, ri = cl.complexProd(rr, ri, pr, pi)
		}
		pr, pi = cl.complexProd(pr, pi, pr, pi)
	}
	return rr, ri
}

// complexPowi is c_powi: repeated squaring for exponents up to 100.
func (cl calc) complexPowi(ar, ai float64, n int64) (float64, float64, bool) {
	var re, im float64
	switch {
	case n > 100 || n < -100:
		return cl.complexPow(ar, ai, float64(n), 0)
	case n > 0:
		re, im = cl.complexPowu(ar, ai, n)
	default:
		pr, pi := cl.complexPowu(ar, ai, -n)
		var ok bool
		re, im, ok = cl.complexQuot(1, 0, pr, pi)
		if !ok {
			return 0, 0, false
		}
	}
	if math.IsInf(re, 0) || math.IsInf(im, 0) {
		return 0, 0, false
	}
	return re, im, true
}

// safeMultiply is safe_multiply: products of ints up to 128 bits,
// repetitions of tuples up to 256 items (1024 in all, nested ones
// included) and of str and bytes up to 4096 characters.
func (cl calc) safeMultiply(v, w ast.Value) (ast.Value, bool) {
	switch {
	case isInt(v) && isInt(w) && !isZero(v) && !isZero(w):
		if numBits(v)+numBits(w) > maxIntSize {
			return ast.Value{}, false
		}
	case isInt(v) && w.Kind() == ast.TupleKind:
		if size := len(w.Elems()); size > 0 {
			n, ok := asLong(v)
			if !ok || n < 0 || n > int64(maxCollectionSize/size) {
				return ast.Value{}, false
			}
			if n != 0 && complexity(w, int64(maxTotalItems)/n) < 0 {
				return ast.Value{}, false
			}
		}
	case isInt(v) && (w.Kind() == ast.StrKind || w.Kind() == ast.BytesKind):
		size := len(w.Bytes())
		if w.Kind() == ast.StrKind {
			size = ast.CodePointCount(w.Str())
		}
		if size > 0 {
			n, ok := asLong(v)
			if !ok || n < 0 || n > int64(maxStrSize/size) {
				return ast.Value{}, false
			}
		}
	case isInt(w) && (v.Kind() == ast.TupleKind || v.Kind() == ast.StrKind || v.Kind() == ast.BytesKind):
		return cl.safeMultiply(w, v)
	}
	return cl.multiply(v, w)
}

// complexity is check_complexity: limit less the items of obj's nested
// tuples, negative once it runs out.
func complexity(obj ast.Value, limit int64) int64 {
	if obj.Kind() != ast.TupleKind {
		return limit
	}
	el := obj.Elems()
	limit -= int64(len(el))
	for i := 0; limit >= 0 && i < len(el); i++ {
		limit = complexity(el[i], limit)
	}
	return limit
}

// multiply is PyNumber_Multiply: numbers, or a sequence repeated.
func (cl calc) multiply(v, w ast.Value) (ast.Value, bool) {
	seq, n := v, w
	if isInt(v) {
		seq, n = w, v
	}
	if isInt(n) {
		switch seq.Kind() {
		case ast.StrKind, ast.BytesKind, ast.TupleKind:
			count, ok := asSsize(n)
			if !ok {
				return ast.Value{}, false // OverflowError
			}
			return repeat(seq, count)
		}
	}
	return cl.arith(ast.Mult, v, w)
}

// repeat is sequence repetition; a count below one gives an empty
// sequence.
func repeat(seq ast.Value, n int64) (ast.Value, bool) {
	if n < 0 {
		n = 0
	}
	switch {
	case seq.Kind() == ast.StrKind && seq.Str() == "",
		seq.Kind() == ast.BytesKind && seq.Bytes() == "",
		seq.Kind() == ast.TupleKind && len(seq.Elems()) == 0:
		return seq, true
	}
	switch seq.Kind() {
	case ast.StrKind:
		s := seq.Str()
		if s != "" && n > int64(math.MaxInt32)/int64(len(s)) {
			return ast.Value{}, false // MemoryError
		}
		return ast.StrValue(strings.Repeat(s, int(n))), true
	case ast.BytesKind:
		s := seq.Bytes()
		if s != "" && n > int64(math.MaxInt32)/int64(len(s)) {
			return ast.Value{}, false
		}
		if n == 0 {
			// bytes_repeat allocates the empty result of a non-empty
			// bytes: a new object, not the b'' singleton.
			return ast.FreshBytesValue(""), true
		}
		return ast.BytesValue(strings.Repeat(s, int(n))), true
	}
	el := seq.Elems()
	if len(el) > 0 && n > int64(math.MaxInt32)/int64(len(el)) {
		return ast.Value{}, false
	}
	out := make([]ast.Value, 0, len(el)*int(n))
	for i := int64(0); i < n; i++ {
		out = append(out, el...)
	}
	return ast.TupleValue(out), true
}

// safePower is safe_power: int powers up to 128 bits.
func (cl calc) safePower(v, w ast.Value) (ast.Value, bool) {
	if isInt(v) && isInt(w) && !isZero(v) && bigOf(w).Sign() > 0 {
		vbits := uint64(numBits(v))
		wbits, ok := asSizeT(w)
		if !ok || vbits > maxIntSize/wbits {
			return ast.Value{}, false
		}
	}
	if isInt(v) && isInt(w) {
		return cl.intPow(v, w)
	}
	return cl.arith(ast.Pow, v, w)
}

// intPow is long_pow without a modulus: exact for a non-negative exponent,
// a float power otherwise.
func (cl calc) intPow(v, w ast.Value) (ast.Value, bool) {
	e := bigOf(w)
	if e.Sign() < 0 {
		a, ok := intToFloat(v)
		if !ok {
			return ast.Value{}, false
		}
		b, ok := intToFloat(w)
		if !ok {
			return ast.Value{}, false
		}
		return cl.floatPow(a, b)
	}
	b := bigOf(v)
	if e.BitLen() > 63 {
		// Only 0, 1 and -1 can be raised that far (safe_power let them
		// through only when they are 0).
		switch {
		case b.Sign() == 0:
			return ast.IntValue(0), true
		}
		return ast.Value{}, false
	}
	return intResult(new(big.Int).Exp(b, e, nil)), true
}

// safeLshift is safe_lshift: shifts up to 128 bits.
func safeLshift(v, w ast.Value) (ast.Value, bool) {
	if isInt(v) && isInt(w) && !isZero(v) && !isZero(w) {
		vbits := uint64(numBits(v))
		wbits, ok := asSizeT(w)
		if !ok || wbits > maxIntSize || vbits > maxIntSize-wbits {
			return ast.Value{}, false
		}
	}
	if !isInt(v) || !isInt(w) {
		return ast.Value{}, false
	}
	n := bigOf(w)
	if n.Sign() < 0 {
		return ast.Value{}, false // ValueError: negative shift count
	}
	x := bigOf(v)
	if x.Sign() == 0 {
		return ast.IntValue(0), true
	}
	if n.BitLen() > 31 {
		return ast.Value{}, false
	}
	return intResult(new(big.Int).Lsh(x, uint(n.Int64()))), true
}

func rshift(v, w ast.Value) (ast.Value, bool) {
	if !isInt(v) || !isInt(w) {
		return ast.Value{}, false
	}
	n := bigOf(w)
	if n.Sign() < 0 {
		return ast.Value{}, false
	}
	x := bigOf(v)
	if n.BitLen() > 31 {
		if x.Sign() < 0 {
			return ast.IntValue(-1), true
		}
		return ast.IntValue(0), true
	}
	return intResult(new(big.Int).Rsh(x, uint(n.Int64()))), true
}

// bitOp is &, | and ^ of ints; of two bools it is a bool.
func bitOp(op ast.Operator, v, w ast.Value) (ast.Value, bool) {
	if !isInt(v) || !isInt(w) {
		return ast.Value{}, false
	}
	if v.Kind() == ast.BoolKind && w.Kind() == ast.BoolKind {
		a, b := v.Bool(), w.Bool()
		switch op {
		case ast.BitAnd:
			return ast.BoolValue(a && b), true
		case ast.BitOr:
			return ast.BoolValue(a || b), true
		}
		return ast.BoolValue(a != b), true
	}
	x, y := bigOf(v), bigOf(w)
	z := new(big.Int)
	switch op {
	case ast.BitAnd:
		z.And(x, y)
	case ast.BitOr:
		z.Or(x, y)
	default:
		z.Xor(x, y)
	}
	return intResult(z), true
}

// subscript is PyObject_GetItem of a str, bytes or tuple by an int
// (fold_subscr).
func subscript(v, idx ast.Value) (ast.Value, bool) {
	if !isInt(idx) {
		return ast.Value{}, false
	}
	i, ok := asSsize(idx)
	if !ok {
		return ast.Value{}, false // IndexError: cannot fit into an index-sized integer
	}
	switch v.Kind() {
	case ast.StrKind:
		s := v.Str()
		n := int64(ast.CodePointCount(s))
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			return ast.Value{}, false
		}
		for k := int64(0); ; k++ {
			_, size := ast.DecodeCodePoint(s)
			if k == i {
				return ast.StrValue(s[:size]), true
			}
			s = s[size:]
		}
	case ast.BytesKind:
		b := v.Bytes()
		n := int64(len(b))
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			return ast.Value{}, false
		}
		return ast.IntValue(int64(b[i])), true
	case ast.TupleKind:
		el := v.Elems()
		n := int64(len(el))
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			return ast.Value{}, false
		}
		return el[i], true
	}
	return ast.Value{}, false
}
