package mutate

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/internal/pyoracle"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

var reachCount = flag.Int("mutate.reach", 2000, "mutants TestReach judges")

// stdlibCorpus is the corpus of the first 3.13 found: its whole stdlib.
func stdlibCorpus(t *testing.T) (*Corpus, pythons.Interpreter) {
	t.Helper()
	py := pythons.Minor(t, 3, 13)[0]
	lib := py.Stdlib(t)
	srcs := lib.Sources(t)
	c, err := NewCorpus(lib.Files, srcs)
	if err != nil {
		t.Fatal(err)
	}
	return c, py
}

// TestLexRendersItsInput: the tokens of every stdlib file render back to
// the file, byte for byte.
func TestLexRendersItsInput(t *testing.T) {
	c, _ := stdlibCorpus(t)
	for i, src := range c.srcs {
		if got := render(lex(src)); got != src {
			t.Errorf("%s: rendering its tokens changes it", c.names[i])
		}
	}
}

// FuzzLex: any input renders back, ends with the end marker, and every
// edit of it keeps the invariants.
func FuzzLex(f *testing.F) {
	for _, s := range []string{"", "x = 1\n", "f'{x!r}' rb'''a\n'''\\\n", "\xff\x00 \t\f\r\n", "0x1f.e+5j"} {
		f.Add(s, uint64(1))
	}
	f.Fuzz(func(t *testing.T, src string, seed uint64) {
		toks := lex(src)
		if render(toks) != src {
			t.Fatalf("lex(%q) renders as %q", src, render(toks))
		}
		c, err := NewCorpus([]string{"f.py"}, []string{src})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 20 {
			m := c.Mutant(seed, i)
			if len(m.Edits) == 0 {
				t.Fatalf("%s has no edits", m)
			}
		}
	})
}

// TestDeterministic: a mutant depends only on the corpus, the seed and its
// index.
func TestDeterministic(t *testing.T) {
	c, _ := stdlibCorpus(t)
	same := 0
	for i := range 200 {
		a, b := c.Mutant(7, i), c.Mutant(7, i)
		if !bytes.Equal(a.Src, b.Src) || a.String() != b.String() {
			t.Fatalf("mutant 7/%d differs between two calls", i)
		}
		if bytes.Equal(a.Src, c.Mutant(8, i).Src) {
			same++
		}
	}
	if same > 20 {
		t.Errorf("%d of 200 mutants are the same for seeds 7 and 8", same)
	}
}

// TestReach judges mutants with the interpreter and checks that they reach
// many different messages of CPython's, and that plain "invalid syntax" is
// not most of them. The histogram is logged. It also checks
// syntaxerr.Format against py_compile on every exception the mutants
// raise.
func TestReach(t *testing.T) {
	c, _ := stdlibCorpus(t)
	dir := t.TempDir()
	n := *reachCount
	files := make([]string, n)
	for i := range n {
		m := c.Mutant(1, i)
		files[i] = filepath.Join(dir, fmt.Sprintf("m%05d.py", i))
		if err := os.WriteFile(files[i], m.Src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var h *Histogram
	var parsed int
	for k, py := range pythons.Minor(t, 3, 13) {
		hist := NewHistogram()
		var ok, failed, formatted int
		err := pyoracle.Run(context.Background(), py, files, pyoracle.Options{Procs: 2}, func(i int, r pyoracle.Result) error {
			switch r.Kind {
			case pyoracle.Parsed:
				ok++
			case pyoracle.Rejected:
				hist.Add(r.Exc.Type, r.Exc.Msg)
				// syntaxerr.Format, given the exception's attributes,
				// writes what py_compile wrote.
				e, held := r.Exc.SyntaxErr(r.File)
				if !held {
					t.Errorf("%s, mutant %d: syntaxerr.Error can't hold %s", py, i, r.Exc)
				} else if got := syntaxerr.Format(e); got != r.PyCompile {
					t.Errorf("%s, mutant %d: syntaxerr.Format(%s) =\n%q, py_compile wrote\n%q", py, i, r.Exc, got, r.PyCompile)
				} else {
					formatted++
				}
			default:
				failed++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d mutants judged by %s: %d parsed, %d oracle failures; syntaxerr.Format wrote py_compile's message for %d of the %d rejected", n, py, ok, failed, formatted, n-ok-failed)
		if k == 0 {
			h, parsed = hist, ok
		}
	}
	t.Logf("histogram of the first:\n%s", h)
	if want := min(n/30, 100); h.Templates() < want {
		t.Errorf("the mutants reach %d kinds of message, want at least %d", h.Templates(), want)
	}
	if s := h.Share("SyntaxError: invalid syntax"); s > 0.40 {
		t.Errorf("%.0f%% of the rejected mutants end in plain 'invalid syntax'", 100*s)
	}
	if parsed < n/10 {
		t.Errorf("only %d of %d mutants parse: valid sources are tested too little", parsed, n)
	}
}

// TestTinySources: edits of sources with few or no tokens (where an edit
// can remove the end marker itself) never panic.
func TestTinySources(t *testing.T) {
	c, err := NewCorpus([]string{"a", "b", "c", "d", "e"}, []string{"", "x", "\n", "'s'", "1"})
	if err != nil {
		t.Fatal(err)
	}
	n := 20000
	if testing.Short() {
		n = 2000
	}
	for seed := uint64(1); seed <= 3; seed++ {
		for i := range n {
			c.Mutant(seed, i)
		}
	}
}
