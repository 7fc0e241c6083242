package astdump

import (
	"fmt"
	"math"
	"math/big"
	"math/rand"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/unidata"
	"github.com/rules-pyc/rules_pyc/internal/astjson"
)

// interesting floats: the switch points of repr's notation, the ends of the
// range, and their neighbours.
func interestingFloats() []float64 {
	fs := []float64{0, math.Copysign(0, -1), math.Inf(1), math.Inf(-1), math.NaN(),
		5e-324, math.SmallestNonzeroFloat64 * 3, 2.2250738585072014e-308, math.MaxFloat64,
		0.1, 0.2, 0.3, 1.0 / 3, 2.0 / 3, 1.5, 100, 123456789, 9007199254740993, 1 << 53, 1 << 63,
		9999999999999998, 9999999999999999, 1e16, 1.0000000000000002e16, 123456789012345678,
		0.0001, 0.00009999999999999999, 0.00001, 1e-5, 1.5e-5, 4.35, 2.675, 1e22, 1e23}
	for e := -330; e <= 310; e++ {
		f := math.Pow(10, float64(e))
		fs = append(fs, f, math.Nextafter(f, 0), math.Nextafter(f, math.Inf(1)), -f, 2.5*f, 9.999*f)
	}
	for e := -1075; e <= 1024; e++ {
		fs = append(fs, math.Ldexp(1, e), math.Ldexp(1.5, e))
	}
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 100000; i++ {
		fs = append(fs, math.Float64frombits(r.Uint64()))
	}
	for i := 0; i < 20000; i++ { // short decimals
		fs = append(fs, float64(r.Intn(1000000))*math.Pow(10, float64(r.Intn(50)-25)))
	}
	return fs
}

const reprFloatsScript = `
import json, struct, sys
req = json.load(sys.stdin)
floats = [struct.unpack('<d', struct.pack('<Q', b))[0] for b in req["floats"]]
pairs = [[struct.unpack('<d', struct.pack('<Q', b))[0] for b in p] for p in req["complex"]]
json.dump({"floats": [repr(f) for f in floats],
           "complex": [repr(complex(re, im)) for re, im in pairs]}, sys.stdout)
`

// TestReprFloat compares repr() of floats and complex numbers with the
// interpreter's.
func TestReprFloat(t *testing.T) {
	in := astjson.Find313(t)[0]
	fs := interestingFloats()
	req := struct {
		Floats  []uint64    `json:"floats"`
		Complex [][2]uint64 `json:"complex"`
	}{}
	for _, f := range fs {
		req.Floats = append(req.Floats, math.Float64bits(f))
	}
	special := []float64{0, math.Copysign(0, -1), 1, -1, 2.5, 1e16, 1e-5, math.Inf(1), math.Inf(-1), math.NaN()}
	for _, re := range special {
		for _, im := range special {
			req.Complex = append(req.Complex, [2]uint64{math.Float64bits(re), math.Float64bits(im)})
		}
	}
	for i := 0; i < 2000; i++ {
		req.Complex = append(req.Complex, [2]uint64{math.Float64bits(fs[i*7%len(fs)]), math.Float64bits(fs[(i*13+5)%len(fs)])})
	}
	var resp struct {
		Floats  []string `json:"floats"`
		Complex []string `json:"complex"`
	}
	in.RunJSON(t, reprFloatsScript, req, &resp)
	if len(resp.Floats) != len(req.Floats) || len(resp.Complex) != len(req.Complex) {
		t.Fatalf("the interpreter answered %d and %d reprs for %d and %d values", len(resp.Floats), len(resp.Complex), len(req.Floats), len(req.Complex))
	}
	bad := 0
	for i, want := range resp.Floats {
		f := math.Float64frombits(req.Floats[i])
		if got := string(appendFloat(nil, f, true, false)); got != want && bad < 10 {
			bad++
			t.Errorf("repr(float %x) = %s, want %s", f, got, want)
		}
	}
	for i, want := range resp.Complex {
		re, im := math.Float64frombits(req.Complex[i][0]), math.Float64frombits(req.Complex[i][1])
		if got := string(appendComplex(nil, re, im)); got != want && bad < 20 {
			bad++
			t.Errorf("repr(complex(%x, %x)) = %s, want %s", re, im, got, want)
		}
	}
	t.Logf("%s: %d floats, %d complex numbers", in, len(req.Floats), len(req.Complex))
}

const reprStrScript = `
import json, sys
req = json.load(sys.stdin)
strs = ["".join(map(chr, cps)) for cps in req["strs"]]
json.dump({"chars": [repr(chr(c)) for c in range(0x110000)],
           "strs": [repr(s) for s in strs],
           "bytes": [repr(bytes(b)) for b in req["bytes"]]}, sys.stdout)
`

