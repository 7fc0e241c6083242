package parser

import (
	"testing"
	"unsafe"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// TestNamesShareStrings checks that the Names of one identifier share one
// string (the table of reported identifiers hands the first one's to the
// others) when Options.OnIdentifier is set, and that every identifier is
// still reported.
func TestNamesShareStrings(t *testing.T) {
	src := "spam = eggs + spam\nspam(eggs, spam.spam)\n"
	reported := map[string]bool{}
	m, serr, err := Parse("x.py", []byte(src), release.Release{Major: 3, Minor: 13}, Options{OnIdentifier: func(id string) { reported[id] = true }})
	if err != nil || serr != nil {
		t.Fatal(err, serr)
	}
	// spam = eggs + spam; spam(eggs, spam.spam)
	assign := m.Body[0].(*ast.Assign)
	bin := assign.Value.(*ast.BinOp)
	call := m.Body[1].(*ast.ExprStmt).Value.(*ast.Call)
	names := []ast.Expr{assign.Targets[0], bin.Left, bin.Right, call.Func, call.Args[0], call.Args[1].(*ast.Attribute).Value}
	data := map[string]map[*byte]bool{}
	for _, e := range names {
		id := e.(*ast.Name).ID
		if data[id] == nil {
			data[id] = map[*byte]bool{}
		}
		data[id][unsafe.StringData(id)] = true
	}
	for _, id := range []string{"spam", "eggs"} {
		if len(data[id]) != 1 {
			t.Errorf("the Names of %q have %d strings, want 1", id, len(data[id]))
		}
		if !reported[id] {
			t.Errorf("%q not reported", id)
		}
	}
}
