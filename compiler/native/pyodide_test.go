package native

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// TestPyodideRelease compares the native compiler, imitating 3.13.2, with
// the CPython 3.13.2 inside Pyodide (built for WebAssembly, run by
// Node.js) over that release's standard library, at -O0, -O1 and -O2 (-O0
// alone with -short). No other build of a release between 3.13.1 and
// 3.13.4 runs here, and those releases are a codegen variant of their own
// (comprehensions' second GET_ITER).
//
// Pyodide compiles every file in one process that has already imported
// dozens of modules, not in a fresh process as py_compile's reference
// does, so the bytes of a module that process holds may share objects
// differently (marshal's references follow what else holds the strings).
// For those modules alone the test accepts code objects that are equal in
// every field, nested code included; every other file must be identical
// byte for byte.
func TestPyodideRelease(t *testing.T) {
	pyo := pythons.RequirePyodide(t)
	rel, exact, err := release.Parse(pyo.Version)
	if err != nil || !exact {
		t.Fatalf("Pyodide's CPython %q: %v", pyo.Version, err)
	}
	if err := Check(rel); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	work := t.TempDir()
	lib := pyo.Stdlib(t)
	files := lib.Files
	levels := []int{0, 1, 2}
	if testing.Short() {
		levels = levels[:1]
	}

	type job struct {
		Name   string   `json:"name"`
		Src    string   `json:"src"`
		Opt    int      `json:"opt"`
		Native string   `json:"native"`
		Files  []string `json:"files"`
	}
	var jobs []job
	for _, opt := range levels {
		for i, name := range files {
			src := filepath.Join(lib.Root, filepath.FromSlash(name))
			source, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			j := job{Name: name, Src: src, Opt: opt, Files: []string{src}}
			res, err := Compile(Request{Source: source, Name: name, Release: rel, Optimize: opt, File: source})
			if err == nil && res.Code != nil {
				j.Native = filepath.Join(work, fmt.Sprintf("%d.%d.bin", opt, i))
				if err := os.WriteFile(j.Native, res.Code, 0o644); err != nil {
					t.Fatal(err)
				}
				j.Files = append(j.Files, j.Native)
			}
			jobs = append(jobs, j)
		}
	}
	script, err := os.ReadFile(filepath.Join("testdata", "pyodide_compile.py"))
	if err != nil {
		t.Fatal(err)
	}
	headJSON, results := pythons.RunPyodide(t, pyo, string(script), jobs)
	var head struct {
		Loaded  []string `json:"loaded"`
		Version string   `json:"version"`
	}
	if err := json.Unmarshal(headJSON, &head); err != nil {
		t.Fatalf("decode %q: %v", headJSON, err)
	}
	if head.Version != pyo.Version {
		t.Fatalf("Pyodide runs CPython %s, expected %s", head.Version, pyo.Version)
	}
	counts := map[string]int{}
	var equal []string
	for i, line := range results {
		var r struct {
			Status string `json:"status"`
			Detail string `json:"detail"`
		}
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("decode %q: %v", line, err)
		}
		j := jobs[i]
		counts[r.Status]++
		switch r.Status {
		case "same":
		case "equal":
			if !slices.Contains(head.Loaded, moduleOf(j.Name)) {
				t.Errorf("%s -O%d: the code objects are equal but the bytes differ, and the Pyodide process had not loaded %s", j.Name, j.Opt, moduleOf(j.Name))
			}
			equal = append(equal, fmt.Sprintf("%s -O%d", j.Name, j.Opt))
		default:
			t.Errorf("%s -O%d: %s %s", j.Name, j.Opt, r.Status, r.Detail)
		}
	}
	t.Logf("%d files at %v: %v; equal code, other bytes (modules the Pyodide process held): %s", len(files), levels, counts, strings.Join(equal, ", "))
}

// moduleOf is the module a standard library path defines: "a/b.py" is
// a.b, "a/__init__.py" is a.
func moduleOf(name string) string {
	name = strings.TrimSuffix(strings.TrimSuffix(name, ".py"), "/__init__")
	return strings.ReplaceAll(name, "/", ".")
}
