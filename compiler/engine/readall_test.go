package engine

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadAll: readAll returns every byte whatever the size hint says
// (right, too small as for a file that grew, too large as for one that
// shrank) and however the reader splits its data, and passes on a
// reader's error.
func TestReadAll(t *testing.T) {
	for _, n := range []int{0, 1, 511, 512, 513, 16074, 70000} {
		want := strings.Repeat("abcdefghij", n/10+1)[:n]
		for _, hint := range []int64{int64(n), 0, int64(n / 2), int64(n) * 2, -1} {
			for _, split := range []struct {
				name string
				wrap func(io.Reader) io.Reader
			}{
				{"whole", func(r io.Reader) io.Reader { return r }},
				{"one byte at a time", iotest.OneByteReader},
				{"half", iotest.HalfReader},
				{"data with EOF", iotest.DataErrReader},
			} {
				got, err := readAll(split.wrap(strings.NewReader(want)), hint, nil)
				if err != nil || !bytes.Equal(got, []byte(want)) {
					t.Errorf("%d bytes, hint %d, %s: got %d bytes, %v", n, hint, split.name, len(got), err)
				}
			}
		}
	}
	// A buffer with room is the one read into; one without is not
	// grown in place but replaced.
	want := strings.Repeat("x", 1000)
	for _, size := range []int{0, 100, 1001, 5000} {
		buf := make([]byte, 7, size+7)
		got, err := readAll(strings.NewReader(want), int64(len(want)), buf)
		if err != nil || string(got) != want {
			t.Fatalf("into a buffer of %d bytes: got %d bytes, %v", cap(buf), len(got), err)
		}
		if shared := cap(buf) > 0 && &got[:1][0] == &buf[:1][0]; shared != (cap(buf) > len(want)) {
			t.Errorf("into a buffer of %d bytes: read into it %v", cap(buf), shared)
		}
	}
	boom := errors.New("boom")
	if _, err := readAll(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom)), 3, nil); !errors.Is(err, boom) {
		t.Errorf("a failing reader: got %v, want its error", err)
	}
}
