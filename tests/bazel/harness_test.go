// Package bazel runs rules_pyc on a real Bazel 7.7.1 (through scripts/bazel)
// and checks what it builds against real CPython interpreters.
//
// Everything runs in copies of the repository under a temporary directory:
// each workspace gets its own Bazel server under one --output_user_root, and
// every server is shut down when the tests end. Most workspaces run the pyc
// binary built from this checkout with `go build -trimpath`, handed to Bazel
// as --@rules_pyc//rules:compiler=@rules_pyc//:pyc or through the stand-ins
// of rules_go and gazelle in testdata/stubs, as examples/offline.bazelrc
// does. Where the fixtures (source archives of real rule sets) are present,
// the examples also build pyc with rules_go and gazelle for real, and the
// rules meet rules_python 1.9.2 and 2.3.2 (scripts/fixtures unpacks them).
package bazel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/gobuild"
)

// env is what every test shares: built once in TestMain.
var env struct {
	repo     string // the checkout these tests belong to
	tmp      string // everything the tests write
	pyc      string // the pyc binary built with go build
	stubs    string // stand-in rules_go and gazelle modules
	userRoot string // --output_user_root of every Bazel server

	mu      sync.Mutex
	servers []*workspace // to shut down at the end
}

func TestMain(m *testing.M) {
	code, err := setUp(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tests/bazel:", err)
		code = 1
	}
	os.Exit(code)
}

func setUp(m *testing.M) (int, error) {
	repo, err := gobuild.Root()
	if err != nil {
		return 0, err
	}
	env.repo = repo
	tmp, err := os.MkdirTemp("", "rules_pyc-bazel-")
	if err != nil {
		return 0, err
	}
	env.tmp = tmp
	defer os.RemoveAll(tmp)
	defer shutdownAll()
	env.userRoot = filepath.Join(tmp, "user_root")

	if env.pyc, err = gobuild.Binary(filepath.Join(tmp, "bin"), "tool/pyc"); err != nil {
		return 0, err
	}
	env.stubs = filepath.Join(env.repo, "tests", "bazel", "testdata", "stubs")
	return m.Run(), nil
}

// shutdownAll stops every Bazel server the tests started.
func shutdownAll() {
	env.mu.Lock()
	defer env.mu.Unlock()
	for _, w := range env.servers {
		if err := w.shutdown(); err != nil {
			fmt.Fprintf(os.Stderr, "tests/bazel: %v\n", err)
		}
	}
	env.servers = nil
}

// shutdown stops the workspace's Bazel server and its workers.
func (w *workspace) shutdown() error {
	if out, err := w.command("shutdown").CombinedOutput(); err != nil {
		return fmt.Errorf("bazel shutdown in %s: %v\n%s", w.dir, err, out)
	}
	return nil
}

// mode is how a workspace declares its dependencies.
type mode string

const (
	bzlmod     mode = "bzlmod"
	workspaceM mode = "workspace"
)

// workspace is one Bazel workspace with its own server.
type workspace struct {
	t      testing.TB
	dir    string
	mode   mode
	python string   // PYC_PYTHON for the system interpreter toolchain
	rcs    []string // more --bazelrc files (real rule sets from scripts/fixtures, ...)
	// ownGo: the rcs provide rules_go and gazelle (the stand-ins or the real
	// ones). Else flags() puts in the stand-ins and the prebuilt pyc.
	ownGo bool
}

// newWorkspace returns a workspace at dir, whose server is shut down at the end.
func newWorkspace(t testing.TB, dir string, m mode, python string) *workspace {
	w := &workspace{t: t, dir: dir, mode: m, python: python}
	env.mu.Lock()
	env.servers = append(env.servers, w)
	env.mu.Unlock()
	return w
}

// in returns the workspace for use by test t (a subtest of its creator's):
// its failures fail t.
func (w *workspace) in(t testing.TB) *workspace {
	c := *w
	c.t = t
	return &c
}

// command returns `scripts/bazel` running args in the workspace.
func (w *workspace) command(args ...string) *exec.Cmd {
	startup := []string{"--output_user_root=" + env.userRoot, "--max_idle_secs=600"}
	for _, rc := range w.rcs {
		startup = append(startup, "--bazelrc="+rc)
	}
	cmd := exec.Command(filepath.Join(env.repo, "scripts", "bazel"), append(startup, args...)...)
	cmd.Dir = w.dir
	return cmd
}

