package native

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/failure"
	"github.com/rules-pyc/rules_pyc/compiler/interp"
	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

//go:embed testdata/driver.py
var driverSource string

// How many stdlib files the end-to-end test compares per interpreter, at
// -O0 and at each of -O1 and -O2 (fixed-seed samples): by default (CI) and
// with -short. RULES_PYC_FULL_SWEEP=1 compares every file at every level
// (the documented full sweep); RULES_PYC_ORACLE_FILES (comma-separated,
// stdlib-relative) only those files. RULES_PYC_ORACLE_TREE names a
// directory whose .py files are compared instead of the stdlib's:
// another release's stdlib or a project's sources (for TestInChroot, a
// tree the chroot sees: under /tmp).
var sweepSizes = map[bool][2]int{false: {300, 100}, true: {40, 15}}

// TestInChroot runs this package's tests once more inside each chroot,
// with its CPython 3.13: Debian sid's 3.13.18, trixie's 3.13.5 and, while
// Debian testing carries it, forky's (3.13.15 when this was written).
func TestInChroot(t *testing.T) { pythons.RunInChroot(t, "sid", "trixie", "forky") }

// TestStdlibAgainstPyCompile compiles .py files of each 3.13 interpreter's
// standard library with the native compiler, imitating that interpreter's
// release, at -O0, -O1 and -O2, and compares with CPython:
//
//   - the bytes with what py_compile writes in a fresh `python3.13 -S -s`
//     process with PYTHONHASHSEED=0 (the fork server of compiler/interp,
//     itself held to that reference);
//   - a rejected source's message with py_compile's;
//   - the warnings, as the warnings module prints them, in order.
//
// Every difference is attributed to the first stage whose result differs
// from CPython's (see attribute) and listed; the test fails on any.
func TestStdlibAgainstPyCompile(t *testing.T) {
	for _, py := range pythons.Local(t, 3, 13) {
		rel, exact, err := release.Parse(py.Version)
		if err != nil || !exact {
			t.Fatalf("%s: version %q: %v", py, py.Version, err)
		}
		if err := Check(rel); err != nil {
			t.Errorf("%s: %v", py, err)
			continue
		}
		t.Run(py.Version, func(t *testing.T) {
			lib := pythons.Corpus(t, py)
			for _, opt := range []int{0, 1, 2} {
				files := pickFiles(lib.Files, opt)
				t.Run(fmt.Sprintf("O%d", opt), func(t *testing.T) {
					sweep(t, py, rel, lib.Root, files, opt)
				})
			}
		})
	}
}

// pickFiles returns the files to compare at level opt.
func pickFiles(files []string, opt int) []string {
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
	n := sweepSizes[testing.Short()][min(opt, 1)]
	if n >= len(files) {
		return files
	}
	r := rand.New(rand.NewSource(int64(1 + opt)))
	idx := r.Perm(len(files))[:n]
	sort.Ints(idx)
	out := make([]string, n)
	for i, j := range idx {
		out[i] = files[j]
	}
	return out
}

// outcome counts.
type tally struct {
	files, compiled, rejected int
	// byStage counts the files that differ by the first differing stage.
	byStage  map[string]int
	examples []string
}

func (s *tally) differ(stage, format string, args ...any) {
	if s.byStage == nil {
		s.byStage = map[string]int{}
	}
	s.byStage[stage]++
	if len(s.examples) < 30 {
		s.examples = append(s.examples, stage+": "+fmt.Sprintf(format, args...))
	}
}

func (s *tally) differences() int {
	n := 0
	for _, c := range s.byStage {
		n += c
	}
	return n
}

func (s *tally) summary() string {
	var stages []string
	for k := range s.byStage {
		stages = append(stages, k)
	}
	sort.Strings(stages)
	var parts []string
	for _, k := range stages {
		parts = append(parts, fmt.Sprintf("%s %d", k, s.byStage[k]))
	}
	by := ""
	if len(parts) > 0 {
		by = " (" + strings.Join(parts, ", ") + ")"
	}
	return fmt.Sprintf("%d files: %d agree (compiled), %d agree (rejected), %d differ%s",
		s.files, s.compiled, s.rejected, s.differences(), by)
}

