// Package scanner is CPython 3.13's tokenizer (Parser/lexer) for the
// native front end: it hands the parser one token at a time, with
// CPython's kinds, positions, nesting levels and f-string metadata, and
// fails with CPython's exact SyntaxError.
//
// The scanner works on a source decoded by package source and never reads
// ahead of the token asked for: CPython's parser pulls tokens lazily, and
// which error it reports depends on how far the tokenizer got. Its state
// (the current line, the bracket stack, the f-string mode stack, the error
// code) is the state pegen's error reporting reads, and the methods that
// build errors from it (Raise, RaiseAt, UnclosedParen) follow
// Parser/pegen_errors.c.
//
// Positions: Token.Start and Token.End carry CPython's token positions
// (1-based lines, 0-based UTF-8 byte columns); a column of -1 is CPython's
// "no position" (INDENT, DEDENT, ENDMARKER, error tokens). Token.Off and
// Token.EndOff delimit the token's bytes in the decoded text, which may
// differ from the columns (a NEWLINE has no bytes but a column span of
// one; "{{" in an f-string is one byte of text). SyntaxError offsets are
// 1-based characters (source.CharOffset).
//
// The scanner reads sources as compile(source, name, "exec") does, which is
// what py_compile does: type comments (ast.parse's type_comments) and the
// interactive and "eval" modes are not supported.
//
// The scanner never panics on any input and allocates nothing per token
// (f-string debug metadata, warnings and errors aside).
package scanner

import (
	"bytes"
	"fmt"

	"github.com/rules-pyc/rules_pyc/compiler/release"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/source"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/syntaxerr"
	"github.com/rules-pyc/rules_pyc/compiler/syntax/token"
)

// Limits of CPython's tokenizer (Parser/lexer/state.h).
const (
	MaxIndent      = 100 // indentation levels
	MaxLevel       = 200 // nested brackets
	MaxFStringMode = 150 // nested f-strings (mode stack entries)
	MaxExprNesting = 3   // nested replacement fields in an f-string
	tabSize        = 8
)

// Code is the tokenizer's state after a token (CPython's tok->done), with
// CPython's numbers (Include/errcode.h).
type Code uint8

// The codes the tokenizer sets.
const (
	OK       Code = 10 // E_OK
	EOF      Code = 11 // E_EOF: end of input reached
	Error    Code = 17 // E_ERROR: the tokenizer raised a SyntaxError itself
	TabSpace Code = 18 // E_TABSPACE: inconsistent tabs and spaces
	TooDeep  Code = 20 // E_TOODEEP: too many indentation levels
	Dedent   Code = 21 // E_DEDENT: unindent does not match
	Decode   Code = 22 // E_DECODE: an identifier is not valid UTF-8
	EOFS     Code = 23 // E_EOFS: EOF in a triple-quoted string (error raised)
	EOLS     Code = 24 // E_EOLS: EOF in a string (error raised)
	LineCont Code = 25 // E_LINECONT: character after line continuation
)

func (c Code) String() string {
	switch c {
	case OK:
		return "E_OK"
	case EOF:
		return "E_EOF"
	case Error:
		return "E_ERROR"
	case Dedent:
		return "E_DEDENT"
	case TabSpace:
		return "E_TABSPACE"
	case TooDeep:
		return "E_TOODEEP"
	case LineCont:
		return "E_LINECONT"
	case Decode:
		return "E_DECODE"
	case EOFS:
		return "E_EOFS"
	case EOLS:
		return "E_EOLS"
	}
	return fmt.Sprintf("Code(%d)", int(c))
}

// UnicodeTables is the Unicode knowledge the tokenizer needs: CPython's
// XID_Start and XID_Continue (for identifiers) and str.isprintable (for the
// message about an invalid character). Package unidata provides it.
type UnicodeTables interface {
	IsXIDStart(r rune) bool
	IsXIDContinue(r rune) bool
	IsPrintable(r rune) bool
}

