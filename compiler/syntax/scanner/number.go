package scanner

import "github.com/rules-pyc/rules_pyc/compiler/syntax/token"

// Where decimalRest resumes a decimal literal.
const (
	afterInteger = iota // the integer part was read; c follows it
	atFraction          // c is the first character after the '.'
	atExponent          // c is the 'e' or 'E'
	atImaginary         // c is the 'j' or 'J'
)

// decimalTail reads the digits and single underscores that follow a
// digit and returns the first other character, or 0 after an error
// (tok_decimal_tail).
func (s *Scanner) decimalTail() int {
	var c int
	for {
		for {
			c = s.nextc()
			if !isDigit(c) {
				break
			}
		}
		if c != '_' {
			break
		}
		c = s.nextc()
		if !isDigit(c) {
			s.backup(c)
			s.syntaxError("invalid decimal literal")
			return 0
		}
	}
	return c
}

// lookahead reports whether the next characters are test followed by a
// character that cannot continue an identifier; it consumes nothing.
func (s *Scanner) lookahead(test string) bool {
	i := 0
	res := false
	for {
		c := s.nextc()
		if i == len(test) {
			res = !isPotentialIdentifierChar(c)
		} else if c == int(test[i]) {
			i++
			continue
		}
		s.backup(c)
		for i > 0 {
			i--
			s.backup(int(test[i]))
		}
		return res
	}
}

// verifyEndOfNumber checks the character c that follows a number literal
// of the given kind (verify_end_of_number): a keyword that may follow a
// number in valid code gets a SyntaxWarning, any other identifier
// character an error.
func (s *Scanner) verifyEndOfNumber(c int, kind string) bool {
	r := false
	switch c {
	case 'a':
		r = s.lookahead("nd")
	case 'e':
		r = s.lookahead("lse")
	case 'f':
		r = s.lookahead("or")
	case 'i':
		c2 := s.nextc()
		if c2 == 'f' || c2 == 'n' || c2 == 's' {
			r = true
		}
		s.backup(c2)
	case 'o':
		r = s.lookahead("r")
	case 'n':
		r = s.lookahead("ot")
	}
	if r {
		s.backup(c)
		if !s.warn("invalid " + kind + " literal") {
			return false
		}
		s.nextc()
	} else if c < 128 && isPotentialIdentifierChar(c) {
		s.backup(c)
		s.syntaxError("invalid %s literal", kind)
		return false
	}
	return true
}

