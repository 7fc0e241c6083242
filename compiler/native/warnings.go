package native

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
)

// FormatWarning returns what CPython prints on stderr for a warning emitted
// while compiling the file recorded as name (the warnings module's
// formatwarning): "name:lineno: Category: msg" and a newline, then the
// source line, stripped and indented by two spaces, when line is not
// empty. SourceLine reads the line as CPython's linecache does.
func FormatWarning(name string, w Warning, line string) string {
	var b strings.Builder
	b.WriteString(name)
	b.WriteByte(':')
	b.WriteString(strconv.Itoa(w.Lineno))
	b.WriteString(": ")
	b.WriteString(w.Category)
	b.WriteString(": ")
	b.WriteString(w.Msg)
	b.WriteByte('\n')
	if line = strings.TrimFunc(line, isPySpace); line != "" {
		b.WriteString("  ")
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// SourceLine returns line lineno of the file path as linecache.getline
// gives it to the warnings module: the file decoded as tokenize.open
// decodes it (see linecacheText), lines split at universal newlines. A
// name in angle brackets, a file that can't be read or decoded and a line
// past the end give "".
//
// linecache also looks for a relative name that is not found under the
// directories of the interpreter's sys.path; there is no interpreter here,
// so such a name has no line.
func SourceLine(path string, lineno int, rel release.Release) string {
	if path == "" || (strings.HasPrefix(path, "<") && strings.HasSuffix(path, ">")) || lineno < 1 {
		return ""
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return sourceLine(raw, lineno, rel)
}

func sourceLine(raw []byte, lineno int, rel release.Release) string {
	text, ok := linecacheText(raw, rel)
	if !ok {
		return ""
	}
	for n := 1; len(text) > 0; n++ {
		i := bytes.IndexAny(text, "\r\n")
		line := text
		if i >= 0 {
			end := i + 1
			if text[i] == '\r' && end < len(text) && text[end] == '\n' {
				end++
			}
			line, text = text[:end], text[end:]
		} else {
			text = nil
		}
		if n == lineno {
			return string(line)
		}
	}
	return ""
}

// linecacheText is the text of a file as tokenize.open reads it for
// linecache, as UTF-8, or false where it raises. Its encoding comes from
// tokenize.detect_encoding, which differs from the tokenizer's: it reads
// lines split at "\n" only (a file with "\r" line ends is one line to it),
// decodes each line it examines as UTF-8 before looking for a cookie (a
// line that does not decode is an error, even with a cookie on it), finds
// a cookie anywhere after a leading '#' in that line (also past a "\r"),
// and refuses a BOM with a cookie other than UTF-8. The whole file is then
// decoded strictly with that codec.
func linecacheText(raw []byte, rel release.Release) ([]byte, bool) {
	bomFound := bytes.HasPrefix(raw, []byte("\xEF\xBB\xBF"))
	if bomFound {
		raw = raw[3:]
	}
	readLine := func(b []byte) []byte {
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			return b[:i+1]
		}
		return b
	}
	enc := ""
	if first := readLine(raw); len(first) > 0 {
		spec, ok := linecacheCookie(first)
		if !ok {
			return nil, false
		}
		if spec == "" && linecacheBlank(first) {
			if second := readLine(raw[len(first):]); len(second) > 0 {
				if spec, ok = linecacheCookie(second); !ok {
					return nil, false
				}
			}
		}
		enc = spec
	}
	if enc == "" || enc == "utf-8" {
		if !utf8.Valid(raw) {
			return nil, false
		}
		return raw, true
	}
	if bomFound {
		return nil, false
	}
	c, err := source.Lookup(enc, rel)
	if err != nil {
		return nil, false
	}
	text, err := c.Decode(raw)
	if err != nil {
		return nil, false
	}
	return text, true
}

// linecacheCookie is tokenize's find_cookie for one line: false if the
// line is not UTF-8; else the normalized name its cookie regular
// expression finds ("" for none).
func linecacheCookie(line []byte) (string, bool) {
	if !utf8.Valid(line) {
		return "", false
	}
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '\f') {
		i++
	}
	if i == len(line) || line[i] != '#' {
		return "", true
	}
	isName := func(c byte) bool {
		return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '-' || c == '.'
	}
	for j := i + 1; j+6 < len(line); j++ {
		if line[j] == '\n' {
			break
		}
		if string(line[j:j+6]) != "coding" || (line[j+6] != ':' && line[j+6] != '=') {
			continue
		}
		t := j + 7
		for t < len(line) && (line[t] == ' ' || line[t] == '\t') {
			t++
		}
		begin := t
		for t < len(line) && isName(line[t]) {
			t++
		}
		if t > begin {
			return source.NormalName(string(line[begin:t])), true
		}
	}
	return "", true
}

// linecacheBlank is tokenize's blank_re: the line is blank or a comment
// (spaces, tabs and form feeds, then '#', a line end or nothing).
func linecacheBlank(line []byte) bool {
	for _, c := range line {
		switch c {
		case ' ', '\t', '\f':
		case '#', '\r', '\n':
			return true
		default:
			return false
		}
	}
	return true
}

// isPySpace is str.isspace for one character, what str.strip() strips:
// Unicode white space and the ASCII separators \x1c to \x1f.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}