// Options configure a Scanner.
type Options struct {
	// Filename is the name the source is compiled under (SyntaxError's
	// filename).
	Filename string
	// FileBacked says that CPython can read the source back from Filename
	// (py_compile compiles a file it names): errors the parser raises then
	// take their text from the file (source.ReadBackLine), else from the
	// tokenizer's buffers, as for compile(bytes, "name-of-no-file").
	FileBacked bool
	// WarningsAsErrors makes the SyntaxWarnings the tokenizer emits errors
	// (python -W error): the warning's message becomes a SyntaxError at
	// the tokenizer's position.
	WarningsAsErrors bool
	// Unicode answers identifier questions; nil means the tables of the
	// Unicode version the release uses.
	Unicode UnicodeTables
	// OnWarning, when set, is called with each SyntaxWarning as the
	// tokenizer emits it (besides recording it for Warnings), so that a
	// caller can keep the tokenizer's and the parser's warnings in the
	// order CPython prints them.
	OnWarning func(Warning)
	// Keywords gives a NAME token that spells a reserved keyword the
	// keyword's kind (token.Keyword), as CPython's parser does to each
	// token it fetches: the parser then need not look at the name again.
	Keywords bool
}

// Warning is a SyntaxWarning the tokenizer emitted (CPython prints it and
// goes on).
type Warning struct {
	Lineno int
	Msg    string
}

// Paren is an open bracket on the tokenizer's stack.
type Paren struct {
	Char byte // '(', '[' or '{'
	// Line is its 1-based line; Col its 0-based byte column.
	Line, Col int
}

const eof = -1

// noPos is a nil pointer of the C tokenizer (tok->start == NULL).
const noPos = -1

type modeKind uint8

const (
	regularMode modeKind = iota
	fstringMode
)

// mode is one entry of the tokenizer's mode stack (tokenizer_mode).
type mode struct {
	kind           modeKind
	curlyDepth     int // curly_bracket_depth
	exprStartDepth int // curly_bracket_expr_start_depth
	quote          byte
	quoteSize      int
	raw            bool
	start          int // f_string_start
	multiLineStart int // f_string_multi_line_start
	lineStart      int // f_string_line_start (a line number)
	// exprStart is the offset just after the '{' of the replacement field
	// being read (noPos when none); exprEnd the offset where its expression
	// ends (noPos until known).
	exprStart, exprEnd int
	debug              bool
	inFormatSpec       bool
}

// Scanner is the tokenizer state for one source (struct tok_state).
type Scanner struct {
	src *source.Source
	// text is the decoded source. A newline always follows it in memory:
	// its last byte, or one past its end, in capacity (see New), which
	// regular's name loop relies on to stop without a bounds check.
	text []byte
	opts Options
	rel  release.Release
	uni  UnicodeTables
	ft   features
	// noCR: text holds no '\r', so that a comment ends where its line
	// does (the '\n' that ends the lines read, or the end of the text).
	noCR bool
	// keywords is Options.Keywords.
	keywords bool

	// Reading state: buf <= lineStart <= cur <= inp <= len(text).
	buf       int    // start of the buffer as CPython keeps it (tok->buf)
	cur       int    // next byte
	inp       int    // end of the lines read so far
	read      []byte // text[:inp], for reading without a bounds check
	lineStart int    // start of the current line
	start     int    // start of the current token, or noPos
	startCol  int    // its column (starting_col_offset)
	lineno    int

	done   Code
	raised *syntaxerr.Error // the exception the tokenizer raised itself
	// meta holds the debug texts of f-string replacement fields, which
	// tokens refer to by index plus one (token.Token.Meta).
	meta []string

	atbol       bool
	pendin      int
	indent      int
	indstack    [MaxIndent]int
	altindstack [MaxIndent]int

	level            int
	parenstack       [MaxLevel]byte
	parenlinenostack [MaxLevel]int
	parencolstack    [MaxLevel]int

	contLine       bool
	firstLineno    int
	multiLineStart int

	// modes is the mode stack (at most MaxFStringMode entries, grown as
	// f-strings nest); modes[modeIdx] is the current mode.
	modes   []mode
	modeIdx int

	warnings []Warning

	modeBuf [4]mode // the first entries of modes
}

// New returns a scanner at the start of src.
func New(src *source.Source, opts Options) *Scanner {
	s := &Scanner{src: src, text: src.Text, opts: opts, rel: src.Release()}
	if n := len(s.text); n > 0 && s.text[n-1] != '\n' {
		// Decode's text ends with a newline (it appends one), unless a
		// codec turned the last one into something else on a release
		// that does not translate newlines after it: then a copy with a
		// newline after its end, so that the bytes read are the same
		// and regular's name loop still stops at a newline.
		text := make([]byte, n+1)
		copy(text, s.text)
		text[n] = '\n'
		s.text = text[:n]
	}
	s.noCR = src.NoCR() || bytes.IndexByte(s.text, '\r') < 0
	s.keywords = opts.Keywords
	s.ft = featuresOf(s.rel)
	s.uni = opts.Unicode
	if s.uni == nil {
		s.uni = tablesFor(s.rel)
	}
	s.start = noPos
	s.atbol = true
	s.done = OK
	s.modes = s.modeBuf[:1]
	return s
}

