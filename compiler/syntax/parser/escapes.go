package parser

import (
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/unidata"
)

// The decoding of escape sequences in string literals, as CPython's parser
// does it (Parser/string_parser.c with the unicode-escape codec and
// _PyBytes_DecodeEscape). Errors are Python's exceptions as text: "(unicode
// error) ..." or "(value error) ...", the SyntaxError message the parser
// raises for them.

// escapeResult is a decoded literal body.
type escapeResult struct {
	// s is the value: a str in ast.Value's encoding, or the bytes.
	s string
	// invalid is the escape of the first invalid escape sequence ("\d",
	// "\777"), for the warning; "" if none.
	invalid string
	// err is the SyntaxError message if the body cannot be decoded.
	err string
}

// decodeUnicodeEscapes decodes a non-raw str literal body (UTF-8).
func decodeUnicodeEscapes(body string) escapeResult {
	// CPython first rewrites the body into ASCII: every non-ASCII
	// character becomes \UXXXXXXXX and a backslash before one (or at the
	// end) becomes \u005c; the positions in its error messages count in
	// that rewritten text.
	buf := make([]byte, 0, len(body)+8)
	for i := 0; i < len(body); {
		if body[i] == '\\' {
			buf = append(buf, '\\')
			i++
			if i >= len(body) || body[i] >= 0x80 {
				buf = append(buf, "u005c"...)
				if i >= len(body) {
					break
				}
			}
		}
		if body[i] >= 0x80 {
			for i < len(body) && body[i] >= 0x80 {
				r, size := utf8.DecodeRuneInString(body[i:])
				buf = fmt.Appendf(buf, "\\U%08x", r)
				i += size
			}
			continue
		}
		buf = append(buf, body[i])
		i++
	}
	return unicodeEscape(buf)
}

func unicodeEscape(s []byte) escapeResult {
	var res escapeResult
	out := make([]byte, 0, len(s))
	end := len(s)
	fail := func(start, stop int, reason string) escapeResult {
		var msg string
		if stop-start == 1 {
			msg = fmt.Sprintf("'unicodeescape' codec can't decode byte 0x%02x in position %d: %s", s[start], start, reason)
		} else {
			msg = fmt.Sprintf("'unicodeescape' codec can't decode bytes in position %d-%d: %s", start, stop-1, reason)
		}
		return escapeResult{err: "(unicode error) " + msg}
	}
	for i := 0; i < end; {
		c := s[i]
		i++
		if c != '\\' {
			out = append(out, c)
			continue
		}
		start := i - 1
		if i >= end {
			return fail(start, end, "\\ at end of string")
		}
		c = s[i]
		i++
		switch c {
		case '\n':
		case '\\', '\'', '"':
			out = append(out, c)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 't':
			out = append(out, '\t')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 'v':
			out = append(out, '\v')
		case 'a':
			out = append(out, '\a')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			ch := rune(c - '0')
			if i < end && s[i] >= '0' && s[i] <= '7' {
				ch = ch<<3 + rune(s[i]-'0')
				i++
				if i < end && s[i] >= '0' && s[i] <= '7' {
					ch = ch<<3 + rune(s[i]-'0')
					i++
				}
			}
			if ch > 0o377 && res.invalid == "" {
				res.invalid = string(s[i-3 : i])
			}
			out = ast.AppendCodePoint(out, ch)
		case 'x', 'u', 'U':
			count, reason := 2, "truncated \\xXX escape"
			if c == 'u' {
				count, reason = 4, "truncated \\uXXXX escape"
			} else if c == 'U' {
				count, reason = 8, "truncated \\UXXXXXXXX escape"
			}
			var ch uint32
			for ; count > 0; count-- {
				if i >= end {
					return fail(start, end, reason)
				}
				d, ok := hexDigit(s[i])
				if !ok {
					return fail(start, i, reason)
				}
				ch = ch<<4 + uint32(d)
				i++
			}
			if ch > 0x10FFFF {
				return fail(start, i, "illegal Unicode character")
			}
			out = ast.AppendCodePoint(out, rune(ch))
		case 'N':
			reason := "malformed \\N character escape"
			if i >= end {
				return fail(start, end, reason)
			}
			if s[i] != '{' {
				return fail(start, i, reason)
			}
			i++
			nameStart := i
			for i < end && s[i] != '}' {
				i++
			}
			if i >= end {
				return fail(start, end, reason)
			}
			if i == nameStart {
				return fail(start, i, reason)
			}
			name := string(s[nameStart:i])
			i++
			r, ok := unidata.V15_1.Lookup(name)
			if !ok {
				return fail(start, i, "unknown Unicode character name")
			}
			out = ast.AppendCodePoint(out, r)
		default:
			if res.invalid == "" {
				res.invalid = string(c)
			}
			out = append(out, '\\')
			// c is ASCII: the rewriting made every other byte so.
			out = append(out, c)
		}
	}
	res.s = string(out)
	return res
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// decodeBytesEscapes decodes a non-raw bytes literal body (ASCII).
func decodeBytesEscapes(s string) escapeResult {
	var res escapeResult
	out := make([]byte, 0, len(s))
	end := len(s)
	for i := 0; i < end; {
		if s[i] != '\\' {
			out = append(out, s[i])
			i++
			continue
		}
		i++
		if i == end {
			return escapeResult{err: "(value error) Trailing \\ in string"}
		}
		c := s[i]
		i++
		switch c {
		case '\n':
		case '\\', '\'', '"':
			out = append(out, c)
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 't':
			out = append(out, '\t')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 'v':
			out = append(out, '\v')
		case 'a':
			out = append(out, '\a')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(c - '0')
			if i < end && s[i] >= '0' && s[i] <= '7' {
				v = v<<3 + int(s[i]-'0')
				i++
				if i < end && s[i] >= '0' && s[i] <= '7' {
					v = v<<3 + int(s[i]-'0')
					i++
				}
			}
			if v > 0o377 && res.invalid == "" {
				res.invalid = s[i-3 : i]
			}
			out = append(out, byte(v))
		case 'x':
			if i+1 < end {
				d1, ok1 := hexDigit(s[i])
				d2, ok2 := hexDigit(s[i+1])
				if ok1 && ok2 {
					out = append(out, d1<<4+d2)
					i += 2
					break
				}
			}
			return escapeResult{err: "(value error) invalid \\x escape at position " + strconv.Itoa(i-2)}
		default:
			if res.invalid == "" {
				res.invalid = string(c)
			}
			out = append(out, '\\')
			i--
		}
	}
	res.s = string(out)
	return res
}
