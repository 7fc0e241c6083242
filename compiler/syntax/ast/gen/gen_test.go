package main

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/astjson"
)

// TestGeneratedUpToDate checks that the committed generated files are what
// the generator makes of the committed schema.
func TestGeneratedUpToDate(t *testing.T) {
	nodes, dump, err := generate([]string{"schema-3.13.json"})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		path string
		want []byte
	}{{"../nodes_gen.go", nodes}, {"../../astdump/dump_gen.go", dump}} {
		got, err := os.ReadFile(f.path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, f.want) {
			t.Errorf("%s is not what the generator writes: run go generate ./compiler/syntax/ast", f.path)
		}
	}
}

// TestSchemaMatchesInterpreters runs introspect.py with every CPython 3.13
// on the machine and compares its description of the ast classes with the
// committed schema (all but the version line).
func TestSchemaMatchesInterpreters(t *testing.T) {
	committed, err := os.ReadFile("schema-3.13.json")
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile("introspect.py")
	if err != nil {
		t.Fatal(err)
	}
	_, want, _ := strings.Cut(string(committed), "\n")
	for _, in := range astjson.Find313(t) {
		out := in.Run(t, string(script))
		_, got, _ := strings.Cut(string(out), "\n")
		if got != want {
			t.Errorf("%s describes its ast classes differently from schema-3.13.json:\n%s", in, got)
		}
	}
}

func TestMergeVersions(t *testing.T) {
	s12 := &schemaFile{Version: "3.12.1", Types: []schemaType{
		{Name: "type_param", Kind: "sum", Attributes: []string{"lineno"}, Constructors: []schemaCons{
			{Name: "TypeVar", Fields: []schemaField{{"identifier", "name"}, {"expr?", "bound"}}},
			{Name: "ParamSpec", Fields: []schemaField{{"identifier", "name"}}},
		}},
		{Name: "expr", Kind: "sum", Constructors: []schemaCons{
			{Name: "Dict", Fields: []schemaField{{"expr*", "keys"}, {"expr*", "values"}}},
			{Name: "Constant", Fields: []schemaField{{"constant", "value"}}},
		}},
	}}
	s14 := &schemaFile{Version: "3.14.0", Types: []schemaType{
		{Name: "type_param", Kind: "sum", Attributes: []string{"lineno"}, Constructors: []schemaCons{
			{Name: "TypeVar", Fields: []schemaField{{"identifier", "name"}, {"expr?", "bound"}, {"expr?", "default_value"}}},
			{Name: "ParamSpec", Fields: []schemaField{{"identifier", "name"}, {"expr?", "default_value"}}},
		}},
		{Name: "expr", Kind: "sum", Constructors: []schemaCons{
			{Name: "Dict", Fields: []schemaField{{"expr?*", "keys"}, {"expr*", "values"}}},
			{Name: "TemplateStr", Fields: []schemaField{{"expr*", "values"}}},
			{Name: "Constant", Fields: []schemaField{{"constant", "value"}}},
		}},
	}}
	m, err := merge([]*schemaFile{s14, s12})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ty := range m.types {
		for _, c := range ty.conses {
			s := c.name + versionNote(c.since, c.until, m.minors) + "("
			for _, f := range c.fields {
				s += f.asdl + " " + f.name + versionNote(f.since, f.until, m.minors) + ","
			}
			got = append(got, s+")")
		}
	}
	want := "TypeVar(identifier name,expr? bound,expr? default_value (3.14 and later),) " +
		"ParamSpec(identifier name,expr? default_value (3.14 and later),) " +
		"Dict(expr?* keys,expr* values,) TemplateStr (3.14 and later)(expr* values (3.14 and later),) Constant(constant value,)"
	if strings.Join(got, " ") != want {
		t.Fatalf("merged:\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
	if _, err := merge([]*schemaFile{s12, {Version: "3.12.0"}}); err == nil {
		t.Error("two schemas of one minor version merged")
	}
}
