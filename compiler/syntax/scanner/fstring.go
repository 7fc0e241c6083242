package scanner

import (
	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
)

// fstringStart scans the opening of an f-string (prefix and quotes, the
// FSTRING_START token) and pushes an f-string mode.
func (s *Scanner) fstringStart(t *token.Token, quote int) token.Kind {
	quoteSize := 1
	s.firstLineno = s.lineno
	s.multiLineStart = s.lineStart

	after := s.nextc()
	if after == quote {
		afterAfter := s.nextc()
		if afterAfter == quote {
			quoteSize = 3
		} else {
			s.backup(afterAfter)
			s.backup(after)
		}
	}
	if after != quote {
		s.backup(after)
	}

	if s.modeIdx+1 >= MaxFStringMode {
		return s.make(t, s.syntaxError("too many nested f-strings"), noPos, noPos)
	}
	s.modeIdx++
	if s.modeIdx == len(s.modes) {
		s.modes = append(s.modes, mode{})
	}
	m := &s.modes[s.modeIdx]
	*m = mode{
		kind:           fstringMode,
		quote:          byte(quote),
		quoteSize:      quoteSize,
		start:          s.start,
		multiLineStart: s.lineStart,
		lineStart:      s.lineno,
		exprStart:      noPos,
		exprEnd:        noPos,
		exprStartDepth: -1,
	}
	switch s.text[s.start] {
	case 'F', 'f':
		p := s.text[s.start+1]
		m.raw = p == 'r' || p == 'R'
	default: // 'r' or 'R'
		m.raw = true
	}
	return s.make(t, token.FSTRING_START, s.start, s.cur)
}

// fstring scans a token in f-string mode (tok_get_fstring_mode): literal
// text (FSTRING_MIDDLE), the end (FSTRING_END), or, at a replacement
// field, a token of the regular mode.
func (s *Scanner) fstring(t *token.Token, cur *mode) token.Kind {
	s.setStart(s.cur)
	s.firstLineno = s.lineno

	// A replacement field starts here: nothing to scan in this mode.
	startChar := s.nextc()
	if startChar == '{' {
		peek := s.nextc()
		s.backup(peek)
		if peek != '{' && s.ft.nestedFieldStartsExpr {
			s.updateFStringExpr('{')
		}
		s.backup(startChar)
		if peek != '{' {
			cur.exprStartDepth++
			if cur.exprStartDepth >= MaxExprNesting {
				return s.make(t, s.syntaxError("f-string: expressions nested too deeply"), noPos, noPos)
			}
			cur.kind = regularMode
			return s.normal(t, cur)
		}
	} else {
		s.backup(startChar)
	}

	// The end of the string?
	for i := 0; i < cur.quoteSize; i++ {
		q := s.nextc()
		if q != int(cur.quote) {
			s.backup(q)
			return s.fstringMiddle(t, cur)
		}
	}
	cur.exprStart, cur.exprEnd = noPos, noPos
	s.modeIdx--
	return s.make(t, token.FSTRING_END, s.start, s.cur)
}

// fstringMiddle scans literal text of an f-string, up to a replacement
// field, the closing quotes, or the end of a format spec.
func (s *Scanner) fstringMiddle(t *token.Token, cur *mode) token.Kind {
	s.multiLineStart = s.lineStart
	endQuoteSize := 0
	unicodeEscape := false
	for endQuoteSize != cur.quoteSize {
		c := s.nextc()
		if s.done == Error || s.done == Decode {
			return s.make(t, token.ERRORTOKEN, noPos, noPos)
		}
		inFormatSpec := cur.inFormatSpec && cur.exprStartDepth >= 0

		if c == eof || (cur.quoteSize == 1 && c == '\n') {
			if inFormatSpec && c == '\n' {
				// The format spec ends at the newline; the regular mode
				// goes on from there.
				if cur.quoteSize == 1 && s.ft.noNewlineInSpec {
					return s.make(t, s.syntaxError("f-string: newlines are not allowed in format specifiers for single quoted f-strings"), noPos, noPos)
				}
				s.backup(c)
				cur.kind = regularMode
				cur.inFormatSpec = false
				return s.make(t, token.FSTRING_MIDDLE, s.start, s.cur)
			}
			// Report the error at the f-string's opening quote.
			s.cur = cur.start + 1
			s.lineStart = cur.multiLineStart
			detected := s.lineno
			s.lineno = cur.lineStart
			if cur.quoteSize == 3 {
				s.syntaxError("unterminated triple-quoted f-string literal (detected at line %d)", detected)
				if c != '\n' {
					s.done = EOFS
				}
				return s.make(t, token.ERRORTOKEN, noPos, noPos)
			}
			return s.make(t, s.syntaxError("unterminated f-string literal (detected at line %d)", detected), noPos, noPos)
		}

		if c == int(cur.quote) {
			endQuoteSize++
			continue
		}
		endQuoteSize = 0

		switch c {
		case '{':
			s.updateFStringExpr('{')
			peek := s.nextc()
			if peek != '{' || inFormatSpec {
				s.backup(peek)
				s.backup(c)
				cur.exprStartDepth++
				if cur.exprStartDepth >= MaxExprNesting {
					return s.make(t, s.syntaxError("f-string: expressions nested too deeply"), noPos, noPos)
				}
				cur.kind = regularMode
				cur.inFormatSpec = false
				return s.make(t, token.FSTRING_MIDDLE, s.start, s.cur)
			}
			// "{{": the text takes one brace.
			return s.make(t, token.FSTRING_MIDDLE, s.start, s.cur-1)
		case '}':
			if unicodeEscape {
				return s.make(t, token.FSTRING_MIDDLE, s.start, s.cur)
			}
			peek := s.nextc()
			if peek == '}' && !inFormatSpec && cur.curlyDepth == 0 {
				return s.make(t, token.FSTRING_MIDDLE, s.start, s.cur-1)
			}
			s.backup(peek)
			s.backup(c)
			cur.kind = regularMode
			cur.inFormatSpec = false
			return s.make(t, token.FSTRING_MIDDLE, s.start, s.cur)
		case '\\':
			peek := s.nextc()
			if peek == '\r' {
				peek = s.nextc()
			}
			// A backslash before a brace: the brace is scanned again.
			if peek == '{' || peek == '}' {
				if !cur.raw && !s.warnEscape(peek) {
					return s.make(t, token.ERRORTOKEN, noPos, noPos)
				}
				s.backup(peek)
				continue
			}
			if !cur.raw && peek == 'N' {
				// A named escape, \N{...}: its braces are text.
				peek = s.nextc()
				if peek == '{' {
					unicodeEscape = true
				} else {
					s.backup(peek)
				}
			}
		}
	}
	// Leave the closing quotes for FSTRING_END.
	for i := 0; i < cur.quoteSize; i++ {
		s.backup(int(cur.quote))
	}
	return s.make(t, token.FSTRING_MIDDLE, s.start, s.cur)
}

