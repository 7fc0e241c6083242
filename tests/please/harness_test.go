// Package please runs rules_pyc's Please plugin (the .plzconfig and
// build_defs/ at the repository's root) on a real Please 17.31.2 and checks
// what it builds against real CPython interpreters.
//
// Please and arcat are built from the source archives in the fixtures
// directory by scripts/plz (cached outside the clone); the pyc binary is
// built from this checkout with `go build`. Each test writes host
// repositories under a temporary directory that load the plugin the way
// users do, with plugin_repo, from a zip laid out like GitHub's archive of
// this repository (served through a file:// plugin repository URL, since the
// machines have no network). Please's own directory cache is off, so every
// output is built by the build under test.
//
// When the fixtures are absent the tests skip, unless CI is set: then they
// fail.
package please

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/internal/gobuild"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// env is what every test shares, set up once in TestMain.
var env struct {
	repo    string // the checkout these tests belong to
	tmp     string // everything the tests write
	pyc     string // the pyc binary built with go build
	plz     string // Please 17.31.2
	arcat   string // arcat, Please's archiver
	plugins string // root of the file:// plugin repository
	// missing is why Please could not be had (the fixtures are absent).
	missing string
}

// pluginRevision is the revision the host repositories ask plugin_repo for.
const pluginRevision = "test"