func sweep(t *testing.T, py pythons.Interpreter, rel release.Release, root string, files []string, opt int) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Minute)
	defer cancel()
	srv, err := interp.Launch(ctx, py.Path, nil, interp.Options{MaxAnswer: 1 << 30})
	if err != nil {
		t.Fatalf("start %s: %v", py, err)
	}
	defer func() { srv.Kill(); srv.Close() }()
	drv := startDriver(t, ctx, py)
	defer drv.close()
	env := &sweepEnv{py: py, drv: drv}

	var st tally
	start := time.Now()
	for i, f := range files {
		st.files++
		path := filepath.Join(root, f)
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// Every other file is compiled under its own path, which CPython
		// reads error lines back from, and the others under a name that
		// is no file (nor one under sys.path, where linecache would look
		// for a warning's line).
		name, file := path, src
		if i%2 == 1 {
			name, file = filepath.Join("missing", f), nil
		}
		answer, refErr := srv.Compile(ctx, interp.Request{Name: name, Source: src, Optimize: opt})
		ref := answer.Code
		var ce *failure.CompileError
		if refErr != nil && !errors.As(refErr, &ce) {
			t.Fatalf("%s: py_compile: %v", f, refErr)
		}
		var wantWarn warningsAnswer
		if err := drv.ask(driverRequest{Op: "warnings", Path: path, Name: name, Opt: opt}, &wantWarn); err != nil {
			t.Fatalf("%s: %v", f, err)
		}

		res, err := Compile(Request{Source: src, Name: name, Release: rel, Optimize: opt, File: file})
		var gotWarn []string
		for _, w := range res.Warnings {
			gotWarn = append(gotWarn, FormatWarning(name, w, SourceLine(name, w.Lineno, rel)))
		}
		var serr *syntaxerr.Error
		switch {
		case err != nil && !errors.As(err, &serr):
			st.differ(stageOf(err), "%s: %v", f, trim(err.Error()))
			continue
		case ce != nil && serr == nil:
			st.differ("accepted", "%s: CPython rejects it: %s", f, trim(ce.Msg))
			continue
		case ce == nil && serr != nil:
			st.differ(rejectedStage(serr), "%s: the native compiler rejects it: %s", f, trim(syntaxerr.Format(serr)))
			continue
		case ce != nil:
			if got := syntaxerr.Format(serr); got != ce.Msg && got != ce.Msg+"\n" {
				st.differ("error", "%s: message\n got: %q\nwant: %q", f, got, ce.Msg)
				continue
			}
		case !bytes.Equal(res.Code, ref):
			stage, detail := attribute(t, env, Request{Source: src, Name: name, Release: rel, Optimize: opt, File: file}, path, res.Code, ref)
			st.differ(stage, "%s: %s", f, detail)
			continue
		}
		if !equalStrings(gotWarn, wantWarn.Warnings) {
			st.differ("warnings", "%s:\n got: %q\nwant: %q", f, gotWarn, wantWarn.Warnings)
			continue
		}
		if ce != nil {
			st.rejected++
		} else {
			st.compiled++
		}
	}
	t.Logf("%s -O%d: %s (%s)", py, opt, st.summary(), time.Since(start).Round(time.Millisecond))
	for _, e := range st.examples {
		t.Log(e)
	}
	if n := st.differences(); n > 0 {
		t.Errorf("%d of %d files differ from CPython %s at -O%d", n, st.files, py.Version, opt)
	}
}

// sweepEnv is what a sweep compares with.
type sweepEnv struct {
	py  pythons.Interpreter
	drv *driver
}

// stageOf names the stage of a native error that is no SyntaxError.
func stageOf(err error) string {
	var u *UnsupportedError
	var f *FaultError
	switch {
	case errors.As(err, &u):
		return "unsupported:" + u.Stage
	case errors.As(err, &f):
		return "fault:" + f.Stage
	}
	return "error"
}

// rejectedStage names the stage of a SyntaxError the native compiler raises
// for a source CPython compiles.
func rejectedStage(serr *syntaxerr.Error) string {
	return "rejected"
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func trim(s string) string {
	if len(s) > 600 {
		return s[:600] + "..."
	}
	return s
}

// driver is one process running testdata/driver.py.
type driver struct {
	in   io.WriteCloser
	out  *bufio.Reader
	wait func() error
}

type driverRequest struct {
	Op   string `json:"op"`
	Path string `json:"path"`
	Name string `json:"name"`
	Opt  int    `json:"opt"`
}

type warningsAnswer struct {
	Warnings []string `json:"warnings"`
	Error    *string  `json:"error"`
}

type dumpsAnswer struct {
	Parsed    *string `json:"parsed"`
	Optimized *string `json:"optimized"`
	Error     *string `json:"error"`
}

// startDriver starts the driver in the working directory (where the
// compile server runs too).
func startDriver(t *testing.T, ctx context.Context, py pythons.Interpreter) *driver {
	script := filepath.Join(t.TempDir(), "driver.py")
	if err := os.WriteFile(script, []byte(driverSource), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := py.Command(ctx, "-S", "-s", script)
	cmd.Env = append(cmd.Env, "PYTHONHASHSEED=0", "PYTHONIOENCODING=utf-8")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the driver with %s: %v", py, err)
	}
	return &driver{in: in, out: bufio.NewReaderSize(out, 1<<20), wait: cmd.Wait}
}

func (d *driver) ask(req driverRequest, answer any) error {
	b, err := json.Marshal(req)
	if err != nil {
		return err
	}
	if _, err := d.in.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("driver: %w", err)
	}
	line, err := d.out.ReadBytes('\n')
	if err != nil {
		return fmt.Errorf("driver: %w", err)
	}
	return json.Unmarshal(line, answer)
}

func (d *driver) close() {
	d.in.Close()
	d.wait()
}
