package syntaxerr

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rules-pyc/rules_pyc/internal/pythons"
)

// pythonFormat builds, in the interpreter, the exception each case
// describes (strings come as bytes decoded with surrogateescape, as
// os.fsdecode does), and answers with the bytes py_compile writes to stderr
// for it (PyCompileError.msg and a newline, encoded as sys.stderr encodes:
// backslashreplace) and str() of it.
const pythonFormat = `import json, sys, py_compile
types = {"SyntaxError": SyntaxError, "IndentationError": IndentationError,
         "TabError": TabError, "MemoryError": MemoryError,
         "RecursionError": RecursionError}
prefix = "'utf-8' codec can't decode byte 0xff in position 0: "
def s(h):
    return bytes.fromhex(h).decode("utf-8", "surrogateescape")
out = []
for c in json.load(sys.stdin):
    cls = types.get(c["type"])
    msg, filename = s(c["msg"]), s(c["filename"])
    if c["type"] == "UnicodeDecodeError":
        cls = UnicodeDecodeError
        e = cls("utf-8", b"\xff", 0, 1, msg.removeprefix(prefix))
    elif c["noloc"]:
        e = cls(msg)
    else:
        args = (filename, c["lineno"], c["offset"], s(c["text"]) if c["hastext"] else None)
        if not c["noend"]:
            args += (c["end_lineno"], None if c["noendoffset"] else c["end_offset"])
        e = cls(msg, args)
    err = py_compile.PyCompileError(cls, e, filename)
    out.append([(err.msg + "\n").encode("utf-8", "backslashreplace").hex(),
                str(e).encode("utf-8", "surrogateescape").hex()])
json.dump(out, sys.stdout)
`

// pyCase is an Error as the script above reads it.
type pyCase struct {
	Type      string `json:"type"`
	Msg       string `json:"msg"`
	Filename  string `json:"filename"`
	Lineno    int    `json:"lineno"`
	Offset    int    `json:"offset"`
	EndLineno int    `json:"end_lineno"`
	EndOffset int    `json:"end_offset"`
	Text      string `json:"text"`
	HasText   bool   `json:"hastext"`
	NoLoc     bool   `json:"noloc"`
	NoEnd     bool   `json:"noend"`
	NoEndOff  bool   `json:"noendoffset"`
}

func hexOf(s string) string { return hex.EncodeToString([]byte(s)) }

func toPy(e *Error) pyCase {
	return pyCase{
		Type: e.Type.String(), Msg: hexOf(e.Msg), Filename: hexOf(e.Filename),
		Lineno: e.Lineno, Offset: e.Offset, EndLineno: e.EndLineno, EndOffset: e.EndOffset,
		Text: hexOf(e.Text), HasText: e.HasText, NoLoc: e.NoLocation, NoEnd: e.NoEnd,
		NoEndOff: e.NoEndOffset,
	}
}

// formatCases returns errors with many combinations of attributes: every
// text with every offset, and the other attributes cycling through their
// values, so that each value meets many others.
func formatCases() []*Error {
	texts := []string{
		"x = (1,\n", "   foo(\n", "\tif x:\n", "\t  \tx = 1\n", "\f\f  y = 2\n", " \f x\n",
		"", "\n", "\n\n", "  \n", "no newline", "x\r\n", "  x = 1\n\n\n",
		"a\u3000b = (\n", "caf\u00e9 = \u00e9t\u00e9 +\n", "\u3000\u3000x\n", "\x1c\x1dx = 1\n",
		"emoji = '\U0001F600' +\n", "tab\tinside\tline\n", "a\nb\n", "bad \xff byte\n",
		"  print 'File \"<string>\"'\n", "\u00a0\u2003x\n",
	}
	offsets := []int{-7, -1, 0, 1, 2, 3, 4, 5, 7, 9, 11, 14, 20, 100}
	endOffsets := []int{0, -3, -1, 1, 2, 3, 5, 6, 8, 12, 15, 40}
	linenos := []int{1, 7, 0, 123456}
	filenames := []string{"f.py", "pkg/sub/mod.py", "/abs/path/x.py", "", "<string>", "dir/", "caf\u00e9.py", "bad\xff.py", `q"uote.py`}
	msgs := []string{"invalid syntax", "", "expected ':'", "'(' was never closed", "{braces} %s 100%", "line\nbreak", "bad \xfe msg"}
	var out []*Error
	n := 0
	for _, text := range texts {
		for _, off := range offsets {
			for k := 0; k < 3; k++ {
				n++
				lineno := linenos[n%len(linenos)]
				e := &Error{
					Type:      SyntaxError,
					Msg:       msgs[n%len(msgs)],
					Filename:  filenames[n%len(filenames)],
					Lineno:    lineno,
					Offset:    off,
					EndLineno: lineno + []int{0, 0, 1, -1, 0}[n%5],
					EndOffset: endOffsets[(n/3)%len(endOffsets)],
					Text:      text,
					HasText:   n%11 != 0,
					NoEnd:     n%7 == 0,
				}
				if n%13 == 0 && !e.NoEnd {
					e.EndOffset, e.NoEndOffset = 0, true
				}
				if k == 1 {
					e.EndOffset = off + n%4
				}
				if k == 2 {
					e.Type = []Type{IndentationError, TabError, SyntaxError}[n%3]
				}
				out = append(out, e)
			}
		}
	}
	for _, typ := range []Type{SyntaxError, IndentationError, TabError, MemoryError, RecursionError} {
		for _, msg := range msgs {
			out = append(out, &Error{Type: typ, Msg: msg, Filename: "f.py", NoLocation: true})
		}
	}
	// str() of a UnicodeDecodeError is built from its fields; Msg holds
	// all of it.
	out = append(out, &Error{Type: UnicodeDecodeError, Filename: "f.py", NoLocation: true,
		Msg: "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"})
	// The shapes CPython itself gives: an unknown encoding (line 0, offset
	// -1, no text, no end) and a null byte (no location).
	out = append(out,
		&Error{Type: SyntaxError, Msg: "unknown encoding: bogus", Filename: "t.py", Lineno: 0, Offset: -1, NoEnd: true},
		&Error{Type: SyntaxError, Msg: "source code string cannot contain null bytes", Filename: "t.py", NoLocation: true},
		&Error{Type: MemoryError, Msg: "Parser stack overflowed - Python source too complex to parse", Filename: "t.py", NoLocation: true},
	)
	return out
}

