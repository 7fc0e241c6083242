package marshal_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/interp"
	"github.com/rules-pyc/rules_pyc/compiler/native/marshal"
	"github.com/rules-pyc/rules_pyc/compiler/native/opcode"
	"github.com/rules-pyc/rules_pyc/compiler/native/pyobj"
	"github.com/rules-pyc/rules_pyc/internal/codeoracle"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// How many stdlib files are compared (fixed-seed samples), at -O0 and at
// -O1/-O2: by default (CI), with -short, and with RULES_PYC_FULL_SWEEP=1
// (every file at every level: the documented full sweep, about 10 minutes
// per interpreter here).
var sampleSizes = map[string][2]int{"default": {300, 60}, "short": {60, 20}}

// pick returns the files to compare at optimization level opt.
func pick(files []string, opt int) []string {
	if only := os.Getenv("RULES_PYC_ORACLE_FILES"); only != "" {
		var out []string
		for _, f := range strings.Split(only, ",") {
			if i := sort.SearchStrings(files, f); i < len(files) && files[i] == f {
				out = append(out, f)
			}
		}
		return out
	}
	if os.Getenv("RULES_PYC_FULL_SWEEP") != "" {
		return files
	}
	n := sampleSizes["default"]
	if testing.Short() {
		n = sampleSizes["short"]
	}
	if opt == 0 {
		return sample(files, n[0], 1)
	}
	return sample(files, n[1], int64(1+opt))
}

// TestInChroot runs this package's tests once more inside the chroot, with
// its CPython 3.13 (3.13.18).
func TestInChroot(t *testing.T) { pythons.RunInChroot(t) }

// TestStdlibAgainstPyCompile takes CPython's own code objects for .py files
// of each 3.13 interpreter's stdlib (compile() in the interpreter:
// instructions decoded from co_code, positions from co_positions, handlers
// from dis's exception table parser), assembles them again with the native
// assembler, writes them with the native marshal writer, and compares (a)
// co_code, co_linetable and co_exceptiontable with CPython's and (b) the
// bytes with what py_compile writes in a fresh process (the fork server of
// compiler/interp, which is held to that), at -O0, -O1 and
// -O2. Every difference is listed; the test fails on any. See pick for how
// many files; RULES_PYC_ORACLE_FILES (a comma-separated list of
// stdlib-relative paths) compares only those that the stdlib has.
func TestStdlibAgainstPyCompile(t *testing.T) {
	var found []pythons.Interpreter
	for _, py := range pythons.Find(t) {
		if py.Major == 3 && py.Minor == 13 && !py.Embedded {
			found = append(found, py)
		}
	}
	if len(found) == 0 {
		if pythons.InChroot() {
			t.Fatal("no CPython 3.13 in the chroot")
		}
		t.Skip("no CPython 3.13 on the host")
	}
	for _, py := range found {
		t.Run(py.Version, func(t *testing.T) {
			lib := py.Stdlib(t)
			for _, opt := range []int{0, 1, 2} {
				fs := pick(lib.Files, opt)
				t.Run(fmt.Sprintf("O%d", opt), func(t *testing.T) {
					compareFiles(t, py, lib.Root, fs, opt)
				})
			}
		})
	}
}

func sample(files []string, n int, seed int64) []string {
	if n >= len(files) {
		return files
	}
	r := rand.New(rand.NewSource(seed))
	idx := r.Perm(len(files))[:n]
	sort.Ints(idx)
	out := make([]string, n)
	for i, j := range idx {
		out[i] = files[j]
	}
	return out
}

type stats struct {
	files, compared, errors, attr, bytes int
	examples                             []string
}

func (s *stats) note(format string, args ...any) {
	if len(s.examples) < 40 {
		s.examples = append(s.examples, fmt.Sprintf(format, args...))
	}
}

func compareFiles(t *testing.T, py pythons.Interpreter, root string, files []string, opt int) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	srv, err := interp.Launch(ctx, py.Path, nil, interp.Options{Stderr: os.Stderr, MaxAnswer: 1 << 30})
	if err != nil {
		t.Fatalf("start %s: %v", py, err)
	}
	defer func() { srv.Kill(); srv.Close() }()
	startup, err := pyobj.StartupInterned(py.Version)
	if err != nil {
		t.Fatal(err)
	}
	sources := make([]codeoracle.Source, len(files))
	for i, f := range files {
		sources[i] = codeoracle.Source{Path: filepath.Join(root, f), Name: f}
	}
	var st stats
	var w marshal.Writer
	start := time.Now()
	err = codeoracle.Run(ctx, py, sources, opt, func(i int, f *codeoracle.File) error {
		st.files++
		src, err := os.ReadFile(sources[i].Path)
		if err != nil {
			return err
		}
		answer, refErr := srv.Compile(ctx, interp.Request{Name: sources[i].Name, Source: src, Optimize: opt})
		ref := answer.Code
		if f.Error != "" {
			if refErr == nil {
				st.attr++
				st.note("%s: compile() failed (%s) but py_compile did not", sources[i].Name, f.Error)
			}
			st.errors++
			return nil
		}
		if refErr != nil {
			return fmt.Errorf("%s: py_compile: %v", sources[i].Name, refErr)
		}
		st.compared++
		refTree, err := marshal.Read(ref)
		if err != nil {
			return fmt.Errorf("%s: read py_compile's output: %v", sources[i].Name, err)
		}
		for _, c := range marshal.Codes(refTree) {
			f.Kinds = append(f.Kinds, []byte(c.LocalsPlusKinds.Str))
		}
		top, err := codeoracle.Replay(opcode.V313, startup, sources[i].Name, f)
		if err != nil {
			st.attr++
			st.note("%s: %v", sources[i].Name, trim(err.Error()))
			return nil
		}
		got, err := w.Dump(top)
		if err != nil {
			return fmt.Errorf("%s: %v", sources[i].Name, err)
		}
		if !bytes.Equal(got, ref) {
			st.bytes++
			st.note("%s: %s", sources[i].Name, firstDiff(got, ref))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s -O%d: %d files, %d compared (%d do not compile), %d attribute differences, %d byte differences (%s)",
		py, opt, st.files, st.compared, st.errors, st.attr, st.bytes, time.Since(start).Round(time.Millisecond))
	for _, e := range st.examples {
		t.Log(e)
	}
	if st.attr+st.bytes > 0 {
		t.Errorf("%d of %d files differ from CPython %s", st.attr+st.bytes, st.compared, py.Version)
	}
}

func trim(s string) string {
	if len(s) > 400 {
		return s[:400] + "..."
	}
	return s
}

func firstDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := i - 16
	if lo < 0 {
		lo = 0
	}
	hi := func(b []byte) int {
		if i+24 < len(b) {
			return i + 24
		}
		return len(b)
	}
	return fmt.Sprintf("%d/%d bytes, first difference at %d: got ...%x|%x..., want ...%x|%x...",
		len(got), len(want), i, got[lo:i], got[i:hi(got)], want[lo:i], want[i:hi(want)])
}
