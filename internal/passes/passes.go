// Package passes picks what the instruction-count harnesses compile:
// every tenth .py file, in lexical order, of the tree a variable of the
// environment names, and how many times. Counting instructions (callgrind)
// runs a harness with one pass and with two: the difference is what a warm
// pass costs. docs/native.md has the command.
package passes

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Sample is the sources of one harness run.
type Sample struct {
	Names   []string // the files' paths
	Sources [][]byte // their contents, in the same order
	Bytes   int      // the contents' total size
	Passes  int      // how many times to compile each
}

// FromEnv reads PREFIX_MEASURE_DIR (a tree of sources) and
// PREFIX_MEASURE_PASSES (a count) and loads every tenth .py file of the
// tree. It skips t when either is unset, and fails it when the tree can't
// be read.
func FromEnv(t testing.TB, prefix string) Sample {
	t.Helper()
	dirVar, passesVar := prefix+"_MEASURE_DIR", prefix+"_MEASURE_PASSES"
	dir := os.Getenv(dirVar)
	var s Sample
	fmt.Sscan(os.Getenv(passesVar), &s.Passes)
	if s.Passes <= 0 || dir == "" {
		t.Skipf("%s or %s not set", passesVar, dirVar)
	}
	var names []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".py") {
			names = append(names, path)
		}
		return err
	})
	if err != nil {
		t.Fatalf("%s: %v", dirVar, err)
	}
	for i := 0; i < len(names); i += 10 {
		src, err := os.ReadFile(names[i])
		if err != nil {
			t.Fatal(err)
		}
		s.Names = append(s.Names, names[i])
		s.Sources = append(s.Sources, src)
		s.Bytes += len(src)
	}
	return s
}

// Log reports the sample's size, for the record next to the counts.
func (s Sample) Log(t testing.TB) {
	t.Helper()
	t.Logf("%d files, %d bytes, %d passes", len(s.Sources), s.Bytes, s.Passes)
}
