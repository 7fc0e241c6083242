package agreement

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/internal/mutate"
	"github.com/rules-pyc/rules_pyc/internal/pyoracle"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// frontEnd is the native front end under test (see wiring_test.go): the
// dump of src read from filename as CPython rel parses it, or the error
// CPython raises; err is set when ast.dump itself would raise.
var frontEnd func(filename string, src []byte, rel release.Release) (dump []byte, serr *syntaxerr.Error, err error)

// native is what the front end made of one source.
type native struct {
	dump  []byte
	serr  *syntaxerr.Error
	err   error
	panic string // the panic and its stack, if the front end panicked
}

// runNative runs the front end on one source, turning a panic (a bug: the
// front end must return errors as values) into a result.
func runNative(filename string, src []byte, rel release.Release) (n native) {
	defer func() {
		if p := recover(); p != nil {
			stack := debug.Stack()
			if len(stack) > 1500 {
				stack = append(stack[:1500], "\n\t..."...)
			}
			n = native{panic: fmt.Sprintf("%v\n%s", p, stack)}
		}
	}()
	n.dump, n.serr, n.err = frontEnd(filename, src, rel)
	return n
}

// releaseOf is the release the front end imitates for py.
func releaseOf(t *testing.T, py pythons.Interpreter) release.Release {
	t.Helper()
	r := py.Release()
	if err := release.Supported(r); err != nil {
		t.Fatalf("%s: %v", py, err)
	}
	return r
}

// Outcomes of comparing one file.
const (
	agreeParsed   = "agree (parsed)"
	agreeRejected = "agree (rejected)"
	differ        = "differ"
	oracleFailed  = "oracle failed (not compared)"
	// agreeBuildPath: both raise string_parser.c's SystemError, whose
	// message names the C file as the interpreter's build saw it
	// (__FILE__): "Parser/string_parser.c" built in the source tree (as
	// pyenv and python.org build), "../Parser/string_parser.c" built
	// beside it (as Debian builds). The front end writes the first; the
	// build directory is no fact of the release it imitates.
	agreeBuildPath = "agree (but the build's path of the C file in a SystemError)"
)

// tally counts the outcomes of a run and keeps the first differences.
type tally struct {
	name    string
	counts  map[string]int
	diffs   []string
	failed  []string
	maxKept int
	// kinds counts the differences by kind (see compare).
	kinds map[string]int
}

// diffsKept is how many differences a report shows.
var diffsKept = flag.Int("diffs.kept", 10, "how many differences each report shows in full")

func newTally(name string) *tally {
	return &tally{name: name, counts: map[string]int{}, kinds: map[string]int{}, maxKept: *diffsKept}
}

// add compares the oracle's answer about one file with the front end's.
// label names the file in reports.
func (ty *tally) add(label string, r pyoracle.Result, n native) string {
	outcome, diff := compare(r, n)
	ty.counts[outcome]++
	switch outcome {
	case differ:
		ty.kinds[kindOf(r, n)]++
		if len(ty.diffs) < ty.maxKept {
			ty.diffs = append(ty.diffs, label+":\n"+diff)
		}
	case oracleFailed:
		if len(ty.failed) < ty.maxKept {
			ty.failed = append(ty.failed, label+": "+r.Failure)
		}
	}
	return outcome
}

// report logs the counts and fails the test on any difference.
func (ty *tally) report(t *testing.T) {
	t.Helper()
	var total int
	var keys []string
	for k, n := range ty.counts {
		total += n
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d %s", ty.counts[k], k))
	}
	t.Logf("%s: %d files: %s", ty.name, total, strings.Join(parts, ", "))
	for _, f := range ty.failed {
		t.Logf("oracle failure: %s", f)
	}
	if n := ty.counts[differ]; n > 0 {
		var kinds []string
		for k, n := range ty.kinds {
			kinds = append(kinds, fmt.Sprintf("%6d  %s", n, k))
		}
		sort.Slice(kinds, func(a, b int) bool { return kinds[a] > kinds[b] })
		t.Logf("%s: the differences by kind:\n%s", ty.name, strings.Join(kinds, "\n"))
		t.Errorf("%s: %d of %d files differ from CPython; the first %d:\n\n%s", ty.name, n, total, len(ty.diffs), strings.Join(ty.diffs, "\n\n"))
	}
	if total == 0 {
		t.Errorf("%s: no file was compared", ty.name)
	}
}

