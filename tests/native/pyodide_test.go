package native

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/engine"
	"github.com/rules-pyc/rules_pyc/compiler/failure"
	"github.com/rules-pyc/rules_pyc/compiler/pycfile"
	"github.com/rules-pyc/rules_pyc/internal/codemutate"
	"github.com/rules-pyc/rules_pyc/internal/mutate"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// pyodideMutants is how many mutants TestPyodideMutants compares (a tenth
// with -short; RULES_PYC_MUTANT_COUNT replaces it).
const pyodideMutants = 10000

// TestPyodideMutants compares the native compiler, imitating 3.13.2, with
// py_compile in the CPython 3.13.2 inside Pyodide (built for WebAssembly,
// run by Node.js) on mutants of that release's standard library (or of the
// tree RULES_PYC_ORACLE_TREE names): the .pyc, the error listing, the
// warnings. 3.13.2 is in the range of a
// codegen variant of its own (comprehensions' second GET_ITER) that no
// other interpreter here runs.
//
// Pyodide compiles every mutant in one process that has imported dozens of
// modules, not in a fresh one as py_compile's reference does, so a .pyc
// may share objects differently where that process holds a string the
// mutant uses (marshal's references follow what else holds an object).
// Such a .pyc counts as agreeing when its header is identical and its code
// objects are equal in every field, nested code included; how marshal
// shares objects in a fresh process is what TestMutants checks, against
// three releases' py_compile.
//
// CPython folds a constant power of floats or complex numbers with the C
// library's functions, and the native compiler folds as CPython does with
// glibc; Pyodide's C library sets no errno and rounds in its own way, so a
// .pyc that differs where the source raises a float or complex number to a
// power is counted apart (and logged), not as a difference, as long as
// there are few (at most one in 1,000): such folds are compared with
// glibc's CPython by TestMutants and by compiler/native/astopt.
func TestPyodideMutants(t *testing.T) {
	pyo := pythons.RequirePyodide(t)
	seed := uint64(envInt(t, seedEnv, 1))
	n := pyodideMutants
	if testing.Short() {
		n /= 10
	}
	n = envInt(t, countEnv, n)
	from := "Pyodide's standard library"
	if tree := os.Getenv(pythons.TreeEnv); tree != "" {
		from = tree
	}
	lib := pythons.CorpusOr(t, func() pythons.Stdlib { return pyo.Stdlib(t) })
	c, err := codemutate.NewCorpus(lib.Files, lib.Sources(t))
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	ms := make([]codemutate.Mutant, n)
	jobs := make([]engine.Job, n)
	for i := range n {
		ms[i] = c.Mutant(seed, i)
		path := filepath.Join(dir, fmt.Sprintf("m%d_%05d.py", seed, i))
		if err := os.WriteFile(path, ms[i].Src, 0o644); err != nil {
			t.Fatal(err)
		}
		name := path
		if i%2 == 1 {
			name = filepath.Join("missing", filepath.Base(path))
		}
		jobs[i] = engine.Job{Backend: engine.Native, Version: pyo.Version, Source: path, Name: name, Optimize: i % 3, Mode: pycfile.CheckedHash}
	}

	// The native side, with its .pyc files for Pyodide to compare.
	type pyodideJob struct {
		Source string   `json:"source"`
		Name   string   `json:"name"`
		Opt    int      `json:"opt"`
		Native string   `json:"native"`
		Files  []string `json:"files"`
	}
	var stderr syncBuffer
	e := engine.New(engine.Config{Backend: engine.Native, Jobs: 1, Stderr: &stderr, Timeout: 2 * time.Minute})
	defer e.Close()
	nat := make([]outcome, n)
	pjobs := make([]pyodideJob, n)
	start := time.Now()
	for i, j := range jobs {
		nat[i].data, nat[i].warnings, nat[i].err = compileOne(context.Background(), e, j)
		pjobs[i] = pyodideJob{Source: j.Source, Name: j.Name, Opt: j.Optimize, Files: []string{j.Source}}
		if nat[i].err == nil {
			pjobs[i].Native = j.Source + "c"
			if err := os.WriteFile(pjobs[i].Native, nat[i].data, 0o644); err != nil {
				t.Fatal(err)
			}
			pjobs[i].Files = append(pjobs[i].Files, pjobs[i].Native)
		}
	}
	if s := stderr.take(); s != "" {
		t.Fatalf("printed on the engine's stderr, outside any compile's result: %q", s)
	}
	t.Logf("%d mutants of seed %d cut from %s and compiled natively in %s", n, seed, from, time.Since(start).Round(time.Millisecond))

	script, err := os.ReadFile(filepath.Join("testdata", "pyodide_py_compile.py"))
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	headJSON, results := pythons.RunPyodide(t, pyo, string(script), pjobs)
	t.Logf("compiled with py_compile in Pyodide in %s", time.Since(start).Round(time.Millisecond))
	var head struct {
		Version string `json:"version"`
		Filters string `json:"filters"`
	}
	if err := json.Unmarshal(headJSON, &head); err != nil {
		t.Fatalf("decode %q: %v", headJSON, err)
	}
	if head.Version != pyo.Version {
		t.Fatalf("Pyodide runs CPython %s, expected %s", head.Version, pyo.Version)
	}
	t.Logf("Pyodide's warning filters: %s", head.Filters)

	var compiled, rejected, equal, libm, warned int
	differ := map[string]int{}
	histogram := mutate.NewHistogram()
	var keep []int
	for i, line := range results {
		var r struct {
			Pyc      string  `json:"pyc"`
			Listing  *string `json:"listing"`
			Warnings string  `json:"warnings"`
		}
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("decode %q: %v", line, err)
		}
		kind, detail := comparePyodide(nat[i], r.Pyc, r.Listing, r.Warnings)
		if kind != "" {
			differ[kind]++
			if len(keep) < 20 {
				t.Errorf("%s (-O%d, %s): %s\n%s", ms[i], jobs[i].Optimize, jobs[i].Name, kind, detail)
			}
			keep = append(keep, i)
			continue
		}
		switch {
		case r.Listing != nil:
			rejected++
			typ, msg := lastLine(*r.Listing)
			histogram.Add(typ, msg)
		case r.Pyc == "equal":
			equal++
			compiled++
		case r.Pyc == "libm":
			libm++
			compiled++
			t.Logf("%s (-O%d): the .pyc differs where the source raises a float or complex number to a power (Pyodide's C library)", ms[i], jobs[i].Optimize)
		default:
			compiled++
		}
		if r.Warnings != "" {
			warned++
		}
	}
	var kinds []string
	for k, v := range differ {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(kinds)
	t.Logf("Pyodide's CPython %s, %d mutants: %d agree (compiled; %d of them with equal code objects and other bytes, %d with a power folded by another C library), %d agree (rejected), %d warned (all agreeing), differ: %v",
		pyo.Version, n, compiled, equal, libm, rejected, warned, kinds)
	t.Logf("the errors of the rejected mutants: %s", histogram)
	// A handful at most: 1 in 140,000 mutants of a campaign.
	if libm > n/1000 {
		t.Errorf("%d of %d mutants differ where the source raises a float or complex number to a power: more than Pyodide's C library explains", libm, n)
	}
	if len(keep) > 0 {
		t.Errorf("%d of %d mutants differ from Pyodide's CPython %s; kept in %s", len(keep), n, pyo.Version, keepMutants(t, pyo.Version, jobs, keep))
	}
	if n >= 100 && (compiled < n/4 || rejected < n/20) {
		t.Errorf("%d compiled and %d rejected of %d mutants: the mutants no longer cover both outcomes", compiled, rejected, n)
	}
}