// KeepDiamond makes "<>" one NOTEQUAL token from here on. The tokenizer of
// 3.13.16 and later makes '<' and '>' of it until the parser has seen
// "from __future__ import barry_as_FLUFL", and one token from the next
// token on: under the future import, "a <>= b" is '<>' then '=' and an
// error at "<>" spans both characters, where without it "<>=" is '<' then
// '>='.
func (s *Scanner) KeepDiamond() { s.ft.splitDiamond = false }

// Text is the decoded source the scanner reads.
func (s *Scanner) Text() []byte { return s.text }

// Source is the source the scanner reads.
func (s *Scanner) Source() *source.Source { return s.src }

// Code is the tokenizer's state code (tok->done).
func (s *Scanner) Code() Code { return s.done }

// Raised is the exception the tokenizer itself raised with its last error
// token (CPython's pending exception), or nil when it only set a code that
// the parser turns into a SyntaxError (E_EOF, E_DEDENT, E_TABSPACE,
// E_TOODEEP, E_LINECONT). For an identifier of invalid UTF-8 (E_DECODE) it
// is the UnicodeDecodeError.
func (s *Scanner) Raised() *syntaxerr.Error { return s.raised }

// Lineno is the tokenizer's current line (tok->lineno).
func (s *Scanner) Lineno() int { return s.lineno }

// Level is the bracket nesting depth (tok->level).
func (s *Scanner) Level() int { return s.level }

// Parens returns the open brackets, outermost first.
func (s *Scanner) Parens() []Paren {
	p := make([]Paren, s.level)
	for i := range p {
		p[i] = Paren{Char: s.parenstack[i], Line: s.parenlinenostack[i], Col: s.parencolstack[i]}
	}
	return p
}

// State is the tokenizer state CPython's error reporting reads (struct
// tok_state). Offsets are byte offsets into Text.
type State struct {
	Code   Code
	Lineno int
	// Cur is the next byte; LineStart the start of the current line; Buf
	// the start of the buffered text (the current line, or the first line
	// of a token that spans lines); Inp the end of the lines read so far.
	Cur, LineStart, Buf, Inp int
	// Parens are the open brackets, outermost first.
	Parens []Paren
	// FStringDepth is the number of f-strings the tokenizer is inside
	// (tok_mode_stack_index); FStringRaw whether the innermost is raw.
	FStringDepth int
	FStringRaw   bool
}

// State returns the tokenizer's state.
func (s *Scanner) State() State {
	return State{
		Code: s.done, Lineno: s.lineno,
		Cur: s.cur, LineStart: s.lineStart, Buf: s.buf, Inp: s.inp,
		Parens:       s.Parens(),
		FStringDepth: s.modeIdx,
		FStringRaw:   s.modes[s.modeIdx].raw,
	}
}

// InFString reports whether the tokenizer is inside an f-string (its mode
// stack is deeper than the base entry).
func (s *Scanner) InFString() bool { return s.modeIdx > 0 }

// Warnings returns the SyntaxWarnings emitted so far.
func (s *Scanner) Warnings() []Warning { return s.warnings }

// nextc returns the next byte, reading the next line when the current one
// is used up (tok_nextc), or eof.
func (s *Scanner) nextc() int {
	// Written so as to be inlined (at the inliner's budget).
	if s.cur >= len(s.read) {
		return s.nextcSlow()
	}
	s.cur++
	return int(s.read[s.cur-1])
}

func (s *Scanner) nextcSlow() int {
	for {
		if s.cur != s.inp {
			c := s.text[s.cur]
			s.cur++
			return int(c)
		}
		if s.done != OK {
			return eof
		}
		if !s.underflow() {
			s.cur = s.inp
			return eof
		}
		s.lineStart = s.cur
	}
}