// kindOf names the kind of a difference, for the tally by kind: the first
// line of a panic, or the two sides' kinds of message (mutate.Template).
func kindOf(r pyoracle.Result, n native) string {
	side := func(parsed bool, typ, msg string) string {
		if parsed {
			return "parsed"
		}
		return typ + ": " + mutate.Template(msg)
	}
	switch {
	case n.panic != "":
		return "the front end panics: " + strings.SplitN(n.panic, "\n", 2)[0]
	case n.err != nil:
		return "the front end's dump fails: " + n.err.Error()
	case r.Kind == pyoracle.Parsed && n.serr == nil:
		return "the dumps differ"
	}
	var front string
	if n.serr != nil {
		front = side(false, n.serr.Type.String(), n.serr.Msg)
	} else {
		front = side(true, "", "")
	}
	cpython := side(r.Kind == pyoracle.Parsed, "", "")
	if r.Exc != nil {
		cpython = side(false, r.Exc.Type, r.Exc.Msg)
	}
	if cpython == front {
		return "same message, other location or text: " + cpython
	}
	return "CPython " + cpython + " | front end " + front
}

// compare returns the outcome for one file and, when they differ, a
// readable account of the first difference.
func compare(r pyoracle.Result, n native) (string, string) {
	if r.Kind == pyoracle.Failed {
		return oracleFailed, ""
	}
	if n.panic != "" {
		return differ, "the front end panicked: " + n.panic
	}
	switch {
	case r.Kind == pyoracle.Parsed && n.err != nil:
		return differ, fmt.Sprintf("CPython dumps the tree; the front end's dump fails: %v", n.err)
	case r.Kind == pyoracle.Parsed && n.serr != nil:
		return differ, fmt.Sprintf("CPython parses the file; the front end rejects it:\n%s", indent(syntaxerr.Format(n.serr)))
	case r.Kind == pyoracle.Parsed:
		if string(n.dump) == r.Dump {
			return agreeParsed, ""
		}
		return differ, "the dumps differ:\n" + firstDifference(r.Dump, string(n.dump))
	case n.serr == nil && n.err == nil:
		return differ, fmt.Sprintf("CPython rejects the file; the front end parses it.\nCPython (%s):\n%s", r.Exc, indent(r.PyCompile))
	case n.serr == nil:
		return differ, fmt.Sprintf("CPython rejects the file (%s); the front end parses it and its dump fails: %v", r.Exc, n.err)
	}
	got := syntaxerr.Format(n.serr)
	if got == r.PyCompile {
		return agreeRejected, ""
	}
	if n.serr.Type == syntaxerr.SystemError && r.Exc != nil && r.Exc.Type == "SystemError" &&
		strings.Replace(got, " Parser/", " ../Parser/", 1) == r.PyCompile {
		return agreeBuildPath, ""
	}
	return differ, fmt.Sprintf("the messages differ.\nCPython's exception: %s\nthe front end's:     %s\nCPython's message:\n%s\nthe front end's:\n%s",
		r.Exc, describe(n.serr), indent(r.PyCompile), indent(got))
}

// describe writes a syntaxerr.Error as pyoracle writes an exception.
func describe(e *syntaxerr.Error) string {
	if e.NoLocation {
		return fmt.Sprintf("%s(msg=%q)", e.Type, e.Msg)
	}
	end := fmt.Sprintf("end_lineno=%d, end_offset=%d", e.EndLineno, e.EndOffset)
	if e.NoEnd {
		end = "end_lineno=None, end_offset=None"
	}
	text := "None"
	if e.HasText {
		text = fmt.Sprintf("%q", e.Text)
	}
	return fmt.Sprintf("%s(msg=%q, filename=%q, lineno=%d, offset=%d, %s, text=%s)", e.Type, e.Msg, e.Filename, e.Lineno, e.Offset, end, text)
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

// firstDifference shows where two dumps part: the common prefix's last
// characters, then each one's continuation.
func firstDifference(want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	from := max(0, i-120)
	cut := func(s string) string {
		end := min(len(s), i+120)
		return s[i:end]
	}
	return fmt.Sprintf("    at byte %d of %d (CPython) and %d (the front end), after ...%s\n    CPython:       %q\n    the front end: %q",
		i, len(want), len(got), want[from:i], cut(want), cut(got))
}

// compareFiles asks py about every file, runs the front end on each as
// py's release, and tallies the outcomes under name. observe, if not nil,
// sees each file's answer and outcome.
func compareFiles(t *testing.T, py pythons.Interpreter, name string, files []string, label func(i int) string, observe func(i int, r pyoracle.Result, outcome string)) *tally {
	t.Helper()
	if frontEnd == nil {
		t.Fatal("no native front end is wired in (tests/agreement/wiring_test.go)")
	}
	rel := releaseOf(t, py)
	ty := newTally(name)
	err := pyoracle.Run(context.Background(), py, files, pyoracle.Options{Procs: 2}, func(i int, r pyoracle.Result) error {
		src, err := os.ReadFile(files[i])
		if err != nil {
			return err
		}
		outcome := ty.add(label(i), r, runNative(files[i], src, rel))
		if observe != nil {
			observe(i, r, outcome)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ty
}
