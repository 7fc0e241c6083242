package astopt

import (
	"math"

	"github.com/rules-pyc/rules_pyc/compiler/release"
)

// keep names the operand whose NaN a floating-point product or sum keeps
// when both operands are NaNs.
//
// The processor keeps the NaN of its instruction's first operand, and for a
// commutative operation C leaves that order to the compiler: two builds of
// one CPython release can fold the same constant expression to NaNs of
// different signs, which marshal writes. The folds below spell each such
// operation's order out, as measured with NaNs that carry distinct
// payloads in each interpreter here (docs/native.md, differences 9 and
// 10). Go's compiler does not fix the order either.
type keep bool

const (
	left  keep = false // the first operand's NaN, as written in CPython's C
	right keep = true  // the second's
)

// mulKeep is x*y, and the NaN k names when both are NaNs.
func mulKeep(x, y float64, k keep) float64 {
	if math.IsNaN(x) && math.IsNaN(y) {
		return pick(x, y, k)
	}
	return x * y
}

// addKeep is x+y, and the NaN k names when both are NaNs.
func addKeep(x, y float64, k keep) float64 {
	if math.IsNaN(x) && math.IsNaN(y) {
		return pick(x, y, k)
	}
	return x + y
}

func pick(x, y float64, k keep) float64 {
	if k == right {
		return y
	}
	return x
}

// nanOrder is the order of a build's commutative operations whose operands
// can both be NaNs in a fold. Sums of floats keep the second operand's
// NaN, and sums of complex numbers the first's, in every build measured, so
// they are not here.
type nanOrder struct {
	floatMul keep // float_mul's a*b
	// prod are _Py_c_prod's a.real*b.real, a.imag*b.imag, a.real*b.imag
	// and a.imag*b.real; prodSum its a.real*b.imag + a.imag*b.real.
	prod    [4]keep
	prodSum keep
	// _Py_c_quot, when |b.real| >= |b.imag|: quotMul is a.imag*ratio and
	// a.real*ratio (the ratio is a NaN when both of b's parts are
	// infinite), quotSum a.real + a.imag*ratio; when |b.imag| > |b.real|,
	// quotSum2 is a.real*ratio + a.imag.
	quotMul, quotSum, quotSum2 keep
}

// The orders measured, by the release each build is (see nanOrderFor).
var (
	// pyenv's 3.13.0, built here with GCC 12.2.
	nanOrder3130 = nanOrder{
		floatMul: right,
		prod:     [4]keep{left, left, left, left}, prodSum: left,
		quotMul: left, quotSum: left, quotSum2: right,
	}
	// Debian 13's 3.13.5 (GCC 14.2).
	nanOrder3135 = nanOrder{
		floatMul: left,
		prod:     [4]keep{right, right, right, right}, prodSum: right,
		quotMul: right, quotSum: right, quotSum2: left,
	}
	// Debian sid's 3.13.18 (GCC 16.2).
	nanOrder31318 = nanOrder{
		floatMul: right,
		prod:     [4]keep{left, right, left, right}, prodSum: right,
		quotMul: right, quotSum: right, quotSum2: left,
	}
)

// nanOrderFor is the order imitated for a release: 3.13.0's for 3.13.0,
// 3.13.5's for 3.13.1 to 3.13.5, and 3.13.18's from 3.13.6. Only those
// three builds were measured; another vendor's build of any release may
// keep other NaNs.
func nanOrderFor(rel release.Release) nanOrder {
	switch {
	case !rel.AtLeast(release.Release{Major: 3, Minor: 13, Micro: 1}):
		return nanOrder3130
	case !rel.AtLeast(release.Release{Major: 3, Minor: 13, Micro: 6}):
		return nanOrder3135
	}
	return nanOrder31318
}
