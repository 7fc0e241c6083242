package astopt

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/native/symtable"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/astdump"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/frontend"
	"github.com/rules-pyc/rules_pyc/internal/astjson"
)

// oracleExtra asks CPython for the optimized tree of each source at the
// three optimization levels: compile() with PyCF_OPTIMIZED_AST runs the
// future statements and the AST optimizer (ast.parse(optimize=0) would not
// optimize at all).
const oracleExtra = `
import ast

def extra(name, src):
    out = []
    for level in (0, 1, 2):
        try:
            tree = compile(src, name, "exec", ast.PyCF_OPTIMIZED_AST, optimize=level)
        except Exception as e:
            out.append({"error": "%s: %s" % (type(e).__name__, e)})
            continue
        try:
            out.append({"dump": ast.dump(tree, include_attributes=True)})
        except Exception as e:
            out.append({"dump_error": "%s: %s" % (type(e).__name__, e)})
    return out
`

type levelAnswer struct {
	Dump      *string `json:"dump"`
	Error     string  `json:"error"`
	DumpError string  `json:"dump_error"`
}

type outcome int

const (
	agree        outcome = iota // the same optimized tree at every level
	notParsed                   // CPython's parser rejected the source
	differ                      // a difference
	oracleFailed                // no answer to compare with
	libmGap                     // a difference in the last bits of a complex power (the known gap, see docs)
)

// compareRecord optimizes the record's tree at each level and compares
// the dumps with CPython's.
//
// A difference in a source where the optimizer folded a complex power
// with the C library's transcendental functions (libmApprox) is a libmGap
// when knownGap allows it: a correctly rounded atan2 stands for glibc's
// there.
func compareRecord(rec *astjson.Record, in astjson.Interp, src []byte, knownGap bool) (o outcome, msg string) {
	if rec.ReadError != "" || rec.ExtraError != "" {
		return oracleFailed, rec.ReadError + rec.ExtraError
	}
	if rec.ParseError != "" {
		return notParsed, ""
	}
	var ans []levelAnswer
	if err := json.Unmarshal(rec.Extra, &ans); err != nil || len(ans) != 3 {
		return oracleFailed, fmt.Sprintf("decoding the answer: %v", err)
	}
	approx := libmApprox.Load()
	defer func() {
		if o == differ && libmApprox.Load() != approx && knownGap {
			o = libmGap
		}
	}()
	for level, want := range ans {
		tree, err := astjson.Convert(rec.Tree)
		if err != nil {
			return differ, fmt.Sprintf("converting the tree: %v", err)
		}
		mod := tree.(ast.ModNode)
		if src != nil && level == 0 {
			// At -O0, the native parser's tree too.
			nmod, serr := frontend.Parse(rec.Name, src, in.Release)
			if serr != nil {
				return differ, fmt.Sprintf("the native parser rejected a source CPython parsed: %v", serr)
			}
			if o, msg := compareLevel(nmod, rec, in, src, level, want); o != agree {
				return o, "with the native parser's tree: " + msg
			}
		}
		if o, msg := compareLevel(mod, rec, in, src, level, want); o != agree {
			return o, msg
		}
	}
	return agree, ""
}

// compareLevel optimizes mod at level and compares its dump with CPython's
// answer for that level.
func compareLevel(mod ast.ModNode, rec *astjson.Record, in astjson.Interp, src []byte, level int, want levelAnswer) (outcome, string) {
	fut, ferr := symtable.ParseFuture(mod, rec.Name, in.Release, nil)
	switch {
	case want.Error != "" && strings.HasPrefix(want.Error, "RecursionError"):
		return oracleFailed, "CPython ran out of recursion depth"
	case want.Error != "":
		if ferr == nil {
			return differ, fmt.Sprintf("level %d: CPython raised %s", level, want.Error)
		}
		return agree, "" // a future statement's error: symtable's tests compare it
	case ferr != nil:
		return differ, fmt.Sprintf("ParseFuture failed: %v", ferr)
	}
	cfg := Config{Optimize: level, Release: in.Release, FutureAnnotations: fut.Features&symtable.FutureAnnotations != 0}
	if err := Optimize(mod, cfg); err != nil {
		return differ, fmt.Sprintf("level %d: Optimize failed: %v", level, err)
	}
	got, err := astdump.Dump(mod, in.Release)
	switch {
	case want.DumpError != "":
		if strings.HasPrefix(want.DumpError, "RecursionError") {
			return oracleFailed, "ast.dump ran out of recursion depth"
		}
		if err == nil || "ValueError: "+err.Error() != want.DumpError {
			return differ, fmt.Sprintf("level %d: ast.dump raised %s; Dump: %v", level, want.DumpError, err)
		}
	case err != nil:
		return differ, fmt.Sprintf("level %d: Dump failed: %v", level, err)
	case want.Dump == nil:
		return oracleFailed, "no dump"
	case got != *want.Dump:
		return differ, fmt.Sprintf("level %d: dumps differ on the line %q %s", level, lineAt(src, *want.Dump, got), firstDifference(*want.Dump, got))
	}
	return agree, ""
}

// lineAt returns the source line of the statement where two dumps part.
func lineAt(src []byte, want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	j := strings.LastIndex(want[:i], "), lineno=")
	if j < 0 {
		return "?"
	}
	var n int
	fmt.Sscanf(want[j+len("), lineno="):], "%d", &n)
	if src == nil {
		return fmt.Sprintf("line %d", n)
	}
	lines := strings.Split(string(src), "\n")
	if n >= 1 && n <= len(lines) {
		return lines[n-1]
	}
	return "?"
}

// firstDifference shows where two texts first differ, with context.
func firstDifference(want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	from := max(i-150, 0)
	return fmt.Sprintf("at byte %d\nwant ...%s\ngot  ...%s", i, want[from:min(i+100, len(want))], got[from:min(i+100, len(got))])
}

type tally struct {
	n     [5]int
	diffs []string
	fails []string
}

func (t *tally) add(name string, o outcome, msg string) {
	t.n[o]++
	switch o {
	case differ:
		t.diffs = append(t.diffs, name+": "+msg)
	case oracleFailed:
		t.fails = append(t.fails, name+": "+msg)
	case libmGap:
		if os.Getenv("ASTOPT_ALL_DIFFS") != "" {
			t.diffs = append(t.diffs, "GAP "+name+": "+msg)
		}
	}
}

func (t *tally) report(tb testing.TB, what string) {
	tb.Helper()
	tb.Logf("%s: %d sources: %d agree (3 levels each), %d not parsed by CPython, %d differ, %d oracle failed (not compared), %d differ in a complex power's last bits (glibc's atan2 not correctly rounded: the known gap)",
		what, t.n[0]+t.n[1]+t.n[2]+t.n[3]+t.n[4], t.n[agree], t.n[notParsed], t.n[differ], t.n[oracleFailed], t.n[libmGap])
	for i, f := range t.fails {
		if i == 5 {
			break
		}
		tb.Logf("oracle failed: %s", f)
	}
	for i, d := range t.diffs {
		if i == 15 && os.Getenv("ASTOPT_ALL_DIFFS") == "" {
			tb.Errorf("... and %d more differences", len(t.diffs)-15)
			break
		}
		tb.Error(d)
	}
}
