package astopt

import (
	"encoding/binary"
	"math"
	"math/big"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/astjson"
)

// atan2Script reads pairs of little-endian doubles (y, x) on stdin and
// writes math.atan2(y, x) for each, the same way.
const atan2Script = `
import array, math, sys
a = array.array("d")
a.frombytes(sys.stdin.buffer.read())
if sys.byteorder != "little":
    a.byteswap()
r = array.array("d", (math.atan2(a[i], a[i + 1]) for i in range(0, len(a), 2)))
if sys.byteorder != "little":
    r.byteswap()
sys.stdout.buffer.write(r.tobytes())
`

// atan2Args is the i-th of a series of random argument pairs (y, x) over
// the ranges glibc's atan2 treats apart: ratios near 0, near 1 and large,
// either sign of x, small integers (the parts of most complex literals),
// and any finite doubles.
func atan2Args(r *rand.Rand, i int) (float64, float64) {
	sign := func(v float64) float64 {
		if r.IntN(2) == 0 {
			return -v
		}
		return v
	}
	switch i % 6 {
	case 0:
		return (r.Float64() - 0.5) * 200, (r.Float64() - 0.5) * 200
	case 1:
		return float64(r.IntN(129) - 64), float64(r.IntN(129) - 64)
	case 2:
		e := r.IntN(121) - 60
		return sign(math.Ldexp(1+r.Float64(), e)), sign(1 + r.Float64())
	case 3:
		bits := func() float64 {
			return math.Float64frombits(r.Uint64()&^(0x7ff<<52) | uint64(r.IntN(0x7ff))<<52)
		}
		return bits(), bits()
	case 4:
		x := sign(math.Ldexp(1+r.Float64(), r.IntN(40)-20))
		return sign(x * (1 + (r.Float64()-0.5)*0.01)), x
	}
	return sign(math.Ldexp(1+r.Float64(), -r.IntN(60)-1)), sign(1 + r.Float64())
}

// atan2Gap bounds glibc's atan2 against the correctly rounded one
// (crAtan2), as measured over atan2Args: it differs on at most one pair
// in 1,000 (128 of 300,000), and only where the exact arc tangent lies
// within maxMargin of a midpoint between two doubles (at most 0.0151 of
// the gap between them in those pairs: an error of at most 0.516 units in
// the last place). Refusing every fold whose arc tangent falls that close
// to a midpoint would refuse about 3% of them to spare the 0.04% that
// differ; see docs/native.md.
var atan2Gap = struct {
	perMille  int
	maxMargin float64
}{1, 0.02}

// TestGlibcAtan2 compares crAtan2 with the C library's atan2 of every 3.13
// interpreter over 300,000 pairs, and holds the differences to atan2Gap:
// few, and each one where the exact value is within a hair of a rounding
// boundary. An atan2 that is not correctly rounded (math.Atan2, say)
// differs on thousands of pairs, by margins up to a half.
func TestGlibcAtan2(t *testing.T) {
	const n = 300000
	r := rand.New(rand.NewPCG(17, 18))
	ys, xs := make([]float64, n), make([]float64, n)
	in := make([]byte, 0, 16*n)
	for i := range ys {
		ys[i], xs[i] = atan2Args(r, i)
		in = binary.LittleEndian.AppendUint64(in, math.Float64bits(ys[i]))
		in = binary.LittleEndian.AppendUint64(in, math.Float64bits(xs[i]))
	}
	got := make([]float64, n)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += workers {
				got[i] = crAtan2(ys[i], xs[i])
			}
		}()
	}
	wg.Wait()
	for _, py := range astjson.Find313(t) {
		out := py.RunBytes(t, atan2Script, in)
		if len(out) != 8*n {
			t.Fatalf("%s: %d bytes of answer, want %d", py, len(out), 8*n)
		}
		differ, far, worst := 0, 0, 0.0
		for i := range ys {
			want := math.Float64frombits(binary.LittleEndian.Uint64(out[8*i:]))
			if math.Float64bits(got[i]) == math.Float64bits(want) {
				continue
			}
			differ++
			m := math.Inf(1)
			if finite(ys[i]) && finite(xs[i]) && ys[i] != 0 && xs[i] != 0 {
				a := bigAtan2(ys[i], xs[i])
				cr, _ := a.Float64()
				m = roundingMargin(a, cr)
			}
			worst = max(worst, m)
			if m > atan2Gap.maxMargin {
				if far++; far > 10 {
					continue
				}
				t.Errorf("%s: atan2(%v, %v) = %v, want %v: the exact value is %.4f of a gap from the midpoint (at most %v allowed)", py, ys[i], xs[i], got[i], want, m, atan2Gap.maxMargin)
			}
		}
		t.Logf("%s: %d of %d pairs differ, the farthest %.4f of a gap from a midpoint", py, differ, n, worst)
		if far > 10 {
			t.Errorf("%s: %d pairs differ farther than %v of a gap from a midpoint in all", py, far, atan2Gap.maxMargin)
		}
		if differ > n*atan2Gap.perMille/1000 {
			t.Errorf("%s: %d of %d pairs differ (at most %d in 1,000 allowed)", py, differ, n, atan2Gap.perMille)
		}
	}
}

// roundingMargin is how far a lies from the midpoint between f, a rounded
// to the nearest double, and f's neighbour on a's side, in units of the
// gap between the two: from 0 (a is the midpoint) to 0.5 (a is f).
func roundingMargin(a *big.Float, f float64) float64 {
	bf := new(big.Float).SetPrec(a.Prec()).SetFloat64(f)
	c := a.Cmp(bf)
	if c == 0 {
		return 0.5
	}
	n := math.Nextafter(f, math.Inf(c))
	gap := new(big.Float).SetPrec(a.Prec()).SetFloat64(n)
	gap.Sub(gap, bf)
	d := new(big.Float).SetPrec(a.Prec()).Sub(a, bf)
	d.Quo(d, gap)
	m, _ := d.Float64()
	return 0.5 - m
}
