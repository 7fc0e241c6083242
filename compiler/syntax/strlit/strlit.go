// Package strlit decodes the bodies of Python string and bytes literals as
// CPython 3.13's parser does (Parser/string_parser.c with the unicode-escape
// and bytes-escape decoders of Objects/unicodeobject.c and
// Objects/bytesobject.c): prefixes, raw literals, every escape, \N{name}
// through the target release's Unicode tables, and the literal parts of
// f-strings (action_helpers.c).
//
// Invariants:
//   - A decoded str is returned in the encoding of ast.Value: UTF-8 with
//     surrogates in their own 3-byte form ("\ud800" is a valid literal).
//     A body without a backslash (or a raw one) is returned as a substring
//     of the input, without copying.
//   - Errors and warnings are values; nothing here panics on any input, and
//     nothing here knows token positions: the caller places errors and
//     warnings as CPython's parser does from its tokens (see Error and
//     Warning for what CPython reports and where).
//   - Positions inside a str literal are counted, as CPython counts them, in
//     the buffer it actually decodes: the body with every non-ASCII
//     character rewritten as a 10-byte "\UXXXXXXXX" escape and a backslash
//     that precedes a non-ASCII character (or ends the body) rewritten as
//     "\u005c". Error messages ("position 10-12") and warning columns use
//     these units. Bytes literals are counted in their own bytes.
package strlit

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"unsafe"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/unidata"
)

// ErrorKind says which exception CPython raises for a literal it cannot
// decode.
type ErrorKind uint8

const (
	// UnicodeError: the unicode-escape decoder of a str literal (or an
	// f-string part) failed: Python's UnicodeDecodeError.
	UnicodeError ErrorKind = iota + 1
	// ValueError: the bytes-escape decoder failed (a bad \x escape).
	ValueError
	// NonASCIIBytes: a bytes literal holds a non-ASCII character; CPython
	// raises this SyntaxError at the literal's token
	// (RAISE_SYNTAX_ERROR_KNOWN_LOCATION).
	NonASCIIBytes
	// BadInternalCall: the token is not a string literal's text (no quote
	// after the prefix, or quotes that do not match). _PyPegen_parse_string
	// then raises SystemError with PyErr_BadInternalCall, whose message
	// names the C source line of the failed check; Error.Check says which
	// check failed (1, 2 or 3, in the order of string_parser.c), Msg is
	// "bad argument to internal function". The tokenizer makes such a token
	// only from a source holding a lone carriage return that newline
	// translation missed (3.13.0 to 3.13.5, after a codec).
	BadInternalCall
)

// Error is a literal that cannot be decoded.
type Error struct {
	Kind ErrorKind
	// Msg is str() of the exception Python raises: "'unicodeescape'
	// codec can't decode bytes in position 0-1: truncated \xXX escape",
	// "invalid \x escape at position 0", or "bytes can only contain ASCII
	// literal characters".
	Msg string
	// Check is the failed check of a BadInternalCall (1, 2 or 3).
	Check int
}

func (e *Error) Error() string { return e.ExceptionType() + ": " + e.Msg }

// ExceptionType is the class name of Python's exception.
func (e *Error) ExceptionType() string {
	switch e.Kind {
	case UnicodeError:
		return "UnicodeDecodeError"
	case ValueError:
		return "ValueError"
	case BadInternalCall:
		return "SystemError"
	}
	return "SyntaxError"
}

// SyntaxMsg is the message of the SyntaxError that CPython's parser makes of
// the error when it decodes a STRING token or an f-string's literal part
// (_Pypegen_raise_decode_error: "(unicode error) ...", "(value error) ...",
// raised with RAISE_SYNTAX_ERROR, at the parser's last token). The literal
// parts of an f-string's format spec are the exception: CPython 3.13 lets
// the UnicodeDecodeError itself escape from ast.parse and compile.
func (e *Error) SyntaxMsg() string {
	switch e.Kind {
	case UnicodeError:
		return "(unicode error) " + e.Msg
	case ValueError:
		return "(value error) " + e.Msg
	}
	return e.Msg
}

func badInternalCall(check int) *Error {
	return &Error{Kind: BadInternalCall, Msg: "bad argument to internal function", Check: check}
}

