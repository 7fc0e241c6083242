// Command gen writes the Go node types of package ast (nodes_gen.go) and the
// node writer of package astdump (dump_gen.go) from
// schema files, each the JSON that introspect.py prints when run by a CPython
// interpreter. With several schemas (several minor versions), the Go types
// are their union and the tables say which version has which class and
// field.
//
// Usage, from compiler/syntax/ast (go generate does this):
//
//	go run ./gen -schema gen/schema-3.13.json[,gen/schema-3.14.json...]
//
// To make a schema: python3.X gen/introspect.py > gen/schema-3.X.json
package main

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	schemas := flag.String("schema", "", "comma-separated schema files")
	out := flag.String("out", ".", "directory of package ast")
	dumpOut := flag.String("dump", "../astdump", "directory of package astdump")
	flag.Parse()
	if *schemas == "" {
		fmt.Fprintln(os.Stderr, "gen: -schema is required")
		os.Exit(2)
	}
	nodes, dump, err := generate(strings.Split(*schemas, ","))
	if err == nil {
		err = os.WriteFile(filepath.Join(*out, "nodes_gen.go"), nodes, 0o644)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(*dumpOut, "dump_gen.go"), dump, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// generate returns the formatted nodes_gen.go and astdump's dump_gen.go for
// the schema files.
func generate(paths []string) (nodes, dump []byte, err error) {
	var schemas []*schemaFile
	var names []string
	for _, p := range paths {
		s, err := readSchema(p)
		if err != nil {
			return nil, nil, err
		}
		schemas = append(schemas, s)
		names = append(names, "gen/"+filepath.Base(p))
	}
	m, err := merge(schemas)
	if err != nil {
		return nil, nil, err
	}
	g := &gen{m: m}
	g.emit(names)
	nodes, err = format.Source(g.buf.Bytes())
	if err != nil {
		return nil, nil, fmt.Errorf("formatting the generated code: %v\n%s", err, g.buf.Bytes())
	}
	dump, err = generateDump(m, names)
	return nodes, dump, err
}

// Go names of Python's types where CamelCase is not enough.
var typeNames = map[string]string{
	"mod":           "ModNode",
	"expr_context":  "ExprContext",
	"boolop":        "BoolOperator",
	"operator":      "Operator",
	"unaryop":       "UnaryOperator",
	"cmpop":         "CmpOperator",
	"excepthandler": "ExceptHandler",
	"type_ignore":   "TypeIgnore",
	"type_param":    "TypeParam",
	"withitem":      "WithItem",
	"match_case":    "MatchCase",
}

// Go names of constructors that would clash.
var consNames = map[string]string{
	"Expr": "ExprStmt",
}

// Fields that are not Python's, added after a struct's own: the lines of
// Go that declare them, by constructor.
var extraFields = map[string][]string{
	// In the padding after Ctx, so that a Name is no larger.
	"Name": {
		"// SymbolAt is not Python's: the symbol table records there the",
		"// position of the name among the symbols of the block that it",
		"// resolved the name in, which spares the compiler a search. It is a",
		"// hint only: a reader checks that the symbol at that position in the",
		"// block it has is this name before it trusts it.",
		"SymbolAt int32",
	},
}

// Go names of fields where CamelCase is not enough.
var fieldNames = map[string]string{
	"id": "ID",
}

func camel(s string) string {
	var b strings.Builder
	for _, part := range strings.Split(s, "_") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func typeName(t *typ) string {
	if n, ok := typeNames[t.name]; ok {
		return n
	}
	return camel(t.name)
}

func consName(c *cons) string {
	if n, ok := consNames[c.name]; ok {
		return n
	}
	return c.name
}

func fieldName(f *field) string {
	if n, ok := fieldNames[f.name]; ok {
		return n
	}
	return camel(f.name)
}

type gen struct {
	m   *model
	buf bytes.Buffer
}

// p writes one line of code.
func (g *gen) p(format string, args ...any) {
	fmt.Fprintf(&g.buf, format, args...)
	g.buf.WriteByte('\n')
}

// singleSum reports whether t is a sum type with exactly one constructor,
// which Go represents by that constructor's struct.
func singleSum(t *typ) bool { return t.kind == "sum" && len(t.conses) == 1 }

// structs returns every Go struct: sum constructors and product types, in
// schema order.
func (g *gen) structs() []*cons {
	var out []*cons
	for _, t := range g.m.types {
		switch t.kind {
		case "sum":
			out = append(out, t.conses...)
		case "product":
			out = append(out, &cons{name: typeName(t), typ: t, fields: t.fields, since: t.since, until: t.until})
		}
	}
	return out
}

// pyName is the Python class name of a struct.
func pyName(c *cons) string {
	if c.typ.kind == "product" {
		return c.typ.name
	}
	return c.name
}

// goType returns the Go type of an ASDL field type.
func (g *gen) goType(asdl string) (string, error) {
	base := strings.TrimRight(asdl, "?*")
	list := strings.HasSuffix(asdl, "*")
	var elem string
	switch base {
	case "identifier", "string":
		elem = "string"
	case "int":
		elem = "int"
	case "constant":
		if list {
			return "", fmt.Errorf("list of constants is not supported")
		}
		return "Value", nil
	default:
		t := g.m.findType(base)
		if t == nil {
			return "", fmt.Errorf("unknown ASDL type %q", base)
		}
		switch {
		case t.kind == "enum":
			elem = typeName(t)
		case t.kind == "sum" && !singleSum(t):
			elem = typeName(t)
		default:
			elem = "*" + typeName(t)
		}
	}
	if list {
		return "[]" + elem, nil
	}
	return elem, nil
}

// listName is the name of the Arena method that allocates []elem.
func listName(elem string) string {
	e := strings.TrimPrefix(elem, "*")
	switch e {
	case "string":
		return "StringList"
	case "int":
		return "IntList"
	}
	return e + "List"
}

func versionNote(since, until int, minors []int) string {
	if len(minors) < 2 {
		return ""
	}
	switch {
	case since != minors[0] && until != 0:
		return fmt.Sprintf(" (3.%d to 3.%d)", since, until)
	case since != minors[0]:
		return fmt.Sprintf(" (3.%d and later)", since)
	case until != 0:
		return fmt.Sprintf(" (up to 3.%d)", until)
	}
	return ""
}

func (g *gen) emit(schemaNames []string) {
	m := g.m
	g.p("// Code generated by gen from %s; DO NOT EDIT.", strings.Join(schemaNames, ", "))
	g.p("")
	g.p("package ast")
	g.p("")
	g.p("// Minors are the minor versions of Python 3 whose AST this package describes.")
	g.p("var Minors = []int{%s}", strings.Trim(strings.Join(strings.Fields(fmt.Sprint(m.minors)), ", "), "[]"))
	g.p("")

	structs := g.structs()

	// Class.
	g.p("// Class is a node's Python class (ast.X).")
	g.p("type Class uint8")
	g.p("")
	g.p("// The node classes.")
	g.p("const (")
	g.p("ClassInvalid Class = iota")
	for _, c := range structs {
		g.p("Class%s", consName(c))
	}
	g.p("numClasses")
	g.p(")")
	g.p("")

	// Interfaces of sum types.
	for _, t := range m.types {
		if t.kind != "sum" || singleSum(t) {
			continue
		}
		var alts []string
		for _, c := range t.conses {
			alts = append(alts, c.name)
		}
		g.p("// %s is Python's %s: %s%s.", typeName(t), t.name, strings.Join(alts, " | "), versionNote(t.since, t.until, m.minors))
		g.p("type %s interface {", typeName(t))
		if len(t.attributes) > 0 {
			g.p("Located")
		} else {
			g.p("Node")
		}
		g.p("is%s()", camel(t.name))
		g.p("}")
		g.p("")
	}

	// Structs.
	for _, c := range structs {
		var sig []string
		for _, f := range c.fields {
			sig = append(sig, f.asdl+" "+f.name)
		}
		g.p("// %s is Python's %s(%s)%s.", consName(c), pyName(c), strings.Join(sig, ", "), versionNote(c.since, c.until, m.minors))
		g.p("type %s struct {", consName(c))
		if len(c.typ.attributes) > 0 {
			g.p("Loc")
		}
		for _, f := range c.fields {
			gt, err := g.goType(f.asdl)
			if err != nil {
				g.p("// error: %v", err)
				continue
			}
			note := ""
			if f.since != c.since || f.until != c.until {
				note = versionNote(f.since, f.until, m.minors)
			}
			if note != "" {
				note = " //" + note
			}
			g.p("%s %s%s", fieldName(f), gt, note)
		}
		for _, line := range extraFields[c.name] {
			g.p("%s", line)
		}
		g.p("}")
		g.p("")
		g.p("// Class returns Class%s.", consName(c))
		g.p("func (*%s) Class() Class { return Class%s }", consName(c), consName(c))
		if c.typ.kind == "sum" && !singleSum(c.typ) {
			g.p("func (*%s) is%s() {}", consName(c), camel(c.typ.name))
		}
		g.p("")
	}

	// Enums.
	for _, t := range m.types {
		if t.kind != "enum" {
			continue
		}
		tn := typeName(t)
		var alts []string
		for _, c := range t.conses {
			alts = append(alts, c.name)
		}
		g.p("// %s is Python's %s: %s.", tn, t.name, strings.Join(alts, " | "))
		g.p("type %s uint8", tn)
		g.p("")
		g.p("// The values of %s, numbered as CPython numbers them.", tn)
		g.p("const (")
		for i, c := range t.conses {
			note := versionNote(c.since, c.until, m.minors)
			if note != "" {
				note = " //" + note
			}
			if i == 0 {
				g.p("%s %s = iota + 1%s", c.name, tn, note)
			} else {
				g.p("%s%s", c.name, note)
			}
		}
		g.p(")")
		g.p("")
		g.p("var %sNames = [...]string{", lowerFirst(tn))
		for _, c := range t.conses {
			g.p("%s: %q,", c.name, c.name)
		}
		g.p("}")
		g.p("")
		g.p("// String returns the Python class name, or \"invalid\".")
		g.p("func (x %s) String() string {", tn)
		g.p("if x.Valid() { return %sNames[x] }", lowerFirst(tn))
		g.p("return \"invalid\"")
		g.p("}")
		g.p("")
		g.p("// Valid reports whether x is one of the values of %s.", tn)
		g.p("func (x %s) Valid() bool { return x >= 1 && int(x) < len(%sNames) }", tn, lowerFirst(tn))
		g.p("")
	}

	// Arena.
	g.p("// Arena allocates nodes and lists of children in bulk.")
	g.p("type Arena struct {")
	for _, c := range structs {
		g.p("n%s slab[%s]", consName(c), consName(c))
	}
	lists := g.listTypes(structs)
	for _, l := range lists {
		g.p("l%s slab[%s]", listName(l), l)
	}
	g.p("}")
	g.p("")
	for _, c := range structs {
		g.p("// New%s returns a new zero %s.", consName(c), consName(c))
		g.p("func (a *Arena) New%s() *%s { return a.n%s.one() }", consName(c), consName(c), consName(c))
		g.p("")
	}
	for _, l := range lists {
		g.p("// %s returns a []%s of length and capacity n (nil for n <= 0).", listName(l), l)
		g.p("func (a *Arena) %s(n int) []%s { return a.l%s.many(n) }", listName(l), l, listName(l))
		g.p("")
	}
	g.p("// Reset makes a hand out its memory again, cleared: every node and list")
	g.p("// it handed out must be dead by then (nothing may read or write them")
	g.p("// again). It keeps each slab's current chunk while they fit in keep bytes")
	g.p("// in all, then lets a slab that a tree outgrew take one chunk as large as")
	g.p("// the tree, budget permitting (the rest are left to the garbage")
	g.p("// collector); it returns the bytes kept.")
	g.p("func (a *Arena) Reset(keep int) int {")
	g.p("n := 0")
	for _, c := range structs {
		g.p("n += a.n%s.reset(keep - n)", consName(c))
	}
	for _, l := range lists {
		g.p("n += a.l%s.reset(keep - n)", listName(l))
	}
	for _, c := range structs {
		g.p("n += a.n%s.keepMore(keep - n)", consName(c))
	}
	for _, l := range lists {
		g.p("n += a.l%s.keepMore(keep - n)", listName(l))
	}
	g.p("return n")
	g.p("}")
	g.p("")

	// Class table.
	g.p("var classes = [numClasses]ClassInfo{")
	g.p("ClassInvalid: {Name: \"invalid\"},")
	for _, c := range structs {
		g.p("Class%s: {", consName(c))
		g.p("Name: %q, GoName: %q, Base: %q,", pyName(c), consName(c), c.typ.name)
		g.p("Since: %d, Until: %d,", c.since, c.until)
		if len(c.fields) > 0 {
			g.p("Fields: []FieldInfo{")
			for _, f := range c.fields {
				g.p("{Name: %q, GoName: %q, Type: %q, Since: %d, Until: %d},", f.name, fieldName(f), f.asdl, f.since, f.until)
			}
			g.p("},")
		}
		if len(c.typ.attributes) > 0 {
			g.p("Attributes: %#v,", c.typ.attributes)
		}
		g.p("},")
	}
	g.p("}")
}

// listTypes returns the element types of every list field, in first-use
// order.
func (g *gen) listTypes(structs []*cons) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range structs {
		for _, f := range c.fields {
			gt, err := g.goType(f.asdl)
			if err != nil || !strings.HasPrefix(gt, "[]") {
				continue
			}
			e := gt[2:]
			if !seen[e] {
				seen[e] = true
				out = append(out, e)
			}
		}
	}
	return out
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
