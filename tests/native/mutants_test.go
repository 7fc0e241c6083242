package native

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/engine"
	"github.com/rules-pyc/rules_pyc/compiler/failure"
	"github.com/rules-pyc/rules_pyc/compiler/pycfile"
	"github.com/rules-pyc/rules_pyc/internal/codemutate"
	"github.com/rules-pyc/rules_pyc/internal/mutate"
	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// The mutants CI compares: seed 1, mutants 0 to 9,999 of the host's 3.13
// (1,000 with -short), and 0 to 3,999 of each chroot's (TestInChroot:
// 3.13.18 and 3.13.5; 400 with -short), whose CPython side forks a process
// per compile at about 13 ms each on the project's machine: 10,000 there
// cost CI about 4.5 minutes of its two cores per release.
// Other seeds and counts run with
//
//	RULES_PYC_MUTANT_SEED=N RULES_PYC_MUTANT_COUNT=M go test -run TestMutants ./tests/native
//
// and the mutants that differ are kept in RULES_PYC_MUTANT_KEEP (a new
// directory under the system's temporary directory when unset).
// RULES_PYC_ORACLE_TREE names a directory whose .py files the mutants are
// cut from instead of the stdlib: another release's stdlib or a
// project's sources (for TestInChroot, a tree the chroot sees: under
// /tmp).
const (
	seedEnv  = "RULES_PYC_MUTANT_SEED"
	countEnv = "RULES_PYC_MUTANT_COUNT"
	keepEnv  = "RULES_PYC_MUTANT_KEEP"
)

// shards is how many pairs of engines compile at once, each pair over a
// contiguous run of mutants with one CPython server of its own (so that
// the warnings that server prints come in the order of its compiles).
const shards = 2

// TestInChroot runs this package's tests once more inside each chroot,
// with its CPython 3.13: Debian sid's 3.13.18, trixie's 3.13.5 and, while
// Debian testing carries it, forky's (3.13.15 when this was written).
func TestInChroot(t *testing.T) { pythons.RunInChroot(t, "sid", "trixie", "forky") }

func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a number", name, s)
	}
	return n
}

// TestMutants compiles mutants of each 3.13 interpreter's standard library
// natively and with that interpreter, as its release, and compares the
// bytes, the error listing and the warnings.
func TestMutants(t *testing.T) {
	seed := uint64(envInt(t, seedEnv, 1))
	n := 10000
	if pythons.InChroot() {
		n = 4000
	}
	if testing.Short() {
		n /= 10
	}
	n = envInt(t, countEnv, n)
	for _, py := range pythons.Local(t, 3, 13) {
		t.Run(py.Version, func(t *testing.T) {
			c := corpus(t, py)
			dir := t.TempDir()
			ms := make([]codemutate.Mutant, n)
			jobs := make([]engine.Job, n)
			start := time.Now()
			for i := range n {
				ms[i] = c.Mutant(seed, i)
				path := filepath.Join(dir, fmt.Sprintf("m%d_%05d.py", seed, i))
				if err := os.WriteFile(path, ms[i].Src, 0o644); err != nil {
					t.Fatal(err)
				}
				// Every other mutant is compiled under a name that is no
				// file, so that both ways of finding an error's or a
				// warning's line are covered.
				name := path
				if i%2 == 1 {
					name = filepath.Join("missing", filepath.Base(path))
				}
				jobs[i] = engine.Job{Source: path, Name: name, Optimize: i % 3, Mode: pycfile.CheckedHash, Python: py.Path}
			}
			from := "the stdlib of " + py.String()
			if dir := os.Getenv(pythons.TreeEnv); dir != "" {
				from = dir
			}
			t.Logf("%d mutants of seed %d cut from %s in %s", n, seed, from, time.Since(start).Round(time.Millisecond))
			start = time.Now()
			out := compileAll(t, jobs)
			t.Logf("compiled twice in %s", time.Since(start).Round(time.Millisecond))
			judge(t, py, ms, jobs, out)
		})
	}
}

