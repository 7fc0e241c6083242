package agreement

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/gensrc"
	"github.com/rules-pyc/rules_pyc/internal/mutate"
	"github.com/rules-pyc/rules_pyc/internal/pyoracle"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// The generated inputs CI compares: seed 1, inputs 0 to 199 of each kind of
// internal/gensrc, and each of the grammar's programs once more damaged by
// mutate.Edit (50 of each with -short). Campaigns:
//
//	go test ./tests/agreement -run Generated -v -gen.seed=N -gen.count=M -gen.keep=DIR
var (
	genSeed  = flag.Uint64("gen.seed", 1, "seed of the inputs TestGenerated compares")
	genCount = flag.Int("gen.count", 200, "inputs of each kind TestGenerated compares (50 with -short unless set)")
	genKinds = flag.String("gen.kinds", "", "comma-separated kinds of input TestGenerated compares (default: every kind, and \"edited\")")
	genKeep  = flag.String("gen.keep", "", "write the generated inputs that differ to this directory")
)

// editedKind is the kind of the grammar's programs damaged by mutate.Edit.
const editedKind = "edited"

// generatedInput makes input i of kind: a gensrc kind or editedKind.
func generatedInput(kind string, seed uint64, i int) (label string, src []byte, err error) {
	if kind == editedKind {
		in, err := gensrc.Make("grammar", seed, i)
		if err != nil {
			return "", nil, err
		}
		m := mutate.Edit(string(in.Src), seed, i)
		return fmt.Sprintf("%s, edited: %s", in, strings.Join(m.Edits, "; ")), m.Src, nil
	}
	in, err := gensrc.Make(kind, seed, i)
	if err != nil {
		return "", nil, err
	}
	return in.String(), in.Src, nil
}

// TestGenerated compares the front end with each CPython 3.13 on the
// inputs internal/gensrc makes: programs from the grammar, sources damaged
// at the level of bytes, odd Unicode, constructs at CPython's limits.
func TestGenerated(t *testing.T) {
	n := *genCount
	if testing.Short() && !flagSet("gen.count") {
		n = 50
	}
	kinds := append(gensrc.Kinds(), editedKind)
	if *genKinds != "" {
		kinds = strings.Split(*genKinds, ",")
	}
	dir := t.TempDir()
	var files, labels []string
	for _, k := range kinds {
		for i := range n {
			label, src, err := generatedInput(k, *genSeed, i)
			if err != nil {
				t.Fatal(err)
			}
			f := filepath.Join(dir, fmt.Sprintf("g_%s_%d_%05d.py", k, *genSeed, i))
			if err := os.WriteFile(f, src, 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
			labels = append(labels, label)
		}
	}
	for _, py := range pythons.Minor(t, 3, 13) {
		t.Run(py.Version, func(t *testing.T) {
			kept := 0
			observe := func(i int, _ pyoracle.Result, outcome string) {
				if outcome == differ && *genKeep != "" {
					keepIn(t, *genKeep, files[i])
					kept++
				}
			}
			ty := compareFiles(t, py, fmt.Sprintf("%d generated inputs (seed %d) against %s", len(files), *genSeed, py), files, func(i int) string { return labels[i] }, observe)
			if kept > 0 {
				t.Logf("%d differing inputs written to %s", kept, *genKeep)
			}
			ty.report(t)
		})
	}
}

// keepIn copies a file into dir.
func keepIn(t *testing.T, dir, file string) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(file)), data, 0o644); err != nil {
		t.Fatal(err)
	}
}
