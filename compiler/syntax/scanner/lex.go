package scanner

import (
	"strings"
	"unsafe"

	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
)

func isPotentialIdentifierStart(c int) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 128
}

func isPotentialIdentifierChar(c int) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 128
}

func isDigit(c int) bool { return c >= '0' && c <= '9' }

// stringPrefixChar marks the letters a string prefix is made of.
var stringPrefixChar = func() (t [128]bool) {
	for _, c := range "bBrRuUfF" {
		t[c] = true
	}
	return t
}()

// identStart marks the ASCII bytes that may start an identifier.
var identStart = func() (t [128]bool) {
	for c := 0; c < 128; c++ {
		t[c] = isPotentialIdentifierStart(c)
	}
	return
}()

// opDirect marks the ASCII bytes that normal hands to operator once it
// knows they start no name: all but a line end, a period, a digit, a
// quote and a backslash.
var opDirect = func() (t [128]bool) {
	for c := 0; c < 128; c++ {
		t[c] = !isPotentialIdentifierStart(c) && !isDigit(c) && !strings.ContainsRune("\r\n.\"'\\", rune(c))
	}
	return
}()

// identChar marks the ASCII bytes that may continue an identifier.
var identChar = func() (t [128]bool) {
	for c := 0; c < 128; c++ {
		t[c] = isPotentialIdentifierChar(c)
	}
	return
}()

// identClass classifies the bytes that may continue an identifier: 0 for
// none, identASCII for an ASCII letter, digit or '_', identNonASCII for
// any byte of a non-ASCII character (checked once the name is read).
var identClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 128:
			t[c] = identNonASCII
		case identChar[c]:
			t[c] = identASCII
		}
	}
	return
}()

const (
	identASCII    = 1
	identNonASCII = 2
)

func isXDigit(c int) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// continuationLine reads what follows a backslash: it must be a newline,
// and the input must go on after it (tok_continuation_line). It returns
// the next character (not consumed) or -1 with the code set.
func (s *Scanner) continuationLine() int {
	c := s.nextc()
	if c == '\r' {
		c = s.nextc()
	}
	if c != '\n' {
		s.done = LineCont
		return -1
	}
	c = s.nextc()
	if c == eof {
		s.done = EOF
		s.cur = s.inp
		return -1
	}
	s.backup(c)
	return c
}

// quickClass sorts the first byte of a token for regular: quickName for
// an ASCII letter or '_' that starts no string prefix, quickPrefix for
// one that may (bBrRuUfF), quickOp for a byte normal hands to operator
// at once (opDirect, but for '#' and the blanks), the classes named after
// the bytes they hold, 0 for the rest.
var quickClass = func() (t [256]uint8) {
	for c := 0; c < 128; c++ {
		switch {
		case identStart[c] && stringPrefixChar[c]:
			t[c] = quickPrefix
		case identStart[c]:
			t[c] = quickName
		case opDirect[c] && c != '#' && c != ' ' && c != '\t' && c != '\f':
			t[c] = quickOp
		}
	}
	t['\n'] = quickNewline
	t['#'] = quickComment
	for c := '0'; c <= '9'; c++ {
		t[c] = quickDigit
	}
	t['.'] = quickDot
	t['"'] = quickQuote
	t['\''] = quickQuote
	return
}()

const (
	quickName = 1 + iota
	quickPrefix
	quickOp
	quickNewline
	quickDot
	quickQuote
	quickComment
	quickDigit
)

