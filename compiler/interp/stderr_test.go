package interp

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

// TestStderrSinkCapture: what arrives between beginCapture and the mark is
// the compile's, however the reads split the mark; what follows the mark,
// and what arrives outside a capture, is passed on.
func TestStderrSinkCapture(t *testing.T) {
	mark := []byte("0123456789abcdef")
	warn := "m.py:1: SyntaxWarning: invalid escape sequence '\\d'\n  x = '\\d'\n"
	stream := []byte(warn + string(mark) + "after\n")
	for split := range len(stream) + 1 {
		for second := split; second <= len(stream); second += 7 {
			var w bytes.Buffer
			s := newStderrSink("/some/python", &w)
			s.mark = mark
			s.open()
			s.beginCapture()
			for _, chunk := range [][]byte{stream[:split], stream[split:second], stream[second:]} {
				if len(chunk) > 0 {
					s.write(chunk)
				}
			}
			select {
			case <-s.synced:
			default:
				t.Fatalf("split at %d and %d: the mark was not found", split, second)
			}
			s.mu.Lock()
			got := string(s.captured)
			s.mu.Unlock()
			if got != warn || w.String() != "after\n" {
				t.Fatalf("split at %d and %d: captured %q, passed on %q", split, second, got, w.String())
			}
		}
	}
}

// TestStderrSinkCaptureEnds: endCapture returns once the mark written on
// the pipe has been read, with what preceded it; a capture larger than
// maxCaptured is cut, with a notice; a capture whose stream has ended
// returns what arrived.
func TestStderrSinkCaptureEnds(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	var passed bytes.Buffer
	s := newStderrSink("/some/python", &passed)
	s.open()
	go s.drain(r)

	s.beginCapture()
	w.WriteString("first warning\n")
	if got := string(s.endCapture(w)); got != "first warning\n" {
		t.Errorf("first capture %q", got)
	}

	s.beginCapture()
	big := bytes.Repeat([]byte(strings.Repeat("y", 1023)+"\n"), 1024) // 1 MiB
	go func() {
		for range maxCaptured/len(big) + 3 {
			w.Write(big)
		}
	}()
	// The mark goes after what the writer has written by then: wait for
	// all of it first, as the server's answer waits for its compile.
	for {
		s.mu.Lock()
		n := s.total
		s.mu.Unlock()
		if n >= int64(maxCaptured+3*len(big)) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	got := s.endCapture(w)
	if len(got) < maxCaptured || len(got) > maxCaptured+200 || !bytes.HasSuffix(got, []byte("while compiling one source; the rest is dropped\n")) {
		t.Errorf("large capture: %d bytes, ending %q", len(got), got[max(0, len(got)-100):])
	}

	s.beginCapture()
	w.WriteString("last words\n")
	w.Close()
	<-s.drained
	if got := string(s.endCapture(w)); got != "last words\n" {
		t.Errorf("capture at the end of the stream %q", got)
	}
	if passed.Len() != 0 {
		t.Errorf("passed on %q", passed.String())
	}
}
