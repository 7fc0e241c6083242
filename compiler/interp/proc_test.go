package interp

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// countingWriter counts what is written to it and keeps the end.
type countingWriter struct {
	n    int64
	tail []byte
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	w.tail = append(w.tail, p...)
	if len(w.tail) > 1024 {
		w.tail = w.tail[len(w.tail)-1024:]
	}
	return len(p), nil
}

// TestStderrSinkIsBounded: before a process serves, only the tail of what
// it writes on stderr is kept; afterwards at most maxStderr bytes are
// passed on, then a notice, then nothing.
func TestStderrSinkIsBounded(t *testing.T) {
	var w countingWriter
	s := newStderrSink("/some/python", &w)
	close(s.drained)
	line := []byte(strings.Repeat("x", 99) + "\n")
	for range 10000 { // 1 MB
		s.write(line)
	}
	s.write([]byte("Fatal Python error: the last line\n"))
	if len(s.tail) > stderrTail {
		t.Errorf("kept %d bytes before serving, more than %d", len(s.tail), stderrTail)
	}
	if got := s.lastLine(); got != "Fatal Python error: the last line" {
		t.Errorf("last line %q", got)
	}
	s.open()
	chunk := bytes.Repeat(line, 10000)
	for range 100 { // 100 MB
		s.write(chunk)
	}
	if w.n > maxStderr+200 || w.n < maxStderr {
		t.Errorf("passed on %d bytes, want %d and the notice", w.n, maxStderr)
	}
	if !strings.Contains(string(w.tail), "wrote more than 67108864 bytes on stderr; the rest is dropped") {
		t.Errorf("no notice at the end: %q", w.tail)
	}
}

// TestReadNTrustsNoLength: a length announced but not sent costs no more
// memory than what was sent.
func TestReadNTrustsNoLength(t *testing.T) {
	buf, err := readN(strings.NewReader("only a few bytes"), 1<<40)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("got %v, want io.ErrUnexpectedEOF", err)
	}
	if cap(buf) > 1<<20 {
		t.Errorf("allocated %d bytes for 16 that came", cap(buf))
	}
	data := bytes.Repeat([]byte("0123456789"), 300000) // 3 MB: grows past the first MiB
	got, err := readN(bytes.NewReader(data), int64(len(data)))
	if err != nil || !bytes.Equal(got, data) {
		t.Errorf("readN of %d bytes: %d bytes, %v", len(data), len(got), err)
	}
}
