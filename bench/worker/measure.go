package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/protobuf/encoding/protodelim"

	shared "github.com/rules-pyc/rules_pyc/bench/internal/corpus"
	"github.com/rules-pyc/rules_pyc/compiler/interp"
	"github.com/rules-pyc/rules_pyc/tool/worker/workerpb"
)

// sample is one measurement of one method.
type sample struct {
	wall  time.Duration // elapsed
	cpu   time.Duration // user+sys of every process the method ran
	sys   time.Duration // the sys part of cpu
	files int           // sources compiled
	// scale extrapolates a measurement on a sample of the corpus to the
	// whole corpus (1 when the whole corpus was compiled).
	scale float64
	mem   memory // the worker's only
}

// memory is the peak resident size of the worker and of its interpreter
// servers, in bytes.
type memory struct {
	goPeak     int64
	serverPeak int64 // the largest of any server
	servers    int   // distinct servers seen
	// goCPU is the user+sys time of the pyc process itself (without its
	// children), at the last sample.
	goCPU time.Duration
}

// childrenCPU is the user and sys time of this process's waited-for
// children (and theirs), so far.
func childrenCPU() (user, sys time.Duration, err error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &ru); err != nil {
		return 0, 0, fmt.Errorf("getrusage: %w", err)
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano()), nil
}

// timed runs f and measures its wall time and the CPU time of the processes
// it started, theirs, and any they left behind (reaped here).
func timed(f func() error) (sample, error) {
	user0, sys0, err := childrenCPU()
	if err != nil {
		return sample{}, err
	}
	start := time.Now()
	if err := f(); err != nil {
		return sample{}, err
	}
	wall := time.Since(start)
	if err := reapOrphans(10 * time.Second); err != nil {
		return sample{}, err
	}
	user1, sys1, err := childrenCPU()
	if err != nil {
		return sample{}, err
	}
	return sample{wall: wall, cpu: user1 - user0 + sys1 - sys0, sys: sys1 - sys0, scale: 1}, nil
}

// workerRun starts `pyc --persistent_worker` and sends every source of the
// corpus to it as proto requests, batch sources per request, keeping
// inflight requests outstanding.  The time includes starting the worker and
// its interpreters and waiting for it to exit.
func workerRun(pyc, python, backend string, c *corpus, out string, jobs, inflight, batch int) (sample, error) {
	if err := os.RemoveAll(out); err != nil {
		return sample{}, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return sample{}, err
	}
	var reqs []*workerpb.WorkRequest
	for i := 0; i < len(c.files); i += batch {
		args := []string{"--invalidation_mode", "checked_hash"}
		for j := i; j < min(i+batch, len(c.files)); j++ {
			args = append(args,
				"--src", filepath.Join(c.dir, c.files[j]),
				"--src_name", c.files[j],
				"--pyc", filepath.Join(out, strconv.Itoa(j)+".pyc"))
		}
		args = append(args, "--optimize", "0")
		reqs = append(reqs, &workerpb.WorkRequest{RequestId: int32(len(reqs) + 1), Arguments: args})
	}

	var mem memory
	s, err := timed(func() error {
		args := []string{"--python", python, "-j", strconv.Itoa(jobs), "--worker_protocol", "proto"}
		if backend != "" {
			args = append(args, "--backend", backend)
		}
		cmd := exec.Command(pyc, append(args, "--persistent_worker")...)
		p, err := startSampled(cmd, pyc)
		if err != nil {
			return err
		}
		stdout, stderr := p.stdout, p.stderr
		w := bufio.NewWriter(p.stdin)
		send := func(r *workerpb.WorkRequest) error {
			if _, err := protodelim.MarshalTo(w, r); err != nil {
				return fmt.Errorf("send request %d: %w", r.RequestId, err)
			}
			return w.Flush()
		}
		next := 0
		for ; next < min(inflight, len(reqs)); next++ {
			if err := send(reqs[next]); err != nil {
				return err
			}
		}
		var runErr error
		for done := 0; done < len(reqs); done++ {
			resp := &workerpb.WorkResponse{}
			if err := protodelim.UnmarshalFrom(stdout, resp); err != nil {
				runErr = fmt.Errorf("read response: %w (worker log: %s)", err, stderr.String())
				break
			}
			if resp.ExitCode != 0 {
				runErr = fmt.Errorf("request %d failed: %s", resp.RequestId, resp.Output)
				break
			}
			if next < len(reqs) {
				if err := send(reqs[next]); err != nil {
					runErr = err
					break
				}
				next++
			}
		}
		mem = p.finish()
		if err := cmd.Wait(); err != nil && runErr == nil {
			runErr = fmt.Errorf("worker: %w: %s", err, stderr.String())
		}
		return runErr
	})
	s.files, s.mem = len(c.files), mem
	return s, err
}

