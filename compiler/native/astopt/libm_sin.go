package astopt

import (
	"math"
	"math/big"
	"sync"
)

// glibc's sin and cos (IBM's algorithm, as glibc 2.28 and later keep it:
// no slow path), written again in Go, for complex powers. The argument is
// reduced to a+da near 0 modulo pi/2: by nothing below 0.855469, by
// pi/2 - |x| up to 2.426265, by a three-part pi/2 below 105414350, and by
// 2/pi in base 2**24 beyond. sin or cos of a+da is then a Taylor
// polynomial (|a| < 0.126, sin only) or a table of sin and cos at
// multiples of 1/128 combined with short polynomials of the rest.
//
// x86-64 machines with FMA run the build of this code compiled with
// -mfma -mavx2 (GCC's -ffp-contract=fast), which fuses each product into
// the addition or subtraction that is its only kind of use; math.FMA marks
// exactly those places. The large-argument reduction (branred) is a file of
// its own, built without FMA, so nothing is fused there.

// The polynomials' coefficients (glibc's usncs.h and s_sin.c).
const (
	sinS1 = -0x1.5555555555555p-3
	sinS2 = 0x1.1111111110ECEp-7
	sinS3 = -0x1.A01A019DB08B8p-13
	sinS4 = 0x1.71DE27B9A7ED9p-19
	sinS5 = -0x1.ADDFFC2FCDF59p-26

	sinSn3 = -1.66666666666664880952546298448555e-01
	sinSn5 = 8.33333214285722277379541354343671e-03
	sinCs2 = 4.99999999999999999999950396842453e-01
	sinCs4 = -4.16666666666664434524222570944589e-02
	sinCs6 = 1.38888874007937613028114285595617e-03

	sinBig   = 0x1.8p45 // big + |x| rounds |x| to a multiple of 1/128
	sinHp0   = 0x1.921FB54442D18p0
	sinHp1   = 0x1.1A62633145C07p-54
	sinMp1   = 0x1.921FB58p0
	sinMp2   = -0x1.DDE973Cp-27
	sinPp3   = -0x1.CB3B398p-55
	sinPp4   = -0x1.d747f23e32ed7p-83
	sinHpinv = 0x1.45F306DC9C883p-1
	sinToint = 0x1.8p52
)

// sinCosTable holds, for x = i/128, i = 0..109, sin(x) and cos(x) each as
// a double and the double nearest what it leaves: glibc's __sincostab,
// computed here from the series.
var (
	sinCosOnce  sync.Once
	sinCosTable [110][4]float64
)

func sinCosTab(i int) *[4]float64 {
	sinCosOnce.Do(func() {
		for i := range sinCosTable {
			x := new(big.Float).SetPrec(crPrec).SetInt64(int64(i))
			x.Quo(x, big.NewFloat(128))
			for j, v := range []*big.Float{sinSeries(x), cosSeries(x)} {
				hi, _ := v.Float64()
				lo, _ := new(big.Float).SetPrec(crPrec).Sub(v, big.NewFloat(hi)).Float64()
				sinCosTable[i][2*j], sinCosTable[i][2*j+1] = hi, lo
			}
		}
	})
	return &sinCosTable[i]
}

// lowWord and highWord are a double's low and high 32 bits.
func lowWord(x float64) uint32  { return uint32(math.Float64bits(x)) }
func highWord(x float64) uint32 { return uint32(math.Float64bits(x) >> 32) }

// glibcDoCos is cos(x+dx) for |x+dx| up to about 0.86.
func glibcDoCos(x, dx float64) float64 {
	if x < 0 {
		dx = -dx
	}
	u := sinBig + math.Abs(x)
	x = math.Abs(x) - (u - sinBig) + dx
	xx := x * x
	s := math.FMA(x*xx, math.FMA(xx, sinSn5, sinSn3), x)
	c := xx * math.FMA(xx, math.FMA(xx, sinCs6, sinCs4), sinCs2)
	t := sinCosTab(int(lowWord(u)))
	sn, ssn, cs, ccs := t[0], t[1], t[2], t[3]
	cor := math.FMA(-sn, s, math.FMA(-cs, c, math.FMA(-s, ssn, ccs)))
	return cs + cor
}

// glibcDoSin is sin(x+dx) for |x+dx| up to about 0.86.
func glibcDoSin(x, dx float64) float64 {
	xold := x
	if math.Abs(x) < 0.126 {
		xx := x * x
		p := math.FMA(math.FMA(math.FMA(math.FMA(sinS5, xx, sinS4), xx, sinS3), xx, sinS2), xx, sinS1)
		t := math.FMA(math.FMA(p, x, -(0.5*dx)), xx, dx)
		return x + t
	}
	if x <= 0 {
		dx = -dx
	}
	u := sinBig + math.Abs(x)
	x = math.Abs(x) - (u - sinBig)
	xx := x * x
	s := x + math.FMA(x*xx, math.FMA(xx, sinSn5, sinSn3), dx)
	c := math.FMA(x, dx, xx*math.FMA(xx, math.FMA(xx, sinCs6, sinCs4), sinCs2))
	t := sinCosTab(int(lowWord(u)))
	sn, ssn, cs, ccs := t[0], t[1], t[2], t[3]
	cor := math.FMA(cs, s, math.FMA(-sn, c, math.FMA(s, ccs, ssn)))
	return math.Copysign(sn+cor, xold)
}

