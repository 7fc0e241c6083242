package pythons

import (
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Pyodide is CPython built for WebAssembly by the Pyodide project, as its
// npm package carries it, run by Node.js. Its CPython is a release that no
// Debian or pyenv build here has (Pyodide 0.29.5: CPython 3.13.2).
type Pyodide struct {
	// Version is the CPython release inside, X.Y.Z.
	Version string
	// Package is the unpacked npm package: pyodide.js, pyodide.asm.wasm,
	// python_stdlib.zip (its standard library) and the rest.
	Package string
	// Node is the node executable that runs it.
	Node string
}

// The npm package fetched, and the SHA-256 of its tarball as the registry
// served it when it was pinned.
const (
	pyodideNPM     = "pyodide@0.29.5"
	pyodideRelease = "3.13.2"
	pyodideSHA256  = "6749b10ee515a1458ecea36d860c8ce2a48366e85b3f92d749ad1840e4aff181"
)

var (
	pyodideOnce sync.Once
	pyodideVal  Pyodide
	pyodideErr  error
)

// RequirePyodide returns Pyodide's CPython, fetching the npm package with
// npm into the user cache directory on first use (about 5.6 MB). Without
// node or npm, or when the fetch fails, it skips the test, or fails it
// under CI. Inside the chroot (see RunInChroot) it skips: the host runs it.
func RequirePyodide(t testing.TB) Pyodide {
	t.Helper()
	if InChroot() {
		t.Skip("pythons: Pyodide runs on the host; the host's run compares it")
	}
	pyodideOnce.Do(func() { pyodideVal, pyodideErr = findPyodide() })
	if pyodideErr != nil {
		if OnCI() {
			t.Fatalf("pythons: Pyodide's CPython %s is needed under %s=%s: %v", pyodideRelease, CIEnv, os.Getenv(CIEnv), pyodideErr)
		}
		t.Skipf("pythons: Pyodide's CPython %s is unavailable: %v", pyodideRelease, pyodideErr)
	}
	return pyodideVal
}

func findPyodide() (Pyodide, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return Pyodide{}, fmt.Errorf("find node: %w", err)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return Pyodide{}, fmt.Errorf("user cache directory: %w", err)
	}
	dest := filepath.Join(cache, "rules_pyc", "pyodide-"+pyodideSHA256[:12])
	pkg := filepath.Join(dest, "package")
	if _, err := os.Stat(filepath.Join(pkg, "pyodide.asm.wasm")); err != nil {
		if err := fetchPyodide(dest); err != nil {
			return Pyodide{}, err
		}
	}
	return Pyodide{Version: pyodideRelease, Package: pkg, Node: node}, nil
}

// fetchPyodide packs the npm package into a temporary directory beside
// dest, checks its tarball's hash, unpacks it (extractTar, as the old
// standard libraries are) and renames it into place.
func fetchPyodide(dest string) error {
	npm, err := exec.LookPath("npm")
	if err != nil {
		return fmt.Errorf("find npm: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dest), "pyodide-*.tmp")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "pack", pyodideNPM, "--pack-destination", tmp, "--silent")
	cmd.Dir = tmp
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("npm pack %s: %w: %s", pyodideNPM, err, strings.TrimSpace(string(out)))
	}
	tarball := filepath.Join(tmp, strings.TrimSpace(lastLine(string(out))))
	data, err := os.ReadFile(tarball)
	if err != nil {
		return fmt.Errorf("npm pack %s: %w", pyodideNPM, err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != pyodideSHA256 {
		return fmt.Errorf("npm pack %s: tarball's SHA-256 is %x, want %s", pyodideNPM, sum, pyodideSHA256)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("unpack %s: %w", pyodideNPM, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return fmt.Errorf("unpack %s: %w", pyodideNPM, err)
	}
	unpacked := filepath.Join(tmp, "unpacked")
	if err := extractTar(raw, unpacked); err != nil {
		return fmt.Errorf("unpack %s: %w", pyodideNPM, err)
	}
	if err := os.Rename(unpacked, dest); err != nil {
		// Another test binary may have put it in place meanwhile.
		if _, serr := os.Stat(filepath.Join(dest, "package", "pyodide.asm.wasm")); serr != nil {
			return fmt.Errorf("unpack %s: %w", pyodideNPM, err)
		}
	}
	return nil
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// Stdlib writes the .py files of Pyodide's standard library (its
// python_stdlib.zip) into a new directory of t's and returns them.
func (p Pyodide) Stdlib(t testing.TB) Stdlib {
	t.Helper()
	archive := filepath.Join(p.Package, "python_stdlib.zip")
	zr, err := zip.OpenReader(archive)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	s := Stdlib{Root: t.TempDir()}
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".py") || !filepath.IsLocal(f.Name) {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("%s: %s: %v", archive, f.Name, err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: %s: %v", archive, f.Name, err)
		}
		path := filepath.Join(s.Root, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		s.Files = append(s.Files, f.Name)
	}
	slices.Sort(s.Files)
	if len(s.Files) < 400 {
		t.Fatalf("%s holds %d .py files; expected over 400", archive, len(s.Files))
	}
	return s
}

//go:embed pyodide_run.js
var pyodideRun string

//go:embed pyodide_same.py
var pyodideSame string

// RunPyodide runs script, Python that defines _head() and _run(job), in
// one process of Pyodide p: each of jobs (values that marshal to JSON objects)
// is passed to _run as a dict, after the host files its "files"
// field lists are written at the same paths into Pyodide's file system.
// It returns _head()'s dict as JSON and _run's for each job, in order.
// The script may call _same(x, y): whether two code objects are equal in
// every field, nested code included.
func RunPyodide[J any](t testing.TB, p Pyodide, script string, jobs []J) (head json.RawMessage, results []json.RawMessage) {
	t.Helper()
	dir := t.TempDir()
	runner, scriptFile, jobsFile := filepath.Join(dir, "run.js"), filepath.Join(dir, "script.py"), filepath.Join(dir, "jobs.json")
	spec, err := json.Marshal(jobs)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		path string
		data []byte
	}{{runner, []byte(pyodideRun)}, {scriptFile, []byte(pyodideSame + "\n" + script)}, {jobsFile, spec}} {
		if err := os.WriteFile(f.path, f.data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, p.Node, runner, p.Package, scriptFile, jobsFile)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pythons: Pyodide: node %s: %v: %s", runner, err, stderr.String())
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := json.RawMessage(bytes.Clone(sc.Bytes()))
		if head == nil {
			head = line
			continue
		}
		results = append(results, line)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if head == nil {
		t.Fatalf("pythons: Pyodide: node %s printed nothing: %s", runner, stderr.String())
	}
	if len(results) != len(jobs) {
		t.Fatalf("pythons: Pyodide: %d answers to %d jobs: %s", len(results), len(jobs), stderr.String())
	}
	return head, results
}
