package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// A schema file is what introspect.py prints: the AST types of one
// interpreter, in definition order.
type schemaFile struct {
	Version string       `json:"version"`
	Types   []schemaType `json:"types"`
}

type schemaType struct {
	Name         string        `json:"name"`
	Kind         string        `json:"kind"` // "sum", "product" or "enum"
	Attributes   []string      `json:"attributes"`
	Constructors []schemaCons  `json:"constructors"`
	Fields       []schemaField `json:"fields"` // product types
}

type schemaCons struct {
	Name   string        `json:"name"`
	Fields []schemaField `json:"fields"`
}

// schemaField is [ASDL type, name], e.g. ["expr?", "returns"].
type schemaField [2]string

func readSchema(path string) (*schemaFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var s schemaFile
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if _, err := minorOf(s.Version); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return &s, nil
}

// minorOf returns Y of "3.Y.Z".
func minorOf(version string) (int, error) {
	parts := strings.Split(version, ".")
	if len(parts) != 3 || parts[0] != "3" {
		return 0, fmt.Errorf("version %q: want 3.Y.Z", version)
	}
	return strconv.Atoi(parts[1])
}

// The merged model: the union of the schemas' types, constructors and
// fields, each marked with the minor versions that have it.

type model struct {
	minors []int // the schemas' minor versions, ascending
	types  []*typ
}

type typ struct {
	name       string
	kind       string
	attributes []string
	conses     []*cons // sum and enum types
	fields     []*field
	since      int
	until      int // 0: in the newest schema
}

// cons is a constructor of a sum or enum type, or a product type itself.
type cons struct {
	name   string
	typ    *typ
	fields []*field
	since  int
	until  int
}

type field struct {
	name  string
	asdl  string // e.g. "expr?", "identifier*"
	since int
	until int
}

// merge combines schemas (any order) into one model. Types, constructors and
// fields keep the order of the newest schema that has them; one missing from
// it is placed after its predecessor in the schema that has it.
func merge(schemas []*schemaFile) (*model, error) {
	m := &model{}
	byMinor := map[int]*schemaFile{}
	for _, s := range schemas {
		minor, _ := minorOf(s.Version)
		if byMinor[minor] != nil {
			return nil, fmt.Errorf("two schemas for 3.%d", minor)
		}
		byMinor[minor] = s
		m.minors = append(m.minors, minor)
	}
	sort.Ints(m.minors)
	newest := m.minors[len(m.minors)-1]
	// Walk from the newest schema to the oldest, inserting what is new.
	for i := len(m.minors) - 1; i >= 0; i-- {
		minor := m.minors[i]
		for ti, st := range byMinor[minor].Types {
			t := m.findType(st.Name)
			if t == nil {
				t = &typ{name: st.Name, kind: st.Kind, attributes: st.Attributes}
				if ti > 0 {
					m.types = insertAfter(m.types, t, func(x *typ) bool { return x.name == byMinor[minor].Types[ti-1].Name })
				} else {
					m.types = append([]*typ{t}, m.types...)
				}
				if minor != newest {
					t.until = minor
				}
			} else if t.kind != st.Kind || strings.Join(t.attributes, ",") != strings.Join(st.Attributes, ",") {
				return nil, fmt.Errorf("type %s differs between versions in kind or attributes: not supported", st.Name)
			}
			t.since = minor
			if st.Kind == "product" {
				var err error
				if t.fields, err = mergeFields(t.fields, st.Fields, minor, newest, t.name); err != nil {
					return nil, err
				}
				continue
			}
			for ci, sc := range st.Constructors {
				c := t.findCons(sc.Name)
				if c == nil {
					c = &cons{name: sc.Name, typ: t}
					if ci > 0 {
						t.conses = insertAfter(t.conses, c, func(x *cons) bool { return x.name == st.Constructors[ci-1].Name })
					} else {
						t.conses = append([]*cons{c}, t.conses...)
					}
					if minor != newest {
						c.until = minor
					}
				}
				c.since = minor
				var err error
				if c.fields, err = mergeFields(c.fields, sc.Fields, minor, newest, c.name); err != nil {
					return nil, err
				}
			}
		}
	}
	return m, nil
}

func mergeFields(have []*field, fs []schemaField, minor, newest int, owner string) ([]*field, error) {
	for i, sf := range fs {
		var f *field
		for _, x := range have {
			if x.name == sf[1] {
				f = x
			}
		}
		if f == nil {
			f = &field{name: sf[1], asdl: sf[0]}
			if minor != newest {
				f.until = minor
			}
			if i > 0 {
				have = insertAfter(have, f, func(x *field) bool { return x.name == fs[i-1][1] })
			} else {
				have = append([]*field{f}, have...)
			}
		} else if f.asdl != sf[0] {
			// 3.14 writes "expr?*" for a list that may hold None, which
			// older versions write "expr*": the Go type is the same.
			if strings.Replace(f.asdl, "?*", "*", 1) != strings.Replace(sf[0], "?*", "*", 1) {
				return nil, fmt.Errorf("%s.%s is %s in 3.%d and %s in a newer version", owner, sf[1], sf[0], minor, f.asdl)
			}
		}
		f.since = minor
	}
	return have, nil
}

func insertAfter[T any](xs []T, x T, isPred func(T) bool) []T {
	for i, y := range xs {
		if isPred(y) {
			xs = append(xs[:i+1], append([]T{x}, xs[i+1:]...)...)
			return xs
		}
	}
	return append(xs, x)
}

func (m *model) findType(name string) *typ {
	for _, t := range m.types {
		if t.name == name {
			return t
		}
	}
	return nil
}

func (t *typ) findCons(name string) *cons {
	for _, c := range t.conses {
		if c.name == name {
			return c
		}
	}
	return nil
}