// regular scans a token in the regular mode, the current one
// (modes[modeIdx], which the callees that need it are given: most tokens
// do not). The most common tokens in the middle of a line (a name of ASCII
// bytes, a comma, a round or square bracket, a period, a NEWLINE, with or
// without a comment before it) are made here with the position in local
// variables, and the other operators, the numbers and the strings without
// a prefix are handed to operator, number and stringLiteral from here; the
// start of a line and the indents and dedents pending go to atLineStart.
// For the rest (a name that goes on with a non-ASCII byte or is a
// string's prefix, the end of the lines read, a byte of no token) normal
// scans the token from the start, since nothing has been changed yet. For
// the tokens made here normal would do exactly this: skip the blanks
// (within the line read, which ends with its newline or the text), set
// the start, and read the token or hand its first byte on.
func (s *Scanner) regular(t *token.Token) token.Kind {
	if s.atbol || s.pendin != 0 {
		return s.atLineStart(t)
	}
	r, i := s.read, s.cur
	if i >= len(r) {
		return s.normal(t, &s.modes[s.modeIdx])
	}
	c := r[i]
	// The lines read end with a newline (source.Text does, and underflow
	// reads up to one): it stops the loops over the blanks and over a
	// name's bytes below, which therefore test no length but the bounds
	// check's (one comparison a byte fewer, measured).
	// Most tokens start past ' ': one comparison for them.
	for c <= ' ' && (c == ' ' || c == '\t' || c == '\f') {
		i++
		c = r[i]
	}
	switch quickClass[c] {
	case quickName, quickPrefix:
		// The newline that follows the text in memory (Scanner.text)
		// stops the loop, so it reads no byte past it: without the
		// bounds check, 6 instructions a byte instead of 8.
		j := i + 1
		base := unsafe.Pointer(unsafe.SliceData(r))
		for identClass[*(*byte)(unsafe.Add(base, j))] == identASCII {
			j++
		}
		if b := r[j]; b >= 128 || (b == '"' || b == '\'') && quickClass[c] == quickPrefix {
			return s.normal(t, &s.modes[s.modeIdx])
		}
		t.ASCII = true
		if s.keywords && token.MayBeKeyword(c, j-i) {
			return s.span(t, token.KeywordAfterTest(r[i:j]), i, j)
		}
		return s.span(t, token.NAME, i, j)
	case quickOp:
		if s.modeIdx == 0 && i+1 < len(r) {
			// What operator does for a comma, the brackets and the
			// operators whose only longer forms add a '=' outside
			// f-strings, when the next byte is read (no two-character
			// operator starts with a comma or a bracket). Outside
			// f-strings operator's other work is not done for these:
			// the f-string checks need modeIdx > 0, and the debug mark
			// that a '=' may set on the current mode is read only in an
			// f-string's own mode.
			switch c {
			case ',':
				return s.span(t, token.COMMA, i, i+1)
			case '(', '[', '{':
				if s.level < MaxLevel {
					s.parenstack[s.level] = c
					s.parenlinenostack[s.level] = s.lineno
					s.parencolstack[s.level] = i - s.lineStart
					s.level++
					return s.span(t, oneCharKinds[c], i, i+1)
				}
			case ')', ']', '}':
				// ']' and '}' are two past their opening brackets.
				opening := c - 2
				if c == ')' {
					opening = '('
				}
				if s.level > 0 && s.parenstack[s.level-1] == opening {
					s.level--
					return s.span(t, oneCharKinds[c], i, i+1)
				}
			default:
				if opEqualOnly[c] && r[i+1] != '=' {
					return s.span(t, oneCharKinds[c], i, i+1)
				}
			}
		}
		s.start, s.startCol, s.cur = i, i-s.lineStart, i+1
		return s.operator(t, &s.modes[s.modeIdx], int(c))
	case quickComment:
		// A comment runs to the newline that ends the lines read (when
		// there is one and no '\r' can end it first); then the NEWLINE,
		// which starts at the '#' as normal makes it.
		if !s.noCR || r[len(r)-1] != '\n' {
			break
		}
		j := len(r) - 1
		if s.level == 0 {
			return s.newline(t, i, j)
		}
		s.cur, s.startCol = j+1, i-s.lineStart
		s.atbol = true
		return s.atLineStart(t)
	case quickNewline:
		// Not a blank line (not at its start), so a NEWLINE outside
		// brackets; inside them the next line goes on.
		if s.level == 0 {
			return s.newline(t, i, i)
		}
		s.cur, s.startCol = i+1, i-s.lineStart
		s.atbol = true
		return s.atLineStart(t)
	case quickDot:
		// A period not followed by a digit or another period (reading
		// the next byte of the line and backing up changes nothing).
		if j := i + 1; j < len(r) && r[j] != '.' && !isDigit(int(r[j])) {
			return s.span(t, token.DOT, i, j)
		}
	case quickQuote:
		s.start, s.startCol, s.cur = i, i-s.lineStart, i+1
		return s.stringLiteral(t, int(c))
	case quickDigit:
		s.start, s.startCol, s.cur = i, i-s.lineStart, i+1
		return s.number(t, int(c))
	}
	return s.normal(t, &s.modes[s.modeIdx])
}

