package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// TestUsageErrors: a wrong command line exits 2 with a message that says
// what is wrong, and compiles nothing. Where compileall rejects the same
// command line, it exits 2 as well.
func TestUsageErrors(t *testing.T) {
	pys := interpreters(t)
	py := pys[len(pys)-1]
	cases := []struct {
		args       []string
		want       string // in stderr
		compileall bool   // compileall also rejects it with status 2
	}{
		{nil, "no PATH given", false},
		{[]string{"-d", "x", "-s", "y", "pkg"}, "-d cannot be used in combination with -s or -p", true},
		{[]string{"-d", "x", "-p", "y", "pkg"}, "-d cannot be used in combination with -s or -p", true},
		{[]string{"--hardlink-dupes", "pkg"}, "only for more than one optimization level", true},
		{[]string{"-o", "1", "--hardlink-dupes", "pkg"}, "only for more than one optimization level", true},
		{[]string{"-o", "1", "-o", "1", "--hardlink-dupes", "pkg"}, "only for more than one optimization level", false},
		{[]string{"-o", "3", "pkg"}, "invalid optimization level 3", false},
		{[]string{"-o", "x", "pkg"}, `invalid argument "x" for "-o" flag: invalid int value: "x"`, true},
		{[]string{"-j", "-1", "pkg"}, "-j -1", false},
		{[]string{"-j", "many", "pkg"}, `invalid argument "many" for "-j, --workers" flag`, true},
		{[]string{"-x", "(", "pkg"}, "invalid regular expression \"(\": missing closing )", false},
		{[]string{"-r", "0x10", "pkg"}, `invalid argument "0x10" for "-r" flag: invalid int value: "0x10"`, true},
		{[]string{"-r", "1__0", "pkg"}, `invalid int value: "1__0"`, true},
		{[]string{"--startup-timeout", "0s", "pkg"}, "--startup-timeout 0s", false},
		{[]string{"--invalidation-mode", "bogus", "pkg"}, "invalid choice", true},
		{[]string{"--timeout", "0s", "pkg"}, "--timeout 0s", false},
		{[]string{"--timeout", "soon", "pkg"}, `invalid argument "soon" for "--timeout" flag`, false},
		{[]string{"--bogus", "pkg"}, "unrecognized option: --bogus", true},
		{[]string{"--h", "pkg"}, "ambiguous option: --h could match --help, --hardlink-dupes", true},
		{[]string{"-z", "pkg"}, "unknown shorthand flag: 'z'", true},
		{[]string{"pkg", "-r"}, "flag needs an argument", true},
		{[]string{"--python", "/nonexistent/python3", "pkg"}, "/nonexistent/python3", false},
		{[]string{"--python", py.Path, "--python-version", "2.7", "pkg"}, "Python 2.7 was requested", false},
	}
	dir := t.TempDir()
	buildTree(t, dir, pkgTree)
	before := snapshot(t, dir)
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			args := c.args
			if !slices.Contains(args, "--python") && len(args) > 0 {
				args = append([]string{"--python", py.Path}, args...)
			}
			stdout, stderr, code := runMain(t, dir, args, "")
			if code != ExitUsage || !strings.Contains(stderr, c.want) || !strings.HasPrefix(stderr, "pyc: error: ") {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, c.want)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			if d := diffSnapshots(before, snapshot(t, dir)); d != "" {
				t.Errorf("the tree changed:\n%s", d)
			}
			if c.compileall {
				_, code := runCompileall(t, py, t.TempDir(), c.args, "")
				if code != 2 {
					t.Errorf("compileall exits %d for this command line, not 2", code)
				}
			}
		})
	}
}

