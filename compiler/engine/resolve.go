package engine

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/rules-pyc/rules_pyc/compiler/interp"
)

// maxNames bounds the names an engine keeps resolved: a worker sees one
// or a few, and a stream of requests that names a new one each time must
// not grow the process. Names past it are resolved every time.
const maxNames = 256

// resolvedName is what an interpreter name with a directory part resolved
// to, and the file the name led to then (os.Stat, links followed).
type resolvedName struct {
	path string
	file fs.FileInfo
}

// interpreterKey is python as the choice cache knows it: the file it names
// now, with symlinks resolved. A name whose link is re-pointed between jobs
// (a Bazel toolchain's interpreter repository links bin/python3 to the
// interpreter it was set up with) is then chosen again, as entry and
// identify, which key by the resolved file too, would. A name that does not
// resolve stays as it is: its choice fails, and failures are not cached.
func (e *Engine) interpreterKey(python string) string {
	if python == "" {
		return ""
	}
	path, err := e.resolve(python)
	if err != nil {
		return python
	}
	return path
}

// resolve returns the file the interpreter name python (empty: python3)
// names now: found on PATH, absolute, symlinks resolved where they can be.
// Pools and identities are keyed by it.
//
// A worker's every request names its interpreter, and walking the links of
// a path costs a system call per directory on it (about 18 for a pyenv
// interpreter, twice per request: 4% of the worker's CPU). So a name with a
// directory part that resolved before is checked with one stat instead:
// while it leads to the same file (device and inode) with the same mode,
// the earlier answer stands. A re-pointed link, at the end of the path or
// on the way, leads to another file and is resolved again. A bare name is
// looked up on PATH every time, as before.
func (e *Engine) resolve(python string) (string, error) {
	if !strings.ContainsRune(python, os.PathSeparator) {
		return resolveName(python)
	}
	now, statErr := os.Stat(python)
	if statErr == nil {
		e.mu.Lock()
		r, ok := e.names[python]
		e.mu.Unlock()
		if ok && os.SameFile(r.file, now) && r.file.Mode() == now.Mode() {
			return r.path, nil
		}
	}
	path, err := resolveName(python)
	if err != nil {
		return "", err
	}
	if statErr == nil {
		e.mu.Lock()
		if _, ok := e.names[python]; ok || len(e.names) < maxNames {
			e.names[python] = resolvedName{path: path, file: now}
		}
		e.mu.Unlock()
	}
	return path, nil
}

// resolveName is resolve without the cache.
func resolveName(python string) (string, error) {
	path, err := interp.Resolve(python)
	if err != nil {
		return "", err
	}
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	return path, nil
}
