package astopt

import (
	"math"
	"math/big"
	"sync"
)

// Correctly rounded atan2 and hypot, for complex powers. glibc's are its
// own and IBM's, accurate to well under one unit in the last place; their
// results are the correctly rounded ones but for a few inputs in ten
// thousand (atan2; hypot agreed on every input tried), where these may
// differ in the last bit (the documented gap). glibc's atan2 interpolates
// from a table of points chosen by a search, so its exact algorithm cannot
// be rebuilt from first principles. These work in big.Float: slow, but
// only constant complex powers with a fractional exponent use them. The
// series for sin and cos here also build the table of glibc's sin and cos
// (libm_sin.go).

const crPrec = 256

// piPrec covers the reduction of any double modulo pi/2: 1024 bits of
// quotient, 53 of result, and room for cancellation.
const piPrec = 1400

var (
	piOnce sync.Once
	piBig  *big.Float // pi to piPrec bits
)

func bigPi() *big.Float {
	piOnce.Do(func() { piBig = machinPi(piPrec) })
	return piBig
}

// machinPi is pi to prec bits, by Machin's formula:
// pi = 16 atan(1/5) - 4 atan(1/239).
func machinPi(prec uint) *big.Float {
	atanInv := func(n int64) *big.Float {
		x := new(big.Float).SetPrec(prec + 64).SetInt64(1)
		x.Quo(x, new(big.Float).SetPrec(prec+64).SetInt64(n))
		return atanSeries(x, prec+64)
	}
	p := new(big.Float).SetPrec(prec+64).Mul(atanInv(5), big.NewFloat(16))
	q := new(big.Float).SetPrec(prec+64).Mul(atanInv(239), big.NewFloat(4))
	return p.Sub(p, q).SetPrec(prec)
}

// atanSeries is atan(x) = x - x**3/3 + x**5/5 - ... for a small x.
func atanSeries(x *big.Float, prec uint) *big.Float {
	sum := new(big.Float).SetPrec(prec).Set(x)
	x2 := new(big.Float).SetPrec(prec).Mul(x, x)
	term := new(big.Float).SetPrec(prec).Set(x)
	tmp := new(big.Float).SetPrec(prec)
	limit := -int(prec) - 8 + x.MantExp(nil)
	for n := int64(3); ; n += 2 {
		term.Mul(term, x2)
		term.Neg(term)
		tmp.Quo(term, new(big.Float).SetPrec(prec).SetInt64(n))
		if tmp.Sign() == 0 || tmp.MantExp(nil) < limit {
			break
		}
		sum.Add(sum, tmp)
	}
	return sum
}

// sinSeries and cosSeries are the Taylor series for |r| <= pi/4.
func sinSeries(r *big.Float) *big.Float { return trigSeries(r, 1) }
func cosSeries(r *big.Float) *big.Float { return trigSeries(r, 0) }

func trigSeries(r *big.Float, start int64) *big.Float {
	prec := uint(crPrec)
	x := new(big.Float).SetPrec(prec).Set(r)
	x2 := new(big.Float).SetPrec(prec).Mul(x, x)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	if start == 1 {
		term.Set(x)
	}
	sum := new(big.Float).SetPrec(prec).Set(term)
	for n := start + 1; ; n += 2 {
		term.Mul(term, x2)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(n*(n+1)))
		term.Neg(term)
		if term.Sign() == 0 || term.MantExp(nil) < sum.MantExp(nil)-int(prec)-8 {
			break
		}
		sum.Add(sum, term)
	}
	return sum
}

// crHypot is sqrt(x*x + y*y) correctly rounded, with C99's special cases.
func crHypot(x, y float64) float64 {
	switch {
	case math.IsInf(x, 0) || math.IsInf(y, 0):
		return math.Inf(1)
	case math.IsNaN(x) || math.IsNaN(y):
		return addKeep(x, y, left) // glibc's x + y: a NaN operand's bits, x's if both
	}
	bx := new(big.Float).SetPrec(4400).SetFloat64(x)
	by := new(big.Float).SetPrec(4400).SetFloat64(y)
	s := new(big.Float).SetPrec(4400).Mul(bx, bx)
	s.Add(s, by.Mul(by, by))
	r := new(big.Float).SetPrec(crPrec).Sqrt(s)
	f, _ := r.Float64()
	return f
}