// TestRegexpErrorsGiveTheReason: a -x pattern that does not compile is a
// usage error whose message gives the regexp library's own reason.
func TestRegexpErrorsGiveTheReason(t *testing.T) {
	for _, pattern := range []string{"(", ")", "[a", "*", "a**", `\Z`, `\1`, "(?=x)", "x{1001}", "[z-a]", "(?P<>x)", `\p{Nope}`, "\xff(", "a{2,1}"} {
		_, want := regexp.Compile(pattern)
		if want == nil {
			t.Fatalf("%q compiles", pattern)
		}
		_, err := parseArgs([]string{"-x", pattern, "pkg"})
		var se *syntax.Error
		if !errors.As(want, &se) {
			t.Fatalf("%q: the library's error %v is not a *syntax.Error", pattern, want)
		}
		if err == nil || !strings.Contains(err.Error(), se.Code.String()) || strings.Contains(err.Error(), "<nil>") {
			t.Errorf("-x %q: %v, want a message giving %q", pattern, err, se.Code.String())
		}
	}
}

// TestPyIntMatchesPython: -j, -r and -o read their values as Python's
// int() does (argparse's type=int).
func TestPyIntMatchesPython(t *testing.T) {
	pys := interpreters(t)
	py := pys[len(pys)-1]
	inputs := []string{"0", " 0", "0 ", "+1", "-1", "- 1", "1_000", "1__0", "_1", "1_", "0x10", "010", "00",
		"\u0661\u0662", "\U0001d7d9", "\u0967_\u0968", "\u00a0 5\u2003", "\t3\n", "\x1c4\x1f", "", " ", "+", "1e3", "1.0",
		"\u00b2", "\u2155", "\uff11\uff12", "99999999999999999999999"}
	script := `import json, sys
out = []
for s in json.load(sys.stdin):
    try:
        out.append(str(int(s)))
    except ValueError:
        out.append(None)
json.dump(out, sys.stdout)`
	in, err := json.Marshal(inputs)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py.Path, "-S", "-s", "-c", script)
	cmd.Stdin = bytes.NewReader(in)
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var want []*string
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	for i, s := range inputs {
		n, err := pyInt(s)
		switch {
		case want[i] == nil && err == nil:
			t.Errorf("pyInt(%q) = %d, Python's int() refuses it", s, n)
		case want[i] != nil && err != nil && len(*want[i]) < 19:
			t.Errorf("pyInt(%q): %v, Python's int() gives %s", s, err, *want[i])
		case want[i] != nil && err == nil && strconv.Itoa(n) != *want[i]:
			t.Errorf("pyInt(%q) = %d, Python's int() gives %s", s, n, *want[i])
		}
	}
}

// TestHelp: --help explains every option, the default mode and the exit
// statuses, and exits 0.
func TestHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help", "--he"} {
		var stdout, stderr bytes.Buffer
		code := Main(context.Background(), []string{arg, "pkg"}, nil, &stdout, &stderr, nil)
		if code != 0 || stderr.Len() != 0 {
			t.Fatalf("%s: exit %d, stderr %q", arg, code, stderr.String())
		}
		help := stdout.String()
		for _, s := range flagSpecs {
			if s.short != "" && !strings.Contains(help, "  -"+s.short+" ") && !strings.Contains(help, "  -"+s.short+",") {
				t.Errorf("%s does not explain -%s", arg, s.short)
			}
			if s.long != "" && !strings.Contains(help, "--"+s.long+" ") {
				t.Errorf("%s does not explain --%s", arg, s.long)
			}
		}
		for _, s := range []string{"checked-hash (the default", "Exit status", "  0  ", "  1  ", "  2  "} {
			if !strings.Contains(help, s) {
				t.Errorf("%s lacks %q", arg, s)
			}
		}
	}
}

// TestJobsDoNotChangeTheResult: -j 1 and -j 4 print the same lines and
// write the same trees.
func TestJobsDoNotChangeTheResult(t *testing.T) {
	pys := interpreters(t)
	py := pys[len(pys)-1]
	tree := append(append([]node{}, pkgTree...), badTree(t, py)...)
	var outs []string
	var snaps []map[string]string
	for _, j := range []string{"1", "4", "0"} {
		dir := t.TempDir()
		buildTree(t, dir, tree)
		out, _, code := runPyc(t, dir, []string{"--python", py.Path, "-j", j, "-o", "0", "-o", "2", "pkg", "bad"}, "")
		if code != 1 {
			t.Errorf("-j %s: exit %d, want 1 (bad input)", j, code)
		}
		outs = append(outs, out)
		snaps = append(snaps, snapshot(t, dir))
	}
	for i := 1; i < len(outs); i++ {
		if outs[i] != outs[0] {
			t.Errorf("stdout differs between -j values:\n%s\n---\n%s", outs[0], outs[i])
		}
		if d := diffSnapshots(snaps[0], snaps[i]); d != "" {
			t.Errorf("trees differ between -j values:\n%s", d)
		}
	}
}

