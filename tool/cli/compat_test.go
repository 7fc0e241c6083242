package cli

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// pkgTree exercises the walk: sort order (upper case, underscore, non-ASCII
// names), __pycache__ skipped, non-.py files ignored, a symlink to a file
// compiled, a symlink to a directory not walked, three levels deep, and
// sources whose bytes change with -O and -OO.
var pkgTree = []node{
	{path: "pkg/__init__.py", data: "\"\"\"Package doc.\"\"\"\n"},
	{path: "pkg/mod.py", data: "\"\"\"Module doc.\"\"\"\ndef f(x):\n    \"\"\"f doc\"\"\"\n    assert x, 'qwx failed'\n    return x in {'qwx_alpha', 'qwx_beta', 'qwx_gamma'}\n"},
	{path: "pkg/B.py", data: "b = 2\n"},
	{path: "pkg/_x.py", data: "x = 1\n"},
	{path: "pkg/\u00fcn\u00ef.py", data: "u = '\u00fc'\n"},
	{path: "pkg/data.txt", data: "not python\n"},
	{path: "pkg/noext", data: "x = 1\n"},
	{path: "pkg/alias.py", link: "B.py"},
	{path: "pkg/sub/__init__.py", data: ""},
	{path: "pkg/sub/deep.py", data: "def g():\n    return 42\n"},
	{path: "pkg/sub/deeper/leaf.py", data: "import os\nassert os\n"},
	{path: "pkg/sub/link_dir", link: "deeper"},
	{path: "pkg/__pycache__/stale.txt", data: "kept\n"},
}

// linkTree has symlinks that stay inside src and one that leaves it.
var linkTree = []node{
	{path: "src/a.py", data: "a = 1\n"},
	{path: "src/in.py", link: "a.py"},
	{path: "src/in_abs.py", link: "src/a.py", absDir: true},
	{path: "src/out.py", link: "../outside/x.py"},
	{path: "src/out_abs.py", link: "outside/x.py", absDir: true},
	{path: "outside/x.py", data: "x = 1\n"},
}

// badTree holds every kind of bad input next to good files.
func badTree(t *testing.T, _ pythons.Interpreter) []node {
	nodes := []node{
		{path: "bad/ok.py", data: "ok = 1\n"},
		{path: "bad/syntax.py", data: "def f(:\n    pass\n"},
		{path: "bad/cookie.py", data: "# -*- coding: bogus -*-\nx = 1\n"},
		{path: "bad/utf8.py", data: "x = \"\xff\xfe\"\n"},
		{path: "bad/nul.py", data: "x = 1\x00\n"},
		{path: "bad/dangling.py", link: "missing.py"},
		{path: "bad/fifo.py", fifo: true},
		{path: "bad/z_ok.py", data: "z = 2\n"},
	}
	if p := unreadableFile(); p != "" {
		nodes = append(nodes, node{path: "bad/unreadable.py", link: p})
	} else {
		t.Log("no unreadable regular file found (a write-only sysfs attribute): the unreadable-source case is not covered")
	}
	return nodes
}

// unreadableFile returns a regular file that even root can't open for
// reading: a write-only sysfs attribute (the kernel refuses a read open of
// an attribute that has no read method, whatever the caller's privileges).
// Permission bits can't make such a file, since root bypasses them.
func unreadableFile() string {
	for _, p := range []string{"/sys/bus/pci/uevent", "/sys/bus/platform/uevent", "/sys/bus/pci/rescan", "/sys/kernel/uevent_helper"} {
		st, err := os.Stat(p)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		f, err := os.Open(p)
		if err == nil {
			f.Close()
			continue
		}
		if errors.Is(err, syscall.EACCES) {
			return p
		}
	}
	return ""
}

type compatCase struct {
	name  string
	tree  func(t *testing.T, py pythons.Interpreter) []node
	args  []string
	stdin string
	// minMinor and maxMinor bound the CPython 3.x versions whose
	// compileall has these options and this behaviour (0: no bound).
	minMinor, maxMinor int
	// exitDiffers: pyc exits 1 where compileall exits 0 (a directory that
	// can't be listed is a failure for pyc).
	exitDiffers bool
}

