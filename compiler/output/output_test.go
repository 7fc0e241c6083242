package output

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/rules-pyc/rules_pyc/compiler/failure"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// listDir returns the names in dir, sorted.
func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

const modeScript = `import sys, json, os, py_compile
out = []
for r in json.load(sys.stdin):
    old = os.umask(r["umask"])
    try:
        py_compile.compile(r["src"], cfile=r["pyc"], doraise=True)
    finally:
        os.umask(old)
    out.append([os.stat(r["pyc"]).st_mode & 0o7777, os.stat(os.path.dirname(r["pyc"])).st_mode & 0o7777])
json.dump(out, sys.stdout)
`

// TestModeAgainstPyCompile compares the permission bits of the file and of
// the __pycache__ directory that Write creates with what py_compile creates,
// for sources of several modes under several umasks.
func TestModeAgainstPyCompile(t *testing.T) {
	srcModes := []fs.FileMode{0o644, 0o444, 0o755, 0o600, 0o000, 0o777, 0o640, 0o755 | fs.ModeSetuid}
	umasks := []int{0o022, 0o077, 0o002, 0o000}
	for _, in := range pythons.Require(t, 2) {
		t.Run(in.Version+"_"+in.CacheTag, func(t *testing.T) {
			dir := t.TempDir()
			type req struct {
				Src   string `json:"src"`
				Pyc   string `json:"pyc"`
				Umask int    `json:"umask"`
			}
			type goCase struct {
				pyc     string
				umask   int
				srcMode fs.FileMode
			}
			var reqs []req
			var ours []goCase
			for i, m := range srcModes {
				src := filepath.Join(dir, fmt.Sprintf("m%d.py", i))
				if err := os.WriteFile(src, []byte("x = 1\n"), 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(src, m); err != nil {
					t.Fatal(err)
				}
				st, err := os.Stat(src)
				if err != nil {
					t.Fatal(err)
				}
				for _, umask := range umasks {
					sub := fmt.Sprintf("%d-%o", i, umask)
					reqs = append(reqs, req{src, filepath.Join(dir, "py", sub, "__pycache__", "m.pyc"), umask})
					pyc := filepath.Join(dir, "go", sub, "__pycache__", "m.pyc")
					old := syscall.Umask(umask)
					err := Write(pyc, []byte("data"), st.Mode())
					syscall.Umask(old)
					if err != nil {
						t.Fatal(err)
					}
					ours = append(ours, goCase{pyc, umask, m})
				}
			}
			var got [][2]uint32
			in.RunJSON(t, modeScript, reqs, &got)
			for i, c := range ours {
				fst, err := os.Stat(c.pyc)
				if err != nil {
					t.Fatal(err)
				}
				dst, err := os.Stat(filepath.Dir(c.pyc))
				if err != nil {
					t.Fatal(err)
				}
				fileMode, dirMode := uint32(fst.Mode().Perm()), uint32(dst.Mode().Perm())
				if fileMode != got[i][0] || dirMode != got[i][1] {
					t.Errorf("umask %#o, source mode %v: Write made file %#o dir %#o, py_compile file %#o dir %#o",
						c.umask, c.srcMode, fileMode, dirMode, got[i][0], got[i][1])
				}
			}
		})
	}
}

const refuseScript = `import sys, json, py_compile
out = []
for r in json.load(sys.stdin):
    try:
        py_compile.compile(r["src"], cfile=r["pyc"], doraise=True)
        out.append("")
    except FileExistsError as e:
        out.append(str(e))
json.dump(out, sys.stdout)
`

// TestRefusalAgainstPyCompile gives py_compile and Write, Check and Link the
// same targets; each refusal must carry py_compile's message, and the target
// must be left as it was.
func TestRefusalAgainstPyCompile(t *testing.T) {
	for _, in := range pythons.Require(t, 2) {
		t.Run(in.Version+"_"+in.CacheTag, func(t *testing.T) {
			dir := t.TempDir()
			src := filepath.Join(dir, "s.py")
			if err := os.WriteFile(src, []byte("x = 1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			other := filepath.Join(dir, "other.pyc")
			if err := os.WriteFile(other, []byte("other"), 0o644); err != nil {
				t.Fatal(err)
			}
			mk := map[string]func(p string) error{
				"symlink to a file":         func(p string) error { return os.Symlink(other, p) },
				"dangling symlink":          func(p string) error { return os.Symlink(filepath.Join(dir, "missing"), p) },
				"symlink to a directory":    func(p string) error { return os.Symlink(dir, p) },
				"relative symlink":          func(p string) error { return os.Symlink("other.pyc", p) },
				"directory":                 func(p string) error { return os.Mkdir(p, 0o755) },
				"FIFO":                      func(p string) error { return syscall.Mkfifo(p, 0o644) },
				"regular file (replaced)":   func(p string) error { return os.WriteFile(p, []byte("old"), 0o644) },
				"missing (created)":         func(string) error { return nil },
				"name with space and \\xe9": func(p string) error { return os.Symlink(other, p) },
			}
			var names []string
			for name := range mk {
				names = append(names, name)
			}
			sort.Strings(names)
			type req struct {
				Src string `json:"src"`
				Pyc string `json:"pyc"`
			}
			var reqs []req
			var goTargets []string
			for i, name := range names {
				for _, side := range []string{"py", "go"} {
					p := filepath.Join(dir, fmt.Sprintf("%s%d %s.pyc", side, i, strings.ReplaceAll(name, "/", "_")))
					if err := mk[name](p); err != nil {
						t.Fatal(err)
					}
					if side == "py" {
						reqs = append(reqs, req{src, p})
					} else {
						goTargets = append(goTargets, p)
					}
				}
			}
			var pyMsgs []string
			in.RunJSON(t, refuseScript, reqs, &pyMsgs)
			for i, p := range goTargets {
				before, _ := os.Lstat(p)
				checkErr := Check(p)
				linkErr := Link(other, p)
				if pyMsgs[i] == "" {
					if checkErr != nil || linkErr != nil {
						t.Errorf("%s: py_compile wrote it, Check: %v, Link: %v", names[i], checkErr, linkErr)
					}
					if err := Write(p, []byte("new"), 0o644); err != nil {
						t.Errorf("%s: py_compile wrote it, Write: %v", names[i], err)
					}
					continue
				}
				writeErr := Write(p, []byte("new"), 0o644)
				for op, err := range map[string]error{"Check": checkErr, "Write": writeErr, "Link": linkErr} {
					var re *failure.RefusedError
					if !errors.As(err, &re) {
						t.Errorf("%s: %s error = %v, want a *failure.RefusedError", names[i], op, err)
						continue
					}
					// py_compile names the target as given: the test gave it
					// the same directory and a name of the same shape.
					want := strings.Replace(pyMsgs[i], reqs[i].Pyc, p, 1)
					if re.Error() != want {
						t.Errorf("%s: %s says %q\npy_compile says %q", names[i], op, re.Error(), pyMsgs[i])
					}
				}
				after, err := os.Lstat(p)
				if err != nil || after.Mode() != before.Mode() || after.ModTime() != before.ModTime() {
					t.Errorf("%s: target changed: %v %v -> %v (%v)", names[i], before.Mode(), before.ModTime(), after, err)
				}
			}
			if got, _ := os.ReadFile(other); string(got) != "other" {
				t.Errorf("the symlinks' target now holds %q", got)
			}
		})
	}
}

// TestConcurrentWriters has several goroutines replace one path with
// different complete contents while another reads it: the reader must only
// ever see a whole content, and at the end no temporary file is left.
func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "__pycache__", "x.pyc")
	const writers, rounds, size = 6, 20, 256 << 10
	payload := func(w int) []byte { return bytes.Repeat([]byte{byte('a' + w)}, size) }
	if err := Write(path, payload(0), 0o644); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers*rounds+1)
	stop := make(chan struct{})
	readerDone := make(chan struct{})
	go func() {
		defer close(readerDone)
		for reads := 0; ; reads++ {
			select {
			case <-stop:
				if reads == 0 {
					errs <- errors.New("the reader never read")
				}
				return
			default:
			}
			b, err := os.ReadFile(path)
			if err != nil {
				errs <- fmt.Errorf("read: %w", err)
				return
			}
			if len(b) != size || !bytes.Equal(b, bytes.Repeat(b[:1], size)) {
				errs <- fmt.Errorf("read a partial or mixed file of %d bytes", len(b))
				return
			}
		}
	}()
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				if err := Write(path, payload(w), 0o644); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-readerDone
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != size || b[0] < 'a' || b[0] >= 'a'+writers || !bytes.Equal(b, payload(int(b[0]-'a'))) {
		t.Errorf("final file is not one writer's content")
	}
	if names := listDir(t, filepath.Dir(path)); len(names) != 1 {
		t.Errorf("left in the directory: %v", names)
	}
}