// TestFormatMatchesPython compares Format and Error with py_compile's
// message and str() that every CPython 3.13 on the machine gives for the
// same exception, built in the interpreter.
func TestFormatMatchesPython(t *testing.T) {
	cases := formatCases()
	in := make([]pyCase, len(cases))
	for i, e := range cases {
		in[i] = toPy(e)
	}
	for _, py := range pythons.Minor(t, 3, 13) {
		t.Run(py.Version, func(t *testing.T) {
			var out [][2]string
			py.RunJSON(t, pythonFormat, in, &out)
			if len(out) != len(cases) {
				t.Fatalf("%s answered %d cases, want %d", py, len(out), len(cases))
			}
			bad := 0
			for i, e := range cases {
				want, got := unhex(t, out[i][0]), Format(e)
				if got != want {
					bad++
					if bad <= 10 {
						t.Errorf("Format(%+v):\n got %q\nwant %q", *e, got, want)
					}
				}
				want, got = unhex(t, out[i][1]), e.Error()
				if got != want {
					bad++
					if bad <= 10 {
						t.Errorf("Error(%+v) = %q, Python's str() is %q", *e, got, want)
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d cases differ from %s", bad, 2*len(cases), py)
			}
			t.Logf("%d cases compared with %s", len(cases), py)
		})
	}
}

func unhex(t *testing.T, h string) string {
	b, err := hex.DecodeString(h)
	if err != nil {
		t.Fatalf("bad hex %q: %v", h, err)
	}
	return string(b)
}

// TestIsSpaceMatchesPython compares isSpace with str.isspace for every
// code point.
func TestIsSpaceMatchesPython(t *testing.T) {
	for _, py := range pythons.Minor(t, 3, 13) {
		out, err := py.Command(context.Background(), "-S", "-s", "-c",
			"import json; print(json.dumps([c for c in range(0x110000) if chr(c).isspace()]))").Output()
		if err != nil {
			t.Fatalf("%s: %v", py, err)
		}
		var want []rune
		if err := json.Unmarshal(out, &want); err != nil {
			t.Fatal(err)
		}
		var got []rune
		for r := rune(0); r <= utf8.MaxRune; r++ {
			if utf8.ValidRune(r) && isSpace(string(r)) {
				got = append(got, r)
			}
		}
		// Python's surrogates are not Go runes; none of them is a space.
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("isSpace holds for %U, %s's isspace for %U", got, py, want)
		}
	}
}

// TestFormatNeverPanics runs Format on extreme values.
func TestFormatNeverPanics(t *testing.T) {
	const maxInt = int(^uint(0) >> 1)
	for _, off := range []int{-maxInt - 1, -maxInt, -1, 0, 1, maxInt - 1, maxInt} {
		for _, end := range []int{-maxInt - 1, 0, 1, 50, maxInt} {
			for _, text := range []string{"", "x", "\xff\xfe", strings.Repeat(" ", 10) + "y\n"} {
				e := &Error{Msg: "m", Filename: "f.py", Lineno: 1, EndLineno: 1, Offset: off, EndOffset: end, Text: text, HasText: true}
				if s := Format(e); !bytes.HasSuffix([]byte(s), []byte("SyntaxError: m\n\n")) {
					t.Errorf("Format(%+v) = %q", *e, s)
				}
			}
		}
	}
}
