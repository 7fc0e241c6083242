package ast

import (
	"math"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestArenaSlices(t *testing.T) {
	var a Arena
	// Nodes from one arena are distinct and zero.
	seen := map[*Name]bool{}
	for i := 0; i < 5000; i++ {
		n := a.NewName()
		if seen[n] || n.ID != "" || n.Ctx != 0 || n.Loc != (Loc{}) {
			t.Fatalf("NewName #%d: reused or not zero: %+v", i, n)
		}
		seen[n] = true
		n.ID = "x"
	}
	// Lists have length and capacity n, so appending never overwrites a
	// neighbour.
	for _, n := range []int{0, 1, 3, 8, 200, 300, 5000} {
		l1 := a.ExprList(n)
		l2 := a.ExprList(n)
		if len(l1) != n || cap(l1) != n {
			t.Fatalf("ExprList(%d): len %d cap %d", n, len(l1), cap(l1))
		}
		if n == 0 {
			if l1 != nil {
				t.Fatalf("ExprList(0) = %v, want nil", l1)
			}
			continue
		}
		c := a.NewConstant()
		if l3 := append(l1, c); &l3[0] == &l1[0] {
			t.Fatalf("ExprList(%d): append did not reallocate", n)
		}
		for i, e := range l2 {
			if e != nil {
				t.Fatalf("ExprList(%d): element %d of the next list was written by append", n, i)
			}
		}
	}
	if got := a.ExprList(-1); got != nil {
		t.Fatalf("ExprList(-1) = %v", got)
	}
}

// TestNameSize checks that Name.SymbolAt, which is not Python's, lives in
// padding: a Name is no larger than Python's fields make it.
func TestNameSize(t *testing.T) {
	type pythonName struct {
		Loc
		ID  string
		Ctx ExprContext
	}
	got, want := reflect.TypeOf(Name{}).Size(), reflect.TypeOf(pythonName{}).Size()
	if got != want {
		t.Errorf("a Name takes %d bytes, its Python fields %d", got, want)
	}
}

// TestArenaReset checks that a Reset arena hands out its memory again,
// cleared, and keeps no more than it is allowed.
func TestArenaReset(t *testing.T) {
	for _, tt := range []struct{ nodes, lists int }{{1, 0}, {5, 3}, {700, 40}, {3000, 300}} {
		var a Arena
		fill := func() (map[*Name]bool, map[*Expr]bool) {
			names, lists := map[*Name]bool{}, map[*Expr]bool{}
			for i := 0; i < tt.nodes; i++ {
				n := a.NewName()
				if n.ID != "" || n.Ctx != 0 || n.Loc != (Loc{}) {
					t.Fatalf("%d nodes: NewName #%d not zero: %+v", tt.nodes, i, n)
				}
				n.ID, n.Ctx, n.Lineno = "x", Load, i+1
				names[n] = true
			}
			for i := 0; i < tt.lists; i++ {
				l := a.ExprList(3)
				for j, e := range l {
					if e != nil {
						t.Fatalf("%d lists: ExprList #%d: element %d not nil", tt.lists, i, j)
					}
					l[j] = a.NewName()
				}
				lists[&l[0]] = true
			}
			return names, lists
		}
		fill()
		if kept := a.Reset(1 << 30); kept == 0 {
			t.Fatalf("%d nodes: Reset kept nothing", tt.nodes)
		}
		// After one tree, each slab has one chunk that holds a whole
		// tree's nodes of its type: the next trees of the same size are
		// built in it, allocating nothing.
		names, lists := fill()
		a.Reset(1 << 30)
		names2, lists2 := fill()
		for n := range names2 {
			if !names[n] {
				t.Fatalf("%d nodes: a node is new memory after Reset", tt.nodes)
			}
		}
		for l := range lists2 {
			if !lists[l] {
				t.Fatalf("%d lists: a list is new memory after Reset", tt.lists)
			}
		}
		a.Reset(1 << 30)
		build := func() {
			for i := 0; i < tt.nodes; i++ {
				a.NewName().ID = "x"
			}
			for i := 0; i < tt.lists; i++ {
				a.ExprList(3)[0] = a.NewName()
			}
			a.Reset(1 << 30)
		}
		if n := testing.AllocsPerRun(3, build); n != 0 {
			t.Errorf("%d nodes: %v allocations a tree after Reset", tt.nodes, n)
		}
		if got := a.Reset(0); got != 0 {
			t.Errorf("Reset(0) kept %d bytes", got)
		}
		// Nothing is kept: every node is new memory.
		names3, _ := fill()
		for n := range names3 {
			if names2[n] {
				t.Fatalf("%d nodes: a node is handed out again after Reset(0)", tt.nodes)
			}
		}
	}
}

func TestNodeInterfaces(t *testing.T) {
	var a Arena
	var e Expr = a.NewBinOp()
	var s Stmt = a.NewExprStmt()
	var p Pattern = a.NewMatchAs()
	var tp TypeParam = a.NewTypeVar()
	var m ModNode = a.NewModule()
	e.Location().Lineno = 7
	if e.(*BinOp).Lineno != 7 {
		t.Fatal("Location does not reach the node's Loc")
	}
	tests := []struct {
		n    Node
		name string
	}{
		{e, "BinOp"}, {s, "Expr"}, {p, "MatchAs"}, {tp, "TypeVar"}, {m, "Module"},
		{a.NewArguments(), "arguments"}, {a.NewExceptHandler(), "ExceptHandler"},
		{a.NewWithItem(), "withitem"}, {a.NewTypeIgnore(), "TypeIgnore"},
	}
	for _, tt := range tests {
		if got := tt.n.Class().String(); got != tt.name {
			t.Errorf("%T: class %q, want %q", tt.n, got, tt.name)
		}
		if c, ok := ClassByName(tt.name); !ok || c != tt.n.Class() {
			t.Errorf("ClassByName(%q) = %v, %v", tt.name, c, ok)
		}
	}
	if Class(250).String() != "invalid" || Operator(0).Valid() || !FloorDiv.Valid() || FloorDiv.String() != "FloorDiv" {
		t.Fatal("enum or class names wrong")
	}
	if Load != 1 || Add != 1 || Invert != 1 || Eq != 1 || And != 1 || NotIn != 10 || FloorDiv != 13 {
		t.Fatal("enum numbering is not CPython's")
	}
}

func TestClassInfo(t *testing.T) {
	info := ClassFunctionDef.Info()
	var names []string
	for _, f := range info.Fields {
		names = append(names, f.Name+":"+f.Type)
	}
	want := "name:identifier args:arguments body:stmt* decorator_list:expr* returns:expr? type_comment:string? type_params:type_param*"
	if got := strings.Join(names, " "); got != want || info.Base != "stmt" || len(info.Attributes) != 4 {
		t.Fatalf("FunctionDef info: %s (base %s, attributes %v)", got, info.Base, info.Attributes)
	}
}

func TestValues(t *testing.T) {
	huge, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	tests := []struct {
		v    Value
		kind ValueKind
	}{
		{NoneValue(), NoneKind}, {BoolValue(true), BoolKind}, {EllipsisValue(), EllipsisKind},
		{IntValue(-5), IntKind}, {BigIntValue(huge), IntKind}, {FloatValue(1.5), FloatKind},
		{ComplexValue(0, 2), ComplexKind}, {StrValue("a"), StrKind}, {BytesValue("a"), BytesKind},
		{TupleValue([]Value{IntValue(1)}), TupleKind}, {FrozenSetValue(nil), FrozenSetKind},
	}
	for i, a := range tests {
		if a.v.Kind() != a.kind {
			t.Errorf("%d: kind %v, want %v", i, a.v.Kind(), a.kind)
		}
		for j, b := range tests {
			if a.v.Equal(b.v) != (i == j) {
				t.Errorf("Equal(%d, %d) = %v", i, j, a.v.Equal(b.v))
			}
		}
	}
	if i, ok := BigIntValue(big.NewInt(42)).Int64(); !ok || i != 42 {
		t.Error("a big.Int that fits in int64 is not held inline")
	}
	if _, ok := BigIntValue(huge).Int64(); ok || BigIntValue(huge).BigInt().Cmp(huge) != 0 {
		t.Error("a huge int does not round-trip")
	}
	if FloatValue(0).Equal(FloatValue(math.Copysign(0, -1))) || !FloatValue(math.NaN()).Equal(FloatValue(math.NaN())) {
		t.Error("floats are not compared by their bits")
	}
	if re, im := ComplexValue(math.Copysign(0, -1), 3).Complex(); !math.Signbit(re) || im != 3 {
		t.Errorf("complex -0.0+3j gives %v, %v", re, im)
	}
	if StrValue("a").Equal(BytesValue("a")) || BoolValue(true).Equal(IntValue(1)) {
		t.Error("values of different types compare equal")
	}
}

func TestCodePoints(t *testing.T) {
	for _, r := range []rune{0, 'a', 0x7f, 0x80, 0x7ff, 0x800, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfffd, 0xffff, 0x10000, 0x10ffff} {
		b := AppendCodePoint(nil, r)
		got, n := DecodeCodePoint(string(b))
		if got != r || n != len(b) {
			t.Errorf("U+%04X: encoded %x, decoded U+%04X (%d bytes)", r, b, got, n)
		}
		if r >= 0xd800 && r <= 0xdfff {
			if len(b) != 3 || b[0] != 0xed {
				t.Errorf("surrogate U+%04X encoded as %x", r, b)
			}
		} else if string(b) != string(r) {
			t.Errorf("U+%04X encoded as %x, not as UTF-8", r, b)
		}
	}
	// "\ud83d\ude00" is two code points, six bytes (not one 4-byte UTF-8
	// character): the surrogatepass encoding.
	s := string(AppendCodePoint(AppendCodePoint(nil, 0xd83d), 0xde00))
	if len(s) != 6 || CodePointCount(s) != 2 || utf8.ValidString(s) {
		t.Errorf("surrogate pair: %x, %d code points", s, CodePointCount(s))
	}
	if r, n := DecodeCodePoint("\xff"); r != utf8.RuneError || n != 1 {
		t.Errorf("invalid byte decoded as U+%04X, %d", r, n)
	}
	if CodePointCount("aé€😀") != 4 {
		t.Error("CodePointCount of valid UTF-8")
	}
}
