package pythons

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/internal/gobuild"
)

// chrootProgram is the project's script that runs a program inside the
// Debian sid chroot, relative to the repository root.
const chrootProgram = "scripts/chroot"

// suitePrograms are the scripts that run a program in the chroot of each
// Debian suite: sid's (Bazel and the newest interpreters), trixie's (Debian
// 13's python3.13, CPython 3.13.5) and forky's (Debian testing's
// python3.13, CPython 3.13.15 when this was written).
var suitePrograms = map[string]string{
	"sid":    chrootProgram,
	"trixie": "scripts/chroot-trixie",
	"forky":  "scripts/chroot-forky",
}

// optionalSuites are the chroots a run may lack, under CI too: Debian
// testing drops an interpreter once its successor is the default, and
// forky's python3.13 is a fourth 3.13 release to compare with, beside the
// three the project requires (3.13.0 on the host, trixie's and sid's).
// Where it is missing, its subtest says so and skips; the others run.
var optionalSuites = map[string]bool{"forky": true}

// chrootSetupTimeout bounds the first call of scripts/chroot, which builds
// the chroot (about two minutes once per machine; longer on a slow mirror).
const chrootSetupTimeout = 20 * time.Minute

var (
	chrootMu      sync.Mutex
	chrootResults = map[string]*discovery{}
)

// ChrootedSuite returns the CPython interpreters installed in the chroot of
// a Debian suite ("sid": the same as Chrooted; "trixie": Debian 13's
// python3.13), as Chrooted does for sid: each one's Chroot is the program
// that runs it there (scripts/chroot-trixie for trixie). The chroot is built
// on first use (about four minutes for trixie, once per machine).
func ChrootedSuite(t testing.TB, suite string) []Interpreter {
	t.Helper()
	chrootMu.Lock()
	d, ok := chrootResults[suite]
	if !ok {
		d = searchChroot(suite)
		chrootResults[suite] = d
	}
	chrootMu.Unlock()
	for _, line := range d.log {
		t.Logf("pythons: chroot %s: %s", suite, line)
	}
	return append([]Interpreter(nil), d.found...)
}

// Chrooted returns the CPython interpreters installed in the Debian sid
// chroot that scripts/chroot runs programs in (python3.13, python3.14, ...),
// sorted by version. Each one's Chroot is scripts/chroot, which runs it; its
// Path is the path inside the chroot. The chroot is built on first use
// (scripts/bazel's set-up, about two minutes once per machine). Nothing is
// returned when the chroot can't be had (not root, no Debian archive); the
// reason is logged. An interpreter that the host itself provides (scripts/chroot
// shows the host's /usr/bin/pythonX.Y inside when the chroot has none of its
// own) is left out: Find reports it. Inside the chroot (InChroot) there are
// none: Find lists the chroot's interpreters there.
func Chrooted(t testing.TB) []Interpreter {
	t.Helper()
	return ChrootedSuite(t, "sid")
}

// chrootProbe runs probeScript with every /usr/bin/python3.N of the
// chroot that the chroot's dpkg installed, one line each. The others are
// the host's, mounted there where the chroot has none of its own (and the
// chroot's own python3.N is the one inside even when the host has one at
// the same path).
const chrootProbe = `for p in /usr/bin/python3.*; do
	case "${p##*/}" in
	python3.[0-9] | python3.[0-9][0-9])
		dpkg-query -S "$p" >/dev/null 2>&1 || continue
		"$p" -S -s -c "$1" || echo "failed $p" ;;
	esac
done`

