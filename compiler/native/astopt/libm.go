package astopt

import "math"

// glibcPow is pow() of glibc 2.28 and later on x86-64 with FMA (the
// e_pow-fma variant its ifunc picks on such processors), which decides
// Python's float ** float: the algorithm of ARM's optimized-routines
// (log of x to about 68 bits with a 128-entry table and a polynomial, times
// y, then exp with a 128-entry table), whose result is within 0.52 units in
// the last place but not always the correctly rounded one. Written again
// here, operation for operation, so that its roundings are glibc's. The
// FMA build of glibc is compiled with GCC's default -ffp-contract=fast, so
// a product whose every use is an addition in the same basic block is fused
// into it: math.FMA stands where that happens (and where the source calls
// fma), and conversions float64(...) keep Go from fusing anything else.
// Checked bit for bit against glibc 2.36 and 2.43 (TestGlibcPow).
func glibcPow(x, y float64) float64 {
	var signBias uint64
	ix, iy := math.Float64bits(x), math.Float64bits(y)
	topx, topy := uint32(ix>>52), uint32(iy>>52)
	if topx-0x001 >= 0x7ff-0x001 || (topy&0x7ff)-0x3be >= 0x43e-0x3be {
		// x is subnormal, zero, infinite or NaN (or negative), or |y| is
		// tiny, huge or NaN.
		if zeroInfNaN(iy) {
			switch {
			case 2*iy == 0:
				return 1
			case ix == math.Float64bits(1):
				return 1
			case 2*ix > 2*math.Float64bits(math.Inf(1)) || 2*iy > 2*math.Float64bits(math.Inf(1)):
				return addKeep(x, y, left) // x's NaN if both are
			case 2*ix == 2*math.Float64bits(1):
				return 1
			case (2*ix < 2*math.Float64bits(1)) == (iy>>63 == 0):
				return 0
			}
			return y * y
		}
		if zeroInfNaN(ix) {
			x2 := x * x
			if ix>>63 != 0 && checkInt(iy) == 1 {
				x2 = -x2
			}
			if iy>>63 != 0 {
				return 1 / x2
			}
			return x2
		}
		// x and y are finite and nonzero.
		if ix>>63 != 0 {
			switch checkInt(iy) {
			case 0:
				return math.NaN() // invalid
			case 1:
				signBias = signBiasBit
			}
			ix &= 0x7fffffffffffffff
			topx &= 0x7ff
		}
		if (topy&0x7ff)-0x3be >= 0x43e-0x3be {
			if ix == math.Float64bits(1) {
				return 1
			}
			if topy&0x7ff < 0x3be {
				// |y| < 2**-65: x**y ~= 1 + y*log(x).
				if ix > math.Float64bits(1) {
					return 1 + y
				}
				return 1 - y
			}
			if (ix > math.Float64bits(1)) == (topy < 0x800) {
				return math.Inf(1) // overflow
			}
			return 0 // underflow
		}
		if topx == 0 {
			// A subnormal x: normalize it, with a negative exponent.
			ix = math.Float64bits(x * 0x1p52)
			ix &= 0x7fffffffffffffff
			ix -= 52 << 52
		}
	}
	hi, lo := powLog(ix)
	ehi := y * hi
	elo := math.FMA(y, lo, math.FMA(y, hi, -ehi))
	return powExp(ehi, elo, signBias)
}

const (
	powLogOff   = 0x3fe6955500000000
	expTableN   = 128
	signBiasBit = 0x800 << 7
	ln2hi       = 0x1.62e42fefa3800p-1
	ln2lo       = 0x1.ef35793c76730p-45
)

// powLogPoly are the log polynomial's coefficients, scaled as the
// evaluation uses them.
var powLogPoly = [7]float64{
	-0x1p-1,
	0x1.555555555556p-2 * -2,
	-0x1.0000000000006p-2 * -2,
	0x1.999999959554ep-3 * 4,
	-0x1.555555529a47ap-3 * 4,
	0x1.2495b9b4845e9p-3 * -8,
	-0x1.0002b8b263fc3p-3 * -8,
}