// newline makes the NEWLINE token that ends a logical line at the newline
// at offset nl, starting at offset start (the newline's, or a comment's
// before it).
func (s *Scanner) newline(t *token.Token, start, nl int) token.Kind {
	s.atbol = true
	s.contLine = false
	s.span(t, token.NEWLINE, start, nl+1)
	t.EndOff = int32(nl) // no text
	return token.NEWLINE
}

// atLineStart scans the token at the start of a line, or one pending there
// (an INDENT or DEDENT): the pending one as normal makes it, else the
// line's first token with regular once startLine has read a plain start
// of the line, else normal.
func (s *Scanner) atLineStart(t *token.Token) token.Kind {
	if s.atbol && !s.startLine() {
		return s.normal(t, &s.modes[s.modeIdx])
	}
	if s.pendin != 0 {
		s.setStart(s.cur)
		if s.pendin < 0 {
			s.pendin++
			return s.makeNoSpan(t, token.DEDENT)
		}
		s.pendin--
		return s.makeNoSpan(t, token.INDENT)
	}
	return s.regular(t)
}

// startLine reads the start of the next line when the scanner is at the
// start of a line (atbol) with nothing pending and the current line used
// up, as normal would, for the plain case: it skips blank lines (comments
// only when no '\r' is in the text) and reads an indentation of spaces
// (which sets the indents or dedents pending outside brackets), leaving
// the scanner at the line's first token. It reports whether it did; else
// normal reads the line, from its start, with the state it would have had
// (the lines read so far as normal reads them, start unset, startCol that
// of the last blank line's first byte).
func (s *Scanner) startLine() bool {
	if s.pendin != 0 || s.cur != s.inp || s.done != OK {
		return false
	}
	for {
		s.start = noPos
		if !s.underflow() {
			return false // the end of the input, for normal
		}
		// The line read ends with a newline (see regular), which stops
		// the loop over the spaces.
		r, i := s.read, s.cur
		i += spaceRun(r[i:])
		for r[i] == ' ' {
			i++
		}
		switch r[i] {
		case '\n':
			s.cur, s.startCol = i+1, i-s.lineStart
			continue
		case '#':
			if !s.noCR || r[len(r)-1] != '\n' {
				return false
			}
			s.cur, s.startCol = len(r), i-s.lineStart
			continue
		case '\t', '\f', '\\', '\r':
			return false
		}
		if s.level == 0 && !s.indentTo(i-s.cur) {
			return false
		}
		s.cur = i
		s.atbol = false
		return true
	}
}

// indentTo sets the indentation stack for a line indented by col spaces
// outside brackets, with nothing pending, as normal does: it pushes an
// indent or pops the dedents, which it leaves pending. It reports whether
// it did; it changes nothing where normal reports an error.
func (s *Scanner) indentTo(col int) bool {
	top := s.indstack[s.indent]
	switch {
	case col == top:
		return col == s.altindstack[s.indent]
	case col > top:
		if s.indent+1 >= MaxIndent || col <= s.altindstack[s.indent] {
			return false
		}
		s.pendin = 1
		s.indent++
		s.indstack[s.indent], s.altindstack[s.indent] = col, col
		return true
	}
	k := s.indent
	for k > 0 && col < s.indstack[k] {
		k--
	}
	if col != s.indstack[k] || col != s.altindstack[k] {
		return false
	}
	s.pendin = k - s.indent
	s.indent = k
	return true
}