// Warning is the invalid-escape warning CPython emits for a literal: only
// the first invalid escape of a body is reported. Its category is
// SyntaxWarning (DeprecationWarning under feature_version < 12).
//
// CPython 3.13.0 to 3.13.2 report it at the token's first line. From 3.13.3
// (gh-116042) the line is the token's line plus Line, and when -W error
// turns it into a SyntaxError, its columns are col-1 to col+1 (bytes),
// where col is Col, plus the token's column and the number of quote
// characters that begin the token when Line is 0.
type Warning struct {
	// Msg is "invalid escape sequence '\d'" or, for an octal escape above
	// 0o377, "invalid octal escape sequence '\777'".
	Msg   string
	Octal bool
	// Char is the character after the backslash (the first digit of an
	// octal escape).
	Char byte
	// Line is the number of newlines before Char in the decoded buffer;
	// Col the number of bytes between the last of them (or the start of
	// the body) and Char, in the units of the package comment.
	Line, Col int
}

// Literal is a decoded STRING token.
type Literal struct {
	// Value is a str or a bytes constant.
	Value ast.Value
	// KindU is true when the token begins with a lowercase 'u': the
	// Constant's kind is then "u".
	KindU bool
	// Warning is the first invalid escape, or nil.
	Warning *Warning
}

// Decoder decodes literals for one target release. It is not safe for
// concurrent use (it keeps a scratch buffer).
type Decoder struct {
	tables *unidata.Tables
	rules  unidata.NameRules
	buf    []byte
}

// NewDecoder returns a decoder for rel, or an error when this build has no
// Unicode tables for rel (needed for \N{...}).
func NewDecoder(rel release.Release) (*Decoder, error) {
	t := unidata.ForRelease(rel)
	if t == nil {
		return nil, fmt.Errorf("strlit: no Unicode tables for CPython %s", rel)
	}
	return &Decoder{tables: t, rules: unidata.NameRulesFor(rel)}, nil
}

// Parse decodes a STRING token: its whole text, prefix and quotes included,
// as _PyPegen_parse_string does. The token must be one the tokenizer made
// (an f-string is not a STRING token); a malformed one gives an error.
func (d *Decoder) Parse(tok string) (Literal, *Error) { return d.ParseToken(tok, false) }

// ParseToken is Parse for a token that the tokenizer found to hold only
// ASCII bytes and no backslash when plain is set (token.Token.ASCII): its
// body is then taken as it is, without the search for escapes and the
// check of its UTF-8, which could find nothing.
func (d *Decoder) ParseToken(tok string, plain bool) (Literal, *Error) {
	var lit Literal
	lit.KindU = strings.HasPrefix(tok, "u")
	bytesMode, rawMode := false, false
	i := 0
prefix:
	for i < len(tok) && !(bytesMode && rawMode) {
		switch tok[i] {
		case 'b', 'B':
			bytesMode = true
		case 'u', 'U':
		case 'r', 'R':
			rawMode = true
		default:
			break prefix
		}
		i++
	}
	if i >= len(tok) || (tok[i] != '\'' && tok[i] != '"') {
		return lit, badInternalCall(1)
	}
	quote := tok[i]
	body := tok[i+1:]
	if len(body) == 0 || body[len(body)-1] != quote {
		return lit, badInternalCall(2)
	}
	body = body[:len(body)-1]
	if len(body) >= 4 && body[0] == quote && body[1] == quote {
		body = body[2:]
		if body[len(body)-1] != quote || body[len(body)-2] != quote {
			return lit, badInternalCall(3)
		}
		body = body[:len(body)-2]
	}
	if plain {
		if bytesMode {
			lit.Value = ast.BytesValue(body)
		} else {
			lit.Value = ast.StrValue(body)
		}
		return lit, nil
	}
	rawMode = rawMode || strings.IndexByte(body, '\\') < 0
	if bytesMode {
		for j := 0; j < len(body); j++ {
			if body[j] >= 0x80 {
				return lit, &Error{Kind: NonASCIIBytes, Msg: "bytes can only contain ASCII literal characters"}
			}
		}
		if rawMode {
			lit.Value = ast.BytesValue(body)
			return lit, nil
		}
		b, w, err := d.decodeBytes(body)
		if err != nil {
			return lit, err
		}
		lit.Value, lit.Warning = ast.BytesValue(b), w
		return lit, nil
	}
	if rawMode {
		if err := checkUTF8(body); err != nil {
			return lit, err
		}
		lit.Value = ast.StrValue(body)
		return lit, nil
	}
	s, w, err := d.decodeStr(body)
	if err != nil {
		return lit, err
	}
	lit.Value, lit.Warning = ast.StrValue(s), w
	return lit, nil
}

