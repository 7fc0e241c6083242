package codemutate

import (
	"bytes"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/parser"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// corpus returns the corpus of the first 3.13's standard library.
func corpus(t testing.TB) *Corpus {
	t.Helper()
	py := pythons.Minor(t, 3, 13)[0]
	lib := py.Stdlib(t)
	srcs := lib.Sources(t)
	c, err := NewCorpus(lib.Files, srcs)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestMutants checks the mutator itself: a mutant depends only on the
// corpus, the seed and its index; seeds differ; most mutants still parse
// (the back end's tests need sources that reach it) but not all (its
// errors); every kind of edit is made.
func TestMutants(t *testing.T) {
	c := corpus(t)
	again := corpus(t)
	rel, _, err := release.Parse("3.13")
	if err != nil {
		t.Fatal(err)
	}
	n, parsed, same := 1000, 0, 0
	kinds := map[string]int{}
	for i := range n {
		m := c.Mutant(1, i)
		if !bytes.Equal(m.Src, again.Mutant(1, i).Src) {
			t.Fatalf("mutant 1/%d differs when made again", i)
		}
		if bytes.Equal(m.Src, c.Mutant(2, i).Src) {
			same++
		}
		if _, serr := parser.ParseFile("m.py", m.Src, rel); serr == nil {
			parsed++
		}
		for _, e := range m.Edits {
			kinds[editKind(e)]++
		}
	}
	t.Logf("%d of %d mutants parse; edits: %v", parsed, n, kinds)
	if same > n/20 {
		t.Errorf("seeds 1 and 2 make %d of %d mutants alike", same, n)
	}
	if parsed < n*6/10 || parsed > n*97/100 {
		t.Errorf("%d of %d mutants parse; want 60%% to 97%%", parsed, n)
	}
	for _, k := range []string{"swap the operands", "replace the constant", "duplicate", "remove", "swap the statements", "nest", "insert", "move", "replace"} {
		if kinds[k] == 0 {
			t.Errorf("no edit %q in %d mutants", k, n)
		}
	}
}

// editKind is the kind of an edit's description: its words before the
// first quote or number.
func editKind(e string) string {
	for _, k := range []string{"swap the operands", "replace the constant", "swap the statements"} {
		if len(e) >= len(k) && e[:len(k)] == k {
			return k
		}
	}
	for i, r := range e {
		if r == ' ' {
			return e[:i]
		}
	}
	return e
}
