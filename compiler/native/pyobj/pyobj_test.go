package pyobj

import (
	"fmt"
	"math"
	"math/big"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

func TestConstCacheKeys(t *testing.T) {
	p := NewProcess(nil)
	c := p.NewConstCache()
	big1, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	tests := []struct {
		a, b ast.Value
		same bool
	}{
		{ast.FloatValue(0), ast.FloatValue(math.Copysign(0, -1)), false},
		{ast.IntValue(1), ast.FloatValue(1), false},
		{ast.IntValue(1), ast.BoolValue(true), false},
		{ast.IntValue(1000), ast.IntValue(1000), true},
		{ast.BigIntValue(big1), ast.BigIntValue(new(big.Int).Set(big1)), true},
		{ast.StrValue("a b"), ast.StrValue("a b"), true},
		{ast.StrValue("ab"), ast.BytesValue("ab"), false},
		{ast.ComplexValue(0, 1), ast.ComplexValue(math.Copysign(0, -1), 1), false},
		{ast.TupleValue([]ast.Value{ast.FloatValue(0)}), ast.TupleValue([]ast.Value{ast.FloatValue(math.Copysign(0, -1))}), false},
		{ast.TupleValue([]ast.Value{ast.IntValue(1000), ast.StrValue("x y")}), ast.TupleValue([]ast.Value{ast.IntValue(1000), ast.StrValue("x y")}), true},
		{ast.FrozenSetValue([]ast.Value{ast.IntValue(1000), ast.StrValue("x")}), ast.FrozenSetValue([]ast.Value{ast.StrValue("x"), ast.IntValue(1000)}), true},
		{ast.FloatValue(math.NaN()), ast.FloatValue(math.NaN()), false},
		// Tuples of plain items are filed by a hash of their key, the
		// others by the key itself: both must tell the same values apart.
		{ast.TupleValue([]ast.Value{ast.IntValue(1)}), ast.TupleValue([]ast.Value{ast.BoolValue(true)}), false},
		{ast.TupleValue([]ast.Value{ast.IntValue(1)}), ast.TupleValue([]ast.Value{ast.FloatValue(1)}), false},
		{ast.TupleValue([]ast.Value{ast.StrValue("a")}), ast.TupleValue([]ast.Value{ast.BytesValue("a")}), false},
		{ast.TupleValue([]ast.Value{ast.StrValue("a"), ast.StrValue("b")}), ast.TupleValue([]ast.Value{ast.StrValue("ab")}), false},
		{ast.TupleValue([]ast.Value{ast.TupleValue([]ast.Value{ast.StrValue("a b"), ast.NoneValue()}), ast.EllipsisValue()}),
			ast.TupleValue([]ast.Value{ast.TupleValue([]ast.Value{ast.StrValue("a b"), ast.NoneValue()}), ast.EllipsisValue()}), true},
		{ast.TupleValue([]ast.Value{ast.TupleValue([]ast.Value{ast.StrValue("a b")})}), ast.TupleValue([]ast.Value{ast.StrValue("a b")}), false},
		{ast.TupleValue([]ast.Value{ast.FloatValue(math.NaN())}), ast.TupleValue([]ast.Value{ast.FloatValue(math.NaN())}), false},
		{ast.TupleValue([]ast.Value{ast.BigIntValue(big1), ast.IntValue(2)}), ast.TupleValue([]ast.Value{ast.BigIntValue(new(big.Int).Set(big1)), ast.IntValue(2)}), true},
		{ast.TupleValue([]ast.Value{ast.ComplexValue(0, 1)}), ast.TupleValue([]ast.Value{ast.ComplexValue(0, 1)}), true},
		{ast.TupleValue([]ast.Value{ast.IntValue(-7), ast.BytesValue("q r")}), ast.TupleValue([]ast.Value{ast.IntValue(-7), ast.BytesValue("q r")}), true},
	}
	for _, tt := range tests {
		x := c.Merge(p.FromValue(tt.a))
		y := c.Merge(p.FromValue(tt.b))
		if (x == y) != tt.same {
			t.Errorf("%v and %v: same object %v, want %v", tt.a, tt.b, x == y, tt.same)
		}
		// MergeOne files by the same keys, in the same cache.
		if z := c.MergeOne(p.FromValue(tt.b)); (z == x) != tt.same || (tt.same && z != y) {
			t.Errorf("MergeOne(%v): same object as Merge(%v) %v, want %v", tt.b, tt.a, z == x, tt.same)
		}
	}
}

func TestMergeSharesItems(t *testing.T) {
	p := NewProcess(nil)
	c := p.NewConstCache()
	s := c.Merge(p.NewStr("a b"))
	tup := c.Merge(p.FromValue(ast.TupleValue([]ast.Value{ast.StrValue("a b"), ast.IntValue(7000)})))
	if tup.Items[0] != s {
		t.Error("tuple item not merged with the earlier str")
	}
	fs := p.FromValue(ast.FrozenSetValue([]ast.Value{ast.StrValue("a b")}))
	m := c.Merge(fs)
	if m == fs || m.Items[0] != s {
		t.Error("frozenset not rebuilt from merged items")
	}
	if c.Merge(p.FromValue(ast.FrozenSetValue([]ast.Value{ast.StrValue("a b")}))) != m {
		t.Error("equal frozenset not merged")
	}
	if c.Merge(fs) != m || c.MergeOne(fs) != m {
		t.Error("the replaced frozenset merged again is not the cached one")
	}
	// Another cache of the same Process holds its own objects.
	c2 := p.NewConstCache()
	if c2.Merge(s) != s || c2.Merge(p.NewStr("a b")) != s || c2.MergeOne(tup) != tup {
		t.Error("a second cache does not register the first one's objects")
	}
}

// testStartup is a start-up set with the given strs and every
// one-character str interned, as in 3.13.0.
func testStartup(strs ...string) Interned {
	s := &startupSet{set: sortedSet(strs)}
	for i := range s.single {
		s.single[i] = true
	}
	return s
}

func TestSingletonsAndInterning(t *testing.T) {
	p := NewProcess(testStartup("already", "zeta"))
	same := func(a, b *Object) bool { return a == b }
	if !same(p.NewInt(256), p.NewInt(256)) || same(p.NewInt(257), p.NewInt(257)) || !p.NewInt(-5).Immortal {
		t.Error("small ints")
	}
	if a := p.NewStr("é"); !same(a, p.NewStr("é")) || !a.Interned {
		t.Error("latin-1 singleton")
	}
	if same(p.NewStr("€"), p.NewStr("€")) {
		t.Error("non-latin-1 one-char strs are not cached")
	}
	if !same(p.NewBytes("x"), p.NewBytes("x")) || same(p.NewBytesResized("x"), p.NewBytes("x")) {
		t.Error("one-byte bytes")
	}
	a := p.NewStr("already")
	if w := p.Intern(a); w == a || !w.Interned || a.Interned {
		t.Error("a start-up interned str must replace a new one")
	}
	b := p.NewStr("fresh")
	if p.Intern(b) != b || !b.Interned || p.Intern(p.NewStr("fresh")) != b {
		t.Error("interning in place")
	}
	// A frozenset whose str is already interned is rebuilt.
	// A one-character str that start-up did not intern is interned in
	// place, once.
	p3 := NewProcess(&startupSet{set: sortedSet{}})
	pct := p3.NewStr("%")
	if pct.Interned || !pct.Immortal || p3.Intern(pct) != pct || !pct.Interned || p3.NewStr("%") != pct {
		t.Error("singleton interned in place")
	}
	if p3.NewStrFresh("%") == pct {
		t.Error("NewStrFresh returned the singleton")
	}
	p2 := NewProcess(testStartup("zeta"))
	fs := p2.NewFrozenSet([]*Object{p2.NewStr("zeta"), p2.NewStr("q r")})
	consts := p2.NewTuple([]*Object{fs})
	p2.NewCodeObject(&CodeObject{Consts: consts, Names: p2.NewTuple(nil), LocalsPlusNames: p2.NewTuple(nil),
		Filename: p2.NewStr("f.py"), Name: p2.Identifier("<module>"), QualName: p2.Identifier("<module>")})
	if consts.Items[0] == fs {
		t.Error("frozenset with an already interned str not rebuilt")
	}
	fs2 := p2.NewFrozenSet([]*Object{p2.NewStr("omega"), p2.NewStr("q r")})
	consts2 := p2.NewTuple([]*Object{fs2})
	p2.NewCodeObject(&CodeObject{Consts: consts2, Names: p2.NewTuple(nil), LocalsPlusNames: p2.NewTuple(nil),
		Filename: p2.NewStr("f.py"), Name: p2.Identifier("<module>"), QualName: p2.Identifier("<module>")})
	omega := fs2.Items[0]
	if omega.Str() != "omega" {
		omega = fs2.Items[1]
	}
	if consts2.Items[0] != fs2 || !omega.Interned {
		t.Error("frozenset with new strs rebuilt, or its strs not interned in place")
	}
}

// TestMergeValue checks that MergeValue gives the object Merge(FromValue)
// gives, for values whose object it looks up before making one and for
// the others, in a cache that already holds objects of both.
func TestMergeValue(t *testing.T) {
	values := []ast.Value{
		ast.StrValue("a b"), ast.StrValue("a"), ast.StrValue(""), ast.StrValue("\u00e9"), ast.StrValue("\u0100"),
		ast.BytesValue("ab"), ast.BytesValue("a"), ast.BytesValue(""),
		ast.IntValue(1000), ast.IntValue(-6), ast.IntValue(256), ast.IntValue(-5),
		ast.FloatValue(1.5), ast.FloatValue(0), ast.FloatValue(math.Copysign(0, -1)), ast.FloatValue(math.NaN()),
		ast.ComplexValue(0, 1), ast.BoolValue(true), ast.NoneValue(),
		ast.TupleValue([]ast.Value{ast.IntValue(1000), ast.StrValue("a b")}),
	}
	p := NewProcess(nil)
	c := p.NewConstCache()
	first := make([]*Object, len(values))
	for i, v := range values {
		first[i] = c.MergeValue(v)
		if want := c.Merge(first[i]); want != first[i] {
			t.Errorf("MergeValue(%v) = %p, not the object the cache holds (%p)", v, first[i], want)
		}
	}
	for i, v := range values {
		got, want := c.MergeValue(v), c.Merge(p.FromValue(v))
		if got != want {
			t.Errorf("MergeValue(%v) again = %p, Merge(FromValue) = %p", v, got, want)
		}
		// A NaN's object is one per Value (its identity), so every value
		// gives its first object again.
		if got != first[i] {
			t.Errorf("MergeValue(%v) again is not the first object", v)
		}
	}
	// An equal str made fresh and cached first is the one MergeValue
	// returns, as Merge would.
	fresh := c.Merge(p.NewStrFresh("%"))
	if got := c.MergeValue(ast.StrValue("%")); got != fresh {
		t.Errorf("MergeValue(%q) = %p, want the cached fresh str %p", "%", got, fresh)
	}
}

// TestConstCacheValueTables fills the strs', bytes', ints' and tuples'
// tables past several growths, in caches reused after Process.Release, and checks
// every look-up against a map of the first object of each value: the
// ways in (Merge, MergeOne, MergeValue, MergeResizedBytes) find one
// another's objects, strs and bytes stay apart, and a reused cache holds
// nothing of the compile before.
func TestConstCacheValueTables(t *testing.T) {
	for round := range 3 {
		p := NewProcess(nil)
		c := p.NewConstCache()
		strs, bytes := map[string]*Object{}, map[string]*Object{}
		n := 300 << round
		for i := range n {
			s := fmt.Sprintf("value %d", i%(n/2))
			var o, made *Object
			switch i % 4 {
			case 0:
				made = p.NewStr(s)
				o = c.Merge(made)
			case 1:
				o = c.MergeValue(ast.StrValue(s))
			case 2:
				made = p.NewStr(s)
				o = c.MergeOne(made)
			case 3:
				b := c.MergeResizedBytes([]byte(s))
				if want, ok := bytes[s]; ok && b != want {
					t.Fatalf("round %d: MergeResizedBytes(%q) is not the bytes cached first", round, s)
				}
				bytes[s] = b
				if b.Kind != Bytes || b.Value.Bytes() != s {
					t.Fatalf("round %d: MergeResizedBytes(%q) = %v %q", round, s, b.Kind, b.Value.Bytes())
				}
				if v := c.MergeValue(ast.BytesValue(s)); v != b {
					t.Fatalf("round %d: MergeValue(b%q) is not the cached bytes", round, s)
				}
				continue
			}
			if o.Kind != Str || o.Str() != s {
				t.Fatalf("round %d: merging %q gave %v %q", round, s, o.Kind, o.Str())
			}
			want, ok := strs[s]
			if ok && o != want {
				t.Fatalf("round %d: %q: not the str cached first", round, s)
			}
			if !ok && made != nil && o != made {
				t.Fatalf("round %d: %q: merged first, but another object was cached", round, s)
			}
			strs[s] = o
		}
		if got, want := c.Len(), len(strs)+len(bytes); got != want {
			t.Errorf("round %d: Len() = %d, want %d", round, got, want)
		}
		// ints (beyond the small ones) and tuples of plain items, in
		// tables of their own.
		ints, tuples := map[int64]*Object{}, map[string]*Object{}
		for i := range n {
			v := int64(i%(n/2)) * 1000003
			var o *Object
			if i%2 == 0 {
				o = c.Merge(p.NewInt(v))
			} else {
				o = c.MergeValue(ast.IntValue(v))
			}
			if x, ok := o.Value.Int64(); o.Kind != Int || !ok || x != v {
				t.Fatalf("round %d: merging %d gave %v %v", round, v, o.Kind, o.Value)
			}
			if want, ok := ints[v]; ok && o != want {
				t.Fatalf("round %d: %d: not the int cached first", round, v)
			}
			ints[v] = o
			s := fmt.Sprintf("value %d", i%(n/2))
			tv := ast.TupleValue([]ast.Value{ast.IntValue(v), ast.StrValue(s), ast.BytesValue(s)})
			made := p.FromValue(tv)
			var u *Object
			if i%2 == 0 {
				u = c.Merge(made)
			} else {
				u = c.MergeOne(made)
			}
			want, ok := tuples[s]
			if ok && u != want {
				t.Fatalf("round %d: %v: not the tuple cached first", round, tv)
			}
			if !ok && u != made {
				t.Fatalf("round %d: %v: merged first, but another object was cached", round, tv)
			}
			tuples[s] = u
		}
		p.Release()
	}
}

// TestConstCacheCodeObjects merges code objects: equal ones (another
// object with the same fields, as a finally body's two copies) are one,
// and code objects that agree in everything the summary hashes but
// differ in their constants, names or local names, or in one field, stay
// apart; enough of them to grow the table.
func TestConstCacheCodeObjects(t *testing.T) {
	p := NewProcess(nil)
	c := p.NewConstCache()
	code := func(name string, line, argc int32, konst, global string) *Object {
		cs := []*Object{c.Merge(p.NewStr(konst))}
		ns := []*Object{p.Identifier(global)}
		return p.NewCodeObject(&CodeObject{
			ArgCount: argc, FirstLineNo: line, Bytecode: []byte{151, 0, 83, 0},
			Consts: c.MergeOne(p.NewTuple(cs)), Names: c.MergeOne(p.NewTuple(ns)), LocalsPlusNames: p.NewTuple(nil),
			LocalsPlusKinds: p.EmptyBytes(), LineTable: c.MergeResizedBytes([]byte{0xf0, 1}),
			ExceptionTable: c.MergeResizedBytes(nil), Filename: p.NewStr("f.py"), Name: p.Identifier(name),
			QualName: p.Identifier(name),
		})
	}
	var kept []*Object
	for i := range 200 {
		name := fmt.Sprintf("f%d", i%50)
		a := c.Merge(code(name, 1, 0, "a b", "x"))
		if b := c.Merge(code(name, 1, 0, "a b", "x")); b != a {
			t.Fatalf("%s: two equal code objects were not merged", name)
		}
		if i >= 50 {
			if a != kept[i%50] {
				t.Fatalf("%s: an equal code object merged earlier was not found", name)
			}
			continue
		}
		kept = append(kept, a)
		for _, o := range []*Object{
			code(name, 1, 0, "a c", "x"), code(name, 1, 0, "a b", "y"), code(name, 2, 0, "a b", "x"),
			code(name, 1, 1, "a b", "x"), code(name+"_", 1, 0, "a b", "x"),
		} {
			if m := c.Merge(o); m != o {
				t.Fatalf("%s: a code object that differs from the cached one was merged with it", name)
			}
			if m := c.Merge(o); m != o {
				t.Fatalf("%s: a cached code object did not merge with itself", name)
			}
		}
	}
	if got, want := c.Len(), 300; got < want {
		t.Errorf("Len() = %d, want at least the %d code objects", got, want)
	}
}
