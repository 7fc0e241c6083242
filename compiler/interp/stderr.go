package interp

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// syncTimeout bounds the wait for a compile's stderr to be read to its
// end (the mark, see stderrSink.capture): the mark is in the pipe by then,
// so only a sink blocked on its writer could take this long.
const syncTimeout = 5 * time.Second

// stderrSink takes what a process writes on stderr.  Until open it keeps
// only the last stderrTail bytes, for the message if the process fails
// before it serves; once open it passes everything on to w, up to
// maxStderr bytes, then one line saying that the rest is dropped.
//
// While a compile runs, what arrives is instead captured for that compile
// (capture): a compile's warnings belong to its answer, so that callers
// can report them with the file, in their order.  The server writes
// nothing on stderr between compiles, and the forked compile has ended
// before its answer is sent, so once the answer is read everything the
// compile wrote is already in the pipe.  To know when it has all been read,
// this side writes a mark of random bytes into the pipe itself (it keeps a
// copy of the pipe's write end): what precedes the mark is the compile's.
//
// Memory stays bounded whatever the process writes, and the process is
// never blocked by the sink except through w itself.
type stderrSink struct {
	path    string        // the interpreter, for the drop notices
	drained chan struct{} // closed when the process's stderr has ended
	mark    []byte        // the end of a compile's capture

	mu      sync.Mutex
	w       io.Writer
	opened  bool
	tail    []byte
	passed  int64
	dropped bool

	// Capture, between beginCapture and the mark.
	capturing bool
	captured  []byte // at most maxCaptured bytes
	total     int64  // bytes captured, kept or not
	recent    []byte // the last len(mark)-1 bytes captured, to find a mark split across reads
	synced    chan struct{}
}

func newStderrSink(path string, w io.Writer) *stderrSink {
	mark := make([]byte, 16)
	rand.Read(mark)
	return &stderrSink{path: path, w: w, drained: make(chan struct{}), mark: mark}
}

// drain copies r into the sink until r ends.
func (s *stderrSink) drain(r *os.File) {
	defer close(s.drained)
	defer r.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			s.write(buf[:n])
		}
		if err != nil {
			return
		}
	}
}

func (s *stderrSink) write(p []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.capturing {
		p = s.capture(p)
		if len(p) == 0 {
			return
		}
	} else if i := bytes.Index(p, s.mark); i >= 0 {
		// A mark that came after its capture gave up waiting.
		p = append(p[:i:i], p[i+len(s.mark):]...)
	}
	if !s.opened {
		s.keep(p)
		return
	}
	s.pass(p)
}

// pass passes p on to w, within the process's limit; s.mu is held.
func (s *stderrSink) pass(p []byte) {
	if s.w == nil || s.dropped {
		return
	}
	if room := maxStderr - s.passed; int64(len(p)) > room {
		s.w.Write(p[:room])
		s.passed = maxStderr
		s.dropped = true
		fmt.Fprintf(s.w, "\npyc: interpreter %s wrote more than %d bytes on stderr; the rest is dropped\n", s.path, maxStderr)
		return
	}
	s.passed += int64(len(p))
	s.w.Write(p)
}

// capture takes p for the compile under way, up to the mark, and returns
// what follows the mark (nothing, from a server that keeps the protocol);
// s.mu is held.
func (s *stderrSink) capture(p []byte) (rest []byte) {
	// The mark may have begun in an earlier read: look across the seam.
	seam := append(s.recent[:len(s.recent):len(s.recent)], p[:min(len(p), len(s.mark)-1)]...)
	at, before := -1, 0
	if i := bytes.Index(seam, s.mark); i >= 0 {
		at, before = 0, len(s.recent)-i // the mark's first bytes were captured already
		rest = p[len(s.mark)-before:]
	} else if i := bytes.Index(p, s.mark); i >= 0 {
		at = i
		rest = p[i+len(s.mark):]
	}
	if at >= 0 {
		p = p[:at]
	}
	s.keepCaptured(p)
	if at < 0 {
		return nil
	}
	// Take back the mark's first bytes if they were kept.
	s.total -= int64(before)
	if kept := int64(len(s.captured)); kept > s.total {
		s.captured = s.captured[:s.total]
	}
	s.capturing = false
	close(s.synced)
	return rest
}

// keepCaptured adds p to the capture, within maxCaptured; s.mu is held.
func (s *stderrSink) keepCaptured(p []byte) {
	if room := maxCaptured - int64(len(s.captured)); room > 0 {
		s.captured = append(s.captured, p[:min(int64(len(p)), room)]...)
	}
	s.total += int64(len(p))
	n := len(s.mark) - 1
	if len(p) >= n {
		s.recent = append(s.recent[:0], p[len(p)-n:]...)
	} else {
		s.recent = append(s.recent, p...)
		s.recent = s.recent[max(0, len(s.recent)-n):]
	}
}

// beginCapture starts taking what arrives for one compile.
func (s *stderrSink) beginCapture() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.capturing = true
	s.captured, s.total, s.recent = nil, 0, s.recent[:0]
	s.synced = make(chan struct{})
}

// endCapture writes the mark on markW, the pipe's write end, and returns
// what the compile wrote on stderr once the mark has been read (or the
// stream has ended, or syncTimeout has passed: then what has arrived).
// More than maxCaptured bytes are cut, with a line that says so.
func (s *stderrSink) endCapture(markW *os.File) []byte {
	s.mu.Lock()
	synced := s.synced
	s.mu.Unlock()
	if _, err := markW.Write(s.mark); err == nil {
		t := time.NewTimer(syncTimeout)
		select {
		case <-synced:
		case <-s.drained:
		case <-t.C:
		}
		t.Stop()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.capturing = false
	out := s.captured
	if s.total > int64(len(out)) {
		out = fmt.Appendf(out, "\npyc: interpreter %s wrote more than %d bytes on stderr while compiling one source; the rest is dropped\n", s.path, maxCaptured)
	}
	s.captured, s.total = nil, 0
	return out
}

// passOn passes p on as if it had not been captured.
func (s *stderrSink) passOn(p []byte) {
	if len(p) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pass(p)
}

// keep appends p to the tail, keeping the last stderrTail bytes.
func (s *stderrSink) keep(p []byte) {
	if len(p) >= stderrTail {
		s.tail = append(s.tail[:0], p[len(p)-stderrTail:]...)
		return
	}
	if over := len(s.tail) + len(p) - stderrTail; over > 0 {
		s.tail = append(s.tail[:0], s.tail[over:]...)
	}
	s.tail = append(s.tail, p...)
}

// open passes what was kept, and everything after it, on to w.
func (s *stderrSink) open() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.opened = true
	if s.w != nil && len(s.tail) > 0 {
		s.passed = int64(len(s.tail))
		s.w.Write(s.tail)
	}
	s.tail = nil
}

// lastLine is the last non-empty line kept before open, once the
// process's stderr has ended (or a moment has passed: a process it left
// behind may hold it open).
func (s *stderrSink) lastLine() string {
	t := time.NewTimer(time.Second)
	defer t.Stop()
	select {
	case <-s.drained:
	case <-t.C:
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return lastLine(string(bytes.TrimSpace(s.tail)))
}
