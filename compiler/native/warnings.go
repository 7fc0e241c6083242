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
// decodes it (its BOM or coding cookie, UTF-8 by default; a file that does
// not decode has no lines), lines split at universal newlines. A name in
// angle brackets, a file that can't be read and a line past the end give "".
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
	return sourceLine(raw, path, lineno, rel)
}

func sourceLine(raw []byte, path string, lineno int, rel release.Release) string {
	s, err := source.Decode(raw, path, rel)
	if err != nil {
		return ""
	}
	text := s.Text
	if s.Codec == nil && !utf8.Valid(text) {
		return ""
	}
	for n := 1; len(text) > 0; n++ {
		i := bytes.IndexByte(text, '\n')
		line := text
		if i >= 0 {
			line, text = text[:i+1], text[i+1:]
		} else {
			text = nil
		}
		if n == lineno {
			return string(line)
		}
	}
	return ""
}

// isPySpace is str.isspace for one character, what str.strip() strips:
// Unicode white space and the ASCII separators \x1c to \x1f.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}
