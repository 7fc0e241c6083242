// Package source turns the bytes of a Python file into the text CPython
// 3.13's tokenizer reads when compile() is given those bytes (the string
// tokenizer's decode_str, which is what py_compile and importlib use), and
// keeps what CPython reads back from the file for a SyntaxError's text.
//
// Invariants of a decoded Source:
//
//   - Text never contains a NUL byte and, unless empty, ends with "\n";
//     "\r\n" and lone "\r" of the file are "\n" in it.
//   - Text is UTF-8 when the file declared a codec other than UTF-8 (it was
//     converted); otherwise it holds the file's bytes after the BOM, which
//     may be invalid UTF-8 (CPython reports that lazily, where an
//     identifier or a string literal holds such bytes).
//   - Raw is the file, unchanged: ReadBackLine reads lines from it as
//     CPython's _PyErr_ProgramDecodedTextObject reads them from disk.
//
// Decoding fails with a *syntaxerr.Error for every source CPython rejects
// before tokenizing (NUL bytes, an unknown or non-text codec, a BOM with
// another codec's cookie, bytes the declared codec cannot decode), with
// CPython's message and location (lineno 0, offset -1), and with an
// *UnsupportedCodecError for a codec CPython has that this package cannot
// reproduce exactly.
package source

import (
	"bytes"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
)

// Source is a Python file decoded for the tokenizer.
type Source struct {
	// Raw is the file's bytes.
	Raw []byte
	// Text is what the tokenizer reads (see the package invariants).
	Text []byte
	// Encoding is the source encoding CPython records (tok->encoding):
	// "" when neither a BOM nor a coding cookie names one, "utf-8" for a
	// BOM or a cookie CPython normalizes to it, else the cookie's codec
	// name as CPython keeps it (latin-1 spellings become "iso-8859-1",
	// other names stay as written).
	Encoding string
	// BOM reports a UTF-8 byte order mark at the start of the file.
	BOM bool
	// Codec is the codec that converted the file to Text (nil when the
	// file's bytes were used as they are).
	Codec *Codec

	// translated is the file after the BOM with newlines translated, before
	// any codec: the buffer CPython 3.13.0 searches when it looks for an
	// error's line in its own buffers (tok->str).
	translated []byte
	rel        release.Release
	// noCR is set when Text is known to hold no '\r': its newlines were
	// translated after any codec ran.
	noCR bool
}

// NoCR reports whether Text is known to hold no '\r' (Decode translated
// its newlines last), so that the tokenizer need not look for one; false
// means that it may hold one.
func (s *Source) NoCR() bool { return s.noCR }

// LookupBuffer returns the buffer CPython searches line by line for an
// error's text when it cannot read the file back
// (get_error_line_from_tokenizer_buffers: tok->str). Releases before
// 3.13.13 search the undecoded bytes when a codec converted the file.
func (s *Source) LookupBuffer() []byte {
	if s.Codec != nil && !decodedLookupBuffer(s.rel) {
		return s.translated
	}
	return s.Text
}

// Release is the release the source was decoded for.
func (s *Source) Release() release.Release { return s.rel }

// FromUTF8 wraps text that is already what the tokenizer reads (no BOM,
// newlines translated, no NUL). It is for tests and tools that build
// sources in memory; Decode is the way to read a file.
func FromUTF8(text []byte, rel release.Release) *Source {
	return &Source{Raw: text, Text: text, translated: text, rel: rel}
}

// initError is a SyntaxError CPython raises while setting up the
// tokenizer: the message of the underlying exception, lineno 0, offset
// -1, no end, no text (_PyPegen_raise_tokenizer_init_error).
func initError(filename, msg string) *syntaxerr.Error {
	return &syntaxerr.Error{Type: syntaxerr.SyntaxError, Msg: msg, Filename: filename, Lineno: 0, Offset: -1, NoEnd: true}
}

// Decode decodes a file's bytes as compile(raw, filename, "exec") does for
// the given release.
func Decode(raw []byte, filename string, rel release.Release) (*Source, error) {
	if bytes.IndexByte(raw, 0) >= 0 {
		// compile() refuses the string before the tokenizer sees it.
		return nil, &syntaxerr.Error{Type: syntaxerr.SyntaxError, Msg: "source code string cannot contain null bytes", Filename: filename, NoLocation: true}
	}
	s := &Source{Raw: raw, rel: rel}
	str := translateNewlines(raw)
	if bytes.HasPrefix(str, bom) {
		str = str[len(bom):]
		s.BOM = true
		s.Encoding = "utf-8"
	}
	s.translated = str

	// The coding spec: line 1, then line 2 if line 1 is blank or a
	// comment without one.
	codec := ""
	if nl := bytes.IndexByte(str, '\n'); nl >= 0 {
		spec, state := codingSpec(str, 0, nl)
		if spec == "" && state != stateNormal {
			if nl2 := bytes.IndexByte(str[nl+1:], '\n'); nl2 >= 0 {
				spec, _ = codingSpec(str, nl+1, nl2+1)
			}
		}
		if spec != "" {
			if s.BOM {
				if spec != "utf-8" {
					return nil, initError(filename, "encoding problem: "+spec+" with BOM")
				}
			} else {
				s.Encoding = spec
				if spec != "utf-8" {
					codec = spec
				}
			}
		}
	}
	if codec == "" {
		s.Text = str
		s.noCR = true
		return s, nil
	}
	c, err := Lookup(codec, rel)
	if err != nil {
		if le, ok := err.(*LookupError); ok {
			return nil, initError(filename, le.Msg)
		}
		return nil, err
	}
	text, derr := c.Decode(str)
	if derr != nil {
		return nil, initError(filename, derr.Error())
	}
	// The UTF-8 result is a C string to CPython: it ends at a NUL.
	if i := bytes.IndexByte(text, 0); i >= 0 {
		text = text[:i]
	}
	if decodedNewlines(rel) {
		text = translateNewlines(text)
		s.noCR = true
	}
	s.Text = text
	s.Codec = c
	return s, nil
}

var bom = []byte{0xEF, 0xBB, 0xBF}

// translateNewlines is _PyTokenizer_translate_newlines for exec input:
// "\r\n" and "\r" become "\n", and a "\n" is appended to a non-empty text
// that does not end with one.
func translateNewlines(b []byte) []byte {
	if bytes.IndexByte(b, '\r') < 0 {
		if len(b) == 0 || b[len(b)-1] == '\n' {
			return b
		}
		out := make([]byte, len(b)+1)
		copy(out, b)
		out[len(b)] = '\n'
		return out
	}
	out := make([]byte, 0, len(b)+1)
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '\r' {
			c = '\n'
			if i+1 < len(b) && b[i+1] == '\n' {
				i++
			}
		}
		out = append(out, c)
	}
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return out
}

// Release gates of the decoding steps that changed within 3.13 (see
// docs/native.md, "Version differences").
var (
	// Later releases translate newlines again after a codec converted the
	// source, and search the converted text for error lines (gh-145234,
	// listed under 3.13.13 in 3.13.18's changelog, Misc/NEWS).
	translateAfterCodec = release.Release{Major: 3, Minor: 13, Micro: 13}
)

func decodedNewlines(r release.Release) bool     { return r.AtLeast(translateAfterCodec) }
func decodedLookupBuffer(r release.Release) bool { return r.AtLeast(translateAfterCodec) }
