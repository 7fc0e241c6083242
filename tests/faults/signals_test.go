//go:build linux

package faults

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/internal/proctree"
)

// signalSeed seeds the moments of TestSignalsAtRandomMoments: fixed, so
// that CI runs the same sample every time; RULES_PYC_FAULTS_SEED picks
// another (the test logs the one it used).
func signalSeed(t *testing.T) uint64 {
	seed := uint64(1)
	if s := os.Getenv("RULES_PYC_FAULTS_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("RULES_PYC_FAULTS_SEED: %v", err)
		}
		seed = n
	}
	t.Logf("seed %d (set RULES_PYC_FAULTS_SEED to change it)", seed)
	return seed
}

// TestSignalsAtRandomMoments stops pyc with SIGTERM or SIGKILL at a random
// moment of a run that starts interpreters and compiles a dozen sources on
// two of them, in every mode.  After SIGTERM pyc ends promptly: the command
// line and a one-shot run with status 1 (the worker with 0, without
// answering); after either signal no process it started runs a second
// later, and no partial or temporary file is left.  A signal that comes
// after the end changes nothing.
func TestSignalsAtRandomMoments(t *testing.T) {
	real := realPython(t)
	rng := rand.New(rand.NewPCG(signalSeed(t), 0))
	tr := newTree(t, 12, 3000)
	refs := tr.references(t, real.Path)
	rounds := 3
	if testing.Short() {
		rounds = 1
	}
	for _, m := range append(allModes, srcMode) {
		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
			for round := range rounds {
				delay := time.Duration(rng.Int64N(int64(1500 * time.Millisecond)))
				t.Run(fmt.Sprintf("%s/%v/%d", m, sig, round), func(t *testing.T) {
					clean(t, tr)
					in := &invocation{mode: m, python: real.Path, options: []string{"-j", "2"}, tree: tr, bounds: defaultBounds,
						stop: func(p *os.Process) {
							time.AfterFunc(delay, func() { _ = p.Signal(sig) })
						}}
					res := in.run(t)
					how := fmt.Sprintf("exit %d", res.code)
					if res.signaled != 0 {
						how = res.signaled.String()
					}
					t.Logf("%v after %s: %s after %s", sig, delay.Round(time.Millisecond), how, res.elapsed.Round(time.Millisecond))
					checkNoLeftovers(t, fmt.Sprintf("%v after %s", sig, delay.Round(time.Millisecond)))
					checkSignalled(t, m, sig, res)
					// Outputs stay after SIGKILL, on the command line (as
					// compileall leaves them), and when the request was
					// done; an interrupted request removes its own.
					done := res.signaled == 0 && res.code == 0 && (m == cliMode || m == oneShotMode || m == srcMode || res.answered)
					if sig == syscall.SIGKILL || m == cliMode || done {
						checkComplete(t, tr, m, real.CacheTag, refs)
					} else {
						checkComplete(t, tr, m, real.CacheTag, nil)
					}
				})
			}
		}
	}
}

