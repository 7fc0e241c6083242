// Package pythons finds the CPython interpreters present on the machine, for
// tests that compare rules_pyc's output with a real interpreter's.
//
// Sources, in this order:
//
//   - every path in the environment variable RULES_PYC_PYTHONS (separated by
//     the OS list separator, ':' on Unix);
//   - python3 on PATH (a pyenv shim is resolved through sys.executable);
//   - $(pyenv root)/versions/*/bin/python3 (pyenv root from the pyenv command
//     when present, else $PYENV_ROOT, else $HOME/.pyenv);
//   - /usr/bin/python3* and /usr/local/bin/python3*;
//   - CPython 3.14 from the Go module github.com/kluctl/go-embed-python, pinned
//     in the test-only module internal/embedpython and extracted under the
//     user cache directory.
//
// Each candidate is probed once per test process with one `-S -s -c` call.
// Interpreters that are not CPython, or older than 3.8, are skipped. Two
// candidates that resolve to the same file are one interpreter; two builds of
// the same X.Y (a pyenv 3.11.7 and a distribution's 3.11.2) are two.
package pythons

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/internal/gobuild"
)

// EnvVar names the environment variable that adds interpreters to the ones
// found on the machine.
const EnvVar = "RULES_PYC_PYTHONS"

// Interpreter is one CPython build, as it describes itself.
type Interpreter struct {
	// Path is the interpreter's executable (sys.executable), absolute.
	Path string
	// Version is "X.Y.Z", with the release level appended for pre-releases
	// ("3.14.0rc1").
	Version string
	// Major, Minor and Micro are sys.version_info's first three fields.
	Major, Minor, Micro int
	// Magic is importlib.util.MAGIC_NUMBER.
	Magic [4]byte
	// CacheTag is sys.implementation.cache_tag, e.g. "cpython-312".
	CacheTag string
	// Embedded is true for the interpreter extracted from the
	// go-embed-python module.
	Embedded bool
	// Chroot, when set, is the program that runs the interpreter inside
	// its chroot (scripts/chroot for Debian sid's, see Chrooted;
	// scripts/chroot-trixie for Debian trixie's, see ChrootedSuite); Path
	// is then a path inside the chroot. Command runs any interpreter.
	Chroot string
	// Suite is the Debian suite of the chroot ("sid", "trixie"); empty on
	// the host.
	Suite string
}

// String returns "3.12.1 (/path/to/python3)", or "3.13.18
// (/usr/bin/python3.13 in the chroot)".
func (i Interpreter) String() string {
	if i.Chroot != "" && i.Suite != "" && i.Suite != "sid" {
		return fmt.Sprintf("%s (%s in the %s chroot)", i.Version, i.Path, i.Suite)
	}
	if i.Chroot != "" {
		return fmt.Sprintf("%s (%s in the chroot)", i.Version, i.Path)
	}
	return fmt.Sprintf("%s (%s)", i.Version, i.Path)
}

// AtLeast reports whether the interpreter's version is major.minor or newer.
func (i Interpreter) AtLeast(major, minor int) bool {
	return i.Major > major || (i.Major == major && i.Minor >= minor)
}

// discovery is the result of the one search a test process makes.
type discovery struct {
	found    []Interpreter
	embedded *Interpreter
	log      []string
}

var (
	once   sync.Once
	result discovery
)

// Find returns every CPython >= 3.8 on the machine, sorted by version, then
// path. The machine is searched once per test process; every call logs the
// list with t.Logf.
func Find(t testing.TB) []Interpreter {
	t.Helper()
	d := discover()
	for _, line := range d.log {
		t.Logf("pythons: %s", line)
	}
	return append([]Interpreter(nil), d.found...)
}

// Require returns what Find returns and fails the test when fewer than n
// interpreters were found.
func Require(t testing.TB, n int) []Interpreter {
	t.Helper()
	found := Find(t)
	if len(found) < n {
		t.Fatalf("pythons: need at least %d CPython interpreters (>= 3.8), found %d; add some with %s=path1:path2", n, len(found), EnvVar)
	}
	return found
}

