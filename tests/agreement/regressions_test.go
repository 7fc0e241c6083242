package agreement

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// regressionsFile holds inputs on which the front end once differed from
// CPython (found by the campaigns of docs/native.md), one per line.
const regressionsFile = "testdata/regressions.txt"

// readRegressions reads a table of sources. Each line that is not blank and
// does not start with '#' is one source, written as Go string literals
// joined by '+', each optionally repeated ("(" * 200 + "x" + ")" * 200), so
// that any bytes, and sources of any size, fit on one line. The label of a
// source is its line number and the comment lines above it.
func readRegressions(path string) (srcs [][]byte, labels []string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	var comment []string
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			comment = nil
			continue
		case line[0] == '#':
			comment = append(comment, strings.TrimSpace(line[1:]))
			continue
		}
		src, err := parseSourceExpr(line)
		if err != nil {
			return nil, nil, fmt.Errorf("%s:%d: %v", path, n, err)
		}
		srcs = append(srcs, src)
		labels = append(labels, fmt.Sprintf("%s:%d (%s)", path, n, strings.Join(comment, " ")))
	}
	return srcs, labels, sc.Err()
}

// parseSourceExpr reads `"a" * 3 + "b"` into the bytes it stands for.
func parseSourceExpr(s string) ([]byte, error) {
	var out bytes.Buffer
	for {
		s = strings.TrimLeft(s, " \t")
		q, err := strconv.QuotedPrefix(s)
		if err != nil {
			return nil, fmt.Errorf("want a Go string literal at %.20q", s)
		}
		lit, err := strconv.Unquote(q)
		if err != nil {
			return nil, err
		}
		s = strings.TrimLeft(s[len(q):], " \t")
		times := 1
		if strings.HasPrefix(s, "*") {
			s = strings.TrimLeft(s[1:], " \t")
			end := 0
			for end < len(s) && s[end] >= '0' && s[end] <= '9' {
				end++
			}
			if times, err = strconv.Atoi(s[:end]); err != nil {
				return nil, fmt.Errorf("want a count at %.20q", s)
			}
			s = strings.TrimLeft(s[end:], " \t")
		}
		out.WriteString(strings.Repeat(lit, times))
		if s == "" {
			return out.Bytes(), nil
		}
		if s[0] != '+' {
			return nil, fmt.Errorf("want '+' at %.20q", s)
		}
		s = s[1:]
	}
}

// TestRegressions compares the front end with each CPython 3.13 on the
// table of inputs that once differed (testdata/regressions.txt).
func TestRegressions(t *testing.T) {
	srcs, labels, err := readRegressions(regressionsFile)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	files := make([]string, len(srcs))
	for i, src := range srcs {
		files[i] = filepath.Join(dir, fmt.Sprintf("r%04d.py", i))
		if err := os.WriteFile(files[i], src, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, py := range pythons.Minor(t, 3, 13) {
		t.Run(py.Version, func(t *testing.T) {
			ty := compareFiles(t, py, fmt.Sprintf("%d regression inputs against %s", len(files), py), files, func(i int) string { return labels[i] }, nil)
			ty.report(t)
		})
	}
}

// TestReadRegressions: the table's notation.
func TestReadRegressions(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
		bad  bool
	}{
		{in: `"x = 1\n"`, want: "x = 1\n"},
		{in: `"(" * 3 + "x" + ")"*3 + "\n"`, want: "(((x)))\n"},
		{in: "`raw\\n`", want: `raw\n`},
		{in: `"\xff\x00"`, want: "\xff\x00"},
		{in: `"a" +`, bad: true},
		{in: `"a" * b`, bad: true},
		{in: `x`, bad: true},
		{in: `"a" "b"`, bad: true},
	} {
		got, err := parseSourceExpr(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("%s: no error", c.in)
			}
			continue
		}
		if err != nil || string(got) != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}