// sampled is a persistent worker process started with pipes to its stdin
// and stdout, whose memory is sampled from its start until finish.
type sampled struct {
	stdin  io.WriteCloser
	stdout *bufio.Reader
	stderr *bytes.Buffer
	stop   chan struct{}
	done   sync.WaitGroup
	mem    memory
}

// startSampled starts cmd (in a clean environment; name says which
// program it is in errors) and the sampling of its memory.
func startSampled(cmd *exec.Cmd, name string) (*sampled, error) {
	p := &sampled{stderr: new(bytes.Buffer), stop: make(chan struct{})}
	cmd.Env = cleanEnv()
	cmd.Stderr = p.stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p.stdin, p.stdout = stdin, bufio.NewReader(stdout)
	p.done.Add(1)
	go func() {
		defer p.done.Done()
		p.mem = sampleMemory(cmd.Process.Pid, p.stop)
	}()
	return p, nil
}

// finish closes the worker's stdin, stops the sampling and returns the
// memory it saw.
func (p *sampled) finish() memory {
	p.stdin.Close()
	close(p.stop)
	p.done.Wait()
	return p.mem
}

// sampleMemory reads the peak resident size (VmHWM) of the worker and of
// its interpreter servers (its children running the server source; not the
// short-lived process that probes the interpreter), every 20ms until stop.
func sampleMemory(pid int, stop <-chan struct{}) memory {
	var m memory
	servers := map[int]bool{}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if v := shared.PeakRSSOf(pid); v > m.goPeak {
			m.goPeak = v
		}
		if v := ownCPU(pid); v > m.goCPU {
			m.goCPU = v
		}
		for _, c := range childPids(pid) {
			if !isServer(c) {
				continue
			}
			servers[c] = true
			if v := shared.PeakRSSOf(c); v > m.serverPeak {
				m.serverPeak = v
			}
		}
		m.servers = len(servers)
		select {
		case <-stop:
			return m
		case <-tick.C:
		}
	}
}

// ownCPU is a process's own user+sys time (utime and stime of
// /proc/PID/stat, in clock ticks of 1/100 s), or 0 if it is gone.
func ownCPU(pid int) time.Duration {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(stat)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// isServer reports whether pid runs rules_pyc's compile server.
func isServer(pid int) bool {
	cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
	return err == nil && bytes.Contains(cmdline, []byte(interp.ServerSource()))
}

// childPids lists pid's children.
func childPids(pid int) []int {
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	var out []int
	for _, t := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, t.Name()))
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// compileallRun runs `python -S -s -m compileall -q -j0 --invalidation-mode
// checked-hash` on the corpus, after removing what the last run wrote.
func compileallRun(python string, c *corpus) (sample, error) {
	if err := removePycache(c.dir); err != nil {
		return sample{}, err
	}
	s, err := timed(func() error {
		cmd := exec.Command(python, "-S", "-s", "-m", "compileall", "-q", "-j0", "--invalidation-mode", "checked-hash", c.dir)
		cmd.Env = cleanEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("compileall: %w: %s", err, out)
		}
		return nil
	})
	s.files = len(c.files)
	return s, err
}

// cliRun runs pyc's command line over the corpus directory with -j 0 (a
// compile per CPU), as compileallRun runs compileall: checked-hash, -O0,
// after removing the previous run's __pycache__ directories. The native
// backend is given the interpreter's exact version instead of the
// interpreter (--python is a usage error there).
func cliRun(pyc, python, version, backend string, c *corpus) (sample, error) {
	if err := removePycache(c.dir); err != nil {
		return sample{}, err
	}
	args := []string{"-q", "-j", "0", "--invalidation-mode", "checked-hash"}
	if backend == "native" {
		args = append(args, "--backend", backend, "--python-version", version)
	} else {
		args = append(args, "--python", python)
		if backend != "" {
			args = append(args, "--backend", backend)
		}
	}
	s, err := timed(func() error {
		cmd := exec.Command(pyc, append(args, c.dir)...)
		cmd.Env = cleanEnv()
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("pyc: %w: %s", err, out)
		}
		return nil
	})
	s.files = len(c.files)
	return s, err
}

// perProcessRun runs `python -S -s -m py_compile FILE`, one process per file,
// jobs at a time, on n files spread over the corpus.  SOURCE_DATE_EPOCH
// makes py_compile's default mode checked-hash, as for the other methods.
func perProcessRun(python string, c *corpus, n, jobs int) (sample, error) {
	if err := removePycache(c.dir); err != nil {
		return sample{}, err
	}
	n = min(n, len(c.files))
	var files []string
	for i := range n {
		files = append(files, filepath.Join(c.dir, c.files[i*len(c.files)/n]))
	}
	env := append(cleanEnv(), "SOURCE_DATE_EPOCH=0")
	s, err := timed(func() error {
		next := make(chan string)
		errs := make(chan error, jobs)
		for range jobs {
			go func() {
				var first error
				for f := range next {
					cmd := exec.Command(python, "-S", "-s", "-m", "py_compile", f)
					cmd.Env = env
					if out, err := cmd.CombinedOutput(); err != nil && first == nil {
						first = fmt.Errorf("py_compile %s: %w: %s", f, err, out)
					}
				}
				errs <- first
			}()
		}
		for _, f := range files {
			next <- f
		}
		close(next)
		var first error
		for range jobs {
			if err := <-errs; err != nil && first == nil {
				first = err
			}
		}
		return first
	})
	s.files, s.scale = n, float64(len(c.files))/float64(n)
	return s, err
}