// underflow makes the next line available (tok_underflow_string).
func (s *Scanner) underflow() bool {
	end := len(s.text)
	if i := indexByte(s.text[s.inp:], '\n'); i >= 0 {
		end = s.inp + i + 1
	} else if end == s.inp {
		s.done = EOF
		return false
	}
	if s.start == noPos {
		s.buf = s.cur
	}
	s.lineStart = s.cur
	s.lineno++
	s.inp = end
	s.read = s.text[:end]
	return true
}

// backup steps back over c (tok_backup).
func (s *Scanner) backup(c int) {
	if c != eof {
		s.cur--
	}
}

// setStart marks the token start at offset p.
func (s *Scanner) setStart(p int) {
	s.start = p
	s.startCol = p - s.lineStart
}

// make fills t as CPython's _PyLexer_token_setup does and returns kind.
// pStart and pEnd delimit the token's bytes, or are noPos.
func (s *Scanner) make(t *token.Token, kind token.Kind, pStart, pEnd int) token.Kind {
	t.Kind = kind
	t.Level = uint16(s.level)
	if kind == token.STRING || kind == token.FSTRING_MIDDLE {
		t.Start.Line = int32(s.firstLineno)
	} else {
		t.Start.Line = int32(s.lineno)
	}
	t.End.Line = int32(s.lineno)
	if pStart != noPos && pEnd != noPos {
		t.Start.Col = int32(s.startCol)
		t.End.Col = int32(s.cur - s.lineStart)
		t.Off, t.EndOff = int32(pStart), int32(pEnd)
	} else {
		t.Start.Col, t.End.Col = -1, -1
		t.Off, t.EndOff = int32(s.cur), int32(s.cur)
	}
	return kind
}

// makeSpan is make for a token with a span, other than STRING and
// FSTRING_MIDDLE, from the token start to the current byte: short enough
// to be inlined where most tokens are made. (The fields are read before t
// is written: the compiler cannot tell that the writes leave them be.)
func (s *Scanner) makeSpan(t *token.Token, kind token.Kind) token.Kind {
	line, level := int32(s.lineno), uint16(s.level)
	start, startCol, end := s.start, s.startCol, s.cur
	endCol := end - s.lineStart
	t.Kind = kind
	t.Level = level
	t.Start = token.Pos{Line: line, Col: int32(startCol)}
	t.End = token.Pos{Line: line, Col: int32(endCol)}
	t.Off, t.EndOff = int32(start), int32(end)
	return kind
}

// makeNoSpan is make for a token without a span (an INDENT or a DEDENT),
// short enough to be inlined.
func (s *Scanner) makeNoSpan(t *token.Token, kind token.Kind) token.Kind {
	line, level, cur := int32(s.lineno), uint16(s.level), int32(s.cur)
	t.Kind = kind
	t.Level = level
	t.Start = token.Pos{Line: line, Col: -1}
	t.End = token.Pos{Line: line, Col: -1}
	t.Off, t.EndOff = cur, cur
	return kind
}

// span is makeSpan for a token from offset start to end of the current
// line, where the token start and the current byte are set: what setStart,
// reading to end and makeSpan do, with the offsets known.
func (s *Scanner) span(t *token.Token, kind token.Kind, start, end int) token.Kind {
	line, level, lineStart := int32(s.lineno), uint16(s.level), s.lineStart
	s.start, s.startCol, s.cur = start, start-lineStart, end
	t.Kind = kind
	t.Level = level
	t.Start = token.Pos{Line: line, Col: int32(start - lineStart)}
	t.End = token.Pos{Line: line, Col: int32(end - lineStart)}
	t.Off, t.EndOff = int32(start), int32(end)
	return kind
}

// Next scans the next token into t. At an error it returns, with t.Kind
// ERRORTOKEN, the exception CPython's parser raises when it fetches that
// token (initialize_token: the tokenizer's own SyntaxError, or the one
// _Pypegen_tokenizer_error makes of the code), assuming no earlier parser
// error; Raised and Code tell the parts apart. After an error or
// ENDMARKER, further calls go on as CPython's tokenizer would (the parser
// may call again to look for tokenizer errors further on).
func (s *Scanner) Next(t *token.Token) *syntaxerr.Error {
	t.Meta = 0
	return s.NextReusing(t)
}

// Regular reports whether the next token is scanned in the regular mode
// (outside f-strings) with no error raised by the last one: then
// NextRegular does what Next does.
func (s *Scanner) Regular() bool {
	return s.modeIdx == 0 && s.raised == nil
}

