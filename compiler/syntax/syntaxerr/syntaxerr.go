// Package syntaxerr is the error the front end reports for a source CPython
// rejects: a Python SyntaxError (or one of its subclasses IndentationError
// and TabError) with CPython's message and location, or one of the few other
// exceptions CPython's parser raises (MemoryError when its stack overflows,
// RecursionError).
//
// The fields are those of the exception instance CPython would raise, so
// that the listing py_compile prints for it can be reproduced (Format), and
// its str() (Error).
package syntaxerr

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Type is the Python exception class.
type Type uint8

const (
	SyntaxError Type = iota
	IndentationError
	TabError
	// MemoryError is what CPython's parser raises when its stack
	// overflows ("Parser stack overflowed - Python source too complex to
	// parse"): not a SyntaxError, so only Msg is meaningful.
	MemoryError
	// RecursionError is raised when a tree is too deep to compile
	// ("maximum recursion depth exceeded during compilation"); only Msg is
	// meaningful.
	RecursionError
	// UnicodeDecodeError: compile() lets the tokenizer's through in a few
	// cases (an identifier of invalid UTF-8 met after the parser failed, an
	// f-string debug text of invalid UTF-8). Only Msg (str() of the
	// exception) is meaningful.
	UnicodeDecodeError
	// ValueError: 3.13.4 and later releases raise it for an identifier
	// that normalizes (NFKC) to None, True or False ("identifier field
	// can't represent 'None' constant"), and the compiler for an int in
	// an annotation too long for repr() under "from __future__ import
	// annotations". Only Msg is meaningful.
	ValueError
	// UnicodeEncodeError: the compiler raises it for a docstring holding
	// a surrogate, which it cannot encode to UTF-8 to clean it. Only Msg
	// (str() of the exception) is meaningful.
	UnicodeEncodeError
	// SystemError: CPython 3.13.0 to 3.13.5 reach an internal check of
	// Parser/string_parser.c when a codec's output holds a lone carriage
	// return before a string literal (the tokenizer then hands the parser a
	// STRING token that starts before its quote): "Parser/string_parser.c:229:
	// bad argument to internal function", the C file's line in the message.
	// Only Msg is meaningful.
	SystemError
)

