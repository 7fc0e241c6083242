package mutate

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// class is the rough kind of a piece of source.
type class uint8

const (
	cName class = iota
	cNumber
	cString
	cOp
	cComment
	cNewline // "\n" or "\r\n" ending a line
	cContinuation
	cOther // a byte the lexer does not know, or an inserted snippet
	cEnd   // blanks at the end of the source, with no token after them
)

// token is a piece of source with the blanks before it; a window is a list
// of tokens whose concatenation (pre + text of each) is its source.
type token struct {
	pre  string // spaces, tabs and form feeds before the token
	text string
	cls  class
}

// ops are Python's operators and delimiters, longest first.
var ops = []string{
	"**=", "//=", ">>=", "<<=", "...", "!=", "%=", "&=", "**", "*=", "+=", "-=", "->",
	"//", "/=", ":=", "<<", "<=", "<>", "==", ">=", ">>", "@=", "^=", "|=",
	"!", "%", "&", "(", ")", "*", "+", ",", "-", ".", "/", ":", ";", "<", "=", ">",
	"@", "[", "]", "^", "{", "|", "}", "~",
}

// lex splits src into tokens, the last of which is always the end marker
// (cEnd, holding the blanks that end src). It is Python's lexical structure roughly
// (strings with their prefixes and triple quotes, numbers, names, operators,
// comments, newlines): enough to mutate source in units a programmer
// would, not a tokenizer CPython agrees with. Every byte of src is in
// exactly one token or blank, so rendering the tokens gives src back.
func lex(src string) []token {
	var toks []token
	i := 0
	for i < len(src) {
		start := i
		for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\f') {
			i++
		}
		pre := src[start:i]
		if i == len(src) {
			return append(toks, token{pre: pre, cls: cEnd})
		}
		j, cls := scan(src, i)
		toks = append(toks, token{pre: pre, text: src[i:j], cls: cls})
		i = j
	}
	return append(toks, token{cls: cEnd})
}

// scan returns the end of the token starting at src[i] and its class.
func scan(src string, i int) (int, class) {
	c := src[i]
	switch {
	case c == '\n':
		return i + 1, cNewline
	case c == '\r':
		if i+1 < len(src) && src[i+1] == '\n' {
			return i + 2, cNewline
		}
		return i + 1, cNewline
	case c == '#':
		j := i
		for j < len(src) && src[j] != '\n' && src[j] != '\r' {
			j++
		}
		return j, cComment
	case c == '\\' && i+1 < len(src) && (src[i+1] == '\n' || src[i+1] == '\r'):
		j, _ := scan(src, i+1)
		return j, cContinuation
	case c >= '0' && c <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
		j := i + 1
		for j < len(src) {
			d := src[j]
			if d == '.' || d == '_' || d >= '0' && d <= '9' || d >= 'a' && d <= 'z' || d >= 'A' && d <= 'Z' {
				j++
				continue
			}
			if (d == '+' || d == '-') && (src[j-1] == 'e' || src[j-1] == 'E') && !strings.HasPrefix(strings.ToLower(src[i:j]), "0x") {
				j++
				continue
			}
			break
		}
		return j, cNumber
	case c == '\'' || c == '"':
		return scanString(src, i, i), cString
	}
	r, size := utf8.DecodeRuneInString(src[i:])
	if r == '_' || unicode.IsLetter(r) || r >= 0x80 && r != utf8.RuneError && !unicode.IsSpace(r) {
		j := i + size
		for j < len(src) {
			r, size := utf8.DecodeRuneInString(src[j:])
			if r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || r >= 0x80 && r != utf8.RuneError && !unicode.IsSpace(r) {
				j += size
				continue
			}
			break
		}
		if j < len(src) && (src[j] == '\'' || src[j] == '"') && j-i <= 3 && isPrefix(src[i:j]) {
			return scanString(src, i, j), cString
		}
		return j, cName
	}
	for _, op := range ops {
		if strings.HasPrefix(src[i:], op) {
			return i + len(op), cOp
		}
	}
	return i + size, cOther
}

// isPrefix reports whether p is a string prefix (r, b, u, f and their
// combinations, in any case).
func isPrefix(p string) bool {
	switch strings.ToLower(p) {
	case "r", "u", "b", "f", "br", "rb", "fr", "rf":
		return true
	}
	return false
}

// scanString returns the end of the string literal whose prefix starts at
// start and whose quote is at q. An unterminated string ends at the end of
// its line (or of src, for a triple-quoted one).
func scanString(src string, start, q int) int {
	quote := src[q]
	raw := strings.ContainsAny(src[start:q], "rR")
	n := 1
	if q+2 < len(src) && src[q+1] == quote && src[q+2] == quote {
		n = 3
	}
	j := q + n
	for j < len(src) {
		c := src[j]
		switch {
		case c == '\\' && !raw && j+1 < len(src):
			j += 2
			continue
		case c == '\\' && raw && j+1 < len(src) && (src[j+1] == quote || src[j+1] == '\\'):
			j += 2
			continue
		case n == 1 && (c == '\n' || c == '\r'):
			return j
		case c == quote && (n == 1 || strings.HasPrefix(src[j:], strings.Repeat(string(quote), 3))):
			return j + n
		}
		j++
	}
	return j
}

// render joins tokens back into source.
func render(toks []token) string {
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.pre)
		b.WriteString(t.text)
	}
	return b.String()
}