// normal scans a token in the regular mode (tok_get_normal_mode); cur is
// the mode the token is read in.
func (s *Scanner) normal(t *token.Token, cur *mode) token.Kind {
nextline:
	s.start = noPos
	blankline := false

	// Indentation at the start of a line.
	if s.atbol {
		col, altcol, contLineCol := 0, 0, 0
		s.atbol = false
		var c int
		for {
			if i := s.cur; i < len(s.read) { // nextc, inlined
				s.cur = i + 1
				c = int(s.read[i])
			} else {
				c = s.nextcSlow()
			}
			if c == ' ' {
				r, i := s.read, s.cur
				for i < len(r) && r[i] == ' ' {
					i++
				}
				n := 1 + i - s.cur
				s.cur = i
				col += n
				altcol += n
			} else if c == '\t' {
				col = (col/tabSize + 1) * tabSize
				altcol++
			} else if c == '\f' {
				col, altcol = 0, 0
			} else if c == '\\' {
				// Indentation cannot be split over lines: the first
				// backslash fixes it.
				if contLineCol == 0 {
					contLineCol = col
				}
				if c = s.continuationLine(); c == -1 {
					return s.make(t, token.ERRORTOKEN, noPos, noPos)
				}
			} else {
				break
			}
		}
		s.backup(c)
		if c == '#' || c == '\n' || c == '\r' {
			blankline = true
		}
		if !blankline && s.level == 0 {
			if contLineCol != 0 {
				col, altcol = contLineCol, contLineCol
			}
			switch {
			case col == s.indstack[s.indent]:
				if altcol != s.altindstack[s.indent] {
					return s.make(t, s.indentError(), noPos, noPos)
				}
			case col > s.indstack[s.indent]:
				if s.indent+1 >= MaxIndent {
					s.done = TooDeep
					s.cur = s.inp
					return s.make(t, token.ERRORTOKEN, noPos, noPos)
				}
				if altcol <= s.altindstack[s.indent] {
					return s.make(t, s.indentError(), noPos, noPos)
				}
				s.pendin++
				s.indent++
				s.indstack[s.indent] = col
				s.altindstack[s.indent] = altcol
			default:
				for s.indent > 0 && col < s.indstack[s.indent] {
					s.pendin--
					s.indent--
				}
				if col != s.indstack[s.indent] {
					s.done = Dedent
					s.cur = s.inp
					return s.make(t, token.ERRORTOKEN, noPos, noPos)
				}
				if altcol != s.altindstack[s.indent] {
					return s.make(t, s.indentError(), noPos, noPos)
				}
			}
		}
	}

	s.setStart(s.cur)

	// Pending indents and dedents.
	if s.pendin != 0 {
		if s.pendin < 0 {
			s.pendin++
			return s.make(t, token.DEDENT, noPos, noPos)
		}
		s.pendin--
		return s.make(t, token.INDENT, noPos, noPos)
	}

	// Peek at the next character: this reads the next line when the
	// current one is used up (reading and backing up within a line changes
	// nothing).
	if s.cur >= s.inp {
		s.backup(s.nextcSlow())
	}

again:
	s.start = noPos
	var c int
	for {
		if i := s.cur; i < len(s.read) { // nextc, inlined
			s.cur = i + 1
			c = int(s.read[i])
		} else {
			c = s.nextcSlow()
		}
		// Most tokens start past ' ': one comparison for them.
		if c > ' ' || c != ' ' && c != '\t' && c != '\f' {
			break
		}
	}
	s.setStart(s.cur - 1)

	// A comment runs to the end of the line (the newline, or a carriage
	// return, is read).
	if c == '#' {
		i := s.cur
		if s.noCR {
			// The lines read end at s.inp, after the only '\n' at or
			// past s.cur, if any (underflow reads one line at a time).
			i = s.inp
			if i > s.cur && s.text[i-1] == '\n' {
				i--
			}
		} else {
			for i < s.inp && s.text[i] != '\n' && s.text[i] != '\r' {
				i++
			}
		}
		s.cur = i
		c = s.nextc()
	}

	if c == eof {
		if s.level != 0 {
			return s.make(t, token.ERRORTOKEN, noPos, noPos)
		}
		if s.done == EOF {
			return s.make(t, token.ENDMARKER, noPos, noPos)
		}
		return s.make(t, token.ERRORTOKEN, noPos, noPos)
	}

	// Identifiers and string prefixes.
	if uint(c) >= 128 || identStart[uint(c)] { // isPotentialIdentifierStart
		var sawB, sawR, sawU, sawF bool
		if !stringPrefixChar[c&127] || c >= 128 {
			goto name
		}
		for {
			switch {
			case !(sawB || sawU || sawF) && (c == 'b' || c == 'B'):
				sawB = true
			case !(sawB || sawU || sawR || sawF) && (c == 'u' || c == 'U'):
				// u"" is for backward compatibility only: no other prefix
				// combines with it.
				sawU = true
			case !(sawR || sawU) && (c == 'r' || c == 'R'):
				sawR = true
			case !(sawF || sawB || sawU) && (c == 'f' || c == 'F'):
				sawF = true
			default:
				goto name
			}
			c = s.nextc()
			if c == '"' || c == '\'' {
				if sawF {
					return s.fstringStart(t, c)
				}
				return s.stringLiteral(t, c)
			}
		}
	name:
		// The rest of the name. A line always ends with a newline, so the
		// name ends within the current line: scanning the buffer directly
		// is what reading one byte at a time and backing up does (over
		// the rest of the buffer, indexed from 0: no bounds check a byte).
		var class uint8
		if c >= 128 {
			class = identNonASCII
		}
		s.backup(c)
		r := s.read[s.cur:]
		j := 0
		for j < len(r) && identClass[r[j]] == identASCII {
			j++
		}
		if j < len(r) && identClass[r[j]] == identNonASCII {
			// The rare name with a non-ASCII character: its rest, any
			// byte of a name.
			class = identNonASCII
			for j < len(r) && identClass[r[j]] != 0 {
				j++
			}
		}
		s.cur += j
		nonASCII := class&identNonASCII != 0
		if nonASCII && !s.verifyIdentifier() {
			return s.make(t, token.ERRORTOKEN, noPos, noPos)
		}
		t.ASCII = !nonASCII
		if s.keywords && token.MayBeKeyword(s.read[s.start], s.cur-s.start) {
			return s.makeSpan(t, token.KeywordAfterTest(s.read[s.start:s.cur]))
		}
		return s.makeSpan(t, token.NAME)
	}

	// Every other ASCII byte but these few is an operator's (or an
	// invalid character's): one look-up for them instead of the
	// comparisons below, which they all fail.
	if opDirect[c&127] {
		return s.operator(t, cur, c)
	}

	if c == '\r' {
		c = s.nextc()
	}

	// Newline.
	if c == '\n' {
		s.atbol = true
		if blankline || s.level > 0 {
			goto nextline
		}
		s.contLine = false
		return s.make(t, token.NEWLINE, s.start, s.cur-1)
	}

	// A period, an ellipsis, or a number starting with a period.
	if c == '.' {
		c = s.nextc()
		if isDigit(c) {
			return s.decimalRest(t, c, atFraction)
		}
		if c == '.' {
			c = s.nextc()
			if c == '.' {
				return s.make(t, token.ELLIPSIS, s.start, s.cur)
			}
			s.backup(c)
			s.backup('.')
		} else {
			s.backup(c)
		}
		return s.makeSpan(t, token.DOT)
	}

	if isDigit(c) {
		return s.number(t, c)
	}

	// Strings without a prefix.
	if c == '"' || c == '\'' {
		return s.stringLiteral(t, c)
	}

	// Line continuation.
	if c == '\\' {
		if c = s.continuationLine(); c == -1 {
			return s.make(t, token.ERRORTOKEN, noPos, noPos)
		}
		s.contLine = true
		goto again
	}

	return s.operator(t, cur, c)
}

