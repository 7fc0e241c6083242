package source

import (
	"fmt"
	"unicode/utf8"
)

// UTF8Error is the first error CPython's UTF-8 decoder reports for a byte
// string: the bytes [Start, End) cannot be decoded, for Reason ("invalid
// start byte", "invalid continuation byte" or "unexpected end of data").
// The ranges are CPython's, not Go's: an incomplete but so far valid
// sequence is one error spanning all its bytes, an invalid continuation
// ends the error just before the offending byte.
type UTF8Error struct {
	Start, End int
	Reason     string
	// Bytes is the input the positions refer to (for the message).
	Bytes []byte
}

// Error returns str() of the UnicodeDecodeError CPython raises.
func (e *UTF8Error) Error() string {
	return decodeErrorMessage("utf-8", e.Bytes, e.Start, e.End, e.Reason)
}

// decodeErrorMessage is str(UnicodeDecodeError(codec, b, start, end, reason)).
func decodeErrorMessage(codec string, b []byte, start, end int, reason string) string {
	if end-start == 1 && start < len(b) {
		return fmt.Sprintf("'%s' codec can't decode byte 0x%02x in position %d: %s", codec, b[start], start, reason)
	}
	return fmt.Sprintf("'%s' codec can't decode bytes in position %d-%d: %s", codec, start, end-1, reason)
}

func isCont(b byte) bool { return b&0xC0 == 0x80 }

// utf8Step looks at the sequence starting at b[0] (len(b) > 0, b[0] >=
// 0x80) the way CPython's decoder does. It returns the length of a valid
// sequence (n > 0), or the length of the invalid range and the reason.
func utf8Step(b []byte) (n int, bad int, reason string) {
	c := b[0]
	switch {
	case c < 0xC2:
		return 0, 1, "invalid start byte"
	case c < 0xE0:
		if len(b) < 2 {
			return 0, len(b), "unexpected end of data"
		}
		if !isCont(b[1]) {
			return 0, 1, "invalid continuation byte"
		}
		return 2, 0, ""
	case c < 0xF0:
		if len(b) >= 2 {
			c2 := b[1]
			if !isCont(c2) || (c == 0xE0 && c2 < 0xA0) || (c == 0xED && c2 >= 0xA0) {
				return 0, 1, "invalid continuation byte"
			}
		}
		if len(b) < 3 {
			return 0, len(b), "unexpected end of data"
		}
		if !isCont(b[2]) {
			return 0, 2, "invalid continuation byte"
		}
		return 3, 0, ""
	case c < 0xF5:
		if len(b) >= 2 {
			c2 := b[1]
			if !isCont(c2) || (c == 0xF0 && c2 < 0x90) || (c == 0xF4 && c2 >= 0x90) {
				return 0, 1, "invalid continuation byte"
			}
		}
		if len(b) >= 3 && !isCont(b[2]) {
			return 0, 2, "invalid continuation byte"
		}
		if len(b) < 4 {
			return 0, len(b), "unexpected end of data"
		}
		if !isCont(b[3]) {
			return 0, 3, "invalid continuation byte"
		}
		return 4, 0, ""
	}
	return 0, 1, "invalid start byte"
}

// CheckUTF8 returns nil if b is valid UTF-8 (as CPython's strict decoder
// sees it: no surrogates, no overlong forms), else the first error.
func CheckUTF8(b []byte) *UTF8Error {
	if utf8.Valid(b) {
		return nil
	}
	for i := 0; i < len(b); {
		if b[i] < 0x80 {
			i++
			continue
		}
		n, bad, reason := utf8Step(b[i:])
		if n == 0 {
			return &UTF8Error{Start: i, End: i + bad, Reason: reason, Bytes: b}
		}
		i += n
	}
	return nil
}

// DecodeReplace decodes b as CPython's bytes.decode("utf-8", "replace")
// does: each error range CheckUTF8 would report becomes one U+FFFD.
func DecodeReplace(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out := make([]byte, 0, len(b)+8)
	for i := 0; i < len(b); {
		if b[i] < 0x80 {
			out = append(out, b[i])
			i++
			continue
		}
		n, bad, _ := utf8Step(b[i:])
		if n == 0 {
			out = append(out, "\uFFFD"...)
			i += bad
			continue
		}
		out = append(out, b[i:i+n]...)
		i += n
	}
	return string(out)
}

// CharOffset converts a 1-based byte column into a line to the 1-based
// character offset a SyntaxError carries, as CPython's
// _PyPegen_byte_offset_to_character_offset does: line is the error's text
// (valid UTF-8), a column past the end of the line counts as one past its
// last character, and a column inside a multi-byte character counts that
// character.
func CharOffset(line string, col int) int {
	if col > len(line)+1 {
		col = len(line) + 1
	}
	if col <= 0 {
		return col
	}
	n := 0
	extra := 0
	if col > len(line) {
		// The terminating NUL of the C string counts as a character.
		extra = col - len(line)
		col = len(line)
	}
	for i := 0; i < col; i++ {
		if line[i]&0xC0 != 0x80 {
			n++
		}
	}
	return n + extra
}

// CharCount returns the number of characters CPython's "replace" decoding
// of b has.
func CharCount(b []byte) int {
	if utf8.Valid(b) {
		return utf8.RuneCount(b)
	}
	n := 0
	for i := 0; i < len(b); {
		if b[i] < 0x80 {
			i++
		} else if m, bad, _ := utf8Step(b[i:]); m > 0 {
			i += m
		} else {
			i += bad
		}
		n++
	}
	return n
}
