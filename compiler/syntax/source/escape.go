package source

import "github.com/rules-pyc/rules_pyc/compiler/syntax/unidata"

// The escape codecs, as CPython's _PyUnicode_DecodeUnicodeEscapeInternal2
// and _PyUnicode_DecodeRawUnicodeEscapeStateful decode a whole buffer:
// bytes stand for the Latin-1 characters of their value, and backslash
// escapes are read as in a Python string literal (unicode_escape) or only
// \uXXXX and \UXXXXXXXX after an odd number of backslashes
// (raw_unicode_escape). An error covers the escape from its backslash to
// the byte that ended it (excluded) or the end of the buffer.
//
// unicode_escape's DeprecationWarning for an invalid escape does not change
// the result (warnings are not errors for py_compile).

func hexDigit(c byte) (rune, bool) {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0'), true
	case c >= 'a' && c <= 'f':
		return rune(c-'a') + 10, true
	case c >= 'A' && c <= 'F':
		return rune(c-'A') + 10, true
	}
	return 0, false
}

// readHex reads up to count hex digits at b[s:]. It returns the value, the
// position after the last digit read, and whether count digits were read.
func readHex(b []byte, s, count int) (uint32, int, bool) {
	var v uint32
	for ; count > 0; count-- {
		if s >= len(b) {
			return v, s, false
		}
		d, ok := hexDigit(b[s])
		if !ok {
			return v, s, false
		}
		v = v<<4 | uint32(d)
		s++
	}
	return v, s, true
}

// decodeUnicodeEscape is the unicode_escape codec; names resolves \N{...}.
func decodeUnicodeEscape(b []byte, names func(string) (rune, bool), replace bool, out []rune) ([]rune, error) {
	const name = "unicodeescape"
	for s := 0; s < len(b); {
		c := b[s]
		s++
		if c != '\\' {
			out = append(out, rune(c))
			continue
		}
		start := s - 1
		var reason string
		if s >= len(b) {
			reason = "\\ at end of string"
		} else {
			c = b[s]
			s++
			switch c {
			case '\n':
				continue
			case '\\', '\'', '"':
				out = append(out, rune(c))
				continue
			case 'b':
				out = append(out, '\b')
				continue
			case 'f':
				out = append(out, '\f')
				continue
			case 't':
				out = append(out, '\t')
				continue
			case 'n':
				out = append(out, '\n')
				continue
			case 'r':
				out = append(out, '\r')
				continue
			case 'v':
				out = append(out, '\v')
				continue
			case 'a':
				out = append(out, '\a')
				continue
			case '0', '1', '2', '3', '4', '5', '6', '7':
				ch := rune(c - '0')
				for k := 0; k < 2 && s < len(b) && b[s] >= '0' && b[s] <= '7'; k++ {
					ch = ch<<3 + rune(b[s]-'0')
					s++
				}
				out = append(out, ch)
				continue
			case 'x', 'u', 'U':
				count := 2
				reason = "truncated \\xXX escape"
				switch c {
				case 'u':
					count, reason = 4, "truncated \\uXXXX escape"
				case 'U':
					count, reason = 8, "truncated \\UXXXXXXXX escape"
				}
				v, next, ok := readHex(b, s, count)
				s = next
				if ok {
					if v <= 0x10FFFF {
						out = append(out, rune(v))
						continue
					}
					reason = "illegal Unicode character"
				}
			case 'N':
				reason = "malformed \\N character escape"
				if s < len(b) && b[s] == '{' {
					s++
					begin := s
					for s < len(b) && b[s] != '}' {
						s++
					}
					if s < len(b) && s > begin {
						nm := string(b[begin:s])
						s++
						if r, ok := names(nm); ok {
							out = append(out, r)
							continue
						}
						reason = "unknown Unicode character name"
					}
				}
			default:
				out = append(out, '\\', rune(c))
				continue
			}
		}
		if !replace {
			return nil, decodeError(name, b, start, s, reason)
		}
		out = append(out, 0xFFFD)
	}
	return out, nil
}

// escapeNames returns the \N{...} lookup of a release.
func escapeNames(c *Codec) func(string) (rune, bool) {
	t := unidata.ForRelease(c.rel)
	rules := unidata.NameRulesFor(c.rel)
	return func(name string) (rune, bool) {
		if t == nil {
			return 0, false
		}
		return t.LookupRules(name, rules)
	}
}

// decodeRawUnicodeEscape is the raw_unicode_escape codec.
func decodeRawUnicodeEscape(b []byte, replace bool, out []rune) ([]rune, error) {
	const name = "rawunicodeescape"
	for s := 0; s < len(b); {
		c := b[s]
		if c != '\\' {
			out = append(out, rune(c))
			s++
			continue
		}
		bs := s
		for s < len(b) && b[s] == '\\' {
			out = append(out, '\\')
			s++
		}
		if (s-bs)&1 == 0 || s >= len(b) || b[s] != 'u' && b[s] != 'U' {
			continue
		}
		out = out[:len(out)-1]
		start := s - 1
		count, reason := 4, "truncated \\uXXXX escape"
		if b[s] == 'U' {
			count, reason = 8, "truncated \\UXXXXXXXX escape"
		}
		v, next, ok := readHex(b, s+1, count)
		s = next
		if ok {
			if v <= 0x10FFFF {
				out = append(out, rune(v))
				continue
			}
			reason = "\\Uxxxxxxxx out of range"
		}
		if !replace {
			return nil, decodeError(name, b, start, s, reason)
		}
		out = append(out, 0xFFFD)
	}
	return out, nil
}