// operator scans punctuation: the f-string bookkeeping of ':', '!', '{'
// and '}', two- and three-character operators, and the bracket stack.
func (s *Scanner) operator(t *token.Token, cur *mode, c int) token.Kind {
	if s.modeIdx > 0 && (c == ':' || c == '}' || c == '!' || c == '{') && cur.exprStartDepth >= 0 {
		// Called before '{' increments the depth, hence the adjustment.
		cursor := cur.curlyDepth
		if c != '{' {
			cursor--
		}
		valid := cursor == 0 || (cursor == 1 && (cur.debug || cur.inFormatSpec))
		if valid {
			s.updateFStringExpr(byte(c))
			if c != '{' && !s.setFStringExpr(t) {
				return s.make(t, token.ERRORTOKEN, noPos, noPos)
			}
		}
		if c == ':' && cursor == cur.exprStartDepth {
			cur.kind = fstringMode
			cur.inFormatSpec = true
			return s.make(t, token.COLON, s.start, s.cur)
		}
	}

	// Two- and three-character operators. A character no two-character
	// operator starts with (brackets, commas) needs no look at the next
	// one when it is in the bytes read (reading it and backing up would
	// change nothing).
	if uint(c) >= 128 || opStartsTwo[c] || s.cur >= len(s.read) {
		var c2 int
		if i := s.cur; i < len(s.read) { // nextc, inlined
			s.cur = i + 1
			c2 = int(s.read[i])
		} else {
			c2 = s.nextcSlow()
		}
		if k := twoChars(c, c2); k != token.OP && !(k == token.NOTEQUAL && c == '<' && s.ft.splitDiamond) {
			c3 := s.nextc()
			if k3 := threeChars(c, c2, c3); k3 != token.OP {
				k = k3
			} else {
				s.backup(c3)
			}
			return s.makeSpan(t, k)
		}
		s.backup(c2)
	}

	// The bracket stack.
	switch c {
	case '(', '[', '{':
		if s.level >= MaxLevel {
			return s.make(t, s.syntaxError("too many nested parentheses"), noPos, noPos)
		}
		s.parenstack[s.level] = byte(c)
		s.parenlinenostack[s.level] = s.lineno
		s.parencolstack[s.level] = s.start - s.lineStart
		s.level++
		if s.modeIdx > 0 {
			cur.curlyDepth++
		}
	case ')', ']', '}':
		if s.modeIdx > 0 && cur.curlyDepth == 0 && c == '}' {
			return s.make(t, s.syntaxError("f-string: single '}' is not allowed"), noPos, noPos)
		}
		if s.level == 0 {
			return s.make(t, s.syntaxError("unmatched '%c'", c), noPos, noPos)
		}
		s.level--
		opening := int(s.parenstack[s.level])
		if !(opening == '(' && c == ')' || opening == '[' && c == ']' || opening == '{' && c == '}') {
			// A bracket closing the expression part of an f-string
			// replacement field is reported as unmatched.
			if s.modeIdx > 0 && opening == '{' && cur.curlyDepth-1 == cur.exprStartDepth {
				return s.make(t, s.syntaxError("f-string: unmatched '%c'", c), noPos, noPos)
			}
			if s.parenlinenostack[s.level] != s.lineno {
				return s.make(t, s.syntaxError("closing parenthesis '%c' does not match opening parenthesis '%c' on line %d",
					c, opening, s.parenlinenostack[s.level]), noPos, noPos)
			}
			return s.make(t, s.syntaxError("closing parenthesis '%c' does not match opening parenthesis '%c'", c, opening), noPos, noPos)
		}
		if s.modeIdx > 0 {
			cur.curlyDepth--
			if cur.curlyDepth < 0 {
				return s.make(t, s.syntaxError("f-string: unmatched '%c'", c), noPos, noPos)
			}
			if c == '}' && cur.curlyDepth == cur.exprStartDepth {
				cur.exprStartDepth--
				cur.kind = fstringMode
				cur.inFormatSpec = false
				cur.debug = false
			}
		}
	}

	if !(c >= 0x20 && c < 0x7F) {
		return s.make(t, s.syntaxError("invalid non-printable character U+%04X", c), noPos, noPos)
	}

	// The mark is read in an f-string's mode only (the regular mode,
	// modes[0], is never one), and regular makes a '=' there without it.
	if c == '=' && s.modeIdx > 0 && s.debugEqual(cur) {
		cur.debug = true
	}
	return s.makeSpan(t, oneCharKinds[c])
}

