package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"
)

// Progress timing: nothing is drawn for runs shorter than progressDelay,
// and the line is redrawn at most every progressInterval. Tests shorten
// them.
var (
	progressDelay    = 500 * time.Millisecond
	progressInterval = 100 * time.Millisecond
)

// clearLine returns the cursor to the start of the line and erases it.
const clearLine = "\r\x1b[K"

// progressLine formats the progress shown on a terminal: files done of
// total, and the rate so far.
func progressLine(done, total int, elapsed time.Duration) string {
	pct := 100
	if total > 0 {
		pct = done * 100 / total
	}
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(done) / s
	}
	return fmt.Sprintf("pyc: %d/%d files (%d%%), %.1f files/s", done, total, pct, rate)
}

// progress draws a progress line on a terminal and keeps it out of the
// way of everything else printed there: each write to stdout or stderr
// first erases it, and it is redrawn on the next tick. Without a terminal
// it does nothing.
type progress struct {
	mu      sync.Mutex
	tty     io.Writer // nil: no progress
	total   int
	done    int
	start   time.Time
	drawn   bool
	stopped bool
	stop    chan struct{}
	exited  chan struct{}
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newProgress returns a progress display on stderr, active when enabled
// and stderr is a terminal. Nothing is drawn before begin.
func newProgress(stderr io.Writer, enabled bool) *progress {
	p := &progress{stop: make(chan struct{}), exited: make(chan struct{})}
	if enabled && isTerminal(stderr) {
		p.tty = stderr
	}
	return p
}

// begin starts counting towards total and, on a terminal, drawing.
func (p *progress) begin(total int) {
	p.mu.Lock()
	p.total, p.start = total, time.Now()
	p.mu.Unlock()
	if p.tty == nil {
		close(p.exited)
		return
	}
	go p.loop()
}

func (p *progress) loop() {
	defer close(p.exited)
	select {
	case <-time.After(progressDelay):
	case <-p.stop:
		return
	}
	t := time.NewTicker(progressInterval)
	defer t.Stop()
	for {
		p.mu.Lock()
		p.draw()
		p.mu.Unlock()
		select {
		case <-t.C:
		case <-p.stop:
			return
		}
	}
}

// draw writes the line; p.mu is held.
func (p *progress) draw() {
	if p.stopped {
		return
	}
	fmt.Fprint(p.tty, clearLine+progressLine(p.done, p.total, time.Since(p.start)))
	p.drawn = true
}

// erase removes the line; p.mu is held.
func (p *progress) erase() {
	if p.drawn {
		fmt.Fprint(p.tty, clearLine)
		p.drawn = false
	}
}

// step counts one finished file.
func (p *progress) step() {
	p.mu.Lock()
	p.done++
	p.mu.Unlock()
}

// write runs w with the progress line erased.
func (p *progress) write(w func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.erase()
	w()
}

// close stops drawing and erases the line.
func (p *progress) close() {
	p.mu.Lock()
	if !p.stopped {
		p.stopped = true
		close(p.stop)
	}
	p.mu.Unlock()
	if p.start.IsZero() {
		return // never begun
	}
	<-p.exited
	p.mu.Lock()
	p.erase()
	p.mu.Unlock()
}

// guardedWriter is a writer (stderr, for the interpreters' warnings) that
// erases the progress line before each write.
type guardedWriter struct {
	p *progress
	w io.Writer
}

func (g guardedWriter) Write(b []byte) (n int, err error) {
	g.p.write(func() { n, err = g.w.Write(b) })
	return n, err
}
