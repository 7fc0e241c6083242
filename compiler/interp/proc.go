package interp

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// The limits on what is read from an interpreter process.  Each sits far
// above anything a working interpreter sends: its first answer and the
// probe's are under 1 KiB; the largest compile answer measured, for a
// 36 MB generated source, is 66 MB on 3.13 and 82 MB on 3.14
// (DefaultMaxAnswer is 12 times that); compiler warnings are lines.
const (
	// maxHello bounds the server's first answer and the probe's output.
	maxHello = 64 << 10
	// DefaultMaxAnswer bounds one compile answer (Options.MaxAnswer).
	DefaultMaxAnswer = 1 << 30
	// maxStderr bounds what one process may write on its stderr once it
	// serves: the rest is dropped, with a line that says so.
	maxStderr = 64 << 20
	// maxCaptured bounds what one compile may write on stderr (its
	// warnings, kept for its answer): the rest is dropped, with a line
	// that says so.
	maxCaptured = 8 << 20
	// stderrTail is how much of the stderr written before a process
	// serves is kept, for the message when it fails to.
	stderrTail = 8 << 10
)

// proc is one interpreter process, started so that it cannot outlive this
// one: it leads a process group of its own (every process it forks joins
// it), the kernel kills it if this process dies (Pdeathsig), and on Linux
// the whole group is tied to a lifeline pipe whose write end only this
// process holds: when that end closes (kill, or the death of this process
// by any signal, SIGKILL included) the kernel sends SIGKILL to the group.
// That takes the compiles a server has forked with it, and changes nothing
// in the interpreter: the read end is an inherited descriptor it never
// touches.
type proc struct {
	cmd      *exec.Cmd
	stdin    *os.File // write end of the process's stdin
	stdout   *os.File // read end of its stdout
	lifeline *os.File // write end of the lifeline (nil where there is none)
	stderr   *stderrSink
	// stderrW is this side's copy of the write end of the process's
	// stderr, for the sink's marks (stderrSink.endCapture).  It is closed
	// once the process has ended, so that the sink sees the end.
	stderrW *os.File

	done chan struct{} // closed once the process has been waited for
	err  error         // cmd.Wait's result, valid once done is closed

	lifeOnce, pipeOnce sync.Once
}

// spawn starts exe with args in a clean environment (PYTHONHASHSEED=0 and
// PYTHONSAFEPATH=1 only).  What it writes on stderr goes to sink.
func spawn(exe string, args []string, sink *stderrSink) (*proc, error) {
	var (
		parent []*os.File // ends this process keeps
		child  []*os.File // ends the process gets; closed here after the start
	)
	pipe := func() (r, w *os.File, err error) {
		r, w, err = os.Pipe()
		return
	}
	fail := func(err error) (*proc, error) {
		for _, f := range append(parent, child...) {
			f.Close()
		}
		return nil, err
	}
	stdinR, stdinW, err := pipe()
	if err != nil {
		return fail(err)
	}
	parent, child = append(parent, stdinW), append(child, stdinR)
	stdoutR, stdoutW, err := pipe()
	if err != nil {
		return fail(err)
	}
	parent, child = append(parent, stdoutR), append(child, stdoutW)
	stderrR, stderrW, err := pipe()
	if err != nil {
		return fail(err)
	}
	parent = append(parent, stderrR, stderrW)

	cmd := exec.Command(exe, args...)
	// PYTHONSAFEPATH (3.11 and newer; -P, which older releases refuse):
	// `python -c` puts the working directory first on sys.path, and 3.13
	// imports linecache, tokenize and re while it starts the command, before
	// the server can take the entry off, so a working directory holding
	// linecache.py (a vendored standard library, say) would break or change
	// every compile. Releases up to 3.12 import nothing while they start
	// that the server's own removal of the entry does not cover.
	cmd.Env = []string{"PYTHONHASHSEED=0", "PYTHONSAFEPATH=1"}
	// Files, not writers: exec then starts no copying goroutines, and Wait
	// returns when the process ends, whoever else holds the pipes.
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdinR, stdoutW, stderrW
	cmd.SysProcAttr = sysProcAttr()
	lifeR, lifeW, err := lifelinePipe()
	if err != nil {
		return fail(err)
	}
	if lifeR != nil {
		parent, child = append(parent, lifeW), append(child, lifeR)
		cmd.ExtraFiles = []*os.File{lifeR}
	}
	if err := cmd.Start(); err != nil {
		return fail(err)
	}
	p := &proc{cmd: cmd, stdin: stdinW, stdout: stdoutR, lifeline: lifeW, stderr: sink, stderrW: stderrW, done: make(chan struct{})}
	if lifeR != nil {
		if err := armLifeline(lifeR, cmd.Process.Pid); err != nil {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			_ = cmd.Wait()
			return fail(fmt.Errorf("tie the interpreter to this process: %w", err))
		}
	}
	for _, f := range child {
		f.Close()
	}
	go sink.drain(stderrR)
	go func() {
		p.err = cmd.Wait()
		// Whatever the process left in its group (a compile it forked)
		// goes with it.  Its pipes stay open: an answer it wrote before
		// it ended may still be being read.
		if p.lifeline != nil {
			p.cutLifeline()
		} else {
			_ = syscall.Kill(-p.pid(), syscall.SIGKILL)
		}
		p.stderrW.Close()
		close(p.done)
	}()
	return p, nil
}

// pid is the process id, which is also its process group's id.
func (p *proc) pid() int { return p.cmd.Process.Pid }

// kill stops the process and everything in its group, and closes this
// side's pipes, so that a goroutine blocked reading or writing them
// returns.  It is safe to call more than once and from several goroutines.
func (p *proc) kill() {
	select {
	case <-p.done:
	default:
		// Not waited for yet, so the group id still names this group.
		_ = syscall.Kill(-p.pid(), syscall.SIGKILL)
	}
	p.cutLifeline()
	p.pipeOnce.Do(func() {
		p.stdin.Close()
		p.stdout.Close()
		p.stderrW.Close()
	})
}

// cutLifeline closes the lifeline's write end: on Linux the kernel then
// kills whatever is left of the group.
func (p *proc) cutLifeline() {
	p.lifeOnce.Do(func() {
		if p.lifeline != nil {
			p.lifeline.Close()
		}
	})
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitExit waits up to d for the process to end by itself and reports
// whether it did.
func (p *proc) waitExit(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.done:
		return true
	case <-t.C:
		return false
	}
}

// status describes how the process ended (valid once done is closed).
func (p *proc) status() string {
	if p.err == nil {
		return "exit status 0"
	}
	return p.err.Error()
}

// readN reads exactly n bytes, growing the buffer as the bytes arrive
// rather than trusting n for the allocation: a process that announces more
// than it sends costs no more memory than what it sent.  The caller checks
// n against its limit first.
func readN(r io.Reader, n int64) ([]byte, error) {
	const first = 1 << 20
	buf := make([]byte, 0, min(n, first))
	for int64(len(buf)) < n {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), int64(len(buf))+min(n-int64(len(buf)), int64(cap(buf))))
			copy(grown, buf)
			buf = grown
		}
		m, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+m]
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return buf, err
		}
	}
	return buf, nil
}