// comparePyodide returns the kind of a difference between the native
// compiler's outcome and py_compile's in Pyodide ("" when they agree) and a
// readable account of it.
func comparePyodide(nat outcome, pyc string, listing *string, warnings string) (string, string) {
	var nce *failure.CompileError
	nRejected := errors.As(nat.err, &nce)
	switch {
	case nat.err != nil && !nRejected:
		return "native error", fmt.Sprintf("  native: %v\n  CPython: %s", nat.err, either(errorOf(listing), "compiled"))
	case listing != nil && !nRejected:
		return "accepted", fmt.Sprintf("  the native compiler compiles it; CPython:\n%s", indent(*listing))
	case listing == nil && nRejected:
		return "rejected", fmt.Sprintf("  the native compiler rejects it:\n%s", indent(nce.Msg))
	case listing != nil:
		if nce.Msg != *listing {
			return "message", fmt.Sprintf("  native:\n%s\n  CPython:\n%s", indent(nce.Msg), indent(*listing))
		}
	case pyc != "same" && pyc != "equal" && pyc != "libm":
		return "bytes", fmt.Sprintf("  the .pyc files differ (%q)", pyc)
	}
	if nat.warnings != warnings {
		return "warnings", fmt.Sprintf("  native:\n%s\n  CPython:\n%s", indent(nat.warnings), indent(warnings))
	}
	return "", ""
}

func errorOf(listing *string) error {
	if listing == nil {
		return nil
	}
	return errors.New(strings.TrimSpace(*listing))
}
