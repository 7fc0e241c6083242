package astjson

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"strconv"
	"strings"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// Convert builds the Go tree of the JSON that oracle.py writes for a tree.
// Nodes are allocated with reflect (not from an Arena): this is test code.
func Convert(tree json.RawMessage) (ast.Node, error) {
	d := json.NewDecoder(strings.NewReader(string(tree)))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	n, err := convertNode(v, "")
	if err != nil {
		return nil, err
	}
	return n, nil
}

// goTypes maps a Go struct name to its type, from the Arena's New methods.
var goTypes = func() map[string]reflect.Type {
	m := map[string]reflect.Type{}
	at := reflect.TypeOf(&ast.Arena{})
	for i := 0; i < at.NumMethod(); i++ {
		meth := at.Method(i)
		if name, ok := strings.CutPrefix(meth.Name, "New"); ok && meth.Type.NumOut() == 1 {
			m[name] = meth.Type.Out(0).Elem()
		}
	}
	return m
}()

// attrFields maps Python attribute names to Loc's fields.
var attrFields = map[string]string{
	"lineno": "Lineno", "col_offset": "ColOffset", "end_lineno": "EndLineno", "end_col_offset": "EndColOffset",
}

func convertNode(v any, path string) (ast.Node, error) {
	if v == nil {
		return nil, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s: want a node, got %T", path, v)
	}
	name, _ := obj["_"].(string)
	class, ok := ast.ClassByName(name)
	if !ok {
		return nil, fmt.Errorf("%s: unknown node class %q", path, name)
	}
	info := class.Info()
	typ, ok := goTypes[info.GoName]
	if !ok {
		return nil, fmt.Errorf("%s: no Go type for %s", path, name)
	}
	path += "/" + name
	ptr := reflect.New(typ)
	st := ptr.Elem()
	for _, f := range info.Fields {
		jv, present := obj[f.Name]
		if !present {
			return nil, fmt.Errorf("%s: field %s missing", path, f.Name)
		}
		if err := setField(st.FieldByName(f.GoName), f.Type, jv, path+"."+f.Name); err != nil {
			return nil, err
		}
	}
	for _, a := range info.Attributes {
		jv, present := obj[a]
		if !present {
			return nil, fmt.Errorf("%s: attribute %s missing", path, a)
		}
		i, err := jsonInt(jv)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %v", path, a, err)
		}
		st.FieldByName("Loc").FieldByName(attrFields[a]).SetInt(int64(i))
	}
	return ptr.Interface().(ast.Node), nil
}

func setField(fv reflect.Value, asdl string, jv any, path string) error {
	if strings.HasSuffix(asdl, "*") {
		if jv == nil {
			return nil
		}
		list, ok := jv.([]any)
		if !ok {
			return fmt.Errorf("%s: want a list, got %T", path, jv)
		}
		if len(list) == 0 {
			return nil
		}
		elem := strings.TrimSuffix(asdl, "*")
		s := reflect.MakeSlice(fv.Type(), len(list), len(list))
		for i, x := range list {
			if err := setField(s.Index(i), elem, x, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		fv.Set(s)
		return nil
	}
	base := strings.TrimSuffix(asdl, "?")
	switch base {
	case "identifier", "string":
		if jv == nil {
			return nil
		}
		s, ok := jv.(string)
		if !ok {
			return fmt.Errorf("%s: want a string, got %T", path, jv)
		}
		fv.SetString(s)
		return nil
	case "int":
		if jv == nil {
			return fmt.Errorf("%s: None in an int field cannot be represented", path)
		}
		i, err := jsonInt(jv)
		if err != nil {
			return fmt.Errorf("%s: %v", path, err)
		}
		fv.SetInt(int64(i))
		return nil
	case "constant":
		c, err := convertValue(jv, path)
		if err != nil {
			return err
		}
		fv.Set(reflect.ValueOf(c))
		return nil
	}
	if fv.Kind() == reflect.Uint8 { // an enumeration
		obj, ok := jv.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: want an enumeration node, got %T", path, jv)
		}
		name, _ := obj["_"].(string)
		for x := 1; x < 256; x++ {
			e := reflect.New(fv.Type()).Elem()
			e.SetUint(uint64(x))
			if e.Interface().(fmt.Stringer).String() == name {
				fv.Set(e)
				return nil
			}
		}
		return fmt.Errorf("%s: %q is not a %s", path, name, fv.Type())
	}
	n, err := convertNode(jv, path)
	if err != nil || n == nil {
		return err
	}
	nv := reflect.ValueOf(n)
	if !nv.Type().AssignableTo(fv.Type()) {
		return fmt.Errorf("%s: a %s cannot be a %s", path, n.Class(), asdl)
	}
	fv.Set(nv)
	return nil
}

func jsonInt(v any) (int, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("want an int, got %T", v)
	}
	i, err := strconv.Atoi(string(n))
	return i, err
}

func convertValue(v any, path string) (ast.Value, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return ast.Value{}, fmt.Errorf("%s: want a constant, got %T", path, v)
	}
	t, _ := obj["t"].(string)
	str := func(key string) string { s, _ := obj[key].(string); return s }
	switch t {
	case "None":
		return ast.NoneValue(), nil
	case "Ellipsis":
		return ast.EllipsisValue(), nil
	case "bool":
		b, ok := obj["v"].(bool)
		if !ok {
			return ast.Value{}, fmt.Errorf("%s: bad bool", path)
		}
		return ast.BoolValue(b), nil
	case "int":
		b, ok := new(big.Int).SetString(str("v"), 0)
		if !ok {
			return ast.Value{}, fmt.Errorf("%s: bad int %q", path, str("v"))
		}
		return ast.BigIntValue(b), nil
	case "float":
		f, err := strconv.ParseFloat(str("v"), 64)
		if err != nil {
			return ast.Value{}, fmt.Errorf("%s: bad float: %v", path, err)
		}
		return ast.FloatValue(f), nil
	case "complex":
		re, err1 := strconv.ParseFloat(str("re"), 64)
		im, err2 := strconv.ParseFloat(str("im"), 64)
		if err1 != nil || err2 != nil {
			return ast.Value{}, fmt.Errorf("%s: bad complex %q %q", path, str("re"), str("im"))
		}
		return ast.ComplexValue(re, im), nil
	case "str":
		cps, ok := obj["v"].([]any)
		if !ok {
			return ast.Value{}, fmt.Errorf("%s: bad str", path)
		}
		var b []byte
		for _, c := range cps {
			i, err := jsonInt(c)
			if err != nil || i < 0 || i > 0x10FFFF {
				return ast.Value{}, fmt.Errorf("%s: bad code point %v", path, c)
			}
			b = ast.AppendCodePoint(b, rune(i))
		}
		return ast.StrValue(string(b)), nil
	case "bytes":
		b, err := hex.DecodeString(str("v"))
		if err != nil {
			return ast.Value{}, fmt.Errorf("%s: bad bytes: %v", path, err)
		}
		return ast.BytesValue(string(b)), nil
	case "tuple", "frozenset":
		items, _ := obj["v"].([]any)
		elems := make([]ast.Value, len(items))
		for i, x := range items {
			var err error
			if elems[i], err = convertValue(x, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return ast.Value{}, err
			}
		}
		if t == "tuple" {
			return ast.TupleValue(elems), nil
		}
		return ast.FrozenSetValue(elems), nil
	}
	return ast.Value{}, fmt.Errorf("%s: unknown constant type %q", path, t)
}
