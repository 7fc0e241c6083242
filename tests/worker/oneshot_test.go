//go:build linux

package worker

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rules-pyc/rules_pyc/compiler/interp"
	"github.com/rules-pyc/rules_pyc/internal/pyref"
)

// TestOneShotServers runs `pyc -j 4 @paramfile`, as Bazel's one-shot
// strategies do, and counts the interpreters it starts: one server, and
// another only when more than eight sources per running server wait (no
// separate probe). The outputs are py_compile's. The CPython backend
// compiles (--backend cpython): the servers are what is counted.
func TestOneShotServers(t *testing.T) {
	in := python(t)
	tests := []struct {
		sources, want int
	}{
		{1, 1},
		{3, 1},
		{9, 1},
		{10, 2}, // the tenth source finds nine wanting the one server
		{19, 3}, // the nineteenth finds seventeen wanting two
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d sources", tt.sources), func(t *testing.T) {
			dir := t.TempDir()
			var files []file
			lines := []string{"--backend", "cpython", "--python", in.Path, "--invalidation_mode", "checked_hash"}
			for i := range tt.sources {
				// Each keeps a server busy for tens of milliseconds, so that
				// every source is waiting before the first is compiled.
				var b strings.Builder
				for k := range 4000 {
					fmt.Fprintf(&b, "v%d_%d = %d\n", i, k, k)
				}
				f := file{src: filepath.Join(dir, fmt.Sprintf("m%02d.py", i)), name: fmt.Sprintf("pkg/m%02d.py", i),
					pyc: filepath.Join(dir, "out", fmt.Sprintf("m%02d.pyc", i))}
				if err := os.WriteFile(f.src, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				files = append(files, f)
				lines = append(lines, "--src", f.src, "--src_name", f.name, "--pyc", f.pyc)
			}
			params := filepath.Join(dir, "params")
			if err := os.WriteFile(params, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(pycBinary, "-j", "4", "@"+params)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Every interpreter pyc starts is its child, and lives until
			// pyc exits; the compiles are forked by the interpreters.
			seen := map[int]bool{}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			var err error
		watch:
			for {
				for _, c := range children(cmd.Process.Pid) {
					// A child is counted once it runs the server (before its
					// exec it still shows pyc's command line).
					if b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", c)); err == nil && bytes.Contains(b, []byte(interp.ServerSource())) {
						seen[c] = true
					}
				}
				select {
				case err = <-done:
					break watch
				case <-time.After(time.Millisecond):
				}
			}
			if err != nil {
				t.Fatalf("pyc @params: %v\n%s", err, stderr.String())
			}
			if len(seen) != tt.want {
				t.Errorf("pyc started %d interpreters, want %d", len(seen), tt.want)
			}
			want := reference(t, in, files, pyref.CheckedHash, 0)
			for i, f := range files {
				if got := mustReadFile(t, f.pyc); !bytes.Equal(got, want[i]) {
					t.Errorf("%s: output differs from py_compile's", f.name)
				}
			}
			checkNoLeftovers(t)
		})
	}
}

// TestOneShotCollects runs `pyc @paramfile` natively, as a sandboxed
// PycCompile action for 3.13 runs it, and counts its garbage collections
// (GODEBUG=gctrace=1 prints a line for each): a target-sized action of
// eleven 6 KB modules ends without one, a large action (12 MB of source)
// collects and stays near the worker's heap limit (80 MiB for 2 jobs,
// where it allocates several hundred MB), and GOGC in the environment
// still paces the collector.
func TestOneShotCollects(t *testing.T) {
	tests := []struct {
		name      string
		modules   int
		functions int // per module, each about 100 bytes
		env       []string
		collect   bool  // at least one collection, or none
		maxRSS    int64 // bytes; 0: not checked
	}{
		{name: "a target's sources", modules: 11, functions: 60},
		{name: "GOGC set", modules: 40, functions: 60, env: []string{"GOGC=100"}, collect: true},
		{name: "a large action", modules: 400, functions: 300, collect: true, maxRSS: 160 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			lines := []string{"--python_version", "3.13.0", "--invalidation_mode", "checked_hash"}
			for i := range tt.modules {
				var b strings.Builder
				for k := range tt.functions {
					fmt.Fprintf(&b, "def f%d(a, b):\n    '''Doc.'''\n    x = [i * a for i in range(b)]\n    return {k: v for k, v in zip(x, x)}\n\n", k)
				}
				src := filepath.Join(dir, fmt.Sprintf("m%03d.py", i))
				if err := os.WriteFile(src, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				lines = append(lines, "--src", src, "--src_name", fmt.Sprintf("pkg/m%03d.py", i),
					"--pyc", filepath.Join(dir, "out", fmt.Sprintf("m%03d.pyc", i)))
			}
			params := filepath.Join(dir, "params")
			if err := os.WriteFile(params, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(pycBinary, "-j", "2", "@"+params)
			cmd.Env = append([]string{"PATH=/nonexistent", "GODEBUG=gctrace=1"}, tt.env...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("pyc @params: %v\n%s", err, stderr.String())
			}
			collections := 0
			for _, l := range strings.Split(stderr.String(), "\n") {
				if strings.HasPrefix(l, "gc ") {
					collections++
				}
			}
			if got := collections > 0; got != tt.collect {
				t.Errorf("%d collections, want some: %v\n%s", collections, tt.collect, stderr.String())
			}
			rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
			if tt.maxRSS > 0 && rss > tt.maxRSS {
				t.Errorf("peak RSS %d MiB, want at most %d MiB", rss>>20, tt.maxRSS>>20)
			}
			t.Logf("%d modules: %d collections, peak RSS %d MiB", tt.modules, collections, rss>>20)
			for i := range tt.modules {
				if _, err := os.Stat(filepath.Join(dir, "out", fmt.Sprintf("m%03d.pyc", i))); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
