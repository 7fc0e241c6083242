package cli

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/internal/gobuild"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// node is one entry of a crafted source tree.
type node struct {
	path   string // slash-separated, relative to the tree's root
	data   string // file content
	link   string // symlink target, when not empty
	fifo   bool
	dir    bool
	absDir bool // link is relative to the sandbox root: made absolute
}

// fixedTime is every file's mtime, so that timestamp-mode pycs of two
// copies of a tree are equal.
var fixedTime = time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)

// buildTree creates nodes under root.
func buildTree(t *testing.T, root string, nodes []node) {
	t.Helper()
	for _, n := range nodes {
		p := filepath.Join(root, filepath.FromSlash(n.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		switch {
		case n.dir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
		case n.link != "":
			target := n.link
			if n.absDir {
				target = filepath.Join(root, target)
			}
			if err := os.Symlink(target, p); err != nil {
				t.Fatal(err)
			}
		case n.fifo:
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
		default:
			if err := os.WriteFile(p, []byte(n.data), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Chtimes(p, fixedTime, fixedTime); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// snapshot describes every entry under root: kind, permission bits,
// content, symlink target, and which regular files are hard links of the
// same inode.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	firstOfInode := map[uint64]string{}
	var paths []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	for _, p := range paths {
		rel, _ := filepath.Rel(root, p)
		st, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case st.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			out[rel] = "symlink -> " + strings.TrimPrefix(target, root)
		case st.IsDir():
			out[rel] = "dir " + st.Mode().Perm().String()
		case st.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			desc := fmt.Sprintf("file %s %s", st.Mode().Perm(), hex.EncodeToString(data))
			ino := st.Sys().(*syscall.Stat_t).Ino
			if first, ok := firstOfInode[ino]; ok {
				desc += " (same inode as " + first + ")"
			} else {
				firstOfInode[ino] = rel
			}
			out[rel] = desc
		default:
			out[rel] = "other " + st.Mode().String()
		}
	}
	return out
}

// diffSnapshots returns a readable list of the differences.
func diffSnapshots(want, got map[string]string) string {
	var b strings.Builder
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	short := func(s string) string {
		if len(s) > 120 {
			return s[:120] + "..."
		}
		return s
	}
	for _, k := range sorted {
		w, wok := want[k]
		g, gok := got[k]
		switch {
		case !wok:
			fmt.Fprintf(&b, "  extra %s: %s\n", k, short(g))
		case !gok:
			fmt.Fprintf(&b, "  missing %s: %s\n", k, short(w))
		case w != g:
			fmt.Fprintf(&b, "  differs %s:\n    compileall: %s\n    pyc:        %s\n", k, short(w), short(g))
		}
	}
	return b.String()
}

// runCompileall runs `python -S -s -m compileall args...` in dir, with a
// clean environment and PYTHONHASHSEED=0, and returns its stdout and exit
// status.
func runCompileall(t *testing.T, py pythons.Interpreter, dir string, args []string, stdin string) (string, int) {
	t.Helper()
	out, code, err := compileall(py, dir, args, stdin)
	if err != nil {
		t.Fatal(err)
	}
	return out, code
}

// compileall is runCompileall for any goroutine.
func compileall(py pythons.Interpreter, dir string, args []string, stdin string) (string, int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py.Path, append([]string{"-S", "-s", "-m", "compileall"}, args...)...)
	cmd.Dir = dir
	cmd.Env = []string{"PYTHONHASHSEED=0"}
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			return "", 0, fmt.Errorf("compileall %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	if strings.Contains(stderr.String(), "Traceback") {
		return "", 0, fmt.Errorf("compileall %v crashed:\n%s", args, stderr.String())
	}
	return stdout.String(), code, nil
}

// runMain runs Main in dir (the process's working directory is changed for
// the call: tests using it don't run in parallel) and returns stdout,
// stderr and the exit status.
func runMain(t *testing.T, dir string, args []string, stdin string) (string, string, int) {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := os.Chdir(wd); err != nil {
			t.Fatal(err)
		}
	}()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr, nil)
	return stdout.String(), stderr.String(), code
}

// interpreters returns the CPythons found on the machine; the suite needs
// at least two.
func interpreters(t *testing.T) []pythons.Interpreter {
	t.Helper()
	return pythons.Require(t, 2)
}

// pycBinary is the pyc command built for the tests: tool/pyc when it
// builds, else the package's own test main.
var pycBinary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "pyc-cli-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := func() int {
		defer os.RemoveAll(dir)
		bin, err := buildPyc(dir)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		pycBinary = bin
		return m.Run()
	}()
	os.Exit(code)
}

// buildPyc builds the pyc binary into dir.
func buildPyc(dir string) (string, error) {
	if _, err := os.Stat(filepath.Join("..", "pyc", "main.go")); err == nil {
		bin, err := gobuild.Binary(dir, "tool/pyc")
		if err == nil {
			return bin, nil
		}
		fmt.Fprintf(os.Stderr, "tool/cli tests: tool/pyc does not build, testing internal/testmain instead:\n%v\n", err)
	}
	built, err := gobuild.Binary(dir, "tool/cli/internal/testmain")
	if err != nil {
		return "", fmt.Errorf("build the pyc test binary: %w", err)
	}
	// Named pyc, as the messages it prints name the program.
	bin := filepath.Join(dir, "pyc")
	return bin, os.Rename(built, bin)
}

// runPyc runs the pyc binary in dir and returns stdout, stderr and the
// exit status.
func runPyc(t *testing.T, dir string, args []string, stdin string) (string, string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, pycBinary, args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("pyc %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	return stdout.String(), stderr.String(), code
}