// childEnv selects a mode of TestWriteFailureChild, run in a child process.
const childEnv = "RULES_PYC_OUTPUT_TEST_CHILD"

// TestWriteFailureChild is the child side of TestFailedWriteLeavesNothing.
func TestWriteFailureChild(t *testing.T) {
	mode, path, ok := strings.Cut(os.Getenv(childEnv), ":")
	if !ok {
		t.Skip("runs as a child of TestFailedWriteLeavesNothing")
	}
	if mode == "fsize" {
		// Files may not grow past 4 KiB: the write fails half-way (EFBIG).
		lim := syscall.Rlimit{Cur: 4096, Max: 4096}
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &lim); err != nil {
			t.Fatal(err)
		}
	}
	err := Write(path, bytes.Repeat([]byte("new "), 16<<10), 0o644)
	if err == nil {
		t.Fatal("Write succeeded")
	}
	fmt.Printf("WRITE ERROR: %v\n", err)
}

// TestFailedWriteLeavesNothing makes Write fail in a child process, once in
// the middle of writing (a file size limit) and once when creating the
// temporary file (a read-only directory, as an unprivileged user), and
// checks that the old file is intact and nothing else is left.
func TestFailedWriteLeavesNothing(t *testing.T) {
	tests := []struct {
		mode    string
		wantErr string
	}{
		{"fsize", "file too large"},
		{"readonly", "permission denied"},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			base, err := os.MkdirTemp("", "output-test")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				os.Chmod(filepath.Join(base, "d"), 0o755)
				os.RemoveAll(base)
			})
			dir := filepath.Join(base, "d")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "x.pyc")
			if err := os.WriteFile(path, []byte("old content"), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestWriteFailureChild$", "-test.v")
			cmd.Env = append(os.Environ(), childEnv+"="+tt.mode+":"+path)
			if tt.mode == "readonly" {
				if err := os.Chmod(base, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(dir, 0o555); err != nil {
					t.Fatal(err)
				}
				if os.Geteuid() == 0 {
					// Root ignores directory permissions: run as nobody a
					// copy of the test binary that nobody can reach.
					bin, err := os.ReadFile(os.Args[0])
					if err != nil {
						t.Fatal(err)
					}
					cmd.Path = filepath.Join(base, "output.test")
					if err := os.WriteFile(cmd.Path, bin, 0o755); err != nil {
						t.Fatal(err)
					}
					cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
				}
			}
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			if !strings.Contains(string(out), "WRITE ERROR:") || !strings.Contains(string(out), tt.wantErr) {
				t.Fatalf("child did not report a %q write error:\n%s", tt.wantErr, out)
			}
			if names := listDir(t, dir); len(names) != 1 || names[0] != "x.pyc" {
				t.Errorf("left in the directory: %v", names)
			}
			if b, err := os.ReadFile(path); err != nil || string(b) != "old content" {
				t.Errorf("old file now %q, %v", b, err)
			}
		})
	}
}

func TestWriteParentIsAFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "f"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := Write(filepath.Join(dir, "f", "__pycache__", "x.pyc"), []byte("x"), 0o644)
	if err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("Write under a regular file: %v, want a 'not a directory' error", err)
	}
	if names := listDir(t, dir); len(names) != 1 {
		t.Errorf("left in the directory: %v", names)
	}
}

func TestSame(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "x.pyc")
	if err := os.WriteFile(file, []byte("abc"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.pyc")
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		data string
		want bool
	}{
		{"equal", file, "abc", true},
		{"different byte", file, "abd", false},
		{"shorter", file, "ab", false},
		{"longer", file, "abcd", false},
		{"missing", filepath.Join(dir, "missing.pyc"), "abc", false},
		{"symlink to an equal file", link, "abc", false},
		{"directory", dir, "", false},
	}
	for _, tt := range tests {
		got, err := Same(tt.path, []byte(tt.data))
		if err != nil || got != tt.want {
			t.Errorf("%s: Same = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
}

func TestUpdate(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "x.pyc")
	link := filepath.Join(dir, "link.pyc")
	tests := []struct {
		name    string
		path    string
		before  string // the file's content first ("": none)
		data    string
		written bool
		refused bool
	}{
		{"new", filepath.Join(dir, "new.pyc"), "", "abc", true, false},
		{"new directory", filepath.Join(dir, "a", "__pycache__", "x.pyc"), "", "abc", true, false},
		{"equal", file, "abc", "abc", false, false},
		{"different byte", file, "abc", "abd", true, false},
		{"longer", file, "abc", "abcd", true, false},
		{"symlink to an equal file", link, "abc", "abc", false, true},
		{"directory", filepath.Join(dir, "a"), "", "", false, true},
	}
	if err := os.Symlink(file, link); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		if tt.before != "" {
			if err := os.WriteFile(file, []byte(tt.before), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		st0, _ := os.Lstat(tt.path)
		written, err := Update(tt.path, []byte(tt.data), 0o644)
		var refused *failure.RefusedError
		if tt.refused {
			if !errors.As(err, &refused) {
				t.Errorf("%s: Update = %v, %v; want a refusal", tt.name, written, err)
			}
			continue
		}
		if err != nil || written != tt.written {
			t.Errorf("%s: Update = %v, %v; want %v", tt.name, written, err, tt.written)
			continue
		}
		if got, err := os.ReadFile(tt.path); err != nil || string(got) != tt.data {
			t.Errorf("%s: the file holds %q (%v), want %q", tt.name, got, err, tt.data)
		}
		if st1, _ := os.Lstat(tt.path); !tt.written && !os.SameFile(st0, st1) {
			t.Errorf("%s: an unchanged file was replaced", tt.name)
		}
	}
	if names := listDir(t, dir); len(names) != 4 {
		t.Errorf("left in the directory: %v, want a, link.pyc, new.pyc and x.pyc", names)
	}
}

func TestLink(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "__pycache__", "x.cpython-312.opt-1.pyc")
	if err := Write(a, []byte("code"), 0o644); err != nil {
		t.Fatal(err)
	}
	b := filepath.Join(dir, "__pycache__", "x.cpython-312.opt-2.pyc")
	if err := os.WriteFile(b, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 2; round++ { // the second time, b is already a link to a
		if err := Link(a, b); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		sa, _ := os.Stat(a)
		sb, _ := os.Stat(b)
		if !os.SameFile(sa, sb) {
			t.Fatalf("round %d: %s is not a hard link to %s", round, b, a)
		}
		if names := listDir(t, filepath.Dir(a)); len(names) != 2 {
			t.Errorf("round %d: left in the directory: %v", round, names)
		}
	}
	c := filepath.Join(dir, "new", "c.pyc")
	if err := Link(filepath.Join(dir, "missing.pyc"), c); err == nil {
		t.Errorf("Link from a missing file succeeded")
	}
	if _, err := os.Lstat(filepath.Dir(c)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Link from a missing file created %s", filepath.Dir(c))
	}
}

func TestMode(t *testing.T) {
	tests := map[fs.FileMode]fs.FileMode{
		0o644: 0o644, 0o444: 0o644, 0o755: 0o644, 0o600: 0o600, 0o000: 0o200, 0o777: 0o666,
		0o400 | fs.ModeSetuid | fs.ModeSticky: 0o600,
	}
	for src, want := range tests {
		if got := Mode(src); got != want {
			t.Errorf("Mode(%v) = %#o, want %#o", src, got, want)
		}
	}
}