func TestMain(m *testing.M) {
	code, err := setUp(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tests/please:", err)
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
	tmp, err := os.MkdirTemp("", "rules_pyc-please-")
	if err != nil {
		return 0, err
	}
	env.tmp = tmp
	defer os.RemoveAll(tmp)

	env.plz, err = plzScript("--path")
	if err == nil {
		env.arcat, err = plzScript("--arcat-path")
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 2 {
		env.missing = strings.TrimSpace(string(ee.Stderr))
	} else if err != nil {
		return 0, err
	}

	if env.pyc, err = gobuild.Binary(filepath.Join(tmp, "bin"), "tool/pyc"); err != nil {
		return 0, err
	}
	env.plugins = filepath.Join(tmp, "plugin-repos")
	if err := pluginArchive(filepath.Join(env.plugins, "rules-pyc", "rules_pyc", "archive", pluginRevision+".zip")); err != nil {
		return 0, err
	}
	return m.Run(), nil
}

// plzScript runs scripts/plz with one of its path options.
func plzScript(option string) (string, error) {
	cmd := exec.Command(filepath.Join(env.repo, "scripts", "plz"), option)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("scripts/plz %s: %w\n%s", option, err, ee.Stderr)
		}
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

// requirePlease skips the test when Please could not be built because the
// fixtures are absent, or fails it under CI.
func requirePlease(t *testing.T) {
	t.Helper()
	if env.missing == "" {
		return
	}
	if pythons.OnCI() {
		t.Fatalf("Please is needed under %s=%s: %s", pythons.CIEnv, os.Getenv(pythons.CIEnv), env.missing)
	}
	t.Skipf("Please unavailable: %s", env.missing)
}

// pluginArchive writes the plugin as GitHub serves an archive of this
// repository at a revision: a zip whose one top-level directory holds the
// repository's files. Only the plugin's own files matter to Please (the
// .plzconfig at the root and build_defs/), so only they are copied.
func pluginArchive(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var files []string
	files = append(files, ".plzconfig")
	err := filepath.WalkDir(filepath.Join(env.repo, "build_defs"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			rel, err := filepath.Rel(env.repo, p)
			if err != nil {
				return err
			}
			files = append(files, rel)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, rel := range files {
		data, err := os.ReadFile(filepath.Join(env.repo, rel))
		if err != nil {
			return err
		}
		info, err := os.Stat(filepath.Join(env.repo, rel))
		if err != nil {
			return err
		}
		h := &zip.FileHeader{Name: "rules_pyc-" + pluginRevision + "/" + filepath.ToSlash(rel), Method: zip.Deflate}
		h.SetMode(info.Mode().Perm())
		w, err := zw.CreateHeader(h)
		if err != nil {
			return err
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// hostRepo is one Please repository that uses the plugin.
type hostRepo struct {
	t   *testing.T
	dir string
	py  pythons.Interpreter
}

// newHostRepo writes a Please repository at a new directory: a .plzconfig
// that selects the plugin (loaded with plugin_repo) for py, with pyc found
// on the build PATH as the plugin's default Tool setting expects, plus
// extraConfig, and the files given (path -> content).
func newHostRepo(t *testing.T, py pythons.Interpreter, extraConfig string, files map[string]string) *hostRepo {
	t.Helper()
	requirePlease(t)
	dir, err := os.MkdirTemp(env.tmp, "repo-")
	if err != nil {
		t.Fatal(err)
	}
	config := fmt.Sprintf(`[please]
selfupdate = false
pluginrepo = file://%s/{owner}/{plugin}/archive/{revision}.zip

[build]
arcattool = %s
path = %s:/usr/local/bin:/usr/bin:/bin

[cache]
dir =

[parse]
preloadsubincludes = ///pyc//build_defs:pyc

[Plugin "pyc"]
Target = //plugins:pyc
PythonVersion = %d.%d
Interpreter = %s
%s`, env.plugins, env.arcat, filepath.Dir(env.pyc), py.Major, py.Minor, py.Path, extraConfig)
	all := map[string]string{
		".plzconfig": config,
		"plugins/BUILD.plz": fmt.Sprintf("plugin_repo(\n    name = \"pyc\",\n    owner = \"rules-pyc\",\n    plugin = \"rules_pyc\",\n    revision = %q,\n)\n",
			pluginRevision),
	}
	for name, content := range files {
		all[name] = content
	}
	writeFiles(t, dir, all)
	return &hostRepo{t: t, dir: dir, py: py}
}

// result is what one plz command did.
type result struct {
	out string // stdout and stderr
	err error
}

// plzLimit bounds one plz command. The longest here take seconds (a whole
// subtest's commands at most 11 s on a quiet machine). Without the plugin
// preloaded, Please 17.31.2 now and then stops for good while it parses a
// package that subincludes the plugin (every goroutine waits in
// BuildState.WaitForPackage for //plugins:all, with no CPU used and no task
// left to run; see docs/please.md); should a command stop so all the same,
// it is stopped at the limit and run once more. Each stop costs the whole
// limit, so it is kept short.
const plzLimit = time.Minute

// plz runs plz in the repository; a chroot interpreter's plz runs in the
// chroot, beside it.
func (r *hostRepo) plz(args ...string) result {
	r.t.Helper()
	return r.plzEach(func(int) []string { return args })
}

// plzEach is plz with the arguments argsOf gives each attempt (1, and 2
// for the run after a stopped one), so that a caller can tell the
// attempts' logs apart.
func (r *hostRepo) plzEach(argsOf func(attempt int) []string) result {
	r.t.Helper()
	args := argsOf(1)
	res, stuck := r.plzOnce(args)
	if stuck {
		r.t.Logf("plz %s stopped after %v with no result (Please's WaitForPackage deadlock); running it again\n%s", strings.Join(args, " "), plzLimit, tail(res.out, 10))
		res, stuck = r.plzOnce(argsOf(2))
		if stuck {
			res.err = fmt.Errorf("plz did not finish within %v, twice: %w", plzLimit, res.err)
		}
	}
	return res
}

// plzOnce runs plz once, within plzLimit; stuck reports that it was
// stopped at the limit.
func (r *hostRepo) plzOnce(args []string) (result, bool) {
	all := append([]string{"--noupdate", "--plain_output", "--nocolour"}, args...)
	var cmd *exec.Cmd
	if r.py.Chroot != "" {
		cmd = r.py.Program(r.t.Context(), env.plz, all...)
		cmd.Env = os.Environ()
	} else {
		cmd = exec.Command(env.plz, all...)
	}
	cmd.Dir = r.dir
	// Its own process group, so that the limit stops plz and whatever it
	// started, the chroot's wrapper included.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return result{err: err}, false
	}
	var killed atomic.Bool
	timer := time.AfterFunc(plzLimit, func() {
		killed.Store(true)
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	})
	err := cmd.Wait()
	timer.Stop()
	return result{out: out.String(), err: err}, killed.Load()
}

// mustPlz runs plz and fails the test when it fails.
func (r *hostRepo) mustPlz(args ...string) result {
	r.t.Helper()
	res := r.plz(args...)
	if res.err != nil {
		r.t.Fatalf("plz %s in %s: %v\n%s", strings.Join(args, " "), r.dir, res.err, tail(res.out, 40))
	}
	return res
}

// gen returns the path of a file under plz-out/gen.
func (r *hostRepo) gen(rel string) string {
	return filepath.Join(r.dir, "plz-out", "gen", filepath.FromSlash(rel))
}

// writeFiles writes files (path relative to dir -> content) under dir.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// copyFile copies src to dst.
func copyFile(t testing.TB, src, dst string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := os.Create(dst)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// firstDiff describes where a and b differ.
func firstDiff(a, b []byte) string {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return fmt.Sprintf("first difference at byte %d of %d/%d", i, len(a), len(b))
		}
	}
	return fmt.Sprintf("lengths %d and %d", len(a), len(b))
}
