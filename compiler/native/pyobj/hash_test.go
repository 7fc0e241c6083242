package pyobj

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"math/rand"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// hashScript answers, for each case (a list of encoded constants), hash()
// of every constant and the order of frozenset(tuple(case)) as indexes
// into the case (the first of equal elements is the one kept), in a
// process started with PYTHONHASHSEED=0.
const hashScript = `import json, struct, sys
def dec(c):
    t = c[0]
    if t == "N": return None
    if t == "T": return True
    if t == "F": return False
    if t == "i": return int(c[1])
    if t == "f": return struct.unpack("<d", bytes.fromhex(c[1]))[0]
    if t == "c": return complex(struct.unpack("<d", bytes.fromhex(c[1]))[0], struct.unpack("<d", bytes.fromhex(c[2]))[0])
    if t == "s": return bytes.fromhex(c[1]).decode("utf-8", "surrogatepass")
    if t == "b": return bytes.fromhex(c[1])
    if t == "t": return tuple(dec(x) for x in c[1])
    if t == "fs": return frozenset(tuple(dec(x) for x in c[1]))
    raise ValueError(t)
out = []
for case in json.load(sys.stdin):
    vals = tuple(dec(c) for c in case)
    ids = {}
    for i, v in enumerate(vals):
        ids.setdefault(id(v), i)
    out.append([[str(hash(v)) for v in vals], [ids[id(v)] for v in frozenset(vals)]])
json.dump(out, sys.stdout)
`

func encodeValue(v ast.Value) any {
	f64 := func(f float64) string {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(f))
		return hex.EncodeToString(b[:])
	}
	switch v.Kind() {
	case ast.NoneKind:
		return []any{"N"}
	case ast.BoolKind:
		if v.Bool() {
			return []any{"T"}
		}
		return []any{"F"}
	case ast.IntKind:
		return []any{"i", v.BigInt().String()}
	case ast.FloatKind:
		return []any{"f", f64(v.Float())}
	case ast.ComplexKind:
		re, im := v.Complex()
		return []any{"c", f64(re), f64(im)}
	case ast.StrKind:
		return []any{"s", hex.EncodeToString([]byte(v.Str()))}
	case ast.BytesKind:
		return []any{"b", hex.EncodeToString([]byte(v.Bytes()))}
	case ast.TupleKind, ast.FrozenSetKind:
		items := []any{}
		for _, e := range v.Elems() {
			items = append(items, encodeValue(e))
		}
		tag := "t"
		if v.Kind() == ast.FrozenSetKind {
			tag = "fs"
		}
		return []any{tag, items}
	}
	panic(fmt.Sprintf("cannot encode %v", v.Kind()))
}

// hashCases are sets of constants: every kind of constant CPython's
// compiler can put in a frozenset, equal ones of different types, and sets
// large enough to resize their table several times.
func hashCases() [][]ast.Value {
	big1, _ := new(big.Int).SetString("123456789012345678901234567890123456789", 10)
	m61 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 61), big.NewInt(1))
	s := ast.StrValue
	i := ast.IntValue
	f := ast.FloatValue
	tup := func(v ...ast.Value) ast.Value { return ast.TupleValue(v) }
	scalars := []ast.Value{
		ast.NoneValue(), ast.BoolValue(true), ast.BoolValue(false),
		i(0), i(1), i(-1), i(-2), i(255), i(1 << 40), i(-(1 << 62)), i(math.MaxInt64), i(math.MinInt64),
		ast.BigIntValue(big1), ast.BigIntValue(new(big.Int).Neg(big1)), ast.BigIntValue(m61),
		ast.BigIntValue(new(big.Int).Add(m61, big.NewInt(1))), ast.BigIntValue(new(big.Int).Lsh(big.NewInt(1), 200)),
		f(0), f(math.Copysign(0, -1)), f(1), f(1.5), f(-2.25), f(1e300), f(5e-324), f(math.Inf(1)), f(math.Inf(-1)),
		f(0.1), f(1 << 61), f(-1), f(3.141592653589793),
		ast.ComplexValue(0, 1), ast.ComplexValue(1.5, -2), ast.ComplexValue(math.Inf(1), 0), ast.ComplexValue(0, 0),
		s(""), s("a"), s("abc"), s("hello world, a longer ascii string"), s("é"), s("naïve"), s("ÿþ"),
		s("Ā"), s("日本語"), s("\U0001F600"), s("a\U0001F600b"), s("\xed\xa0\x80"), s("x\xed\xb3\xbfy"),
		ast.BytesValue(""), ast.BytesValue("a"), ast.BytesValue("\x00\xff"), ast.BytesValue("bytes of length 17"),
		tup(), tup(i(1)), tup(i(1), s("a")), tup(tup(i(1), i(2)), f(0.5), ast.NoneValue()),
		tup(ast.BoolValue(true), i(-1)),
		ast.FrozenSetValue([]ast.Value{i(1), i(2), i(3)}), ast.FrozenSetValue(nil),
		ast.FrozenSetValue([]ast.Value{s("a"), tup(i(1))}),
	}
	var cases [][]ast.Value
	cases = append(cases, scalars)
	// Equal values of different types: the first is kept.
	cases = append(cases,
		[]ast.Value{i(1), f(1), ast.BoolValue(true), ast.ComplexValue(1, 0)},
		[]ast.Value{f(1), i(1), s("1")},
		[]ast.Value{ast.BoolValue(false), i(0), f(math.Copysign(0, -1)), f(0)},
		[]ast.Value{tup(i(1), f(2)), tup(f(1), i(2)), tup(i(1), i(2))},
	)
	// Sizes around each resize, of ints, strs and mixed values.
	rng := rand.New(rand.NewSource(1))
	for _, n := range []int{3, 4, 5, 6, 7, 13, 19, 20, 21, 50, 77, 78, 79, 200, 1000} {
		var a, b, c []ast.Value
		for k := 0; k < n; k++ {
			a = append(a, i(int64(rng.Intn(4*n))))
			b = append(b, s(fmt.Sprintf("name_%d", rng.Intn(4*n))))
			switch rng.Intn(5) {
			case 0:
				c = append(c, i(rng.Int63()-rng.Int63()))
			case 1:
				c = append(c, f(rng.NormFloat64()*1e6))
			case 2:
				c = append(c, s(string(rune(0x20+rng.Intn(0x3000)))+"x"))
			case 3:
				c = append(c, ast.BytesValue(fmt.Sprint(rng.Intn(100))))
			default:
				c = append(c, tup(i(int64(rng.Intn(10))), s(fmt.Sprint(rng.Intn(10)))))
			}
		}
		cases = append(cases, a, b, c)
	}
	// Colliding hashes: multiples of the table sizes.
	var coll []ast.Value
	for k := 0; k < 40; k++ {
		coll = append(coll, i(int64(k)*1024), i(int64(k)*8+1))
	}
	cases = append(cases, coll)
	// Past 50,000 elements the table grows to twice, not four times, the
	// number of elements.
	var large []ast.Value
	for k := 0; k < 60000; k++ {
		large = append(large, i(int64(k)*7919%100003))
	}
	cases = append(cases, large)
	return cases
}

