package astopt

import (
	"math"
	"math/big"
)

// libmPow is the C library's pow(x, y) as float_pow calls it: x finite,
// positive and not 1, y finite and nonzero. It returns the correctly
// rounded power, false when it overflows (ERANGE: Python's OverflowError);
// an underflow gives zero or a subnormal, as in C.
//
// Go's math.Pow is not correctly rounded (it multiplies by repeated
// squaring and can be several units in the last place off), while glibc's
// pow is within 0.52 of one, so that it rounds correctly but in the
// rarest cases. So the power is computed exactly for small integer
// exponents and with 192-bit logarithms and exponentials otherwise, then
// rounded once.
func libmPow(x, y float64) (float64, bool) {
	r := positivePow(x, y)
	if math.IsInf(r, 0) {
		return 0, false
	}
	return r, true
}

// positivePow is x**y correctly rounded for a finite positive x and a
// finite y (infinite when it overflows).
func positivePow(x, y float64) float64 {
	if y == math.Trunc(y) && math.Abs(y) <= 64 {
		return exactIntPow(x, int(y))
	}
	return bigPow(x, y)
}

// cPow is C99's pow(x, y) with all its special cases (Annex F), for
// complex powers, which call pow on any values.
func cPow(x, y float64) float64 {
	switch {
	case y == 0 || x == 1:
		return 1
	case math.IsNaN(x) || math.IsNaN(y):
		return math.NaN()
	}
	yInt := y == math.Trunc(y) && !math.IsInf(y, 0)
	yOdd := yInt && math.Abs(y) < 1<<53 && math.Mod(math.Abs(y), 2) == 1
	switch {
	case x == 0:
		if y < 0 {
			if yOdd {
				return math.Copysign(math.Inf(1), x)
			}
			return math.Inf(1)
		}
		if yOdd {
			return x
		}
		return 0
	case math.IsInf(y, 0):
		ax := math.Abs(x)
		switch {
		case ax == 1:
			return 1
		case (ax < 1) == (y < 0):
			return math.Inf(1)
		}
		return 0
	case math.IsInf(x, 1):
		if y < 0 {
			return 0
		}
		return math.Inf(1)
	case math.IsInf(x, -1):
		if y < 0 {
			if yOdd {
				return math.Copysign(0, -1)
			}
			return 0
		}
		if yOdd {
			return math.Inf(-1)
		}
		return math.Inf(1)
	case x < 0:
		if !yInt {
			return math.NaN()
		}
		r := positivePow(-x, y)
		if yOdd {
			return -r
		}
		return r
	}
	return positivePow(x, y)
}

// exactIntPow is x**n rounded once: x is m*2**e with an integer m of at
// most 53 bits, so x**|n| is m**|n| * 2**(e*|n|) exactly.
func exactIntPow(x float64, n int) float64 {
	frac, exp := math.Frexp(x)
	m := int64(math.Ldexp(frac, 53))
	exp -= 53
	neg := n < 0
	if neg {
		n = -n
	}
	p := new(big.Int).Exp(big.NewInt(m), big.NewInt(int64(n)), nil)
	f := new(big.Float).SetPrec(uint(p.BitLen()) + 64).SetInt(p)
	if !neg {
		f.SetMantExp(f, exp*n)
		r, _ := f.Float64()
		return r
	}
	one := new(big.Float).SetPrec(256).SetInt64(1)
	q := new(big.Float).SetPrec(256).Quo(one, f)
	q.SetMantExp(q, -exp*n)
	r, _ := q.Float64()
	return r
}

const powPrec = 192

// bigPow is exp(y*log(x)) with 192-bit intermediates, rounded once.
func bigPow(x, y float64) float64 {
	t := bigLog(x)
	t.Mul(t, new(big.Float).SetPrec(powPrec).SetFloat64(y))
	// Results beyond float64's range need no precision.
	if tf, _ := t.Float64(); tf > 710 {
		return math.Inf(1)
	} else if tf < -746 {
		return 0
	}
	r, _ := bigExp(t).Float64()
	return r
}

var ln2Big = func() *big.Float {
	// ln 2 = 2*atanh(1/3).
	return atanhSeries(new(big.Float).SetPrec(powPrec+32).Quo(big.NewFloat(1).SetPrec(powPrec+32), big.NewFloat(3).SetPrec(powPrec+32)), 2)
}()

// atanhSeries returns k * atanh(z) = k * (z + z**3/3 + z**5/5 + ...) for a
// small z.
func atanhSeries(z *big.Float, k int64) *big.Float {
	prec := z.Prec()
	sum := new(big.Float).SetPrec(prec).Set(z)
	z2 := new(big.Float).SetPrec(prec).Mul(z, z)
	term := new(big.Float).SetPrec(prec).Set(z)
	eps := new(big.Float).SetPrec(prec).SetMantExp(big.NewFloat(1), -int(prec)-8)
	tmp := new(big.Float).SetPrec(prec)
	for i := int64(3); ; i += 2 {
		term.Mul(term, z2)
		tmp.Quo(term, new(big.Float).SetPrec(prec).SetInt64(i))
		if tmp.Sign() == 0 || new(big.Float).Abs(tmp).Cmp(eps) < 0 {
			break
		}
		sum.Add(sum, tmp)
	}
	return sum.Mul(sum, new(big.Float).SetPrec(prec).SetInt64(k))
}

// bigLog is the natural logarithm of a positive finite x: e*ln 2 +
// 2*atanh((m-1)/(m+1)) for x = m*2**e, m in [sqrt(1/2), sqrt(2)).
func bigLog(x float64) *big.Float {
	prec := uint(powPrec + 32)
	frac, exp := math.Frexp(x) // frac in [0.5, 1)
	if frac < math.Sqrt2/2 {
		frac *= 2
		exp--
	}
	m := new(big.Float).SetPrec(prec).SetFloat64(frac)
	one := new(big.Float).SetPrec(prec).SetInt64(1)
	num := new(big.Float).SetPrec(prec).Sub(m, one)
	den := new(big.Float).SetPrec(prec).Add(m, one)
	z := new(big.Float).SetPrec(prec).Quo(num, den)
	l := atanhSeries(z, 2)
	e := new(big.Float).SetPrec(prec).SetInt64(int64(exp))
	return l.Add(l, e.Mul(e, ln2Big))
}

// bigExp is e**t: t = k*ln 2 + r with |r| <= ln 2 / 2, exp(r) by its
// series on r/2**16 squared 16 times.
func bigExp(t *big.Float) *big.Float {
	prec := uint(powPrec + 32)
	q := new(big.Float).SetPrec(prec).Quo(t, ln2Big)
	kf, _ := q.Float64()
	k := math.Round(kf)
	r := new(big.Float).SetPrec(prec).Mul(new(big.Float).SetPrec(prec).SetFloat64(k), ln2Big)
	r.Sub(t, r)
	const halvings = 16
	r.SetMantExp(r, -halvings)
	sum := new(big.Float).SetPrec(prec).SetInt64(1)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	eps := new(big.Float).SetPrec(prec).SetMantExp(big.NewFloat(1), -int(prec)-8)
	for i := int64(1); ; i++ {
		term.Mul(term, r)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(i))
		if term.Sign() == 0 || new(big.Float).Abs(term).Cmp(eps) < 0 {
			break
		}
		sum.Add(sum, term)
	}
	for i := 0; i < halvings; i++ {
		sum.Mul(sum, sum)
	}
	return sum.SetMantExp(sum, int(k))
}
