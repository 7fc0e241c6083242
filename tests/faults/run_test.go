//go:build linux

package faults

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protodelim"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/rules-pyc/rules_pyc/internal/proctree"
	"github.com/rules-pyc/rules_pyc/internal/pyref"
	"github.com/rules-pyc/rules_pyc/tool/worker/workerpb"
)

// mode is one way of running pyc.
type mode int

const (
	cliMode     mode = iota // pyc [options] src
	oneShotMode             // pyc [startup options] @params
	protoMode               // pyc [startup options] --persistent_worker, proto requests
	jsonMode                // the same, JSON requests
	srcMode                 // pyc [startup options] --src ... (the request on the command line)
)

// allModes are the modes every fault case runs in; srcMode runs the same
// code as oneShotMode once the command line is split, and is added where
// it matters (signals).
var allModes = []mode{cliMode, oneShotMode, protoMode, jsonMode}

func (m mode) String() string {
	return [...]string{"cli", "oneshot", "worker-proto", "worker-json", "src"}[m]
}

// tree is a directory of sources, src/*.py, and where their outputs go in
// each mode.  The recorded names are src/NAME.py in every mode, so one
// reference serves them all.
type tree struct {
	dir     string   // the working directory of the run
	sources []string // src/m0.py, ... relative to dir
}