// glibcReduceSinCos reduces x (|x| < 105414350) to a+da, |a+da| <= pi/4,
// and the quadrant n mod 4.
func glibcReduceSinCos(x float64) (a, da float64, n int) {
	t := math.FMA(x, sinHpinv, sinToint)
	xn := t - sinToint
	n = int(lowWord(t) & 3)
	y := math.FMA(-xn, sinMp2, math.FMA(-xn, sinMp1, x))
	// t1 = xn*pp3 is used only in subtractions, so each use is fused.
	t2 := math.FMA(-xn, sinPp3, y)
	db := math.FMA(-xn, sinPp3, y-t2)
	b := math.FMA(-xn, sinPp4, t2)
	db += math.FMA(-xn, sinPp4, t2-b)
	return b, db, n
}

func glibcDoSinCos(a, da float64, n int) float64 {
	var r float64
	if n&1 != 0 {
		r = glibcDoCos(a, da)
	} else {
		r = glibcDoSin(a, da)
	}
	if n&2 != 0 {
		return -r
	}
	return r
}

// glibcSin is glibc's sin; NaN for an infinity or a NaN (the caller sets
// errno).
func glibcSin(x float64) float64 {
	k := highWord(x) & 0x7fffffff
	switch {
	case k < 0x3e500000:
		return x
	case k < 0x3feb6000:
		return glibcDoSin(x, 0)
	case k < 0x400368fd:
		return math.Copysign(glibcDoCos(sinHp0-math.Abs(x), sinHp1), x)
	case k < 0x419921FB:
		return glibcDoSinCos(glibcReduceSinCos(x))
	case k < 0x7ff00000:
		return glibcDoSinCos(glibcBranred(x))
	}
	return x / x
}

// glibcCos is glibc's cos; NaN for an infinity or a NaN.
func glibcCos(x float64) float64 {
	k := highWord(x) & 0x7fffffff
	switch {
	case k < 0x3e400000:
		return 1
	case k < 0x3feb6000:
		return glibcDoCos(x, 0)
	case k < 0x400368fd:
		y := sinHp0 - math.Abs(x)
		a := y + sinHp1
		return glibcDoSin(a, (y-a)+sinHp1)
	case k < 0x419921FB:
		a, da, n := glibcReduceSinCos(x)
		return glibcDoSinCos(a, da, n+1)
	case k < 0x7ff00000:
		a, da, n := glibcBranred(x)
		return glibcDoSinCos(a, da, n+1)
	}
	return x / x
}

// branred's own constants (glibc's branred.h); the rest it shares with
// the code above: its big is sinToint, and its hp0, hp1 and mp1 are the
// same, but its mp2, the rest of its two-part pi/2, is its own.
const (
	brBig1  = 0x1.8p54
	brMp2   = -0x1.DDE974p-27
	brSplit = 0x1p27 + 1
)

// twoOverPi holds 2/pi in base 2**24, 75 digits: glibc's toverp, computed
// here from pi.
var (
	twoOverPiOnce sync.Once
	twoOverPi     [75]float64
)

func toverp() *[75]float64 {
	twoOverPiOnce.Do(func() {
		const prec = 75*24 + 64
		v := new(big.Float).SetPrec(prec).SetInt64(2)
		v.Quo(v, machinPi(prec))
		for i := range twoOverPi {
			v.SetMantExp(v, 24)
			d, _ := v.Int(nil)
			twoOverPi[i] = float64(d.Int64())
			v.Sub(v, new(big.Float).SetInt(d))
		}
	})
	return &twoOverPi
}

// glibcBranred reduces any finite x to a+da, |a+da| <= pi/4, and the
// quadrant n mod 4, in plain double arithmetic (nothing fused): x is split
// in two halves of 26 bits, each multiplied by six base-2**24 digits of
// 2/pi starting where the product's integer part stops mattering.
func glibcBranred(x float64) (a, da float64, n int) {
	x *= 0x1p-600
	t := float64(x * brSplit)
	x1 := t - (t - x)
	x2 := x - x1
	sum1, b1, bb1 := branredPart(x1)
	sum2, b2, bb2 := branredPart(x2)
	sum := sum1 + sum2
	b := b1 + b2
	var bb float64
	if math.Abs(b1) > math.Abs(b2) {
		bb = (b1 - b) + b2
	} else {
		bb = (b2 - b) + b1
	}
	if b > 0.5 {
		b -= 1
		sum++
	} else if b < -0.5 {
		b++
		sum--
	}
	s := b + (bb + bb1 + bb2)
	t = ((b - s) + bb) + (bb1 + bb2)
	b = float64(s * brSplit)
	t1 := b - (b - s)
	t2 := s - t1
	b = float64(s * sinHp0)
	bb = (((float64(t1*sinMp1) - b) + float64(t1*brMp2)) + float64(t2*sinMp1)) +
		(float64(t2*brMp2) + float64(s*sinHp1) + float64(t*sinHp0))
	s = b + bb
	t = (b - s) + bb
	return s, t, int(sum) & 3
}

// branredPart is one half's product with 2/pi: the integer part's last
// bits (sum) and the fraction as b+bb.
func branredPart(x float64) (sum, b, bb float64) {
	tv := toverp()
	k := int((highWord(x)>>20)&2047) - 450
	k /= 24 // C's division, toward zero
	if k < 0 {
		k = 0
	}
	gor := math.Float64frombits(math.Float64bits(0x1p576) - uint64(k*24)<<52)
	var r [6]float64
	for i := range r {
		r[i] = float64(float64(x*tv[k+i]) * gor)
		gor *= 0x1p-24
	}
	for i := 0; i < 3; i++ {
		s := (r[i] + sinToint) - sinToint
		sum += s
		r[i] -= s
	}
	var t float64
	for i := 5; i >= 0; i-- {
		t += r[i]
	}
	bb = (((((r[0] - t) + r[1]) + r[2]) + r[3]) + r[4]) + r[5]
	s := (t + sinToint) - sinToint
	sum += s
	t -= s
	b = t + bb
	bb = (t - b) + bb
	s = (sum + brBig1) - brBig1
	sum -= s
	return sum, b, bb
}
