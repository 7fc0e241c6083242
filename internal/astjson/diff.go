package astjson

import (
	"fmt"

	"reflect"
	"strings"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

var valueType = reflect.TypeOf(ast.Value{})

// Diff compares two trees node by node, fields in _fields order and then
// the node's position, and returns "" when they are the same, else the first
// difference: where it is (the path from the root, in Python's names, e.g.
// "Module.body[2] -> FunctionDef.returns -> Name.id") and both sides.
func Diff(want, got ast.Node) string {
	return diffValue(reflect.ValueOf(&want).Elem(), reflect.ValueOf(&got).Elem(), "")
}

func diffValue(w, g reflect.Value, path string) string {
	switch w.Kind() {
	case reflect.Interface:
		if w.IsNil() || g.IsNil() {
			if w.IsNil() != g.IsNil() {
				return fmt.Sprintf("%s: want %s, got %s", path, describe(w), describe(g))
			}
			return ""
		}
		return diffValue(w.Elem(), g.Elem(), path)
	case reflect.Pointer:
		if w.IsNil() || g.IsNil() {
			if w.IsNil() != g.IsNil() {
				return fmt.Sprintf("%s: want %s, got %s", path, describe(w), describe(g))
			}
			return ""
		}
		if w.Type() != g.Type() {
			return fmt.Sprintf("%s: want %s, got %s", path, describe(w), describe(g))
		}
		n, ok := w.Interface().(ast.Node)
		if !ok {
			return diffValue(w.Elem(), g.Elem(), path)
		}
		info := n.Class().Info()
		if path != "" {
			path += " -> "
		}
		path += info.Name
		ws, gs := w.Elem(), g.Elem()
		for _, f := range info.Fields {
			if d := diffValue(ws.FieldByName(f.GoName), gs.FieldByName(f.GoName), path+"."+f.Name); d != "" {
				return d
			}
		}
		if len(info.Attributes) > 0 {
			wl, gl := ws.FieldByName("Loc").Interface().(ast.Loc), gs.FieldByName("Loc").Interface().(ast.Loc)
			if wl != gl {
				return fmt.Sprintf("%s: position: want %s, got %s", path, loc(wl), loc(gl))
			}
		}
		return ""
	case reflect.Slice:
		n := min(w.Len(), g.Len())
		for i := 0; i < n; i++ {
			if d := diffValue(w.Index(i), g.Index(i), fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		if w.Len() != g.Len() {
			return fmt.Sprintf("%s: want %d elements, got %d", path, w.Len(), g.Len())
		}
		return ""
	case reflect.Struct:
		if w.Type() == valueType {
			wv, gv := w.Interface().(ast.Value), g.Interface().(ast.Value)
			if !wv.Equal(gv) {
				return fmt.Sprintf("%s: want %s, got %s", path, DescribeValue(wv), DescribeValue(gv))
			}
			return ""
		}
	case reflect.String:
		if w.String() != g.String() {
			return fmt.Sprintf("%s: want %q, got %q", path, w.String(), g.String())
		}
		return ""
	case reflect.Int:
		if w.Int() != g.Int() {
			return fmt.Sprintf("%s: want %d, got %d", path, w.Int(), g.Int())
		}
		return ""
	case reflect.Uint8:
		if w.Uint() != g.Uint() {
			return fmt.Sprintf("%s: want %v, got %v", path, w.Interface(), g.Interface())
		}
		return ""
	}
	return fmt.Sprintf("%s: cannot compare a %s", path, w.Type())
}

func describe(v reflect.Value) string {
	if (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) && v.IsNil() {
		return "None"
	}
	if n, ok := v.Interface().(ast.Node); ok {
		s := n.Class().String()
		if l, ok := n.(ast.Located); ok {
			s += " at " + loc(*l.Location())
		}
		return s
	}
	return fmt.Sprint(v.Interface())
}

func loc(l ast.Loc) string {
	return fmt.Sprintf("%d:%d-%d:%d", l.Lineno, l.ColOffset, l.EndLineno, l.EndColOffset)
}

// DescribeValue writes a constant for a message: its type and an exact
// form of its value (floats in hex, str as Go-quoted code points).
func DescribeValue(v ast.Value) string {
	switch v.Kind() {
	case ast.NoneKind, ast.EllipsisKind:
		return v.Kind().String()
	case ast.BoolKind:
		return fmt.Sprintf("bool %v", v.Bool())
	case ast.IntKind:
		return "int " + v.BigInt().String()
	case ast.FloatKind:
		return fmt.Sprintf("float %x (%v)", v.Float(), v.Float())
	case ast.ComplexKind:
		re, im := v.Complex()
		return fmt.Sprintf("complex %x%+xj", re, im)
	case ast.StrKind:
		var cps []string
		for s := v.Str(); s != ""; {
			r, n := ast.DecodeCodePoint(s)
			cps = append(cps, fmt.Sprintf("%U", r))
			s = s[n:]
		}
		return fmt.Sprintf("str %q [%s]", v.Str(), strings.Join(cps, " "))
	case ast.BytesKind:
		return fmt.Sprintf("bytes %q", v.Bytes())
	case ast.TupleKind, ast.FrozenSetKind:
		var parts []string
		for _, e := range v.Elems() {
			parts = append(parts, DescribeValue(e))
		}
		return fmt.Sprintf("%s (%s)", v.Kind(), strings.Join(parts, ", "))
	}
	return "invalid constant"
}
