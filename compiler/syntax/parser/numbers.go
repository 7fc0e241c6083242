package parser

import (
	"math/big"
	"strconv"
	"strings"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/ast"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
)

// maxStrDigits is Python's default limit on the number of decimal digits
// of an int converted from a string (sys.get_int_max_str_digits()), and
// strDigitsThreshold the size below which it is not checked.
const (
	maxStrDigits       = 4300
	strDigitsThreshold = 640
)

// numberToken matches a NUMBER token and returns its Constant
// (_PyPegen_number_token).
func (p *Parser) numberToken() ast.Expr {
	t := p.expect(token.NUMBER)
	if t == nil {
		return nil
	}
	x := p.exprOf(p.mark - 1)
	if j := *x; j != 0 {
		return p.nodeOf(j)
	}
	v, err := parseNumber(p.tokText(t))
	if err != "" {
		p.setErrorIndicator()
		// Without columns: the literal may be thousands of digits long.
		p.raiseErrorKnownLocation(syntaxerr.SyntaxError, int(t.Start.Line), -1, int(t.End.Line), -1,
			err+" - Consider hexadecimal for huge integer literals to avoid decimal conversion limits.")
		return nil
	}
	n := p.a.NewConstant()
	n.Value = v
	n.Loc = tokSpan(t)
	p.setExpr(x, n)
	return n
}

// parseNumber converts a NUMBER token to its value as CPython's parsenumber
// does. err is the ValueError message for a decimal literal beyond
// Python's digit limit.
func parseNumber(s string) (ast.Value, string) {
	s = strings.ReplaceAll(s, "_", "")
	if s[0] == '\r' || s[0] == '#' {
		return parseOddNumber(s)
	}
	last := s[len(s)-1]
	imag := last == 'j' || last == 'J'
	if isIntLiteral(s) {
		base, digits := 10, s
		if len(s) > 1 && s[0] == '0' {
			switch s[1] {
			case 'x', 'X':
				base, digits = 16, s[2:]
			case 'o', 'O':
				base, digits = 8, s[2:]
			case 'b', 'B':
				base, digits = 2, s[2:]
			}
		}
		if i, err := strconv.ParseInt(digits, base, 64); err == nil {
			return ast.IntValue(i), ""
		}
		if base == 10 && len(digits) > strDigitsThreshold && len(digits) > maxStrDigits {
			return ast.Value{}, "Exceeds the limit (" + strconv.Itoa(maxStrDigits) +
				" digits) for integer string conversion: value has " + strconv.Itoa(len(digits)) +
				" digits; use sys.set_int_max_str_digits() to increase the limit"
		}
		b, ok := new(big.Int).SetString(digits, base)
		if !ok {
			// Not a number the tokenizer makes; never reached.
			b = new(big.Int)
		}
		return ast.BigIntValue(b), ""
	}
	if imag {
		return ast.ComplexValue(0, parseFloat(s[:len(s)-1])), ""
	}
	return ast.FloatValue(parseFloat(s)), ""
}

// isIntLiteral reports whether a number (without underscores) is an int:
// it has no fraction, exponent or imaginary suffix.
func isIntLiteral(s string) bool {
	if len(s) > 1 && s[0] == '0' {
		switch s[1] {
		case 'x', 'X', 'o', 'O', 'b', 'B':
			return true
		}
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseFloat converts a decimal float literal, correctly rounded; a value
// too large is infinity, as with C's strtod.
func parseFloat(s string) float64 {
	if len(s) > maxFloatDigits {
		s = shortenDecimal(s)
	}
	// A syntax error cannot happen with the tokenizer's NUMBER tokens; a
	// value out of range is infinity or zero, as with strtod.
	f, _ := strconv.ParseFloat(s, 64)
	return f
}

// maxFloatDigits is how many significant digits shortenDecimal keeps: more
// than the 767 a double's rounding can depend on, fewer than the 800
// strconv.ParseFloat holds exactly. Beyond 800 digits before the decimal
// point (or the exponent) strconv.ParseFloat misplaces the point, so a
// longer literal, such as 4300 nines followed by e-4300, must be shortened
// first.
const maxFloatDigits = 780

// shortenDecimal rewrites a decimal float literal (digits, an optional
// point and fraction, an optional exponent; no underscores) as at most
// maxFloatDigits+1 digits and an exponent with the same correctly rounded
// double: the digits past maxFloatDigits are dropped, and a final 1 stands
// for any of them that is not zero (so that a value just above a halfway
// point between two doubles stays above it).
func shortenDecimal(s string) string {
	mant, exp := s, int64(0)
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant = s[:i]
		e := s[i+1:]
		neg := false
		if e != "" && (e[0] == '+' || e[0] == '-') {
			neg = e[0] == '-'
			e = e[1:]
		}
		for j := 0; j < len(e); j++ {
			// Saturated: far beyond any double, yet no overflow when a
			// literal's digit count is added.
			if exp < 1<<40 {
				exp = exp*10 + int64(e[j]-'0')
			}
		}
		if neg {
			exp = -exp
		}
	}
	// The value is digits×10^exp: each digit of the fraction lowers exp,
	// each digit dropped raises it.
	digits := make([]byte, 0, maxFloatDigits+1)
	sticky, fraction := false, false
	for j := 0; j < len(mant); j++ {
		c := mant[j]
		if c == '.' {
			fraction = true
			continue
		}
		if fraction {
			exp--
		}
		switch {
		case c == '0' && len(digits) == 0:
			// A leading zero.
		case len(digits) < maxFloatDigits:
			digits = append(digits, c)
		default:
			exp++
			sticky = sticky || c != '0'
		}
	}
	if len(digits) == 0 {
		return "0"
	}
	if sticky {
		digits = append(digits, '1')
		exp--
	}
	return string(digits) + "e" + strconv.FormatInt(exp, 10)
}

// parseOddNumber is parsenumber_raw for a NUMBER token whose text does not
// start with the number: CPython 3.13.0 to 3.13.5 leave a lone carriage
// return in a codec's output untranslated, and the tokenizer skips it
// (after a comment, the comment too) as part of the next token. PyOS_strtol
// skips the leading white space of such a text, so "\r12" is still the int
// 12; any other form goes to PyOS_string_to_double, which accepts no
// leading white space (nor a comment), and the ValueError it raises becomes
// the SyntaxError.
func parseOddNumber(s string) (ast.Value, string) {
	if s[0] == '\r' && isIntLiteral(s[1:]) {
		return parseNumber(s[1:])
	}
	// '%.200s': at most 200 bytes, decoded as UTF-8 with replacement.
	cut := s
	if len(cut) > 200 {
		cut = cut[:200]
	}
	return ast.Value{}, "could not convert string to float: '" + strings.ToValidUTF8(cut, "\uFFFD") + "'"
}