func (t Type) String() string {
	switch t {
	case SyntaxError:
		return "SyntaxError"
	case IndentationError:
		return "IndentationError"
	case TabError:
		return "TabError"
	case MemoryError:
		return "MemoryError"
	case RecursionError:
		return "RecursionError"
	case UnicodeDecodeError:
		return "UnicodeDecodeError"
	case ValueError:
		return "ValueError"
	case UnicodeEncodeError:
		return "UnicodeEncodeError"
	case SystemError:
		return "SystemError"
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// IsSyntaxError reports whether t is SyntaxError or one of its subclasses,
// the exceptions that carry a location.
func (t Type) IsSyntaxError() bool { return t <= TabError }

// Error is an exception as CPython raises it for a source it rejects.
//
// Each field holds the attribute of the same name. Python's None is
// represented by the flags: NoLocation for an exception raised with a
// message only (SyntaxError("msg"): filename, lineno, offset, text,
// end_lineno and end_offset all None; always so for MemoryError and
// RecursionError), HasText for text, NoEnd for end_lineno and end_offset,
// NoEndOffset for end_offset alone.
// Every other attribute is set whenever NoLocation is false, possibly to 0
// or a negative number (CPython reports an unknown source encoding at line
// 0, offset -1).
type Error struct {
	Type Type
	Msg  string
	// Filename is the name the source was compiled under (possibly "").
	// Bytes that are not UTF-8 stand for the surrogates that Python's
	// surrogateescape decoding gives them.
	Filename string
	// Lineno and EndLineno are 1-based lines; Offset and EndOffset are
	// 1-based columns counted in characters (code points) of Text, as
	// SyntaxError counts them, except in the errors CPython raises after
	// parsing (symbol table, compiler), which count UTF-8 bytes as the
	// syntax tree's columns do.
	Lineno, Offset, EndLineno, EndOffset int
	// Text is the source line the error is on, as SyntaxError.text holds
	// it (usually with its newline); HasText is false where it is None.
	Text    string
	HasText bool
	// NoLocation marks an exception raised with a message only.
	NoLocation bool
	// NoEnd marks end_lineno and end_offset as None while lineno and
	// offset are set.
	NoEnd bool
	// NoEndOffset marks end_offset alone as None (EndOffset is then 0):
	// CPython 3.13.0's errors for an unknown future feature.
	NoEndOffset bool
}

// Error returns str() of the exception. For a SyntaxError (and its
// subclasses) that is SyntaxError.__str__: "msg (file, line N)", with the
// part of the file name after its last '/', "msg (file)", "msg (line N)" or
// "msg" as the attributes are set; for the other types, the message.
func (e *Error) Error() string {
	if !e.Type.IsSyntaxError() || e.NoLocation {
		return e.Msg
	}
	base := e.Filename[strings.LastIndexByte(e.Filename, '/')+1:]
	return e.Msg + " (" + base + ", line " + strconv.Itoa(e.Lineno) + ")"
}

// Format returns what py_compile.compile writes to stderr for the error:
// PyCompileError.msg followed by a newline.
//
// For a SyntaxError proper that is traceback.format_exception_only's
// listing, as 3.13's traceback module writes it (uncoloured): the file and
// line, the source line stripped of its newline and leading spaces, newlines
// and form feeds, a line of carets under Offset to EndOffset (tabs and other
// whitespace before them kept, so that they line up), and "SyntaxError:
// msg", with py_compile's quirk: every `File "<string>"` in it, the source
// line's included, names Filename instead. py_compile prints it followed by
// an empty line. For any other type,
// including IndentationError and TabError, it is "Sorry: Type: str(e)".
//
// The text is what sys.stderr writes: UTF-8, with a byte that is not UTF-8
// (a surrogate to Python) written as \udcXX.
//
// The traceback modules of 3.13.0 and later 3.13 releases differ only for
// attribute values a Python program can set by hand (a text that is not a
// str, an offset that is not an int), which Error cannot hold, so Format
// does not depend on the release.
func Format(e *Error) string {
	var b strings.Builder
	if e.Type != SyntaxError {
		b.WriteString("Sorry: ")
		b.WriteString(e.Type.String())
		b.WriteString(": ")
		writeEscaped(&b, e.Error())
		b.WriteByte('\n')
		return b.String()
	}
	if !e.NoLocation {
		name := e.Filename
		if name == "" {
			name = "<string>"
		}
		b.WriteString(`  File "`)
		writeEscaped(&b, name)
		b.WriteString(`", line `)
		b.WriteString(strconv.Itoa(e.Lineno))
		b.WriteByte('\n')
	}
	if e.HasText && !e.NoLocation {
		writeSourceLines(&b, e)
	}
	b.WriteString("SyntaxError: ")
	if e.Msg == "" {
		b.WriteString("<no detail available>")
	} else {
		writeEscaped(&b, e.Msg)
	}
	b.WriteString("\n\n")
	// py_compile names the file in place of "<string>", everywhere in the
	// listing (a source line may say it too).
	const anon = `File "<string>"`
	out := b.String()
	if strings.Contains(out, anon) {
		var name strings.Builder
		name.WriteString(`File "`)
		writeEscaped(&name, e.Filename)
		name.WriteByte('"')
		out = strings.ReplaceAll(out, anon, name.String())
	}
	return out
}

// writeSourceLines writes the source line and the carets under it, as
// traceback's _format_syntax_error computes them; every length and column
// is counted in code points.
func writeSourceLines(b *strings.Builder, e *Error) {
	text := e.Text
	// at[i] is the byte offset of code point i of text; at[n] = len(text).
	at := codePoints(text)
	n := len(at) - 1
	rend := n // rtext = text[:rend]: trailing newlines removed
	for rend > 0 && text[at[rend-1]] == '\n' {
		rend--
	}
	lstart := 0 // ltext = text[lstart:rend]: leading ' ', '\n', '\f' removed
	for lstart < rend {
		if c := text[at[lstart]]; c != ' ' && c != '\n' && c != '\f' {
			break
		}
		lstart++
	}
	spaces := lstart

	offset := e.Offset
	var endOffset int
	switch {
	case e.NoEnd || e.Lineno != e.EndLineno:
		endOffset = rend + 1
	case e.EndOffset != 0 && !e.NoEndOffset:
		endOffset = e.EndOffset
	default:
		endOffset = offset
	}
	if n > 0 && offset > n {
		offset = rend + 1
	}
	if n > 0 && endOffset > n {
		endOffset = rend + 1
	}
	if offset >= endOffset || endOffset < 0 {
		endOffset = offset + 1
	}
	colno := offset - 1 - spaces
	endColno := endOffset - 1 - spaces

	b.WriteString("    ")
	writeEscaped(b, text[at[lstart]:at[rend]])
	b.WriteByte('\n')
	if colno < 0 {
		return
	}
	b.WriteString("    ")
	for i := lstart; i < lstart+colno && i < rend; i++ {
		if c := text[at[i]:at[i+1]]; isSpace(c) {
			writeEscaped(b, c)
		} else {
			b.WriteByte(' ')
		}
	}
	// endColno > colno unless the columns overflowed; a count no parser
	// can produce (Python would need gigabytes for it) is not written.
	if n := endColno - colno; n > 0 && n <= maxCarets {
		b.WriteString(strings.Repeat("^", n))
	}
	b.WriteByte('\n')
}

// maxCarets bounds the caret line Format writes.
const maxCarets = 1 << 24

// codePoints returns the byte offset of each code point of s, followed by
// len(s). A byte that is not UTF-8 counts as one code point, as the
// surrogate that surrogateescape decoding makes of it does.
func codePoints(s string) []int {
	at := make([]int, 0, len(s)+1)
	for i := 0; i < len(s); {
		at = append(at, i)
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return append(at, len(s))
}

// isSpace reports whether Python's str.isspace is true for the code point
// c (one character of UTF-8, or one byte that is not UTF-8): the
// characters of Unicode's bidirectional classes WS, B and S and of category
// Zs. The set has not changed since Unicode 6; the tests compare it with the
// interpreter's for every code point.
func isSpace(c string) bool {
	r, size := utf8.DecodeRuneInString(c)
	if r == utf8.RuneError && size <= 1 {
		return false
	}
	switch {
	case r <= 0x7f:
		return r >= 0x09 && r <= 0x0d || r >= 0x1c && r <= 0x20
	case r == 0x85, r == 0xa0, r == 0x1680:
		return true
	case r >= 0x2000 && r <= 0x200a:
		return true
	case r == 0x2028, r == 0x2029, r == 0x202f, r == 0x205f, r == 0x3000:
		return true
	}
	return false
}

// writeEscaped writes s as sys.stderr (errors="backslashreplace") writes
// the str that surrogateescape decoding makes of s: valid UTF-8 as it is,
// any other byte as \udcXX.
func writeEscaped(b *strings.Builder, s string) {
	if utf8.ValidString(s) {
		b.WriteString(s)
		return
	}
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(`\udc`)
			b.WriteByte(hex[s[i]>>4])
			b.WriteByte(hex[s[i]&15])
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
}