// newTree writes n small sources, each kept busy for a moment.
func newTree(t *testing.T, n int, lines int) *tree {
	t.Helper()
	tr := &tree{dir: t.TempDir()}
	if err := os.Mkdir(filepath.Join(tr.dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		var b strings.Builder
		for k := range lines {
			fmt.Fprintf(&b, "v%d_%d = 'value %d' + str(%d)\n", i, k, k, i)
		}
		rel := fmt.Sprintf("src/m%d.py", i)
		if err := os.WriteFile(filepath.Join(tr.dir, rel), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		tr.sources = append(tr.sources, rel)
	}
	return tr
}

// output is where a source's pyc goes in mode m (relative to the tree).
func (tr *tree) output(m mode, src, cacheTag string) string {
	base := strings.TrimSuffix(filepath.Base(src), ".py")
	if m == cliMode {
		return filepath.Join("src", "__pycache__", base+"."+cacheTag+".pyc")
	}
	return filepath.Join("out", base+".pyc")
}

// references are py_compile's bytes for each source (checked-hash, level
// 0), by source.
func (tr *tree) references(t *testing.T, python string) map[string][]byte {
	t.Helper()
	refs := map[string][]byte{}
	for _, src := range tr.sources {
		r, err := pyref.Compile(python, pyref.Spec{Source: filepath.Join(tr.dir, src), DFile: src, Mode: pyref.CheckedHash}, t.TempDir())
		if err != nil || r.Error != "" {
			t.Fatalf("reference for %s: %v %s", src, err, r.Error)
		}
		refs[src] = r.Data
	}
	return refs
}

// checkFiles fails the test if the tree holds anything but the sources and
// complete outputs: an output must hold its reference's bytes (refs nil:
// there must be none).  compiled lists the sources that must have one.
func (tr *tree) checkFiles(t *testing.T, m mode, cacheTag string, refs map[string][]byte, compiled []string) {
	t.Helper()
	want := map[string][]byte{}
	for _, src := range tr.sources {
		want[src] = nil
		if refs != nil {
			want[tr.output(m, src, cacheTag)] = refs[src]
		}
	}
	found := map[string]bool{}
	err := filepath.WalkDir(tr.dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(tr.dir, path)
		found[rel] = true
		ref, ok := want[rel]
		switch {
		case !ok && rel != "params":
			t.Errorf("left behind: %s", rel)
		case ref != nil:
			got, err := os.ReadFile(path)
			if err != nil {
				t.Error(err)
			} else if !bytes.Equal(got, ref) {
				t.Errorf("%s: %d bytes, not py_compile's %d bytes (partial or wrong)", rel, len(got), len(ref))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, src := range compiled {
		if out := tr.output(m, src, cacheTag); !found[out] {
			t.Errorf("%s was not written", out)
		}
	}
}

// bounds are what a run may take.
type bounds struct {
	within time.Duration // time to the answer
	rss    int64         // peak resident memory of pyc, or of any process it started and waited for
}

var defaultBounds = bounds{within: 30 * time.Second, rss: 300 << 20}

// result is what one run of pyc gave.
type result struct {
	code     int    // exit status (cli, oneshot), or the response's exit code (workers)
	message  string // what pyc said: stdout and stderr (cli), stderr (oneshot), the response's output (workers)
	log      string // pyc's stderr
	answered bool   // a worker answered the request
	elapsed  time.Duration
	peakRSS  int64
	signaled syscall.Signal // pyc died by this signal (0: it exited)
}

// tail keeps what a process writes, bounded: the first and the last 256
// KiB, and the total.
type tail struct {
	mu         sync.Mutex
	head, last []byte
	total      int64
}

const tailKeep = 256 << 10

func (b *tail) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.total += int64(len(p))
	if room := tailKeep - len(b.head); room > 0 {
		b.head = append(b.head, p[:min(room, len(p))]...)
	}
	b.last = append(b.last, p...)
	if len(b.last) > tailKeep {
		b.last = append(b.last[:0], b.last[len(b.last)-tailKeep:]...)
	}
	return len(p), nil
}

func (b *tail) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.total <= tailKeep {
		return string(b.head)
	}
	return string(b.head) + fmt.Sprintf("\n[... %d bytes in all ...]\n", b.total) + string(b.last)
}

// invocation is one run to make: pyc's options and the tree.
type invocation struct {
	mode    mode
	python  string
	options []string // spelled so that every mode takes them (--startup-timeout, --timeout, -j)
	tree    *tree
	bounds  bounds
	// defaultBackend runs pyc with no --backend (auto); otherwise it gets
	// --backend cpython, since the faults are the interpreter's.
	defaultBackend bool
	// stop, when set, is called once pyc runs, on a goroutine of its own,
	// to signal it; the run returns after it does.
	stop func(p *os.Process)
}

// command builds the pyc command line of the invocation, writing the
// params file of a one-shot run.
func (in *invocation) command(t *testing.T) *exec.Cmd {
	t.Helper()
	// The interpreter compiles (the CPython backend), unless the run is
	// the default's.
	args := []string{"--backend", "cpython", "--python", in.python}
	if in.defaultBackend {
		args = args[2:]
	}
	args = append(args, in.options...)
	switch in.mode {
	case cliMode:
		args = append(args, "--invalidation-mode", "checked-hash", "src")
	case oneShotMode:
		params := filepath.Join(in.tree.dir, "params")
		if err := os.WriteFile(params, []byte(strings.Join(in.request(), "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, "@"+params)
	case srcMode:
		args = append(args, in.request()...)
	default:
		args = append(args, "--persistent_worker")
	}
	cmd := exec.Command(pycBinary, args...)
	cmd.Dir = in.tree.dir
	return cmd
}

// request is the request's arguments (oneshot and workers).
func (in *invocation) request() []string {
	args := []string{"--invalidation_mode", "checked_hash"}
	for _, src := range in.tree.sources {
		args = append(args, "--src", src, "--src_name", src, "--pyc", in.tree.output(in.mode, src, ""))
	}
	return args
}

// run runs pyc and measures it.  It kills pyc when it exceeds its bounds
// (and fails the test), so that a pyc that hangs or floods memory costs no
// more than its bounds.
func (in *invocation) run(t *testing.T) result {
	t.Helper()
	cmd := in.command(t)
	var stdout, stderr tail
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var stdin io.WriteCloser
	var responses *bufio.Reader
	if in.mode == protoMode || in.mode == jsonMode {
		var err error
		if stdin, err = cmd.StdinPipe(); err != nil {
			t.Fatal(err)
		}
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		cmd.Stdout = w
		responses = bufio.NewReader(r)
		defer w.Close()
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if w, ok := cmd.Stdout.(*os.File); ok {
		w.Close()
	}
	pid := cmd.Process.Pid
	exited := make(chan struct{})
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(exited)
	}()

	// The watchdog: peak memory, and the bounds.
	var mu sync.Mutex
	var peak int64
	var over string
	watchDone := make(chan struct{})
	go func() {
		defer close(watchDone)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		deadline := time.NewTimer(in.bounds.within + 10*time.Second)
		defer deadline.Stop()
		for {
			select {
			case <-exited:
				return
			case <-deadline.C:
				mu.Lock()
				over = fmt.Sprintf("still running %s after its start", in.bounds.within+10*time.Second)
				mu.Unlock()
				killTree(pid)
				return
			case <-tick.C:
				rss := proctree.RSS(pid)
				mu.Lock()
				peak = max(peak, rss)
				if rss > in.bounds.rss {
					over = fmt.Sprintf("resident memory %d MiB, over the bound of %d MiB", rss>>20, in.bounds.rss>>20)
				}
				mu.Unlock()
				if rss > in.bounds.rss {
					killTree(pid)
					return
				}
			}
		}
	}()
	stopped := make(chan struct{})
	if in.stop != nil {
		go func() {
			defer close(stopped)
			in.stop(cmd.Process)
		}()
	} else {
		close(stopped)
	}

	res := result{}
	if responses != nil {
		resp, err := in.exchange(stdin, responses, exited)
		res.elapsed = time.Since(start)
		if err == nil {
			res.code, res.message, res.answered = int(resp.GetExitCode()), resp.GetOutput(), true
		} else if in.stop == nil {
			t.Errorf("%s: no response: %v", in.mode, err)
		}
		stdin.Close()
	}
	<-exited
	<-stopped
	if res.elapsed == 0 {
		res.elapsed = time.Since(start)
	}
	<-watchDone
	res.log = stderr.String()
	mu.Lock()
	res.peakRSS = peak
	if over != "" {
		t.Errorf("%s: pyc killed: %s; it said:\n%s%s", in.mode, over, stdout.String(), stderr.String())
	}
	mu.Unlock()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.peakRSS = max(res.peakRSS, ru.Maxrss<<10)
	}
	st := cmd.ProcessState.Sys().(syscall.WaitStatus)
	var ee *exec.ExitError
	switch {
	case st.Signaled():
		res.signaled = st.Signal()
	case responses != nil:
		if st.ExitStatus() != 0 && in.stop == nil {
			t.Errorf("%s: the worker exited with status %d once its input ended (%v); its log:\n%s", in.mode, st.ExitStatus(), waitErr, stderr.String())
		}
	case waitErr == nil || errors.As(waitErr, &ee):
		res.code = st.ExitStatus()
		res.message = stdout.String() + stderr.String()
		if in.mode == oneShotMode || in.mode == srcMode {
			res.message = stderr.String()
		}
	default:
		t.Fatalf("wait: %v", waitErr)
	}
	if res.peakRSS > in.bounds.rss {
		t.Errorf("%s: peak resident memory %d MiB, over the bound of %d MiB", in.mode, res.peakRSS>>20, in.bounds.rss>>20)
	}
	if res.elapsed > in.bounds.within {
		t.Errorf("%s: pyc took %s, over the bound of %s", in.mode, res.elapsed.Round(time.Millisecond), in.bounds.within)
	}
	if res.signaled == 0 {
		for _, bad := range []string{"panic:", "goroutine ", "fatal error:"} {
			if strings.Contains(stderr.String(), bad) {
				t.Errorf("%s: pyc's stderr shows a Go crash:\n%s", in.mode, stderr.String())
			}
		}
	}
	return res
}

// exchange sends the one request to a worker and reads its response.
func (in *invocation) exchange(stdin io.Writer, stdout *bufio.Reader, exited <-chan struct{}) (*workerpb.WorkResponse, error) {
	req := &workerpb.WorkRequest{RequestId: 1, Arguments: in.request()}
	var buf bytes.Buffer
	if in.mode == protoMode {
		if _, err := protodelim.MarshalTo(&buf, req); err != nil {
			return nil, err
		}
	} else {
		b, err := protojson.Marshal(req)
		if err != nil {
			return nil, err
		}
		buf.Write(append(b, '\n'))
	}
	if _, err := stdin.Write(buf.Bytes()); err != nil {
		return nil, err
	}
	type answer struct {
		resp *workerpb.WorkResponse
		err  error
	}
	ch := make(chan answer, 1)
	go func() {
		resp := &workerpb.WorkResponse{}
		var err error
		if in.mode == protoMode {
			err = (protodelim.UnmarshalOptions{MaxSize: -1}).UnmarshalFrom(stdout, resp)
		} else {
			var raw json.RawMessage
			if err = json.NewDecoder(stdout).Decode(&raw); err == nil {
				err = protojson.Unmarshal(raw, resp)
			}
		}
		ch <- answer{resp, err}
	}()
	select {
	case a := <-ch:
		return a.resp, a.err
	case <-exited:
		select {
		case a := <-ch:
			return a.resp, a.err
		case <-time.After(time.Second):
			return nil, errors.New("the worker exited without answering")
		}
	}
}

// killTree kills pyc and, so that a pyc under test that leaves them cannot
// hold up the suite, the processes it started.
func killTree(pid int) {
	if procs, err := proctree.Descendants(pid); err == nil {
		for _, p := range procs {
			_ = syscall.Kill(p.Pid, syscall.SIGKILL)
		}
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
}

// checkNoLeftovers fails the test if a process pyc started is still
// running a second after pyc ended (the test is their subreaper), and
// kills it.
func checkNoLeftovers(t *testing.T, what string) {
	t.Helper()
	running, err := proctree.Leftovers(time.Second, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range running {
		t.Errorf("%s: left running a second after pyc ended: %v", what, p)
		_ = syscall.Kill(p.Pid, syscall.SIGKILL)
	}
}

// containsAll reports the first of want that s lacks ("" if none).
func containsAll(s string, want []string) string {
	for _, w := range want {
		if !strings.Contains(s, w) {
			return w
		}
	}
	return ""
}

// modeSet is a set of modes to run a case in (nil: all).
type modeSet []mode

func (s modeSet) has(m mode) bool { return s == nil || slices.Contains(s, m) }