// DecodeFStringPart decodes a literal part of an f-string: the text of an
// FSTRING_MIDDLE token (the tokenizer has already turned "{{" and "}}" into
// one brace), as _PyPegen_decode_fstring_part and
// _PyPegen_decoded_constant_from_token do. raw is whether escapes are left
// alone: for parts of the f-string itself, whether its prefix has r or R;
// for parts of a format spec, false in CPython 3.13.0 to at least 3.13.5,
// and the innermost f-string's raw flag in later releases (at least
// 3.13.15).
//
// A part that is exactly "{{" or "}}" stands for one brace. Warnings for
// "\{" and "\}" are not returned: the tokenizer has reported those.
func (d *Decoder) DecodeFStringPart(text string, raw bool) (string, *Warning, *Error) {
	if text == "{{" || text == "}}" {
		text = text[:1]
	}
	if raw || strings.IndexByte(text, '\\') < 0 {
		if err := checkUTF8(text); err != nil {
			return "", nil, err
		}
		return text, nil, nil
	}
	s, w, err := d.decodeStr(text)
	if w != nil && (w.Char == '{' || w.Char == '}') {
		w = nil
	}
	return s, w, err
}

// DecodeFormatSpecPart decodes a literal part of a format spec as
// _PyPegen_decoded_constant_from_token does: like DecodeFStringPart, except
// that a part without a backslash is not taken as raw. It still goes
// through the escape decoder, which decodes each run of non-ASCII bytes on
// its own, so that invalid UTF-8 is reported at positions counted from its
// run ("=\xe2(" gives "byte 0xe2 in position 0: unexpected end of data",
// not "in position 1: invalid continuation byte").
func (d *Decoder) DecodeFormatSpecPart(text string, raw bool) (string, *Warning, *Error) {
	if text == "{{" || text == "}}" {
		text = text[:1]
	}
	if raw {
		if err := checkUTF8(text); err != nil {
			return "", nil, err
		}
		return text, nil, nil
	}
	s, w, err := d.decodeStr(text)
	if w != nil && (w.Char == '{' || w.Char == '}') {
		w = nil
	}
	return s, w, err
}

// checkUTF8 reports the UnicodeDecodeError of CPython's strict UTF-8
// decoder for text that is not UTF-8 (the source's text may hold such
// bytes, which CPython finds only when it decodes a literal).
func checkUTF8(text string) *Error {
	if !hasNonASCII(text) {
		return nil
	}
	if e := source.CheckUTF8([]byte(text)); e != nil {
		return &Error{Kind: UnicodeError, Msg: e.Error()}
	}
	return nil
}

