// Package interp talks to CPython: it asks an interpreter who it is, and runs
// the long-lived compile server (server.py) inside it.
//
// Every compile happens in a process forked from a server that has done
// nothing but import py_compile, so the marshal stream of each code object is
// exactly what a fresh `python -S -s` process running py_compile would write.
package interp

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// MinMinor is the oldest CPython 3 minor version supported.
const MinMinor = 8

//go:embed server.py
var serverSource string

// probeSource prints what identifies the interpreter, NUL-separated: its
// implementation, version, magic number, cache tag and sys.executable. It
// imports nothing that start-up has not already loaded (importing
// importlib.util and json doubled its cost), and runs far enough on old or
// foreign interpreters to report their version.
const probeSource = `import sys
i = getattr(sys, "implementation", None)
e = sys.modules.get("_frozen_importlib_external")
sys.stdout.write("\0".join([
    i.name if i else "", "%d.%d.%d" % tuple(sys.version_info[:3]),
    e.MAGIC_NUMBER.hex() if e else "", (i.cache_tag or "") if i else "",
    sys.executable or ""]))`

// Info identifies one interpreter build.
type Info struct {
	// Path is the interpreter as it was named (after resolving a bare command
	// name on PATH).
	Path string
	// Executable is sys.executable as the interpreter reports it.
	Executable string
	// Version is "major.minor.micro", e.g. "3.12.1".
	Version             string
	Major, Minor, Micro int
	// Magic is importlib.util.MAGIC_NUMBER.
	Magic [4]byte
	// CacheTag is sys.implementation.cache_tag, e.g. "cpython-312".
	CacheTag string
}

// String describes the interpreter for messages.
func (i *Info) String() string {
	return fmt.Sprintf("%s (CPython %s, magic %x)", i.Path, i.Version, i.Magic[:])
}

// Env is the environment every interpreter child runs in: nothing from the
// caller's environment, and a fixed hash seed.  Up to 3.10 marshal writes set
// and frozenset constants in hash order, so the seed must be pinned.  The
// interpreter is run with -S -s rather than -I or -E, because those make it
// ignore PYTHONHASHSEED.
func Env() []string {
	return []string{"PYTHONHASHSEED=0"}
}

// Flags are the interpreter options for every child: no site, no user site,
// no bytecode writing.
var Flags = []string{"-S", "-s", "-B"}

// Resolve turns an interpreter name into a path: a bare name (no slash) is
// looked up on PATH, anything else is made absolute.  An empty name means
// python3.
func Resolve(python string) (string, error) {
	if python == "" {
		python = "python3"
	}
	if !strings.ContainsRune(python, os.PathSeparator) {
		p, err := exec.LookPath(python)
		if err != nil {
			return "", fmt.Errorf("find Python interpreter %q on PATH: %w (name one with --python)", python, err)
		}
		python = p
	}
	abs, err := filepath.Abs(python)
	if err != nil {
		return "", fmt.Errorf("resolve interpreter %s: %w", python, err)
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("interpreter %s: %w", python, err)
	}
	if st.IsDir() || st.Mode()&0o111 == 0 {
		return "", fmt.Errorf("interpreter %s is not an executable file", python)
	}
	return abs, nil
}

// Probe runs the interpreter once and asks it for its version, magic number
// and cache tag.  It fails for anything that is not CPython 3.8 or newer.
func Probe(ctx context.Context, python string) (*Info, error) {
	path, err := Resolve(python)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, path, append(append([]string{}, Flags...), "-c", probeSource)...)
	cmd.Env = Env()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg != "" {
			msg = ": " + lastLine(msg)
		}
		return nil, fmt.Errorf("probe interpreter %s: %w%s (is it CPython 3.%d or newer?)", path, err, msg, MinMinor)
	}
	return identify(path, stdout.String())
}

// identify reads what probeSource prints (and what the compile server says
// first): five NUL-separated fields.
func identify(path, answer string) (*Info, error) {
	fields := strings.Split(answer, "\x00")
	if len(fields) != 5 {
		return nil, fmt.Errorf("probe interpreter %s: unexpected answer %q", path, answer)
	}
	impl, version, magicHex, cacheTag, executable := fields[0], fields[1], fields[2], fields[3], fields[4]
	info := &Info{Path: path, Executable: executable, Version: version, CacheTag: cacheTag}
	if _, err := fmt.Sscanf(version, "%d.%d.%d", &info.Major, &info.Minor, &info.Micro); err != nil {
		return nil, fmt.Errorf("probe interpreter %s: unexpected version %q", path, version)
	}
	if info.Major != 3 || info.Minor < MinMinor {
		name := "Python"
		if impl == "cpython" {
			name = "CPython"
		}
		return nil, fmt.Errorf("interpreter %s is %s %s: CPython 3.%d or newer is required", path, name, info.Version, MinMinor)
	}
	if impl != "cpython" {
		return nil, fmt.Errorf("interpreter %s is %s %s: only CPython is supported", path, impl, info.Version)
	}
	magic, err := hex.DecodeString(magicHex)
	if err != nil || len(magic) != 4 {
		return nil, fmt.Errorf("probe interpreter %s: bad magic number %q", path, magicHex)
	}
	copy(info.Magic[:], magic)
	if info.CacheTag == "" {
		return nil, fmt.Errorf("interpreter %s has no cache tag: it cannot write __pycache__ files", path)
	}
	return info, nil
}

// Check compares the interpreter against what the caller asked for: want is
// "X.Y" or "X.Y.Z" (empty: anything).
func (i *Info) Check(want string) error {
	if want == "" {
		return nil
	}
	parts := strings.Split(want, ".")
	have := []int{i.Major, i.Minor, i.Micro}
	if len(parts) < 2 || len(parts) > 3 {
		return fmt.Errorf("bad Python version %q: want X.Y or X.Y.Z, e.g. 3.12", want)
	}
	for k, p := range parts {
		var n int
		if _, err := fmt.Sscanf(p, "%d", &n); err != nil || fmt.Sprint(n) != p {
			return fmt.Errorf("bad Python version %q: want X.Y or X.Y.Z, e.g. 3.12", want)
		}
		if n != have[k] {
			return fmt.Errorf("interpreter %s is CPython %s (magic %x, cache tag %s), but Python %s was requested: point --python at a %s interpreter or change the requested version",
				i.Path, i.Version, i.Magic[:], i.CacheTag, want, want)
		}
	}
	return nil
}

func lastLine(s string) string {
	if k := strings.LastIndexByte(s, '\n'); k >= 0 {
		return s[k+1:]
	}
	return s
}

// ServerSource is the Python text of the compile server.
func ServerSource() string { return serverSource }