// opStartsTwo tells the ASCII characters some two-character operator
// starts with (twoChars is not OP for some next character; a test derives
// it from twoChars). It is a literal rather than derived at start-up,
// which called twoChars 33,000 times in every process.
var opStartsTwo = [128]bool{
	'!': true, '%': true, '&': true, '*': true, '+': true, '-': true, '/': true,
	':': true, '<': true, '=': true, '>': true, '@': true, '^': true, '|': true,
}

// opEqualOnly tells the ASCII characters that make an operator of their
// own and start no longer one but that character and '=' (a test derives
// it from oneChar, twoChars and threeChars): regular makes them when the
// next byte is not '='.
var opEqualOnly = [128]bool{
	'!': true, '%': true, '&': true, '+': true, ':': true, '=': true, '@': true, '^': true, '|': true,
}

// oneCharKinds is oneChar of each ASCII character.
var oneCharKinds = func() (kinds [128]token.Kind) {
	for c := range 128 {
		kinds[c] = oneChar(c)
	}
	return kinds
}()

// debugEqual reports whether a '=' read in mode cur marks a debug
// expression ("f'{x=}'"): 3.13.0 takes any '=' inside a replacement
// field, later releases only one at the field's top bracket level.
func (s *Scanner) debugEqual(cur *mode) bool {
	if s.ft.debugAtTop {
		return cur.curlyDepth-cur.exprStartDepth == 1
	}
	return cur.exprStartDepth >= 0
}

