package agreement

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pythons"
	"github.com/rules-pyc/rules_pyc/internal/snippets"
)

var snippetsAll = flag.Bool("snippets.all", false, "TestSnippets takes the snippets of every test/ file, not only the syntax tests'")

// TestSnippets compares the front end with each CPython 3.13 on the source
// snippets of the 3.13 test suites (internal/snippets): the programs that
// test_syntax.py, test_fstring.py, test_grammar.py and the other syntax
// tests keep as strings and doctests, from every 3.13 on the machine, each
// compared against every 3.13 (a snippet of 3.13.18's suite is an input for
// 3.13.0 too). With -snippets.all, the snippets of every test/ file.
func TestSnippets(t *testing.T) {
	pys := pythons.Minor(t, 3, 13)
	dir := t.TempDir()
	var files, labels []string
	seen := map[string]bool{}
	for _, py := range pys {
		lib := py.Stdlib(t)
		rel := snippets.Select(lib.Files, snippets.SyntaxTests)
		if *snippetsAll {
			rel = snippets.TestFiles(lib.Files)
		}
		paths := make([]string, len(rel))
		for i, f := range rel {
			paths[i] = filepath.Join(lib.Root, filepath.FromSlash(f))
		}
		got := snippets.Extract(t, py, paths)
		added := 0
		for i, s := range got {
			if seen[string(s)] {
				continue
			}
			seen[string(s)] = true
			f := filepath.Join(dir, fmt.Sprintf("s%06d.py", len(files)))
			if err := os.WriteFile(f, s, 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
			labels = append(labels, fmt.Sprintf("%s (%s)", snippets.String(i, s), py.Version))
			added++
		}
		t.Logf("%s: %d test files, %d snippets, %d new", py, len(rel), len(got), added)
	}
	if testing.Short() {
		// Every fourth, from a fixed start.
		var f2, l2 []string
		for i := 0; i < len(files); i += 4 {
			f2, l2 = append(f2, files[i]), append(l2, labels[i])
		}
		files, labels = f2, l2
	}
	for _, py := range pys {
		t.Run(py.Version, func(t *testing.T) {
			ty := compareFiles(t, py, fmt.Sprintf("%d snippets against %s", len(files), py), files, func(i int) string { return labels[i] }, nil)
			ty.report(t)
		})
	}
}

var filesDir = flag.String("files", "", "TestFiles compares every file below this directory")

// TestFiles compares the front end with each CPython 3.13 on every file
// below the directory -files names (a campaign's inputs, a directory of
// kept mutants); without -files it does nothing.
//
//	go test ./tests/agreement -run TestFiles -files=DIR -v
func TestFiles(t *testing.T) {
	if *filesDir == "" {
		t.Skip("no -files directory given")
	}
	var files []string
	err := filepath.WalkDir(*filesDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, py := range pythons.Minor(t, 3, 13) {
		t.Run(py.Version, func(t *testing.T) {
			ty := compareFiles(t, py, fmt.Sprintf("%d files of %s against %s", len(files), *filesDir, py), files, func(i int) string { return files[i] }, nil)
			ty.report(t)
		})
	}
}
