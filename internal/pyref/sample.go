package pyref

import (
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// FullSweepEnv names the environment variable that asks the whole-stdlib
// tests for every file instead of their fixed-seed sample.
const FullSweepEnv = "RULES_PYC_FULL_SWEEP"

// FullSweep reports whether RULES_PYC_FULL_SWEEP is set to a non-empty value.
func FullSweep() bool { return os.Getenv(FullSweepEnv) != "" }

// Every is the step of a sweep that takes every Nth file of a standard
// library: the positive number the environment variable env holds when it
// is set, else 1 (every file) under RULES_PYC_FULL_SWEEP, else short with
// -short and normal otherwise.
func Every(env string, short, normal int) int {
	if n, err := strconv.Atoi(os.Getenv(env)); err == nil && n > 0 {
		return n
	}
	switch {
	case FullSweep():
		return 1
	case testing.Short():
		return short
	}
	return normal
}

// Sample returns n of the sorted files, chosen with a fixed seed and kept in
// their order, plus every file whose base name starts with "bad" (the
// standard library's sources that are invalid on purpose, such as
// test/badsyntax_*.py and test/bad_coding*.py, so that a sample always
// compares errors too). With n >= len(files) it returns files.
func Sample(files []string, n int, seed int64) []string {
	if n >= len(files) {
		return files
	}
	keep := make(map[int]bool, n)
	for _, i := range rand.New(rand.NewSource(seed)).Perm(len(files))[:n] {
		keep[i] = true
	}
	for i, f := range files {
		if strings.HasPrefix(filepath.Base(f), "bad") {
			keep[i] = true
		}
	}
	idx := make([]int, 0, len(keep))
	for i := range keep {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	out := make([]string, len(idx))
	for k, i := range idx {
		out[k] = files[i]
	}
	return out
}
