package astopt

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/astjson"
)

// sinCosScript reads little-endian doubles on stdin and writes their sines,
// then their cosines, the same way.
const sinCosScript = `
import array, math, sys
a = array.array("d")
a.frombytes(sys.stdin.buffer.read())
if sys.byteorder != "little":
    a.byteswap()
for f in (math.sin, math.cos):
    r = array.array("d", map(f, a))
    if sys.byteorder != "little":
        r.byteswap()
    sys.stdout.buffer.write(r.tobytes())
`

// sinCosInputs returns n arguments from sinCosArg.
func sinCosInputs(n int) []float64 {
	r := rand.New(rand.NewPCG(13, 14))
	xs := make([]float64, n)
	for i := range xs {
		xs[i] = sinCosArg(r, i)
	}
	return xs
}

// sinCosArg is the i-th of a series of random arguments over every range
// of glibc's reduction: tiny ones, the Taylor polynomial's (below 0.126),
// the table's (up to 0.855469), pi/2 minus the argument's (up to
// 2.426265), the three-part pi/2's (up to 105414350), and any finite
// double beyond.
func sinCosArg(r *rand.Rand, i int) float64 {
	switch i % 6 {
	case 0:
		return math.Ldexp(r.Float64()-0.5, r.IntN(60)-50)
	case 1:
		return (r.Float64() - 0.5) * 0.3
	case 2:
		return (r.Float64() - 0.5) * 6
	case 3:
		return (r.Float64() - 0.5) * 3e8
	case 4:
		return math.Float64frombits(r.Uint64()&^(0x7ff<<52) | uint64(r.IntN(0x7ff))<<52)
	}
	return (r.Float64() - 0.5) * 200
}

// TestGlibcSinCos compares glibcSin and glibcCos bit for bit with the C
// library of every 3.13 interpreter, over many arguments: a product fused
// where GCC does not fuse it (or the reverse) shows in about one result
// in 50,000. It takes about a second per interpreter, -short or not.
func TestGlibcSinCos(t *testing.T) {
	const n = 600000
	xs := sinCosInputs(n)
	in := make([]byte, 0, 8*n)
	for _, x := range xs {
		in = binary.LittleEndian.AppendUint64(in, math.Float64bits(x))
	}
	for _, py := range astjson.Find313(t) {
		out := py.RunBytes(t, sinCosScript, in)
		if len(out) != 16*n {
			t.Fatalf("%s: %d bytes of answer, want %d", py, len(out), 16*n)
		}
		bad := 0
		for i, x := range xs {
			for j, f := range []func(float64) float64{glibcSin, glibcCos} {
				want := binary.LittleEndian.Uint64(out[8*(j*n+i):])
				if got := math.Float64bits(f(x)); got != want {
					if bad++; bad <= 10 {
						t.Errorf("%s: %s(%v [%#x]) = %#x, want %#x", py, []string{"sin", "cos"}[j], x, math.Float64bits(x), got, want)
					}
				}
			}
		}
		if bad > 10 {
			t.Errorf("%s: %d results differ in all", py, bad)
		}
	}
}