// stringLiteral scans a string or bytes literal whose opening quote c was
// just read (after any prefix).
func (s *Scanner) stringLiteral(t *token.Token, quote int) token.Kind {
	quoteSize, endQuoteSize := 1, 0
	hasEscapedQuote := false
	// plain: no backslash and no byte of 0x80 or more met so far (see
	// token.Token.ASCII).
	plain := true

	s.firstLineno = s.lineno
	s.multiLineStart = s.lineStart

	c := s.nextc()
	if c == quote {
		c = s.nextc()
		if c == quote {
			quoteSize = 3
		} else {
			endQuoteSize = 1 // an empty string
		}
	}
	if c != quote {
		s.backup(c)
	}

	for endQuoteSize != quoteSize {
		// Skip ordinary characters of the current line at once.
		if r, i := s.read, s.cur; i < len(r) {
			q := byte(quote)
			n, high := stringStopRun(r[i:], q)
			i += n
			var bs byte
			for i < len(r) {
				b := r[i]
				if b == q || b == '\\' || b == '\n' {
					break
				}
				bs |= b
				i++
			}
			if high || bs >= 0x80 {
				plain = false
			}
			if i > s.cur {
				s.cur = i
				endQuoteSize = 0
			}
		}
		c = s.nextc()
		if c >= 0x80 {
			// The first byte of a line read here.
			plain = false
		}
		if s.done == Error {
			return s.make(t, token.ERRORTOKEN, noPos, noPos)
		}
		if c == eof || (quoteSize == 1 && c == '\n') {
			// Report the error at the opening quote.
			s.cur = s.start + 1
			s.lineStart = s.multiLineStart
			detected := s.lineno
			s.lineno = s.firstLineno
			if s.modeIdx > 0 {
				// In an f-string, the quote of the f-string itself: a '}'
				// is missing.
				m := &s.modes[s.modeIdx]
				if int(m.quote) == quote && m.quoteSize == quoteSize {
					return s.make(t, s.syntaxError("f-string: expecting '}'"), noPos, noPos)
				}
			}
			if quoteSize == 3 {
				s.syntaxError("unterminated triple-quoted string literal (detected at line %d)", detected)
				if c != '\n' {
					s.done = EOFS
				}
				return s.make(t, token.ERRORTOKEN, noPos, noPos)
			}
			if hasEscapedQuote {
				s.syntaxError("unterminated string literal (detected at line %d); perhaps you escaped the end quote?", detected)
			} else {
				s.syntaxError("unterminated string literal (detected at line %d)", detected)
			}
			if c != '\n' {
				s.done = EOLS
			}
			return s.make(t, token.ERRORTOKEN, noPos, noPos)
		}
		if c == quote {
			endQuoteSize++
			continue
		}
		endQuoteSize = 0
		if c == '\\' {
			plain = false
			c = s.nextc() // the escaped character
			if c == quote {
				hasEscapedQuote = true
			}
			if c == '\r' {
				s.nextc()
			}
		}
	}
	t.ASCII = plain
	return s.make(t, token.STRING, s.start, s.cur)
}