// Embedded314 returns the CPython 3.14 extracted from the go-embed-python
// module, and false when it could not be obtained (the reason is logged).
func Embedded314(t testing.TB) (Interpreter, bool) {
	t.Helper()
	d := discover()
	if d.embedded == nil {
		for _, line := range d.log {
			if strings.HasPrefix(line, "embedded") {
				t.Logf("pythons: %s", line)
			}
		}
		return Interpreter{}, false
	}
	return *d.embedded, true
}

func discover() discovery {
	once.Do(func() {
		result = search()
	})
	return result
}

// candidate is a path to probe and where it came from.
type candidate struct {
	path   string
	source string
}

func search() discovery {
	var d discovery
	logf := func(format string, args ...any) {
		d.log = append(d.log, fmt.Sprintf(format, args...))
	}

	var cands []candidate
	for _, p := range filepath.SplitList(os.Getenv(EnvVar)) {
		if p != "" {
			cands = append(cands, candidate{p, EnvVar})
		}
	}
	// In a test binary that RunInChroot started, the variable names the
	// chroot's interpreters; the host's are tested on the host.
	if !InChroot() {
		cands = append(cands, hostCandidates(logf)...)
	}

	seen := map[string]bool{}
	for _, c := range cands {
		in, err := probe(c.path)
		if err != nil {
			logf("skip %s (%s): %v", c.path, c.source, err)
			continue
		}
		real, err := filepath.EvalSymlinks(in.Path)
		if err != nil {
			logf("skip %s (%s): resolve %s: %v", c.path, c.source, in.Path, err)
			continue
		}
		if seen[real] {
			continue
		}
		seen[real] = true
		if c.source == "embedded" {
			in.Embedded = true
			e := in
			d.embedded = &e
		}
		d.found = append(d.found, in)
	}
	sort.SliceStable(d.found, func(a, b int) bool { return versionLess(d.found[a], d.found[b]) })
	names := make([]string, len(d.found))
	for i, in := range d.found {
		names[i] = in.String()
	}
	logf("found %d: %s", len(d.found), strings.Join(names, ", "))
	return d
}

// hostCandidates are the places searched on the host, after RULES_PYC_PYTHONS.
func hostCandidates(logf func(string, ...any)) []candidate {
	var cands []candidate
	if p, err := exec.LookPath("python3"); err == nil {
		cands = append(cands, candidate{p, "PATH"})
	}
	if root := pyenvRoot(); root != "" {
		matches, _ := filepath.Glob(filepath.Join(root, "versions", "*", "bin", "python3"))
		for _, p := range matches {
			cands = append(cands, candidate{p, "pyenv"})
		}
	}
	for _, dir := range []string{"/usr/bin", "/usr/local/bin"} {
		matches, _ := filepath.Glob(filepath.Join(dir, "python3*"))
		for _, p := range matches {
			if systemName.MatchString(filepath.Base(p)) {
				cands = append(cands, candidate{p, dir})
			}
		}
	}
	embeddedPath, err := extractEmbedded()
	if err != nil {
		logf("embedded 3.14 unavailable: %v", err)
	} else {
		cands = append(cands, candidate{embeddedPath, "embedded"})
	}
	return cands
}

// systemName matches python3 and python3.X, not python3-config or python3.X-config.
var systemName = regexp.MustCompile(`^python3(\.[0-9]+)?$`)

// pyenvRoot returns pyenv's root directory, or "" when there is none.
func pyenvRoot() string {
	if _, err := exec.LookPath("pyenv"); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "pyenv", "root").Output()
		if err == nil {
			if root := strings.TrimSpace(string(out)); root != "" {
				return root
			}
		}
	}
	if root := os.Getenv("PYENV_ROOT"); root != "" {
		return root
	}
	if home, err := os.UserHomeDir(); err == nil {
		root := filepath.Join(home, ".pyenv")
		if st, err := os.Stat(root); err == nil && st.IsDir() {
			return root
		}
	}
	return ""
}

// probeScript prints one line of facts. It is written so that any Python 3
// can run it; the checks on the answer are made in Go.
const probeScript = `import sys
impl = sys.implementation
v = sys.version_info
try:
    import importlib.util
    magic = importlib.util.MAGIC_NUMBER.hex()
except Exception:
    magic = "-"
print(impl.name, v[0], v[1], v[2], v[3], v[4], magic, impl.cache_tag or "-", sys.executable or "-")
`