// inProcessScript compiles and marshals every path read from stdin in one
// interpreter and prints the wall, user and sys time of that loop, in
// seconds.
const inProcessScript = `import marshal, os, sys, time
paths = sys.stdin.read().splitlines()
wall, cpu = time.perf_counter(), os.times()
for path in paths:
    with open(path, "rb") as f:
        source = f.read()
    marshal.dumps(compile(source, path, "exec", dont_inherit=True, optimize=0))
end = os.times()
print(time.perf_counter() - wall, end.user - cpu.user, end.system - cpu.system)
`

// inProcessRun measures the in-process limit: compile() + marshal.dumps()
// for every file, in one interpreter, without process start-up.  The caller
// divides the time by the cores.
func inProcessRun(python string, c *corpus) (sample, error) {
	paths := make([]string, len(c.files))
	for i, f := range c.files {
		paths[i] = filepath.Join(c.dir, f)
	}
	cmd := exec.Command(python, "-S", "-s", "-c", inProcessScript)
	cmd.Env = cleanEnv()
	cmd.Stdin = strings.NewReader(strings.Join(paths, "\n"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return sample{}, fmt.Errorf("in-process compile: %w: %s", err, stderr.String())
	}
	var wall, user, sys float64
	if _, err := fmt.Sscan(string(out), &wall, &user, &sys); err != nil {
		return sample{}, fmt.Errorf("in-process compile printed %q: %w", out, err)
	}
	return sample{
		wall:  time.Duration(wall * float64(time.Second)),
		cpu:   time.Duration((user + sys) * float64(time.Second)),
		sys:   time.Duration(sys * float64(time.Second)),
		files: len(c.files),
		scale: 1,
	}, nil
}

// rulesPythonRun starts rules_python's precompiler worker (precompiler.py
// --persistent_worker, its default asyncio implementation, run by python
// with -S -s) and sends it every source of the corpus, one per JSON request
// as rules_python's rules do (--python_version X.Y, checked-hash, -O0),
// keeping inflight requests outstanding.
func rulesPythonRun(python, precompiler string, c *corpus, out string, inflight int) (sample, error) {
	if err := os.RemoveAll(out); err != nil {
		return sample{}, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return sample{}, err
	}
	var reqs [][]byte
	for i, f := range c.files {
		line, err := json.Marshal(map[string]any{
			"requestId": i + 1,
			"arguments": []string{"--invalidation_mode", "checked_hash", "--optimize", "0", "--python_version", "3.13",
				"--src", filepath.Join(c.dir, f), "--src_name", f, "--pyc", filepath.Join(out, strconv.Itoa(i)+".pyc")},
		})
		if err != nil {
			return sample{}, err
		}
		reqs = append(reqs, append(line, '\n'))
	}
	var mem memory
	s, err := timed(func() error {
		cmd := exec.Command(python, "-S", "-s", precompiler, "--persistent_worker")
		p, err := startSampled(cmd, precompiler)
		if err != nil {
			return err
		}
		stdin, stdout, stderr := p.stdin, p.stdout, p.stderr
		next := 0
		var runErr error
		for ; next < min(inflight, len(reqs)); next++ {
			if _, err := stdin.Write(reqs[next]); err != nil {
				runErr = err
			}
		}
		for done := 0; done < len(reqs) && runErr == nil; done++ {
			line, err := stdout.ReadBytes('\n')
			if err != nil {
				runErr = fmt.Errorf("read response: %w (worker log: %s)", err, stderr.String())
				break
			}
			var resp struct {
				RequestID int    `json:"requestId"`
				ExitCode  int    `json:"exitCode"`
				Output    string `json:"output"`
			}
			if err := json.Unmarshal(line, &resp); err != nil {
				runErr = fmt.Errorf("response %q: %w", line, err)
				break
			}
			if resp.ExitCode != 0 {
				runErr = fmt.Errorf("request %d failed: %s", resp.RequestID, resp.Output)
				break
			}
			if next < len(reqs) {
				if _, err := stdin.Write(reqs[next]); err != nil {
					runErr = err
					break
				}
				next++
			}
		}
		mem = p.finish()
		// The asyncio worker never returns from its read loop at the
		// end of its input (json.loads of an empty line raises): it is
		// stopped as Bazel stops a worker.
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return runErr
	})
	s.files, s.mem = len(c.files), mem
	return s, err
}
