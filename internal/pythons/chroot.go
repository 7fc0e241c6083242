package pythons

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// chrootProgram is the project's script that runs a program inside the
// Debian sid chroot, relative to the repository root.
const chrootProgram = "scripts/chroot"

// chrootSetupTimeout bounds the first call of scripts/chroot, which builds
// the chroot (about two minutes once per machine; longer on a slow mirror).
const chrootSetupTimeout = 20 * time.Minute

var (
	chrootOnce   sync.Once
	chrootResult discovery
)

// Chrooted returns the CPython interpreters installed in the Debian sid
// chroot that scripts/chroot runs programs in (python3.13, python3.14, ...),
// sorted by version. Each one's Chroot is scripts/chroot, which runs it; its
// Path is the path inside the chroot. The chroot is built on first use
// (scripts/bazel's set-up, about two minutes once per machine). Nothing is
// returned when the chroot can't be had (not root, no Debian archive); the
// reason is logged. An interpreter that the host itself provides at the same
// path (scripts/chroot shows the host's /usr/bin/pythonX.Y inside when the
// chroot has none of its own) is left out: Find reports it.
func Chrooted(t testing.TB) []Interpreter {
	t.Helper()
	chrootOnce.Do(func() { chrootResult = searchChroot() })
	for _, line := range chrootResult.log {
		t.Logf("pythons: chroot: %s", line)
	}
	return append([]Interpreter(nil), chrootResult.found...)
}

// chrootProbe runs probeScript with every /usr/bin/python3.N of the
// chroot, one line each.
const chrootProbe = `for p in /usr/bin/python3.*; do
	case "${p##*/}" in
	python3.[0-9] | python3.[0-9][0-9]) "$p" -S -s -c "$1" || echo "failed $p" ;;
	esac
done`

func searchChroot() discovery {
	var d discovery
	logf := func(format string, args ...any) {
		d.log = append(d.log, fmt.Sprintf(format, args...))
	}
	script, err := chrootScript()
	if err != nil {
		logf("unavailable: %v", err)
		return d
	}
	if os.Geteuid() != 0 {
		logf("unavailable: %s needs root", chrootProgram)
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
		logf("unavailable: %s sh: %v: %s", chrootProgram, err, strings.TrimSpace(stderr.String()))
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
		if _, err := os.Stat(in.Path); err == nil {
			// The host's own interpreter, bound at the same path.
			logf("skip %s: the host's own", in.Path)
			continue
		}
		in.Chroot = script
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

// chrootScript returns the absolute path of scripts/chroot in the source
// tree this package was built from.
func chrootScript() (string, error) {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "", errors.New("cannot locate the source of package pythons")
	}
	p := filepath.Join(filepath.Dir(file), "..", "..", chrootProgram)
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
// the host's (Find) and the chroot's (Chrooted), sorted by version. It
// fails the test when there is none: a suite that compares with major.minor
// must not pass without comparing anything.
func Minor(t testing.TB, major, minor int) []Interpreter {
	t.Helper()
	var out []Interpreter
	for _, in := range append(Find(t), Chrooted(t)...) {
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
