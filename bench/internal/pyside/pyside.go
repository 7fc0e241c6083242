// Package pyside runs the CPython side of the one-core benchmarks
// (bench/frontend, bench/native): one interpreter process that reads a
// corpus into memory once and then times one named measurement per
// request, in CPU time. A benchmark alternates its own rounds with the
// interpreter's, so that a change in the machine's load or speed during a
// run falls on both sides alike; the interpreter waits on its input while
// the benchmark's own round runs.
package pyside

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"
)

// driver is the interpreter's side of the protocol. Its first input line is
// the JSON list of the corpus's paths, which it reads into memory; every
// further line names a measurement of the body's `measures` dict, which it
// runs and answers with {"cpu": seconds}; "end" makes it answer with its
// peak resident size (VmHWM: getrusage's ru_maxrss survives exec, so it
// would report the parent's peak when that is larger) and exit.
const driver = `import json, sys, time
names = json.loads(sys.stdin.readline())
srcs = [open(n, "rb").read() for n in names]
%s
for line in sys.stdin:
    m = line.strip()
    if m == "end":
        break
    f = measures[m]
    t = time.process_time()
    f()
    print(json.dumps({"cpu": time.process_time() - t}), flush=True)
peak = 0
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        peak = int(line.split()[1]) * 1024
print(json.dumps({"maxrss": peak}), flush=True)
`

// Process is a running interpreter holding the corpus.
type Process struct {
	python string
	cmd    *exec.Cmd
	in     io.WriteCloser
	out    *bufio.Reader
	stderr bytes.Buffer
}

// Start starts python (with -S -s and PYTHONHASHSEED=0) on body, Python
// code at the top level that defines `measures`, a dict from a
// measurement's name to a function of no arguments; body sees `names` and
// `srcs`, the corpus's paths and their contents as bytes. Start returns
// once the interpreter has been given the paths; it reads them while the
// caller goes on.
func Start(python, body string, names []string) (*Process, error) {
	p := &Process{python: python}
	p.cmd = exec.Command(python, "-S", "-s", "-c", fmt.Sprintf(driver, body))
	p.cmd.Env = append(os.Environ(), "PYTHONHASHSEED=0")
	p.cmd.Stderr = &p.stderr
	var err error
	if p.in, err = p.cmd.StdinPipe(); err != nil {
		return nil, fmt.Errorf("%s: %w", python, err)
	}
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", python, err)
	}
	p.out = bufio.NewReader(out)
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", python, err)
	}
	list, err := json.Marshal(names)
	if err == nil {
		_, err = p.in.Write(append(list, '\n'))
	}
	if err != nil {
		return nil, p.fail(err)
	}
	return p, nil
}

// Time runs the measurement named measure once and returns the CPU time
// it took.
func (p *Process) Time(measure string) (time.Duration, error) {
	var res struct{ CPU float64 }
	if err := p.ask(measure, &res); err != nil {
		return 0, err
	}
	return time.Duration(res.CPU * float64(time.Second)), nil
}

// Close ends the interpreter and returns its peak resident size in bytes.
func (p *Process) Close() (int64, error) {
	var res struct{ Maxrss int64 }
	if err := p.ask("end", &res); err != nil {
		return 0, err
	}
	p.in.Close()
	if err := p.cmd.Wait(); err != nil {
		return 0, fmt.Errorf("%s: %w: %s", p.python, err, p.stderr.String())
	}
	return res.Maxrss, nil
}

// ask sends one request line and decodes the answer line into v.
func (p *Process) ask(line string, v any) error {
	if _, err := io.WriteString(p.in, line+"\n"); err != nil {
		return p.fail(err)
	}
	ans, err := p.out.ReadBytes('\n')
	if err != nil {
		return p.fail(err)
	}
	if err := json.Unmarshal(ans, v); err != nil {
		return p.fail(fmt.Errorf("answer to %q: %w: %q", line, err, ans))
	}
	return nil
}

// fail ends the interpreter after err and returns err with what the
// interpreter wrote on stderr.
func (p *Process) fail(err error) error {
	p.in.Close()
	p.cmd.Process.Kill()
	p.cmd.Wait()
	return fmt.Errorf("%s: %w: %s", p.python, err, p.stderr.String())
}