// Constants of the exponential.
const (
	expInvLn2N   = 0x1.71547652b82fep0 * expTableN
	expNegLn2hiN = -0x1.62e42fefa0000p-8
	expNegLn2loN = -0x1.cf79abc9e3b3ap-47
	expShift     = 0x1.8p52
	expC2        = 0x1.ffffffffffdbdp-2
	expC3        = 0x1.555555555543cp-3
	expC4        = 0x1.55555cf172b91p-5
	expC5        = 0x1.1111167a4d017p-7
)

func zeroInfNaN(i uint64) bool { return 2*i-1 >= 2*math.Float64bits(math.Inf(1))-1 }

// checkInt returns 0 if the finite nonzero float whose bits are iy is not
// an integer, 1 if it is an odd one, 2 if an even one.
func checkInt(iy uint64) int {
	e := int(iy >> 52 & 0x7ff)
	switch {
	case e < 0x3ff:
		return 0
	case e > 0x3ff+52:
		return 2
	case iy&(1<<(0x3ff+52-e)-1) != 0:
		return 0
	case iy&(1<<(0x3ff+52-e)) != 0:
		return 1
	}
	return 2
}

// powLog returns log(x) as hi + lo, with about 68 bits, for the bits ix of
// a positive x (normalized if subnormal).
func powLog(ix uint64) (hi, lo float64) {
	tmp := ix - powLogOff
	i := int(tmp >> (52 - 7) % 128)
	k := int64(tmp) >> 52
	iz := ix - (tmp & (0xfff << 52))
	z := math.Float64frombits(iz)
	kd := float64(k)

	invc, logc, logctail := powLogTab[i].invc, powLogTab[i].logc, powLogTab[i].logctail
	r := math.FMA(z, invc, -1.0)

	t1 := math.FMA(kd, ln2hi, logc)
	t2 := t1 + r
	lo1 := math.FMA(kd, ln2lo, logctail)
	lo2 := t1 - t2 + r

	A := &powLogPoly
	ar := A[0] * r
	ar2 := r * ar
	ar3 := r * ar2
	hi = t2 + ar2
	lo3 := math.FMA(ar, r, -ar2)
	lo4 := t2 - hi + ar2
	q := math.FMA(ar2, math.FMA(ar2, math.FMA(r, A[6], A[5]), math.FMA(r, A[4], A[3])), math.FMA(r, A[2], A[1]))
	lo = math.FMA(ar3, q, lo1+lo2+lo3+lo4)
	y := hi + lo
	return y, hi - y + lo
}

// powExp returns sign*exp(x + xtail).
func powExp(x, xtail float64, signBias uint64) float64 {
	abstop := uint32(math.Float64bits(x)>>52) & 0x7ff
	if abstop-top12(0x1p-54) >= top12(512.0)-top12(0x1p-54) {
		if abstop-top12(0x1p-54) >= 0x80000000 {
			// Tiny x: exp(x) is 1.
			one := 1.0 + x
			if signBias != 0 {
				return -one
			}
			return one
		}
		if abstop >= top12(1024.0) {
			if math.Float64bits(x)>>63 != 0 {
				if signBias != 0 {
					return math.Copysign(0, -1)
				}
				return 0
			}
			if signBias != 0 {
				return math.Inf(-1)
			}
			return math.Inf(1)
		}
		abstop = 0 // large |x|: see specialCase
	}
	// exp(x) = 2**(k/N) * exp(r), x = ln2/N*k + r with |r| <= ln2/2N.
	kd := math.FMA(expInvLn2N, x, expShift)
	ki := math.Float64bits(kd)
	kd -= expShift
	r := math.FMA(kd, expNegLn2loN, math.FMA(kd, expNegLn2hiN, x))
	r += xtail
	idx := 2 * (ki % expTableN)
	top := (ki + signBias) << (52 - 7)
	tail := math.Float64frombits(expTab[idx])
	sbits := expTab[idx+1] + top
	r2 := r * r
	tmp := math.FMA(float64(r2*r2), math.FMA(r, expC5, expC4), math.FMA(r2, math.FMA(r, expC3, expC2), tail+r))
	if abstop == 0 {
		return expSpecialCase(tmp, sbits, ki)
	}
	scale := math.Float64frombits(sbits)
	return math.FMA(scale, tmp, scale)
}

func top12(x float64) uint32 { return uint32(math.Float64bits(x) >> 52) }

