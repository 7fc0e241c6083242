package native

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/gensrc"
)

// How many inputs of each kind TestGeneratedAgainstPyCompile compares by
// default (CI) and with -short. RULES_PYC_GEN_SEED and RULES_PYC_GEN_COUNT
// (inputs of each kind) run campaigns; the inputs that differ are named by
// kind, seed and index, which internal/gensrc makes again.
// RULES_PYC_GEN_KINDS (comma-separated) limits them to some kinds.
var generatedSizes = map[bool]int{false: 100, true: 20}

// TestGeneratedAgainstPyCompile compares, as TestStdlibAgainstPyCompile
// does (bytes, messages, warnings, at -O0, -O1 and -O2), the inputs
// internal/gensrc makes for the front end's agreement test: grammar
// programs, damaged text, literals, odd Unicode, constructs at CPython's
// limits, and the flow programs made for the back end, seed 1 unless
// RULES_PYC_GEN_SEED says otherwise. Most of the others are rejected, and
// what matters there is that the listing is CPython's; the flow programs
// all compile.
func TestGeneratedAgainstPyCompile(t *testing.T) {
	seed, n := uint64(1), generatedSizes[testing.Short()]
	if s := os.Getenv("RULES_PYC_GEN_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("RULES_PYC_GEN_SEED=%q: %v", s, err)
		}
		seed = v
	}
	if s := os.Getenv("RULES_PYC_GEN_COUNT"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			t.Fatalf("RULES_PYC_GEN_COUNT=%q: want a positive number", s)
		}
		n = v
	}
	kinds := gensrc.Kinds()
	if s := os.Getenv("RULES_PYC_GEN_KINDS"); s != "" {
		kinds = strings.Split(s, ",")
	}
	var srcs []namedSource
	for _, kind := range kinds {
		for i := range n {
			in, err := gensrc.Make(kind, seed, i)
			if err != nil {
				t.Fatal(err)
			}
			srcs = append(srcs, namedSource{fmt.Sprintf("%s_%d_%05d.py", kind, seed, i), in.Src})
		}
	}
	sweepSources(t, srcs)
}
