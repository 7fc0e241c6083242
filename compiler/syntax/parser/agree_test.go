package parser

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/astdump"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/internal/mutate"
	"github.com/rules-pyc/rules_pyc/internal/pyoracle"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// agreement compares ParseFile with the interpreter on files: the same
// ast.dump line, or the same exception. It returns the number of files
// compared and the differences, described.
func agreement(t *testing.T, py pythons.Interpreter, files []string) (int, []string) {
	t.Helper()
	rel := release.Release{Major: py.Major, Minor: py.Minor, Micro: py.Micro}
	var diffs []string
	n := 0
	err := pyoracle.Run(context.Background(), py, files, pyoracle.Options{Procs: 1}, func(i int, r pyoracle.Result) error {
		if r.Kind == pyoracle.Failed {
			return nil
		}
		n++
		src, err := os.ReadFile(r.File)
		if err != nil {
			return err
		}
		m, serr := ParseFile(r.File, src, rel)
		switch {
		case r.Kind == pyoracle.Parsed && serr != nil:
			diffs = append(diffs, fmt.Sprintf("%s: CPython parses it, native: %s", r.File, fmtErr(serr)))
		case r.Kind == pyoracle.Parsed:
			dump, err := astdump.Append(nil, m, rel)
			if err != nil {
				diffs = append(diffs, fmt.Sprintf("%s: dump: %v", r.File, err))
			} else if string(dump) != r.Dump {
				diffs = append(diffs, fmt.Sprintf("%s: dumps differ:\n%s", r.File, firstDiff(r.Dump, string(dump))))
			}
		default:
			want, ok := r.Exc.SyntaxErr(r.File)
			if !ok {
				diffs = append(diffs, fmt.Sprintf("%s: CPython raises %s (not comparable)", r.File, r.Exc))
				break
			}
			if got := fmtErr(serr); got != fmtErr(want) {
				diffs = append(diffs, fmt.Sprintf("%s:\n got %s\nwant %s", r.File, got, fmtErr(want)))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n, diffs
}

func firstDiff(want, got string) string {
	i := 0
	for i < len(want) && i < len(got) && want[i] == got[i] {
		i++
	}
	lo := max(0, i-120)
	return fmt.Sprintf("want ...%s\ngot  ...%s", want[lo:min(len(want), i+120)], got[lo:min(len(got), i+120)])
}

// interpreters313 returns the 3.13 interpreters to compare with, failing
// the test when there is none.
func interpreters313(t *testing.T) []pythons.Interpreter {
	return pythons.Minor(t, 3, 13)
}

// TestStdlibAgreement parses the standard library of every 3.13
// interpreter (valid files and the test suite's invalid ones) and
// compares with the interpreter. A fixed sample by default (every 6th
// file, every 30th with -short); PARSER_FULL=1 for every file.
func TestStdlibAgreement(t *testing.T) {
	for _, py := range interpreters313(t) {
		t.Run(py.Version, func(t *testing.T) {
			std := py.Stdlib(t)
			step := 6
			if testing.Short() {
				step = 30
			}
			if os.Getenv("PARSER_FULL") != "" {
				step = 1
			}
			var files []string
			for i := 0; i < len(std.Files); i += step {
				files = append(files, filepath.Join(std.Root, std.Files[i]))
			}
			n, diffs := agreement(t, py, files)
			for i, d := range diffs {
				if i < 20 {
					t.Error(d)
				}
			}
			t.Logf("%s: %d files compared, %d differ", py, n, len(diffs))
		})
	}
}

// TestErrorAgreement compares the errors of the invalid programs of
// testdata/errors.txt with every 3.13 interpreter.
func TestErrorAgreement(t *testing.T) {
	cases := readCases(t, "errors.txt")
	dir := t.TempDir()
	var files []string
	for i, c := range cases {
		p := filepath.Join(dir, fmt.Sprintf("case%03d.py", i))
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	for _, py := range interpreters313(t) {
		t.Run(py.Version, func(t *testing.T) {
			n, diffs := agreement(t, py, files)
			for _, d := range diffs {
				t.Error(d)
			}
			t.Logf("%s: %d cases compared, %d differ", py, n, len(diffs))
		})
	}
}

func readCases(t *testing.T, name string) []string {
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	for _, c := range strings.Split(string(data), "\n----\n") {
		var lines []string
		for _, l := range strings.Split(c, "\n") {
			if !strings.HasPrefix(l, "# ") && l != "#" {
				lines = append(lines, l)
			}
		}
		c = strings.Join(lines, "\n")
		if strings.TrimSpace(c) != "" {
			cases = append(cases, strings.TrimRight(c, "\n")+"\n")
		}
	}
	return cases
}

func fmtErr(e *syntaxerr.Error) string {
	if e == nil {
		return "ok"
	}
	return fmt.Sprintf("%s: %q at (%d, %d, %d, %d) text %q", e.Type, e.Msg, e.Lineno, e.Offset, e.EndLineno, e.EndOffset, e.Text)
}

// byteCases are sources that are not text: invalid UTF-8 in literals,
// identifiers and comments, other encodings, odd newlines; and raw format
// specs.
var byteCases = []string{
	"print(\"b\xf6se\")\n",
	"x = '\\n\xf6'\n",
	"x = r'\xe2\x82'\n",
	"x = f'a\xf6{y}'\n",
	"x = f'{y:\xf6}'\n",
	"x = f'{y:\\n\xf6}'\n",
	"x = b'\xf6'\n",
	"\xf6 = 1\n",
	"x = 1 # \xf6\n",
	"x = (1,\n\xf6)\n",
	"# -*- coding: latin-1 -*-\nx = '\xf6'\n",
	"# -*- coding: latin-1 -*-\nx = (\xf6\n",
	"\xef\xbb\xbfx = (1 +\n",
	"x = 1\r\ny = (\r\n",
	"x = 1\ry = 2 +\r",
	"if x:\r\n\tpass\r\n        pass\r\n",
	// Raw format specs, whose decoding depends on the tokenizer's state
	// when the parser makes them (see ahead.go), in the places the
	// parser looks ahead from.
	"f(rf\"{x:\\xFF}\", f\"{y:\\xFF}\")\n",
	"def g(a=rf\"{x:\\d}\", /, b=f\"{y:\\xFF}\"): pass\n",
	"h(k=rf\"{x:\\xFF}\", **m); x.y = rf\"{z:\\xFF}\"\n",
	"f(rf\"{x:\\xFF}\" for x in y)(rf\"{z:\\xFF}\", (w for w in rf\"{v:\\d}\"))\n",
}

// TestByteAgreement compares sources that are not plain UTF-8 text with
// every 3.13 interpreter.
func TestByteAgreement(t *testing.T) {
	dir := t.TempDir()
	var files []string
	for i, c := range byteCases {
		p := filepath.Join(dir, fmt.Sprintf("bytes%03d.py", i))
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	for _, py := range interpreters313(t) {
		t.Run(py.Version, func(t *testing.T) {
			n, diffs := agreement(t, py, files)
			for _, d := range diffs {
				t.Error(d)
			}
			t.Logf("%s: %d cases compared, %d differ", py, n, len(diffs))
		})
	}
}

// TestMutantAgreement compares mutants of the standard library
// (internal/mutate, seed 1, the first 3.13's stdlib as corpus) with every
// 3.13 interpreter: 1,000 by default, 200 with -short, PARSER_MUTANTS=N
// for N.
func TestMutantAgreement(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 200
	}
	if s := os.Getenv("PARSER_MUTANTS"); s != "" {
		fmt.Sscan(s, &n)
	}
	pys := interpreters313(t)
	lib := pys[0].Stdlib(t)
	srcs := lib.Sources(t)
	c, err := mutate.NewCorpus(lib.Files, srcs)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := make([]string, n)
	names := map[string]string{}
	for i := range n {
		m := c.Mutant(1, i)
		files[i] = filepath.Join(dir, fmt.Sprintf("m%05d.py", i))
		names[files[i]] = m.String()
		if err := os.WriteFile(files[i], m.Src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, py := range pys {
		t.Run(py.Version, func(t *testing.T) {
			compared, diffs := agreement(t, py, files)
			for i, d := range diffs {
				if i < 30 {
					t.Error(d)
				}
			}
			t.Logf("%s: %d mutants compared, %d differ", py, compared, len(diffs))
		})
	}
}