// expSpecialCase computes scale*(1+tmp) where scale's exponent (in
// sbits) may have overflowed, for results that may overflow or be
// subnormal.
func expSpecialCase(tmp float64, sbits, ki uint64) float64 {
	if ki&0x80000000 == 0 {
		// k > 0: the exponent of scale may have overflowed by up to 460.
		sbits -= 1009 << 52
		scale := math.Float64frombits(sbits)
		return 0x1p1009 * math.FMA(scale, tmp, scale)
	}
	// k < 0: care in the subnormal range.
	sbits += 1022 << 52
	scale := math.Float64frombits(sbits)
	// Here glibc's compiler does not fuse: the product is also used in
	// the branch below (GCC fuses a product only into additions in its
	// own basic block).
	y := scale + float64(scale*tmp)
	if math.Abs(y) < 1.0 {
		// Round y to its final precision before scaling it into the
		// subnormal range, to avoid double rounding.
		one := 1.0
		if y < 0.0 {
			one = -1.0
		}
		lo := scale - y + float64(scale*tmp)
		hi := one + y
		lo = one - hi + y + lo
		y = (hi + lo) - one
		if y == 0 {
			y = math.Float64frombits(sbits & 0x8000000000000000)
		}
	}
	return 0x1p-1022 * y
}

// glibcExp is glibc's exp (the same algorithm and table as pow's
// exponential, without its tail; checked bit for bit).
func glibcExp(x float64) float64 {
	switch {
	case math.IsNaN(x):
		return x
	case math.IsInf(x, 1):
		return x
	case math.IsInf(x, -1):
		return 0
	}
	return powExp(x, 0, 0)
}

// glibcLog is glibc's log (ARM's optimized-routines, FMA build): a
// polynomial near 1, else a 128-entry table and a polynomial.
func glibcLog(x float64) float64 {
	ix := math.Float64bits(x)
	top := uint32(ix >> 48)
	const lo1, hi1 = 0x3fee000000000000, 0x3ff1090000000000 // 1-0x1p-4, 1+0x1.09p-4
	if ix-lo1 < hi1-lo1 {
		if ix == math.Float64bits(1) {
			return 0
		}
		B := &logPoly1
		r := x - 1.0
		r2 := r * r
		r3 := r * r2
		inner := math.FMA(r3, B[10], math.FMA(r2, B[9], math.FMA(r, B[8], B[7])))
		mid := math.FMA(r3, inner, math.FMA(r2, B[6], math.FMA(r, B[5], B[4])))
		poly := math.FMA(r3, mid, math.FMA(r2, B[3], math.FMA(r, B[2], B[1])))
		// hi + lo = r - r*r/2 exactly.
		w := r * 0x1p27
		rhi := r + w - w
		rlo := r - rhi
		w = rhi * rhi * B[0]
		hi := r + w
		lo := r - hi + w
		lo = math.FMA(B[0]*rlo, rhi+r, lo)
		// y = r3*poly + lo + hi, the product fused into the first sum.
		return math.FMA(r3, poly, lo) + hi
	}
	if top-0x0010 >= 0x7ff0-0x0010 {
		switch {
		case ix*2 == 0:
			return math.Inf(-1)
		case ix == math.Float64bits(math.Inf(1)):
			return x
		case top&0x8000 != 0 || top&0x7ff0 == 0x7ff0:
			// __math_invalid: (x - x) / (x - x), a NaN's own bits, the
			// processor's default NaN for a negative x.
			d := x - x
			return d / d
		}
		// A subnormal x: normalize it.
		ix = math.Float64bits(x * 0x1p52)
		ix -= 52 << 52
	}
	const off = 0x3fe6000000000000
	tmp := ix - off
	i := int(tmp >> (52 - 7) % 128)
	k := int64(tmp) >> 52
	iz := ix - (tmp & (0xfff << 52))
	invc, logc := logTab[i].invc, logTab[i].logc
	z := math.Float64frombits(iz)
	r := math.FMA(z, invc, -1.0)
	kd := float64(k)
	w := math.FMA(kd, ln2hi, logc)
	hi := w + r
	lo := math.FMA(kd, ln2lo, w-hi+r)
	A := &logPoly
	r2 := r * r
	p := math.FMA(r2, math.FMA(r, A[4], A[3]), math.FMA(r, A[2], A[1]))
	y := math.FMA(float64(r*r2), p, math.FMA(r2, A[0], lo))
	return y + hi
}
