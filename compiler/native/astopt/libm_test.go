package astopt

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/astjson"
)

// powScript reads pairs of float bit patterns and answers x ** y (the C
// library's pow, through float_pow) as bits, or "error".
const powScript = `
import json, struct, sys
def f(b):
    return struct.unpack("<d", struct.pack("<Q", int(b)))[0]
out = []
for x, y in json.load(sys.stdin):
    try:
        r = f(x) ** f(y)
    except (OverflowError, ZeroDivisionError, ValueError):
        out.append("error")
        continue
    if isinstance(r, complex):
        out.append("complex")
        continue
    out.append(str(struct.unpack("<Q", struct.pack("<d", r))[0]))
json.dump(out, sys.stdout)
`

// powInputs are x, y pairs for pow: random doubles over the whole range and
// near 1, integer and half-integer exponents, and edge values.
func powInputs(n int) [][2]float64 {
	r := rand.New(rand.NewPCG(1, 2))
	var in [][2]float64
	edges := []float64{0, math.Copysign(0, -1), 1, -1, 2, 0.5, 10, 0.1, math.Inf(1), math.Inf(-1), math.NaN(),
		5e-324, 2.2250738585072014e-308, math.MaxFloat64, 1e308, 1e-308, 1000000007, -2, -0.5, 3, -3}
	for _, a := range edges {
		for _, b := range edges {
			in = append(in, [2]float64{a, b})
		}
	}
	for len(in) < n {
		var x, y float64
		switch r.IntN(6) {
		case 0:
			x, y = math.Float64frombits(r.Uint64()&^(1<<63)), math.Float64frombits(r.Uint64())
		case 1:
			x, y = 1+(r.Float64()-0.5)*1e-3, (r.Float64()-0.5)*1e6
		case 2:
			x, y = r.Float64()*1000, float64(r.IntN(200)-100)
		case 3:
			x, y = r.Float64()*1e6, float64(r.IntN(40)-20)+0.5
		case 4:
			x, y = math.Ldexp(r.Float64(), r.IntN(2000)-1000), (r.Float64()-0.5)*4
		default:
			x, y = -r.Float64()*100, float64(r.IntN(60)-30)
		}
		in = append(in, [2]float64{x, y})
	}
	return in
}

// TestGlibcPow compares glibcPow with the pow of every 3.13 interpreter's
// C library, bit for bit.
func TestGlibcPow(t *testing.T) {
	n := 200000
	if testing.Short() {
		n = 20000
	}
	pairs := powInputs(n)
	req := make([][2]string, len(pairs))
	for i, p := range pairs {
		req[i] = [2]string{strconv.FormatUint(math.Float64bits(p[0]), 10), strconv.FormatUint(math.Float64bits(p[1]), 10)}
	}
	for _, in := range astjson.Find313(t) {
		var got []string
		in.RunJSON(t, powScript, req, &got)
		bad := 0
		for i, p := range pairs {
			want := got[i]
			if want == "error" || want == "complex" {
				continue
			}
			r := glibcPow(p[0], p[1])
			if strconv.FormatUint(math.Float64bits(r), 10) != want {
				if math.IsNaN(r) {
					if w, _ := strconv.ParseUint(want, 10, 64); math.IsNaN(math.Float64frombits(w)) {
						continue
					}
				}
				bad++
				if bad <= 10 {
					w, _ := strconv.ParseUint(want, 10, 64)
					t.Errorf("%s: pow(%v, %v) = %v (%x), glibcPow gives %v (%x)", in, p[0], p[1],
						math.Float64frombits(w), w, r, math.Float64bits(r))
				}
			}
		}
		t.Logf("%s: %d pairs, %d differ", in, len(pairs), bad)
		_ = json.Marshal
	}
}