// number scans a number literal whose first digit c was just read.
func (s *Scanner) number(t *token.Token, c int) token.Kind {
	if c != '0' {
		return s.decimalRest(t, s.decimalTail(), afterInteger)
	}
	c = s.nextc()
	switch c {
	case 'x', 'X':
		c = s.nextc()
		for {
			if c == '_' {
				c = s.nextc()
			}
			if !isXDigit(c) {
				s.backup(c)
				return s.make(t, s.syntaxError("invalid hexadecimal literal"), noPos, noPos)
			}
			for {
				c = s.nextc()
				if !isXDigit(c) {
					break
				}
			}
			if c != '_' {
				break
			}
		}
		if !s.verifyEndOfNumber(c, "hexadecimal") {
			return s.make(t, token.ERRORTOKEN, noPos, noPos)
		}
	case 'o', 'O':
		c = s.nextc()
		for {
			if c == '_' {
				c = s.nextc()
			}
			if c < '0' || c >= '8' {
				if isDigit(c) {
					return s.make(t, s.syntaxError("invalid digit '%c' in octal literal", c), noPos, noPos)
				}
				s.backup(c)
				return s.make(t, s.syntaxError("invalid octal literal"), noPos, noPos)
			}
			for {
				c = s.nextc()
				if c < '0' || c >= '8' {
					break
				}
			}
			if c != '_' {
				break
			}
		}
		if isDigit(c) {
			return s.make(t, s.syntaxError("invalid digit '%c' in octal literal", c), noPos, noPos)
		}
		if !s.verifyEndOfNumber(c, "octal") {
			return s.make(t, token.ERRORTOKEN, noPos, noPos)
		}
	case 'b', 'B':
		c = s.nextc()
		for {
			if c == '_' {
				c = s.nextc()
			}
			if c != '0' && c != '1' {
				if isDigit(c) {
					return s.make(t, s.syntaxError("invalid digit '%c' in binary literal", c), noPos, noPos)
				}
				s.backup(c)
				return s.make(t, s.syntaxError("invalid binary literal"), noPos, noPos)
			}
			for {
				c = s.nextc()
				if c != '0' && c != '1' {
					break
				}
			}
			if c != '_' {
				break
			}
		}
		if isDigit(c) {
			return s.make(t, s.syntaxError("invalid digit '%c' in binary literal", c), noPos, noPos)
		}
		if !s.verifyEndOfNumber(c, "binary") {
			return s.make(t, token.ERRORTOKEN, noPos, noPos)
		}
	default:
		// Zeros, then maybe an old-style octal (an error), a float or an
		// imaginary number.
		nonzero := false
		for {
			if c == '_' {
				c = s.nextc()
				if !isDigit(c) {
					s.backup(c)
					return s.make(t, s.syntaxError("invalid decimal literal"), noPos, noPos)
				}
			}
			if c != '0' {
				break
			}
			c = s.nextc()
		}
		zerosEnd := s.cur
		if isDigit(c) {
			nonzero = true
			if c = s.decimalTail(); c == 0 {
				return s.make(t, token.ERRORTOKEN, noPos, noPos)
			}
		}
		switch {
		case c == '.':
			return s.decimalRest(t, s.nextc(), atFraction)
		case c == 'e' || c == 'E':
			return s.decimalRest(t, c, atExponent)
		case c == 'j' || c == 'J':
			return s.decimalRest(t, c, atImaginary)
		case nonzero:
			s.backup(c)
			return s.make(t, s.syntaxErrorRange(s.start+1-s.lineStart, zerosEnd-s.lineStart,
				"leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers"), noPos, noPos)
		}
		if !s.verifyEndOfNumber(c, "decimal") {
			return s.make(t, token.ERRORTOKEN, noPos, noPos)
		}
	}
	s.backup(c)
	return s.makeSpan(t, token.NUMBER)
}

// decimalRest scans the rest of a decimal literal from the given point
// (c as described by the constants above); c == 0 reports an error of
// decimalTail.
func (s *Scanner) decimalRest(t *token.Token, c int, at int) token.Kind {
	if c == 0 {
		return s.make(t, token.ERRORTOKEN, noPos, noPos)
	}
	switch at {
	case afterInteger:
		if c == '.' {
			c = s.nextc()
			at = atFraction
		} else if c == 'e' || c == 'E' {
			at = atExponent
		}
	}
	if at == atFraction {
		if isDigit(c) {
			if c = s.decimalTail(); c == 0 {
				return s.make(t, token.ERRORTOKEN, noPos, noPos)
			}
		}
		if c == 'e' || c == 'E' {
			at = atExponent
		}
	}
	if at == atExponent {
		e := c
		c = s.nextc()
		if c == '+' || c == '-' {
			c = s.nextc()
			if !isDigit(c) {
				s.backup(c)
				return s.make(t, s.syntaxError("invalid decimal literal"), noPos, noPos)
			}
		} else if !isDigit(c) {
			s.backup(c)
			if !s.verifyEndOfNumber(e, "decimal") {
				return s.make(t, token.ERRORTOKEN, noPos, noPos)
			}
			s.backup(e)
			return s.makeSpan(t, token.NUMBER)
		}
		if c = s.decimalTail(); c == 0 {
			return s.make(t, token.ERRORTOKEN, noPos, noPos)
		}
	}
	if at == atImaginary || c == 'j' || c == 'J' {
		c = s.nextc()
		if !s.verifyEndOfNumber(c, "imaginary") {
			return s.make(t, token.ERRORTOKEN, noPos, noPos)
		}
	} else if !s.verifyEndOfNumber(c, "decimal") {
		return s.make(t, token.ERRORTOKEN, noPos, noPos)
	}
	s.backup(c)
	return s.makeSpan(t, token.NUMBER)
}