// flags are the options every build, test and run command gets.
func (w *workspace) flags() []string {
	f := []string{
		"--color=no",
		"--curses=no",
		"--nosandbox_debug",
		"--repo_env=PYC_PYTHON=" + w.python,
	}
	if w.ownGo {
		return f
	}
	f = append(f, "--@rules_pyc//rules:compiler=@rules_pyc//:pyc")
	rulesGo := filepath.Join(env.stubs, "rules_go")
	if w.mode == bzlmod {
		f = append(f,
			"--override_module=rules_go="+rulesGo,
			"--override_module=gazelle="+filepath.Join(env.stubs, "gazelle"))
	} else {
		f = append(f,
			"--noenable_bzlmod",
			"--enable_workspace",
			"--override_repository=io_bazel_rules_go="+rulesGo,
			"--override_repository=bazel_gazelle="+filepath.Join(env.stubs, "gazelle"))
	}
	return f
}

// result is what one Bazel command did.
type result struct {
	stdout, stderr string
	err            error
}

// bazel runs a Bazel command (build, test, run, ...) with the workspace's flags
// followed by args; `--` and what follows stay last.
func (w *workspace) bazel(command string, args ...string) result {
	w.t.Helper()
	var opts, rest []string
	for i, a := range args {
		if a == "--" {
			rest = args[i:]
			break
		}
		opts = append(opts, a)
	}
	all := append([]string{command}, w.flags()...)
	all = append(all, opts...)
	all = append(all, rest...)
	cmd := w.command(all...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	err := cmd.Run()
	return result{stdout: stdout.String(), stderr: stderr.String(), err: err}
}

// mustBazel runs a Bazel command and fails the test when it fails.
func (w *workspace) mustBazel(command string, args ...string) result {
	w.t.Helper()
	r := w.bazel(command, args...)
	if r.err != nil {
		w.t.Fatalf("bazel %s %s in %s: %v\n%s\nstdout:\n%s", command, strings.Join(args, " "), w.dir, r.err, tail(r.stderr, 60), tail(r.stdout, 40))
	}
	return r
}

// info returns `bazel info KEY`.
func (w *workspace) info(key string) string {
	w.t.Helper()
	return strings.TrimSpace(w.mustBazel("info", key).stdout)
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// spawn is one entry of Bazel's --execution_log_json_file.
type spawn struct {
	Mnemonic    string   `json:"mnemonic"`
	Runner      string   `json:"runner"`
	CacheHit    bool     `json:"cacheHit"`
	TargetLabel string   `json:"targetLabel"`
	CommandArgs []string `json:"commandArgs"`
	Inputs      []struct {
		Path string `json:"path"`
	} `json:"inputs"`
}

// readExecLog parses an execution log: JSON objects one after another.
func readExecLog(t testing.TB, path string) []spawn {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("execution log: %v", err)
	}
	defer f.Close()
	var spawns []spawn
	dec := json.NewDecoder(f)
	for {
		var s spawn
		if err := dec.Decode(&s); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("execution log %s: %v", path, err)
		}
		spawns = append(spawns, s)
	}
	return spawns
}

// withMnemonic returns the spawns of a log that have the given mnemonic
// (PycCompile for rules_pyc's actions, PyCompile for rules_python's).
func withMnemonic(spawns []spawn, mnemonic string) []spawn {
	var out []spawn
	for _, s := range spawns {
		if s.Mnemonic == mnemonic {
			out = append(out, s)
		}
	}
	return out
}

// pycFiles returns the contents of every .pyc file under dir (not following
// symlinks, so runfiles trees are skipped), keyed by their path relative to dir.
func pycFiles(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	dir, err := filepath.EvalSymlinks(dir) // bazel-bin is a symlink
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasSuffix(d.Name(), ".runfiles") {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(path, ".pyc") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		files[rel] = b
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	return files
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// copyTree copies the regular files under src to dst, skipping .git and
// Bazel's convenience links (and anything else that is a symlink).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == ".git" || strings.HasPrefix(d.Name(), "bazel-")) {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type().IsRegular():
			return copyFile(path, target)
		}
		return nil
	})
}

// copyFile copies src to dst with src's permission bits.
func copyFile(src, dst string) error {
	info, err := os.Stat(src)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(dst, b, info.Mode().Perm()); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return nil
}

// writeFiles writes files (path relative to dir -> content) under dir.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkout copies this repository to dir, as a clone of it would be, with
// pyc built at its root as `CGO_ENABLED=0 go build -trimpath -o pyc ./tool/pyc` does.
func checkout(t testing.TB, dir string) string {
	t.Helper()
	if err := copyTree(env.repo, dir); err != nil {
		t.Fatalf("copy the repository to %s: %v", dir, err)
	}
	if err := copyFile(env.pyc, filepath.Join(dir, "pyc")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// runCommand runs argv in dir with the environment plus extra, and returns
// its stdout; it fails the test when the command fails.
func runCommand(t testing.TB, dir string, extra []string, argv ...string) string {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), extra...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(argv, " "), err, tail(stderr.String(), 30))
	}
	return stdout.String()
}