// TestReprStrBytes compares repr() of every one-character str (U+0000 to
// U+10FFFF, surrogates included), of strings mixing quotes, and of bytes
// (every byte value, quotes) with the interpreter's.
func TestReprStrBytes(t *testing.T) {
	for _, in := range astjson.Find313(t) {
		t.Run(in.Release.String(), func(t *testing.T) {
			strs := [][]rune{{}, []rune(`'`), []rune(`"`), []rune(`'"`), []rune(`a'b`), []rune(`a"b`),
				[]rune(`it's "x"`), []rune("\\'\"\t\n\r\x00\x7f\x80\u00ad\u2028"), {0xd800, 0xdc00}, {0xdbff, 'x', 0xdfff},
				[]rune("é€😀\U000e0001\U0010ffff"), []rune("\\N{x}")}
			byts := [][]byte{{}, []byte(`'`), []byte(`"`), []byte(`'"`), []byte(`a'b`), []byte("\\\t\n\r")}
			all := make([]byte, 256)
			for i := range all {
				all[i] = byte(i)
				byts = append(byts, []byte{byte(i)})
			}
			byts = append(byts, all)
			req := struct {
				Strs  [][]int `json:"strs"`
				Bytes [][]int `json:"bytes"`
			}{}
			for _, s := range strs {
				cps := []int{}
				for _, r := range s {
					cps = append(cps, int(r))
				}
				req.Strs = append(req.Strs, cps)
			}
			for _, b := range byts {
				bs := []int{}
				for _, c := range b {
					bs = append(bs, int(c))
				}
				req.Bytes = append(req.Bytes, bs)
			}
			var resp struct {
				Chars []string `json:"chars"`
				Strs  []string `json:"strs"`
				Bytes []string `json:"bytes"`
			}
			in.RunJSON(t, reprStrScript, req, &resp)
			r := reprer{printable: unidata.ForRelease(in.Release).IsPrintable}
			bad := 0
			report := func(format string, args ...any) {
				if bad++; bad <= 20 {
					t.Errorf(format, args...)
				}
			}
			if len(resp.Chars) != 0x110000 || len(resp.Strs) != len(strs) || len(resp.Bytes) != len(byts) {
				t.Fatalf("the interpreter answered %d, %d, %d reprs", len(resp.Chars), len(resp.Strs), len(resp.Bytes))
			}
			for c, want := range resp.Chars {
				if got := string(r.appendStr(nil, string(ast.AppendCodePoint(nil, rune(c))))); got != want {
					report("repr(chr(0x%x)) = %s, want %s", c, got, want)
				}
			}
			for i, s := range strs {
				var b []byte
				for _, c := range s {
					b = ast.AppendCodePoint(b, c)
				}
				if got := string(r.appendStr(nil, string(b))); got != resp.Strs[i] {
					report("repr(%q) = %s, want %s", string(s), got, resp.Strs[i])
				}
			}
			for i, b := range byts {
				if got := string(appendBytes(nil, string(b))); got != resp.Bytes[i] {
					report("repr(bytes %x) = %s, want %s", b, got, resp.Bytes[i])
				}
			}
			if bad > 0 {
				t.Errorf("%d reprs differ", bad)
			}
		})
	}
}

const reprIntScript = `
import json, sys
out = []
for s in json.load(sys.stdin):
    try:
        out.append(repr(int(s, 0)))
    except ValueError as e:
        out.append("ValueError: " + str(e))
json.dump(out, sys.stdout)
`

// TestReprInt compares repr() of ints, across int64's limits and around
// the 4300-digit limit of int->str conversion, with the interpreter's.
func TestReprInt(t *testing.T) {
	in := astjson.Find313(t)[0]
	var ints []*big.Int
	add := func(x *big.Int) {
		ints = append(ints, new(big.Int).Set(x), new(big.Int).Neg(x),
			new(big.Int).Add(x, big.NewInt(1)), new(big.Int).Sub(x, big.NewInt(1)))
	}
	add(big.NewInt(0))
	add(big.NewInt(math.MaxInt64))
	add(new(big.Int).Lsh(big.NewInt(1), 64))
	ten := big.NewInt(10)
	for _, digits := range []int64{18, 19, 20, 100, 4299, 4300, 4301, 5000} {
		add(new(big.Int).Exp(ten, big.NewInt(digits), nil))
	}
	add(new(big.Int).Lsh(big.NewInt(1), 14284))
	add(new(big.Int).Lsh(big.NewInt(1), 14285))
	add(new(big.Int).Lsh(big.NewInt(1), 14286))
	add(new(big.Int).Lsh(big.NewInt(1), 100000))
	var req []string
	for _, x := range ints {
		req = append(req, fmt.Sprintf("%#x", x))
	}
	var resp []string
	in.RunJSON(t, reprIntScript, req, &resp)
	if len(resp) != len(ints) {
		t.Fatalf("%d answers for %d ints", len(resp), len(ints))
	}
	r := reprer{printable: unidata.ForRelease(in.Release).IsPrintable}
	for i, x := range ints {
		v := ast.BigIntValue(x)
		b, err := r.appendValue(nil, &v)
		got := string(b)
		if err != nil {
			got = "ValueError: " + err.Error()
		}
		if got != resp[i] {
			want := resp[i]
			if len(want) > 80 {
				want = want[:80] + "..."
			}
			if len(got) > 80 {
				got = got[:80] + "..."
			}
			t.Errorf("repr(%d-bit int %d) = %s, want %s", x.BitLen(), i, got, want)
		}
	}
}