// TestBlankListLinesSkipped: blank lines of an -i list are ignored (where
// compileall would try to list the directory ”).
func TestBlankListLinesSkipped(t *testing.T) {
	pys := interpreters(t)
	py := pys[len(pys)-1]
	dir := t.TempDir()
	buildTree(t, dir, pkgTree)
	out, stderr, code := runMain(t, dir, []string{"--python", py.Path, "-i", "-"}, "\n  \npkg/B.py\n\n")
	if code != 0 || out != "Compiling 'pkg/B.py'...\n" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

// TestProgressLine checks the formatter.
func TestProgressLine(t *testing.T) {
	cases := []struct {
		done, total int
		elapsed     time.Duration
		want        string
	}{
		{0, 10, 0, "pyc: 0/10 files (0%), 0.0 files/s"},
		{5, 10, time.Second, "pyc: 5/10 files (50%), 5.0 files/s"},
		{1234, 4567, 2 * time.Second, "pyc: 1234/4567 files (27%), 617.0 files/s"},
		{0, 0, time.Second, "pyc: 0/0 files (100%), 0.0 files/s"},
	}
	for _, c := range cases {
		if got := progressLine(c.done, c.total, c.elapsed); got != c.want {
			t.Errorf("progressLine(%d, %d, %s) = %q, want %q", c.done, c.total, c.elapsed, got, c.want)
		}
	}
}

// TestProgressOnTerminal: with stderr on a pseudo-terminal a long run draws
// "done/total" lines in place and erases the last one; with stderr on a
// pipe nothing but errors is printed there. The CPython backend compiles,
// so that the run lasts.
func TestProgressOnTerminal(t *testing.T) {
	pys := interpreters(t)
	py := pys[len(pys)-1]
	oldDelay, oldInterval := progressDelay, progressInterval
	progressDelay, progressInterval = 0, 5*time.Millisecond
	defer func() { progressDelay, progressInterval = oldDelay, oldInterval }()

	var tree []node
	for i := range 60 {
		tree = append(tree, node{path: "many/m" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ".py", data: "x = 1\n"})
	}
	dir := t.TempDir()
	buildTree(t, dir, tree)

	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	got := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(ptmx)
		got <- b
	}()
	stdout, _, code := func() (string, string, int) {
		defer tty.Close()
		wd, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Chdir(dir); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := os.Chdir(wd); err != nil {
				t.Error(err)
			}
		}()
		var out bytes.Buffer
		code := Main(context.Background(), []string{"--backend", "cpython", "--python", py.Path, "-j1", "-f", "many"}, nil, &out, tty, nil)
		return out.String(), "", code
	}()
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if n := strings.Count(stdout, "Compiling"); n != 60 {
		t.Errorf("%d Compiling lines, want 60", n)
	}
	term := string(<-got)
	draws := regexp.MustCompile(`pyc: (\d+)/60 files \(\d+%\), [0-9.]+ files/s`).FindAllStringSubmatch(term, -1)
	if len(draws) < 2 {
		t.Fatalf("fewer than two progress lines on the terminal: %q", term)
	}
	if !strings.HasSuffix(term, clearLine) {
		t.Errorf("the progress line is not erased at the end: %q", term[max(0, len(term)-80):])
	}
	if strings.Count(term, "\n") != 0 {
		t.Errorf("the progress line scrolls: %q", term)
	}

	// The same run with stderr on a pipe prints nothing there.
	_, stderr, code := runMain(t, dir, []string{"--backend", "cpython", "--python", py.Path, "-j1", "-f", "many"}, "")
	if code != 0 || stderr != "" {
		t.Errorf("stderr on a pipe: exit %d, %q", code, stderr)
	}
}

