package native

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

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
		Name   string `json:"name"`
		Src    string `json:"src"`
		Opt    int    `json:"opt"`
		Native string `json:"native"`
	}
	var jobs []job
	for _, opt := range levels {
		for i, name := range files {
			src := filepath.Join(lib.Root, filepath.FromSlash(name))
			source, err := os.ReadFile(src)
			if err != nil {
				t.Fatal(err)
			}
			j := job{Name: name, Src: src, Opt: opt}
			res, err := Compile(Request{Source: source, Name: name, Release: rel, Optimize: opt, File: source})
			if err == nil && res.Code != nil {
				j.Native = filepath.Join(work, fmt.Sprintf("%d.%d.bin", opt, i))
				if err := os.WriteFile(j.Native, res.Code, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			jobs = append(jobs, j)
		}
	}
	spec, err := json.Marshal(jobs)
	if err != nil {
		t.Fatal(err)
	}
	jobsFile := filepath.Join(work, "jobs.json")
	if err := os.WriteFile(jobsFile, spec, 0o644); err != nil {
		t.Fatal(err)
	}
	driver, err := filepath.Abs(filepath.Join("testdata", "pyodide_compile.js"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, pyo.Node, driver, pyo.Package, jobsFile)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v: %s", driver, err, stderr.String())
	}

	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	if !sc.Scan() {
		t.Fatalf("node %s printed nothing", driver)
	}
	var head struct {
		Loaded  []string `json:"loaded"`
		Version string   `json:"version"`
	}
	if err := json.Unmarshal(sc.Bytes(), &head); err != nil {
		t.Fatalf("decode %q: %v", sc.Bytes(), err)
	}
	if head.Version != pyo.Version {
		t.Fatalf("Pyodide runs CPython %s, expected %s", head.Version, pyo.Version)
	}
	counts := map[string]int{}
	var equal []string
	n := 0
	for sc.Scan() {
		var r struct {
			Name   string `json:"name"`
			Opt    int    `json:"opt"`
			Status string `json:"status"`
			Detail string `json:"detail"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("decode %q: %v", sc.Bytes(), err)
		}
		n++
		counts[r.Status]++
		switch r.Status {
		case "same":
		case "equal":
			if !slices.Contains(head.Loaded, moduleOf(r.Name)) {
				t.Errorf("%s -O%d: the code objects are equal but the bytes differ, and the Pyodide process had not loaded %s", r.Name, r.Opt, moduleOf(r.Name))
			}
			equal = append(equal, fmt.Sprintf("%s -O%d", r.Name, r.Opt))
		default:
			t.Errorf("%s -O%d: %s %s", r.Name, r.Opt, r.Status, r.Detail)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(jobs) {
		t.Fatalf("node answered %d of %d compiles: %s", n, len(jobs), stderr.String())
	}
	t.Logf("%d files at %v: %v; equal code, other bytes (modules the Pyodide process held): %s", len(files), levels, counts, strings.Join(equal, ", "))
}

// moduleOf is the module a standard library path defines: "a/b.py" is
// a.b, "a/__init__.py" is a.
func moduleOf(name string) string {
	name = strings.TrimSuffix(strings.TrimSuffix(name, ".py"), "/__init__")
	return strings.ReplaceAll(name, "/", ".")
}
