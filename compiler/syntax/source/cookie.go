package source

import "strings"

// The tokenizer's coding-spec states after a line was examined.
const (
	stateSeek   = iota // the line was blank or a comment: keep looking
	stateNormal        // a spec was found, or the line held code
)

func isASCIIAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// codingSpec examines the line text[start:start+size] for a PEP 263
// coding spec the way CPython's tokenizer does (check_coding_spec): the
// line must be blank up to a '#'; anywhere after it, "coding" followed by
// ':' or '=', optional spaces or tabs, and a name of ASCII letters, digits,
// '-', '_' and '.'. The name is read past size if need be, as CPython reads
// its NUL-terminated buffer. It returns the spec normalized as CPython
// normalizes it ("" if none) and the state the line leaves.
func codingSpec(text []byte, start, size int) (string, int) {
	line := text[start:]
	i := 0
	for ; i < size-6; i++ {
		if line[i] == '#' {
			break
		}
		if line[i] != ' ' && line[i] != '\t' && line[i] != '\f' {
			return "", lineState(line, size)
		}
	}
	for ; i < size-6; i++ {
		if string(line[i:i+6]) != "coding" {
			continue
		}
		t := i + 6
		if line[t] != ':' && line[t] != '=' {
			continue
		}
		t++
		for t < len(line) && (line[t] == ' ' || line[t] == '\t') {
			t++
		}
		begin := t
		for t < len(line) && (isASCIIAlnum(line[t]) || line[t] == '-' || line[t] == '_' || line[t] == '.') {
			t++
		}
		if begin < t {
			return normalName(string(line[begin:t])), stateNormal
		}
	}
	return "", lineState(line, size)
}

// lineState is the state a line without a coding spec leaves: normal if it
// holds anything but spaces, tabs and form feeds before a comment or its
// end.
func lineState(line []byte, size int) int {
	for i := 0; i < size; i++ {
		switch line[i] {
		case '#', '\n', '\r':
			return stateSeek
		case ' ', '\t', '\f':
		default:
			return stateNormal
		}
	}
	return stateSeek
}

// normalName is CPython's get_normal_name: the spellings of UTF-8 and
// Latin-1 it recognizes in the first 12 characters (case-insensitively,
// '_' as '-') become "utf-8" and "iso-8859-1"; any other name is kept as
// written.
func normalName(s string) string {
	n := s
	if len(n) > 12 {
		n = n[:12]
	}
	b := []byte(n)
	for i, c := range b {
		if c == '_' {
			b[i] = '-'
		} else if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	n = string(b)
	switch {
	case n == "utf-8" || strings.HasPrefix(n, "utf-8-"):
		return "utf-8"
	case n == "latin-1" || n == "iso-8859-1" || n == "iso-latin-1" ||
		strings.HasPrefix(n, "latin-1-") || strings.HasPrefix(n, "iso-8859-1-") || strings.HasPrefix(n, "iso-latin-1-"):
		return "iso-8859-1"
	}
	return s
}

// NormalName is the normalization of a coding spec's name that CPython's
// tokenizer and tokenize.detect_encoding share (see normalName).
func NormalName(s string) string { return normalName(s) }