// probe runs path once and returns what it says about itself.
func probe(path string) (Interpreter, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-S", "-s", "-c", probeScript)
	cmd.Env = cleanEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return Interpreter{}, fmt.Errorf("probe: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return parseProbe(string(out))
}

// parseProbe reads the line probeScript prints.
func parseProbe(out string) (Interpreter, error) {
	f := strings.Fields(strings.TrimSpace(out))
	if len(f) < 9 {
		return Interpreter{}, fmt.Errorf("probe: unexpected answer %q", out)
	}
	// sys.executable may contain spaces: it is everything after field 8.
	name, nums, level, serial, magicHex, tag := f[0], f[1:4], f[4], f[5], f[6], f[7]
	exe := strings.Join(f[8:], " ")
	if name != "cpython" {
		return Interpreter{}, fmt.Errorf("not CPython (%s)", name)
	}
	var v [3]int
	for i, s := range nums {
		n, err := strconv.Atoi(s)
		if err != nil {
			return Interpreter{}, fmt.Errorf("probe: bad version field %q in %q", s, out)
		}
		v[i] = n
	}
	if v[0] != 3 || v[1] < 8 {
		return Interpreter{}, fmt.Errorf("version %d.%d.%d is older than 3.8", v[0], v[1], v[2])
	}
	mb, err := hex.DecodeString(magicHex)
	if err != nil || len(mb) != 4 {
		return Interpreter{}, fmt.Errorf("probe: bad magic number %q", magicHex)
	}
	if tag == "-" {
		return Interpreter{}, errors.New("no cache tag (sys.implementation.cache_tag is None)")
	}
	if exe == "-" || !filepath.IsAbs(exe) {
		return Interpreter{}, fmt.Errorf("probe: sys.executable %q is not an absolute path", exe)
	}
	version := fmt.Sprintf("%d.%d.%d", v[0], v[1], v[2])
	if suffix, ok := levelSuffix[level]; ok {
		version += suffix + serial
	}
	in := Interpreter{
		Path:     exe,
		Version:  version,
		Major:    v[0],
		Minor:    v[1],
		Micro:    v[2],
		CacheTag: tag,
	}
	copy(in.Magic[:], mb)
	return in, nil
}

// levelSuffix maps sys.version_info.releaselevel to the letters of a
// pre-release version string.
var levelSuffix = map[string]string{"alpha": "a", "beta": "b", "candidate": "rc"}

// cleanEnv is the test process's environment without PYTHON* variables, which
// would change what the interpreter loads (PYTHONHOME, PYTHONPATH, ...).
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PYTHON") {
			env = append(env, kv)
		}
	}
	return env
}

// extractEmbedded runs the internal/embedpython module (with the go command
// that `go test` puts first on PATH), which extracts the
// CPython 3.14 carried by go-embed-python under the user cache directory
// (once; later runs find it in place) and prints the executable's path.
func extractEmbedded() (string, error) {
	root, err := gobuild.Root()
	if err != nil {
		return "", err
	}
	modDir := filepath.Join(root, "internal", "embedpython")
	if _, err := os.Stat(filepath.Join(modDir, "go.mod")); err != nil {
		return "", fmt.Errorf("module internal/embedpython: %w", err)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("user cache directory: %w", err)
	}
	dest := filepath.Join(cache, "rules_pyc", "python-3.14")
	// The first run downloads the module (about 36 MB) and extracts it.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "run", ".", dest)
	cmd.Dir = modDir
	cmd.Env = append(cleanEnv(), "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go run %s %s: %w: %s", modDir, dest, err, strings.TrimSpace(stderr.String()))
	}
	exe := strings.TrimSpace(string(out))
	if exe == "" {
		return "", fmt.Errorf("go run %s printed no path", modDir)
	}
	return exe, nil
}

// RunJSON runs script with the interpreter, isolated from the user's site
// and from PYTHON* variables, sends input as JSON on stdin and decodes the
// JSON the script prints into output. Any failure fails the test.
func (i Interpreter) RunJSON(t testing.TB, script string, input, output any) {
	t.Helper()
	req, err := json.Marshal(input)
	if err != nil {
		t.Fatal(err)
	}
	cmd := i.Command(context.Background(), "-S", "-s", "-c", script)
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v: %s", i, err, stderr.String())
	}
	if err := json.Unmarshal(out, output); err != nil {
		t.Fatalf("%s: decode %q: %v", i, out, err)
	}
}