// corpus is what the mutants of py are cut from (see pythons.Corpus).
func corpus(t *testing.T, py pythons.Interpreter) *codemutate.Corpus {
	lib := pythons.Corpus(t, py)
	c, err := codemutate.NewCorpus(lib.Files, lib.Sources(t))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// outcome is what one backend made of one job.
type outcome struct {
	data     []byte
	err      error
	warnings string
}

// compiled holds both backends' outcomes.
type compiled struct{ native, cpython []outcome }

// compileAll compiles every job with both backends, in shards.
func compileAll(t *testing.T, jobs []engine.Job) compiled {
	out := compiled{native: make([]outcome, len(jobs)), cpython: make([]outcome, len(jobs))}
	var wg sync.WaitGroup
	errs := make([]error, shards)
	per := (len(jobs) + shards - 1) / shards
	for s := range shards {
		lo, hi := min(s*per, len(jobs)), min((s+1)*per, len(jobs))
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[s] = compileShard(jobs[lo:hi], out.native[lo:hi], out.cpython[lo:hi])
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) take() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.b.String()
	b.b.Reset()
	return s
}

// compileShard compiles jobs with a native engine and a CPython engine of
// one server each; each compile's warnings come with its result.  Neither
// engine may print anything on its stderr.
func compileShard(jobs []engine.Job, nat, cpy []outcome) error {
	ctx := context.Background()
	var natErr, cpyErr syncBuffer
	ne := engine.New(engine.Config{Backend: engine.Native, Jobs: 1, Stderr: &natErr, Timeout: 2 * time.Minute})
	defer ne.Close()
	ce := engine.New(engine.Config{Backend: engine.CPython, Jobs: 1, Stderr: &cpyErr, Timeout: 2 * time.Minute})
	defer ce.Close()
	for i, j := range jobs {
		nat[i].data, nat[i].warnings, nat[i].err = compileOne(ctx, ne, j)
		cpy[i].data, cpy[i].warnings, cpy[i].err = compileOne(ctx, ce, j)
	}
	if s := natErr.take() + cpyErr.take(); s != "" {
		return fmt.Errorf("printed on the engines' stderr, outside any compile's result: %q", s)
	}
	return nil
}

func compileOne(ctx context.Context, e *engine.Engine, j engine.Job) ([]byte, string, error) {
	res, err := e.Compile(ctx, j)
	return res.Data, res.Warnings, err
}

// tally counts the outcomes.
type tally struct {
	compiled, rejected, oracleFailed int
	differ                           map[string]int // by kind
	errors, warnings                 *mutate.Histogram
	warned                           int
}

// judge compares the outcomes and reports them.
func judge(t *testing.T, py pythons.Interpreter, ms []codemutate.Mutant, jobs []engine.Job, out compiled) {
	st := tally{differ: map[string]int{}, errors: mutate.NewHistogram(), warnings: mutate.NewHistogram()}
	var reports []string
	var keep []int
	for i := range ms {
		n, c := out.native[i], out.cpython[i]
		kind, detail := compare(t, py, jobs[i], n, c)
		switch kind {
		case "":
		case "oracle":
			st.oracleFailed++
			t.Logf("mutant %d: CPython gave no answer: %v", i, c.err)
			continue
		default:
			st.differ[kind]++
			keep = append(keep, i)
			if len(reports) < 20 {
				reports = append(reports, fmt.Sprintf("%s (-O%d, %s):\n%s", ms[i], jobs[i].Optimize, jobs[i].Name, detail))
			}
			continue
		}
		var ce *failure.CompileError
		if errors.As(c.err, &ce) {
			st.rejected++
			typ, msg := lastLine(ce.Msg)
			st.errors.Add(typ, msg)
		} else {
			st.compiled++
		}
		if c.warnings != "" {
			st.warned++
			for _, l := range strings.Split(c.warnings, "\n") {
				if k := strings.Index(l, ": SyntaxWarning: "); k >= 0 && !strings.HasPrefix(l, "  ") {
					st.warnings.Add("SyntaxWarning", l[k+len(": SyntaxWarning: "):])
				}
			}
		}
	}
	total := 0
	var kinds []string
	for k, v := range st.differ {
		total += v
		kinds = append(kinds, fmt.Sprintf("%s %d", k, v))
	}
	sort.Strings(kinds)
	t.Logf("%s, %d mutants: %d agree (compiled), %d agree (rejected), %d differ %v, %d CPython gave no answer for",
		py, len(ms), st.compiled, st.rejected, total, kinds, st.oracleFailed)
	t.Logf("%d mutants warned (all agreeing); the warnings: %s", st.warned, st.warnings)
	t.Logf("the errors of the rejected mutants: %s", st.errors)
	if total == 0 {
		return
	}
	for _, r := range reports {
		t.Error(r)
	}
	t.Errorf("%d of %d mutants differ from CPython %s; kept in %s", total, len(ms), py.Version, keepMutants(t, py.Version, jobs, keep))
}

// keepMutants copies the sources of jobs[keep] into RULES_PYC_MUTANT_KEEP
// (a new temporary directory when it is unset), each name prefixed with
// the release and the optimization level, and returns the directory.
func keepMutants(t *testing.T, version string, jobs []engine.Job, keep []int) string {
	dir := os.Getenv(keepEnv)
	var err error
	if dir == "" {
		dir, err = os.MkdirTemp("", "native-mutants-")
	} else {
		err = os.MkdirAll(dir, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range keep {
		src, err := os.ReadFile(jobs[i].Source)
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-O%d-%s", version, jobs[i].Optimize, filepath.Base(jobs[i].Source))), src, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// lastLine splits py_compile's listing's last line, "Type: message".
func lastLine(listing string) (typ, msg string) {
	l := strings.TrimRight(listing, "\n")
	if k := strings.LastIndex(l, "\n"); k >= 0 {
		l = l[k+1:]
	}
	l = strings.TrimPrefix(l, "Sorry: ")
	if k := strings.Index(l, ": "); k >= 0 {
		return l[:k], l[k+2:]
	}
	return "", l
}

// compare returns the kind of a difference between the two outcomes ("" when
// they agree, "oracle" when CPython gave no answer) and a readable account
// of it.
func compare(t *testing.T, py pythons.Interpreter, j engine.Job, n, c outcome) (string, string) {
	var cce, nce *failure.CompileError
	cRejected, nRejected := errors.As(c.err, &cce), errors.As(n.err, &nce)
	switch {
	case c.err != nil && !cRejected:
		return "oracle", ""
	case n.err != nil && !nRejected:
		return "native error", fmt.Sprintf("  native: %v\n  CPython: %s", n.err, either(c.err, "compiled"))
	case cRejected && !nRejected:
		return "accepted", fmt.Sprintf("  the native compiler compiles it; CPython:\n%s", indent(cce.Msg))
	case !cRejected && nRejected:
		return "rejected", fmt.Sprintf("  the native compiler rejects it:\n%s", indent(nce.Msg))
	case cRejected:
		if nce.Msg != cce.Msg {
			return "message", fmt.Sprintf("  native:\n%s\n  CPython:\n%s", indent(nce.Msg), indent(cce.Msg))
		}
	case !bytes.Equal(n.data, c.data):
		return "bytes", "  " + describeBytes(t, py, n.data, c.data)
	}
	if n.warnings != c.warnings {
		return "warnings", fmt.Sprintf("  native:\n%s\n  CPython:\n%s", indent(n.warnings), indent(c.warnings))
	}
	return "", ""
}

func either(err error, ok string) string {
	if err != nil {
		return err.Error()
	}
	return ok
}

func indent(s string) string {
	if s == "" {
		return "    (nothing)"
	}
	return "    " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}

//go:embed testdata/codediff.py
var codediff string

// describeBytes names the first difference between two .pyc files, as the
// interpreter py sees them (testdata/codediff.py).
func describeBytes(t *testing.T, py pythons.Interpreter, nat, cpy []byte) string {
	dir := t.TempDir()
	a, b, script := filepath.Join(dir, "native.pyc"), filepath.Join(dir, "cpython.pyc"), filepath.Join(dir, "codediff.py")
	for _, f := range []struct {
		path string
		data []byte
	}{{a, nat}, {b, cpy}, {script, []byte(codediff)}} {
		if err := os.WriteFile(f.path, f.data, 0o644); err != nil {
			return err.Error()
		}
	}
	out, err := py.Command(context.Background(), "-S", "-s", script, a, b).CombinedOutput()
	if err != nil {
		return fmt.Sprintf("the bytes differ (%d and %d bytes); %s: %v: %s", len(nat), len(cpy), script, err, out)
	}
	return strings.TrimSpace(string(out))
}
