package astdump

import (
	"fmt"
	"math"
	"math/big"
	"strconv"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
)

// MaxStrDigits is Python's default limit on the digits of an int converted
// to decimal (sys.get_int_max_str_digits()): repr() of a longer int raises
// ValueError.
const MaxStrDigits = 4300

// IntTooLongError is the ValueError that repr() of an int with more than
// MaxStrDigits decimal digits raises, so that ast.dump of a tree holding one
// fails. Such an int comes from a long hexadecimal, octal or binary literal:
// a decimal literal that long is a SyntaxError already in the parser.
type IntTooLongError struct{}

func (*IntTooLongError) Error() string {
	return fmt.Sprintf("Exceeds the limit (%d digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit", MaxStrDigits)
}

// reprer writes Python's repr() of constants.
type reprer struct {
	// printable is str.isprintable() of one character, in the Unicode
	// version of the target release.
	printable func(rune) bool
}

// appendValue appends repr(v).
func (r *reprer) appendValue(b []byte, v *ast.Value) ([]byte, error) {
	switch v.Kind() {
	case ast.NoneKind:
		return append(b, "None"...), nil
	case ast.BoolKind:
		if v.Bool() {
			return append(b, "True"...), nil
		}
		return append(b, "False"...), nil
	case ast.EllipsisKind:
		return append(b, "Ellipsis"...), nil
	case ast.IntKind:
		if i, ok := v.Int64(); ok {
			return strconv.AppendInt(b, i, 10), nil
		}
		return appendBigInt(b, v.BigInt())
	case ast.FloatKind:
		return appendFloat(b, v.Float(), true, false), nil
	case ast.ComplexKind:
		re, im := v.Complex()
		return appendComplex(b, re, im), nil
	case ast.StrKind:
		return r.appendStr(b, v.Str()), nil
	case ast.BytesKind:
		return appendBytes(b, v.Bytes()), nil
	case ast.TupleKind:
		b = append(b, '(')
		elems := v.Elems()
		for i := range elems {
			if i > 0 {
				b = append(b, ", "...)
			}
			var err error
			if b, err = r.appendValue(b, &elems[i]); err != nil {
				return b, err
			}
		}
		if len(elems) == 1 {
			b = append(b, ',')
		}
		return append(b, ')'), nil
	case ast.FrozenSetKind:
		// Python writes a frozenset's elements in hash-table order; the
		// Value keeps the order it was built in. A frozenset constant only
		// comes from constant folding, never from the parser.
		elems := v.Elems()
		if len(elems) == 0 {
			return append(b, "frozenset()"...), nil
		}
		b = append(b, "frozenset({"...)
		for i := range elems {
			if i > 0 {
				b = append(b, ", "...)
			}
			var err error
			if b, err = r.appendValue(b, &elems[i]); err != nil {
				return b, err
			}
		}
		return append(b, "})"...), nil
	}
	return append(b, "<invalid constant>"...), nil
}

// appendBigInt appends an int's decimal digits, or fails as Python does
// for more than MaxStrDigits digits.
func appendBigInt(b []byte, x *big.Int) ([]byte, error) {
	// A number of n bits has at least floor((n-1)*log10(2))+1 digits: above
	// this many bits the answer is known without converting.
	if x.BitLen() > int(MaxStrDigits/math.Log10(2))+2 {
		return b, &IntTooLongError{}
	}
	start := len(b)
	b = x.Append(b, 10)
	digits := len(b) - start
	if x.Sign() < 0 {
		digits--
	}
	if digits > MaxStrDigits {
		return b[:start], &IntTooLongError{}
	}
	return b, nil
}