// TestKillMidCompile kills pyc with SIGKILL while an interpreter it started
// has forked a compile of a large source: the server and the forked
// compile end within a second, whatever the mode.
func TestKillMidCompile(t *testing.T) {
	real := realPython(t)
	tr := &tree{dir: t.TempDir()}
	if err := os.Mkdir(filepath.Join(tr.dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := range 400000 {
		fmt.Fprintf(&b, "v%d = %d + w\n", i, i)
	}
	if err := os.WriteFile(filepath.Join(tr.dir, "src", "big.py"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	tr.sources = []string{"src/big.py"}
	for _, m := range allModes {
		t.Run(m.String(), func(t *testing.T) {
			var gone time.Duration
			in := &invocation{mode: m, python: real.Path, tree: tr, bounds: bounds{within: time.Minute, rss: 2 << 30},
				stop: func(p *os.Process) {
					compiling := waitForGrandchild(t, p.Pid)
					if compiling == 0 {
						return
					}
					if err := p.Signal(syscall.SIGKILL); err != nil {
						t.Errorf("kill -9: %v", err)
						return
					}
					killed := time.Now()
					for proctree.Running(compiling) && time.Since(killed) < 5*time.Second {
						time.Sleep(time.Millisecond)
					}
					gone = time.Since(killed)
				}}
			res := in.run(t)
			t.Logf("the forked compile ended %s after pyc was killed", gone.Round(time.Millisecond))
			if res.signaled != syscall.SIGKILL {
				t.Errorf("pyc was not killed (exit %d)", res.code)
			}
			if gone > time.Second {
				t.Errorf("the compile pyc's interpreter had forked ran %s after pyc was killed", gone.Round(time.Millisecond))
			}
			checkNoLeftovers(t, "kill -9 mid-compile")
			checkComplete(t, tr, m, real.CacheTag, nil)
		})
	}
}

// waitForGrandchild waits until pid has a grandchild (a compile forked by
// an interpreter server) and returns it (0, and the test fails, if none
// comes).
func waitForGrandchild(t *testing.T, pid int) int {
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		for _, c := range proctree.Children(pid) {
			for _, g := range proctree.Children(c) {
				if proctree.Running(g) {
					return g
				}
			}
		}
	}
	t.Errorf("pyc %d forked no compile within 30s", pid)
	return 0
}

// checkSignalled checks how pyc ended after sig (or before it).
func checkSignalled(t *testing.T, m mode, sig syscall.Signal, res result) {
	t.Helper()
	switch {
	case res.signaled != 0:
		if res.signaled != sig || sig != syscall.SIGKILL {
			t.Errorf("pyc died by %v after %v", res.signaled, sig)
		}
	case res.code == 0:
		// Done before the signal, or a worker stopped before answering.
	case m == cliMode && res.code == 1 && strings.HasSuffix(res.message, "\n[interrupted]\n"):
	case (m == oneShotMode || m == srcMode) && res.code == 1 && strings.Contains(res.message, "interrupted"):
	default:
		t.Errorf("after %v: exit %d, message:\n%s", sig, res.code, res.message)
	}
}

// checkComplete fails the test if the tree holds a partial or temporary
// file.  With refs nil it may hold no output at all; otherwise any output
// it holds must be py_compile's bytes.
func checkComplete(t *testing.T, tr *tree, m mode, cacheTag string, refs map[string][]byte) {
	t.Helper()
	tr.checkFiles(t, m, cacheTag, refs, nil)
}

// clean removes the outputs of the previous run.
func clean(t *testing.T, tr *tree) {
	t.Helper()
	for _, dir := range []string{"out", "src/__pycache__"} {
		if err := os.RemoveAll(filepath.Join(tr.dir, dir)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSignalWhileStarting stops pyc with SIGTERM or SIGINT while its
// interpreter has not said anything yet (with the default start-up limit
// of 10 s): pyc ends at once, as after a signal at any other moment, and
// leaves no process.
func TestSignalWhileStarting(t *testing.T) {
	for _, m := range append(allModes, srcMode) {
		for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
			t.Run(fmt.Sprintf("%s/%v", m, sig), func(t *testing.T) {
				tr := newTree(t, 2, 10)
				silent := writeFake(t, "exec sleep 1000", "")
				var sent time.Time
				in := &invocation{mode: m, python: silent, tree: tr, bounds: bounds{within: 5 * time.Second, rss: defaultBounds.rss},
					stop: func(p *os.Process) {
						time.Sleep(300 * time.Millisecond)
						sent = time.Now()
						_ = p.Signal(sig)
					}}
				res := in.run(t)
				t.Logf("%v: exit %d %s after the signal", sig, res.code, res.elapsed-300*time.Millisecond)
				checkNoLeftovers(t, fmt.Sprintf("%v while starting", sig))
				if sent.IsZero() {
					t.Fatal("pyc ended before the signal")
				}
				if res.answered {
					t.Errorf("the worker answered %q after %v", res.message, sig)
				}
				checkSignalled(t, m, syscall.SIGTERM, res)
				if res.code == 0 && (m == cliMode || m == oneShotMode || m == srcMode) {
					t.Errorf("exit 0 after %v, want 1", sig)
				}
				checkComplete(t, tr, m, "", nil)
			})
		}
	}
}
