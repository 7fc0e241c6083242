package peg

import (
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	src := "# comment\n" +
		"start -> *ast.Module memo =\n" +
		"    / a:x? \"(\" sep(\",\", y) ^ must(\":\") &z !`soft` { f(a) }\n" +
		"    / (b:x { b } as T / y)+\n" +
		"x = NAME\ny = NUMBER\nz = x\n"
	g, err := Read(src)
	if err != nil {
		t.Fatal(err)
	}
	r := g.Rule("start")
	if r == nil || r.Type != "*ast.Module" || !r.Memo || len(r.Alts) != 2 {
		t.Fatalf("start = %+v", r)
	}
	if got := r.Alts[0].String(); got != "x? \"(\" sep(\",\", y) ^ must(\":\") &z !`soft`" {
		t.Errorf("alt 0 = %s", got)
	}
	if r.Alts[0].Action != "f(a)" || r.Alts[0].Items[0].Name != "a" {
		t.Errorf("alt 0 action %q, first item %+v", r.Alts[0].Action, r.Alts[0].Items[0])
	}
	grp := r.Alts[1].Items[0].Node.(*Rep).X.(*Group)
	if grp.Alts[0].ActionType != "T" {
		t.Errorf("group action type %q", grp.Alts[0].ActionType)
	}
}

func TestReadErrors(t *testing.T) {
	for _, src := range []string{
		"r = \"nope\"\n", // not an operator or keyword
		"r = x {\n",      // unterminated action
		"r =\n",          // empty alternative
		"r = x\nr = y\n", // defined twice
		"r bogus = x\n",  // unknown option
	} {
		if _, err := Read(src); err == nil {
			t.Errorf("Read(%q) succeeded", src)
		}
	}
}

// TestLeftRecursion checks pegen's choice of leaders: a rule calling
// itself first, and for a cycle through several rules the alphabetically
// first one that lies on every cycle.
func TestLeftRecursion(t *testing.T) {
	g, err := Read("s = a\n" +
		"a = a \"+\" b / b\n" +
		"b = NAME\n" +
		"x = y \".\" NAME\n" +
		"y = x / NAME\n" +
		"n = m? q\nm = \"-\"\nq = n \"*\" / NAME\n")
	if err != nil {
		t.Fatal(err)
	}
	if err := Check(g); err != nil {
		t.Fatal(err)
	}
	var lr, leaders []string
	for _, r := range g.Rules {
		if r.LeftRecursive {
			lr = append(lr, r.Name)
		}
		if r.Leader {
			leaders = append(leaders, r.Name)
		}
	}
	if got := strings.Join(lr, " "); got != "a x y n q" {
		t.Errorf("left-recursive: %s", got)
	}
	if got := strings.Join(leaders, " "); got != "a x n" {
		t.Errorf("leaders: %s", got)
	}
}