// TestInterrupt: cancelling the context (SIGINT in the binary) stops the
// run: compileall's "[interrupted]" line, exit 1, no temporary files left.
// The CPython backend compiles: the servers are stopped in the middle.
func TestInterrupt(t *testing.T) {
	pys := interpreters(t)
	py := pys[len(pys)-1]
	var tree []node
	for i := range 400 {
		tree = append(tree, node{path: "many/m" + strconv.Itoa(i) + ".py", data: "x = " + strconv.Itoa(i) + "\n"})
	}
	dir := t.TempDir()
	buildTree(t, dir, tree)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		// Cancel as soon as the first pyc is on disk.
		for ctx.Err() == nil {
			if m, _ := filepath.Glob(filepath.Join(dir, "many", "__pycache__", "*.pyc")); len(m) > 0 {
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := Main(ctx, []string{"--backend", "cpython", "--python", py.Path, "-j1", "many"}, nil, &stdout, &stderr, nil)
	if err := os.Chdir(wd); err != nil {
		t.Fatal(err)
	}
	if code != ExitFailed || !strings.HasSuffix(stdout.String(), "\n[interrupted]\n") {
		t.Errorf("exit %d, stdout ends %q", code, stdout.String()[max(0, stdout.Len()-60):])
	}
	all, _ := filepath.Glob(filepath.Join(dir, "many", "__pycache__", "*"))
	pycs, _ := filepath.Glob(filepath.Join(dir, "many", "__pycache__", "*.pyc"))
	if len(all) != len(pycs) {
		t.Errorf("temporary files left: %d entries, %d pycs", len(all), len(pycs))
	}
	if len(pycs) == 0 || len(pycs) == len(tree) {
		t.Errorf("%d of %d files compiled: the run was not interrupted midway", len(pycs), len(tree))
	}
}

// TestPaceGetsJobs: the pacing callback learns, before the first compile,
// how many compiles may run at once (-j's value, or one per CPU for -j 0)
// and how many run in this process: one per file and level the native
// compiler compiles, none when an interpreter compiles.
func TestPaceGetsJobs(t *testing.T) {
	pys := interpreters(t)
	py := pys[len(pys)-1]
	for _, tc := range []struct {
		args          []string
		files, pycs   int
		jobs, inProcs int
	}{
		{[]string{"--python-version", "3.13", "-j", "1"}, 1, 1, 1, 1},
		{[]string{"--python-version", "3.13", "-j", "3"}, 4, 4, 3, 4},
		{[]string{"--python-version", "3.13", "-j", "3", "-o", "0", "-o", "2"}, 4, 8, 3, 8},
		{[]string{"--python-version", "3.13", "-j", "0"}, 2, 2, runtime.NumCPU(), 2},
		{[]string{"--backend", "cpython", "--python", py.Path, "-j", "2"}, 3, 3, 2, 0},
	} {
		dir := t.TempDir()
		for i := range tc.files {
			src := filepath.Join(dir, fmt.Sprintf("m%d.py", i))
			if err := os.WriteFile(src, []byte("x = 1\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var got [][2]int
		var stdout, stderr bytes.Buffer
		pace := func(jobs, inProcess int) {
			if _, err := os.Stat(filepath.Join(dir, "__pycache__")); err == nil {
				t.Errorf("%q: paced after a compile", tc.args)
			}
			got = append(got, [2]int{jobs, inProcess})
		}
		code := Main(context.Background(), append(tc.args, "-q", dir), nil, &stdout, &stderr, pace)
		if code != 0 {
			t.Fatalf("%q: exit %d, stderr %q", tc.args, code, stderr.String())
		}
		if want := [2]int{tc.jobs, tc.inProcs}; len(got) != 1 || got[0] != want {
			t.Errorf("%q: paced with %v, want [%v]", tc.args, got, want)
		}
		if pyc, _ := filepath.Glob(filepath.Join(dir, "__pycache__", "*.pyc")); len(pyc) != tc.pycs {
			t.Errorf("%q: %d pycs written, want %d", tc.args, len(pyc), tc.pycs)
		}
	}
}