// NextRegular is Next when Regular holds,
// without Next's own call (it is inlined where tokens are fetched): it
// returns the token's kind, and after ERRORTOKEN the caller gets Next's
// error from TokenError.
func (s *Scanner) NextRegular(t *token.Token) token.Kind {
	t.Meta = 0
	return s.regular(t)
}

// TokenError returns the error Next returns for t, just scanned as an
// ERRORTOKEN by NextRegular.
func (s *Scanner) TokenError(t *token.Token) *syntaxerr.Error {
	return s.tokenError(t)
}

// NextReusing is Next for a token reused as it was left: t's Meta is
// kept, as a C token struct that is initialized once and then refilled
// keeps its metadata (_PyPegen_tokenize_full_source_to_check_for_errors
// does so). A debug expression's text already attached then keeps the
// tokenizer from decoding a later text again (set_fstring_expr), which
// decides whether invalid UTF-8 in it is an error.
func (s *Scanner) NextReusing(t *token.Token) *syntaxerr.Error {
	if s.raised != nil {
		s.raised = nil
	}
	var kind token.Kind
	if m := &s.modes[s.modeIdx]; m.kind == regularMode {
		// Outside f-strings (the first mode is always the regular one),
		// or in a replacement field's expression.
		kind = s.regular(t)
	} else {
		kind = s.fstring(t, m)
	}
	if kind != token.ERRORTOKEN {
		return nil
	}
	return s.tokenError(t)
}

// syntaxError records a SyntaxError raised by the tokenizer at the
// current position (_PyTokenizer_syntaxerror): the offset is the number of
// characters from the line start to the current byte, the text the line
// without its newline.
func (s *Scanner) syntaxError(format string, args ...any) token.Kind {
	return s.syntaxErrorRange(-1, -1, format, args...)
}

// syntaxErrorRange is _syntaxerror_range: col and endCol, when not -1, are
// used as given (they are byte columns, which CPython does not convert).
func (s *Scanner) syntaxErrorRange(col, endCol int, format string, args ...any) token.Kind {
	if s.done == Error {
		return token.ERRORTOKEN
	}
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	upTo := s.text[s.lineStart:s.cur]
	if col == -1 {
		col = source.CharCount(upTo)
	} else if col > 0 && s.ft.knownRangeChars {
		col = s.byteColToCharCol(col)
	}
	if endCol == -1 {
		endCol = col
	} else if endCol > 0 && s.ft.knownRangeChars {
		endCol = s.byteColToCharCol(endCol)
	}
	lineLen := indexByte(s.text[s.lineStart:], '\n')
	if lineLen < 0 {
		lineLen = len(s.text) - s.lineStart
	}
	text := source.DecodeReplace(s.text[s.lineStart : s.lineStart+lineLen])
	s.raised = &syntaxerr.Error{
		Type: syntaxerr.SyntaxError, Msg: msg, Filename: s.opts.Filename,
		Lineno: s.lineno, Offset: col, EndLineno: s.lineno, EndOffset: endCol,
		Text: text, HasText: true,
	}
	s.done = Error
	return token.ERRORTOKEN
}

// byteColToCharCol converts a 1-based byte column of the current line into
// a 1-based character column (counting the bytes that start a character).
func (s *Scanner) byteColToCharCol(col int) int {
	n := 1
	for i := 0; i < col-1 && s.lineStart+i < len(s.text); i++ {
		if s.text[s.lineStart+i]&0xC0 != 0x80 {
			n++
		}
	}
	return n
}

// indentError is _PyTokenizer_indenterror.
func (s *Scanner) indentError() token.Kind {
	s.done = TabSpace
	s.cur = s.inp
	return token.ERRORTOKEN
}

// warn emits a SyntaxWarning (_PyTokenizer_parser_warn): recorded, or an
// error at the current position under WarningsAsErrors. It reports
// whether scanning may go on.
func (s *Scanner) warn(msg string) bool {
	if s.opts.WarningsAsErrors {
		s.syntaxError("%s", msg)
		return false
	}
	s.addWarning(Warning{Lineno: s.lineno, Msg: msg})
	return true
}

// addWarning records w and hands it to Options.OnWarning.
func (s *Scanner) addWarning(w Warning) {
	s.warnings = append(s.warnings, w)
	if s.opts.OnWarning != nil {
		s.opts.OnWarning(w)
	}
}

func indexByte(b []byte, c byte) int { return bytes.IndexByte(b, c) }