func searchChroot(suite string) *discovery {
	d := &discovery{}
	program, ok := suitePrograms[suite]
	if !ok {
		d.log = append(d.log, fmt.Sprintf("unknown suite %q", suite))
		return d
	}
	logf := func(format string, args ...any) {
		d.log = append(d.log, fmt.Sprintf(format, args...))
	}
	if InChroot() {
		// Find lists them here; and scripts/chroot does not nest.
		logf("none: this test runs inside the chroot, where Find lists its interpreters")
		return d
	}
	script, err := chrootScript(program)
	if err != nil {
		logf("unavailable: %v", err)
		return d
	}
	if os.Geteuid() != 0 {
		logf("unavailable: %s needs root", program)
		return d
	}
	ctx, cancel := context.WithTimeout(context.Background(), chrootSetupTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, script, "sh", "-c", chrootProbe, "sh", probeScript)
	cmd.Env = cleanEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		logf("unavailable: %s sh: %v: %s", program, err, strings.TrimSpace(stderr.String()))
		return d
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		if rest, ok := strings.CutPrefix(line, "failed "); ok {
			logf("skip %s: the probe failed", rest)
			continue
		}
		in, err := parseProbe(line)
		if err != nil {
			logf("skip: %v", err)
			continue
		}
		in.Chroot, in.Suite = script, suite
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

// chrootScript returns the absolute path of program (scripts/chroot, ...)
// in the source tree this package was built from.
func chrootScript(program string) (string, error) {
	root, err := gobuild.Root()
	if err != nil {
		return "", err
	}
	p := filepath.Join(root, program)
	if _, err := os.Stat(p); err != nil {
		return "", err
	}
	return p, nil
}

// versionLess orders interpreters by version, then path.
func versionLess(x, y Interpreter) bool {
	if x.Major != y.Major {
		return x.Major < y.Major
	}
	if x.Minor != y.Minor {
		return x.Minor < y.Minor
	}
	if x.Micro != y.Micro {
		return x.Micro < y.Micro
	}
	return x.Path < y.Path
}

// Minor returns every interpreter of version major.minor on the machine,
// the host's (Find) and the chroots' (Chrooted, and trixie's of
// ChrootedSuite), sorted by version. It fails the test when there is none:
// a suite that compares with major.minor must not pass without comparing
// anything.
func Minor(t testing.TB, major, minor int) []Interpreter {
	t.Helper()
	var out []Interpreter
	all := append(Find(t), Chrooted(t)...)
	if major == 3 && minor == 13 {
		// Only trixie's 3.13 is there.
		all = append(all, ChrootedSuite(t, "trixie")...)
	}
	for _, in := range all {
		if in.Major == major && in.Minor == minor {
			out = append(out, in)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return versionLess(out[a], out[b]) })
	if len(out) == 0 {
		t.Fatalf("pythons: no CPython %d.%d found, on the host (%s=path adds one) or in the chroot of %s", major, minor, EnvVar, chrootProgram)
	}
	return out
}

// Command returns a command that runs the interpreter with args, isolated
// from PYTHON* variables (through scripts/chroot for a chroot's
// interpreter). Paths in args mean the same file inside the chroot when
// they are under a directory that scripts/chroot shows at the same path
// (/tmp, /root, /work, ...: every top-level directory that is not the
// operating system's).
func (i Interpreter) Command(ctx context.Context, args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	if i.Chroot != "" {
		cmd = exec.CommandContext(ctx, i.Chroot, append([]string{i.Path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, i.Path, args...)
	}
	cmd.Env = cleanEnv()
	return cmd
}

// Program returns a command that runs program with args where the
// interpreter runs: on the host, or through scripts/chroot for a chroot's
// interpreter (a pyc binary built on the host runs inside too, and starts
// the interpreter by its Path). Like Command, it isolates the program from
// PYTHON* variables.
func (i Interpreter) Program(ctx context.Context, program string, args ...string) *exec.Cmd {
	var cmd *exec.Cmd
	if i.Chroot != "" {
		cmd = exec.CommandContext(ctx, i.Chroot, append([]string{program}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, program, args...)
	}
	cmd.Env = cleanEnv()
	return cmd
}

// chrootEnv is set in a test process that RunInChroot started inside the
// chroot: its Find takes only the paths in RULES_PYC_PYTHONS, the chroot's
// interpreters, and Chrooted returns none.
const chrootEnv = "RULES_PYC_PYTHONS_CHROOT"

// InChroot reports whether this process is a test binary that RunInChroot
// started inside the chroot.
func InChroot() bool { return os.Getenv(chrootEnv) != "" }

// CIEnv names the variable a CI system sets. Under CI, a test that needs
// the chroot fails instead of skipping when it is unavailable.
const CIEnv = "CI"

// OnCI reports whether the tests run under CI (CI set to anything but "",
// "0" or "false").
func OnCI() bool {
	v := strings.ToLower(os.Getenv(CIEnv))
	return v != "" && v != "0" && v != "false"
}

// RequireChrooted returns what Chrooted returns, and when that is nothing,
// skips the test, or fails it under CI.
func RequireChrooted(t testing.TB) []Interpreter {
	t.Helper()
	found := Chrooted(t)
	if len(found) == 0 {
		if OnCI() {
			t.Fatalf("pythons: the chroot's interpreters are needed under %s=%s (see the log above)", CIEnv, os.Getenv(CIEnv))
		}
		t.Skip("pythons: the chroot's interpreters are unavailable (see the log above)")
	}
	return found
}

// RunInChroot runs the calling package's tests (every test of the test
// binary that runs, but the caller) once more inside the chroot, where Find
// returns the chroot's interpreters and nothing else, so that tests which
// start an interpreter per file (whole-stdlib comparisons, py_compile
// references) cover them unchanged and at native cost. It fails t when a
// test fails there, and logs the child's -v output. Inside the chroot it
// returns at once; when the chroot is unavailable it skips as
// RequireChrooted does. RULES_PYC_CHROOT_RUN, when set, is the child's -run
// pattern.
//
// suites names the chroots, by Debian suite: none means sid's; several
// ("sid", "trixie") run the tests in each, as subtests named by suite. An
// optional suite's chroot (optionalSuites) that is unavailable skips its
// subtest, under CI too.
//
// The child runs with the parent's -short and remaining -timeout, in its
// working directory and environment, with the Go installation bound into
// the chroot, so that a TestMain that builds a tool with `go build` works
// there too.
func RunInChroot(t *testing.T, suites ...string) {
	t.Helper()
	if InChroot() {
		return
	}
	if len(suites) == 0 {
		suites = []string{"sid"}
	}
	if len(suites) == 1 {
		runInChroot(t, t.Name(), suites[0])
		return
	}
	top := t.Name()
	for _, suite := range suites {
		t.Run(suite, func(t *testing.T) { runInChroot(t, top, suite) })
	}
}

// runInChroot runs the tests of the binary but skip in the chroot of suite.
func runInChroot(t *testing.T, skip, suite string) {
	t.Helper()
	found := ChrootedSuite(t, suite)
	if len(found) == 0 {
		if OnCI() && !optionalSuites[suite] {
			t.Fatalf("pythons: the %s chroot's interpreters are needed under %s=%s (see the log above)", suite, CIEnv, os.Getenv(CIEnv))
		}
		t.Skipf("pythons: the %s chroot's interpreters are unavailable (see the log above)", suite)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	args := []string{exe, "-test.v", "-test.skip", "^" + skip + "$"}
	if pattern := os.Getenv("RULES_PYC_CHROOT_RUN"); pattern != "" {
		args = append(args, "-test.run", pattern)
	}
	if testing.Short() {
		args = append(args, "-test.short")
	}
	if d, ok := t.Deadline(); ok {
		args = append(args, "-test.timeout", time.Until(d).Round(time.Second).String())
	}
	paths := make([]string, len(found))
	for i, in := range found {
		paths[i] = in.Path
	}
	cmd := exec.Command(found[0].Chroot, args...)
	cmd.Env = append(os.Environ(),
		chrootEnv+"=1",
		EnvVar+"="+strings.Join(paths, string(filepath.ListSeparator)),
	)
	if goroot := goRoot(); goroot != "" {
		bind := goroot
		if old := os.Getenv("RULES_PYC_BAZEL_BIND"); old != "" {
			bind = old + string(filepath.ListSeparator) + goroot
		}
		cmd.Env = append(cmd.Env, "RULES_PYC_BAZEL_BIND="+bind)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err = cmd.Run()
	t.Logf("in the %s chroot (%s): %s\n%s", suite, time.Since(start).Round(100*time.Millisecond), strings.Join(args[1:], " "), out.String())
	if err != nil {
		t.Errorf("the tests failed inside the %s chroot: %v (their output is above)", suite, err)
	}
}

// goRoot returns GOROOT of the go command first on PATH (the one `go test`
// runs with), or "".
func goRoot() string {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// Local returns the interpreters of version major.minor that this process
// runs directly, not embedded: the host's, or the chroot's when the test
// binary itself runs inside one (RunInChroot). Where there is none, it fails
// the test inside a chroot; on the host it fails unless the machine has such
// an interpreter somewhere (Minor), and otherwise skips, since the chroots'
// interpreters are then compared by the package's RunInChroot test.
func Local(t testing.TB, major, minor int) []Interpreter {
	t.Helper()
	var found []Interpreter
	for _, py := range Find(t) {
		if py.Major == major && py.Minor == minor && !py.Embedded && py.Chroot == "" {
			found = append(found, py)
		}
	}
	if len(found) > 0 {
		return found
	}
	if InChroot() {
		t.Fatalf("pythons: no CPython %d.%d in the chroot", major, minor)
	}
	Minor(t, major, minor)
	t.Skipf("pythons: no CPython %d.%d on the host (the package's test in the chroot covers the chroots')", major, minor)
	return nil
}
