package parser

import (
	"bytes"
	"os"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/parser/internal/peg"
)

// TestGeneratedUpToDate checks that parser_gen.go is what the generator
// makes of the grammar (run "go generate" after changing either).
func TestGeneratedUpToDate(t *testing.T) {
	want, g, err := peg.GenerateFile("grammar/python.peg")
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("parser_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("parser_gen.go is out of date: run go generate ./compiler/syntax/parser")
	}
	// pegen turns CPython 3.13.0's grammar into 249 rules plus 127 _tmp,
	// 80 _loop0 (38 of them for gathers), 36 _loop1 and 38 _gather helper
	// rules, each a function call that counts towards the nesting limit.
	// Ours has one more rule, invalid_diamond (3.13.16), and one more _tmp
	// (the "<" ">" alternative of noteq_bitwise_or).
	s := peg.Summary(g)
	if s.Rules != 250 || s.Tmp != 128 || s.Loop0 != 80 || s.Loop1 != 36 || s.Gather != 38 {
		t.Errorf("rules: %+v, want 250 written, 128 tmp, 80 loop0, 36 loop1, 38 gather", s)
	}
	wantLeaders := "attr bitwise_and bitwise_or bitwise_xor dotted_name primary shift_expr sum t_primary term"
	if got := join(s.Leaders); got != wantLeaders {
		t.Errorf("left-recursive leaders: %s, want %s", got, wantLeaders)
	}
}

func join(s []string) string {
	var b bytes.Buffer
	for i, x := range s {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(x)
	}
	return b.String()
}
