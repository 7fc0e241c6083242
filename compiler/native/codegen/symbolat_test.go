package codegen

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/native/instr"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/compiler/native/symtable"
	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/parser"
)

// symbolAtSrc uses names in every kind of block, in inlined and other
// comprehensions, mangled in classes, and in annotation scopes.
const symbolAtSrc = `
import os
a, b = 1, 2
def f(x, *args, k=a, **kw):
    y = [x + z for z in args if (w := z)]
    def g():
        nonlocal y
        y = x
        return y, w
    return g, {q: a for q in kw}, (r for r in b)
class C:
    __p = 1
    v = [__p + i for i in range(3)]
    def m(self, __q):
        global a
        a = self.__p + __q
        del __q
        return super().m
def h[T: int, *U, **V](t: T) -> U:
    return t, os
type Alias[S] = list[S] | a
class D[T](C):
    u: T
    def n(self): return T, D
`

// TestSymbolAtIsAHint checks that ast.Name's SymbolAt and symtable.Block's
// NameAt only spare the code generator searches: with every one of them
// wrong, the code is the same.
func TestSymbolAtIsAHint(t *testing.T) {
	startup, err := pyobj.StartupFor(release.Release{Major: 3, Minor: 13})
	if err != nil {
		t.Fatal(err)
	}
	var want string
	for _, spoil := range []func(int32) int32{
		nil,
		func(int32) int32 { return 0 },
		func(at int32) int32 { return at + 1 },
		func(at int32) int32 { return at - 1 },
		func(int32) int32 { return -1 },
		func(int32) int32 { return 1 << 30 },
	} {
		got := generateSpoiled(t, startup, spoil)
		if spoil == nil {
			want = got
		} else if got != want {
			t.Errorf("with wrong SymbolAt, the code is\n%s\nwant\n%s", got, want)
		}
	}
}

// generateSpoiled generates symbolAtSrc's code, each Name's SymbolAt and
// each block's NameAt changed by spoil after the symbol table set it, and
// returns the units' instructions and names.
func generateSpoiled(t *testing.T, startup pyobj.Interned, spoil func(int32) int32) string {
	t.Helper()
	rel := release.Release{Major: 3, Minor: 13}
	mod, serr, err := parser.Parse("x.py", []byte(symbolAtSrc), rel, parser.Options{})
	if err != nil || serr != nil {
		t.Fatalf("parse: %v %v", err, serr)
	}
	st, err := symtable.Build(mod, symtable.Config{Filename: "x.py", Release: rel})
	if err != nil {
		t.Fatal(err)
	}
	if spoil != nil {
		names := 0
		forNames(reflect.ValueOf(mod), func(n *ast.Name) {
			n.SymbolAt = spoil(n.SymbolAt)
			names++
		})
		if names < 40 {
			t.Fatalf("%d Names changed, want all of them", names)
		}
		spoilBlocks(st.Top, spoil)
	}
	p := pyobj.NewProcess(startup)
	var out strings.Builder
	finish := func(u *Unit) (*pyobj.Object, error) {
		fmt.Fprintf(&out, "%v\n", u.Seq.Instrs)
		for _, l := range [][]*pyobj.Object{u.Meta.Names, u.Meta.VarNames, u.Meta.CellVars, u.Meta.FreeVars} {
			for _, o := range l {
				fmt.Fprintf(&out, "%s ", o.Str())
			}
			out.WriteString("\n")
		}
		return p.NewCode(&pyobj.CodeObject{}), nil
	}
	if _, err := Generate(mod, st, Config{Filename: "x.py", Release: rel, Process: p, Finish: finish, Buffers: &instr.Buffers{}}); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// spoilBlocks changes the NameAt of b and of the blocks inside it by spoil.
func spoilBlocks(b *symtable.Block, spoil func(int32) int32) {
	b.NameAt = spoil(b.NameAt)
	for _, k := range b.Children {
		spoilBlocks(k, spoil)
	}
}

// forNames calls f for every Name in the tree v.
func forNames(v reflect.Value, f func(*ast.Name)) {
	switch v.Kind() {
	case reflect.Interface:
		if !v.IsNil() {
			forNames(v.Elem(), f)
		}
	case reflect.Pointer:
		if v.IsNil() {
			return
		}
		if n, ok := v.Interface().(*ast.Name); ok {
			f(n)
			return
		}
		forNames(v.Elem(), f)
	case reflect.Slice:
		for i := range v.Len() {
			forNames(v.Index(i), f)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				forNames(v.Field(i), f)
			}
		}
	}
}