// crAtan2 is atan2(y, x) correctly rounded, with C99's special cases.
func crAtan2(y, x float64) float64 {
	if math.IsNaN(x) || math.IsNaN(y) {
		return addKeep(x, y, left) // glibc's x + y: a NaN operand's bits, x's if both
	}
	pi := bigPi()
	neg := math.Signbit(y)
	sign := func(v float64) float64 {
		if neg {
			return -v
		}
		return v
	}
	piF, _ := pi.Float64()
	switch {
	case y == 0:
		if math.Signbit(x) {
			return sign(piF)
		}
		return sign(0)
	case x == 0:
		return sign(piF / 2)
	case math.IsInf(x, 0) && math.IsInf(y, 0):
		if x > 0 {
			return sign(piF / 4)
		}
		return sign(3 * piF / 4) // 3pi/4 rounds the same either way
	case math.IsInf(x, 1):
		return sign(0)
	case math.IsInf(x, -1):
		return sign(piF)
	case math.IsInf(y, 0):
		return sign(piF / 2)
	}
	f, _ := bigAtan2(y, x).Float64()
	return f
}

// bigAtan2 is atan2(y, x) to crPrec bits, for finite nonzero y and x.
func bigAtan2(y, x float64) *big.Float {
	prec := uint(crPrec)
	q := new(big.Float).SetPrec(prec).Quo(new(big.Float).SetFloat64(math.Abs(y)), new(big.Float).SetFloat64(math.Abs(x)))
	a := bigAtan(q, prec)
	if x < 0 {
		a.Sub(new(big.Float).SetPrec(prec).Set(bigPi()), a)
	}
	if math.Signbit(y) {
		a.Neg(a)
	}
	return a
}

// bigAtan is atan(z) for z >= 0.
func bigAtan(z *big.Float, prec uint) *big.Float {
	one := new(big.Float).SetPrec(prec).SetInt64(1)
	if z.Cmp(one) > 0 {
		inv := new(big.Float).SetPrec(prec).Quo(one, z)
		a := bigAtan(inv, prec)
		half := new(big.Float).SetPrec(prec).Quo(bigPi(), big.NewFloat(2))
		return half.Sub(half, a)
	}
	// atan(z) = 2 atan(z / (1 + sqrt(1 + z*z))), until z is small.
	doublings := 0
	w := new(big.Float).SetPrec(prec).Set(z)
	small := new(big.Float).SetPrec(prec).SetMantExp(one, -10)
	for w.Cmp(small) > 0 {
		s := new(big.Float).SetPrec(prec).Mul(w, w)
		s.Add(s, one)
		s.Sqrt(s)
		s.Add(s, one)
		w.Quo(w, s)
		doublings++
	}
	a := atanSeries(w, prec)
	return a.SetMantExp(a, doublings)
}

// libmErrno is the errno a C library call leaves (0, EDOM or ERANGE), as
// far as CPython's error checks after it look.
type libmErrno uint8

const (
	edom libmErrno = 1 + iota
	erange
)

func finite(x float64) bool { return !math.IsInf(x, 0) && !math.IsNaN(x) }

// The C library functions _Py_c_pow calls, each setting *e as glibc sets
// errno (a call that does not fail leaves it alone).

func libmHypot(x, y float64, e *libmErrno) float64 {
	r := crHypot(x, y)
	if math.IsInf(r, 0) && finite(x) && finite(y) {
		*e = erange
	}
	return r
}

func libmPow(x, y float64, e *libmErrno) float64 {
	r := glibcPow(x, y)
	switch {
	case finite(x) && finite(y) && x < 0 && y != math.Trunc(y):
		*e = edom
	case x == 0 && y < 0:
		*e = erange // division by zero
	case finite(x) && finite(y) && (math.IsInf(r, 0) || (r == 0 && x != 0)):
		*e = erange // overflow, underflow
	}
	return r
}

func libmAtan2(y, x float64, e *libmErrno) float64 {
	r := crAtan2(y, x)
	if r == 0 && y != 0 && finite(x) {
		*e = erange // underflow
	}
	return r
}

func libmExp(x float64, e *libmErrno) float64 {
	r := glibcExp(x)
	if finite(x) && (math.IsInf(r, 0) || r == 0) {
		*e = erange
	}
	return r
}

func libmLog(x float64, e *libmErrno) float64 {
	switch {
	case x == 0:
		*e = erange
	case x < 0:
		*e = edom
	}
	return glibcLog(x)
}

func libmCos(x float64, e *libmErrno) float64 {
	if math.IsInf(x, 0) {
		*e = edom
	}
	return glibcCos(x)
}

func libmSin(x float64, e *libmErrno) float64 {
	if math.IsInf(x, 0) {
		*e = edom
	}
	return glibcSin(x)
}
