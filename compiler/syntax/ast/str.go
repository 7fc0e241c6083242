package ast

import "unicode/utf8"

// AppendCodePoint appends the encoding of code point r (0..0x10FFFF) that a
// str Value uses: UTF-8, with a surrogate (U+D800..U+DFFF) in its 3-byte
// form, as Python's 'surrogatepass' error handler writes it. A value outside
// 0..0x10FFFF appends U+FFFD.
func AppendCodePoint(b []byte, r rune) []byte {
	if r >= 0xD800 && r <= 0xDFFF {
		return append(b, 0xED, byte(0x80|(r>>6)&0x3F), byte(0x80|r&0x3F))
	}
	return utf8.AppendRune(b, r)
}

// DecodeCodePoint returns the first code point of s, encoded as
// AppendCodePoint encodes it, and its length in bytes. Bytes that are not
// such an encoding give (utf8.RuneError, 1), as utf8.DecodeRuneInString does;
// an empty s gives (utf8.RuneError, 0).
func DecodeCodePoint(s string) (rune, int) {
	if len(s) >= 3 && s[0] == 0xED && s[1] >= 0xA0 && s[1] <= 0xBF && s[2]&0xC0 == 0x80 {
		return 0xD000 | rune(s[1]&0x3F)<<6 | rune(s[2]&0x3F), 3
	}
	return utf8.DecodeRuneInString(s)
}

// CodePointCount returns the number of code points in s (its len() in
// Python), counting every byte that does not begin a valid encoding as one.
func CodePointCount(s string) int {
	n := 0
	for i := 0; i < len(s); n++ {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		_, size := DecodeCodePoint(s[i:])
		i += size
	}
	return n
}
