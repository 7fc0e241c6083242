package source

// The UTF-16 and UTF-32 decoders, as CPython's PyUnicode_DecodeUTF16Stateful
// and PyUnicode_DecodeUTF32Stateful decode a whole buffer (final): a byte
// order mark is looked for only when the byte order is not given (bo 0), and
// the exception names the byte order in use ("utf-16-le" for the native
// order of a little-endian machine, which is what the interpreters this
// package imitates run on).

// decodeUTF16 decodes b as UTF-16 in byte order bo (-1 little-endian, 1
// big-endian, 0 from a BOM, else little-endian).
func decodeUTF16(b []byte, bo int, replace bool, out []rune) ([]rune, error) {
	q, n := 0, len(b)
	if bo == 0 && n >= 2 {
		switch uint16(b[1])<<8 | uint16(b[0]) {
		case 0xFEFF:
			q, bo = 2, -1
		case 0xFFFE:
			q, bo = 2, 1
		}
	}
	name := "utf-16-le"
	if bo > 0 {
		name = "utf-16-be"
	}
	unit := func(i int) rune {
		if bo > 0 {
			return rune(b[i])<<8 | rune(b[i+1])
		}
		return rune(b[i+1])<<8 | rune(b[i])
	}
	for q < n {
		var start, end int
		var reason string
		switch {
		case n-q < 2:
			start, end, reason = q, n, "truncated data"
		default:
			u := unit(q)
			switch {
			case u < 0xD800 || u > 0xDFFF:
				out = append(out, u)
				q += 2
				continue
			case u >= 0xDC00:
				start, end, reason = q, q+2, "illegal encoding"
			case n-q-2 < 2:
				start, end, reason = q, n, "unexpected end of data"
			default:
				u2 := unit(q + 2)
				if u2 >= 0xDC00 && u2 <= 0xDFFF {
					out = append(out, 0x10000+(u-0xD800)<<10+(u2-0xDC00))
					q += 4
					continue
				}
				start, end, reason = q, q+2, "illegal UTF-16 surrogate"
			}
		}
		if !replace {
			return nil, decodeError(name, b, start, end, reason)
		}
		out = append(out, 0xFFFD)
		q = end
	}
	return out, nil
}

// decodeUTF32 decodes b as UTF-32 in byte order bo (as decodeUTF16's).
func decodeUTF32(b []byte, bo int, replace bool, out []rune) ([]rune, error) {
	q, n := 0, len(b)
	if bo == 0 && n >= 4 {
		switch uint32(b[3])<<24 | uint32(b[2])<<16 | uint32(b[1])<<8 | uint32(b[0]) {
		case 0x0000FEFF:
			q, bo = 4, -1
		case 0xFFFE0000:
			q, bo = 4, 1
		}
	}
	name := "utf-32-le"
	if bo > 0 {
		name = "utf-32-be"
	}
	for q < n {
		var start, end int
		var reason string
		if n-q < 4 {
			start, end, reason = q, n, "truncated data"
		} else {
			var u uint32
			if bo > 0 {
				u = uint32(b[q])<<24 | uint32(b[q+1])<<16 | uint32(b[q+2])<<8 | uint32(b[q+3])
			} else {
				u = uint32(b[q+3])<<24 | uint32(b[q+2])<<16 | uint32(b[q+1])<<8 | uint32(b[q])
			}
			switch {
			case u >= 0xD800 && u <= 0xDFFF:
				start, end, reason = q, q+4, "code point in surrogate code point range(0xd800, 0xe000)"
			case u >= 0x110000:
				start, end, reason = q, q+4, "code point not in range(0x110000)"
			default:
				out = append(out, rune(u))
				q += 4
				continue
			}
		}
		if !replace {
			return nil, decodeError(name, b, start, end, reason)
		}
		out = append(out, 0xFFFD)
		q = end
	}
	return out, nil
}

// decodeUTF7 decodes b as CPython's UTF-7 decoder (PyUnicode_DecodeUTF7Stateful,
// final): direct characters are ASCII but '+'; "+-" is '+'; '+' opens a
// shift sequence of modified base 64 holding UTF-16 code units, closed by
// any other character ('-' is absorbed). A high surrogate not followed by
// a low one is kept alone.
func decodeUTF7(b []byte, replace bool, out []rune) ([]rune, error) {
	const name = "utf7"
	inShift := false
	var bits uint
	var buf uint64
	var surrogate rune
	start := 0
	s := 0
	for s < len(b) {
		ch := b[s]
		var reason string
		switch {
		case inShift && isBase64(ch):
			buf = buf<<6 | uint64(fromBase64(ch))
			bits += 6
			s++
			if bits >= 16 {
				u := rune(buf >> (bits - 16))
				bits -= 16
				buf &= 1<<bits - 1
				if surrogate != 0 {
					if u >= 0xDC00 && u <= 0xDFFF {
						out = append(out, 0x10000+(surrogate-0xD800)<<10+(u-0xDC00))
						surrogate = 0
						continue
					}
					out = append(out, surrogate)
					surrogate = 0
				}
				if u >= 0xD800 && u <= 0xDBFF {
					surrogate = u
				} else {
					out = append(out, u)
				}
			}
			continue
		case inShift:
			inShift = false
			if bits > 0 {
				if bits >= 6 {
					s++
					reason = "partial character in shift sequence"
					break
				}
				if buf != 0 {
					s++
					reason = "non-zero padding bits in shift sequence"
					break
				}
			}
			if surrogate != 0 && ch < 0x80 && ch != '+' {
				out = append(out, surrogate)
			}
			surrogate = 0
			if ch == '-' {
				s++
			}
			continue
		case ch == '+':
			start = s
			s++
			if s < len(b) && b[s] == '-' {
				s++
				out = append(out, '+')
				continue
			}
			if s < len(b) && !isBase64(b[s]) {
				s++
				reason = "ill-formed sequence"
				break
			}
			inShift = true
			surrogate = 0
			bits, buf = 0, 0
			continue
		case ch < 0x80:
			s++
			out = append(out, rune(ch))
			continue
		default:
			start = s
			s++
			reason = "unexpected special character"
		}
		if !replace {
			return nil, decodeError(name, b, start, s, reason)
		}
		out = append(out, 0xFFFD)
	}
	if inShift && (surrogate != 0 || bits >= 6 || bits > 0 && buf != 0) {
		if !replace {
			return nil, decodeError(name, b, start, len(b), "unterminated shift sequence")
		}
		out = append(out, 0xFFFD)
	}
	return out, nil
}

func isBase64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

func fromBase64(c byte) byte {
	switch {
	case c >= 'A' && c <= 'Z':
		return c - 'A'
	case c >= 'a' && c <= 'z':
		return c - 'a' + 26
	case c >= '0' && c <= '9':
		return c - '0' + 52
	case c == '+':
		return 62
	}
	return 63
}