// hasNonASCII reports whether text holds a byte of 0x80 or more, testing
// eight bytes at a time.
func hasNonASCII(text string) bool {
	b := unsafe.Slice(unsafe.StringData(text), len(text))
	i := 0
	for ; i+8 <= len(b); i += 8 {
		if binary.LittleEndian.Uint64(b[i:])&0x8080808080808080 != 0 {
			return true
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= 0x80 {
			return true
		}
	}
	return false
}

// decodeStr decodes the escapes of a str body as decode_unicode_with_escapes
// does. Error and warning positions are converted to the units of CPython's
// rewritten buffer (see rewrittenOffset) only when there is one.
func (d *Decoder) decodeStr(body string) (string, *Warning, *Error) {
	// CPython first rewrites the whole body, decoding each run of
	// non-ASCII bytes as UTF-8 on its own (an error's positions count from
	// the run), and only then decodes the escapes: invalid UTF-8 anywhere
	// in the body is the error, before any bad escape, even one before it
	// or around it ("\N{A<invalid>B}").
	if hasNonASCII(body) {
		for i := 0; i < len(body); i++ {
			if body[i] >= 0x80 {
				j := i
				for j < len(body) && body[j] >= 0x80 {
					j++
				}
				if err := checkUTF8(body[i:j]); err != nil {
					return "", nil, err
				}
				i = j
			}
		}
	}
	out := d.buf[:0]
	warnAt := -1 // body offset of the first invalid escape's character
	var warn *Warning
	for i := 0; i < len(body); {
		c := body[i]
		if c >= 0x80 {
			r, size := ast.DecodeCodePoint(body[i:])
			out = ast.AppendCodePoint(out, r)
			i += size
			continue
		}
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		// A backslash before a non-ASCII character, or at the end, is
		// rewritten as "\u005c": a backslash.
		if i+1 >= len(body) || body[i+1] >= 0x80 {
			out = append(out, '\\')
			i++
			continue
		}
		start := i
		e := body[i+1]
		i += 2
		switch e {
		case '\n': // a line continuation: nothing
		case '\\', '\'', '"', 'b', 'f', 't', 'n', 'r', 'v', 'a':
			out = append(out, simpleEscapes[e])
		case '0', '1', '2', '3', '4', '5', '6', '7':
			var v rune
			v, i = octalEscape(body, i)
			if v > 0o377 && warn == nil {
				warn, warnAt = octalWarning(body, start, i), start+1
			}
			out = ast.AppendCodePoint(out, v)
		case 'x', 'u', 'U':
			count, msg := 2, `truncated \xXX escape`
			if e == 'u' {
				count, msg = 4, `truncated \uXXXX escape`
			} else if e == 'U' {
				count, msg = 8, `truncated \UXXXXXXXX escape`
			}
			var v uint32
			for ; count > 0; count-- {
				// A non-ASCII character is a "\U..." escape in the
				// rewritten buffer: its backslash is not a hex digit.
				h, ok := byte(0), false
				if i < len(body) {
					h, ok = hexValue(body[i])
				}
				if !ok {
					return "", nil, unicodeError(body, start, i, msg)
				}
				v = v<<4 | uint32(h)
				i++
			}
			if v > 0x10FFFF {
				return "", nil, unicodeError(body, start, i, "illegal Unicode character")
			}
			out = ast.AppendCodePoint(out, rune(v))
		case 'N':
			const malformed = `malformed \N character escape`
			if i >= len(body) || body[i] != '{' {
				return "", nil, unicodeError(body, start, i, malformed)
			}
			i++
			end := strings.IndexByte(body[i:], '}')
			if end < 0 {
				return "", nil, unicodeError(body, start, len(body), malformed)
			}
			name := body[i : i+end]
			i += end
			if name == "" {
				return "", nil, unicodeError(body, start, i, malformed)
			}
			i++
			r, ok := d.lookup(name)
			if !ok {
				return "", nil, unicodeError(body, start, i, "unknown Unicode character name")
			}
			out = ast.AppendCodePoint(out, r)
		default:
			if warn == nil {
				warn = &Warning{Msg: "invalid escape sequence '\\" + string(rune(e)) + "'", Char: e}
				warnAt = start + 1
			}
			out = append(out, '\\', e)
		}
	}
	d.buf = out
	if warn != nil {
		warn.Line, warn.Col = lineCol(body, warnAt, rewrittenOffset)
	}
	return string(out), warn, nil
}

// rewrittenOffset returns where body[n] is in the buffer that CPython's
// decode_unicode_with_escapes hands to the unicode-escape decoder: the body
// scanned from the start, a backslash copied (with "u005c" added when the
// body ends after it or a non-ASCII character follows it), then the next
// character copied, or a run of non-ASCII characters written as one
// "\UXXXXXXXX" each. n must be the offset of a character.
func rewrittenOffset(body string, n int) int {
	p := 0
	for s := 0; s < len(body); {
		if s >= n {
			return p
		}
		if body[s] == '\\' {
			p++
			s++
			if s >= len(body) || body[s] >= 0x80 {
				p += 5
			}
			if s >= n {
				return p
			}
			if s >= len(body) {
				break
			}
		}
		if body[s] >= 0x80 {
			for s < len(body) && body[s] >= 0x80 {
				if s >= n {
					return p
				}
				_, size := ast.DecodeCodePoint(body[s:])
				s += size
				p += 10
			}
			continue
		}
		p++
		s++
	}
	return p
}

// lineCol returns the line (newlines before it) and column (buffer bytes
// since the last newline) of body[n], with offset mapping body offsets to
// buffer offsets.
func lineCol(body string, n int, offset func(string, int) int) (line, col int) {
	last := -1
	for i := 0; i < n; i++ {
		if body[i] == '\n' {
			line++
			last = i
		}
	}
	return line, offset(body, n) - offset(body, last+1)
}

// lookup is the name lookup of a \N{name} escape. The name as CPython sees
// it is in the rewritten buffer, where a non-ASCII character is a "\U..."
// escape: no character has such a name.
func (d *Decoder) lookup(name string) (rune, bool) {
	for i := 0; i < len(name); i++ {
		if name[i] >= 0x80 {
			return 0, false
		}
	}
	return d.tables.LookupRules(name, d.rules)
}

// unicodeError is the UnicodeDecodeError of the unicode-escape decoder for
// the span of body from the backslash at start to end (exclusive), which
// it reports in rewritten-buffer units.
func unicodeError(body string, start, end int, reason string) *Error {
	start, end = rewrittenOffset(body, start), rewrittenOffset(body, end)
	if end == start+1 {
		// The byte at start is always the escape's backslash.
		return &Error{Kind: UnicodeError, Msg: fmt.Sprintf("'unicodeescape' codec can't decode byte 0x5c in position %d: %s", start, reason)}
	}
	return &Error{Kind: UnicodeError, Msg: "'unicodeescape' codec can't decode bytes in position " +
		strconv.Itoa(start) + "-" + strconv.Itoa(end-1) + ": " + reason}
}

// simpleEscapes maps the character after a backslash to what the escape
// stands for, in str and bytes literals alike, for the one-character
// escapes (\\ \' \" \b \f \t \n \r \v \a).
var simpleEscapes = [128]byte{
	'\\': '\\', '\'': '\'', '"': '"', 'b': '\b', 'f': '\f', 't': '\t',
	'n': '\n', 'r': '\r', 'v': '\v', 'a': '\a',
}

// octalEscape reads an octal escape whose first digit is body[i-1] (up to
// two more digits from body[i]) and returns its value and the offset after
// it. A value above 0o377 is the caller's to warn of (octalWarning).
func octalEscape(body string, i int) (rune, int) {
	v := rune(body[i-1] - '0')
	for n := 0; n < 2 && i < len(body) && body[i] >= '0' && body[i] <= '7'; n++ {
		v = v<<3 + rune(body[i]-'0')
		i++
	}
	return v, i
}

// octalWarning is the SyntaxWarning of the octal escape body[start:end]
// whose value is above 0o377 (three digits: the backslash at start).
func octalWarning(body string, start, end int) *Warning {
	return &Warning{Msg: "invalid octal escape sequence '\\" + body[end-3:end] + "'", Octal: true, Char: body[start+1]}
}

func hexValue(c byte) (byte, bool) {
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

// decodeBytes decodes the escapes of a bytes body (ASCII only) as
// _PyBytes_DecodeEscape does.
func (d *Decoder) decodeBytes(body string) (string, *Warning, *Error) {
	out := d.buf[:0]
	var warn *Warning
	warnAt := -1
	for i := 0; i < len(body); {
		c := body[i]
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(body) {
			// Not possible in a token: the closing quote would be escaped.
			return "", nil, &Error{Kind: ValueError, Msg: `Trailing \ in string`}
		}
		start := i
		e := body[i+1]
		i += 2
		switch e {
		case '\n': // a line continuation: nothing
		case '\\', '\'', '"', 'b', 'f', 't', 'n', 'r', 'v', 'a':
			out = append(out, simpleEscapes[e])
		case '0', '1', '2', '3', '4', '5', '6', '7':
			var v rune
			v, i = octalEscape(body, i)
			if v > 0o377 && warn == nil {
				warn, warnAt = octalWarning(body, start, i), start+1
			}
			out = append(out, byte(v)) // C stores the int in a char: v & 0xFF
		case 'x':
			if i+1 < len(body) {
				h1, ok1 := hexValue(body[i])
				h2, ok2 := hexValue(body[i+1])
				if ok1 && ok2 {
					out = append(out, h1<<4|h2)
					i += 2
					break
				}
			}
			return "", nil, &Error{Kind: ValueError, Msg: "invalid \\x escape at position " + strconv.Itoa(start)}
		default:
			if warn == nil {
				warn = &Warning{Msg: "invalid escape sequence '\\" + string(rune(e)) + "'", Char: e}
				warnAt = start + 1
			}
			// The backslash is kept and the character after it read again
			// as an ordinary character.
			out = append(out, '\\')
			i--
		}
	}
	d.buf = out
	if warn != nil {
		warn.Line, warn.Col = lineCol(body, warnAt, func(_ string, n int) int { return n })
	}
	return string(out), warn, nil
}