// warnEscape emits the SyntaxWarning for "\{" or "\}" in a non-raw
// f-string (_PyTokenizer_warn_invalid_escape_sequence).
func (s *Scanner) warnEscape(c int) bool {
	msg := "invalid escape sequence '\\" + string(rune(c)) + "'"
	if s.opts.WarningsAsErrors {
		s.syntaxError("%s", msg)
		return false
	}
	s.addWarning(Warning{Lineno: s.lineno, Msg: msg})
	return true
}

// updateFStringExpr tracks the text of the expression of the current
// replacement field (_PyLexer_update_fstring_expr): '{' starts it after
// the brace; '}', '!' and ':' end it where the current token starts.
func (s *Scanner) updateFStringExpr(c byte) {
	m := &s.modes[s.modeIdx]
	switch c {
	case '{':
		m.exprStart = s.cur
		m.exprEnd = noPos
	case '}', '!':
		if s.ft.exprEndAlways || m.exprEnd == noPos {
			m.exprEnd = s.start
		}
	case ':':
		if m.exprEnd == noPos || s.ft.colonEndAlways {
			m.exprEnd = s.start
		}
	}
}

// setFStringExpr attaches the expression text of a debug replacement field
// ("f'{x = }'") to the token being made (set_fstring_expr). It fails when
// the text is not valid UTF-8: CPython then raises the UnicodeDecodeError.
func (s *Scanner) setFStringExpr(t *token.Token) bool {
	m := &s.modes[s.modeIdx]
	if !m.debug || t.Meta != 0 {
		return true
	}
	if m.exprStart == noPos || m.exprEnd == noPos || m.exprEnd < m.exprStart {
		return true
	}
	expr := s.text[m.exprStart:m.exprEnd]
	var text []byte
	if s.ft.hashInStrings {
		text = stripCommentsQuoted(expr, s.ft.commentEscapes)
	} else {
		text = stripComments(expr)
	}
	if e := source.CheckUTF8(text); e != nil {
		s.raised = &syntaxerr.Error{Type: syntaxerr.UnicodeDecodeError, Msg: e.Error(), Filename: s.opts.Filename, NoLocation: true}
		return false
	}
	s.meta = append(s.meta, string(text))
	t.Meta = int32(len(s.meta))
	return true
}

// Metadata returns the debug text attached to t (its Meta), or "".
func (s *Scanner) Metadata(t *token.Token) string {
	if t.Meta == 0 {
		return ""
	}
	return s.meta[t.Meta-1]
}

// stripComments removes comments from an expression's text as 3.13.0
// does: from each '#' to the end of its line, the newline kept.
func stripComments(expr []byte) []byte {
	if indexByte(expr, '#') < 0 {
		return expr
	}
	out := make([]byte, 0, len(expr))
	for i := 0; i < len(expr); i++ {
		if expr[i] != '#' {
			out = append(out, expr[i])
			continue
		}
		for i < len(expr) {
			if expr[i] == '\n' {
				out = append(out, '\n')
				break
			}
			i++
		}
	}
	return out
}

// stripCommentsQuoted removes comments from an expression's text as later
// releases do: a '#' inside a string literal of the expression is kept.
// Escaped characters are skipped when looking for a comment; with escapes
// (3.13.16 and later) also when removing it, so that an escaped quote does
// not end a string.
func stripCommentsQuoted(expr []byte, escapes bool) []byte {
	// Look for a '#' outside quotes, skipping escaped characters.
	found := false
	inString := false
	var q byte
	for i := 0; i < len(expr); i++ {
		ch := expr[i]
		if ch == '\\' {
			i++
			continue
		}
		if ch == '"' || ch == '\'' {
			if !inString {
				inString, q = true, ch
			} else if ch == q {
				inString = false
			}
			continue
		}
		if ch == '#' && !inString {
			found = true
			break
		}
	}
	if !found {
		return expr
	}
	out := make([]byte, 0, len(expr))
	inString = false
	for i := 0; i < len(expr); i++ {
		ch := expr[i]
		switch {
		case ch == '\\' && escapes:
			out = append(out, ch)
			if i+1 < len(expr) {
				i++
				out = append(out, expr[i])
			}
		case ch == '"' || ch == '\'':
			if !inString {
				inString, q = true, ch
			} else if ch == q {
				inString = false
			}
			out = append(out, ch)
		case ch == '#' && !inString:
			for i < len(expr) && expr[i] != '\n' {
				i++
			}
			if i < len(expr) {
				out = append(out, '\n')
			}
		default:
			out = append(out, ch)
		}
	}
	return out
}