// TestHashAndSetOrderAgainstInterpreters compares HashValue, Object.Hash and
// the order of NewFrozenSet and FrozenSetOf with CPython 3.13's hash() and
// frozenset() in a process started with PYTHONHASHSEED=0.
func TestHashAndSetOrderAgainstInterpreters(t *testing.T) {
	var found []pythons.Interpreter
	for _, py := range pythons.Find(t) {
		if py.Major == 3 && py.Minor == 13 {
			found = append(found, py)
		}
	}
	if len(found) == 0 {
		t.Skip("no CPython 3.13 here")
	}
	cases := hashCases()
	var req [][]any
	for _, c := range cases {
		var enc []any
		for _, v := range c {
			enc = append(enc, encodeValue(v))
		}
		req = append(req, enc)
	}
	body, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	for _, py := range found {
		t.Run(py.Version, func(t *testing.T) {
			cmd := py.Command(context.Background(), "-S", "-s", "-c", hashScript)
			cmd.Env = append(cmd.Env, "PYTHONHASHSEED=0")
			cmd.Stdin = bytes.NewReader(body)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%v: %s", err, stderr.String())
			}
			var ans [][2][]json.RawMessage
			if err := json.Unmarshal(out, &ans); err != nil {
				t.Fatal(err)
			}
			if len(ans) != len(cases) {
				t.Fatalf("%d answers for %d cases", len(ans), len(cases))
			}
			bad := 0
			for ci, c := range cases {
				p := NewProcess(nil)
				objs := make([]*Object, len(c))
				for k, v := range c {
					objs[k] = p.FromValue(v)
				}
				for k, v := range c {
					var want string
					_ = json.Unmarshal(ans[ci][0][k], &want)
					if got := fmt.Sprint(HashValue(v)); got != want {
						if bad++; bad < 20 {
							t.Errorf("hash(%s) = %s, HashValue %s", canonValue(v), want, got)
						}
					}
					if got := fmt.Sprint(objs[k].Hash()); got != want {
						if bad++; bad < 20 {
							t.Errorf("hash(%s) = %s, Object.Hash %s", canonValue(v), want, got)
						}
					}
				}
				var want []int
				for _, r := range ans[ci][1] {
					var x int
					_ = json.Unmarshal(r, &x)
					want = append(want, x)
				}
				fs := p.NewFrozenSet(objs)
				got := make([]int, len(fs.Items))
				for k, it := range fs.Items {
					got[k] = -1
					for j, o := range objs {
						if o == it {
							got[k] = j
							break
						}
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					if bad++; bad < 20 {
						t.Errorf("case %d (%d elements): frozenset order %v, NewFrozenSet %v", ci, len(c), short(want), short(got))
					}
				}
				vals := FrozenSetOf(c).Elems()
				var gotv []string
				for _, v := range vals {
					gotv = append(gotv, canonValue(v))
				}
				var wantv []string
				for _, k := range want {
					wantv = append(wantv, canonValue(c[k]))
				}
				if fmt.Sprint(gotv) != fmt.Sprint(wantv) {
					if bad++; bad < 20 {
						t.Errorf("case %d: FrozenSetOf's order differs", ci)
					}
				}
			}
			t.Logf("%d cases, %d differences", len(cases), bad)
		})
	}
}

func short(x []int) []int {
	if len(x) > 30 {
		return x[:30]
	}
	return x
}

func canonValue(v ast.Value) string {
	b, _ := json.Marshal(encodeValue(v))
	return string(b)
}