func oneChar(c int) token.Kind {
	switch c {
	case '!':
		return token.EXCLAMATION
	case '%':
		return token.PERCENT
	case '&':
		return token.AMPER
	case '(':
		return token.LPAR
	case ')':
		return token.RPAR
	case '*':
		return token.STAR
	case '+':
		return token.PLUS
	case ',':
		return token.COMMA
	case '-':
		return token.MINUS
	case '.':
		return token.DOT
	case '/':
		return token.SLASH
	case ':':
		return token.COLON
	case ';':
		return token.SEMI
	case '<':
		return token.LESS
	case '=':
		return token.EQUAL
	case '>':
		return token.GREATER
	case '@':
		return token.AT
	case '[':
		return token.LSQB
	case ']':
		return token.RSQB
	case '^':
		return token.CIRCUMFLEX
	case '{':
		return token.LBRACE
	case '|':
		return token.VBAR
	case '}':
		return token.RBRACE
	case '~':
		return token.TILDE
	}
	return token.OP
}

func twoChars(c1, c2 int) token.Kind {
	switch c1 {
	case '!':
		if c2 == '=' {
			return token.NOTEQUAL
		}
	case '%':
		if c2 == '=' {
			return token.PERCENTEQUAL
		}
	case '&':
		if c2 == '=' {
			return token.AMPEREQUAL
		}
	case '*':
		switch c2 {
		case '*':
			return token.DOUBLESTAR
		case '=':
			return token.STAREQUAL
		}
	case '+':
		if c2 == '=' {
			return token.PLUSEQUAL
		}
	case '-':
		switch c2 {
		case '=':
			return token.MINEQUAL
		case '>':
			return token.RARROW
		}
	case '/':
		switch c2 {
		case '/':
			return token.DOUBLESLASH
		case '=':
			return token.SLASHEQUAL
		}
	case ':':
		if c2 == '=' {
			return token.COLONEQUAL
		}
	case '<':
		switch c2 {
		case '<':
			return token.LEFTSHIFT
		case '=':
			return token.LESSEQUAL
		case '>':
			return token.NOTEQUAL
		}
	case '=':
		if c2 == '=' {
			return token.EQEQUAL
		}
	case '>':
		switch c2 {
		case '=':
			return token.GREATEREQUAL
		case '>':
			return token.RIGHTSHIFT
		}
	case '@':
		if c2 == '=' {
			return token.ATEQUAL
		}
	case '^':
		if c2 == '=' {
			return token.CIRCUMFLEXEQUAL
		}
	case '|':
		if c2 == '=' {
			return token.VBAREQUAL
		}
	}
	return token.OP
}

func threeChars(c1, c2, c3 int) token.Kind {
	if c3 == '=' && c1 == c2 {
		switch c1 {
		case '*':
			return token.DOUBLESTAREQUAL
		case '/':
			return token.DOUBLESLASHEQUAL
		case '<':
			return token.LEFTSHIFTEQUAL
		case '>':
			return token.RIGHTSHIFTEQUAL
		}
	}
	if c1 == '.' && c2 == '.' && c3 == '.' {
		return token.ELLIPSIS
	}
	return token.OP
}
