package pythons

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Stdlib is the Python source of an interpreter's standard library, on the
// host's file system.
type Stdlib struct {
	// Root is the directory: the interpreter's own stdlib directory for a
	// host interpreter, a copy of it for a chroot's (see Interpreter.Stdlib).
	Root string
	// Files are the paths of its .py files relative to Root, '/'-separated
	// and sorted, without site-packages, dist-packages and __pycache__.
	Files []string
}

// Sources reads every file of s, in the order of Files.
func (s Stdlib) Sources(t testing.TB) []string {
	t.Helper()
	srcs := make([]string, len(s.Files))
	for i, f := range s.Files {
		data, err := os.ReadFile(filepath.Join(s.Root, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		srcs[i] = string(data)
	}
	return srcs
}

// stdlibScript prints sysconfig's stdlib directory.
const stdlibScript = `import sysconfig; print(sysconfig.get_path("stdlib"))`

// chrootStdlibScript writes a tar stream of the .py files of the stdlib
// directory $1 to stdout.
const chrootStdlibScript = `cd "$1" && find . \( -name site-packages -o -name dist-packages -o -name __pycache__ \) -prune -o -type f -name '*.py' -print0 | LC_ALL=C sort -z | tar --null --no-recursion -T - -cf -`

var (
	stdlibMu    sync.Mutex
	stdlibCache = map[Interpreter]Stdlib{}
)

// Stdlib returns the interpreter's standard library sources, or fails the
// test. For an interpreter of the chroot, whose files the host can't name,
// the .py files are copied out (with tar, through scripts/chroot) into
// rules_pyc/stdlib/VERSION-HASH under the user cache directory, once per
// content: a later call, in this process or another, finds the copy in
// place. Paths under the cache directory mean the same file inside the
// chroot, so the copy can be handed to the chroot's interpreter too.
func (i Interpreter) Stdlib(t testing.TB) Stdlib {
	t.Helper()
	stdlibMu.Lock()
	defer stdlibMu.Unlock()
	if s, ok := stdlibCache[i]; ok {
		return s
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	out, err := i.Command(ctx, "-S", "-s", "-c", stdlibScript).Output()
	if err != nil {
		t.Fatalf("%s: stdlib directory: %v", i, err)
	}
	dir := strings.TrimSpace(string(out))
	var s Stdlib
	if i.Chroot == "" {
		s, err = hostStdlib(dir)
	} else {
		s, err = copyStdlib(ctx, i, dir)
	}
	if err != nil {
		t.Fatalf("%s: %v", i, err)
	}
	if len(s.Files) == 0 {
		t.Fatalf("%s: no .py files in its stdlib %s", i, dir)
	}
	stdlibCache[i] = s
	return s
}

// skipDir reports whether a stdlib directory of this name is left out.
func skipDir(name string) bool {
	return name == "site-packages" || name == "dist-packages" || name == "__pycache__"
}

// Tree lists the .py files under root as a Stdlib, skipping the same
// directories as an interpreter's own stdlib: a corpus of other sources
// to compare on.
func Tree(root string) (Stdlib, error) { return hostStdlib(root) }

// TreeEnv names a directory whose .py files the oracle tests compare on
// instead of an interpreter's standard library: another release's stdlib,
// a project's sources, a generated corpus. Under RunInChroot the child
// reads it inside the chroot, which sees the host's temporary directory at
// the same path: a tree for the chroot's interpreters lives under /tmp.
const TreeEnv = "RULES_PYC_ORACLE_TREE"

// Corpus is what an oracle test compares py on: the tree TreeEnv names, or
// py's standard library when it is unset. A tree without a .py file (or
// one this process cannot read) fails t.
func Corpus(t testing.TB, py Interpreter) Stdlib {
	t.Helper()
	return CorpusOr(t, func() Stdlib { return py.Stdlib(t) })
}

// CorpusOr is Corpus for a standard library that is not an Interpreter's
// (Pyodide's): the tree TreeEnv names, or stdlib() when it is unset.
func CorpusOr(t testing.TB, stdlib func() Stdlib) Stdlib {
	t.Helper()
	dir := os.Getenv(TreeEnv)
	if dir == "" {
		return stdlib()
	}
	lib, err := Tree(dir)
	if err == nil && len(lib.Files) == 0 {
		err = errors.New("no .py file in it")
	}
	if err != nil {
		t.Fatalf("%s=%s: %v", TreeEnv, dir, err)
	}
	return lib
}

func hostStdlib(root string) (Stdlib, error) {
	s := Stdlib{Root: root}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != root && skipDir(d.Name()) {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() && strings.HasSuffix(d.Name(), ".py") {
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			s.Files = append(s.Files, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		return Stdlib{}, fmt.Errorf("list the .py files: %w", err)
	}
	sort.Strings(s.Files)
	return s, nil
}

// copyStdlib copies the .py files of dir, inside the chroot, to the cache.
func copyStdlib(ctx context.Context, i Interpreter, dir string) (Stdlib, error) {
	cmd := exec.CommandContext(ctx, i.Chroot, "sh", "-c", chrootStdlibScript, "sh", dir)
	cmd.Env = cleanEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	archive, err := cmd.Output()
	if err != nil {
		return Stdlib{}, fmt.Errorf("tar %s in the chroot: %w: %s", dir, err, strings.TrimSpace(stderr.String()))
	}
	sum := sha256.Sum256(archive)
	cache, err := os.UserCacheDir()
	if err != nil {
		return Stdlib{}, fmt.Errorf("user cache directory: %w", err)
	}
	base := filepath.Join(cache, "rules_pyc", "stdlib")
	root := filepath.Join(base, i.Version+"-"+hex.EncodeToString(sum[:6]))
	files, err := readTarNames(archive)
	if err != nil {
		return Stdlib{}, err
	}
	if _, err := os.Stat(filepath.Join(root, ".complete")); err == nil {
		return Stdlib{Root: root, Files: files}, nil
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		return Stdlib{}, err
	}
	tmp, err := os.MkdirTemp(base, ".copy-")
	if err != nil {
		return Stdlib{}, err
	}
	defer os.RemoveAll(tmp)
	if err := extractTar(archive, tmp); err != nil {
		return Stdlib{}, fmt.Errorf("copy %s out of the chroot: %w", dir, err)
	}
	if err := os.WriteFile(filepath.Join(tmp, ".complete"), nil, 0o644); err != nil {
		return Stdlib{}, err
	}
	if err := os.Rename(tmp, root); err != nil {
		// Another process made the same copy first.
		if _, serr := os.Stat(filepath.Join(root, ".complete")); serr != nil {
			return Stdlib{}, fmt.Errorf("copy %s out of the chroot: %w", dir, err)
		}
	}
	return Stdlib{Root: root, Files: files}, nil
}

// tarName returns the '/'-separated relative path of a tar entry, or an
// error for a name that would leave the directory.
func tarName(name string) (string, error) {
	clean := path.Clean(strings.TrimPrefix(name, "./"))
	if clean == "." || path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("tar entry %q is outside the directory", name)
	}
	return clean, nil
}

// readTarNames lists the regular files of the archive, sorted.
func readTarNames(archive []byte) ([]string, error) {
	var names []string
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read tar: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name, err := tarName(h.Name)
		if err != nil {
			return nil, err
		}
		names = append(names, name)
	}
	sort.Strings(names)
	return names, nil
}

// extractTar writes the regular files of the archive under dir.
func extractTar(archive []byte, dir string) error {
	tr := tar.NewReader(bytes.NewReader(archive))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read tar: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name, err := tarName(h.Name)
		if err != nil {
			return err
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			return fmt.Errorf("read tar entry %s: %w", name, err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
		mtime := h.ModTime
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			return err
		}
	}
}

// OldSource is the standard library of a release too old for Find (Python
// 2, or 3 before 3.8), as a corpus of sources only: no test runs it.
type OldSource struct {
	// Version is the release, from the name of pyenv's version directory
	// ("2.7.18").
	Version string
	Lib     Stdlib
}

// OldStdlibs returns the standard libraries of the releases before 3.8 that
// pyenv holds on the host, sorted by version directory; none inside a
// chroot. They are sources that a 3.13 compiler must reject or compile
// exactly as CPython 3.13 does: Python 2's print statements, old escapes,
// removed syntax.
func OldStdlibs(t testing.TB) []OldSource {
	t.Helper()
	root := pyenvRoot()
	if root == "" || InChroot() {
		return nil
	}
	dirs, err := filepath.Glob(filepath.Join(root, "versions", "*", "lib", "python[23].*"))
	if err != nil {
		t.Fatalf("pythons: list pyenv's stdlibs: %v", err)
	}
	sort.Strings(dirs)
	var out []OldSource
	for _, dir := range dirs {
		var major, minor int
		if _, err := fmt.Sscanf(filepath.Base(dir), "python%d.%d", &major, &minor); err != nil || (major == 3 && minor >= 8) {
			continue
		}
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			continue
		}
		lib, err := hostStdlib(dir)
		if err != nil {
			t.Fatalf("pythons: %s: %v", dir, err)
		}
		if len(lib.Files) == 0 {
			continue
		}
		out = append(out, OldSource{Version: filepath.Base(filepath.Dir(filepath.Dir(dir))), Lib: lib})
	}
	return out
}