func fixed(nodes []node) func(*testing.T, pythons.Interpreter) []node {
	return func(*testing.T, pythons.Interpreter) []node { return nodes }
}

// refusedTree has outputs py_compile refuses to replace: a symlink and a
// directory where a .pyc goes.
func refusedTree(_ *testing.T, py pythons.Interpreter) []node {
	return append(append([]node{}, pkgTree...),
		node{path: "pkg/__pycache__/B." + py.CacheTag + ".pyc", link: "elsewhere.pyc"},
		node{path: "pkg/__pycache__/_x." + py.CacheTag + ".pyc", dir: true},
		node{path: "pkg/list.txt", data: "pkg/B.py\npkg/sub\n"},
	)
}

var compatCases = []compatCase{
	{name: "checked-hash", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "pkg"}},
	{name: "timestamp", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "timestamp", "pkg"}},
	{name: "unchecked-hash files and dirs", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "unchecked-hash", "pkg/mod.py", "pkg/sub", "pkg/alias.py", "pkg/data.txt"}},
	{name: "trailing slashes", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "pkg//sub/", "./pkg/B.py"}},
	{name: "-d dir", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-d", "/dest/lib", "pkg"}},
	{name: "-d file", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-d", "dest", "pkg/sub/deep.py"}},
	{name: "-d dir with trailing slash", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-d", "/dest", "pkg/"}, maxMinor: 12},
	{name: "-s -p", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-s", "pkg", "-p", "/usr/lib/app", "pkg"}, minMinor: 9},
	{name: "-p", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-p", "/opt", "pkg/sub"}, minMinor: 9},
	{name: "-s", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-s", "pkg/sub", "pkg/sub"}, minMinor: 9},
	{name: "-s not a prefix", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-s", "pkg/sub", "-p", "/x", "pkg"}, minMinor: 13},
	{name: "-s not a prefix -qq", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-qq", "-s", "other", "pkg/sub"}, minMinor: 13},
	{name: "-x", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-x", "sub/de|_x", "pkg"}},
	{name: "-x anchored", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-x", `^pkg/[a-z]+\.py$`, "pkg"}},
	{name: "-l", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-l", "pkg"}},
	{name: "-r 1", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-r", "1", "pkg"}},
	{name: "-r 0", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-r", "0", "pkg"}},
	// argparse reads ints with int(), which strips surrounding whitespace
	// and takes underscores and non-ASCII digits.
	{name: "'-r 0' as one argument", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-r 0", "pkg"}},
	{name: "'-j 1' as one argument", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-j 1", "-r", "0_1", "pkg"}},
	{name: "-r in Arabic-Indic digits", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-r", "\u0661", "-o", " +1", "pkg"}, minMinor: 9},
	{name: "-l -r 2", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-l", "-r", "2", "pkg"}},
	{name: "-b", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-b", "pkg"}},
	{name: "-o 1", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-o", "1", "pkg"}, minMinor: 9},
	{name: "-o 0 -o 1 -o 2", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-o", "0", "-o", "1", "-o", "2", "pkg"}, minMinor: 9},
	{name: "-o 2 -o 0 -o 2", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "unchecked-hash", "-o2", "-o", "0", "-o", "2", "pkg/mod.py"}, minMinor: 9},
	{name: "--hardlink-dupes", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-o", "0", "-o", "1", "-o", "2", "--hardlink-dupes", "pkg"}, minMinor: 9},
	{name: "-i stdin", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-i", "-", "pkg/B.py"}, stdin: "pkg/mod.py\n  pkg/sub/deeper  \npkg/_x.py"},
	{name: "-e", tree: fixed(linkTree), args: []string{"--invalidation-mode", "checked-hash", "-e", "src", "src"}, minMinor: 9},
	{name: "-e outside", tree: fixed(linkTree), args: []string{"--invalidation-mode", "checked-hash", "-e", "outside", "src"}, minMinor: 9},
	{name: "no -e", tree: fixed(linkTree), args: []string{"--invalidation-mode", "checked-hash", "src"}},
	{name: "bad input", tree: badTree, args: []string{"--invalidation-mode", "checked-hash", "bad"}},
	{name: "bad input -q", tree: badTree, args: []string{"--invalidation-mode", "checked-hash", "-q", "bad"}},
	{name: "bad input -qq", tree: badTree, args: []string{"--invalidation-mode", "checked-hash", "-qq", "bad"}},
	{name: "bad input files", tree: badTree, args: []string{"--invalidation-mode", "timestamp", "bad/syntax.py", "bad/ok.py", "bad/nul.py"}},
	{name: "refused outputs", tree: refusedTree, args: []string{"--invalidation-mode", "checked-hash", "pkg"}},
	{name: "-i file", tree: refusedTree, args: []string{"--invalidation-mode", "unchecked-hash", "-i", "pkg/list.txt", "pkg/mod.py"}},
	{name: "-i missing", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-i", "nolist.txt", "pkg"}},
	{name: "abbreviated long options", tree: fixed(pkgTree), args: []string{"--inval", "unchecked-hash", "-o0", "-o1", "--hard", "pkg/sub"}, minMinor: 9},
	{name: "--workers 1", tree: fixed(pkgTree), args: []string{"--invalidation-mode=checked-hash", "--workers", "1", "-lfq", "pkg"}},
	{name: "missing path", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "missing", "pkg/sub"}, exitDiffers: true},
	{name: "missing path -q", tree: fixed(pkgTree), args: []string{"--invalidation-mode", "checked-hash", "-q", "missing"}, exitDiffers: true},
	// Not a file, so listed as a directory: listdir fails at once, where
	// an open that waited for the FIFO's writer would never return.
	{name: "a FIFO as a path", tree: badTree, args: []string{"--invalidation-mode", "checked-hash", "bad/fifo.py", "bad/ok.py"}, exitDiffers: true},
}

// TestMatchesCompileall runs each case through python -m compileall and
// through the pyc binary on two copies of the same tree, for every interpreter, and
// compares stdout, the exit status and the resulting trees byte for byte
// (contents, permission bits, symlinks and hard links).
func TestMatchesCompileall(t *testing.T) {
	pys := interpreters(t)
	if testing.Short() {
		// The oldest and the newest.
		pys = []pythons.Interpreter{pys[0], pys[len(pys)-1]}
	}
	for _, py := range pys {
		t.Run(py.Version, func(t *testing.T) {
			t.Parallel()
			for _, c := range compatCases {
				t.Run(c.name, func(t *testing.T) {
					if c.minMinor != 0 && py.Minor < c.minMinor || c.maxMinor != 0 && py.Minor > c.maxMinor {
						t.Skipf("compileall %s does not behave this way", py.Version)
					}
					compareWithCompileall(t, py, c)
				})
			}
		})
	}
}

func compareWithCompileall(t *testing.T, py pythons.Interpreter, c compatCase) {
	t.Helper()
	tmp := t.TempDir()
	ref, ours := filepath.Join(tmp, "ref"), filepath.Join(tmp, "ours")
	nodes := c.tree(t, py)
	// Symlinks marked absDir point into their own copy.
	buildTree(t, ref, nodes)
	buildTree(t, ours, nodes)

	// Both run at once: most of their time is process start-up.
	var wantOut string
	var wantCode int
	var refErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		wantOut, wantCode, refErr = compileall(py, ref, c.args, c.stdin)
	}()
	gotOut, gotErr, gotCode := runPyc(t, ours, append([]string{"--python", py.Path}, c.args...), c.stdin)
	<-done
	if refErr != nil {
		t.Fatal(refErr)
	}

	if wantOut != gotOut {
		t.Errorf("stdout differs\ncompileall:\n%s\npyc:\n%s", wantOut, gotOut)
	}
	if c.exitDiffers {
		if wantCode != 0 || gotCode != 1 {
			t.Errorf("exit status: compileall %d (want 0), pyc %d (want 1)", wantCode, gotCode)
		}
	} else if wantCode != gotCode {
		t.Errorf("exit status: compileall %d, pyc %d (stderr %q)", wantCode, gotCode, gotErr)
	}
	if d := diffSnapshots(snapshot(t, ref), snapshot(t, ours)); d != "" {
		t.Errorf("trees differ:\n%s", d)
	}
	if gotCode == 0 && strings.TrimSpace(gotErr) != "" {
		t.Errorf("unexpected stderr: %s", gotErr)
	}
}

// TestDdirTrailingSlashIsNot313 records the one measured difference of -d:
// CPython 3.13+ compileall records "src/a.py" under DESTDIR for "-d DESTDIR
// src/", where 3.8-3.12 (and pyc) record "a.py".
func TestDdirTrailingSlashIsNot313(t *testing.T) {
	var py *pythons.Interpreter
	for _, p := range interpreters(t) {
		if p.AtLeast(3, 13) {
			py = &p
			break
		}
	}
	if py == nil {
		t.Skip("no CPython 3.13 or newer")
	}
	tmp := t.TempDir()
	ref, ours := filepath.Join(tmp, "ref"), filepath.Join(tmp, "ours")
	buildTree(t, ref, pkgTree)
	buildTree(t, ours, pkgTree)
	args := []string{"--invalidation-mode", "checked-hash", "-d", "/dest", "pkg/"}
	wantOut, _ := runCompileall(t, *py, ref, args, "")
	if !strings.Contains(wantOut, "is not a valid prefix") {
		t.Fatalf("compileall %s no longer warns about 'pkg/': the difference is gone, update docs/cli.md:\n%s", py.Version, wantOut)
	}
	gotOut, _, code := runMain(t, ours, append([]string{"--python", py.Path}, args...), "")
	if code != 0 || strings.Contains(gotOut, "is not a valid prefix") {
		t.Errorf("pyc -d /dest pkg/: exit %d, stdout:\n%s", code, gotOut)
	}
	// pyc records pkg/mod.py as /dest/mod.py: the same as "-d /dest pkg".
	ref2 := filepath.Join(tmp, "ref2")
	buildTree(t, ref2, pkgTree)
	runCompileall(t, *py, ref2, []string{"--invalidation-mode", "checked-hash", "-d", "/dest", "pkg"}, "")
	if d := diffSnapshots(snapshot(t, ref2), snapshot(t, ours)); d != "" {
		t.Errorf("pyc -d /dest pkg/ differs from compileall -d /dest pkg:\n%s", d)
	}
}

// TestUpToDate: a second run leaves outputs that hold the right bytes
// alone and prints no "Compiling" line (compileall does the same only for
// timestamp pycs, whose header it checks); -f rewrites them and lists them
// as compileall -f does.
func TestUpToDate(t *testing.T) {
	pys := interpreters(t)
	for _, py := range []pythons.Interpreter{pys[0], pys[len(pys)-1]} {
		for _, mode := range []string{"checked-hash", "timestamp"} {
			t.Run(py.Version+"/"+mode, func(t *testing.T) {
				tmp := t.TempDir()
				ref, ours := filepath.Join(tmp, "ref"), filepath.Join(tmp, "ours")
				buildTree(t, ref, pkgTree)
				buildTree(t, ours, pkgTree)
				args := []string{"--python", py.Path, "--invalidation-mode", mode, "pkg"}
				if _, _, code := runMain(t, ours, args, ""); code != 0 {
					t.Fatalf("first run: exit %d", code)
				}
				old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
				pycs := setPycTimes(t, ours, old)
				if len(pycs) == 0 {
					t.Fatal("no pyc written")
				}
				out, _, code := runMain(t, ours, args, "")
				if code != 0 || strings.Contains(out, "Compiling") {
					t.Errorf("second run: exit %d, stdout:\n%s", code, out)
				}
				for _, p := range pycs {
					if st, err := os.Stat(p); err != nil || !st.ModTime().Equal(old) {
						t.Errorf("%s was rewritten by the second run", p)
					}
				}
				if mode == "timestamp" {
					// compileall's own up-to-date check agrees.
					runCompileall(t, py, ref, args[2:], "")
					want, _ := runCompileall(t, py, ref, args[2:], "")
					if want != out {
						t.Errorf("second run stdout\ncompileall:\n%s\npyc:\n%s", want, out)
					}
				}
				forced := append(append([]string{}, args...), "-f")
				out, _, code = runMain(t, ours, forced, "")
				want, _ := runCompileall(t, py, ref, forced[2:], "")
				if code != 0 || out != want {
					t.Errorf("-f run: exit %d\ncompileall:\n%s\npyc:\n%s", code, want, out)
				}
				for _, p := range pycs {
					if st, err := os.Stat(p); err != nil || st.ModTime().Equal(old) {
						t.Errorf("%s was not rewritten by -f", p)
					}
				}
				if d := diffSnapshots(snapshot(t, ref), snapshot(t, ours)); d != "" {
					t.Errorf("trees differ:\n%s", d)
				}
			})
		}
	}
}

// setPycTimes sets the mtime of every .pyc under root and returns them.
func setPycTimes(t *testing.T, root string, when time.Time) []string {
	t.Helper()
	var pycs []string
	filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".pyc") {
			pycs = append(pycs, p)
			if err := os.Chtimes(p, when, when); err != nil {
				t.Fatal(err)
			}
		}
		return nil
	})
	return pycs
}

// TestLegacyHardlinkDupes pins a documented difference (docs/cli.md): with
// -b, several -o levels and --hardlink-dupes, compileall fails on every
// file (it hard-links x.pyc to itself under its own name), where pyc writes
// the last level's bytes to x.pyc, as both do without --hardlink-dupes.
func TestLegacyHardlinkDupes(t *testing.T) {
	for _, py := range interpreters(t) {
		if !py.AtLeast(3, 9) {
			continue // no --hardlink-dupes
		}
		t.Run(py.Version, func(t *testing.T) {
			tmp := t.TempDir()
			ref, ours, plain := filepath.Join(tmp, "ref"), filepath.Join(tmp, "ours"), filepath.Join(tmp, "plain")
			tree := []node{{path: "pkg/a.py", data: "\"\"\"doc\"\"\"\nassert x\n"}}
			for _, d := range []string{ref, ours, plain} {
				buildTree(t, d, tree)
			}
			args := []string{"--invalidation-mode", "checked-hash", "-b", "-o", "0", "-o", "1", "--hardlink-dupes", "pkg"}
			out, code := runCompileall(t, py, ref, args, "")
			if code != 1 || !strings.Contains(out, "*** FileNotFoundError") {
				t.Fatalf("compileall %s no longer fails here (exit %d): the difference is gone, update docs/cli.md:\n%s", py.Version, code, out)
			}
			if _, _, code := runMain(t, ours, append([]string{"--python", py.Path}, args...), ""); code != 0 {
				t.Fatalf("pyc: exit %d", code)
			}
			// What compileall writes without --hardlink-dupes: the last level.
			if _, code := runCompileall(t, py, plain, slices.DeleteFunc(slices.Clone(args), func(a string) bool { return a == "--hardlink-dupes" }), ""); code != 0 {
				t.Fatalf("compileall without --hardlink-dupes: exit %d", code)
			}
			if d := diffSnapshots(snapshot(t, plain), snapshot(t, ours)); d != "" {
				t.Errorf("pyc -b -o 0 -o 1 --hardlink-dupes differs from compileall without --hardlink-dupes:\n%s", d)
			}
		})
	}
}