// appendFloat appends Python's repr() of f (format 'r'): the shortest
// digits that read back as f, in positional notation when the decimal
// exponent is in [-4, 16), else in exponent notation with at least two
// exponent digits. dot0 adds ".0" to an integral positional result (float
// repr does; complex repr does not). sign writes '+' before a number that
// is not negative.
func appendFloat(b []byte, f float64, dot0, sign bool) []byte {
	switch {
	case math.IsNaN(f):
		if sign {
			b = append(b, '+')
		}
		return append(b, "nan"...)
	case math.IsInf(f, 0):
		if f < 0 {
			return append(b, "-inf"...)
		}
		if sign {
			b = append(b, '+')
		}
		return append(b, "inf"...)
	}
	if math.Signbit(f) {
		b = append(b, '-')
		f = -f
	} else if sign {
		b = append(b, '+')
	}
	if f == 0 {
		if dot0 {
			return append(b, "0.0"...)
		}
		return append(b, '0')
	}
	// Shortest round-trip digits d1 d2 ... dn and exponent e:
	// f = d1.d2...dn * 10^e.
	var tmp [32]byte
	e := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64)
	var digits [24]byte
	nd := 0
	i := 0
	for ; i < len(e) && e[i] != 'e'; i++ {
		if e[i] != '.' {
			digits[nd] = e[i]
			nd++
		}
	}
	exp, _ := strconv.Atoi(string(e[i+1:]))
	decpt := exp + 1 // f = 0.d1d2...dn * 10^decpt
	if decpt <= -4 || decpt > 16 {
		b = append(b, digits[0])
		if nd > 1 {
			b = append(b, '.')
			b = append(b, digits[1:nd]...)
		}
		b = append(b, 'e')
		if exp < 0 {
			b = append(b, '-')
			exp = -exp
		} else {
			b = append(b, '+')
		}
		if exp < 10 {
			b = append(b, '0')
		}
		return strconv.AppendInt(b, int64(exp), 10)
	}
	switch {
	case decpt <= 0:
		b = append(b, "0."...)
		for j := decpt; j < 0; j++ {
			b = append(b, '0')
		}
		b = append(b, digits[:nd]...)
	case decpt < nd:
		b = append(b, digits[:decpt]...)
		b = append(b, '.')
		b = append(b, digits[decpt:nd]...)
	default:
		b = append(b, digits[:nd]...)
		for j := nd; j < decpt; j++ {
			b = append(b, '0')
		}
		if dot0 {
			b = append(b, ".0"...)
		}
	}
	return b
}

// appendComplex appends Python's repr() of re+im*j: "imj" when the real
// part is +0.0, else "(re±imj)".
func appendComplex(b []byte, re, im float64) []byte {
	if re == 0 && !math.Signbit(re) {
		b = appendFloat(b, im, false, false)
		return append(b, 'j')
	}
	b = append(b, '(')
	b = appendFloat(b, re, false, false)
	b = appendFloat(b, im, false, true)
	return append(b, "j)"...)
}

const hexDigits = "0123456789abcdef"

// appendStr appends Python's repr() of the str whose code points s encodes
// (see ast.Value).
func (r *reprer) appendStr(b []byte, s string) []byte {
	quote := quoteFor(s)
	b = append(b, quote)
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			i++
			switch {
			case c == quote || c == '\\':
				b = append(b, '\\', c)
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c < ' ' || c == 0x7f:
				b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
			default:
				b = append(b, c)
			}
			continue
		}
		cp, size := ast.DecodeCodePoint(s[i:])
		if size == 1 {
			// Not an encoded code point: the invariant of ast.Value is
			// broken. Show the byte rather than fail.
			b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
			i++
			continue
		}
		switch {
		case r.printable(cp):
			b = append(b, s[i:i+size]...)
		case cp <= 0xff:
			b = append(b, '\\', 'x', hexDigits[cp>>4], hexDigits[cp&15])
		case cp <= 0xffff:
			b = append(b, '\\', 'u')
			b = appendHex(b, uint32(cp), 4)
		default:
			b = append(b, '\\', 'U')
			b = appendHex(b, uint32(cp), 8)
		}
		i += size
	}
	return append(b, quote)
}

// quoteFor returns the quote repr() puts around s: ' unless s holds a '
// and no ".
func quoteFor(s string) byte {
	single, double := false, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\'':
			single = true
		case '"':
			double = true
		}
	}
	if single && !double {
		return '"'
	}
	return '\''
}

func appendHex(b []byte, x uint32, n int) []byte {
	for shift := 4 * (n - 1); shift >= 0; shift -= 4 {
		b = append(b, hexDigits[(x>>uint(shift))&15])
	}
	return b
}

// appendBytes appends Python's repr() of a bytes value.
func appendBytes(b []byte, s string) []byte {
	quote := quoteFor(s)
	b = append(b, 'b', quote)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == quote || c == '\\':
			b = append(b, '\\', c)
		case c == '\t':
			b = append(b, '\\', 't')
		case c == '\n':
			b = append(b, '\\', 'n')
		case c == '\r':
			b = append(b, '\\', 'r')
		case c < ' ' || c >= 0x7f:
			b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
		default:
			b = append(b, c)
		}
	}
	return append(b, quote)
}
